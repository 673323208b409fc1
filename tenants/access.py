"""Tenant-scoped lookups: views and APIs fetch objects through these, never a bare .objects.get."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404


def get_for_tenant_or_404(queryset, tenant, **lookup):
    """One object of `tenant`, or 404 (also when it exists but belongs to another tenant)."""
    try:
        return queryset.filter(tenant=tenant).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None


def tenant_of(user):
    """The signed-in user's tenant; users without a membership get 403."""
    membership = getattr(user, "membership", None)
    if membership is None:
        raise PermissionDenied("This user belongs to no tenant.")
    return membership.tenant


def role_required(*roles):
    """A view for signed-in members with one of `roles`; sets request.tenant."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            request.tenant = tenant_of(request.user)
            if request.user.membership.role not in roles:
                raise PermissionDenied("Your role does not allow this.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
