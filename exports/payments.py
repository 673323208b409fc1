"""Paid status of exported invoices, read back from 24SO.

The customer ledger is the source: 24SO's receivable lines (TransactionService.GetTransactions
on the customer ledger account) carry the invoice number and stay `Open` until the invoice is
settled, so the sum of an invoice's open lines is what is still owed, and an open payment line
against it means it is partly paid. InvoiceService's `Paid` date is only a fallback for
invoices the ledger does not show: what it means for part payments is not documented.

Calls per 24SO client and check: one GetTransactions for the open lines of every invoice
checked; one more (all lines) only for invoices that have no open line left, to confirm they
exist and find their paid date; GetInvoices only for exported orders (to see whether someone
published them as invoices in 24SO) and for invoices the ledger does not show.

LinkId is renumbered by 24SO on every new link, so nothing here stores or keys on it; it only
ties an unlabelled payment line to its invoice within one answer.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from exports.models import CENT, ExportItem, ExportStatus, Invoice, InvoiceKind, PaymentStatus, SentAs
from sevenoffice.client import SevenOfficeClient
from sevenoffice.errors import SevenOfficeError
from sevenoffice.types import Credential, InvoiceOrder, Transaction
from tenants.services import credential_for_account, integration_settings

log = logging.getLogger(__name__)
P = PaymentStatus
# What GetInvoices must return for the checks here (rows are never needed).
PAYMENT_PROPERTIES = ("OrderId", "InvoiceId", "OrderStatus", "DateInvoiced", "OrderTotalIncVat", "Paid")
WINDOW_SLACK = timedelta(days=1)  # 24SO dates in UTC; the hub's in Oslo time


@dataclass(frozen=True)
class PaymentState:
    status: str
    paid_at: date | None = None
    open_amount: Decimal | None = None


@dataclass
class PaymentCheck:
    """What one check found: invoices answered for, those whose payment fields changed,
    those 24SO could not answer for (with why), and those never exported."""

    checked: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)
    not_exported: list[int] = field(default_factory=list)

    def summary(self) -> dict:
        return {"checked": len(self.checked), "changed": len(self.changed), "errors": len(self.errors),
                "not_exported": len(self.not_exported)}


@dataclass
class _Target:
    """One exported invoice where 24SO holds it."""

    invoice: Invoice
    item: ExportItem
    invoice_no: str | None  # the ledger's InvoiceNo; None for an order until 24SO invoices it
    since: date  # the earliest day its ledger lines can carry
    order: InvoiceOrder | None = None  # InvoiceService's record, when read

    @property
    def sign(self) -> int:
        return -1 if self.invoice.kind == InvoiceKind.CREDIT_NOTE else 1


# --- Checking ---------------------------------------------------------------------------------


def payments_check(*, invoices) -> PaymentCheck:
    """Ask 24SO about these invoices (ids or Invoice objects) now, grouped per 24SO client;
    record what it says. An error on one client leaves its invoices' status as it was."""
    invoice_ids = sorted({i.pk if isinstance(i, Invoice) else int(i) for i in invoices})
    report = PaymentCheck()
    items = {
        item.invoice_id: item
        for item in ExportItem.objects.filter(invoice_id__in=invoice_ids, status=ExportStatus.DONE)
        .select_related("invoice", "batch").order_by("pk")
    }
    report.not_exported = [pk for pk in invoice_ids if pk not in items]
    groups = defaultdict(list)
    for item in items.values():
        identity_id = str(item.sevenoffice_identity_id) if item.sevenoffice_identity_id else None
        groups[(item.tenant_id, item.sevenoffice_username.lower(), identity_id)].append(item)
    for (tenant_id, username, identity_id), group in groups.items():
        targets = [_target(item) for item in group]
        try:
            states, errors = _check_client(tenant_id, username, identity_id, targets)
        except SevenOfficeError as exc:
            log.warning("payments: %s (%s) could not be checked: %s", username, identity_id, exc)
            states, errors = {}, {t.invoice.pk: f"24SevenOffice did not answer: {exc}" for t in targets}
        now = timezone.now()
        for invoice_id, state in states.items():
            report.checked.append(invoice_id)
            if _record(invoice_id, state, now):
                report.changed.append(invoice_id)
        for invoice_id, message in errors.items():
            Invoice.objects.filter(pk=invoice_id).update(payment_attempted_at=now, payment_message=message[:500])
        report.errors.update(errors)
    return report


def payments_check_batch(*, batch) -> PaymentCheck:
    """Check every invoice a receipt carried to 24SO (its done items)."""
    done = ExportItem.objects.filter(batch=batch, status=ExportStatus.DONE).values_list("invoice_id", flat=True)
    return payments_check(invoices=list(done))


def _target(item: ExportItem) -> _Target:
    invoice = item.invoice
    since = min(invoice.invoice_date, timezone.localdate(item.batch.created_at)) - WINDOW_SLACK
    if item.sent_as == SentAs.ORDER:
        invoice_no = None
    elif item.sent_as == SentAs.VOUCHER:
        # A voucher's receivable carries the hub's number as InvoiceReferenceNo.
        invoice_no = str(item.sevenoffice_invoice_id or invoice.number)
    else:
        invoice_no = str(item.sevenoffice_invoice_id) if item.sevenoffice_invoice_id else None
    return _Target(invoice=invoice, item=item, invoice_no=invoice_no, since=since)


def _check_client(tenant_id, username, identity_id, targets) -> tuple[dict, dict]:
    credential = credential_for_account(tenant_id=tenant_id, username=username)
    if credential is None:
        message = f"No credential for the 24SevenOffice login {username} any more; add one under Credentials."
        return {}, {t.invoice.pk: message for t in targets}
    client = SevenOfficeClient(
        Credential(username=credential.username, password=credential.reveal_password(), identity_id=identity_id)
    )
    account = integration_settings(credential.tenant).customer_ledger_account
    states, errors = {}, {}

    orders = [t for t in targets if t.item.sent_as == SentAs.ORDER]
    for t in orders:
        if t.item.sevenoffice_order_id is None:
            errors[t.invoice.pk] = "The export recorded no 24SevenOffice order number."
    if wanted := [t.item.sevenoffice_order_id for t in orders if t.item.sevenoffice_order_id is not None]:
        found = {o.order_id: o for o in client.get_invoices(
            order_ids=wanted, invoice_properties=PAYMENT_PROPERTIES, row_properties=())}
        for t in orders:
            t.order = found.get(t.item.sevenoffice_order_id)
            if t.order is not None and t.order.invoice_id:
                t.invoice_no = str(t.order.invoice_id)
                t.since = min(t.since, t.order.date_invoiced or t.since)
            elif t.item.sevenoffice_order_id is not None:
                states[t.invoice.pk] = PaymentState(P.UNKNOWN)  # still an order: nothing to pay yet
    for t in targets:
        if t.invoice_no is None and t.item.sent_as != SentAs.ORDER:
            errors[t.invoice.pk] = "The export recorded no 24SevenOffice invoice number."

    ledger = [t for t in targets if t.invoice_no is not None]
    if not ledger:
        return states, errors
    end = timezone.localdate() + WINDOW_SLACK
    receivables = {"account_no_start": account, "account_no_end": account}
    open_lines = _by_invoice(client.get_transactions(
        min(t.since for t in ledger), end, show_open_entries=True, **receivables))
    settled = []
    for t in ledger:
        if t.invoice_no in open_lines:
            states[t.invoice.pk] = ledger_state(open_lines[t.invoice_no], t.sign)
        else:
            settled.append(t)  # paid, or not in the ledger at all: the closed lines tell
    if not settled:
        return states, errors
    narrow = {"invoice_no": settled[0].invoice_no} if len(settled) == 1 else {}
    all_lines = _by_invoice(client.get_transactions(min(t.since for t in settled), end, **receivables, **narrow))
    unseen = []
    for t in settled:
        if t.invoice_no in all_lines:
            states[t.invoice.pk] = ledger_state(all_lines[t.invoice_no], t.sign)
        else:
            unseen.append(t)
    if unseen:
        _invoice_service_fallback(client, unseen, states, errors)
    return states, errors


def _invoice_service_fallback(client, unseen, states, errors) -> None:
    """Invoices the customer ledger does not show (another receivable account, or a voucher
    still in the journal): InvoiceService's Paid date, when it has them."""
    wanted = [int(t.invoice_no) for t in unseen if t.order is None and t.item.sent_as != SentAs.VOUCHER
              and t.invoice_no.isdigit()]
    found = {o.invoice_id: o for o in client.get_invoices(
        invoice_ids=wanted, invoice_properties=PAYMENT_PROPERTIES, row_properties=())} if wanted else {}
    for t in unseen:
        order = t.order or found.get(int(t.invoice_no) if t.invoice_no.isdigit() else None)
        if order is not None:
            states[t.invoice.pk] = invoice_service_state(order)
        elif t.item.sent_as == SentAs.VOUCHER:
            errors[t.invoice.pk] = (f"24SevenOffice's ledger has no receivable for invoice {t.invoice_no}; "
                                    "is the voucher still in the journal?")
        else:
            errors[t.invoice.pk] = f"24SevenOffice has no invoice {t.invoice_no}."


def _by_invoice(lines: list[Transaction]) -> dict[str, list[Transaction]]:
    """Receivable lines per invoice number. A payment line 24SO linked without an invoice
    number joins the one invoice its LinkId ties it to, within this answer only."""
    by_number = defaultdict(list)
    for line in lines:
        if line.invoice_no:
            by_number[line.invoice_no].append(line)
    owners = defaultdict(set)
    for number, numbered in by_number.items():
        for line in numbered:
            if line.link_id:
                owners[line.link_id].add(number)
    for line in lines:
        if not line.invoice_no and line.link_id and len(owners.get(line.link_id, ())) == 1:
            by_number[next(iter(owners[line.link_id]))].append(line)
    return dict(by_number)


def ledger_state(lines: list[Transaction], sign: int = 1) -> PaymentState:
    """Payment state from an invoice's receivable lines (`sign` -1 for a credit note).

    Open lines still owe their sum; an open line against the invoice's sign is a part
    payment. No open line left (or nothing owed) is paid, on the day of the last payment.
    """
    open_lines = [line for line in lines if line.open]
    balance = sum((line.amount or Decimal(0) for line in open_lines), Decimal(0)).quantize(CENT)
    settling = [line for line in lines if (line.amount or 0) * sign < 0]
    if open_lines and balance * sign > 0:
        part_paid = any(line.open for line in settling)
        return PaymentState(P.PARTLY_PAID if part_paid else P.UNPAID, None, balance)
    paid_on = max((line.date for line in settling if line.date), default=None)
    if paid_on is None:  # settled by something that is not a line here: when it was closed
        paid_on = max((line.date_changed.date() for line in lines if line.date_changed), default=None)
    return PaymentState(P.PAID, paid_on, balance)


def invoice_service_state(order: InvoiceOrder) -> PaymentState:
    """InvoiceService's view: an order not invoiced is nothing to pay yet; a Paid date means
    paid (inferred meaning); otherwise its whole total is open."""
    if not order.invoice_id:
        return PaymentState(P.UNKNOWN)
    if order.paid is not None:
        return PaymentState(P.PAID, order.paid, Decimal("0.00"))
    total = order.order_total_inc_vat
    return PaymentState(P.UNPAID, None, total.quantize(CENT) if total is not None else None)


def _record(invoice_id: int, state: PaymentState, now) -> bool:
    """Store 24SO's answer; payment_changed_at moves only when something changed. Returns that."""
    amount = state.open_amount.quantize(CENT) if state.open_amount is not None else None
    with transaction.atomic():
        current = (
            Invoice.objects.select_for_update().filter(pk=invoice_id)
            .values_list("payment_status", "paid_at", "open_amount").first()
        )
        if current is None:
            return False
        changed = current != (state.status, state.paid_at, amount)
        fields = {"payment_status": state.status, "paid_at": state.paid_at, "open_amount": amount,
                  "payment_checked_at": now, "payment_attempted_at": now, "payment_message": ""}
        if changed:
            fields["payment_changed_at"] = now
        Invoice.objects.filter(pk=invoice_id).update(**fields)
    return changed


# --- Periodic refresh ------------------------------------------------------------------------


def refreshable_invoices():
    """Exported invoices not known to be paid: what the periodic refresh looks at."""
    exported = ExportItem.objects.filter(status=ExportStatus.DONE).values("invoice_id")
    return Invoice.objects.filter(pk__in=exported).exclude(payment_status=P.PAID)


def payments_refresh(*, batch_size: int | None = None) -> PaymentCheck:
    """Check one batch of open invoices, the longest unasked first.

    The batch is claimed by stamping payment_attempted_at in a short transaction (rows
    another worker is claiming are skipped), so parallel runs take different batches and an
    invoice 24SO cannot answer for moves to the back instead of blocking the queue.
    """
    size = batch_size or settings.PAYMENT_REFRESH_BATCH_SIZE
    with transaction.atomic():
        ids = list(
            refreshable_invoices()
            .order_by(F("payment_attempted_at").asc(nulls_first=True), "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:size]
        )
        Invoice.objects.filter(pk__in=ids).update(payment_attempted_at=timezone.now())
    if not ids:
        return PaymentCheck()
    return payments_check(invoices=ids)
