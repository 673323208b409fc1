import pytest

from tenants.models import LoginFailure

pytestmark = pytest.mark.django_db


def attempt(client, username, password, ip="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_after_five_failures_even_the_right_password_is_refused(client, tenant, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    for _ in range(5):
        assert attempt(client, "acme-admin", "guess").status_code == 200
    response = attempt(client, "acme-admin", "long-enough-pass-42")
    assert response.status_code == 200 and "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another user from another address is not affected.
    assert attempt(client, "acme-ops", "long-enough-pass-42", ip="10.0.0.2").status_code == 302


def test_the_lock_lifts_after_the_window_and_a_success_clears_the_count(client, tenant, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        attempt(client, "acme-admin", "guess")
    LoginFailure.objects.all().delete()  # as if the window had passed: old rows no longer count
    assert attempt(client, "acme-admin", "long-enough-pass-42").status_code == 302
    client.logout()
    attempt(client, "acme-admin", "guess")
    attempt(client, "acme-admin", "long-enough-pass-42")
    assert not LoginFailure.objects.filter(username="acme-admin").exists()


def test_one_address_guessing_many_usernames_is_throttled(client, tenant, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_IP = 4
    for n in range(4):
        attempt(client, f"nobody{n}", "guess", ip="10.9.9.9")
    response = attempt(client, "acme-admin", "long-enough-pass-42", ip="10.9.9.9")
    assert "Too many failed sign-ins" in response.content.decode()
    assert attempt(client, "acme-admin", "long-enough-pass-42", ip="10.1.1.1").status_code == 302


def test_the_admin_sign_in_is_throttled_too(client, tenant, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        client.post("/admin/login/", {"username": "acme-admin", "password": "guess"})
    response = client.post("/admin/login/", {"username": "acme-admin", "password": "long-enough-pass-42"})
    assert "Too many failed sign-ins" in response.content.decode()
