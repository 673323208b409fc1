"""Deriving paid status from receivable lines (no sockets): the rules the service applies."""

from datetime import date, datetime
from decimal import Decimal

from exports.payments import _by_invoice, invoice_service_state, ledger_state
from exports.models import PaymentStatus
from sevenoffice.types import InvoiceOrder, Transaction

P = PaymentStatus


def line(amount, *, invoice_no="10001", open=True, on=date(2026, 3, 1), link=None, system_type="Payment"):
    return Transaction(date=on, account_no=1500, amount=Decimal(amount), invoice_no=invoice_no, open=open,
                       link_id=link, system_type=system_type, date_changed=datetime(2026, 3, 9, 12))


def test_open_invoice_line_alone_is_unpaid_with_its_amount_open():
    state = ledger_state([line("1250.00", system_type="InvoiceCustomer")])
    assert (state.status, state.open_amount, state.paid_at) == (P.UNPAID, Decimal("1250.00"), None)


def test_an_open_payment_against_it_is_part_paid_and_the_rest_is_open():
    state = ledger_state([line("1250.00", system_type="InvoiceCustomer"), line("-250.00")])
    assert (state.status, state.open_amount) == (P.PARTLY_PAID, Decimal("1000.00"))


def test_closed_lines_are_paid_on_the_last_payment_day():
    lines = [line("1250.00", open=False, system_type="InvoiceCustomer"),
             line("-250.00", open=False, on=date(2026, 3, 2)), line("-1000.00", open=False, on=date(2026, 3, 7))]
    state = ledger_state(lines)
    assert (state.status, state.paid_at, state.open_amount) == (P.PAID, date(2026, 3, 7), Decimal("0.00"))


def test_closed_without_a_payment_line_is_paid_when_it_was_closed():
    state = ledger_state([line("1250.00", open=False, system_type="InvoiceCustomer")])
    assert (state.status, state.paid_at) == (P.PAID, date(2026, 3, 9))


def test_a_credit_note_counts_the_other_way():
    assert ledger_state([line("-500.00", system_type="CreditnoteCustomer")], sign=-1).status == P.UNPAID
    state = ledger_state([line("-500.00", system_type="CreditnoteCustomer"), line("200.00")], sign=-1)
    assert (state.status, state.open_amount) == (P.PARTLY_PAID, Decimal("-300.00"))


def test_an_unnumbered_payment_joins_its_invoice_by_link_id_only_within_one_answer():
    lines = [line("1250.00", link=7, system_type="InvoiceCustomer"), line("-250.00", invoice_no=None, link=7),
             line("900.00", invoice_no="10002", link=8, system_type="InvoiceCustomer"),
             # linked to two invoices at once: which one it pays is not clear, so it joins neither
             line("-10.00", invoice_no=None, link=9), line("5.00", invoice_no="10003", link=9),
             line("5.00", invoice_no="10004", link=9)]
    grouped = _by_invoice(lines)
    assert ledger_state(grouped["10001"]).status == P.PARTLY_PAID
    assert ledger_state(grouped["10002"]).status == P.UNPAID
    assert all(len(grouped[no]) == 1 for no in ("10003", "10004"))


def test_invoice_service_fallback_reads_paid_or_the_whole_total():
    assert invoice_service_state(InvoiceOrder(order_id=1)).status == P.UNKNOWN
    paid = invoice_service_state(InvoiceOrder(order_id=1, invoice_id=10001, paid=date(2026, 3, 5)))
    assert (paid.status, paid.paid_at, paid.open_amount) == (P.PAID, date(2026, 3, 5), Decimal("0.00"))
    unpaid = invoice_service_state(InvoiceOrder(order_id=1, invoice_id=10001, order_total_inc_vat=Decimal("99.5")))
    assert (unpaid.status, unpaid.open_amount) == (P.UNPAID, Decimal("99.50"))
