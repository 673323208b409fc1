"""Sentinels, Decimal formatting and dates between the hub's values and 24SO's."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sevenoffice import mapping as m
from sevenoffice.types import Credential, InvoiceOrder, InvoiceRow


def test_min_value_sentinels_read_as_none():
    assert m.read_int(-2147483648) is None
    assert m.read_int(-32768) is None
    assert m.read_int(-9223372036854775808) is None
    assert m.read_int(0) == 0
    assert m.read_decimal(Decimal("-79228162514264337593543950335")) is None
    assert m.read_datetime(datetime(1, 1, 1)) is None
    assert m.read_date(datetime(1, 1, 1)) is None
    assert m.read_guid("00000000-0000-0000-0000-000000000000") is None
    assert m.read_guid("ABCDEF00-0000-0000-0000-000000000001") == "abcdef00-0000-0000-0000-000000000001"
    assert m.read_str("") is None


def test_compact_never_sends_sentinels_or_none():
    sent = m.compact(
        {"A": None, "B": -2147483648, "C": datetime(1, 1, 1), "D": "00000000-0000-0000-0000-000000000000", "E": 0, "F": False}
    )
    assert sent == {"E": 0, "F": False}


def test_money_is_a_plain_two_place_decimal():
    assert str(m.money(Decimal("1E+6"))) == "1000000.00"
    assert str(m.money(1e-05)) == "0.00"
    assert str(m.money(0.1 + 0.2)) == "0.30"
    assert "{:f}".format(m.money("1234.5")) == "1234.50"
    assert m.money(None) is None


def test_datetimes_go_out_naive_utc_and_change_filters_back_off_a_second():
    oslo = timezone(timedelta(hours=1))
    assert m.out_datetime(datetime(2025, 1, 1, 12, 0, 0, 500, tzinfo=oslo)) == datetime(2025, 1, 1, 11, 0, 0)
    assert m.out_datetime(date(2025, 1, 31)) == datetime(2025, 1, 31)
    assert m.changed_after(datetime(2025, 1, 1, 12, 0, 0)) == datetime(2025, 1, 1, 11, 59, 59)
    assert m.day_end(date(2025, 1, 31)) == datetime(2025, 1, 31, 23, 59, 59)


def test_datetimes_read_as_aware_utc():
    assert m.read_datetime(datetime(2025, 5, 1, 8, 30)) == datetime(2025, 5, 1, 8, 30, tzinfo=timezone.utc)


def test_invoice_out_never_sends_invoice_id_or_read_only_totals():
    order = InvoiceOrder(
        customer_id=10,
        invoice_id=999,
        order_total_inc_vat=Decimal("125"),
        rows=(InvoiceRow(product_id=1, quantity=Decimal("2"), price=Decimal("50")),),
    )
    sent = m.invoice_out(order)
    assert "InvoiceId" not in sent and "OrderTotalIncVat" not in sent
    assert sent["InvoiceRows"]["InvoiceRow"][0] == {"ProductId": 1, "Price": Decimal("50.00"), "Quantity": Decimal("2.00")}


def test_credential_repr_hides_password():
    credential = Credential("a@b.no", "hunter2", "ABC")
    assert "hunter2" not in repr(credential) and "hunter2" not in str(credential)
    assert credential.identity_id == "abc"
