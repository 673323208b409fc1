"""Export of invoices and credit notes to 24SO: create a receipt, route it, send it in chunks.

Claim, call, record: a short transaction claims items (queued -> in_transfer), the SOAP
calls run with no transaction open, and short updates record each outcome. The database is
the source of truth; Celery messages only say "send these items", and the sweeper
re-dispatches whatever a lost message or a dead worker left behind.
"""

import logging
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Min, Prefetch, Q
from django.utils import timezone

from exports import alerts, bindings, products, sync, transitions
from exports.models import (
    BindingKind,
    ExportBatch,
    ExportItem,
    ExportStatus,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    OPEN_STATUSES,
    SentAs,
    SevenOfficeBinding,
)
from sevenoffice import errors as so_errors
from sevenoffice.types import InvoiceOrder, InvoiceRow, OrderStatus, Product
from tenants.models import ExportMode, PostingMode, SevenOfficeCredential
from tenants.services import credential_identity, credentials_by_department, integration_settings

log = logging.getLogger(__name__)
S = ExportStatus
TAKEN_OVER = "taken_over"  # not a status: an outcome that records nothing

CHUNK_SIZE = 100  # invoices per SaveInvoices call
# An item in transfer longer than this is presumed abandoned (its worker died). Safe because
# the lease is renewed right before each SaveInvoices, and a call times out well within it.
LEASE_SECONDS = settings.EXPORT_LEASE_SECONDS
DISPATCH_GRACE_SECONDS = settings.EXPORT_DISPATCH_GRACE_SECONDS  # a queued item not picked up by then is re-dispatched
MAX_ATTEMPTS = 12
PRODUCT_CATEGORY_NAME = "Hub"  # where products the hub creates are placed
PREVIOUS_WRITE_WINDOW = timedelta(minutes=5)
WAIT_FOR_CREDITED_SECONDS = 2  # 24SO rounds change times; look back generously


def document_route(invoice: Invoice, integration) -> str:
    """What the invoice is sent to 24SO as (a SentAs value): a journal voucher when the tenant
    posts vouchers, else an order or an invoice by the department's or tenant's export mode."""
    if integration.posting_mode == PostingMode.VOUCHER:
        return SentAs.VOUCHER
    if integration.export_mode_for(invoice.department) == ExportMode.ORDER:
        return SentAs.ORDER
    return SentAs.INVOICE


def hub_reference(invoice: Invoice) -> str:
    """What the hub writes in ReferenceNumber so it can recognise its own invoices in 24SO."""
    return f"HUB-{invoice.pk}/{invoice.number}"


def orders_sent_by_hub(identity_id, order_ids) -> set[int]:
    """Which of these 24SO orders the hub sent as orders: published there later, they get
    numbers from 24SO's invoice series that may equal a hub invoice's number by chance."""
    return set(
        ExportItem.objects.filter(
            status=S.DONE, sent_as=SentAs.ORDER, sevenoffice_identity_id=identity_id, sevenoffice_order_id__in=order_ids
        ).values_list("sevenoffice_order_id", flat=True)
    )


# --- Receipts -------------------------------------------------------------------------------


def export_create(*, tenant, invoices, user=None, source: str = "ui") -> ExportBatch:
    """A receipt with one queued item per invoice, routed and handed to workers on commit."""
    invoice_ids = sorted({i.pk if isinstance(i, Invoice) else int(i) for i in invoices})
    with transaction.atomic():
        batch = ExportBatch.objects.create(tenant=tenant, created_by=user, source=source)
        owned = _lock_invoices(Invoice.objects.filter(tenant=tenant, pk__in=invoice_ids))
        ExportItem.objects.bulk_create(
            [ExportItem(tenant=tenant, batch=batch, invoice_id=pk) for pk in owned], batch_size=1000
        )
        export_route(batch=batch)
    return batch


def export_realtime(*, invoice: Invoice) -> ExportItem | None:
    """Export one finalised invoice at once, on the tenant's receipt for today; None when it
    is already exported (or on its way)."""
    if ExportItem.objects.filter(invoice=invoice, status__in=OPEN_STATUSES + (S.DONE,)).exists():
        return None
    today = timezone.localdate()
    with transaction.atomic():
        batch, _ = ExportBatch.objects.get_or_create(
            tenant=invoice.tenant, realtime_day=today, defaults={"source": "realtime"}
        )
        item, created = ExportItem.objects.get_or_create(batch=batch, invoice=invoice, defaults={"tenant": invoice.tenant})
        if not created:
            # Exported earlier today and then failed: this finalisation is the retry.
            transitions.transition([item.pk], to=S.QUEUED, expect=(S.FAILED, S.LOGIN_ERROR), message="", attempts=0)
        export_route(batch=batch, items=ExportItem.objects.filter(pk=item.pk, status=S.QUEUED))
    return item


def export_retry(*, batch: ExportBatch, item_ids=None) -> int:
    """Failed and login-error items back to queued (after a fix), then routed again."""
    items = ExportItem.objects.filter(batch=batch, status__in=(S.FAILED, S.LOGIN_ERROR))
    if item_ids is not None:
        items = items.filter(pk__in=item_ids)
    with transaction.atomic():
        _lock_invoices(Invoice.objects.filter(pk__in=items.values("invoice_id")))
        moved = transitions.transition(
            items.values_list("pk", flat=True), to=S.QUEUED, expect=(S.FAILED, S.LOGIN_ERROR), message="", attempts=0
        )
        export_route(batch=batch)
    return moved


def _lock_invoices(invoices) -> list[int]:
    """Row-lock the invoices (in pk order, so two exports never deadlock) before queuing them.
    Adding expense rows takes the same lock and re-checks for a queued export inside it: rows
    are either committed before the export is queued, or refused."""
    return list(invoices.select_for_update().order_by("pk").values_list("pk", flat=True))


def export_route(*, batch: ExportBatch, items=None) -> None:
    """Queued items of departments without a credential end as login errors at once (they
    never hold up the others); the rest go to workers in chunks per credential, invoices
    before credit notes so a credit note finds the invoice it credits already in 24SO."""
    serving = credentials_by_department(batch.tenant)
    queued = items if items is not None else ExportItem.objects.filter(batch=batch, status=S.QUEUED)
    rows = queued.values_list("pk", "invoice__department_id", "invoice__department__code", "invoice__kind")
    by_credential = defaultdict(lambda: ([], []))
    orphans = defaultdict(list)
    for item_id, department_id, code, kind in rows.order_by("invoice__number"):
        credential = serving.get(department_id)
        if credential is None:
            orphans[code].append(item_id)
        else:
            by_credential[credential.pk][kind == InvoiceKind.CREDIT_NOTE].append(item_id)
    for code, item_ids in orphans.items():
        transitions.transition(
            item_ids, to=S.LOGIN_ERROR, expect=(S.QUEUED,),
            message=f"Department {code} has no 24SevenOffice credential. Add one under Credentials, then retry.",
        )
    due = timezone.now() + timedelta(seconds=DISPATCH_GRACE_SECONDS)
    for credential_id, (invoice_items, credit_items) in by_credential.items():
        for chunk in _chunks(invoice_items) + _chunks(credit_items):
            ExportItem.objects.filter(pk__in=chunk, status=S.QUEUED).update(next_attempt_at=due)
            _enqueue_on_commit(credential_id, chunk)
    # Login errors alone can finish an export here; mail only once the receipt is committed.
    transaction.on_commit(partial(alerts.export_alert_quietly, batch.pk))


def _chunks(ids, size=CHUNK_SIZE):
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _enqueue_on_commit(credential_id, item_ids, countdown=None):
    from exports.tasks import export_send_chunk

    options = {"countdown": countdown} if countdown else {}
    transaction.on_commit(lambda: export_send_chunk.apply_async((credential_id, item_ids), **options))


def export_summary(batch: ExportBatch) -> dict:
    """Counts per status and whether the export has finished, in one query."""
    counts = {status: 0 for status in S.values}
    for status, n in ExportItem.objects.filter(batch=batch).values_list("status").annotate(n=Count("pk")).order_by():
        counts[status] = n
    total = sum(counts.values())
    open_count = counts[S.QUEUED] + counts[S.IN_TRANSFER]
    return {"counts": counts, "total": total, "finished": open_count == 0, "processed": total - open_count}


# --- Sending --------------------------------------------------------------------------------


@dataclass
class Outcome:
    status: str
    message: str = ""
    order_id: int | None = None
    invoice_id: int | None = None
    transaction_no: int | None = None  # a voucher's number


def export_send_chunk(*, credential_id: int, item_ids: list[int]) -> None:
    """Send one chunk of items through one credential. Raises RemoteUnavailable (after
    putting the items back in the queue) when the caller should retry later."""
    try:
        _send_chunk(credential_id=credential_id, item_ids=item_ids)
    finally:
        # Whichever way the chunk ended (login errors return early), it may have finished its export.
        alerts.export_alerts_for_items(item_ids)
        from exports.series_watch import series_check_after_chunk  # it imports this module

        series_check_after_chunk(credential_id, item_ids)


def _send_chunk(*, credential_id: int, item_ids: list[int]) -> None:
    credential = SevenOfficeCredential.objects.filter(pk=credential_id).first()
    claimed = transitions.claim(item_ids, lease_seconds=LEASE_SECONDS)
    _settle_unclaimable(item_ids, claimed)
    if not claimed:
        return
    items = list(
        ExportItem.objects.filter(pk__in=claimed).select_related(
            "tenant", "invoice__customer", "invoice__project__customer", "invoice__department", "invoice__credits"
        ).prefetch_related(Prefetch("invoice__lines", queryset=InvoiceLine.objects.order_by("position")))
    )
    if credential is None:
        _record_all(items, Outcome(S.LOGIN_ERROR, "The credential was removed; add one under Credentials, then retry."))
        return
    try:
        outcomes = _send_by_route(credential, items)
    except so_errors.CredentialsError as exc:
        departments = ", ".join(sorted({i.invoice.department.code for i in items}))
        _record_all(items, Outcome(S.LOGIN_ERROR, f"24SevenOffice refused the login for {departments}: {exc}"))
        return
    except so_errors.RemoteUnavailable as exc:
        _requeue(items, exc)
        raise
    waiting = [item for item in items if outcomes[item.pk].status == S.QUEUED]
    _record_each([(item, outcomes[item.pk]) for item in items if outcomes[item.pk].status not in (S.QUEUED, TAKEN_OVER)])
    if waiting:
        transitions.transition(
            [i.pk for i in waiting], to=S.QUEUED, expect=(S.IN_TRANSFER,), token=waiting[0].claim_token,
            message=outcomes[waiting[0].pk].message,
            lease_until=None, claim_token=None, attempts=F("attempts") - 1,  # waiting is not a failed attempt
            next_attempt_at=timezone.now() + timedelta(seconds=DISPATCH_GRACE_SECONDS),
        )
        _enqueue_on_commit(credential_id, [i.pk for i in waiting], countdown=WAIT_FOR_CREDITED_SECONDS)


def _send_by_route(credential, items) -> dict[int, "Outcome"]:
    """Each item goes the way its route says (invoice, order or voucher); one sender per route."""
    integration = integration_settings(items[0].tenant)
    by_route = defaultdict(list)
    for item in items:
        item.sent_as = document_route(item.invoice, integration)
        by_route[item.sent_as].append(item)
    outcomes = {}
    for route, route_items in by_route.items():
        outcomes.update(SENDERS[route](credential, route_items).send())
    return outcomes


def _settle_unclaimable(item_ids, claimed):
    """Items left queued because their invoice is live in another item: done there means this
    receipt's copy is a duplicate (the same invoice was sent by someone else)."""
    leftover = list(ExportItem.objects.filter(pk__in=set(item_ids) - set(claimed), status=S.QUEUED))
    if not leftover:
        return
    # One query for all of them: the item that already carried each invoice to 24SO.
    done = {
        item.invoice_id: item
        for item in ExportItem.objects.filter(invoice_id__in=[i.invoice_id for i in leftover], status=S.DONE)
    }
    for item in leftover:
        live = done.get(item.invoice_id)
        if live is not None:
            transitions.transition(
                [item.pk], to=S.DUPLICATE, expect=(S.QUEUED,),
                message=f"Already exported in export {live.batch_id} as 24SO {live.sevenoffice_document.lower() or 'document'}.",
                sevenoffice_invoice_id=live.sevenoffice_invoice_id, sevenoffice_order_id=live.sevenoffice_order_id,
                sent_as=live.sent_as,
            )


def _record_each(pairs) -> None:
    """Record each item's outcome: one guarded UPDATE per status (and claim), not one per item."""
    groups = defaultdict(dict)
    for item, outcome in pairs:
        groups[outcome.status, item.claim_token][item.pk] = _recorded_fields(item, outcome)
    for (status, token), values_by_id in groups.items():
        transitions.transition_each(
            values_by_id, to=status, expect=(S.IN_TRANSFER,), token=token, lease_until=None, claim_token=None
        )


def _recorded_fields(item: ExportItem, outcome: Outcome) -> dict:
    fields = {"message": outcome.message[:2000]}
    if outcome.order_id is not None:
        fields["sevenoffice_order_id"] = outcome.order_id
    if outcome.invoice_id is not None:
        fields["sevenoffice_invoice_id"] = outcome.invoice_id
    if outcome.transaction_no is not None:
        fields["sevenoffice_transaction_no"] = outcome.transaction_no
    if outcome.status in (S.DONE, S.DUPLICATE):
        fields["sent_as"] = item.sent_as
        fields["sevenoffice_username"] = item.sevenoffice_username
        fields["sevenoffice_identity_id"] = item.sevenoffice_identity_id
    return fields


def _record_all(items, outcome: Outcome) -> None:
    _record_each([(item, outcome) for item in items])


def _requeue(items, exc: so_errors.RemoteUnavailable) -> None:
    """A retryable fault: back to the queue with backoff and jitter, or failed after MAX_ATTEMPTS.

    Waiting for another worker's create in 24SO is not a failed attempt: that claim ends, or
    goes stale and is taken over, so the wait is bounded without spending the item's tries."""
    waiting = isinstance(exc, bindings.BindingBusy)
    attempts = max(i.attempts for i in items)
    if attempts >= MAX_ATTEMPTS and not waiting:
        _record_all(items, Outcome(S.FAILED, f"24SevenOffice did not answer after {attempts} attempts: {exc}"))
        return
    delay = retry_delay(attempts)
    message = f"24SevenOffice unavailable ({exc}); retrying in {delay:.0f} s"
    fields = {"attempts": F("attempts") - 1} if waiting else {}
    transitions.transition(
        [i.pk for i in items], to=S.QUEUED, expect=(S.IN_TRANSFER,), token=items[0].claim_token, message=message[:2000],
        lease_until=None, claim_token=None, next_attempt_at=timezone.now() + timedelta(seconds=delay), **fields,
    )


def retry_delay(attempts: int) -> float:
    """Exponential backoff with full jitter, capped (EXPORT_RETRY_BASE/MAX_SECONDS)."""
    ceiling = min(settings.EXPORT_RETRY_MAX_SECONDS, settings.EXPORT_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return random.uniform(min(1.0, ceiling), ceiling)


class ChunkSender:
    """Everything one SaveInvoices call needs, gathered with as few 24SO calls as possible."""

    order_status = OrderStatus.INVOICED  # 24SO invoices it at once and assigns the invoice number
    reconciles_by_number = True  # 24SO's invoice number is meant to be the hub's

    def __init__(self, credential: SevenOfficeCredential, items: list[ExportItem]):
        self.credential = credential
        self.items = items
        self.tenant = items[0].tenant
        self.client = sync.client_for(credential)

    def send(self) -> dict[int, Outcome]:
        self._bind_items()
        outcomes: dict[int, Outcome] = {}
        pending = self._reconcile(outcomes)
        orders = self._orders(pending, outcomes)
        if orders:
            held = set(transitions.renew(list(orders), token=self.items[0].claim_token, lease_seconds=LEASE_SECONDS))
            sent = [item for item in pending if item.pk in orders and item.pk in held]
            for item in pending:
                if item.pk in orders and item.pk not in held:
                    outcomes[item.pk] = Outcome(TAKEN_OVER)  # another worker holds it now: leave it alone
            ExportItem.objects.filter(pk__in=[i.pk for i in sent]).update(sent_at=timezone.now())
            results = self.client.save_invoices([orders[i.pk] for i in sent])
            for item, result in zip(sent, results):
                outcomes[item.pk] = self._outcome(item, result)
        return outcomes

    def _bind_items(self) -> None:
        """The 24SO client these items go to, recorded on each."""
        self.identity_id = self._identity_id()
        for item in self.items:
            item.sevenoffice_username = self.credential.username
            item.sevenoffice_identity_id = self.identity_id

    def _identity_id(self) -> str:
        if chosen := credential_identity(self.credential):
            return chosen
        identities = self.client.identities()
        if len(identities) != 1:
            raise so_errors.IdentityRequired(identities)
        return identities[0].id

    def _reconcile(self, outcomes) -> list[ExportItem]:
        """Before sending: invoices 24SO already holds. Ours (our reference on it, from a
        write whose answer was lost) are done; another invoice under our number is a duplicate."""
        found = []
        if self.reconciles_by_number:
            numbers = [item.invoice.number for item in self.items]
            found = self.client.get_invoices(
                invoice_ids=numbers, invoice_properties=RECONCILE_PROPERTIES, row_properties=()
            )
        retried = [item for item in self.items if item.sent_at is not None]
        if retried:
            since = min(item.sent_at for item in retried) - PREVIOUS_WRITE_WINDOW
            customer_ids = SevenOfficeBinding.objects.filter(
                tenant=self.tenant, identity_id=self.identity_id, kind=BindingKind.CUSTOMER,
                key__in=[str(i.invoice.customer_id) for i in retried], sevenoffice_id__isnull=False,
            ).values_list("sevenoffice_id", flat=True)
            if customer_ids:
                found += self.client.get_invoices(
                    customer_ids=list(customer_ids), changed_after=since,
                    invoice_properties=RECONCILE_PROPERTIES, row_properties=(),
                )
        by_reference = {o.reference_number: o for o in found if o.reference_number}
        # An order the hub sent, published in 24SO since, is no other invoice under our number.
        hub_orders = orders_sent_by_hub(self.identity_id, [o.order_id for o in found if o.invoice_id])
        by_number = {o.invoice_id: o for o in found if o.invoice_id and o.order_id not in hub_orders}
        pending = []
        for item in self.items:
            ours = by_reference.get(hub_reference(item.invoice))
            other = by_number.get(item.invoice.number) if self.reconciles_by_number else None
            if ours is not None:
                outcomes[item.pk] = Outcome(
                    S.DONE, "Already in 24SevenOffice from an earlier attempt; not sent again.",
                    order_id=ours.order_id, invoice_id=ours.invoice_id,
                )
            elif other is not None:
                outcomes[item.pk] = Outcome(
                    S.DUPLICATE,
                    f"24SevenOffice already has invoice number {item.invoice.number} (order {other.order_id}), "
                    "not sent by this hub.",
                    order_id=other.order_id, invoice_id=other.invoice_id,
                )
            else:
                pending.append(item)
        return pending

    def _orders(self, items, outcomes) -> dict[int, InvoiceOrder]:
        if not items:
            return {}
        customers = self._customer_ids(items)
        projects = self._project_ids(items)
        products = self._product_ids(items)
        rates = {line.vat_rate.normalize() for item in items for line in item.invoice.lines.all()}
        tax_codes = tax_codes_for(self.client, self.identity_id, rates)
        self._credited_items(items)
        orders = {}
        for item in items:
            try:
                orders[item.pk] = self._order(item, customers, projects, products, tax_codes)
            except OrderNotReady as exc:
                outcomes[item.pk] = Outcome(exc.status, str(exc))
        return orders

    def _order(self, item, customers, projects, products, tax_codes) -> InvoiceOrder:
        invoice = item.invoice
        customer_id = customers.get(str(invoice.customer_id))
        if not isinstance(customer_id, int):
            raise OrderNotReady(f"Customer {invoice.customer.name} is not in 24SevenOffice: {customer_id}")
        credited = self._credited(invoice) if invoice.kind == InvoiceKind.CREDIT_NOTE else {}
        sign = -1 if invoice.kind == InvoiceKind.CREDIT_NOTE else 1
        rows = []
        for line in invoice.lines.all():
            product_id = products.get(line.product_number)
            if not isinstance(product_id, int):
                raise OrderNotReady(self._product_problem(line, product_id))
            tax = tax_codes.get(line.vat_rate.normalize())
            if tax is None:  # never a guessed code: the accountant fixes the rate or adds the code
                raise OrderNotReady(f"24SevenOffice has no VAT code for {line.vat_rate.normalize():f} %.")
            rows.append(
                InvoiceRow(
                    product_id=product_id, name=line.sevenoffice_name, quantity=sign * abs(line.quantity),
                    price=line.unit_price, discount_rate=line.discount_percent, sequence_number=line.position,
                    tax_code=int(tax.no) if tax.no and tax.no.isdigit() else tax.id,
                )
            )
        project_id = projects.get(str(invoice.project_id)) if invoice.project_id else None  # None: not synced yet
        return InvoiceOrder(
            customer_id=customer_id,
            order_status=self.order_status,
            rows=tuple(rows),
            date_ordered=invoice.invoice_date,
            payment_time=max((invoice.due_date - invoice.invoice_date).days, 0),
            your_reference=invoice.your_reference[:50] or None,
            reference_number=hub_reference(invoice),
            invoice_text=invoice.text[:750] or None,
            project_id=project_id if isinstance(project_id, int) else None,
            department_id=invoice.department.sevenoffice_department_id,
            # An organisation customer: 24SO has the organisation; the person goes on the invoice.
            invoice_title=invoice.customer.name[:300] if invoice.customer.organization_name else None,
            currency=invoice.currency or None,
            **credited,
        )

    def _credited_items(self, items) -> None:
        """The export items of the invoices this chunk's credit notes credit, in one query:
        the one that carried each to 24SO (done), and which are still on their way (open)."""
        credited_ids = {i.invoice.credits_id for i in items if i.invoice.kind == InvoiceKind.CREDIT_NOTE}
        self.credited_done, self.credited_open = {}, set()
        for credited in ExportItem.objects.filter(
            invoice_id__in=credited_ids - {None}, status__in=(S.DONE, *OPEN_STATUSES)
        ).order_by("-pk"):
            if credited.status == S.DONE:
                self.credited_done[credited.invoice_id] = credited  # the lowest pk wins, as .first() did
            else:
                self.credited_open.add(credited.invoice_id)

    def _credited(self, invoice) -> dict:
        """What a credit note refers to in 24SO (ReferenceInvoiceId); raises OrderNotReady
        while the credited invoice is not there."""
        credited = self.credited_done.get(invoice.credits_id)
        if credited is not None and credited.sevenoffice_invoice_id is not None:
            return {"reference_invoice_id": credited.sevenoffice_invoice_id}
        if credited is not None and credited.sent_as == SentAs.ORDER:
            raise OrderNotReady(
                f"The credited invoice {invoice.credits.number} went to 24SevenOffice as order "
                f"{credited.sevenoffice_order_id}, not as an invoice; credit it there once it is published."
            )
        if invoice.credits_id in self.credited_open:
            raise CreditedInvoicePending(f"Waiting for the credited invoice {invoice.credits.number} to reach 24SevenOffice.")
        raise OrderNotReady(f"The credited invoice {invoice.credits.number} is not in 24SevenOffice yet; export it first.")

    def _product_problem(self, line, error) -> str:
        return f"Product {line.product_number} could not be created in 24SevenOffice: {error}"

    def _outcome(self, item, result) -> Outcome:
        if result.ok:
            order = result.record
            return Outcome(S.DONE, "", order_id=order.order_id, invoice_id=order.invoice_id)
        return Outcome(S.FAILED, f"{result.error.message} ({result.error.type})" if result.error.type else result.error.message)

    # 24SO records the invoices need, found or created once per client ------------------------

    def _customer_ids(self, items) -> dict[str, int | Exception]:
        """24SO ids of the chunk's customers in this client, matched or created by the sync's rules."""
        customers = {i.invoice.customer_id: i.invoice.customer for i in items}.values()
        found = sync.customer_ids_for_export(self.client, self.tenant, self.identity_id, customers)
        return {str(pk): outcome for pk, outcome in found.items()}

    def _project_ids(self, items) -> dict[str, int | None]:
        ids = {}
        for project in {i.invoice.project_id: i.invoice.project for i in items if i.invoice.project_id}.values():
            known = SevenOfficeBinding.objects.filter(
                tenant=self.tenant, identity_id=self.identity_id, kind=BindingKind.PROJECT, key=str(project.pk),
                sevenoffice_id__isnull=False,
            ).values_list("sevenoffice_id", flat=True).first()
            ids[str(project.pk)] = known or sync.project_sync_in(self.client, self.tenant, self.identity_id, project)
        return ids

    def _product_ids(self, items) -> dict[str, int | Exception]:
        names = {}
        for item in items:
            for line in item.invoice.lines.all():
                names.setdefault(line.product_number, line.product_name)

        def lookup(keys):
            wanted = set(keys)
            # One call lists the client's products; cheaper than one search per number.
            return {p.no: p.id for p in self.client.get_products() if p.no in wanted and p.id is not None}

        def make(keys):
            category_id = self._category_id()
            new = [Product(name=names[k][:125], no=k, category_id=category_id) for k in keys]
            return products.ids_or_errors(keys, self.client.save_products(new))

        return self._resolve(BindingKind.PRODUCT, names, lookup, make)

    def _category_id(self) -> int:
        return products.category_id_for(self.client, self.tenant, self.identity_id, PRODUCT_CATEGORY_NAME)

    def _resolve(self, kind, records: dict, lookup, make):
        return bindings.bindings_resolve(
            tenant=self.tenant, identity_id=self.identity_id, kind=kind, keys=records.keys(), lookup=lookup, create=make
        )


class OrderSender(ChunkSender):
    """Orders ("data for accounting"): 24SO keeps them as orders, unsent to the customer,
    until someone there publishes them as invoices. Rows may all use one generic product."""

    # OrderSlipStateType "ForInvoicing" is the state of an order waiting to be invoiced: it
    # stays an order (no invoice number, no ledger lines, nothing goes to the customer) until
    # someone publishes it inside 24SO. Draft and Offer would read as unconfirmed quotes, and
    # Invoiced would invoice it at once.
    order_status = OrderStatus.FOR_INVOICING
    generic_name = ""
    # 24SO numbers an order's invoice only when it is published, so an invoice under the hub's
    # number says nothing about this order: our ReferenceNumber alone finds it again.
    reconciles_by_number = False

    def _product_ids(self, items) -> dict[str, int | Exception]:
        """With a generic product set, every row uses it, whatever its product number."""
        integration = integration_settings(self.tenant)
        self.generic_name = integration.generic_product_name.strip()
        if not self.generic_name:
            return super()._product_ids(items)
        product_id = products.generic_product_id(
            self.client, self.tenant, self.identity_id, name=self.generic_name,
            category=integration.generic_product_category.strip() or PRODUCT_CATEGORY_NAME,
        )
        return {line.product_number: product_id for item in items for line in item.invoice.lines.all()}

    def _product_problem(self, line, error) -> str:
        if self.generic_name:
            return f"The generic product {self.generic_name} could not be found or created in 24SevenOffice: {error}"
        return super()._product_problem(line, error)

    def _credited(self, invoice) -> dict:
        """A credit note goes as an order too (negative rows), pointing at the credited order
        (ReferenceOrderId), or at its invoice when that went as an invoice; someone publishes
        it in 24SO as the credit note."""
        credited = self.credited_done.get(invoice.credits_id)
        if credited is not None and credited.sevenoffice_invoice_id is not None:
            return {"reference_invoice_id": credited.sevenoffice_invoice_id}
        if credited is not None and credited.sevenoffice_order_id is not None:
            return {"reference_order_id": credited.sevenoffice_order_id}
        return super()._credited(invoice)


# The sender class for each route (SentAs value): send() -> {item pk: Outcome}.
def _voucher_sender(credential, items):
    from exports.vouchers import VoucherSender  # it builds on ChunkSender, so it imports this module

    return VoucherSender(credential, items)


# The sender class for each route (SentAs value): send() -> {item pk: Outcome}.
SENDERS = {SentAs.INVOICE: ChunkSender, SentAs.ORDER: OrderSender}
SENDERS[SentAs.VOUCHER] = _voucher_sender

RECONCILE_PROPERTIES = ("OrderId", "InvoiceId", "CustomerId", "ReferenceNumber", "OrderStatus")
TAX_CODES_MAX_AGE = 24 * 3600  # seconds; also refreshed at once when a rate is missing
_tax_codes: dict[str, tuple[float, dict]] = {}  # identity -> (fetched at, rate -> TaxCode), per process


def tax_codes_for(client, identity_id: str, rates) -> dict:
    """24SO's VAT codes by rate (AccountService.GetTaxCodeList), cached per client and process:
    a chunk costs no call unless the list is a day old or lacks one of `rates`."""
    fetched_at, codes = _tax_codes.get(identity_id, (0.0, {}))
    if time.monotonic() - fetched_at > TAX_CODES_MAX_AGE or not set(rates) <= codes.keys():
        codes = sales_tax_codes(client.get_tax_codes())
        _tax_codes[identity_id] = (time.monotonic(), codes)
    return codes


# 24SO's list holds purchase codes too, with the same rates as sales codes (1 and 3 are both
# 25 %). Rows of a sales document take the Norwegian standard (SAF-T) sales code for the rate,
# preferred in this order; a client with its own codes gets its single non-purchase code for
# the rate. Several candidates and no standard one: no code, so the document fails, unguessed.
SALES_TAX_NOS = ("3", "31", "32", "33", "5", "6", "0")
PURCHASE_TAX_NOS = frozenset("1 11 12 13 14 15 21 22 81 82 83 84 85 86 87 88 89 91 92".split())


def sales_tax_codes(codes) -> dict:
    """Rate -> the VAT code a sales row with that rate takes."""
    by_rate = defaultdict(list)
    for tax in codes:
        if tax.rate is not None and tax.no not in PURCHASE_TAX_NOS:
            by_rate[tax.rate.normalize()].append(tax)
    chosen = {}
    for rate, candidates in by_rate.items():
        standard = sorted((t for t in candidates if t.no in SALES_TAX_NOS), key=lambda t: SALES_TAX_NOS.index(t.no))
        if standard:
            chosen[rate] = standard[0]
        elif len(candidates) == 1:
            chosen[rate] = candidates[0]
    return chosen


class OrderNotReady(Exception):
    status = S.FAILED


class CreditedInvoicePending(OrderNotReady):
    status = S.QUEUED  # sent again shortly, once the invoice it credits is done


# --- Sweeping -------------------------------------------------------------------------------


def export_sweep(now=None) -> int:
    """Re-dispatch what a lost message or a dead worker left behind; returns the items touched.

    In-transfer items past their lease go back to the queue; their sent_at makes the next
    attempt look for them in 24SO before sending anything.
    """
    now = now or timezone.now()
    expired = ExportItem.objects.filter(status=S.IN_TRANSFER, lease_until__lt=now).values_list("pk", flat=True)
    transitions.transition(
        list(expired), to=S.QUEUED, expect=(S.IN_TRANSFER,), lease_until=None, claim_token=None, next_attempt_at=now,
        message="The transfer was interrupted; checking 24SevenOffice before sending again.",
    )
    # No due time means never handed to a worker (an enqueue lost between commit and broker).
    due = ExportItem.objects.filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True), status=S.QUEUED)
    batches = due.values("batch_id").annotate(first=Min("pk")).values_list("batch_id", flat=True)
    touched = 0
    for batch in ExportBatch.objects.filter(pk__in=list(batches)).select_related("tenant"):
        with transaction.atomic():
            batch_due = due.filter(batch=batch)
            touched += batch_due.count()
            export_route(batch=batch, items=batch_due)
    return touched


