"""SevenOfficeClient: the hub's facade over 24SevenOffice's SOAP services.

Methods take and return the dataclasses of ``sevenoffice.types`` and raise the errors of
``sevenoffice.errors``; nothing from zeep or lxml leaves this package. Every SOAP request goes
through ``_send`` (time-out, log line, error mapping); ``_call`` adds the session handling.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any, ContextManager

import zeep.exceptions
from django.conf import settings

from hub import concurrency

from . import mapping as m
from .errors import (
    IdentityBlocked,
    IdentityRequired,
    InvalidRequest,
    LoginFailed,
    NotAuthenticated,
    RateLimited,
    RemoteFault,
    RemoteUnavailable,
    SevenOfficeError,
    is_identity_blocked,
    is_not_authenticated,
    quota_retry_after,
)
from .sessions import SessionCache, SessionEntry, SessionState, get_session_cache
from .transport import ServiceRegistry, call_options, get_registry
from .types import (
    Account,
    BundleList,
    ClientInfo,
    Company,
    Credential,
    Department,
    EntryType,
    FiscalYear,
    Identity,
    ImageFile,
    InvoiceOrder,
    Product,
    ProductCategory,
    Project,
    RecordResult,
    SaveResponse,
    TaxCode,
    Transaction,
    TransactionType,
    VatType,
)

logger = logging.getLogger(__name__)

# GetInvoices returns only the properties named; these cover export receipts and paid status.
INVOICE_PROPERTIES: tuple[str, ...] = (
    "OrderId", "CustomerId", "CustomerName", "OrderStatus", "InvoiceId", "DateOrdered", "DateInvoiced",
    "DateChanged", "PaymentTime", "CustomerReferenceNo", "ProjectId", "OurReference", "IncludeVAT",
    "YourReference", "OrderTotalIncVat", "OrderTotalVat", "InvoiceTitle", "InvoiceText", "Paid", "OCR",
    "CustomerOrgNo", "Currency", "TypeOfSaleId", "DistributionMethod", "DepartmentId", "ExternalStatus",
    "InvoiceEmailAddress", "InvoiceRows", "DeliveryDate", "ReferenceInvoiceId", "ReferenceOrderId",
    "ReferenceNumber",
)  # fmt: skip
ROW_PROPERTIES: tuple[str, ...] = (
    "ProductId", "RowId", "VatRate", "Price", "Name", "DiscountRate", "Quantity", "TypeGroupId",
    "SequenceNumber", "Type", "AccrualDate", "AccrualLength", "ProjectId", "DepartmentId", "ProductNo",
    "TaxSettings",
)  # fmt: skip
COMPANY_PROPERTIES: tuple[str, ...] = (
    "Id", "ExternalId", "OrganizationNumber", "Name", "FirstName", "NickName", "Addresses", "PhoneNumbers",
    "EmailAddresses", "Url", "Country", "Note", "InvoiceLanguage", "Type", "DateCreated", "Status",
    "BankAccountNo", "DateChanged", "PaymentTime", "GlnNumber", "VatNumber", "Private",
)  # fmt: skip
PRODUCT_PROPERTIES: tuple[str, ...] = (
    "Id", "Name", "No", "CategoryId", "Price", "Cost", "InPrice", "TaxRate", "Description",
    "DescriptionLong", "EAN1", "StatusId", "Stock", "SupplierId", "DateChanged",
)  # fmt: skip
CATEGORY_PROPERTIES: tuple[str, ...] = ("Id", "Name", "No", "ParentId")

# CompanyService search: a client known to work always sends a ChangedAfter next to other filters.
_EARLY = datetime(2000, 1, 1)
READ_ATTEMPTS = 3
SESSION_OPERATIONS = frozenset({"Login", "HasSession", "SetIdentityById"})
READ_RETRY_PAUSE = 0.2  # seconds, times the attempt number
_MAX_IDS_PER_CALL = 1000  # GetInvoices: at most 1000 ids per call
_MAX_CHUNK_BYTES = 2_000_000  # DownloadChunk step, also bounded by GetMaxRequestLength


class SevenOfficeClient:
    """One 24SO account (credential) as the hub sees it.

    Cheap to create: parsed WSDLs and login sessions are cached per process and shared.
    """

    def __init__(
        self,
        credential: Credential,
        *,
        application_id: str | None = None,
        api_url: str | None = None,
        webservices_url: str | None = None,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        registry: ServiceRegistry | None = None,
        sessions: SessionCache | None = None,
        gate: Callable[[], ContextManager] | None = None,
    ) -> None:
        self.credential = credential
        self.application_id = application_id or settings.SEVENOFFICE_APPLICATION_ID
        self.api_url = (api_url or settings.SEVENOFFICE_API_URL).rstrip("/")
        self.webservices_url = (webservices_url or settings.SEVENOFFICE_WEBSERVICES_URL).rstrip("/")
        read = settings.SEVENOFFICE_TIMEOUT if timeout is None else timeout
        connect = settings.SEVENOFFICE_CONNECT_TIMEOUT if connect_timeout is None else connect_timeout
        self.timeout = (float(connect), float(read))
        self._registry = registry if registry is not None else get_registry()
        cache = sessions if sessions is not None else get_session_cache()
        self._entry: SessionEntry = cache.entry(credential, self.api_url)
        self._max_request_kb: int | None = None
        self._gate = gate or self._account_slot

    def __repr__(self) -> str:
        return f"<SevenOfficeClient {self.credential.username!r} identity={self.credential.identity_id!r}>"

    # --- Sessions and identities ---------------------------------------------------------------

    def identities(self) -> list[Identity]:
        """Authenticate.GetIdentities: the clients this user reaches (works before one is chosen)."""
        answer = self._call("Authenticate", "GetIdentities", need_identity=False)
        return [m.identity_in(i) for i in m.items(answer, "Identity")]

    def test_connection(self) -> list[Identity]:
        """Log in (or reuse the session) and list the reachable identities, for a "Test connection" button.

        Raises LoginFailed / IdentityBlocked / RemoteUnavailable; several identities with none
        chosen is not an error here, since the list is what the user picks from.
        """
        return self.identities()

    @property
    def identity(self) -> Identity | None:
        """The identity data calls run in, once logged in."""
        state = self._entry.state
        return state.identity if state else None

    def _ensure_session(self, need_identity: bool) -> SessionState:
        state = self._entry.state
        if state is None:
            with self._entry.lock:  # one Login per credential even when threads race
                state = self._entry.state or self._login()
        if need_identity and not state.ready:
            raise IdentityRequired(state.identities)
        return state

    def _login(self) -> SessionState:
        """Authenticate.Login, then settle the identity. Caller holds the entry lock."""
        cred = self.credential
        session_id = self._send_reads_again(
            "Authenticate",
            "Login",
            None,
            credential=m.credential_out(self.application_id, cred.username, cred.password, cred.identity_id),
        )
        if not session_id:  # wrong username or password: an empty LoginResult, not a fault
            raise LoginFailed("24SevenOffice refused the username or password", operation="Login")
        identities = tuple(
            m.identity_in(i) for i in m.items(self._send_reads_again("Authenticate", "GetIdentities", session_id), "Identity")
        )
        usable = [i for i in identities if not i.is_disabled]
        identity, ready = None, True
        if cred.identity_id:
            identity = next((i for i in usable if i.id == cred.identity_id), None)
            if identity is None and identities:
                raise IdentityBlocked("the chosen identity is not usable for this user", operation="Login")
        elif len(usable) == 1:
            identity = usable[0]
        elif len(usable) > 1:
            ready = False  # the session stays usable for identities(); data calls raise IdentityRequired
        if identity is not None and not identity.is_current:
            self._switch_identity(session_id, identity.id)
        state = SessionState(session_id=session_id, identities=identities, identity=identity, ready=ready)
        self._entry.state = state
        return state

    def _switch_identity(self, session_id: str, identity_id: str) -> None:
        """Authenticate.SetIdentityById: move the session to the chosen client."""
        if not self._send_reads_again("Authenticate", "SetIdentityById", session_id, identityId=identity_id):
            raise IdentityBlocked("24SevenOffice refused to switch to the chosen identity", operation="SetIdentityById")

    def _recover(self, stale: SessionState) -> SessionState:
        """After a "not authenticated" answer: HasSession, then log in again once if it is gone."""
        with self._entry.lock:
            current = self._entry.state
            if current is not None and current.session_id != stale.session_id:
                return current  # another thread already logged in again
            if self._send_reads_again("Authenticate", "HasSession", stale.session_id):
                if stale.identity is None:
                    raise NotAuthenticated("24SevenOffice refused a live session", operation="HasSession")
                self._switch_identity(stale.session_id, stale.identity.id)  # session moved to another client
                return stale
            self._entry.state = None
            logger.info("sevenoffice: session expired for %s, logging in again", self.credential.username)
            return self._login()

    def _call(
        self,
        service: str,
        operation: str,
        *,
        need_identity: bool = True,
        refused: Callable[[Any], bool] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Send ``operation`` with the cached session; re-login once when 24SO says the session is gone."""
        state = self._ensure_session(need_identity)
        try:
            return self._send_reads_again(service, operation, state.session_id, refused=refused, **kwargs)
        except NotAuthenticated:
            state = self._recover(state)
        return self._send_reads_again(service, operation, state.session_id, refused=refused, **kwargs)

    def _send_reads_again(self, service: str, operation: str, session_id: str | None, **kwargs: Any) -> Any:
        """Reads (Get*) and session calls change no data in 24SO, so a fault on one is repeated
        at once, a couple of times, instead of failing the whole piece of work; writes are
        never repeated here."""
        attempts = READ_ATTEMPTS if operation.startswith("Get") or operation in SESSION_OPERATIONS else 1
        for attempt in range(1, attempts + 1):
            try:
                return self._send(service, operation, session_id, **kwargs)
            except RateLimited:
                raise  # more calls make a throttle worse
            except RemoteUnavailable:
                if attempt == attempts:
                    raise
                time.sleep(READ_RETRY_PAUSE * attempt)

    def _send(
        self,
        service: str,
        operation: str,
        session_id: str | None,
        *,
        refused: Callable[[Any], bool] | None = None,
        **kwargs: Any,
    ) -> Any:
        """The one choke point for SOAP requests: time-out, one log line, zeep errors -> hub errors."""
        started = time.monotonic()
        outcome = "ok"
        try:
            proxy = self._registry.service(service, api_url=self.api_url, webservices_url=self.webservices_url)
            with self._gate(), call_options(cookie=session_id, timeout=self.timeout):
                answer = getattr(proxy, operation)(**kwargs)
            if refused is not None and refused(answer):
                raise NotAuthenticated("24SevenOffice answered NotAuthenticated", operation=operation)
            return answer
        except SevenOfficeError as exc:
            exc.operation = exc.operation or operation
            outcome = type(exc).__name__
            raise
        except concurrency.SlotTimeout:
            outcome = "SlotTimeout"
            raise RemoteUnavailable(
                "the hub's calls to this 24SO account stayed busy", ambiguous=False, operation=operation
            ) from None
        except zeep.exceptions.Fault as exc:
            error = self._fault_error(exc, operation, session_id)
            outcome = type(error).__name__
            raise error from None
        except zeep.exceptions.TransportError as exc:
            status = exc.status_code
            outcome = "RemoteUnavailable"
            if status == 429:
                outcome = "RateLimited"
                raise RateLimited("24SevenOffice throttled the request", status_code=429, operation=operation) from None
            raise RemoteUnavailable(
                f"24SevenOffice answered HTTP {status} without a usable SOAP body",
                ambiguous=status is None or status >= 500 or status == 200,
                status_code=status,
                operation=operation,
            ) from None
        except (zeep.exceptions.ValidationError, TypeError) as exc:
            outcome = "InvalidRequest"
            message = self._scrub(f"request does not fit the contract: {exc}", session_id)
            raise InvalidRequest(message, operation=operation) from None
        except (zeep.exceptions.XMLParseError, zeep.exceptions.XMLSyntaxError):
            outcome = "RemoteUnavailable"
            raise RemoteUnavailable(
                "24SevenOffice's answer does not match its WSDL", ambiguous=True, operation=operation
            ) from None
        finally:
            logger.info(
                "sevenoffice %s.%s %s in %.0f ms (%s)",
                service,
                operation,
                outcome,
                (time.monotonic() - started) * 1000,
                self.credential.username,
            )

    def _account_slot(self) -> ContextManager:
        """At most SEVENOFFICE_MAX_CONCURRENT_PER_ACCOUNT calls at once per 24SO account, across
        every process of the hub (24SO throttles an account that calls too much at once)."""
        return concurrency.slot(
            f"{self.api_url}|{self.credential.username.lower()}",
            limit=settings.SEVENOFFICE_MAX_CONCURRENT_PER_ACCOUNT,
            hold_seconds=self.timeout[0] + self.timeout[1] + 5,
        )

    def _fault_error(self, fault: zeep.exceptions.Fault, operation: str, session_id: str | None) -> SevenOfficeError:
        message = self._scrub(str(fault.message or ""), session_id)
        if is_not_authenticated(message):
            return NotAuthenticated(message, operation=operation)
        if is_identity_blocked(message):
            return IdentityBlocked(message, operation=operation)
        wait = quota_retry_after(message)
        if wait is not None:  # the hourly quota answer: "Limit exceeded by N. Request is blocked. ..."
            return RateLimited(message, retry_after=wait, operation=operation)
        return RemoteFault(message, code=self._scrub(str(fault.code or ""), session_id) or None, operation=operation)

    def _scrub(self, text: str, session_id: str | None) -> str:
        for secret in (self.credential.password, session_id):
            if secret and len(secret) >= 3:
                text = text.replace(secret, "***")
        return text

    def _save_records(
        self,
        service: str,
        operation: str,
        parameter: str,
        item: str,
        records: Sequence[Any],
        write: Callable[[Any], dict],
        read: Callable[[Any], Any],
    ) -> list[RecordResult]:
        """A batch Save*: one RecordResult per record, in input order.

        24SO answers HTTP 200 and reports a refused record as APIException on that item only.
        """
        if not records:
            return []
        answer = self._call(service, operation, **{parameter: {item: [write(r) for r in records]}})
        return m.record_results(answer, item, len(records), read, operation)

    # --- InvoiceService ------------------------------------------------------------------------

    def save_invoices(self, orders: Sequence[InvoiceOrder]) -> list[RecordResult[InvoiceOrder]]:
        """InvoiceService.SaveInvoices: create (no order_id) or update orders; one result per order, in order.

        A refused order comes back as RecordResult.error (24SO's APIException) while the others save.
        """
        return self._save_records(
            "InvoiceService", "SaveInvoices", "invoices", "InvoiceOrder", orders, m.invoice_out, m.invoice_in
        )

    def save_invoice(self, order: InvoiceOrder) -> InvoiceOrder:
        """InvoiceService.SaveInvoices for one order; raises RecordRejected when 24SO refuses it."""
        return self.save_invoices([order])[0].unwrap("SaveInvoices")

    def get_invoices(
        self,
        *,
        invoice_ids: Iterable[int] | None = None,
        order_ids: Iterable[int] | None = None,
        customer_ids: Iterable[int] | None = None,
        changed_after: datetime | date | None = None,
        order_states: Iterable[str] | None = None,
        external_status: Iterable[int] | None = None,
        invoice_properties: Sequence[str] = INVOICE_PROPERTIES,
        row_properties: Sequence[str] = ROW_PROPERTIES,
    ) -> list[InvoiceOrder]:
        """InvoiceService.GetInvoices: orders and invoices matching every filter given."""
        invoice_properties = list(invoice_properties)
        if row_properties and "InvoiceRows" not in invoice_properties:
            invoice_properties.append("InvoiceRows")  # rows come back only when InvoiceRows is asked for
        invoice_ids, order_ids = _list(invoice_ids), _list(order_ids)
        results: list[InvoiceOrder] = []
        for inv_chunk, ord_chunk in _id_chunks(invoice_ids, order_ids):
            search = m.compact(
                {
                    "CustomerIds": m.int_array(customer_ids),
                    "ChangedAfter": m.changed_after(changed_after),
                    "OrderStates": {"OrderSlipStateType": list(order_states)} if order_states else None,
                    "InvoiceIds": m.int_array(inv_chunk),
                    "OrderIds": m.int_array(ord_chunk),
                    "ExternalStatus": m.int_array(external_status),
                }
            )
            answer = self._call(
                "InvoiceService",
                "GetInvoices",
                searchParams=search,
                invoiceReturnProperties=m.string_array(invoice_properties),
                rowReturnProperties=m.string_array(row_properties),
            )
            results.extend(m.invoice_in(o) for o in m.items(answer, "InvoiceOrder"))
        return results

    def get_order_sync_list(
        self, changed_after: datetime | date, *, registered_after: datetime | date | None = None
    ) -> list[int]:
        """InvoiceService.GetOrderSyncList: ids of orders changed after ``changed_after``."""
        params = {
            "ChangedAfter": m.changed_after(changed_after),
            # RegisteredAfter is required by the schema; an early date means "any" without a sentinel.
            "RegisteredAfter": m.out_datetime(registered_after) or _EARLY,
        }
        answer = self._call("InvoiceService", "GetOrderSyncList", syncParams=params)
        return [int(i) for i in m.items(answer, "int")]

    def update_invoices(self, orders: Sequence[InvoiceOrder]) -> list[RecordResult[InvoiceOrder]]:
        """InvoiceService.UpdateInvoices: change InvoiceTitle / ReferenceNumber of invoiced orders."""
        return self._save_records(
            "InvoiceService", "UpdateInvoices", "invoices", "InvoiceOrder", orders, m.invoice_update_out, m.invoice_in
        )

    def get_invoice_document(self, invoice_id: int, *, template_id: str | None = None) -> bytes:
        """InvoiceService.GetInvoiceDocument: the invoice as PDF bytes."""
        params = m.compact({"InvoiceId": invoice_id, "TemplateId": template_id})
        return bytes(self._call("InvoiceService", "GetInvoiceDocument", Parameters=params) or b"")

    # --- CompanyService ------------------------------------------------------------------------

    def save_companies(self, companies: Sequence[Company]) -> list[RecordResult[Company]]:
        """CompanyService.SaveCompanies: create (no id) or update; one result per company, in order."""
        return self._save_records(
            "CompanyService", "SaveCompanies", "companies", "Company", companies, m.company_out, m.company_in
        )

    def save_company(self, company: Company) -> Company:
        """CompanyService.SaveCompanies for one company; raises RecordRejected when refused."""
        return self.save_companies([company])[0].unwrap("SaveCompanies")

    def get_companies(
        self,
        *,
        external_id: str | None = None,
        company_id: int | None = None,
        company_ids: Iterable[int] | None = None,
        name: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        organization_number: str | None = None,
        changed_after: datetime | date | None = None,
        return_properties: Sequence[str] = COMPANY_PROPERTIES,
    ) -> list[Company]:
        """CompanyService.GetCompanies: customers and suppliers matching every filter given."""
        search = m.compact(
            {
                "ExternalId": external_id,
                "CompanyId": company_id,
                "CompanyIds": m.int_array(company_ids),
                "CompanyName": name,
                "ChangedAfter": m.changed_after(changed_after) or _EARLY,
                "CompanyEmail": email,
                "CompanyPhone": phone,
                "OrganizationNumber": organization_number,
            }
        )
        answer = self._call(
            "CompanyService", "GetCompanies", searchParams=search, returnProperties=m.string_array(return_properties)
        )
        return [m.company_in(c) for c in m.items(answer, "Company")]

    # --- ProductService ------------------------------------------------------------------------

    def get_products(
        self,
        *,
        product_id: int | None = None,
        number: str | None = None,
        name: str | None = None,
        product_ids: Iterable[int] | None = None,
        category_id: int | None = None,
        ean: str | None = None,
        changed_after: datetime | date | None = None,
        return_properties: Sequence[str] = PRODUCT_PROPERTIES,
    ) -> list[Product]:
        """ProductService.GetProducts: products matching every filter given (``number`` is the visible No)."""
        search = m.compact(
            {
                "Id": product_id,
                "CategoryId": category_id,
                "No": number,
                "EAN1": ean,
                "Name": name,
                "DateChanged": m.changed_after(changed_after),
                "ProductIds": m.int_array(product_ids),
            }
        )
        answer = self._call(
            "ProductService", "GetProducts", searchParams=search, returnProperties=m.string_array(return_properties)
        )
        return [m.product_in(p) for p in m.items(answer, "Product")]

    def save_products(self, products: Sequence[Product]) -> list[RecordResult[Product]]:
        """ProductService.SaveProducts: a new product needs name and category_id; one result per product."""
        return self._save_records(
            "ProductService", "SaveProducts", "products", "Product", products, m.product_out, m.product_in
        )

    def save_product(self, product: Product) -> Product:
        """ProductService.SaveProducts for one product; raises RecordRejected when refused."""
        return self.save_products([product])[0].unwrap("SaveProducts")

    def get_product_categories(
        self, *, return_properties: Sequence[str] = CATEGORY_PROPERTIES
    ) -> list[ProductCategory]:
        """ProductService.GetCategories: the product categories."""
        answer = self._call("ProductService", "GetCategories", returnProperties=m.string_array(return_properties))
        return [m.category_in(c) for c in m.items(answer, "Category")]

    def save_product_categories(self, categories: Sequence[ProductCategory]) -> list[RecordResult[ProductCategory]]:
        """ProductService.SaveCategories: create or update product categories."""
        return self._save_records(
            "ProductService", "SaveCategories", "categories", "Category", categories, m.category_out, m.category_in
        )

    # --- ProjectService ------------------------------------------------------------------------

    def save_project(self, project: Project) -> int:
        """ProjectService.SaveProject: create (no id) or update; returns the project id."""
        answer = self._call("ProjectService", "SaveProject", project=m.project_out(project))
        project_id = m.read_int(answer)
        if not project_id or project_id < 0:
            raise RemoteFault("SaveProject answered no project id", operation="SaveProject")
        return project_id

    def get_projects(
        self,
        *,
        project_ids: Iterable[int] | None = None,
        customer_id: int | None = None,
        changed_after: datetime | date | None = None,
        search: str | None = None,
    ) -> list[Project]:
        """ProjectService.GetProjectList: projects matching the filters given."""
        params = m.compact(
            {
                "ProjectIds": m.int_array(project_ids),
                "CustomerId": customer_id,
                "Search": search,
                "ChangedAfter": m.changed_after(changed_after),
            }
        )
        answer = self._call("ProjectService", "GetProjectList", Ps=params)
        return [m.project_in(p) for p in m.items(answer, "Project")]

    # --- AccountService ------------------------------------------------------------------------

    def get_accounts(self) -> list[Account]:
        """AccountService.GetAccountList: the chart of accounts."""
        return [m.account_in(a) for a in m.items(self._call("AccountService", "GetAccountList"), "AccountData")]

    def get_tax_codes(self) -> list[TaxCode]:
        """AccountService.GetTaxCodeList: the VAT codes."""
        answer = self._call("AccountService", "GetTaxCodeList")
        return [m.tax_code_in(t) for t in m.items(answer, "TaxCodeElement")]

    def get_entry_types(self) -> list[EntryType]:
        """AccountService.GetTypeList: voucher types with their number series."""
        return [m.entry_type_in(t) for t in m.items(self._call("AccountService", "GetTypeList"), "TypeData")]

    def get_next_entry_id(self, entry_date: date, series_id: int) -> int:
        """AccountService.GetEntryId: the next free voucher number of a series (not reserved)."""
        # EntryNo is required by the schema; 0 asks for the next free number.
        argument = {"Date": m.out_datetime(entry_date), "SortNo": series_id, "EntryNo": 0}
        answer = self._call("AccountService", "GetEntryId", argEntryId=argument)
        entry_no = m.read_int(m.get(answer, "EntryNo"))
        if entry_no is None:
            raise RemoteFault("GetEntryId answered no EntryNo", operation="GetEntryId")
        return entry_no

    def save_bundle_list(self, bundle_list: BundleList) -> SaveResponse:
        """AccountService.SaveBundleList: post journal vouchers; a non-Ok type comes back in SaveResponse."""
        answer = self._call(
            "AccountService",
            "SaveBundleList",
            # SaveBundleList may report an expired session in its result instead of a fault.
            refused=lambda r: m.read_str(m.get(r, "Type")) == "NotAuthenticated",
            BundleList=m.bundle_list_out(bundle_list),
        )
        return m.save_response_in(answer)

    # --- TransactionService --------------------------------------------------------------------

    def get_transactions(
        self,
        date_start: datetime | date,
        date_end: datetime | date,
        *,
        by_change_date: bool = False,
        show_open_entries: bool | None = None,
        link_id: int | None = None,
        project_id: int | None = None,
        customer_id: int | None = None,
        department_id: int | None = None,
        account_no_start: int | None = None,
        account_no_end: int | None = None,
        transaction_no_start: int | None = None,
        transaction_no_end: int | None = None,
        transaction_type_id: int | None = None,
        system_type: str | None = None,
        registered_after: datetime | date | None = None,
        has_invoice_id: bool | None = None,
        invoice_no: str | None = None,
        vat_code: int | None = None,
    ) -> list[Transaction]:
        """TransactionService.GetTransactions: ledger lines between two dates (inclusive).

        ``by_change_date`` searches DateChangedUTC ("created or changed between") instead of EntryDate.
        """
        params = m.compact(
            {
                "DateSearchParameters": "DateChangedUTC" if by_change_date else "EntryDate",
                "ShowOpenEntries": show_open_entries,
                "LinkId": link_id,
                "DateStart": m.out_datetime(date_start),
                "DateEnd": m.day_end(date_end),
                "ProjectId": project_id,
                "CustomerId": customer_id,
                "DepartmentId": department_id,
                "AccountNoStart": account_no_start,
                "AccountNoEnd": account_no_end,
                "TransactionNoStart": transaction_no_start,
                "TransactionNoEnd": transaction_no_end,
                "TransactionTypeId": transaction_type_id,
                "RegisteredAfter": m.out_datetime(registered_after),
                "InvoiceNo": invoice_no,
                "VatCode": vat_code,
            }
        )
        # Required but nillable in the schema: sent as xsi:nil when not filtering.
        params["SystemType"] = system_type
        params["HasInvoiceId"] = has_invoice_id
        answer = self._call("TransactionService", "GetTransactions", searchParams=params)
        return [m.transaction_in(t) for t in m.items(answer, "Transaction")]

    def get_fiscal_years(self) -> list[FiscalYear]:
        """TransactionService.GetFiscalYears."""
        answer = self._call("TransactionService", "GetFiscalYears")
        return [m.fiscal_year_in(y) for y in m.items(answer, "FiscalYear")]

    def get_transaction_types(self) -> list[TransactionType]:
        """TransactionService.GetTransactionTypes: voucher types (``no`` is Bundle/Voucher sort)."""
        answer = self._call("TransactionService", "GetTransactionTypes")
        return [m.transaction_type_in(t) for t in m.items(answer, "TransactionType")]

    # --- AttachmentService ---------------------------------------------------------------------

    def get_file_info(
        self,
        *,
        stamp_nos: Iterable[int] | None = None,
        file_ids: Iterable[int] | None = None,
        registered_after: datetime | date | None = None,
        changed_after: datetime | date | None = None,
        has_stamp_no: bool | None = None,
        file_approved: bool | None = None,
        statuses: Iterable[str] | None = None,
    ) -> list[ImageFile]:
        """AttachmentService.GetFileInfo: stored voucher images / documents matching the filters."""
        params = m.compact(
            {
                "StampNo": m.int_array(stamp_nos),
                "FileId": m.int_array(file_ids),
                "AttachmentRegisteredAfter": m.out_datetime(registered_after),
                "AttachmentChangedAfter": m.changed_after(changed_after),
                "AttachmentStatus": {"FlagType": list(statuses)} if statuses else None,
            }
        )
        params["HasStampNo"] = has_stamp_no  # required but nillable
        params["FileApproved"] = file_approved
        answer = self._call("AttachmentService", "GetFileInfo", parameters=params)
        return [m.image_file_in(f) for f in m.items(answer, "ImageFile")]

    def file_size(self, image_file: ImageFile) -> int:
        """AttachmentService.GetSize: the document's size in bytes."""
        return int(self._call("AttachmentService", "GetSize", file=m.image_file_out(image_file)) or 0)

    def download_file(self, image_file: ImageFile, *, size: int | None = None) -> bytes:
        """AttachmentService.GetSize (unless the caller knows the size) + DownloadChunk loop
        (chunk bounded by GetMaxRequestLength)."""
        file = m.image_file_out(image_file)
        if size is None:
            size = self.file_size(image_file)
        if self._max_request_kb is None:
            self._max_request_kb = int(self._call("AttachmentService", "GetMaxRequestLength") or 0)
        chunk = min(_MAX_CHUNK_BYTES, self._max_request_kb * 1024) if self._max_request_kb > 0 else _MAX_CHUNK_BYTES
        data = bytearray()
        while len(data) < size:
            part = self._call("AttachmentService", "DownloadChunk", file=file, offset=len(data), bufferSize=chunk)
            if not part:
                raise RemoteFault(
                    f"DownloadChunk stopped at {len(data)} of {size} bytes", operation="DownloadChunk"
                )
            data.extend(part)
        return bytes(data[:size])

    # --- ClientService -------------------------------------------------------------------------

    def get_client_information(self) -> ClientInfo:
        """ClientService.GetClientInformation: the chosen client's own company data."""
        return m.client_info_in(self._call("ClientService", "GetClientInformation"))

    def get_departments(self) -> list[Department]:
        """ClientService.GetDepartmentList."""
        answer = self._call("ClientService", "GetDepartmentList")
        return [m.department_in(d) for d in m.items(answer, "Department")]

    def get_vat_types(self) -> list[VatType]:
        """ClientService.GetVatTypeList."""
        return [m.vat_type_in(v) for v in m.items(self._call("ClientService", "GetVatTypeList"), "VatType")]


def _list(values: Iterable[int] | None) -> list[int]:
    return list(values) if values is not None else []


def _id_chunks(invoice_ids: list[int], order_ids: list[int]):
    """Split long id filters into calls of at most 1000 ids (24SO's GetInvoices limit)."""
    if len(invoice_ids) <= _MAX_IDS_PER_CALL and len(order_ids) <= _MAX_IDS_PER_CALL:
        yield invoice_ids, order_ids
        return
    if invoice_ids and order_ids:
        raise InvalidRequest("give invoice_ids or order_ids, not both, when asking for more than 1000")
    ids = invoice_ids or order_ids
    for start in range(0, len(ids), _MAX_IDS_PER_CALL):
        part = ids[start : start + _MAX_IDS_PER_CALL]
        yield (part, []) if invoice_ids else ([], part)
