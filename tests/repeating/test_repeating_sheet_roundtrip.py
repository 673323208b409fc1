import io

from openpyxl import load_workbook

from exports import repeating
from exports.models import RepeatingAgreement
from exports.repeating_sheet import agreements_for_sheet, sheet_bytes, sheet_read
from tests.repeating.conftest import agreements


def _specs(tenant):
    return {a.order_id: repeating.spec_normalise(repeating.spec_of(a)) for a in agreements_for_sheet(tenant)}


def test_agreements_to_sheet_and_back_are_the_same(shop):
    agreements(shop)
    before = _specs(shop)
    data = sheet_bytes(shop, agreements_for_sheet(shop))

    result = sheet_read(shop, data)

    assert result.errors == []
    assert {s["order_id"]: repeating.spec_normalise(s) for s in result.specs} == before
    RepeatingAgreement.objects.filter(tenant=shop).delete()
    summary = repeating.agreements_apply(tenant=shop, specs=result.specs)
    assert sorted(summary.created) == ["1001", "1002", "A-3"] and summary.lines == 4
    assert _specs(shop) == before


def test_the_sheet_is_text_only_with_24so_headings(shop):
    agreements(shop)
    sheet = load_workbook(io.BytesIO(sheet_bytes(shop, agreements_for_sheet(shop)))).active
    headings = [c.value for c in sheet[1]]
    assert headings[:3] == ["RepeatingOrderId", "RepeatingCustomerId", "RepeatingPaymentTime"]
    assert "RepeatingQuantity" in headings and "RepeatingName" in headings
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.number_format == "@"
            assert cell.value is None or isinstance(cell.value, str)
    rows = [dict(zip(headings, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]
    assert [r["RepeatingOrderId"] for r in rows] == ["1001", "1001", "1002", "A-3"]  # grouped by order
    first = rows[0]
    assert first["RepeatingCustomerId"] == "10001" and first["RepeatingDepartment"] == "3"
    assert first["RepeatingProject"] == "501" and first["RepeatingDate"] == "31.01.2026"
    assert first["RepeatingQuantity"] == "2.5" and first["RepeatingPriceIsSolid"] == "1"
    new_product = rows[2]
    assert new_product["RepeatingProductId"] is None and new_product["RepeatingProductNo"] is None
    assert new_product["RepeatingName"] == "New thing" and new_product["RepeatingPrice"] == "99"
    # type of sale left empty is credit sale in 24SO: nothing written
    assert rows[2]["RepeatingTypeOfSale"] is None


def test_optional_columns_appear_only_when_used(shop):
    repeating.agreement_save(tenant=shop, spec={"order_id": "9", "customer_id": shop.fjord.pk, "lines": [
        {"name": "Plain", "quantity": 1, "price": 10, "next_date": "2026-02-01", "frequency": 2}]})
    sheet = load_workbook(io.BytesIO(sheet_bytes(shop, agreements_for_sheet(shop)))).active
    assert [c.value for c in sheet[1]] == [
        "RepeatingOrderId", "RepeatingCustomerId", "RepeatingQuantity", "RepeatingName", "RepeatingPrice",
        "RepeatingDate", "RepeatingFactor", "RepeatingFrequency"]
