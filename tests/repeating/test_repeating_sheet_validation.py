"""Each rule of the sheet check has a failing sheet; nothing is read from a sheet with errors."""

import io
import zipfile
from datetime import datetime

import pytest
from openpyxl import Workbook

from exports import repeating_sheet
from exports.repeating_sheet import SheetRefused, sheet_read
from tests.repeating.conftest import xlsx

HEAD = ["RepeatingOrderId", "RepeatingCustomerId", "RepeatingProductNo", "RepeatingQuantity", "RepeatingName",
        "RepeatingPrice", "RepeatingDate", "RepeatingFactor", "RepeatingFrequency"]
GOOD = ["1001", "10001", "SUB-1", "1", "Subscription", "499", "31.01.2026", "1", "2"]


def row(**changes):
    values = dict(zip(HEAD, GOOD))
    values.update(changes)
    return [values.get(h) for h in HEAD]


def errors_of(tenant, rows, heads=HEAD, **kwargs):
    result = sheet_read(tenant, xlsx([heads, *rows], **kwargs))
    assert result.specs == []  # nothing comes out of a sheet with errors
    return [(e["row"], e["column"], e["message"]) for e in result.errors]


def test_a_good_sheet_passes(shop):
    result = sheet_read(shop, xlsx([HEAD, row(), row(RepeatingName="Extra")]))
    assert result.errors == [] and len(result.specs) == 1 and len(result.specs[0]["lines"]) == 2


def test_missing_required_value(shop):
    assert errors_of(shop, [row(), row(RepeatingQuantity="")]) == [
        (3, "RepeatingQuantity", "RepeatingQuantity is required and empty.")]


def test_missing_required_column(shop):
    heads = [h for h in HEAD if h != "RepeatingName"]
    errors = errors_of(shop, [[v for h, v in zip(HEAD, GOOD) if h != "RepeatingName"]], heads=heads)
    assert errors == [(1, "RepeatingName", "Required column RepeatingName is missing.")]


def test_24so_required_marker_in_the_heading_is_accepted(shop):
    heads = ["RepeatingOrderId(PÅKREVD)", *HEAD[1:3], "RepeatingQuantity(REQUIRED)", *HEAD[4:]]
    assert sheet_read(shop, xlsx([heads, row()])).errors == []


def test_unknown_heading(shop):
    errors = errors_of(shop, [row() + ["x"]], heads=HEAD + ["RepeatingQuantiy"])
    assert errors[0][:2] == (1, "J") and "Unknown column heading 'RepeatingQuantiy'" in errors[0][2]


def test_number_cells_saved_by_a_spreadsheet_program_are_caught(shop):
    book = Workbook()
    sheet = book.active
    sheet.append(HEAD)
    # What a spreadsheet program stores when the columns are not formatted as text.
    sheet.append([1001, 10001, "SUB-1", 2, "Subscription", 499.5, datetime(2026, 1, 31), 1, 2])
    out = io.BytesIO()
    book.save(out)
    result = sheet_read(shop, out.getvalue())
    by_column = {e["column"]: e["message"] for e in result.errors}
    assert result.specs == []
    assert set(by_column) == {"RepeatingOrderId", "RepeatingCustomerId", "RepeatingQuantity", "RepeatingPrice",
                              "RepeatingDate", "RepeatingFactor", "RepeatingFrequency"}
    assert all(e["row"] == 2 for e in result.errors)
    assert "formatted as a number (2)" in by_column["RepeatingQuantity"]
    assert "formatted as a date" in by_column["RepeatingDate"]


@pytest.mark.parametrize("text", ["2026-01-31", "31/01/2026", "31.1.2026", "32.01.2026", "soon"])
def test_date_not_dd_mm_yyyy(shop, text):
    errors = errors_of(shop, [row(RepeatingDate=text)])
    assert errors == [(2, "RepeatingDate", f"{text!r} is not a date in the form dd.mm.yyyy (for example 31.01.2026).")]


@pytest.mark.parametrize("text", ["0", "7", "monthly"])
def test_unknown_frequency(shop, text):
    [(r, column, message)] = errors_of(shop, [row(RepeatingFrequency=text)])
    assert (r, column) == (2, "RepeatingFrequency") and message.startswith(f"Unknown frequency {text!r}")
    assert "6 daily" in message


def test_unknown_customer_is_named(shop):
    errors = errors_of(shop, [row(RepeatingOrderId="2", RepeatingCustomerId="99999")])
    assert errors == [(2, "RepeatingCustomerId", "Customer 99999 is unknown to the hub.")]


def test_unknown_department_and_project(shop):
    heads = HEAD + ["RepeatingDepartment", "RepeatingProject"]
    errors = errors_of(shop, [row() + ["77", "88"]], heads=heads)
    assert errors == [(2, "RepeatingDepartment", "Department 77 is unknown to the hub."),
                      (2, "RepeatingProject", "Project 88 is unknown to the hub.")]


def test_unknown_product_number_and_id(shop):
    heads = HEAD + ["RepeatingProductId"]
    errors = errors_of(shop, [row(RepeatingProductNo="NOPE") + [""], row(RepeatingProductNo="") + ["123"]], heads=heads)
    assert errors == [(3, "RepeatingProductId", "Product id 123 is unknown to the hub."),
                      (2, "RepeatingProductNo", "Product number NOPE is unknown to the hub.")]


def test_a_new_product_needs_a_price(shop):
    errors = errors_of(shop, [row(RepeatingProductNo="", RepeatingPrice="")])
    assert errors[0][:2] == (2, "RepeatingPrice") and "creates a product from the name and price" in errors[0][2]


def test_one_order_has_one_header(shop):
    errors = errors_of(shop, [row(), row(RepeatingCustomerId="10002")])
    assert errors == [(3, "RepeatingCustomerId", "Order 1001 has 10001 on row 2 but 10002 on this row; "
                                                 "the header is the same on every row of an order.")]


def test_bad_numbers(shop):
    errors = errors_of(shop, [row(RepeatingQuantity="two", RepeatingPrice="1.005", RepeatingFactor="0")])
    assert [e[1] for e in errors] == ["RepeatingQuantity", "RepeatingPrice", "RepeatingFactor"]


def test_every_problem_is_reported_at_once(shop):
    errors = errors_of(shop, [row(RepeatingQuantity=""), row(RepeatingOrderId="2", RepeatingDate="1.1.26"),
                              row(RepeatingOrderId="3", RepeatingFrequency="9", RepeatingCustomerId="5")])
    assert [(e[0], e[1]) for e in errors] == [
        (2, "RepeatingQuantity"), (3, "RepeatingDate"), (4, "RepeatingFrequency"), (4, "RepeatingCustomerId")]


def test_formulas_are_refused(shop):
    errors = errors_of(shop, [row(RepeatingQuantity="=1+1")], numeric=("D",))
    assert errors == [(2, "RepeatingQuantity", "The cell holds a formula; 24SevenOffice imports plain text values only.")]


@pytest.mark.parametrize("data, message", [
    (b"\x00\x01 not a spreadsheet at all" * 50, "not an .xlsx spreadsheet"),
    (b"Name;Quantity\nA;1\n", "not an .xlsx spreadsheet"),
])
def test_files_that_are_not_spreadsheets_are_refused(shop, data, message):
    with pytest.raises(SheetRefused, match=message):
        sheet_read(shop, data)


def test_a_zip_that_is_not_a_workbook_is_refused(shop):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(SheetRefused, match="no workbook inside"):
        sheet_read(shop, out.getvalue())


def test_a_zip_bomb_is_refused_before_it_is_unpacked(shop):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (60 * 1024 * 1024))
    assert len(out.getvalue()) < 200_000
    with pytest.raises(SheetRefused, match="zip bomb"):
        sheet_read(shop, out.getvalue())


def test_a_damaged_workbook_is_refused(shop):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<not-closed")
    with pytest.raises(SheetRefused, match="could not be read"):
        sheet_read(shop, out.getvalue())


def test_too_many_rows_are_refused(shop, monkeypatch):
    monkeypatch.setattr(repeating_sheet, "MAX_LINES", 3)
    with pytest.raises(SheetRefused, match="at most 3 lines"):
        sheet_read(shop, xlsx([HEAD, *[row(RepeatingName=f"L{n}") for n in range(4)]]))
