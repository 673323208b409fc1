"""Contract: the reads behind paid status (GetInvoices with Paid, GetTransactions with the open
entries, invoice number and account filters) fit the vendor schema, through the validating
proxy, also once payments have set Paid and relinked the lines."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from exports.payments import PAYMENT_PROPERTIES
from sevenoffice.client import SevenOfficeClient
from sevenoffice.sessions import SessionCache
from sevenoffice.transport import ServiceRegistry
from sevenoffice.types import Company, Credential, InvoiceOrder, InvoiceRow, OrderStatus, Product

pytestmark = [pytest.mark.contract, pytest.mark.django_db(databases=[])]


@pytest.fixture
def client(vendor_proxy, sandbox) -> SevenOfficeClient:
    return SevenOfficeClient(
        Credential(sandbox.USERNAME, sandbox.PASSWORD, sandbox.IDENTITY_ID),
        application_id=sandbox.APPLICATION_ID, api_url=vendor_proxy.url, webservices_url=vendor_proxy.url,
        registry=ServiceRegistry(), sessions=SessionCache(),
    )


def test_paid_status_reads_fit_the_vendor_schema(client, sandbox, vendor_proxy):
    today = date.today()
    customer = client.save_company(Company(name="Betaler AS"))
    product = client.save_product(Product(name="Time", no="T1", category_id=1, price=Decimal("1000")))
    invoice = client.save_invoice(InvoiceOrder(customer_id=customer.id, order_status=OrderStatus.INVOICED,
                                               rows=(InvoiceRow(product_id=product.id, quantity=Decimal(1)),)))
    draft = client.save_invoice(InvoiceOrder(customer_id=customer.id, order_status="Draft",
                                             rows=(InvoiceRow(product_id=product.id, quantity=Decimal(1)),)))
    sandbox.register_payment(invoice.invoice_id, "400.00", today.isoformat())
    sandbox.register_payment(invoice.invoice_id, date=today.isoformat())  # the rest: Paid set, LinkId renumbered

    [read] = client.get_invoices(invoice_ids=[invoice.invoice_id], invoice_properties=PAYMENT_PROPERTIES,
                                 row_properties=())
    assert read.paid == today and read.order_total_inc_vat == invoice.order_total_inc_vat
    [order] = client.get_invoices(order_ids=[draft.order_id], invoice_properties=PAYMENT_PROPERTIES, row_properties=())
    assert order.invoice_id is None and order.paid is None
    window = (today - timedelta(days=1), today + timedelta(days=1))
    assert client.get_transactions(*window, show_open_entries=True, account_no_start=1500, account_no_end=1500) == []
    lines = client.get_transactions(*window, account_no_start=1500, account_no_end=1500,
                                    invoice_no=str(invoice.invoice_id))
    assert len(lines) == 3 and len({line.link_id for line in lines}) == 1 and not any(line.open for line in lines)
    assert client.get_transactions(*window, has_invoice_id=True, account_no_start=1500, account_no_end=1500)

    calls = vendor_proxy.calls()
    problems = [(c.get("op"), c.get("request_errors"), c.get("response_errors")) for c in calls
                if c.get("request_errors") or c.get("response_errors")]
    assert problems == []
    assert {"GetInvoices", "GetTransactions"} <= {c.get("op") for c in calls}
