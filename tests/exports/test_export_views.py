from datetime import timedelta

import pytest
from django.utils import timezone

from exports import transfer
from exports.demo import demo_seed
from exports.models import ExportBatch, ExportItem, ExportStatus, Invoice
from sevenoffice.sandbox import accounts as sandbox_accounts
from tenants import services

pytestmark = pytest.mark.django_db
IDENTITIES = [sandbox_accounts.DEMO_AS_IDENTITY_ID, sandbox_accounts.DEMO_KONSULENT_IDENTITY_ID]


@pytest.fixture
def tenant(sandbox):
    return demo_seed(username="demo@sandbox.local", password="demo", identities=IDENTITIES, invoices=60)


def login(client, role):
    assert client.login(username=role, password=f"demo-{role}-pass")
    return client


def make_batch(tenant, n):
    # A receipt without workers: the items stay queued (on_commit never fires in these tests).
    invoices = Invoice.objects.filter(tenant=tenant).exclude(department__code="STAVANGER")[:n]
    return transfer.export_create(tenant=tenant, invoices=invoices)


def test_overview_filters_and_only_exporters_see_the_export_button(client, tenant):
    login(client, "accountant")
    page = client.get("/invoices/?department=OSLO").content.decode()
    oslo = Invoice.objects.filter(tenant=tenant, department__code="OSLO").count()
    assert f"{oslo} invoices match." in page and 'id="export-button"' in page
    client.logout()
    login(client, "ops")
    assert 'id="export-button"' not in client.get("/invoices/").content.decode()
    assert client.post("/exports/confirm/", {"invoice": [1]}).status_code == 403


def test_export_button_hidden_until_24so_is_an_invoice_export_option(client, tenant):
    settings = services.integration_settings(tenant)
    settings.invoice_export_enabled = False
    settings.save()
    login(client, "accountant")
    assert 'id="export-button"' not in client.get("/invoices/").content.decode()
    response = client.post("/exports/confirm/", {"invoice": [Invoice.objects.first().pk]})
    assert response.status_code == 302 and not ExportBatch.objects.exists()


def test_select_all_matching_carries_the_filter_and_the_unticked_rows(client, tenant, monkeypatch):
    monkeypatch.setattr("exports.overview.PREVIEW_DETAIL_LIMIT", 5)
    login(client, "accountant")
    response = client.post("/exports/confirm/", {"select_all_matching": "1", "department": "STAVANGER"})
    stavanger = list(Invoice.objects.filter(tenant=tenant, department__code="STAVANGER").order_by("number"))
    page = response.content.decode()
    assert f"Export {len(stavanger)} invoices to 24SevenOffice?" in page
    assert page.count('class="pick"') == 5 and f"and {len(stavanger) - 5} more matching" in page
    assert f"Of all {len(stavanger)}: {len(stavanger)} belong to departments without a credential" in page

    client.post("/exports/start/", {"select_all_matching": "1", "department": "STAVANGER",
                                    "exclude": [stavanger[0].pk]})
    batch = ExportBatch.objects.get()
    assert set(batch.items.values_list("invoice_id", flat=True)) == {i.pk for i in stavanger[1:]}


def test_confirm_then_start_creates_a_receipt_and_redirects(client, tenant):
    login(client, "accountant")
    ids = list(Invoice.objects.filter(tenant=tenant)[:3].values_list("pk", flat=True))
    response = client.post("/exports/start/", {"invoice": ids})
    batch = ExportBatch.objects.get()
    assert response.status_code == 302 and response.url == f"/exports/{batch.pk}/"
    assert batch.items.count() == 3 and batch.created_by.username == "accountant"


def test_other_tenants_receipt_is_404(client, tenant):
    batch = make_batch(tenant, 3)
    other, _ = services.tenant_create(slug="other", name="Other")
    services.user_create(tenant=other, username="olga", password="a-long-password-1", role="admin")
    assert client.login(username="olga", password="a-long-password-1")
    for url in (f"/exports/{batch.pk}/", f"/exports/{batch.pk}/updates"):
        assert client.get(url).status_code == 404
    assert client.post(f"/exports/{batch.pk}/retry/").status_code == 404


def test_receipt_queries_do_not_grow_with_the_export(client, tenant, django_assert_max_num_queries):
    login(client, "ops")
    small, large = make_batch(tenant, 3), make_batch(tenant, 45)
    with django_assert_max_num_queries(10):
        assert client.get(f"/exports/{small.pk}/").status_code == 200
    with django_assert_max_num_queries(10):
        page = client.get(f"/exports/{large.pk}/").content.decode()
    assert page.count('<tr id="item-') == 45


def test_live_updates_send_only_what_changed(client, tenant):
    login(client, "accountant")
    batch = make_batch(tenant, 5)
    since = timezone.now()
    changed = ExportItem.objects.filter(batch=batch).first()
    ExportItem.objects.filter(pk=changed.pk).update(status=ExportStatus.FAILED, message="24SO said no",
                                                    updated_at=since + timedelta(seconds=1))
    body = client.get(f"/exports/{batch.pk}/updates", {"since": since.isoformat()}).json()
    assert [item["id"] for item in body["items"]] == [changed.pk]
    assert body["items"][0]["message"] == "24SO said no"
    assert body["counts"]["failed"] == 1 and body["counts"]["queued"] == 4 and not body["finished"]


def test_live_updates_cover_the_rows_shown_and_never_drop_what_did_not_fit(client, tenant, monkeypatch):
    from exports import views

    monkeypatch.setattr(views, "RECEIPT_PAGE_SIZE", 3)
    monkeypatch.setattr(views, "RECEIPT_UPDATE_MAX", 3)
    login(client, "ops")
    batch = make_batch(tenant, 8)
    page = client.get(f"/exports/{batch.pk}/").content.decode()
    items = list(ExportItem.objects.filter(batch=batch).order_by("pk"))
    assert f'data-first="{items[0].pk}" data-last="{items[2].pk}"' in page  # page 1 shows three rows
    since = timezone.now()
    for n, item in enumerate(items):
        ExportItem.objects.filter(pk=item.pk).update(status=ExportStatus.FAILED, updated_at=since + timedelta(seconds=n + 1))
    url = f"/exports/{batch.pk}/updates"
    shown = client.get(url, {"since": since.isoformat(), "first": items[0].pk, "last": items[2].pk}).json()
    assert [i["id"] for i in shown["items"]] == [i.pk for i in items[:3]]
    # Without a row range, eight changes come at most three at a time; each answer's `now` is where
    # the next one starts (the last item sent comes once more), so none is left behind.
    seen, cursor = [], since.isoformat()
    for _ in range(4):
        body = client.get(url, {"since": cursor}).json()
        seen += [i["id"] for i in body["items"] if i["id"] not in seen]
        cursor = body["now"]
    assert seen == [i.pk for i in items]


def test_retry_requeues_failed_and_login_errors(client, tenant):
    login(client, "ops")
    batch = make_batch(tenant, 4)
    items = list(ExportItem.objects.filter(batch=batch))
    ExportItem.objects.filter(pk=items[0].pk).update(status=ExportStatus.FAILED)
    ExportItem.objects.filter(pk=items[1].pk).update(status=ExportStatus.LOGIN_ERROR)
    client.post(f"/exports/{batch.pk}/retry/", {"item": [items[0].pk]})
    assert ExportItem.objects.get(pk=items[0].pk).status == ExportStatus.QUEUED
    assert ExportItem.objects.get(pk=items[1].pk).status == ExportStatus.LOGIN_ERROR
    client.post(f"/exports/{batch.pk}/retry/")
    assert ExportItem.objects.get(pk=items[1].pk).status == ExportStatus.QUEUED


def test_confirmation_asks_24so_which_numbers_it_already_holds(client, tenant, sandbox):
    oslo = list(Invoice.objects.filter(tenant=tenant, department__code="OSLO", kind="invoice").order_by("number"))
    mine, taken, fresh = oslo[0], oslo[1], oslo[2]
    # 24SO's series sits at `taken`'s number, and someone invoices that number there first.
    sandbox.set_invoice_series(taken.number, username=sandbox_accounts.DEFAULT_USERNAME,
                               identity_id=sandbox_accounts.DEMO_AS_IDENTITY_ID)
    from tests.exports.test_transfer_service import send_all

    send_all(transfer.export_create(tenant=tenant, invoices=[mine]))  # 24SO numbers it `taken.number`
    ExportItem.objects.all().delete()  # forget locally, as if exported by another system
    login(client, "accountant")
    page = client.post("/exports/confirm/", {"invoice": [taken.pk, fresh.pk]}).content.decode()
    assert f"24SevenOffice already has another invoice numbered {taken.number}" in page
    assert "1 invoice will not reach 24SevenOffice" in page


def test_confirmation_still_works_when_24so_does_not_answer(client, tenant, settings):
    settings.SEVENOFFICE_API_URL = "http://127.0.0.1:9"
    login(client, "accountant")
    oslo = Invoice.objects.filter(tenant=tenant, department__code="OSLO").first()
    page = client.post("/exports/confirm/", {"invoice": [oslo.pk]}).content.decode()
    assert "could not be asked" in page and "checks again before sending" in page


def test_confirmation_warns_about_a_credit_note_whose_invoice_is_not_in_24so(client, tenant):
    credit_note = Invoice.objects.filter(tenant=tenant, kind="credit_note").exclude(department__code="STAVANGER").first()
    login(client, "accountant")
    alone = client.post("/exports/confirm/", {"invoice": [credit_note.pk]}).content.decode()
    assert f"Credits invoice {credit_note.credits.number}, which is not in 24SevenOffice" in alone
    together = client.post("/exports/confirm/", {"invoice": [credit_note.pk, credit_note.credits_id]}).content.decode()
    assert "which is not in 24SevenOffice" not in together


def test_demo_has_repeating_agreements_and_seeding_twice_changes_nothing(tenant):
    agreements = {a.order_id: a for a in tenant.repeating_agreements.prefetch_related("lines")}
    assert set(agreements) == {"SUB-1", "SUB-2", "SUB-3"}
    assert [line.frequency for line in agreements["SUB-2"].lines.all()] == [3, 1]
    demo_seed(username="demo@sandbox.local", password="demo", identities=IDENTITIES, invoices=60)
    assert tenant.repeating_agreements.count() == 3
    assert sum(a.lines.count() for a in tenant.repeating_agreements.all()) == 4
