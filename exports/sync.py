"""Real-time customer and project sync to every 24SO client the tenant's credentials reach.

A change bumps the record's sync_version and enqueues a sync after the commit. Per client,
one worker at a time holds the record's binding (claimed_at) and loops until the newest
version is in 24SO, so a burst of changes costs one or two pushes and a change made while a
push is in flight is sent right after it. 24SO assigns customer numbers; the hub keeps them
per client on the binding.
"""

import logging
import time
from dataclasses import dataclass, replace
from datetime import timedelta

from django.db import transaction
from django.db.models import F, IntegerField, Q
from django.db.models.functions import Cast
from django.utils import timezone

from exports.models import BindingKind, Customer, MatchRule, Project, SevenOfficeBinding, SyncStatus
from sevenoffice import errors as so_errors
from sevenoffice.client import SevenOfficeClient
from sevenoffice.types import Address, Company, Credential
from sevenoffice.types import Project as RemoteProject
from tenants.models import SevenOfficeCredential
from tenants.services import credential_identity, integration_settings

log = logging.getLogger(__name__)
HOLD_STALE_SECONDS = 120  # a holder silent this long is presumed dead
QUIET_SECONDS = 0.4  # push once a record has been still this long...
MAX_QUIET_WAIT_SECONDS = 3.0  # ...or after this long, even if it keeps changing
WAIT_FOR_HOLDER_SECONDS = 30


class SyncBlocked(Exception):
    """The record cannot go to 24SO until something else happens (a decision, its customer)."""


@dataclass(frozen=True)
class Target:
    """One 24SO client (identity) the tenant reaches, and the credential that reaches it."""

    credential: SevenOfficeCredential
    identity_id: str

    def client(self, **options) -> SevenOfficeClient:
        return client_for(self.credential, **options)


def client_for(credential: SevenOfficeCredential, **options) -> SevenOfficeClient:
    """A client in the credential's effective 24SO client (its own, else the tenant's default)."""
    return SevenOfficeClient(
        Credential(
            username=credential.username,
            password=credential.reveal_password(),
            identity_id=credential_identity(credential),
        ),
        **options,
    )


def sync_targets(tenant) -> list[Target]:
    """Every distinct 24SO client of the tenant, the all-departments credential's first (the
    "first client", whose customer numbers the API shows as sevenoffice_id)."""
    targets, seen = [], set()
    for credential in tenant.credentials.order_by("-all_departments", "pk"):
        identity_id = credential_identity(credential) or _single_identity(credential)
        if identity_id and identity_id not in seen:
            seen.add(identity_id)
            targets.append(Target(credential, identity_id))
    return targets


def known_identity_order(tenant) -> list[str]:
    """The tenant's client ids in sync_targets order, from the database only (no 24SO call)."""
    order = []
    for identity_id in tenant.credentials.order_by("-all_departments", "pk").values_list("identity_id", flat=True):
        if identity_id and str(identity_id) not in order:
            order.append(str(identity_id))
    return order


def bindings_by_record(tenant, kind, record_ids) -> dict[int, list[SevenOfficeBinding]]:
    """Record id -> its bindings, the tenant's first client first, in two queries."""
    order = {identity: n for n, identity in enumerate(known_identity_order(tenant))}
    rows = SevenOfficeBinding.objects.filter(tenant=tenant, kind=kind, key__in=[str(pk) for pk in record_ids])
    grouped: dict[int, list[SevenOfficeBinding]] = {}
    for binding in sorted(rows, key=lambda b: order.get(str(b.identity_id), len(order))):
        grouped.setdefault(int(binding.key), []).append(binding)
    return grouped


def _single_identity(credential) -> str | None:
    try:
        identities = client_for(credential).identities()
    except so_errors.SevenOfficeError as exc:
        log.warning("sync: cannot list identities of credential %s: %s", credential.pk, exc)
        return None
    return identities[0].id if len(identities) == 1 else None


# --- Change tracking ------------------------------------------------------------------------


def customer_changed(customer: Customer) -> None:
    """Call after a customer was created or changed: 24SO gets it right after the commit."""
    Customer.objects.filter(pk=customer.pk).update(sync_version=F("sync_version") + 1)
    _enqueue_on_commit("exports.sync_customer", customer.pk)


def project_changed(project: Project) -> None:
    Project.objects.filter(pk=project.pk).update(sync_version=F("sync_version") + 1)
    _enqueue_on_commit("exports.sync_project", project.pk)


def _enqueue_on_commit(task_name: str, record_id: int) -> None:
    from hub.celery import app

    transaction.on_commit(lambda: app.send_task(task_name, (record_id,)))


# --- Customers --------------------------------------------------------------------------------


def customer_sync(customer_id: int) -> None:
    """Push one customer to every client. Raises RemoteUnavailable when worth retrying."""
    customer = Customer.objects.select_related("tenant").filter(pk=customer_id).first()
    if customer is not None:
        _in_every_client(customer.tenant, customer_sync_in, customer)


def _in_every_client(tenant, sync_in, record) -> None:
    """Run `sync_in` for each of the tenant's clients; an unavailable one does not stop the
    others, and is raised at the end so the task retries."""
    unavailable = None
    for target in sync_targets(tenant):
        try:
            sync_in(target.client(), tenant, target.identity_id, record)
        except so_errors.RemoteUnavailable as exc:
            unavailable = exc
    if unavailable is not None:
        raise unavailable


def customer_sync_in(client, tenant, identity_id, customer) -> int | None:
    """Bring `customer` up to date in one client and return its 24SO id; None when another
    worker holds it (that worker sends the newest version before letting go)."""
    binding = _binding(tenant, identity_id, BindingKind.CUSTOMER, customer.pk)
    while _hold(binding):
        try:
            _push_customer_versions(client, tenant, binding, customer)
        finally:
            SevenOfficeBinding.objects.filter(pk=binding.pk).update(claimed_at=None)
        # Let go first, then look again: a change that arrived while we held the binding
        # found it busy and left it to us.
        customer.refresh_from_db(fields=["sync_version"])
        binding.refresh_from_db()
        if binding.version_synced >= customer.sync_version or binding.sync_status != SyncStatus.SYNCED:
            break
    binding.refresh_from_db()
    return binding.sevenoffice_id


def _wait_until_quiet(record) -> None:
    """Coalesce a burst: wait until the record has not changed for QUIET_SECONDS (at most
    MAX_QUIET_WAIT_SECONDS), so fifty changes in a second become one or two pushes."""
    deadline = time.monotonic() + MAX_QUIET_WAIT_SECONDS
    while time.monotonic() < deadline:
        record.refresh_from_db(fields=["updated_at"])
        still_for = (timezone.now() - record.updated_at).total_seconds()
        if still_for >= QUIET_SECONDS:
            return
        time.sleep(min(QUIET_SECONDS - still_for, deadline - time.monotonic()) + 0.01)


def _push_customer_versions(client, tenant, binding, customer) -> None:
    while True:
        _wait_until_quiet(customer)
        customer.refresh_from_db()
        version = customer.sync_version
        if _up_to_date(binding, version):
            return  # a task queued during a burst whose version an earlier push already carried
        try:
            remote_id, rule = _push_customer(client, tenant, binding, customer)
        except SyncBlocked as exc:
            _set(binding, sync_status=SyncStatus.NEEDS_DECISION, sync_message=str(exc))
            return
        except so_errors.RecordRejected as exc:
            _set(binding, sync_status=SyncStatus.ERROR, sync_message=f"24SevenOffice refused it: {exc}")
            return
        except so_errors.SevenOfficeError as exc:
            _set(binding, sync_status=SyncStatus.ERROR, sync_message=str(exc))
            raise
        _set(binding, sevenoffice_id=remote_id, match_rule=rule or binding.match_rule, sync_status=SyncStatus.SYNCED,
             sync_message="", synced_at=timezone.now(), version_synced=version, candidates=[], alerted_at=None)
        _projects_waiting_for(customer, binding.identity_id)
        if Customer.objects.filter(pk=customer.pk, sync_version__gt=version).exists():
            continue  # changed while we were pushing: the newest version wins
        return


@dataclass(frozen=True)
class Match:
    """Where a customer lives in 24SO: an existing id (or None to create), and how it was found.
    `save` says whether the hub's data must be written there (not for the factoring customer)."""

    remote_id: int | None
    rule: str | None
    save: bool = True


def _match_customer(client, tenant, binding, customer, *, may_exist: bool = True) -> Match:
    """Decide, with reads only, which 24SO customer this is. Raises SyncBlocked when e-mail
    and organisation number point at different customers. `may_exist` False skips looking
    for the hub's own earlier create (the binding was never tried before)."""
    factoring_id = integration_settings(tenant).factoring_customer_id
    if factoring_id:
        return Match(factoring_id, MatchRule.FACTORING, save=False)  # everyone is invoiced under it
    if binding.sevenoffice_id:
        return Match(binding.sevenoffice_id, None)
    if binding.chosen_sevenoffice_id:
        return Match(binding.chosen_sevenoffice_id, MatchRule.CHOSEN)
    # Our own earlier create whose answer was lost carries our external id.
    if may_exist and (found := client.get_companies(external_id=customer_external_id(customer))):
        return Match(found[0].id, MatchRule.EXTERNAL_ID)
    by_email = client.get_companies(email=customer.email) if customer.email else []
    by_org = client.get_companies(organization_number=customer.organization_number) if customer.organization_number else []
    email_ids, org_ids = {c.id for c in by_email}, {c.id for c in by_org}
    if by_email and by_org and not email_ids & org_ids:
        # E-mail and organisation number point at different customers: an admin chooses.
        _set(binding, candidates=[
            {"id": c.id, "name": c.name, "matched_by": rule}
            for rule, companies in ((MatchRule.EMAIL, by_email), (MatchRule.ORGANIZATION_NUMBER, by_org))
            for c in companies
        ])
        raise SyncBlocked(
            f"E-mail {customer.email} and organisation number {customer.organization_number} match different "
            "24SevenOffice customers; an admin must choose."
        )
    if common := email_ids & org_ids:
        return Match(min(common), MatchRule.ORGANIZATION_NUMBER)
    if by_org:
        return Match(by_org[0].id, MatchRule.ORGANIZATION_NUMBER)
    if by_email:
        return Match(by_email[0].id, MatchRule.EMAIL)
    return Match(None, MatchRule.CREATED)


def _push_customer(client, tenant, binding, customer) -> tuple[int, str | None]:
    """(24SO id, the rule that found it, or None for an update of a known customer)."""
    match = _match_customer(client, tenant, binding, customer, may_exist=_was_tried(binding))
    if not match.save:
        return match.remote_id, match.rule
    saved = client.save_company(company_for(customer, match.remote_id))
    return (saved.id if saved.id is not None else match.remote_id), match.rule


def _was_tried(binding) -> bool:
    """Whether a create may already have reached 24SO for this binding."""
    return bool(getattr(binding, "taken_over", False) or binding.synced_at or binding.match_rule
                or binding.sync_status != SyncStatus.PENDING or binding.version_synced)


def customer_choose_match(*, customer: Customer, identity_id: str, sevenoffice_id: int) -> None:
    """An admin's answer to "which 24SO customer is this?"; kept for good."""
    binding = _binding(customer.tenant, identity_id, BindingKind.CUSTOMER, customer.pk)
    allowed = {c["id"] for c in binding.candidates}
    if sevenoffice_id not in allowed:
        raise ValueError(f"{sevenoffice_id} is not one of the candidates")
    _set(binding, chosen_sevenoffice_id=sevenoffice_id, sync_status=SyncStatus.PENDING, sync_message="")
    customer_changed(customer)


def customer_external_id(customer) -> str:
    return f"HUB-{customer.pk}"


def company_for(customer, remote_id: int | None = None) -> Company:
    def address(street, postal_code, city, country):
        if not (street or postal_code or city):
            return None
        return Address(street=street or None, postal_code=postal_code or None, city=city or None,
                       country=country or None)

    return Company(
        id=remote_id,
        name=customer.sevenoffice_name[:200],
        external_id=customer_external_id(customer),
        organization_number=customer.organization_number or None,
        email=customer.email or None,
        phone=customer.phone or None,
        country=customer.country or None,
        post_address=address(customer.street, customer.postal_code, customer.city, customer.country),
        visit_address=address(customer.visit_street, customer.visit_postal_code, customer.visit_city,
                              customer.visit_country or customer.country),
    )


def customer_ids_for_export(client, tenant, identity_id, customers) -> dict[int, int | Exception]:
    """24SO ids in this client for a chunk's customers: known ones from their bindings; new
    ones matched with reads and written in one SaveCompanies call, not one call each; known
    ones changed since their last push (address and the like) are updated in that call too.
    A customer waiting for an admin's choice or refused by 24SO maps to the exception."""
    results: dict[int, int | Exception] = {}
    todo = []
    bindings = _bindings(tenant, identity_id, BindingKind.CUSTOMER, [c.pk for c in customers])
    for customer in customers:
        binding = bindings[customer.pk]
        current = binding.version_synced >= customer.sync_version
        if binding.sevenoffice_id and binding.sync_status != SyncStatus.NEEDS_DECISION and current:
            results[customer.pk] = binding.sevenoffice_id
        elif binding.sync_status == SyncStatus.NEEDS_DECISION and not binding.chosen_sevenoffice_id:
            results[customer.pk] = SyncBlocked(binding.sync_message)
        else:
            todo.append((customer, binding))
    held = [(customer, binding) for customer, binding in todo if _hold(binding)]
    try:
        plans = []
        for customer, binding in held:
            customer.refresh_from_db()
            try:
                match = _match_customer(client, tenant, binding, customer, may_exist=_was_tried(binding))
            except SyncBlocked as exc:
                _set(binding, sync_status=SyncStatus.NEEDS_DECISION, sync_message=str(exc))
                results[customer.pk] = exc
                continue
            plans.append((customer, binding, match, customer.sync_version))
        to_save = [plan for plan in plans if plan[2].save]
        saved = client.save_companies([company_for(c, m.remote_id) for c, _, m, _ in to_save]) if to_save else []
        outcomes = {plan[0].pk: result for plan, result in zip(to_save, saved)}
        for customer, binding, match, version in plans:
            result = outcomes.get(customer.pk)
            if result is not None and not result.ok:
                _set(binding, sync_status=SyncStatus.ERROR, sync_message=f"24SevenOffice refused it: {result.error.message}")
                # A refused update leaves the customer in 24SO as it was: still good to invoice.
                results[customer.pk] = match.remote_id or so_errors.RecordRejected(result.error.type, result.error.message)
                continue
            remote_id = (result.record.id if result is not None and result.record.id else None) or match.remote_id
            _set(binding, sevenoffice_id=remote_id, match_rule=match.rule or binding.match_rule, sync_status=SyncStatus.SYNCED,
                 sync_message="", synced_at=timezone.now(), version_synced=version, candidates=[], alerted_at=None)
            results[customer.pk] = remote_id
    except so_errors.RemoteUnavailable as exc:
        for _, binding in held:
            if not binding.sevenoffice_id:
                _set(binding, sync_status=SyncStatus.ERROR, sync_message=str(exc))
        raise
    finally:
        SevenOfficeBinding.objects.filter(pk__in=[b.pk for _, b in held]).update(claimed_at=None)
    waiting = [(c, b) for c, b in todo if c.pk not in results]
    if waiting:
        results.update(_wait_for_holders(waiting))
    return results


def _wait_for_holders(waiting) -> dict[int, int]:
    """Customers another worker is sending right now: wait for their ids."""
    deadline = time.monotonic() + WAIT_FOR_HOLDER_SECONDS
    ids = {}
    while True:
        for customer, binding in waiting:
            binding.refresh_from_db()
            if binding.sevenoffice_id and binding.sync_status == SyncStatus.SYNCED:
                ids[customer.pk] = binding.sevenoffice_id
        if len(ids) == len(waiting):
            return ids
        if time.monotonic() > deadline:
            raise so_errors.RemoteUnavailable("another worker is still sending these customers to 24SO", ambiguous=False)
        time.sleep(0.2)


# --- Projects ---------------------------------------------------------------------------------


def project_sync(project_id: int) -> None:
    project = Project.objects.select_related("tenant", "customer").filter(pk=project_id).first()
    if project is not None:
        _in_every_client(project.tenant, project_sync_in, project)


def project_sync_in(client, tenant, identity_id, project) -> int | None:
    binding = _binding(tenant, identity_id, BindingKind.PROJECT, project.pk)
    if not _hold(binding):
        return None
    try:
        while True:
            _wait_until_quiet(project)
            project.refresh_from_db()
            version = project.sync_version
            if _up_to_date(binding, version):
                return binding.sevenoffice_id
            customer_id = None
            if project.customer_id:
                customer_binding = SevenOfficeBinding.objects.filter(
                    tenant=tenant, identity_id=identity_id, kind=BindingKind.CUSTOMER, key=str(project.customer_id),
                    sevenoffice_id__isnull=False,
                ).first()
                if customer_binding is None:
                    # The project follows its customer: the customer's sync re-enqueues it.
                    _set(binding, sync_status=SyncStatus.PENDING,
                         sync_message=f"Waiting for customer {project.customer.name} to reach 24SevenOffice.")
                    _sync_customer_after_commit(project.customer)
                    return None
                customer_id = customer_binding.sevenoffice_id
            try:
                remote_id = _save_project(client, tenant, binding, project, customer_id)
            except so_errors.RecordRejected as exc:
                _set(binding, sync_status=SyncStatus.ERROR, sync_message=f"24SevenOffice refused it: {exc}")
                return None
            except so_errors.SevenOfficeError as exc:
                _set(binding, sync_status=SyncStatus.ERROR, sync_message=str(exc))
                raise
            _set(binding, sevenoffice_id=remote_id, sync_status=SyncStatus.SYNCED, sync_message="", alerted_at=None,
                 synced_at=timezone.now(), version_synced=version, match_rule=binding.match_rule or MatchRule.CREATED)
            if not Project.objects.filter(pk=project.pk, sync_version__gt=version).exists():
                return remote_id
    finally:
        SevenOfficeBinding.objects.filter(pk=binding.pk).update(claimed_at=None)


def _save_project(client, tenant, binding, project, customer_id) -> int:
    """ProjectService.SaveProject: update the known project, or find our earlier one, or create."""
    remote_id = binding.sevenoffice_id
    remote = project_for(project, customer_id, integration_settings(tenant).project_client_id)
    if remote_id is None:
        # A create whose answer was lost: our reference number is on it.
        for candidate in client.get_projects(customer_id=customer_id) if customer_id else []:
            if candidate.order_reference_number == remote.order_reference_number and candidate.name == remote.name:
                remote_id = candidate.id
                break
    if remote_id is not None:
        remote = replace(remote, id=remote_id)
    return client.save_project(remote) or remote_id


def project_for(project, customer_id: int | None, client_id: int | None = None) -> RemoteProject:
    # 24SO assigns project ids; the hub's project number (prefixed by the tenant's fixed
    # client id when set) travels in OrderReferenceNumber, where the hub can find it again.
    number = project.number or str(project.pk)
    reference = f"{client_id}-{number}" if client_id else number
    return RemoteProject(name=project.name[:200], customer_id=customer_id, order_reference_number=reference[:50])


def _sync_customer_after_commit(customer) -> None:
    """Nudge a project's customer along (its version is unchanged, so a synced one is a no-op)."""
    transaction.on_commit(lambda: _send("exports.sync_customer", customer.pk))


def _projects_waiting_for(customer, identity_id) -> None:
    """Enqueue the customer's projects that are not yet in this client (they waited for it)."""
    in_client = SevenOfficeBinding.objects.filter(
        tenant_id=customer.tenant_id, identity_id=identity_id, kind=BindingKind.PROJECT, sevenoffice_id__isnull=False
    ).annotate(project_id=Cast("key", IntegerField())).values("project_id")
    waiting = Project.objects.filter(customer=customer).exclude(pk__in=in_client)
    for project_id in waiting.values_list("pk", flat=True):
        _send("exports.sync_project", project_id)


def _send(task_name, record_id):
    from hub.celery import app

    app.send_task(task_name, (record_id,))


# --- Bindings -----------------------------------------------------------------------------------


def _binding(tenant, identity_id, kind, record_id) -> SevenOfficeBinding:
    binding, _ = SevenOfficeBinding.objects.get_or_create(
        tenant=tenant, identity_id=identity_id, kind=kind, key=str(record_id)
    )
    return binding


def _bindings(tenant, identity_id, kind, record_ids) -> dict[int, SevenOfficeBinding]:
    """`_binding` for many records: the existing ones in one query, only the rest one by one."""
    found = {
        int(b.key): b
        for b in SevenOfficeBinding.objects.filter(
            tenant=tenant, identity_id=identity_id, kind=kind, key__in=[str(pk) for pk in record_ids]
        )
    }
    return {pk: found.get(pk) or _binding(tenant, identity_id, kind, pk) for pk in record_ids}


def _hold(binding) -> bool:
    """Take the binding for this worker, unless a live holder has it. Taking over a stale
    hold (its worker died, perhaps mid-create) marks the binding as tried."""
    now = timezone.now()
    stale = now - timedelta(seconds=HOLD_STALE_SECONDS)
    rows = SevenOfficeBinding.objects.filter(pk=binding.pk)
    if rows.filter(claimed_at__isnull=True).update(claimed_at=now):
        return True
    if rows.filter(claimed_at__lt=stale).update(claimed_at=now):
        binding.taken_over = True
        return True
    return False


def _up_to_date(binding, version: int) -> bool:
    binding.refresh_from_db()
    return binding.sync_status == SyncStatus.SYNCED and binding.sevenoffice_id is not None and (
        binding.version_synced >= version
    )


def _set(binding, **fields) -> None:
    SevenOfficeBinding.objects.filter(pk=binding.pk).update(**fields)
    for name, value in fields.items():
        setattr(binding, name, value)


# --- Sweeping ----------------------------------------------------------------------------------


def sync_sweep() -> int:
    """Re-enqueue customers and projects whose sync is pending or failed retryably, or whose
    newest version has not reached every client (a lost message or a dead worker); then mail
    each tenant one summary of the syncs that newly failed."""
    from exports.alerts import sync_failures_alert

    sync_failures_alert()
    count = 0
    stale = timezone.now() - timedelta(seconds=HOLD_STALE_SECONDS)
    behind = SevenOfficeBinding.objects.filter(
        kind__in=(BindingKind.CUSTOMER, BindingKind.PROJECT),
        sync_status__in=(SyncStatus.PENDING, SyncStatus.ERROR),
    ).filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
    for kind, key in behind.values_list("kind", "key").distinct()[:500]:
        _send("exports.sync_customer" if kind == BindingKind.CUSTOMER else "exports.sync_project", int(key))
        count += 1
    return count
