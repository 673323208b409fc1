"""Ops health per department: the last export that reached 24SO, transfers that hang, and
whether the serving credential's last connection test worked."""

from datetime import timedelta

from django.db.models import Count, Max
from django.utils import timezone

from exports.models import ExportItem, ExportStatus
from tenants.services import credentials_by_department

DEFAULT_STUCK_AFTER = timedelta(minutes=10)


def department_health(tenant, *, stuck_after: timedelta = DEFAULT_STUCK_AFTER, now=None) -> list[dict]:
    """One row per department, in a fixed number of queries."""
    now = now or timezone.now()
    serving = credentials_by_department(tenant)
    items = ExportItem.objects.filter(tenant=tenant).order_by()
    last_done = dict(
        items.filter(status=ExportStatus.DONE).values_list("invoice__department_id").annotate(at=Max("updated_at"))
    )
    stuck = dict(
        items.filter(status=ExportStatus.IN_TRANSFER, updated_at__lt=now - stuck_after)
        .values_list("invoice__department_id").annotate(n=Count("pk"))
    )
    return [
        {
            "department": department,
            "credential": serving.get(department.pk),
            "last_done_at": last_done.get(department.pk),
            "stuck": stuck.get(department.pk, 0),
        }
        for department in tenant.departments.all()
    ]
