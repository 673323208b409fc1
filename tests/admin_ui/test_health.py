from datetime import timedelta

import pytest
from django.utils import timezone

from exports import transfer, transitions
from exports.models import Customer, ExportItem, ExportStatus, Invoice
from tenants import services
from tests.admin_ui.conftest import dept

pytestmark = pytest.mark.django_db


def test_health_shows_last_export_stuck_items_and_last_test_per_department(tenant, login):
    oslo = services.credential_save(tenant=tenant, username="oslo@acme.no", password="pw-123456",
                                    departments=[dept(tenant, "OSLO")])
    services.credential_test(credential=oslo, actor=None)  # 24SO unreachable in tests: a failed test
    services.credential_save(tenant=tenant, username="bergen@acme.no", password="pw-123456",
                             departments=[dept(tenant, "BERGEN")])
    customer = Customer.objects.create(tenant=tenant, external_id="c-1", name="Fjord AS")
    made = [
        Invoice.objects.create(tenant=tenant, external_id=f"i-{n}", number=n, department=dept(tenant, code),
                               customer=customer, invoice_date="2026-11-01", due_date="2026-11-15")
        for n, code in enumerate(["OSLO", "OSLO", "BERGEN"], start=1)
    ]
    batch = transfer.export_create(tenant=tenant, invoices=made)
    done, stuck, fresh = ExportItem.objects.filter(batch=batch).order_by("invoice__number")
    transitions.transition([done.pk], to=ExportStatus.DONE, expect=(ExportStatus.QUEUED,))
    transitions.claim([stuck.pk, fresh.pk], lease_seconds=90)
    # The stuck one has hung in transfer for half an hour (its worker died without the sweeper noticing yet).
    ExportItem.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - timedelta(minutes=30))

    page = login("ops").get("/health/?minutes=10").content.decode()
    oslo_row = page.split('data-department="OSLO"')[1].split("</tr>")[0]
    bergen_row = page.split('data-department="BERGEN"')[1].split("</tr>")[0]
    tromso_row = page.split('data-department="TROMSO"')[1].split("</tr>")[0]
    assert timezone.localtime(ExportItem.objects.get(pk=done.pk).updated_at).strftime("%Y-%m-%d %H:%M") in oslo_row
    assert '<td class="num stuck">1</td>' in oslo_row and "Not working" in oslo_row and "could not be reached" in oslo_row
    assert '<td class="num stuck">0</td>' in bergen_row and "never" in bergen_row and "Not tested" in bergen_row
    assert "none" in tromso_row
    # With a threshold above 30 minutes nothing counts as stuck.
    page = login("ops").get("/health/?minutes=45").content.decode()
    assert '<td class="num stuck">1</td>' not in page
