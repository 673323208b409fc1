"""Tenant-scoped lookups: views and APIs fetch objects through these, never a bare .objects.get."""

from django.http import Http404


def get_for_tenant_or_404(queryset, tenant, **lookup):
    """One object of `tenant`, or 404 (also when it exists but belongs to another tenant)."""
    try:
        return queryset.filter(tenant=tenant).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None
