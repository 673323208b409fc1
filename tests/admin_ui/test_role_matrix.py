"""Every browser view and API endpoint, per role, with the status it must answer."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from tests.admin_ui.conftest import PASSWORD, make_objects

pytestmark = pytest.mark.django_db
ROLES = ("admin", "accountant", "ops", "anonymous")
LOGIN = "to-login"  # a 302 to the sign-in page

# name: (method, path template, {role: expected}); {x} placeholders are filled from make_objects.
BROWSER = {
    "home": ("get", "/", (200, 200, 200, LOGIN)),
    "invoice-list": ("get", "/invoices/", (200, 200, 200, LOGIN)),
    "export-confirm": ("post", "/exports/confirm/", (200, 200, 403, LOGIN)),
    "export-start": ("post", "/exports/start/", (302, 302, 403, LOGIN)),
    "receipt": ("get", "/exports/{batch}/", (200, 200, 200, LOGIN)),
    "receipt-updates": ("get", "/exports/{batch}/updates", (200, 200, 200, LOGIN)),
    "receipt-retry": ("post", "/exports/{batch}/retry/", (302, 302, 302, LOGIN)),
    "receipt-check-payment": ("post", "/exports/{batch}/check-payment/", (302, 302, 302, LOGIN)),
    "invoice-detail": ("get", "/invoices/{invoice}/", (200, 200, 200, LOGIN)),
    "invoice-check-payment": ("post", "/invoices/{invoice}/check-payment/", (302, 302, 302, LOGIN)),
    "customer-list": ("get", "/customers/", (200, 200, 200, LOGIN)),
    "customer-resync": ("post", "/customers/{customer}/resync/", (302, 302, 302, LOGIN)),
    "customer-choose": ("post", "/customers/{customer}/choose/", (302, 403, 403, LOGIN)),
    "project-list": ("get", "/projects/", (200, 200, 200, LOGIN)),
    "project-resync": ("post", "/projects/{project}/resync/", (302, 302, 302, LOGIN)),
    "expense-list": ("get", "/expenses/", (200, 200, 200, LOGIN)),
    "expense-import-start": ("post", "/expenses/import/", (302, 302, 403, LOGIN)),
    "expense-billable": ("post", "/expenses/{expense}/billable/", (302, 302, 403, LOGIN)),
    "expense-add-to-invoice": ("post", "/expenses/add-to-invoice/", (302, 302, 403, LOGIN)),
    "expense-attachment": ("get", "/expenses/documents/{attachment}/", (200, 200, 200, LOGIN)),
    "invoice-expenses": ("get", "/invoices/{invoice}/expenses/", (200, 200, 200, LOGIN)),
    "repeating-list": ("get", "/repeating/", (200, 200, 200, LOGIN)),
    "repeating-add": ("get", "/repeating/add/", (200, 200, 403, LOGIN)),
    "repeating-edit": ("get", "/repeating/{agreement}/", (200, 200, 200, LOGIN)),
    "repeating-sheet": ("get", "/repeating/sheet.xlsx", (302, 302, 302, LOGIN)),  # customer not in 24SO: back to the list
    "repeating-upload-start": ("post", "/repeating/uploads/", (302, 302, 403, LOGIN)),
    "repeating-upload": ("get", "/repeating/uploads/{upload}/", (200, 200, 200, LOGIN)),
    "repeating-upload-state": ("get", "/repeating/uploads/{upload}/state", (200, 200, 200, LOGIN)),
    "repeating-upload-confirm": ("post", "/repeating/uploads/{upload}/confirm/", (302, 302, 403, LOGIN)),
    "marketplace": ("get", "/marketplace/", (200, 200, 200, LOGIN)),
    "integration-activate": ("post", "/marketplace/24sevenoffice/activate/", (302, 403, 403, LOGIN)),
    "integration-deactivate": ("post", "/marketplace/24sevenoffice/deactivate/", (302, 403, 403, LOGIN)),
    "integration-settings": ("get", "/settings/24sevenoffice/", (200, 403, 403, LOGIN)),
    "credential-list": ("get", "/settings/credentials/", (200, 403, 403, LOGIN)),
    "credential-add": ("get", "/settings/credentials/add/", (200, 403, 403, LOGIN)),
    "credential-edit": ("get", "/settings/credentials/{credential}/", (200, 403, 403, LOGIN)),
    "credential-rotate": ("get", "/settings/credentials/{credential}/rotate/", (200, 403, 403, LOGIN)),
    "credential-delete": ("get", "/settings/credentials/{credential}/delete/", (200, 403, 403, LOGIN)),
    "credential-test": ("post", "/settings/credentials/{credential}/test/", (302, 403, 403, LOGIN)),
    "credential-identity": ("post", "/settings/credentials/{credential}/identity/", (302, 403, 403, LOGIN)),
    "users": ("get", "/settings/users/", (200, 403, 403, LOGIN)),
    "user-edit": ("post", "/settings/users/{member}/", (302, 403, 403, LOGIN)),
    "api-keys": ("get", "/settings/api-keys/", (200, 403, 403, LOGIN)),
    "api-key-revoke": ("post", "/settings/api-keys/{api_key}/revoke/", (302, 403, 403, LOGIN)),
    "audit-log": ("get", "/settings/audit/", (200, 403, 403, LOGIN)),
    "health": ("get", "/health/", (200, 403, 200, LOGIN)),
    "invoice-copy": ("get", "/invoices/{invoice}/copy", (200, 200, 200, LOGIN)),
    "revenue-account-add": ("post", "/settings/24sevenoffice/revenue-accounts/", (302, 403, 403, LOGIN)),
    "revenue-account-delete": ("post", "/settings/24sevenoffice/revenue-accounts/{revenue_rule}/delete/",
                               (302, 403, 403, LOGIN)),
    "invoice-series-check": ("post", "/settings/24sevenoffice/invoice-series/check/", (302, 403, 403, LOGIN)),
    "login": ("get", "/login/", (200, 200, 200, 200)),
    "logout": ("post", "/logout/", (302, 302, 302, 302)),
}
# The API authenticates by key only: a signed-in browser session is anonymous there.
API_ROLES = ("admin-key", "key", "session", "anonymous")
API = {
    "api-departments": ("get", "/api/v1/departments", (200, 200, 401, 401)),
    "api-customers": ("get", "/api/v1/customers", (200, 200, 401, 401)),
    "api-customer": ("get", "/api/v1/customers/{customer_key}", (200, 200, 401, 401)),
    "api-customer-resync": ("post", "/api/v1/customers/{customer_key}/resync", (202, 202, 401, 401)),
    "api-customer-choose": ("post", "/api/v1/customers/{customer_key}/choose-match", (400, 403, 401, 401)),
    "api-projects": ("get", "/api/v1/projects", (200, 200, 401, 401)),
    "api-project": ("get", "/api/v1/projects/{project_key}", (200, 200, 401, 401)),
    "api-invoices": ("get", "/api/v1/invoices", (200, 200, 401, 401)),
    "api-invoice": ("get", "/api/v1/invoices/{invoice_key}", (200, 200, 401, 401)),
    # 409: the matrix's invoice is queued, never exported
    "api-invoice-check-payment": ("post", "/api/v1/invoices/{invoice_key}/check-payment", (409, 409, 401, 401)),
    "api-invoices-bulk": ("post", "/api/v1/invoices/bulk", (400, 400, 401, 401)),  # 400: an empty request
    # 400: an empty request (no expenses), past the gate
    "api-invoice-expenses": ("post", "/api/v1/invoices/{invoice_key}/expenses", (400, 400, 401, 401)),
    "api-exports": ("post", "/api/v1/exports", (400, 400, 401, 401)),  # 400: an empty request, past the gate
    "api-export": ("get", "/api/v1/exports/{batch}", (200, 200, 401, 401)),
    "api-expense-imports": ("post", "/api/v1/expense-imports", (400, 400, 401, 401)),  # 400: import switched off
    "api-expense-import": ("get", "/api/v1/expense-imports/{expense_import}", (200, 200, 401, 401)),
    "api-expenses": ("get", "/api/v1/expenses", (200, 200, 401, 401)),
    "api-expense": ("get", "/api/v1/expenses/{expense}", (200, 200, 401, 401)),
    "api-expense-attachment": ("get", "/api/v1/expenses/{expense}/attachments/{attachment}", (200, 200, 401, 401)),
    "api-repeating-invoices": ("get", "/api/v1/repeating-invoices", (200, 200, 401, 401)),
    "api-repeating-invoice": ("get", "/api/v1/repeating-invoices/{agreement_key}", (200, 200, 401, 401)),
    "api-repeating-sheet": ("get", "/api/v1/repeating-invoices/sheet", (409, 409, 401, 401)),  # customer not in 24SO
    "api-credentials": ("get", "/api/v1/credentials", (200, 403, 401, 401)),
    "api-settings": ("get", "/api/v1/settings", (200, 403, 401, 401)),
    "api-revenue-accounts": ("get", "/api/v1/revenue-accounts", (200, 403, 401, 401)),
    "api-revenue-account": ("get", "/api/v1/revenue-accounts/{revenue_rule}", (200, 403, 401, 401)),
    "api-schema": ("get", "/api/v1/schema", (200, 200, 200, 200)),
    "api-docs": ("get", "/api/v1/docs", (200, 200, 200, 200)),
}


def _fill(template, objects):
    return template.format(
        batch=objects["batch"].pk, credential=objects["credential"].pk, api_key=objects["api_key"].pk,
        customer=objects["customer"].pk, project=objects["project"].pk, member=objects["member"].pk,
        customer_key=objects["customer"].external_id, project_key=objects["project"].external_id,
        invoice_key=objects["invoice"].external_id, invoice=objects["invoice"].pk, expense=objects["expense"].pk,
        attachment=objects["attachment"].pk, expense_import=objects["expense_import"].pk,
        revenue_rule=objects["revenue_rule"].pk, agreement=objects["agreement"].pk,
        agreement_key=objects["agreement"].order_id, upload=objects["upload"].pk,
    )


def _post_data(name, objects):
    if name in ("export-confirm", "export-start"):
        return {"invoice": [objects["invoice"].pk]}
    if name == "credential-identity":
        return {"identity_id": objects["credential"].last_test_identities[0]["id"]}
    return {}


@pytest.fixture
def objects(tenant):
    return make_objects(tenant)


def _names(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":  # Django admin: staff only, Django's own tests cover it
                yield from _names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern.name


def test_the_matrix_covers_every_named_view():
    missing = set(_names(get_resolver().url_patterns)) - set(BROWSER) - set(API)
    assert not missing, f"add these views to the role matrix: {sorted(missing)}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(BROWSER))
def test_browser_view_per_role(client, objects, name, role):
    method, template, expected = BROWSER[name]
    want = expected[ROLES.index(role)]
    if role != "anonymous":
        assert client.login(username=f"acme-{role}", password=PASSWORD)
    response = getattr(client, method)(_fill(template, objects), _post_data(name, objects) if method == "post" else None)
    if want == LOGIN:
        assert response.status_code == 302 and response.url.startswith("/login/")
    else:
        assert response.status_code == want


@pytest.mark.parametrize("role", API_ROLES)
@pytest.mark.parametrize("name", list(API))
def test_api_endpoint_per_role(client, objects, name, role):
    method, template, expected = API[name]
    api = APIClient()
    if role in ("admin-key", "key"):
        api.credentials(HTTP_AUTHORIZATION=f"Token {objects['admin_key' if role == 'admin-key' else 'plain_key']}")
    elif role == "session":
        assert api.login(username="acme-admin", password=PASSWORD)
    response = getattr(api, method)(_fill(template, objects), {} if method == "post" else None, format="json")
    assert response.status_code == expected[API_ROLES.index(role)]


def test_django_admin_is_closed_to_tenant_users(client, tenant):
    assert client.login(username="acme-admin", password=PASSWORD)
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith("/admin/login/")
