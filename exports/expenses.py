"""Expenses: approved supplier invoices imported from 24SO, billed on to customers.

An import run reads, per 24SO client the tenant has a credential for, the supplier-invoice
ledger lines on the configured expense accounts that changed since the client's watermark
(research section 8's recipe), keeps those whose document is approved and whose project is a
hub project, and stores each expense with its documents in one transaction. The unique
(tenant, client, key) constraint makes a re-read harmless, so the window may overlap.

Runs: one open (queued or running) run per tenant, enforced by a partial unique index. A
worker claims a run with a conditional UPDATE; a run whose worker stopped beating is taken
over by the next attempt. No database transaction is open during a 24SO call.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import get_valid_filename

from exports.models import (
    EXPENSE_IMPORT_OPEN,
    CENT,
    BindingKind,
    Expense,
    ExpenseAttachment,
    ExpenseImport,
    ExpenseImportStatus,
    ExportStatus,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    PendingExpense,
    PendingExpenseReason,
    Project,
    SevenOfficeBinding,
)
from exports.sync import Target, sync_targets
from sevenoffice import errors as so_errors
from sevenoffice.types import SystemType, Transaction
from tenants.models import Tenant, account_numbers
from tenants.services import actor_label, integration_settings

log = logging.getLogger(__name__)
S = ExpenseImportStatus
SUPPLIER_SYSTEM_TYPES = (SystemType.INVOICE_SUPPLIER, SystemType.CREDITNOTE_SUPPLIER)
# Document types kept (ImageFile.Type -> content type); anything else is refused with a reason.
CONTENT_TYPES = {
    "Pdf": "application/pdf", "Png": "image/png", "Jpeg": "image/jpeg", "Gif": "image/gif",
    "Tiff": "image/tiff", "Bmp": "image/bmp",
}
EXTENSIONS = {"Pdf": "pdf", "Png": "png", "Jpeg": "jpg", "Gif": "gif", "Tiff": "tif", "Bmp": "bmp"}
STAMPS_PER_CALL = 500
EXPENSE_PRODUCT_NUMBER = "EXPENSE"
COMMON_VAT_RATES = (Decimal(0), Decimal(12), Decimal(15), Decimal(25))


class ExpenseError(Exception):
    """Bad input for an expense action; `field` names what to fix, `problems` (expense id ->
    message) which expenses when several are at stake."""

    def __init__(self, field: str, message: str, problems: dict[int, str] | None = None):
        super().__init__(message)
        self.field = field
        self.message = message
        self.problems = problems or {}


# --- Starting and claiming runs ------------------------------------------------------------------


def expense_import_start(*, tenant: Tenant, actor=None, trigger: str = "manual", full: bool = False
                         ) -> tuple[ExpenseImport, bool]:
    """Queue an import run, or return the tenant's open one (created=False). Raises ExpenseError
    when the settings do not allow an import."""
    integration = integration_settings(tenant)
    if not integration.expense_import_enabled:
        raise ExpenseError("expense_import_enabled", "Expense import is switched off in the 24SevenOffice settings.")
    if not account_numbers(integration.expense_accounts):
        raise ExpenseError("expense_accounts", "Give the account numbers to import expenses from in the settings.")
    try:
        with transaction.atomic():
            run = ExpenseImport.objects.create(tenant=tenant, trigger=trigger, full=full,
                                               requested_by=actor_label(actor) if actor else trigger)
    except IntegrityError:
        run = ExpenseImport.objects.filter(tenant=tenant, status__in=EXPENSE_IMPORT_OPEN).first()
        if run is None:  # it finished in between: start again
            return expense_import_start(tenant=tenant, actor=actor, trigger=trigger, full=full)
        if _is_stale(run):  # its worker is gone (or its message was lost): send it again
            _enqueue_on_commit(run.pk)
        return run, False
    _enqueue_on_commit(run.pk)
    return run, True


def expense_import_due() -> int:
    """The periodic import: start a run for every tenant that has expense import switched on."""
    started = 0
    tenants = Tenant.objects.filter(integration__expense_import_enabled=True).exclude(integration__expense_accounts="")
    for tenant in tenants:
        try:
            _, created = expense_import_start(tenant=tenant, trigger="scheduled")
        except ExpenseError as exc:
            log.info("expenses: no scheduled import for %s: %s", tenant.slug, exc.message)
            continue
        started += created
    return started


def _stale_after() -> timedelta:
    return timedelta(seconds=settings.EXPENSE_IMPORT_STALE_SECONDS)


def _is_stale(run: ExpenseImport) -> bool:
    last_sign = run.heartbeat_at or run.created_at
    return timezone.now() - last_sign > _stale_after()


def _enqueue_on_commit(import_id: int) -> None:
    from hub.celery import app

    transaction.on_commit(lambda: app.send_task("exports.expense_import", (import_id,)))


def _claim(import_id: int) -> ExpenseImport | None:
    """Take the run for this worker: a queued one, or a running one whose worker went silent."""
    now = timezone.now()
    rows = ExpenseImport.objects.filter(pk=import_id)
    fresh = {"status": S.RUNNING, "heartbeat_at": now, "skipped": [], "failed": []}
    if rows.filter(status=S.QUEUED).update(started_at=now, **fresh) or rows.filter(
        status=S.RUNNING, heartbeat_at__lt=now - _stale_after()
    ).update(**fresh):
        return rows.select_related("tenant").get()
    return None


# --- Running --------------------------------------------------------------------------------------


@dataclass
class ClientOutcome:
    imported: int = 0
    already: int = 0
    skipped: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    # Skipped for a reason that may pass (key -> reason, candidate), and keys done with.
    waiting: dict[str, tuple[str, "Candidate"]] = field(default_factory=dict)
    settled: set[str] = field(default_factory=set)


@dataclass
class Candidate:
    """One expense to be: a voucher's lines on the expense accounts for one project."""

    key: str
    lines: list[Transaction]
    project_id: int | None

    @property
    def first(self) -> Transaction:
        return self.lines[0]

    @property
    def net(self) -> Decimal:
        return sum((line.amount or Decimal(0) for line in self.lines), Decimal(0))

    def describe(self, client: str) -> dict:
        line = self.first
        return {"client": client, "key": self.key, "transaction_no": line.transaction_no,
                "supplier_invoice_number": line.invoice_no or "", "invoice_date": _iso(line.date),
                "amount_excl_vat": str(self.net)}


def expense_import_run(import_id: int) -> None:
    """Run one import (the Celery task's body). Returns quietly if another worker has it."""
    run = _claim(import_id)
    if run is None:
        return
    tenant = run.tenant
    integration = integration_settings(tenant)
    accounts = account_numbers(integration.expense_accounts)
    marks = {} if run.full else _previous_watermarks(tenant)
    watermarks, skipped, failed = {}, [], []
    targets = sync_targets(tenant)
    if not targets:
        failed.append({"client": None, "key": None,
                       "reason": "No 24SevenOffice credential with a chosen client: nothing to read from."})
    for target in targets:
        until = timezone.now()
        since = _since(marks.get(target.identity_id))
        try:
            outcome = _import_client(run, target, accounts, since, until, integration.expenses_billable_by_default)
        except so_errors.SevenOfficeError as exc:
            outcome = ClientOutcome(failed=[{"client": target.identity_id, "key": None,
                                             "reason": f"Reading from 24SevenOffice failed: {exc}"}])
        _remember_pending(tenant, target.identity_id, outcome)
        skipped += outcome.skipped
        failed += outcome.failed
        # A client with failures keeps its old mark, so the next run reads those again.
        mark = until if not outcome.failed else marks.get(target.identity_id)
        if mark is not None:
            watermarks[target.identity_id] = mark.isoformat()
        ExpenseImport.objects.filter(pk=run.pk).update(
            heartbeat_at=timezone.now(), skipped=skipped, failed=failed,
            already_imported=F("already_imported") + outcome.already,
        )
    ExpenseImport.objects.filter(pk=run.pk, status=S.RUNNING).update(
        status=S.FINISHED, finished_at=timezone.now(), watermarks=watermarks, skipped=skipped, failed=failed
    )


def _previous_watermarks(tenant) -> dict:
    last = ExpenseImport.objects.filter(tenant=tenant, status=S.FINISHED).order_by("-finished_at", "-pk").first()
    marks = {}
    for identity_id, value in (last.watermarks if last else {}).items():
        moment = parse_datetime(value) if isinstance(value, str) else None
        if moment is not None:
            marks[identity_id] = moment
    return marks


def _since(mark):
    if mark is None:
        return timezone.now() - timedelta(days=settings.EXPENSE_IMPORT_FIRST_DAYS)
    # Re-read a little before the mark: 24SO's change times are rounded, and a posting may
    # commit with a change time just before our last read ended.
    return mark - timedelta(seconds=settings.EXPENSE_IMPORT_OVERLAP_SECONDS)


def _import_client(run, target: Target, accounts, since, until, billable: bool) -> ClientOutcome:
    client = target.client()
    identity = target.identity_id
    outcome = ClientOutcome()
    lines = [
        line
        for system_type in SUPPLIER_SYSTEM_TYPES
        for start, end in account_ranges(accounts)
        for line in client.get_transactions(since, until, by_change_date=True, account_no_start=start,
                                            account_no_end=end, system_type=system_type)
        if line.account_no in accounts and not line.hidden
    ]
    candidates = _candidates(lines)
    recheck = _pending_recheck(run.tenant, identity, client, accounts, exclude=set(candidates), outcome=outcome)
    candidates.update(recheck.candidates)
    known = set(Expense.objects.filter(tenant=run.tenant, identity_id=identity, sevenoffice_key__in=candidates)
                .values_list("sevenoffice_key", flat=True))
    outcome.already = len(known)
    projects = _hub_projects(run.tenant, identity, {c.project_id for c in candidates.values() if c.project_id})
    wanted = []
    for key, candidate in candidates.items():
        outcome.settled.add(key)  # unless it waits (below)
        if key in known:
            continue
        if candidate.project_id is None:
            outcome.skipped.append({**candidate.describe(identity), "reason": "Not posted on a project."})
        elif candidate.project_id not in projects:
            outcome.skipped.append({**candidate.describe(identity), "reason":
                                    f"Posted on 24SevenOffice project {candidate.project_id}, which is not a project "
                                    "in the hub. Checked again on each run once the project is there."})
            _waits(outcome, PendingExpenseReason.PROJECT_MISSING, candidate)
        elif candidate.first.stamp_no is None:
            outcome.skipped.append({**candidate.describe(identity), "reason": "The voucher has no document in 24SO."})
        else:
            wanted.append(candidate)
    if not wanted:
        return outcome

    vouchers = {**recheck.vouchers, **_voucher_lines(
        client, [c for c in wanted if _voucher_of(c.first) not in recheck.vouchers])}
    stamps = {c.first.stamp_no for c in wanted}
    approved = {**recheck.approved, **_approved_files(client, stamps - recheck.asked_stamps)}
    payables = {c.key: [l for l in vouchers.get(_voucher_of(c.first), []) if l.customer_id is not None] for c in wanted}
    suppliers = _supplier_names(client, {l.customer_id for ls in payables.values() for l in ls})
    per_voucher = defaultdict(list)
    for candidate in wanted:
        per_voucher[_voucher_of(candidate.first)].append(candidate)

    for candidate in wanted:
        describe = candidate.describe(identity)
        files = approved.get(candidate.first.stamp_no)
        if not files:
            outcome.skipped.append({**describe, "reason": "The supplier invoice is not approved in 24SevenOffice. "
                                    "Checked again on each run until it is."})
            _waits(outcome, PendingExpenseReason.NOT_APPROVED, candidate)
            continue
        if not payables[candidate.key]:
            outcome.skipped.append({**describe, "reason": "No supplier (payables) line on the voucher."})
            continue
        try:
            documents = _download(client, files, candidate, outcome, identity)
        except so_errors.SevenOfficeError as exc:
            outcome.failed.append({**describe, "reason": f"Downloading its document failed: {exc}"})
            outcome.settled.discard(candidate.key)  # a remembered one stays remembered: tried again next run
            continue
        payable = payables[candidate.key][0]
        gross = -sum((l.amount or Decimal(0) for l in payables[candidate.key]), Decimal(0))
        amount = _share_of_gross(candidate, per_voucher[_voucher_of(candidate.first)], gross)
        values = dict(
            transaction_no=candidate.first.transaction_no, stamp_no=candidate.first.stamp_no,
            supplier_sevenoffice_id=payable.customer_id,
            supplier_name=(suppliers.get(payable.customer_id) or _dimension_name(payable) or "")[:200],
            supplier_invoice_number=(candidate.first.invoice_no or "")[:100],
            description=(next((l.comment for l in candidate.lines if l.comment), "") or "")[:500],
            amount=amount, amount_excl_vat=candidate.net, invoice_date=candidate.first.date,
            project=projects[candidate.project_id], billable=billable,
        )
        if _store(run, identity, candidate.key, values, documents):
            outcome.imported += 1
        else:
            outcome.already += 1
    return outcome


# --- Skipped supplier invoices re-checked by later runs ------------------------------------------


@dataclass
class Recheck:
    """Remembered skips whose reason has passed, re-read from 24SO, and what that learnt."""

    candidates: dict[str, Candidate] = field(default_factory=dict)
    vouchers: dict[tuple, list[Transaction]] = field(default_factory=dict)
    approved: dict[int, list] = field(default_factory=dict)
    asked_stamps: set[int] = field(default_factory=set)


def _waits(outcome: ClientOutcome, reason: str, candidate: Candidate) -> None:
    outcome.settled.discard(candidate.key)
    if candidate.first.date is not None and candidate.first.transaction_no is not None:  # else it cannot be re-read
        outcome.waiting[candidate.key] = (reason, candidate)


def _pending_recheck(tenant, identity, client, accounts, *, exclude: set[str], outcome: ClientOutcome) -> Recheck:
    """The remembered skips that can be imported now: their project became a hub project (the
    hub's own data) or their document is approved (one GetFileInfo per STAMPS_PER_CALL stamps).
    Only those have their vouchers read again (one GetTransactions per voucher type and year).
    Skips older than EXPENSE_PENDING_DAYS are dropped and reported."""
    recheck = Recheck()
    remembered = PendingExpense.objects.filter(tenant=tenant, identity_id=identity)
    cutoff = timezone.now() - timedelta(days=settings.EXPENSE_PENDING_DAYS)
    for old in remembered.filter(created_at__lt=cutoff).exclude(sevenoffice_key__in=exclude):
        outcome.skipped.append({**old.described, "reason": f"{old.get_reason_display()} after "
                                f"{settings.EXPENSE_PENDING_DAYS} days: no longer checked. A full import reads it again."})
        outcome.settled.add(old.sevenoffice_key)
    pending = [p for p in remembered.filter(created_at__gte=cutoff) if p.sevenoffice_key not in exclude]
    if not pending:
        return recheck
    projects = _hub_projects(tenant, identity, {p.project_sevenoffice_id for p in pending
                                                if p.reason == PendingExpenseReason.PROJECT_MISSING})
    recheck.asked_stamps = {p.stamp_no for p in pending if p.reason == PendingExpenseReason.NOT_APPROVED}
    recheck.approved = _approved_files(client, recheck.asked_stamps)
    ready = [p for p in pending if (p.project_sevenoffice_id in projects if p.reason == PendingExpenseReason.PROJECT_MISSING
                                    else bool(recheck.approved.get(p.stamp_no)))]
    if not ready:
        return recheck
    probes = [Candidate(p.sevenoffice_key, [Transaction(date=p.voucher_date, account_no=None, amount=None,
                                                        transaction_no=p.transaction_no,
                                                        transaction_type_id=p.transaction_type_id)], None)
              for p in ready]
    recheck.vouchers = _voucher_lines(client, probes)
    lines = [line for found in recheck.vouchers.values() for line in found
             if line.account_no in accounts and not line.hidden]
    again = _candidates(lines)
    for p in ready:
        if p.sevenoffice_key in again:
            recheck.candidates[p.sevenoffice_key] = again[p.sevenoffice_key]
        else:  # reversed or moved off the expense accounts meanwhile
            outcome.skipped.append({**p.described, "reason": "No longer posted in 24SevenOffice on the expense "
                                    "accounts: no longer checked."})
            outcome.settled.add(p.sevenoffice_key)
    return recheck


def _remember_pending(tenant, identity, outcome: ClientOutcome) -> None:
    """Forget what was imported or settled otherwise; remember (or keep) what waits."""
    remembered = PendingExpense.objects.filter(tenant=tenant, identity_id=identity)
    if outcome.settled:
        remembered.filter(sevenoffice_key__in=outcome.settled).delete()
    for key, (reason, candidate) in outcome.waiting.items():
        line = candidate.first
        PendingExpense.objects.update_or_create(tenant=tenant, identity_id=identity, sevenoffice_key=key, defaults=dict(
            reason=reason, stamp_no=line.stamp_no, project_sevenoffice_id=candidate.project_id,
            voucher_date=line.date, transaction_type_id=line.transaction_type_id, transaction_no=line.transaction_no,
            described=candidate.describe(str(identity)),
        ))


def account_ranges(accounts: list[int]) -> list[tuple[int, int]]:
    """Sorted account numbers as the fewest contiguous (start, end) ranges GetTransactions takes."""
    ranges: list[list[int]] = []
    for number in sorted(set(accounts)):
        if ranges and number == ranges[-1][1] + 1:
            ranges[-1][1] = number
        else:
            ranges.append([number, number])
    return [(start, end) for start, end in ranges]


def _voucher_of(line: Transaction) -> tuple:
    # Voucher numbers run per year and voucher type; LinkId is renumbered and never a key.
    return (line.date.year if line.date else None, line.transaction_type_id, line.transaction_no)


def _candidates(lines: list[Transaction]) -> dict[str, Candidate]:
    grouped: dict[str, Candidate] = {}
    for line in sorted(lines, key=lambda l: (l.transaction_no or 0, l.sequence_no or 0)):
        year, type_id, number = _voucher_of(line)
        project_id = line.project_id
        key = f"{year}-{type_id}-{number}-{project_id if project_id is not None else 'none'}"
        grouped.setdefault(key, Candidate(key=key, lines=[], project_id=project_id)).lines.append(line)
    return grouped


def _hub_projects(tenant, identity_id, remote_ids) -> dict:
    """24SO project id -> hub project, for projects the hub synced to this client."""
    bindings = SevenOfficeBinding.objects.filter(
        tenant=tenant, identity_id=identity_id, kind=BindingKind.PROJECT, sevenoffice_id__in=remote_ids
    )
    keys = {int(b.key): b.sevenoffice_id for b in bindings}
    return {keys[p.pk]: p for p in Project.objects.filter(tenant=tenant, pk__in=keys)}


def _voucher_lines(client, candidates) -> dict[tuple, list[Transaction]]:
    """Every line of the candidates' vouchers (for the supplier and the amount incl. VAT): one
    call per voucher type and year, covering the vouchers' numbers and dates."""
    wanted = {_voucher_of(c.first) for c in candidates}
    by_type = defaultdict(list)
    for c in candidates:
        by_type[(c.first.transaction_type_id, c.first.date.year)].append(c.first)
    found = defaultdict(list)
    for (type_id, _), firsts in by_type.items():
        numbers = [l.transaction_no for l in firsts]
        dates = [l.date for l in firsts]
        for line in client.get_transactions(min(dates), max(dates), transaction_no_start=min(numbers),
                                            transaction_no_end=max(numbers), transaction_type_id=type_id):
            if _voucher_of(line) in wanted:
                found[_voucher_of(line)].append(line)
    return found


def _approved_files(client, stamp_nos) -> dict[int, list]:
    """Stamp number -> its approved documents. Approval lives on the document in 24SO."""
    stamps = sorted(s for s in stamp_nos if s is not None)
    files = defaultdict(list)
    for start in range(0, len(stamps), STAMPS_PER_CALL):
        for image in client.get_file_info(stamp_nos=stamps[start:start + STAMPS_PER_CALL], file_approved=True):
            files[image.stamp_no].append(image)
    return files


def _supplier_names(client, company_ids) -> dict[int, str]:
    if not company_ids:
        return {}
    return {c.id: c.name for c in client.get_companies(company_ids=sorted(company_ids), return_properties=("Id", "Name"))}


def _dimension_name(line: Transaction) -> str | None:
    return next((d.name for d in line.dimensions if d.type == "Customer" and d.name), None)


def _share_of_gross(candidate, siblings, gross: Decimal) -> Decimal:
    """The expense's amount incl. VAT. A voucher split over several projects shares the
    supplier's total in proportion to the net amounts; the last share takes the rounding."""
    if len(siblings) == 1:
        return gross
    total_net = sum((s.net for s in siblings), Decimal(0))
    if not total_net:
        return candidate.net
    shares = [(s.net * gross / total_net).quantize(CENT, rounding=ROUND_HALF_UP) for s in siblings[:-1]]
    if candidate is siblings[-1]:
        return gross - sum(shares, Decimal(0))
    return shares[siblings.index(candidate)]


def _download(client, files, candidate, outcome: ClientOutcome, identity) -> list[dict]:
    documents = []
    base = get_valid_filename(candidate.first.invoice_no or f"stamp-{candidate.first.stamp_no}") or "document"
    for n, image in enumerate(sorted(files, key=lambda f: f.id), start=1):
        if image.type not in CONTENT_TYPES:
            outcome.skipped.append({**candidate.describe(identity), "file_id": image.id, "reason":
                                    f"Document {image.id} is of type {image.type}, not an image or PDF: not stored."})
            continue
        size = client.file_size(image)
        if size > settings.EXPENSE_DOCUMENT_MAX_BYTES:
            outcome.skipped.append({**candidate.describe(identity), "file_id": image.id, "size": size, "reason":
                                    f"Document {image.id} is {_megabytes(size)}, over the "
                                    f"{_megabytes(settings.EXPENSE_DOCUMENT_MAX_BYTES)} limit for stored documents "
                                    "(EXPENSE_DOCUMENT_MAX_BYTES): not downloaded; the expense is imported without it."})
            continue
        content = client.download_file(image, size=size)
        suffix = f"-{n}" if len(files) > 1 else ""
        documents.append({"file_id": image.id, "name": f"{base}{suffix}.{EXTENSIONS[image.type]}",
                          "content_type": CONTENT_TYPES[image.type], "content": content})
    return documents


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _store(run, identity, key, values, documents) -> bool:
    """Save the expense and its documents in one transaction; False when it was already there
    (another run got it first). Files written for a rolled-back expense are removed."""
    written = []
    try:
        with transaction.atomic():
            expense = Expense.objects.create(tenant=run.tenant, identity_id=identity, sevenoffice_key=key,
                                             imported_by=run, **values)
            for document in documents:
                attachment = ExpenseAttachment(expense=expense, sevenoffice_file_id=document["file_id"],
                                               name=document["name"], size=len(document["content"]),
                                               content_type=document["content_type"])
                attachment.file.save(document["name"], ContentFile(document["content"]), save=False)
                written.append(attachment.file.name)
                attachment.save()
            ExpenseImport.objects.filter(pk=run.pk).update(imported=F("imported") + 1, heartbeat_at=timezone.now())
    except IntegrityError:
        _remove_files(written)
        if Expense.objects.filter(tenant=run.tenant, identity_id=identity, sevenoffice_key=key).exists():
            return False
        raise
    except BaseException:
        _remove_files(written)
        raise
    return True


def _remove_files(names) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


# --- Accountants' actions -----------------------------------------------------------------------


def expense_set_billable(*, expense: Expense, billable: bool) -> Expense:
    with transaction.atomic():
        expense = (Expense.objects.select_for_update(of=("self",)).select_related("invoice_line__invoice")
                   .get(pk=expense.pk))
        if not billable and expense.invoice_line_id:
            raise ExpenseError("billable", f"The expense is billed on invoice {expense.invoice_line.invoice.number}.")
        if expense.billable != billable:
            expense.billable = billable
            expense.save(update_fields=["billable", "updated_at"])
    return expense


def invoice_open_reason(invoice: Invoice) -> str | None:
    """Why expenses cannot be added to the invoice, or None when they can."""
    from exports.records import invoice_lock_reason

    if invoice.kind != InvoiceKind.INVOICE:
        return f"{invoice} is a credit note."
    if invoice.finalised_at is not None:
        return f"Invoice {invoice.number} is finalised."
    if invoice.export_items.filter(status=ExportStatus.QUEUED).exists():
        return f"Invoice {invoice.number} is queued for export to 24SevenOffice."
    return invoice_lock_reason(invoice)


def invoices_open_for(tenant, customer_id) -> list[Invoice]:
    """The customer's invoices that can still take expense rows."""
    invoices = Invoice.objects.filter(tenant=tenant, customer_id=customer_id, kind=InvoiceKind.INVOICE,
                                      finalised_at__isnull=True).order_by("-invoice_date", "-number")
    return [i for i in invoices if invoice_open_reason(i) is None]


def expenses_add_to_invoice(*, invoice: Invoice, expense_ids) -> list[InvoiceLine]:
    """Bill expenses on a customer invoice as rows (net price, the supplier's VAT rate); each
    expense at most once. All or nothing: any problem raises ExpenseError and adds no row."""
    ids = sorted({int(i) for i in expense_ids})
    if not ids:
        raise ExpenseError("expenses", "Choose the expenses to add.")
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if reason := invoice_open_reason(invoice):
            raise ExpenseError("invoice", f"{reason} Expenses can only be added to an invoice not yet finalised.")
        expenses = list(Expense.objects.select_for_update(of=("self",)).filter(tenant=invoice.tenant, pk__in=ids)
                        .select_related("project").order_by("invoice_date", "pk"))
        problems = {i: f"Unknown expense {i}." for i in ids if i not in {e.pk for e in expenses}}
        for expense in expenses:
            if expense.invoice_line_id:
                problems[expense.pk] = f"Expense {expense.pk} ({expense}) is already billed."
            elif not expense.billable:
                problems[expense.pk] = f"Expense {expense.pk} ({expense}) is not billable."
            elif expense.project.customer_id != invoice.customer_id:
                problems[expense.pk] = (f"Expense {expense.pk} belongs to project {expense.project}, whose customer "
                                        "is not the invoice's customer.")
        if problems:
            raise ExpenseError("expenses", " ".join(problems[i] for i in sorted(problems)), problems)
        position = (invoice.lines.aggregate(last=Max("position"))["last"] or 0) + 1
        lines = []
        for offset, expense in enumerate(expenses):
            line = InvoiceLine.objects.create(
                invoice=invoice, position=position + offset, product_number=EXPENSE_PRODUCT_NUMBER,
                product_name=expense_row_text(expense)[:125], quantity=Decimal(1),
                unit_price=expense.amount_excl_vat, vat_rate=expense_vat_rate(expense),
            )
            Expense.objects.filter(pk=expense.pk).update(invoice_line=line, updated_at=timezone.now())
            lines.append(line)
        Invoice.objects.filter(pk=invoice.pk).update(updated_at=timezone.now())
    return lines


def expense_row_text(expense: Expense) -> str:
    supplier = " ".join(part for part in (expense.supplier_name, expense.supplier_invoice_number) if part)
    text = expense.description or "Expense"
    return f"{text} ({supplier})" if supplier else text


def expense_vat_rate(expense: Expense) -> Decimal:
    """The VAT rate the supplier charged, snapped to a common rate when within half a percent."""
    net, gross = expense.amount_excl_vat, expense.amount
    if not net:
        return Decimal(0)
    rate = ((gross - net) / net * 100).quantize(CENT, rounding=ROUND_HALF_UP)
    nearest = min(COMMON_VAT_RATES, key=lambda r: abs(r - rate))
    return nearest if abs(nearest - rate) <= Decimal("0.5") else rate
