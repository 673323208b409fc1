import pytest

from tenants.models import SevenOfficeCredential

pytestmark = pytest.mark.django_db

BODY = {"username": "api@firma.no", "password": "hemmelig-passord", "identity_id": None, "departments": ["OSLO"]}


@pytest.fixture
def admin_api(make_api):
    api = make_api(admin=True)
    api.post("/api/v1/departments", {"code": "OSLO", "name": "Oslo"}, format="json")
    return api


def test_admin_key_creates_credential_and_password_is_never_returned(admin_api):
    response = admin_api.post("/api/v1/credentials", BODY, format="json")
    assert response.status_code == 201
    assert response.json()["departments"] == ["OSLO"] and "password" not in response.json()
    listed = admin_api.get("/api/v1/credentials")
    assert "hemmelig-passord" not in listed.content.decode()
    assert SevenOfficeCredential.objects.get().reveal_password() == "hemmelig-passord"


def test_all_departments_scope(admin_api):
    response = admin_api.post("/api/v1/credentials", {**BODY, "departments": "all"}, format="json")
    assert response.status_code == 201 and response.json()["departments"] == "all"


def test_non_admin_key_is_refused(api):
    response = api.post("/api/v1/credentials", BODY, format="json")
    assert response.status_code == 403
    assert not SevenOfficeCredential.objects.exists()


def test_unknown_department_and_errors_do_not_echo_the_password(admin_api):
    response = admin_api.post("/api/v1/credentials", {**BODY, "departments": ["OSLO", "NOPE"]}, format="json")
    assert response.status_code == 400
    assert response.json() == {"departments": ["Unknown department code(s): NOPE."]}
    assert "hemmelig" not in response.content.decode()


def test_second_credential_for_same_department_is_refused(admin_api):
    admin_api.post("/api/v1/credentials", BODY, format="json")
    response = admin_api.post("/api/v1/credentials", {**BODY, "username": "other@firma.no"}, format="json")
    assert response.status_code == 400
    assert "Department OSLO is already served by api@firma.no" in response.json()["departments"][0]
