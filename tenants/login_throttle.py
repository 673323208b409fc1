"""Throttle password guessing at every sign-in form (the hub's and Django admin's).

After LOGIN_FAILURE_LIMIT failed attempts for a username, or LOGIN_FAILURE_LIMIT_PER_IP from
one address, within LOGIN_LOCKOUT_SECONDS, further attempts are refused, even with the right
password, until the window has passed. Failures are rows in the database, not a per-process
cache, so every web process counts the same attempts.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.utils import timezone

from tenants.models import LoginFailure


def client_ip(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by whoever sends the request, so trusting it
    # would let a guesser pick a fresh address per attempt.
    return request.META.get("REMOTE_ADDR") or None


def _window_start():
    return timezone.now() - timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)


def login_locked(username: str, ip: str | None) -> bool:
    recent = LoginFailure.objects.filter(created_at__gte=_window_start())
    if recent.filter(username=username.lower()).count() >= settings.LOGIN_FAILURE_LIMIT:
        return True
    return ip is not None and recent.filter(ip_address=ip).count() >= settings.LOGIN_FAILURE_LIMIT_PER_IP


class ThrottledModelBackend(ModelBackend):
    """ModelBackend that refuses a locked-out username or address before checking the password.

    Raising ValidationError (not PermissionDenied) lets the sign-in form show why. Calls without
    a request (manage.py, the test client's login()) have no address and are not throttled.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and username and login_locked(username, client_ip(request)):
            minutes = max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)
            raise ValidationError(
                f"Too many failed sign-ins. Try again in {minutes} minutes.", code="throttled"
            )
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed)
def _record_failure(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    LoginFailure.objects.create(username=str(credentials.get("username", ""))[:150].lower(), ip_address=client_ip(request))
    # Old rows are worthless; prune them here rather than in a scheduled job.
    LoginFailure.objects.filter(created_at__lt=_window_start()).delete()


@receiver(user_logged_in)
def _forget_failures(sender, request, user, **kwargs):
    if request is not None:
        LoginFailure.objects.filter(username=user.get_username().lower()).delete()
