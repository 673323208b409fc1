"""InvoiceService: orders, invoicing, numbering, immutability, search and documents."""

from __future__ import annotations

from decimal import Decimal

from .helpers import create_customer, create_product, order, save_orders


def test_invoicing_assigns_the_series_number_and_ignores_a_sent_invoice_id(sandbox, demo):
    customer, product = create_customer(demo), create_product(demo)
    first, second = save_orders(
        demo,
        order(customer, product, OrderStatus="Invoiced", InvoiceId=5),
        order(customer, product, OrderStatus="Invoiced"),
    )
    assert (first.InvoiceId, second.InvoiceId) == (10001, 10002)
    assert first.DateInvoiced is not None and first.OrderId == 1
    # 2 x 1000.00 + 25 % VAT
    assert (first.OrderTotalIncVat, first.OrderTotalVat) == (Decimal("2500.00"), Decimal("500.00"))


def test_invoice_series_start_is_configurable_per_identity(sandbox, demo):
    sandbox.set_invoice_series(50001)
    customer, product = create_customer(demo), create_product(demo)
    [saved] = save_orders(demo, order(customer, product, OrderStatus="Invoiced"))
    assert saved.InvoiceId == 50001


def test_orders_stay_orders_until_invoiced_and_can_be_changed(sandbox, demo):
    customer, product = create_customer(demo), create_product(demo)
    [draft] = save_orders(demo, order(customer, product, OrderStatus="Draft", YourReference="Per"))
    assert draft.InvoiceId is None
    [changed] = save_orders(demo, {"OrderId": draft.OrderId, "IncludeVAT": None, "YourReference": "Pål",
                                   "OrderStatus": "Invoiced"})
    assert changed.YourReference == "Pål" and changed.InvoiceId == 10001
    assert changed.OrderTotalIncVat == Decimal("2500.00")  # rows kept from the draft


def test_invoiced_orders_are_immutable_except_title_and_reference(sandbox, demo):
    customer, product = create_customer(demo), create_product(demo)
    [invoice] = save_orders(demo, order(customer, product, OrderStatus="Invoiced"))
    [refused] = save_orders(demo, {"OrderId": invoice.OrderId, "IncludeVAT": None, "YourReference": "Ny"})
    assert refused.APIException.Type == "InvalidOperationException"
    service = demo.service("InvoiceService")
    [updated] = service.UpdateInvoices(invoices={"InvoiceOrder": [
        {"OrderId": invoice.OrderId, "IncludeVAT": None, "InvoiceTitle": "Ny tittel", "ReferenceNumber": "R-9"}]})
    assert updated.APIException is None
    [bad_update] = service.UpdateInvoices(invoices={"InvoiceOrder": [
        {"OrderId": invoice.OrderId, "IncludeVAT": None, "YourReference": "Nei"}]})
    assert bad_update.APIException is not None
    [stored] = service.GetInvoices(searchParams={"InvoiceIds": {"int": [invoice.InvoiceId]}})
    assert (stored.InvoiceTitle, stored.ReferenceNumber, stored.YourReference) == ("Ny tittel", "R-9", None)


def test_per_record_errors_in_save_invoices(sandbox, demo):
    customer, product = create_customer(demo), create_product(demo)
    results = save_orders(
        demo,
        order(customer, product),
        order(999, product),  # unknown customer
        order(customer, 999),  # unknown product on a Normal row
        order(customer, product, ProjectId=77),  # unknown project
        order(customer, product, InvoiceTitle="x" * 301),
        {"CustomerId": customer, "IncludeVAT": None, "InvoiceRows": {"InvoiceRow": [{"Type": "Text", "Name": "Bare tekst"}]}},
    )
    assert [r.APIException is None for r in results] == [True, False, False, False, False, True]
    assert "CustomerId 999" in results[1].APIException.Message
    assert "ProductId 999" in results[2].APIException.Message
    assert [o["OrderId"] for o in sandbox.data()["orders"]] == [1, 2]


def test_get_invoices_honours_search_and_return_properties(sandbox, demo):
    customer, other, product = create_customer(demo), create_customer(demo, "Annen AS"), create_product(demo)
    save_orders(demo, order(customer, product, OrderStatus="Invoiced", ExternalStatus=3, ReferenceNumber="A-1"),
                order(other, product, OrderStatus="Draft"))
    service = demo.service("InvoiceService")
    found = service.GetInvoices(
        searchParams={"CustomerIds": {"int": [customer]}},
        invoiceReturnProperties={"string": ["OrderId", "InvoiceId", "ReferenceNumber", "InvoiceRows"]},
        rowReturnProperties={"string": ["ProductId", "Price"]},
    )
    assert [(o.OrderId, o.InvoiceId, o.ReferenceNumber) for o in found] == [(1, 10001, "A-1")]
    assert found[0].CustomerId is None  # not requested
    row = found[0].InvoiceRows.InvoiceRow[0]
    assert (row.ProductId, row.Price, row.Quantity) == (product, Decimal("1000.00"), None)
    without_rows = service.GetInvoices(searchParams={"OrderIds": {"int": [1]}},
                                       invoiceReturnProperties={"string": ["OrderId"]})
    assert without_rows[0].InvoiceRows is None
    assert [o.OrderId for o in service.GetInvoices(searchParams={"OrderStates": {"OrderSlipStateType": ["Draft"]}})] == [2]
    assert [o.OrderId for o in service.GetInvoices(searchParams={"ExternalStatus": {"int": [3]}})] == [1]


def test_vat_follows_tax_settings_discount_and_include_vat(sandbox, demo):
    customer, product = create_customer(demo), create_product(demo, price="100.00")
    rows = {"InvoiceRow": [
        {"ProductId": product, "Quantity": Decimal("1"), "TaxSettings": {"TaxCode": 33}},  # 12 %
        {"ProductId": product, "Quantity": Decimal("2"), "DiscountRate": Decimal("50")},  # 25 %, half price
    ]}
    [saved] = save_orders(demo, {"CustomerId": customer, "IncludeVAT": None, "InvoiceRows": rows})
    assert (saved.OrderTotalVat, saved.OrderTotalIncVat) == (Decimal("37.00"), Decimal("237.00"))
    [gross] = save_orders(demo, {"CustomerId": customer, "IncludeVAT": True,
                                 "InvoiceRows": {"InvoiceRow": [{"ProductId": product, "Quantity": Decimal("1")}]}})
    assert (gross.OrderTotalIncVat, gross.OrderTotalVat) == (Decimal("100.00"), Decimal("20.00"))


def test_order_sync_list_and_invoice_document(sandbox, demo):
    customer, product = create_customer(demo), create_product(demo)
    [invoice] = save_orders(demo, order(customer, product, OrderStatus="Invoiced"))
    service = demo.service("InvoiceService")
    assert service.GetOrderSyncList(syncParams={"RegisteredAfter": "2000-01-01T00:00:00"}) == [invoice.OrderId]
    pdf = service.GetInvoiceDocument(Parameters={"InvoiceId": invoice.InvoiceId})
    assert pdf.startswith(b"%PDF-") and b"10001" in pdf


def test_invoicing_writes_an_open_receivable_and_payment_closes_it(sandbox, demo):
    customer, product = create_customer(demo), create_product(demo)
    [invoice] = save_orders(demo, order(customer, product, OrderStatus="Invoiced"))
    transactions = demo.service("TransactionService")
    search = {"DateStart": "2000-01-01T00:00:00", "DateEnd": "2100-01-01T00:00:00", "SystemType": None,
              "HasInvoiceId": None, "AccountNoStart": 1500, "AccountNoEnd": 1500}
    [receivable] = transactions.GetTransactions(searchParams=search)
    assert (receivable.InvoiceNo, receivable.SystemType, receivable.Open, receivable.Amount) == (
        "10001", "InvoiceCustomer", True, Decimal("2500.00"))

    partial = sandbox.register_payment(invoice.InvoiceId, "1000.00")
    assert partial["fully_paid"] is False
    full = sandbox.register_payment(invoice.InvoiceId, "1500.00")
    assert full["fully_paid"] is True and full["link_id"] != partial["link_id"]  # LinkId renumbered
    lines = transactions.GetTransactions(searchParams=search)
    assert {line.Open for line in lines} == {False} and len({line.LinkId for line in lines}) == 1
    [paid] = demo.service("InvoiceService").GetInvoices(
        searchParams={"InvoiceIds": {"int": [invoice.InvoiceId]}}, invoiceReturnProperties={"string": ["Paid"]})
    assert paid.Paid is not None


def test_negative_invoice_is_a_credit_note_in_the_ledger(sandbox, demo):
    customer, product = create_customer(demo), create_product(demo)
    [credit] = save_orders(demo, order(customer, product, quantity="-1", OrderStatus="Invoiced", ReferenceInvoiceId=10001))
    assert credit.OrderTotalIncVat == Decimal("-1250.00")
    lines = demo.service("TransactionService").GetTransactions(searchParams={
        "SystemType": "CreditnoteCustomer", "HasInvoiceId": None})
    assert {line.AccountNo for line in lines} == {1500, 3000, 2700}


def test_an_order_for_invoicing_has_no_invoice_number_and_posts_nothing_until_published(sandbox, demo):
    customer, product = create_customer(demo), create_product(demo)
    [waiting] = save_orders(demo, order(customer, product, OrderStatus="ForInvoicing", ReferenceNumber="HUB-1/1"))
    assert waiting.InvoiceId is None and waiting.DateInvoiced is None and waiting.OrderStatus == "ForInvoicing"
    assert sandbox.data()["transactions"] == []
    [published] = save_orders(demo, {"OrderId": waiting.OrderId, "IncludeVAT": None, "OrderStatus": "Invoiced"})
    assert published.InvoiceId == 10001
    assert sandbox.data()["transactions"]  # the ledger gets it once someone publishes it
