"""Invoices and credit notes posted to 24SO as journal vouchers (AccountService.SaveBundleList).

One invoice becomes one balanced voucher: the customer ledger line (+total including VAT,
with the invoice number, due date and the hub's reference) against a revenue line (-net)
and an output VAT line (-VAT) per VAT rate. A credit note posts the same with the signs
reversed, under its own number. The voucher number is the invoice number, which is why the
invoice series in 24SO must be in step with the hub's (see exports.invoice_series).

The sender reuses the invoice route's machinery (claims, leases, requeue and backoff in
exports.transfer; customers, projects and VAT codes from ChunkSender); only what is
voucher-specific lives here.
"""

import time
from collections import defaultdict
from datetime import date

from django.utils import timezone

from exports import transfer, transitions
from exports.amounts import invoice_amounts
from exports.models import ExportItem, ExportStatus, InvoiceKind
from exports.revenue_accounts import revenue_account_resolver
from sevenoffice.types import Bundle, BundleList, Entry, FiscalYear, SaveOption, Voucher
from tenants.services import integration_settings

S = ExportStatus
Outcome = transfer.Outcome

# Voucher types (TransactionService.GetTransactionTypes No, used as Bundle/Voucher Sort) of
# 24SO's standard setup for outgoing invoices and credit notes.
INVOICE_VOUCHER_TYPE = 1
CREDIT_NOTE_VOUCHER_TYPE = 2
FISCAL_YEARS_MAX_AGE = 300  # seconds; re-read at once when a year is missing or locked
_fiscal_years: dict[str, tuple[float, dict[int, FiscalYear]]] = {}  # identity -> (fetched at, year -> FY)


def fiscal_years_for(client, identity_id: str, years) -> dict[int, FiscalYear]:
    """24SO's accounting years by calendar year (TransactionService.GetFiscalYears), cached per
    client and process for a few minutes; a year that is missing or locked is looked up again,
    so one created or opened in 24SO counts at the next retry."""
    fetched_at, known = _fiscal_years.get(identity_id, (0.0, {}))
    stale = time.monotonic() - fetched_at > FISCAL_YEARS_MAX_AGE
    if stale or any(year not in known or known[year].is_locked for year in years):
        known = {fy.start.year: fy for fy in client.get_fiscal_years() if fy.start is not None}
        _fiscal_years[identity_id] = (time.monotonic(), known)
    return known


def fiscal_year_problem(year: int, known: dict[int, FiscalYear], username: str) -> tuple[str, str] | None:
    """What stops a voucher dated in `year` and what to do about it, or None when it can go."""
    fiscal_year = known.get(year)
    if fiscal_year is None:
        return (f"24SevenOffice has no accounting year {year} in the client {username} posts to",
                f"Create the accounting year {year} in 24SevenOffice")
    if fiscal_year.is_locked:
        return (f"The accounting year {year} is locked in 24SevenOffice",
                "Unlock it there (or correct the invoice date)")
    return None


def rate_text(rate) -> str:
    return f"{rate:f}"


class VoucherNotReady(Exception):
    pass


class VoucherSender(transfer.ChunkSender):
    """One SaveBundleList for a chunk's vouchers; the same interface as ChunkSender."""

    def send(self) -> dict[int, Outcome]:
        self._bind_items()
        self.integration = integration_settings(self.tenant)
        outcomes: dict[int, Outcome] = {}
        # Nothing is written to 24SO (not even a customer) for an item whose year is missing.
        in_open_years = self._check_years(self.items, outcomes)
        pending = self._reconcile_vouchers(in_open_years, outcomes)
        vouchers = self._vouchers(pending, outcomes)
        if vouchers:
            self._post([item for item in pending if item.pk in vouchers], vouchers, outcomes)
        return outcomes

    # Before anything is written ---------------------------------------------------------------

    def _check_years(self, items, outcomes) -> list[ExportItem]:
        years = {item.invoice.invoice_date.year for item in items}
        known = fiscal_years_for(self.client, self.identity_id, years)
        ready = []
        for item in items:
            problem = fiscal_year_problem(item.invoice.invoice_date.year, known, self.credential.username)
            if problem:
                outcomes[item.pk] = Outcome(S.FAILED, f"{problem[0]}, so nothing was sent. {problem[1]}, then retry.")
            else:
                ready.append(item)
        return ready

    def _reconcile_vouchers(self, items, outcomes) -> list[ExportItem]:
        """Items sent before (their answer may have been lost): a voucher of ours already in
        the ledger makes them done; the rest go out. One read for all of them."""
        retried = [item for item in items if item.sent_at is not None]
        if not retried:
            return items
        dates = [item.invoice.invoice_date for item in retried]
        lines = self._ledger_lines(min(dates), max(dates))
        pending = []
        for item in items:
            ours = self._ours(item, lines) if item.sent_at is not None else None
            if ours is not None:
                outcomes[item.pk] = Outcome(
                    S.DONE, f"Already in 24SevenOffice as voucher {ours.transaction_no} from an earlier attempt; "
                    "not posted again.", transaction_no=ours.transaction_no,
                )
            else:
                pending.append(item)
        return pending

    def _ledger_lines(self, start: date, end: date, invoice_no: str | None = None):
        account = self.integration.customer_ledger_account
        return self.client.get_transactions(
            start, end, account_no_start=account, account_no_end=account, invoice_no=invoice_no
        )

    @staticmethod
    def _ours(item, lines):
        """The ledger line this hub posted for the item: its invoice number and the hub's reference."""
        number, reference = str(item.invoice.number), transfer.hub_reference(item.invoice)
        return next((line for line in lines if line.invoice_no == number and line.comment == reference), None)

    # Building ---------------------------------------------------------------------------------

    def _vouchers(self, items, outcomes) -> dict[int, Voucher]:
        if not items:
            return {}
        customers = self._customer_ids(items)
        projects = self._project_ids(items)
        rates = {line.vat_rate.normalize() for item in items for line in item.invoice.lines.all()}
        tax_codes = transfer.tax_codes_for(self.client, self.identity_id, rates)
        revenue_account = revenue_account_resolver(self.tenant, self.integration.revenue_account)
        vouchers = {}
        for item in items:
            try:
                vouchers[item.pk] = self._voucher(item.invoice, customers, projects, tax_codes, revenue_account)
            except VoucherNotReady as exc:
                outcomes[item.pk] = Outcome(S.FAILED, str(exc))
        return vouchers

    def _voucher(self, invoice, customers, projects, tax_codes, revenue_account) -> Voucher:
        customer_id = customers.get(str(invoice.customer_id))
        if not isinstance(customer_id, int):
            raise VoucherNotReady(f"Customer {invoice.customer.name} is not in 24SevenOffice: {customer_id}")
        amounts = invoice_amounts(invoice)
        if not amounts.rates:
            raise VoucherNotReady(f"{invoice} has no lines: there is nothing to post.")
        project_id = projects.get(str(invoice.project_id)) if invoice.project_id else None
        common = {
            "date": invoice.invoice_date,
            "department_id": invoice.department.sevenoffice_department_id,
            "project_id": project_id if isinstance(project_id, int) else None,  # None: not synced yet
        }
        entries = [
            Entry(
                account_no=self.integration.customer_ledger_account, amount=amounts.total, customer_id=customer_id,
                due_date=invoice.due_date, invoice_reference_no=str(invoice.number),
                comment=transfer.hub_reference(invoice), **common,
            )
        ]
        for rate in amounts.rates:
            tax = tax_codes.get(rate.rate)
            if tax is None or not tax.no:
                raise VoucherNotReady(f"24SevenOffice has no VAT code for {rate_text(rate.rate)} %.")
            if rate.net:
                account = revenue_account(invoice.department_id, rate.rate)
                entries.append(Entry(account_no=account, amount=-rate.net, tax_no=tax.no, **common))
            if rate.vat:
                if not tax.account_no:
                    raise VoucherNotReady(
                        f"24SevenOffice's VAT code {tax.no} ({rate_text(rate.rate)} %) names no VAT account to post to."
                    )
                entries.append(Entry(account_no=tax.account_no, amount=-rate.vat, **common))
        # Every amount has two decimals and the ledger line is their sum, so this holds by
        # construction; should invoice_amounts ever change, nothing unbalanced reaches 24SO.
        if sum(entry.amount for entry in entries) != 0:
            raise VoucherNotReady(f"The voucher for {invoice} does not balance; nothing was sent.")
        voucher_type = CREDIT_NOTE_VOUCHER_TYPE if invoice.kind == InvoiceKind.CREDIT_NOTE else INVOICE_VOUCHER_TYPE
        return Voucher(transaction_no=invoice.number, sort=voucher_type, entries=tuple(entries))

    @staticmethod
    def _bundle_list(vouchers) -> BundleList:
        by_bundle = defaultdict(list)
        for voucher in vouchers:
            by_bundle[(voucher.entries[0].date.year, voucher.sort)].append(voucher)
        return BundleList(
            bundles=tuple(
                # BundleDirectAccounting: the hub posts the VAT lines itself, computed from the
                # invoice lines, so the voucher equals the invoice to the øre; 24SO splitting VAT
                # out of gross amounts would round its own way (and double ours).
                Bundle(year_id=year, sort=sort, vouchers=tuple(group), direct_accounting=True)
                for (year, sort), group in sorted(by_bundle.items())
            ),
            # Straight to the ledger, not a journal draft: only posted lines are visible to
            # GetTransactions, which is how a voucher whose answer was lost is found again
            # before any re-send, and how paid status (Open) is read later; a draft also
            # waits for someone in 24SO to book it.
            save_option=SaveOption.LEDGER,
        )

    # Posting ----------------------------------------------------------------------------------

    def _post(self, items, vouchers, outcomes) -> None:
        token = self.items[0].claim_token
        held = set(transitions.renew([item.pk for item in items], token=token, lease_seconds=transfer.LEASE_SECONDS))
        sent = []
        for item in items:
            if item.pk in held:
                sent.append(item)
            else:
                outcomes[item.pk] = Outcome(transfer.TAKEN_OVER)  # another worker holds it now
        if not sent:
            return
        ExportItem.objects.filter(pk__in=[item.pk for item in sent]).update(sent_at=timezone.now())
        response = self.client.save_bundle_list(self._bundle_list([vouchers[item.pk] for item in sent]))
        if response.ok:
            for item in sent:
                outcomes[item.pk] = Outcome(S.DONE, "", transaction_no=vouchers[item.pk].transaction_no)
            return
        if len(sent) == 1:
            outcomes[sent[0].pk] = self._refused(sent[0], response)
            return
        # 24SO saves all of a list or none of it and names one problem: post the vouchers one
        # at a time to learn which it refuses and let the others through.
        for item in sent:
            if not transitions.renew([item.pk], token=token, lease_seconds=transfer.LEASE_SECONDS):
                outcomes[item.pk] = Outcome(transfer.TAKEN_OVER)
                continue
            single = self.client.save_bundle_list(self._bundle_list([vouchers[item.pk]]))
            outcomes[item.pk] = (
                Outcome(S.DONE, "", transaction_no=vouchers[item.pk].transaction_no)
                if single.ok else self._refused(item, single)
            )

    def _refused(self, item, response) -> Outcome:
        said = f"{response.description or 'no reason given'} ({response.type})"
        if not response.duplicate:
            return Outcome(S.FAILED, f"24SevenOffice refused the voucher: {said}")
        # "Already there" only when the ledger shows it is ours; else someone else's voucher
        # holds the number.
        invoice = item.invoice
        year = invoice.invoice_date.year
        lines = self._ledger_lines(date(year - 1, 1, 1), date(year + 1, 12, 31), invoice_no=str(invoice.number))
        ours = self._ours(item, lines)
        if ours is not None:
            return Outcome(
                S.DONE, f"Already in 24SevenOffice as voucher {ours.transaction_no}; not posted again.",
                transaction_no=ours.transaction_no,
            )
        hint = " The voucher number is taken: check the invoice series under Settings." if (
            response.type == "DataAlreadySaved") else ""
        return Outcome(S.DUPLICATE, f"24SevenOffice already has invoice {invoice.number}, not from this hub: {said}.{hint}")
