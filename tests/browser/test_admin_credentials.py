import pytest

from tenants import services
from tenants.models import AuditAction, AuditEvent, SevenOfficeCredential
from tests.admin_ui.conftest import PASSWORD, make_tenant
from tests.fixtures.browser import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_activates_adds_a_scoped_credential_tests_it_and_sees_coverage(live_server, page, sandbox):
    tenant = make_tenant("acme")

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "acme-admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click("nav >> text=Marketplace")
    page.click("#activate")
    page.wait_for_selector("h1:has-text('24SevenOffice settings')")
    assert services.integration_settings(tenant).active

    page.click("nav >> text=Credentials")
    page.click("#add-credential")
    page.fill("input[name=username]", sandbox.USERNAME)
    page.fill("input[name=password]", sandbox.PASSWORD)
    page.check("input[name=scope][value=chosen]")
    page.check("label:has-text('OSLO') >> input")
    page.check("label:has-text('BERGEN') >> input")
    page.click("button:has-text('Save')")
    page.wait_for_selector("#credentials")

    page.click("button.test-connection")
    page.wait_for_selector("text=reaches 2 clients")
    page.select_option("select[name=identity_id]", sandbox.SECOND_IDENTITY_ID)
    page.click("button:has-text('Use this client')")
    page.wait_for_selector(".test-result .status.done")

    credential = SevenOfficeCredential.objects.get(tenant=tenant)
    assert str(credential.identity_id) == sandbox.SECOND_IDENTITY_ID and credential.last_test_ok
    flagged = page.locator("#coverage tr.warn")
    assert flagged.count() == 1 and flagged.get_attribute("data-department") == "TROMSO"
    assert "login error" in flagged.inner_text()
    assert sandbox.USERNAME in page.locator("#coverage tr[data-department=OSLO]").inner_text()
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {
        AuditAction.INTEGRATION_ACTIVATED, AuditAction.CREDENTIAL_CREATED, AuditAction.CREDENTIAL_TESTED,
        AuditAction.CREDENTIAL_IDENTITY_CHOSEN,
    }
    assert save_screenshot(page, "admin-credentials-coverage").stat().st_size > 0
