"""Contract: the client reads the vendor's own WSDLs (served by the validating proxy in front of
the sandbox) and every facade operation's request and answer validate against the vendor schema."""
from __future__ import annotations

import base64
from datetime import date, timedelta
from decimal import Decimal

import pytest

from sevenoffice.client import SevenOfficeClient
from sevenoffice.sessions import SessionCache
from sevenoffice.transport import ServiceRegistry
from sevenoffice.types import (
    Bundle,
    BundleList,
    Company,
    Credential,
    Entry,
    InvoiceOrder,
    InvoiceRow,
    OrderStatus,
    Product,
    ProductCategory,
    Project,
    SaveOption,
    SystemType,
    Voucher,
)

pytestmark = [pytest.mark.contract, pytest.mark.django_db(databases=[])]

FACADE_OPERATIONS = {
    "Login", "GetIdentities", "HasSession", "SaveCompanies", "GetCompanies", "SaveCategories", "GetCategories",
    "SaveProducts", "GetProducts", "SaveProject", "GetProjectList", "SaveInvoices", "GetInvoices",
    "GetOrderSyncList", "UpdateInvoices", "GetInvoiceDocument", "GetAccountList", "GetTaxCodeList", "GetTypeList",
    "GetEntryId", "SaveBundleList", "GetTransactions", "GetFiscalYears", "GetTransactionTypes", "GetFileInfo",
    "GetSize", "GetMaxRequestLength", "DownloadChunk", "GetClientInformation", "GetDepartmentList", "GetVatTypeList",
}  # fmt: skip


@pytest.fixture
def client(vendor_proxy, sandbox) -> SevenOfficeClient:
    credential = Credential(sandbox.USERNAME, sandbox.PASSWORD, sandbox.IDENTITY_ID)
    return SevenOfficeClient(
        credential,
        application_id=sandbox.APPLICATION_ID,
        api_url=vendor_proxy.url,
        webservices_url=vendor_proxy.url,
        registry=ServiceRegistry(),  # parse the vendor's WSDLs, not the sandbox's
        sessions=SessionCache(),
    )


def test_every_facade_operation_fits_the_vendor_schema(client, sandbox, vendor_proxy):
    today = date.today()
    assert {i.id for i in client.test_connection()} >= {sandbox.IDENTITY_ID}

    customer = client.save_company(Company(name="Kunde AS", external_id="hub-c1", invoice_email="f@kunde.no",
                                           organization_number="999888777", country="NO"))  # fmt: skip
    assert client.get_companies(external_id="hub-c1")[0].id == customer.id
    category = client.save_product_categories([ProductCategory(name="Tjenester", no="T")])[0].unwrap()
    assert any(c.id == category.id for c in client.get_product_categories())
    product = client.save_product(Product(name="Konsulenttime", no="K1", category_id=category.id,
                                          price=Decimal("1200.5"), cost=Decimal("1E+2")))  # fmt: skip
    assert client.get_products(number="K1")[0].id == product.id
    project_id = client.save_project(Project(name="Utvikling", customer_id=customer.id, date_start=today))
    assert [p.id for p in client.get_projects(project_ids=[project_id])] == [project_id]

    rows = (InvoiceRow(product_id=product.id, quantity=Decimal("1.5"), price=Decimal("1200")),
            InvoiceRow(name="Takk for oppdraget", type="Text"))  # fmt: skip
    invoice = client.save_invoice(InvoiceOrder(customer_id=customer.id, order_status=OrderStatus.INVOICED,
                                               project_id=project_id, rows=rows, reference_number="HUB-1",
                                               date_ordered=today))  # fmt: skip
    found = client.get_invoices(invoice_ids=[invoice.invoice_id])
    assert found[0].order_total_inc_vat == invoice.order_total_inc_vat
    assert invoice.order_id in client.get_order_sync_list(today - timedelta(days=1))
    updated = client.update_invoices([InvoiceOrder(order_id=invoice.order_id, invoice_id=invoice.invoice_id,
                                                   invoice_title="Oppdatert")])  # fmt: skip
    assert updated[0].ok, updated[0].error
    assert client.get_invoice_document(invoice.invoice_id).startswith(b"%PDF")

    accounts = {a.no for a in client.get_accounts()}
    assert {1500, 3000} <= accounts
    assert any(t.no == "3" for t in client.get_tax_codes())
    entry_type = next(t for t in client.get_entry_types() if t.type_no == 1)
    year = next(y for y in client.get_fiscal_years() if not y.is_locked and y.start and y.start.year == today.year)
    number = client.get_next_entry_id(today, entry_type.entry_series_id)
    voucher = Voucher(transaction_no=number, sort=entry_type.type_no, entries=(
        Entry(account_no=1500, amount=Decimal("1250"), date=today, customer_id=customer.id,
              invoice_reference_no="90001", due_date=today + timedelta(days=14)),
        Entry(account_no=3000, amount=Decimal("-1250"), date=today, tax_no="3"),
    ))  # fmt: skip
    response = client.save_bundle_list(
        BundleList(bundles=(Bundle(year_id=year.start.year, vouchers=(voucher,), sort=entry_type.type_no),),
                   save_option=SaveOption.LEDGER)
    )  # fmt: skip
    assert response.ok, response.description
    assert client.get_transaction_types()
    lines = client.get_transactions(today - timedelta(days=1), today, account_no_start=1500, account_no_end=1500)
    assert any(line.invoice_no == "90001" for line in lines)
    assert client.get_transactions(today, today, by_change_date=True, system_type=SystemType.INVOICE_CUSTOMER,
                                   has_invoice_id=True) is not None  # fmt: skip

    content = b"%PDF-1.4 supplier invoice " + bytes(range(256)) * 40
    stamp = sandbox.add_supplier_invoice(
        supplier_name="Leverandør AS", supplier_invoice_number="L-1", amount="500", invoice_date=today.isoformat(),
        attachment={"name": "l-1.pdf", "content_base64": base64.b64encode(content).decode()},
    )["stamp_no"]  # fmt: skip
    files = client.get_file_info(stamp_nos=[stamp])
    assert client.download_file(files[0]) == content
    assert client.download_file(files[0], size=client.file_size(files[0])) == content
    assert client.file_size(files[0]) == len(content)

    assert client.get_client_information().name
    assert client.get_departments()
    assert client.get_vat_types()

    sandbox.control(session_expiry_calls=2)  # the old session dies: HasSession, re-login, repeat
    assert client.get_departments()

    calls = vendor_proxy.calls()
    problems = [(c.get("op"), c.get("request_errors"), c.get("response_errors")) for c in calls
                if c.get("request_errors") or c.get("response_errors")]  # fmt: skip
    assert problems == []
    assert FACADE_OPERATIONS <= {c.get("op") for c in calls}


def test_order_export_calls_fit_the_vendor_schema(client, vendor_proxy):
    """What the order route sends: ForInvoicing orders whose rows carry a dated name and a
    TaxSettings code, a credit order pointing at its order, the generic product found by name,
    and the reconciling search by customer and change time."""
    today = date.today()
    customer = client.save_company(Company(name="Utleie AS", email="post@utleie.example"))
    category = client.save_product_categories([ProductCategory(name="Rentals")])[0].unwrap()
    product = client.save_product(Product(name="Rental", category_id=category.id))
    assert [p.id for p in client.get_products(name="Rental") if p.name == "Rental"] == [product.id]
    rows = tuple(
        InvoiceRow(product_id=product.id, name=f"Tractor (2021-01-10 – 2021-01-12) {rate} %", quantity=Decimal("3"),
                   price=Decimal("1800"), discount_rate=Decimal("10"), tax_code=code, sequence_number=n)
        for n, (rate, code) in enumerate(((25, 3), (15, 31), (12, 33), (0, 5)), start=1)
    )
    order = client.save_invoice(InvoiceOrder(customer_id=customer.id, order_status=OrderStatus.FOR_INVOICING,
                                             rows=rows, reference_number="HUB-7/91001", date_ordered=today))  # fmt: skip
    assert order.order_id and order.invoice_id is None
    credit = client.save_invoice(InvoiceOrder(
        customer_id=customer.id, order_status=OrderStatus.FOR_INVOICING, reference_order_id=order.order_id,
        rows=(InvoiceRow(product_id=product.id, name="Tractor", quantity=Decimal("-1"), price=Decimal("1800"),
                         tax_code=3),), reference_number="HUB-8/91002",
    ))  # fmt: skip
    found = client.get_invoices(customer_ids=[customer.id], changed_after=today - timedelta(days=1),
                                invoice_properties=("OrderId", "InvoiceId", "CustomerId", "ReferenceNumber",
                                                    "OrderStatus"), row_properties=())  # fmt: skip
    assert {(o.order_id, o.reference_number) for o in found} == {(order.order_id, "HUB-7/91001"),
                                                                 (credit.order_id, "HUB-8/91002")}
    calls = vendor_proxy.calls()
    problems = [(c.get("op"), c.get("request_errors"), c.get("response_errors")) for c in calls
                if c.get("request_errors") or c.get("response_errors")]  # fmt: skip
    assert problems == []
    assert {"SaveInvoices", "GetInvoices", "GetProducts", "SaveProducts", "SaveCategories"} <= {c.get("op") for c in calls}
