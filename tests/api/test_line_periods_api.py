"""Invoice lines with a rental period: accepted, returned, validated per line."""

import copy

import pytest

from exports.models import Invoice, InvoiceLine
from tests.api.conftest import INVOICE

pytestmark = pytest.mark.django_db


def with_lines(*lines):
    body = copy.deepcopy(INVOICE)
    body["lines"] = [{**INVOICE["lines"][0], **line} for line in lines]
    return body


def test_a_period_is_stored_returned_and_names_the_row(invoice_refs):
    api = invoice_refs
    body = with_lines({"product_name": "Tractor", "period_start": "2021-01-10", "period_end": "2021-01-12"}, {})
    assert api.post("/api/v1/invoices", body, format="json").status_code == 201
    lines = api.get("/api/v1/invoices/inv-1001").json()["lines"]
    assert [(line["period_start"], line["period_end"]) for line in lines] == [("2021-01-10", "2021-01-12"), (None, None)]
    first, second = InvoiceLine.objects.order_by("position")
    assert first.sevenoffice_name == "Tractor (2021-01-10 – 2021-01-12)"
    assert second.sevenoffice_name == second.product_name


def test_a_long_product_name_gives_way_to_the_period_within_the_row_cap(invoice_refs):
    line = InvoiceLine(product_name="X" * 125)
    assert line.sevenoffice_name == "X" * 125
    from datetime import date

    line.period_start, line.period_end = date(2021, 1, 10), date(2021, 1, 12)
    line.product_name = "Y" * 400  # longer than the field allows, as a guard on the cap itself
    assert len(line.sevenoffice_name) == 300 and line.sevenoffice_name.endswith("(2021-01-10 – 2021-01-12)")


@pytest.mark.parametrize(
    "period, field, text",
    [
        ({"period_start": "2021-01-10"}, "period_end", "needs both"),
        ({"period_end": "2021-01-12"}, "period_start", "needs both"),
        ({"period_start": "2021-01-12", "period_end": "2021-01-10"}, "period_end", "ends (2021-01-10) before it starts"),
        ({"period_start": "10.01.2021", "period_end": "2021-01-12"}, "period_start", "Date has wrong format"),
    ],
)
def test_a_bad_period_names_the_line_and_saves_nothing(invoice_refs, period, field, text):
    api = invoice_refs
    response = api.post("/api/v1/invoices", with_lines({}, period), format="json")
    assert response.status_code == 400
    errors = response.json()["lines"]
    assert list(errors) == ["1"]  # the second line, by its index
    assert text in " ".join(errors["1"][field])
    assert not Invoice.objects.exists() and not InvoiceLine.objects.exists()


def test_the_database_refuses_a_half_or_reversed_period(invoice_refs):
    from datetime import date

    from django.db import IntegrityError, transaction

    api = invoice_refs
    api.post("/api/v1/invoices", INVOICE, format="json")
    line = InvoiceLine.objects.get()
    for start, end in ((date(2021, 1, 10), None), (date(2021, 1, 12), date(2021, 1, 10))):
        with pytest.raises(IntegrityError), transaction.atomic():
            InvoiceLine.objects.filter(pk=line.pk).update(period_start=start, period_end=end)
