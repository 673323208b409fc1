import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from tenants.models import ApiKey, Tenant
from tenants.services import api_key_authenticate

pytestmark = pytest.mark.django_db


def run(*args, stdin=None, monkeypatch=None):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_tenant_is_idempotent():
    assert "Created tenant acme" in run("create_tenant", "acme", "--name", "Acme AS")
    assert "Updated tenant acme" in run("create_tenant", "acme", "--name", "Acme Norge AS")
    assert Tenant.objects.get().name == "Acme Norge AS"


def test_create_user_reads_password_from_stdin(monkeypatch):
    run("create_tenant", "acme", "--name", "Acme")
    monkeypatch.setattr("sys.stdin", io.StringIO("correct-horse-battery\n"))
    assert "Created accountant kari" in run("create_user", "acme", "kari", "--role", "accountant")
    user = authenticate(username="kari", password="correct-horse-battery")
    assert user is not None and user.membership.role == "accountant" and user.membership.tenant.slug == "acme"


def test_create_user_rejects_weak_password_and_unknown_tenant(monkeypatch):
    run("create_tenant", "acme", "--name", "Acme")
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n"))
    with pytest.raises(CommandError, match="too short"):
        run("create_user", "acme", "kari", "--role", "ops")
    with pytest.raises(CommandError, match="No tenant with slug 'nope'"):
        run("create_user", "nope", "kari", "--role", "ops")


def test_create_api_key_prints_key_once_and_stores_only_hash():
    run("create_tenant", "acme", "--name", "Acme")
    key = run("create_api_key", "acme", "--admin").strip()
    stored = ApiKey.objects.get()
    assert key.startswith("hub_") and stored.is_admin
    assert key.split("_", 2)[2] not in stored.key_hash
    assert api_key_authenticate(key) == stored
    assert api_key_authenticate(key + "x") is None
    assert api_key_authenticate("garbage") is None
