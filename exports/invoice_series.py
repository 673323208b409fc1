"""Is the invoice series in 24SO in step with the hub's invoice numbers?

Vouchers carry the hub's invoice number as their voucher number, so 24SO's series for
outgoing invoices must continue exactly where the hub is. Per credential (one 24SO client
and the departments it serves) this compares the hub's next invoice number with the number
24SO would give next (AccountService.GetEntryId for the outgoing-invoice voucher type), and
says what to set in 24SO when they differ.
"""

from datetime import date

from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from exports import sync
from exports.models import OPEN_STATUSES, ExportItem, ExportStatus, Invoice, InvoiceSeriesCheck, SeriesState
from exports.vouchers import INVOICE_VOUCHER_TYPE
from sevenoffice.errors import SevenOfficeError
from tenants.services import credentials_by_department


def hub_next_invoice(tenant, departments) -> tuple[int | None, date | None]:
    """The number (and date) of the next invoice these departments will post: the lowest one
    not yet in 24SO above the last one that is, else one past the highest. (None, None)
    while the departments have no invoices."""
    invoices = Invoice.objects.filter(tenant=tenant, department__in=departments)
    done = ExportItem.objects.filter(invoice=OuterRef("pk"), status=ExportStatus.DONE)
    last_done = invoices.filter(Exists(done)).aggregate(n=Max("number"))["n"] or 0
    waiting = (
        invoices.filter(number__gt=last_done).exclude(Exists(done)).order_by("number")
        .values_list("number", "invoice_date").first()
    )
    if waiting:
        return waiting
    highest = invoices.aggregate(n=Max("number"))["n"]
    return (highest + 1, None) if highest else (None, None)


def series_verdict(hub_next: int | None, expected: int | None) -> tuple[str, str]:
    """The state and the words for it, with the fix spelled out."""
    if hub_next is None:
        return SeriesState.UNKNOWN, "The hub has no invoices for these departments yet; nothing to compare."
    fix = f"Set the start number of the invoice series in 24SevenOffice to {hub_next}."
    if expected == hub_next:
        return SeriesState.OK, f"24SevenOffice expects invoice number {hub_next} next, as the hub will send."
    if expected < hub_next:
        missing = f"{expected}" if expected == hub_next - 1 else f"{expected}–{hub_next - 1}"
        return SeriesState.GAP, (
            f"24SevenOffice expects invoice number {expected} next, but the hub's next invoice is {hub_next}, "
            f"so {missing} would be missing from the series. {fix}"
        )
    return SeriesState.COLLISION, (
        f"24SevenOffice's invoice series is already at {expected}, but the hub's next invoice is "
        f"{hub_next}, so its vouchers would reuse numbers 24SevenOffice has given or will give. {fix} If "
        f"24SevenOffice has already used {hub_next}, continue the numbering in the invoicing system from "
        f"{expected} instead."
    )


def served_departments(tenant) -> dict[int, tuple]:
    """Credential id -> (credential, its departments), for credentials that serve any."""
    served: dict[int, tuple] = {}
    departments = {d.pk: d for d in tenant.departments.all()}
    for department_id, credential in credentials_by_department(tenant).items():
        if credential is not None:
            served.setdefault(credential.pk, (credential, []))[1].append(departments[department_id])
    return served


def exports_in_flight(tenant, departments) -> bool:
    """Items of these departments still queued or in transfer: 24SO may hold vouchers the hub
    has not recorded yet, so a comparison now could report a collision that is not there."""
    return ExportItem.objects.filter(
        tenant=tenant, status__in=OPEN_STATUSES, invoice__department__in=departments
    ).exists()


def invoice_series_check(*, tenant, credential_ids=None, skip_busy=False) -> list[InvoiceSeriesCheck]:
    """Compare, per credential that serves departments (or only `credential_ids`), and store
    the result (replacing the last). With `skip_busy` (the automatic checks) a credential with
    exports in flight, before or while 24SO is asked, is left for a later check."""
    checks = []
    for credential_id, (credential, its_departments) in served_departments(tenant).items():
        if credential_ids is not None and credential_id not in credential_ids:
            continue
        if skip_busy and exports_in_flight(tenant, its_departments):
            continue
        hub_next, next_date = hub_next_invoice(tenant, its_departments)
        year, expected = (next_date or timezone.localdate()).year, None
        if hub_next is None:
            state, message = series_verdict(None, None)
        else:
            try:
                expected = _expected_next(credential, next_date or timezone.localdate())
            except SevenOfficeError as exc:
                state, message = SeriesState.ERROR, f"Could not ask 24SevenOffice ({credential.username}): {exc}"
            else:
                state, message = series_verdict(hub_next, expected)
        if skip_busy and (exports_in_flight(tenant, its_departments)
                          or hub_next_invoice(tenant, its_departments)[0] != hub_next):
            continue  # an export started meanwhile: this answer may be half of it
        check, _ = InvoiceSeriesCheck.objects.update_or_create(
            credential=credential,
            defaults={
                "tenant": tenant, "departments": ", ".join(sorted(d.code for d in its_departments)), "year": year,
                "hub_next": hub_next, "expected": expected, "state": state, "message": message,
                "checked_at": timezone.now(),
            },
        )
        checks.append(check)
    return sorted(checks, key=lambda c: c.departments)


def _expected_next(credential, on: date) -> int:
    client = sync.client_for(credential)
    entry_type = next((t for t in client.get_entry_types() if t.type_no == INVOICE_VOUCHER_TYPE), None)
    if entry_type is None:
        raise SevenOfficeError(f"24SevenOffice has no voucher type {INVOICE_VOUCHER_TYPE} for outgoing invoices")
    return client.get_next_entry_id(on, entry_type.entry_series_id)


def series_findings(tenant) -> list[InvoiceSeriesCheck]:
    """The last stored check per credential, from the database only (for pages and receipts)."""
    return list(InvoiceSeriesCheck.objects.filter(tenant=tenant).select_related("credential"))
