import pytest

from exports.demo import demo_seed
from tests.fixtures.browser import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDENTITIES = ["a0000000-0000-4000-8000-000000000001", "a0000000-0000-4000-8000-000000000002"]


def test_admin_logs_in_and_sees_the_department_without_credential_flagged(live_server, page):
    demo_seed(username="demo@sandbox.local", password="demo", identities=IDENTITIES, invoices=10)

    page.goto(f"{live_server.url}/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert page.locator(".errorlist").is_visible()

    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "demo-admin-pass")
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Demo Bemanning AS')")

    flagged = page.locator("tr.warn")
    assert flagged.count() == 1
    assert flagged.get_attribute("data-department") == "STAVANGER"
    assert "login error" in flagged.inner_text()
    assert "demo@sandbox.local" in page.locator("tr[data-department=OSLO]").inner_text()
    assert save_screenshot(page, "home-coverage").stat().st_size > 0
