"""The repeating-invoice pages: build an agreement, read-only for ops, the upload job's steps."""

import pytest

from exports import repeating_upload
from exports.models import RepeatingAgreement, RepeatingSheetUpload
from exports.repeating_models import SheetUploadStatus
from tenants import services
from tests.admin_ui.conftest import PASSWORD
from tests.repeating.conftest import agreements, xlsx

HEAD = ["RepeatingOrderId", "RepeatingCustomerId", "RepeatingQuantity", "RepeatingName", "RepeatingPrice",
        "RepeatingDate", "RepeatingFactor", "RepeatingFrequency"]


@pytest.fixture
def sign_in(client, shop):
    def as_role(role):
        username = f"shop-{role}"
        if not services.Membership.objects.filter(user__username=username).exists():
            services.user_create(tenant=shop, username=username, password=PASSWORD, role=role)
        client.logout()
        assert client.login(username=username, password=PASSWORD)
        return client

    return as_role


def form_data(shop, **changes):
    data = {"order_id": "W-1", "customer": shop.fjord.pk, "payment_days": "14", "currency": "nok",
            "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0",
            "lines-0-name": "Support", "lines-0-quantity": "1", "lines-0-price": "499", "lines-0-next_date": "31.01.2026",
            "lines-0-factor": "20", "lines-0-frequency": "6", "lines-0-product_number": "SUB-1"}
    data.update(changes)
    return data


def test_an_accountant_builds_an_agreement_and_sees_its_frequency_in_words(sign_in, shop):
    client = sign_in("accountant")
    response = client.post("/repeating/add/", form_data(shop))
    agreement = RepeatingAgreement.objects.get(tenant=shop, order_id="W-1")
    assert response.status_code == 302 and response.url == f"/repeating/{agreement.pk}/"
    assert agreement.currency == "NOK" and agreement.lines.get().repeats == "every 20th day"
    listing = client.get("/repeating/").content.decode()
    assert "W-1" in listing and "every 20th day" in listing and "31.01.2026" in listing


def test_a_new_product_line_needs_a_price_in_the_form_too(sign_in, shop):
    client = sign_in("accountant")
    response = client.post("/repeating/add/", form_data(shop, **{"lines-0-product_number": "", "lines-0-price": ""}))
    assert response.status_code == 200
    assert "give the price" in response.content.decode()
    assert not RepeatingAgreement.objects.exists()


def test_ops_reads_but_cannot_change(sign_in, shop):
    agreements(shop)
    agreement = RepeatingAgreement.objects.get(order_id="1001")
    client = sign_in("ops")
    page = client.get(f"/repeating/{agreement.pk}/").content.decode()
    assert "save-agreement" not in page and "disabled" in page
    assert client.post(f"/repeating/{agreement.pk}/", form_data(shop, order_id="1001")).status_code == 403


def test_another_tenants_agreements_and_uploads_are_404(sign_in, shop):
    other, _ = services.tenant_create(slug="other", name="Other")
    from exports.models import Customer
    from exports import repeating

    theirs, _ = repeating.agreement_save(tenant=other, spec={
        "order_id": "T-1", "customer_id": Customer.objects.create(tenant=other, external_id="x", name="X").pk,
        "lines": [{"name": "A", "quantity": 1, "price": 1, "next_date": "2026-01-01", "frequency": 2}]})
    job = RepeatingSheetUpload.objects.create(tenant=other, content=b"", status=SheetUploadStatus.READY)
    client = sign_in("admin")
    for method, path in [("get", f"/repeating/{theirs.pk}/"), ("post", f"/repeating/{theirs.pk}/"),
                         ("get", f"/repeating/uploads/{job.pk}/"), ("get", f"/repeating/uploads/{job.pk}/state"),
                         ("post", f"/repeating/uploads/{job.pk}/confirm/")]:
        assert getattr(client, method)(path).status_code == 404, path
    assert "T-1" not in client.get("/repeating/").content.decode()
    job.refresh_from_db()
    assert job.status == SheetUploadStatus.READY


def test_a_file_that_is_not_a_sheet_is_refused_at_upload(sign_in, shop):
    client = sign_in("accountant")
    with open(__file__, "rb") as not_a_sheet:
        response = client.post("/repeating/uploads/", {"file": not_a_sheet}, follow=True)
    assert "not an .xlsx spreadsheet" in response.content.decode()
    assert not RepeatingSheetUpload.objects.exists()


def test_upload_job_checks_previews_then_applies(sign_in, shop, django_capture_on_commit_callbacks):
    client = sign_in("accountant")
    sheet = xlsx([HEAD, ["N-1", "10001", "1", "Support", "100", "01.03.2026", "1", "2"],
                  ["N-1", "", "2", "Extra", "5", "01.03.2026", "1", "2"]])
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/repeating/uploads/", {"file": _named(sheet)})
    job = RepeatingSheetUpload.objects.get()
    assert response.url == f"/repeating/uploads/{job.pk}/" and len(callbacks) == 1  # the check is enqueued
    assert client.get(f"/repeating/uploads/{job.pk}/state").json()["status"] == "queued"

    repeating_upload.upload_check(job.pk)  # what the worker runs
    job.refresh_from_db()
    assert job.status == SheetUploadStatus.READY and job.rows_done == job.rows_total == 2
    assert job.preview["created"] == ["N-1"] and not RepeatingAgreement.objects.exists()
    page = client.get(f"/repeating/uploads/{job.pk}/").content.decode()
    assert "confirm-sheet" in page and "N-1" in page

    with django_capture_on_commit_callbacks() as callbacks:
        client.post(f"/repeating/uploads/{job.pk}/confirm/")
    assert len(callbacks) == 1
    repeating_upload.upload_apply(job.pk)
    repeating_upload.upload_apply(job.pk)  # a second delivery changes nothing
    job.refresh_from_db()
    assert job.status == SheetUploadStatus.APPLIED and bytes(job.content) == b""
    assert RepeatingAgreement.objects.get(order_id="N-1").lines.count() == 2


def test_upload_job_lists_errors_by_row_and_column(sign_in, shop):
    client = sign_in("accountant")
    sheet = xlsx([HEAD, ["E-1", "10001", "1", "Support", "100", "2026-03-01", "1", "8"]])
    client.post("/repeating/uploads/", {"file": _named(sheet)})
    job = RepeatingSheetUpload.objects.get()
    repeating_upload.upload_check(job.pk)
    page = client.get(f"/repeating/uploads/{job.pk}/").content.decode()
    assert 'data-row="2" data-column="RepeatingDate"' in page
    assert 'data-row="2" data-column="RepeatingFrequency"' in page
    assert "nothing was saved" in page and "confirm-sheet" not in page
    assert client.post(f"/repeating/uploads/{job.pk}/confirm/").status_code == 302
    job.refresh_from_db()
    assert job.status == SheetUploadStatus.INVALID


def _named(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("repeating.xlsx", data)


def test_editing_changes_and_removes_lines_and_keeps_the_order_id(sign_in, shop):
    agreements(shop)
    agreement = RepeatingAgreement.objects.get(order_id="1001")
    client = sign_in("admin")
    page = client.get(f"/repeating/{agreement.pk}/")
    formset = page.context["formset"]
    data = {"order_id": "CHANGED", "customer": shop.bre.pk, "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0"}
    for index, initial in enumerate(formset.initial):
        for name, value in initial.items():
            if value is None or value is False:
                continue
            data[f"lines-{index}-{name}"] = value.strftime("%d.%m.%Y") if name == "next_date" else str(value)
    data["lines-0-quantity"] = "7"
    data["lines-1-DELETE"] = "on"
    response = client.post(f"/repeating/{agreement.pk}/", data)
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.order_id == "1001" and agreement.customer == shop.bre  # the id field is not editable
    [line] = agreement.lines.all()
    assert line.quantity == 7 and line.name == "Subscription" and line.price_is_fixed
