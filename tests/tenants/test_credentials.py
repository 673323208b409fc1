import io
import logging

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from tenants import crypto, services
from tenants.models import Department, SevenOfficeCredential

pytestmark = pytest.mark.django_db

SECRET = "s3cret-Pa55word!"


@pytest.fixture
def tenant():
    tenant, _ = services.tenant_create(slug="acme", name="Acme AS")
    for code in ("OSLO", "BERGEN", "TROMSO"):
        Department.objects.create(tenant=tenant, code=code, name=code.title())
    return tenant


def dept(tenant, code):
    return tenant.departments.get(code=code)


def test_department_credential_wins_over_all_departments(tenant):
    everyone = services.credential_save(tenant=tenant, username="all@x.no", password=SECRET, departments="all")
    oslo_only = services.credential_save(
        tenant=tenant, username="oslo@x.no", password=SECRET, departments=[dept(tenant, "OSLO")]
    )
    assert services.credential_for_department(dept(tenant, "OSLO")) == oslo_only
    assert services.credential_for_department(dept(tenant, "BERGEN")) == everyone
    assert services.credentials_by_department(tenant) == {
        dept(tenant, "OSLO").pk: oslo_only,
        dept(tenant, "BERGEN").pk: everyone,
        dept(tenant, "TROMSO").pk: everyone,
    }
    assert not services.departments_without_credential(tenant).exists()


def test_departments_without_credential_are_listed(tenant):
    services.credential_save(
        tenant=tenant, username="a@x.no", password=SECRET, departments=[dept(tenant, "OSLO"), dept(tenant, "BERGEN")]
    )
    assert [d.code for d in services.departments_without_credential(tenant)] == ["TROMSO"]
    assert services.credential_for_department(dept(tenant, "TROMSO")) is None


def test_department_can_belong_to_one_specific_credential_only(tenant):
    services.credential_save(tenant=tenant, username="a@x.no", password=SECRET, departments=[dept(tenant, "OSLO")])
    with pytest.raises(ValidationError) as exc:
        services.credential_save(
            tenant=tenant, username="b@x.no", password=SECRET, departments=[dept(tenant, "OSLO"), dept(tenant, "BERGEN")]
        )
    assert "Department OSLO is already served by a@x.no" in exc.value.message_dict["departments"][0]
    assert SevenOfficeCredential.objects.count() == 1  # nothing half-saved


def test_only_one_all_departments_credential(tenant):
    services.credential_save(tenant=tenant, username="a@x.no", password=SECRET, departments="all")
    with pytest.raises(ValidationError) as exc:
        services.credential_save(tenant=tenant, username="b@x.no", password=SECRET, departments="all")
    assert "already serves all departments" in exc.value.message_dict["departments"][0]


def test_other_tenants_department_is_refused(tenant):
    other, _ = services.tenant_create(slug="other", name="Other")
    foreign = Department.objects.create(tenant=other, code="OSLO", name="Oslo")
    with pytest.raises(ValidationError) as exc:
        services.credential_save(tenant=tenant, username="a@x.no", password=SECRET, departments=[foreign])
    assert "Unknown department(s): OSLO" in exc.value.message_dict["departments"][0]


def test_missing_fields_are_named(tenant):
    with pytest.raises(ValidationError) as exc:
        services.credential_save(tenant=tenant, username="", password="", departments=[])
    assert set(exc.value.message_dict) == {"username", "password", "departments"}


def test_edit_keeps_password_when_none_given_and_rescopes(tenant):
    credential = services.credential_save(
        tenant=tenant, username="a@x.no", password=SECRET, departments=[dept(tenant, "OSLO")]
    )
    services.credential_save(
        tenant=tenant, username="a@x.no", password=None, departments=[dept(tenant, "BERGEN")], credential=credential
    )
    credential.refresh_from_db()
    assert credential.reveal_password() == SECRET
    assert [d.code for d in credential.departments.all()] == ["BERGEN"]


def test_password_is_unreadable_in_database_dump(tenant):
    services.credential_save(tenant=tenant, username="a@x.no", password=SECRET, departments="all")
    out = io.StringIO()
    call_command("dumpdata", "tenants", stdout=out)
    assert SECRET not in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("SELECT password_encrypted FROM tenants_sevenofficecredential")
        (stored,) = cursor.fetchone()
    assert SECRET not in stored and stored.startswith("gAAAA")  # a Fernet token


def test_password_never_in_repr_str_or_logs(tenant, caplog):
    caplog.set_level(logging.DEBUG)
    credential = services.credential_save(tenant=tenant, username="a@x.no", password=SECRET, departments="all")
    logging.getLogger("test").info("saved %r %s", credential, credential)
    assert SECRET not in repr(credential) + str(credential) + caplog.text


def test_key_rotation_reencrypts_under_new_key(tenant, settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CREDENTIALS_KEYS = [old_key]
    credential = services.credential_save(tenant=tenant, username="a@x.no", password=SECRET, departments="all")
    written_with_old = SevenOfficeCredential.objects.get().password_encrypted

    settings.CREDENTIALS_KEYS = [new_key, old_key]
    out = io.StringIO()
    call_command("rotate_credentials_keys", stdout=out)
    assert "Re-encrypted 1 credential" in out.getvalue()

    settings.CREDENTIALS_KEYS = [new_key]  # old key retired
    credential.refresh_from_db()
    assert credential.password_encrypted != written_with_old
    assert credential.reveal_password() == SECRET


def test_missing_key_fails_loudly_instead_of_sending_ciphertext(tenant, settings):
    settings.CREDENTIALS_KEYS = [Fernet.generate_key().decode()]
    credential = services.credential_save(tenant=tenant, username="a@x.no", password=SECRET, departments="all")
    settings.CREDENTIALS_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.SecretUnreadable):
        credential.reveal_password()
