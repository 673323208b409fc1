"""Small builders shared by the behaviour tests."""

from __future__ import annotations

from decimal import Decimal


SOAP_HEADERS = {"Content-Type": "text/xml; charset=utf-8"}


def envelope(body_xml: str) -> str:
    """A SOAP 1.1 envelope around ``body_xml``, for tests that post raw XML."""
    return (
        '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
        f"<soap:Body>{body_xml}</soap:Body></soap:Envelope>"
    )


HAS_SESSION = envelope('<HasSession xmlns="http://24sevenOffice.com/webservices"/>')


def create_customer(clients, name: str = "Kunde AS", **fields) -> int:
    saved = clients.service("CompanyService").SaveCompanies(companies={"Company": [{"Name": name, **fields}]})
    assert saved[0].APIException is None, saved[0].APIException
    return saved[0].Id


def create_product(clients, name: str = "Konsulenttime", price: str = "1000.00", **fields) -> int:
    saved = clients.service("ProductService").SaveProducts(
        products={"Product": [{"Name": name, "CategoryId": 1, "Price": Decimal(price), **fields}]}
    )
    assert saved[0].APIException is None, saved[0].APIException
    return saved[0].Id


def order(customer_id: int, product_id: int, quantity: str = "2", **fields) -> dict:
    return {
        "CustomerId": customer_id,
        "IncludeVAT": None,
        "InvoiceRows": {"InvoiceRow": [{"ProductId": product_id, "Quantity": Decimal(quantity)}]},
        **fields,
    }


def save_orders(clients, *orders: dict):
    return clients.service("InvoiceService").SaveInvoices(invoices={"InvoiceOrder": list(orders)})
