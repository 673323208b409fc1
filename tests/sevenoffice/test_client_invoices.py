"""Invoices, customers and products through the facade, against a fake 24SO at the HTTP edge."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from lxml import etree

from sevenoffice.errors import RecordRejected
from sevenoffice.types import Company, InvoiceOrder, InvoiceRow, OrderStatus, Product

from .fake_http import NS, result


def _children(element, name):
    return element.iter(f"{{{NS}}}{name}")


def test_save_invoices_surfaces_per_record_errors_in_input_order(fake, make_client):
    def save(element, session):
        out = []
        for i, order in enumerate(_children(element, "InvoiceOrder")):
            customer = order.find(f"{{{NS}}}CustomerId").text
            if customer == "99":
                out.append(
                    "<InvoiceOrder><CustomerId>99</CustomerId><APIException><Type>ValidationException</Type>"
                    "<Message>Customer 99 does not exist</Message></APIException></InvoiceOrder>"
                )
            else:
                out.append(
                    f"<InvoiceOrder><OrderId>{100 + i}</OrderId><CustomerId>{customer}</CustomerId>"
                    f"<OrderStatus>Invoiced</OrderStatus><InvoiceId>{5000 + i}</InvoiceId><IncludeVAT xsi:nil='true'/>"
                    "<OrderTotalIncVat>1250.00</OrderTotalIncVat><Paid>0001-01-01T00:00:00</Paid></InvoiceOrder>"
                )
        return result("SaveInvoices", "".join(out))

    fake.handlers["SaveInvoices"] = save
    rows = (InvoiceRow(product_id=1, quantity=Decimal("1"), price=Decimal("1E+3")),)
    orders = [
        InvoiceOrder(customer_id=10, order_status=OrderStatus.INVOICED, rows=rows),
        InvoiceOrder(customer_id=99, order_status=OrderStatus.INVOICED, rows=rows),
        InvoiceOrder(customer_id=11, order_status=OrderStatus.INVOICED, rows=rows),
    ]
    results = make_client().save_invoices(orders)
    assert [r.ok for r in results] == [True, False, True]
    assert results[0].record.invoice_id == 5000 and results[2].record.order_id == 102
    assert results[0].record.order_total_inc_vat == Decimal("1250.00")
    assert results[0].record.paid is None  # 0001-01-01 = not paid
    assert results[1].error.type == "ValidationException"
    assert "Customer 99" in results[1].error.message
    with pytest.raises(RecordRejected):
        results[1].unwrap()
    body = fake.calls("SaveInvoices")[0].body.decode()
    assert "<ns0:Price>1000.00</ns0:Price>" in body  # never exponent form
    assert "InvoiceId" not in body


def test_get_invoices_names_return_properties_and_reads_sentinels(fake, make_client):
    fake.handlers["GetInvoices"] = lambda el, s: result(
        "GetInvoices",
        "<InvoiceOrder><OrderId>100</OrderId><CustomerId>10</CustomerId><OrderStatus>Invoiced</OrderStatus>"
        "<InvoiceId>5000</InvoiceId><DateChanged>2025-02-03T10:11:12</DateChanged><ProjectId>-2147483648</ProjectId>"
        "<IncludeVAT xsi:nil='true'/><OrderTotalIncVat>1250.00</OrderTotalIncVat><Paid>2025-02-10T00:00:00</Paid>"
        "<InvoiceRows><InvoiceRow><ProductId>1</ProductId><Price>1000.00</Price><Quantity>1</Quantity></InvoiceRow></InvoiceRows>"
        "<ReferenceNumber>HUB-1</ReferenceNumber></InvoiceOrder>",
    )
    invoices = make_client().get_invoices(invoice_ids=[5000], changed_after=datetime(2025, 1, 1, tzinfo=timezone.utc))
    invoice = invoices[0]
    assert (invoice.invoice_id, invoice.project_id, invoice.paid) == (5000, None, date(2025, 2, 10))
    assert invoice.is_paid and invoice.rows[0].price == Decimal("1000.00")
    assert invoice.date_changed == datetime(2025, 2, 3, 10, 11, 12, tzinfo=timezone.utc)
    request = etree.fromstring(fake.calls("GetInvoices")[0].body)
    asked = [e.text for e in request.iter(f"{{{NS}}}string")]
    for name in ("ReferenceNumber", "InvoiceId", "OrderId", "CustomerId", "OrderStatus", "Paid", "OrderTotalIncVat",
                 "DateChanged", "ExternalStatus", "InvoiceRows", "ProductId"):
        assert name in asked
    assert request.find(f".//{{{NS}}}ChangedAfter").text == "2024-12-31T23:59:59"


def test_get_invoices_splits_more_than_1000_ids(fake, make_client):
    fake.handlers["GetInvoices"] = lambda el, s: result("GetInvoices", "")
    make_client().get_invoices(order_ids=range(1, 2501))
    sizes = [len(list(_children(etree.fromstring(c.body), "int"))) for c in fake.calls("GetInvoices")]
    assert sizes == [1000, 1000, 500]


def test_save_company_and_lookup_by_external_id(fake, make_client):
    fake.handlers["SaveCompanies"] = lambda el, s: result(
        "SaveCompanies", "<Company><Id>42</Id><ExternalId>hub-7</ExternalId><Name>Kunde AS</Name></Company>"
    )
    fake.handlers["GetCompanies"] = lambda el, s: result(
        "GetCompanies",
        "<Company><Id>42</Id><ExternalId>hub-7</ExternalId><Name>Kunde AS</Name>"
        "<EmailAddresses><Invoice><Value>faktura@kunde.no</Value></Invoice></EmailAddresses><Type>Business</Type></Company>",
    )
    client = make_client()
    saved = client.save_company(Company(name="Kunde AS", external_id="hub-7", invoice_email="faktura@kunde.no"))
    assert saved.id == 42
    found = client.get_companies(external_id="hub-7")
    assert found[0].invoice_email == "faktura@kunde.no" and found[0].type == "Business"
    sent = fake.calls("SaveCompanies")[0].body.decode()
    assert "<ns0:Invoice><ns0:Value>faktura@kunde.no</ns0:Value></ns0:Invoice>" in sent


def test_save_products_and_categories(fake, make_client):
    fake.handlers["SaveProducts"] = lambda el, s: result(
        "SaveProducts",
        "<Product><Id>5</Id><Name>Konsulenttime</Name><CategoryId>1</CategoryId><Price>1200.00</Price><No>K1</No></Product>"
        "<Product><Name>Uten kategori</Name><APIException><Type>Exception</Type><Message>CategoryId is required</Message></APIException></Product>",
    )
    fake.handlers["GetCategories"] = lambda el, s: result(
        "GetCategories", "<Category><Id>1</Id><Name>Tjenester</Name><ParentId>-2147483648</ParentId></Category>"
    )
    client = make_client()
    results = client.save_products(
        [Product(name="Konsulenttime", category_id=1, price=Decimal("1200"), no="K1"), Product(name="Uten kategori")]
    )
    assert results[0].record.id == 5 and results[1].error.message == "CategoryId is required"
    assert client.get_product_categories()[0].parent_id is None


def test_project_without_required_fields_is_refused_before_sending(fake, make_client):
    from sevenoffice.errors import InvalidRequest
    from sevenoffice.types import Project

    with pytest.raises(InvalidRequest):
        make_client().save_project(Project(name="X", name_display=None))
    assert not fake.calls("SaveProject")
