"""Orders ("data for accounting") against the sandbox over HTTP, called in-process (no worker).

The demo's Trondheim department sends orders with the generic product "Rental" in category
"Rentals" to the client Demo Konsulent AS; its invoices carry dated rental rows.
"""

from collections import Counter
from decimal import Decimal

import pytest

from exports import transfer
from exports.demo import GENERIC_CATEGORY, GENERIC_PRODUCT
from exports.models import BindingKind, ExportItem, ExportStatus, Invoice, InvoiceLine, SentAs, SevenOfficeBinding
from sevenoffice.client import SevenOfficeClient
from sevenoffice.sandbox import accounts as sandbox_accounts
from sevenoffice.types import Company, Credential, Product, ProductCategory
from tenants.models import ExportMode
from tenants.services import integration_settings
from tests.exports.test_transfer_service import send_all

pytestmark = pytest.mark.django_db
S = ExportStatus
ORDERS_CLIENT = sandbox_accounts.DEMO_KONSULENT_IDENTITY_ID  # Trondheim's 24SO client
SALES_CODES = {Decimal("25"): 3, Decimal("15"): 31, Decimal("12"): 33, Decimal("0"): 5}


def so_data(sandbox, identity=ORDERS_CLIENT):
    return sandbox.data(username=sandbox_accounts.DEFAULT_USERNAME, identity_id=identity)


def so_client(identity=ORDERS_CLIENT):
    return SevenOfficeClient(Credential(sandbox_accounts.DEFAULT_USERNAME, sandbox_accounts.DEFAULT_PASSWORD, identity))


def trondheim(tenant, kind="invoice"):
    return list(Invoice.objects.filter(tenant=tenant, department__code="TRONDHEIM", kind=kind).order_by("number"))


def export(tenant, invoices):
    batch = transfer.export_create(tenant=tenant, invoices=invoices)
    send_all(batch)
    return batch


def by_reference(sandbox, identity=ORDERS_CLIENT):
    return {o["ReferenceNumber"]: o for o in so_data(sandbox, identity)["orders"]}


def test_orders_land_unsent_and_uninvoiced_with_the_generic_product_dated_rows_and_sales_vat_codes(sandbox, demo_tenant):
    invoices = trondheim(demo_tenant)[:4]
    InvoiceLine.objects.filter(invoice=invoices[0], position=1).update(vat_rate=Decimal("15"))
    InvoiceLine.objects.filter(invoice=invoices[0], position=2).update(vat_rate=Decimal("12"))
    InvoiceLine.objects.filter(invoice=invoices[1], position=1).update(vat_rate=Decimal("0"))
    batch = export(demo_tenant, invoices)

    items = list(ExportItem.objects.filter(batch=batch).select_related("invoice"))
    assert {(i.status, i.sent_as) for i in items} == {(S.DONE, SentAs.ORDER)}
    assert all(i.sevenoffice_order_id and i.sevenoffice_invoice_id is None for i in items)
    assert {i.sevenoffice_document for i in items} == {f"Order {i.sevenoffice_order_id}" for i in items}

    data = so_data(sandbox)
    [product] = [p for p in data["products"] if p["Name"] == GENERIC_PRODUCT]
    [category] = [c for c in data["categories"] if c["Name"] == GENERIC_CATEGORY]
    assert product["CategoryId"] == category["Id"]
    assert data["transactions"] == []  # orders post nothing to the ledger
    orders = by_reference(sandbox)
    for invoice in invoices:
        order = orders[transfer.hub_reference(invoice)]
        assert order["OrderStatus"] == "ForInvoicing" and "InvoiceId" not in order
        rows = sorted(order["InvoiceRows"], key=lambda r: r["SequenceNumber"])
        lines = list(invoice.lines.order_by("position"))
        assert {r["ProductId"] for r in rows} == {product["Id"]}  # every row, whatever its product number
        assert [r["Name"] for r in rows] == [line.sevenoffice_name for line in lines]
        assert [r["TaxSettings"]["TaxCode"] for r in rows] == [SALES_CODES[line.vat_rate] for line in lines]
        assert [Decimal(str(r["Price"])) for r in rows] == [line.unit_price for line in lines]
        assert [Decimal(str(r["DiscountRate"])) for r in rows] == [line.discount_percent for line in lines]
    rental = next(line for line in invoices[0].lines.all() if line.period_start)
    assert rental.sevenoffice_name == (
        f"{rental.product_name} ({rental.period_start.isoformat()} – {rental.period_end.isoformat()})"
    )
    assert SevenOfficeBinding.objects.get(kind=BindingKind.GENERIC_PRODUCT, key=GENERIC_PRODUCT).sevenoffice_id == product["Id"]


def test_an_existing_generic_product_is_used_and_nothing_is_created(sandbox, demo_tenant):
    client = so_client()
    category = client.save_product_categories([ProductCategory(name="Made by a person")])[0].unwrap()
    existing = client.save_product(Product(name=GENERIC_PRODUCT, category_id=category.id))
    client.save_product(Product(name=f"{GENERIC_PRODUCT} extra", category_id=category.id))  # a name search hit, not ours

    export(demo_tenant, trondheim(demo_tenant)[:2])

    data = so_data(sandbox)
    assert [p["Name"] for p in data["products"]].count(GENERIC_PRODUCT) == 1
    assert GENERIC_CATEGORY not in {c["Name"] for c in data["categories"]}  # not needed, not created
    rows = [r for o in data["orders"] for r in o["InvoiceRows"]]
    assert {r["ProductId"] for r in rows} == {existing.id}


def test_a_missing_product_is_created_in_the_existing_category_and_a_renamed_setting_finds_its_own(sandbox, demo_tenant):
    category = so_client().save_product_categories([ProductCategory(name=GENERIC_CATEGORY)])[0].unwrap()
    first, second = trondheim(demo_tenant)[:2]
    export(demo_tenant, [first])
    data = so_data(sandbox)
    assert [c["Name"] for c in data["categories"]].count(GENERIC_CATEGORY) == 1
    [product] = [p for p in data["products"] if p["Name"] == GENERIC_PRODUCT]
    assert product["CategoryId"] == category.id

    settings = integration_settings(demo_tenant)
    settings.generic_product_name = "Machine rental"
    settings.save()
    export(demo_tenant, [second])
    data = so_data(sandbox)
    [renamed] = [p for p in data["products"] if p["Name"] == "Machine rental"]
    assert renamed["CategoryId"] == category.id
    order = by_reference(sandbox)[transfer.hub_reference(second)]
    assert {r["ProductId"] for r in order["InvoiceRows"]} == {renamed["Id"]}


def test_without_a_generic_product_order_rows_use_their_own_products(sandbox, demo_tenant):
    settings = integration_settings(demo_tenant)
    settings.generic_product_name = ""
    settings.save()
    invoice = trondheim(demo_tenant)[0]
    export(demo_tenant, [invoice])
    data = so_data(sandbox)
    numbers = {p["Id"]: p["No"] for p in data["products"]}
    order = by_reference(sandbox)[transfer.hub_reference(invoice)]
    assert order["OrderStatus"] == "ForInvoicing"
    rows = sorted(order["InvoiceRows"], key=lambda r: r["SequenceNumber"])
    assert [numbers[r["ProductId"]] for r in rows] == [line.product_number for line in invoice.lines.order_by("position")]
    assert GENERIC_PRODUCT not in {p["Name"] for p in data["products"]}


def test_a_rate_24so_has_no_code_for_fails_that_order_by_name_and_the_others_go(sandbox, demo_tenant):
    bad, good = trondheim(demo_tenant)[:2]
    InvoiceLine.objects.filter(invoice=bad, position=1).update(vat_rate=Decimal("13.50"))
    batch = export(demo_tenant, [bad, good])
    items = {i.invoice_id: i for i in ExportItem.objects.filter(batch=batch)}
    assert items[bad.pk].status == S.FAILED and items[bad.pk].message == "24SevenOffice has no VAT code for 13.5 %."
    assert items[good.pk].status == S.DONE
    assert set(by_reference(sandbox)) == {transfer.hub_reference(good)}  # never sent with a guessed code


def test_department_setting_overrides_the_tenants_either_way(sandbox, demo_tenant):
    settings = integration_settings(demo_tenant)
    settings.export_mode = ExportMode.ORDER
    settings.save()
    demo_tenant.departments.filter(code="OSLO").update(export_mode=ExportMode.INVOICE)
    bergen = Invoice.objects.filter(tenant=demo_tenant, department__code="BERGEN", kind="invoice").first()
    oslo = Invoice.objects.filter(tenant=demo_tenant, department__code="OSLO", kind="invoice").first()
    batch = export(demo_tenant, [bergen, oslo])
    items = {i.invoice_id: i for i in ExportItem.objects.filter(batch=batch)}
    assert items[bergen.pk].sent_as == SentAs.ORDER and items[bergen.pk].sevenoffice_invoice_id is None
    assert items[oslo.pk].sent_as == SentAs.INVOICE and items[oslo.pk].sevenoffice_invoice_id
    orders = by_reference(sandbox, sandbox_accounts.DEMO_AS_IDENTITY_ID)
    assert orders[transfer.hub_reference(bergen)]["OrderStatus"] == "ForInvoicing"
    assert orders[transfer.hub_reference(oslo)]["OrderStatus"] == "Invoiced"


def test_customer_is_matched_by_email_or_org_number_and_updated_or_else_created(sandbox, demo_tenant):
    first, second, third = trondheim(demo_tenant)[:3]
    customers = [first.customer, second.customer, third.customer]
    assert len({c.pk for c in customers}) == 3, "the demo gives these three different customers"
    client = so_client()
    by_email = client.save_company(Company(name="Old name", email=customers[0].email))
    by_org = client.save_company(Company(name="Other old name", organization_number=customers[1].organization_number))

    export(demo_tenant, [first, second, third])

    companies = {c["Id"]: c for c in so_data(sandbox)["companies"]}
    assert len(companies) == 3  # two matched, one created
    orders = by_reference(sandbox)
    assert orders[transfer.hub_reference(first)]["CustomerId"] == by_email.id
    assert orders[transfer.hub_reference(second)]["CustomerId"] == by_org.id
    for invoice in (first, second):
        company = companies[orders[transfer.hub_reference(invoice)]["CustomerId"]]
        assert company["Name"] == invoice.customer.sevenoffice_name  # the hub's data won
        assert company["Addresses"]["Post"]["Street"] == invoice.customer.street
    rules = dict(SevenOfficeBinding.objects.filter(kind=BindingKind.CUSTOMER, identity_id=ORDERS_CLIENT).values_list(
        "key", "match_rule"))
    assert [rules[str(c.pk)] for c in customers] == ["email", "organization_number", "created"]


def test_a_customer_changed_since_its_last_sync_is_updated_before_the_order(sandbox, demo_tenant):
    first, second = trondheim(demo_tenant)[:2]
    export(demo_tenant, [first])
    customer = first.customer
    customer.street, customer.sync_version = "Nyveien 7", customer.sync_version + 1
    customer.save()  # changed; its own sync has not run (yet)
    second.customer = customer
    second.save()
    export(demo_tenant, [second])
    [company] = [c for c in so_data(sandbox)["companies"] if c["Name"] == customer.sevenoffice_name]
    assert company["Addresses"]["Post"]["Street"] == "Nyveien 7"


def rental_credit_note(tenant):
    credited = trondheim(tenant)[0]
    credit_note = Invoice.objects.create(
        tenant=tenant, department=credited.department, external_id="cn-rental", number=90001, kind="credit_note",
        credits=credited, customer=credited.customer, invoice_date=credited.invoice_date, due_date=credited.due_date,
    )
    rental = next(line for line in credited.lines.all() if line.period_start)
    InvoiceLine.objects.create(
        invoice=credit_note, position=1, product_number=rental.product_number, product_name=rental.product_name,
        quantity=-rental.quantity, unit_price=rental.unit_price, vat_rate=rental.vat_rate,
        period_start=rental.period_start, period_end=rental.period_end,
    )
    return credit_note


def test_a_credit_note_goes_as_an_order_pointing_at_the_credited_order(sandbox, demo_tenant):
    credit_note = rental_credit_note(demo_tenant)
    export(demo_tenant, [credit_note.credits, credit_note])
    credited = ExportItem.objects.get(invoice=credit_note.credits)
    item = ExportItem.objects.get(invoice=credit_note)
    assert (item.status, item.sent_as) == (S.DONE, SentAs.ORDER), item.message
    order = by_reference(sandbox)[transfer.hub_reference(credit_note)]
    assert order["OrderStatus"] == "ForInvoicing" and order["ReferenceOrderId"] == credited.sevenoffice_order_id
    assert all(Decimal(str(r["Quantity"])) < 0 for r in order["InvoiceRows"])
    assert so_data(sandbox)["transactions"] == []


def test_an_order_whose_answer_was_lost_is_found_by_its_reference_and_not_sent_twice(sandbox, demo_tenant):
    invoices = trondheim(demo_tenant)[:3]
    batch = transfer.export_create(tenant=demo_tenant, invoices=invoices)
    sandbox.control(drop_after_commit_rate=1.0, operations=["SaveInvoices"])
    send_all(batch, tolerate_unavailable=True)
    assert transfer.export_summary(batch)["counts"][S.QUEUED] == 3
    assert len(so_data(sandbox)["orders"]) == 3  # 24SO has them; the hub does not know yet

    sandbox.control(drop_after_commit_rate=0.0)
    send_all(batch)
    items = list(ExportItem.objects.filter(batch=batch))
    assert {(i.status, i.sent_as) for i in items} == {(S.DONE, SentAs.ORDER)}
    assert all("earlier attempt" in i.message and i.sevenoffice_order_id for i in items)
    orders = by_reference(sandbox)
    assert Counter(o["ReferenceNumber"] for o in so_data(sandbox)["orders"]) == Counter(
        transfer.hub_reference(i) for i in invoices)
    assert {i.sevenoffice_order_id for i in items} == {orders[transfer.hub_reference(i.invoice)]["OrderId"] for i in items}


def test_an_invoice_under_the_hubs_number_in_24so_does_not_make_an_order_a_duplicate(sandbox, demo_tenant):
    invoice = trondheim(demo_tenant)[0]
    client = so_client()
    customer = client.save_company(Company(name="Someone else"))
    product = client.save_product(Product(name="Thing", category_id=1))
    sandbox.set_invoice_series(invoice.number, username=sandbox_accounts.DEFAULT_USERNAME, identity_id=ORDERS_CLIENT)
    from sevenoffice.types import InvoiceOrder, InvoiceRow, OrderStatus

    client.save_invoice(InvoiceOrder(customer_id=customer.id, order_status=OrderStatus.INVOICED,
                                     rows=(InvoiceRow(product_id=product.id, quantity=Decimal(1)),)))
    batch = export(demo_tenant, [invoice])
    item = ExportItem.objects.get(batch=batch)
    assert (item.status, item.sent_as) == (S.DONE, SentAs.ORDER), item.message


def test_a_published_hub_order_under_an_invoices_number_is_no_duplicate_of_that_invoice(sandbox, demo_tenant):
    """An order the hub sent, published in 24SO since, took the next number of 24SO's series;
    the hub invoice with that number (from an invoice-mode department) still goes."""
    settings = integration_settings(demo_tenant)
    settings.export_mode = ExportMode.ORDER
    settings.save()
    oslo = list(Invoice.objects.filter(tenant=demo_tenant, department__code="OSLO", kind="invoice").order_by("number"))
    as_order, as_invoice = oslo[0], oslo[1]
    export(demo_tenant, [as_order])
    order_id = ExportItem.objects.get(invoice=as_order).sevenoffice_order_id
    demo_tenant.departments.filter(code="OSLO").update(export_mode=ExportMode.INVOICE)
    # Someone publishes the order in 24SO, and the series hands it as_invoice's number.
    sandbox.set_invoice_series(as_invoice.number, username=sandbox_accounts.DEFAULT_USERNAME,
                               identity_id=sandbox_accounts.DEMO_AS_IDENTITY_ID)
    from sevenoffice.types import InvoiceOrder, OrderStatus

    client = so_client(sandbox_accounts.DEMO_AS_IDENTITY_ID)
    published = client.save_invoice(InvoiceOrder(order_id=order_id, order_status=OrderStatus.INVOICED))
    assert published.invoice_id == as_invoice.number

    batch = export(demo_tenant, [as_invoice])
    item = ExportItem.objects.get(batch=batch)
    assert (item.status, item.sent_as) == (S.DONE, SentAs.INVOICE), item.message


def test_receipt_page_and_its_updates_show_orders_as_orders(sandbox, demo_tenant, client):
    invoice = trondheim(demo_tenant)[0]
    batch = export(demo_tenant, [invoice])
    item = ExportItem.objects.get(batch=batch)
    client.login(username="accountant", password="demo-accountant-pass")
    page = client.get(f"/exports/{batch.pk}/").content.decode()
    assert f"Order {item.sevenoffice_order_id}" in page
    updates = client.get(f"/exports/{batch.pk}/updates").json()["items"]
    assert updates[0]["sevenoffice_document"] == f"Order {item.sevenoffice_order_id}"
    assert updates[0]["sent_as"] == "order" and updates[0]["number_differs"] is False


def test_an_order_exported_again_is_a_duplicate_that_names_the_order(sandbox, demo_tenant):
    invoice = trondheim(demo_tenant)[0]
    first = ExportItem.objects.get(batch=export(demo_tenant, [invoice]))
    again = ExportItem.objects.get(batch=export(demo_tenant, [invoice]))
    assert again.status == S.DUPLICATE and again.sent_as == SentAs.ORDER
    assert again.message == f"Already exported in export {first.batch_id} as 24SO order {first.sevenoffice_order_id}."
    assert again.sevenoffice_document == first.sevenoffice_document == f"Order {first.sevenoffice_order_id}"
    assert len(so_data(sandbox)["orders"]) == 1


def test_confirmation_names_the_generic_product_for_orders_and_checks_no_invoice_numbers(sandbox, demo_tenant, client):
    invoice = trondheim(demo_tenant)[0]
    # 24SO already has an invoice under this number; for an order that means nothing.
    sandbox.set_invoice_series(invoice.number, username=sandbox_accounts.DEFAULT_USERNAME, identity_id=ORDERS_CLIENT)
    so = so_client()
    from sevenoffice.types import InvoiceOrder, InvoiceRow, OrderStatus

    other = so.save_company(Company(name="Someone else"))
    so.save_invoice(InvoiceOrder(customer_id=other.id, order_status=OrderStatus.INVOICED, rows=(
        InvoiceRow(product_id=so.save_product(Product(name="Thing", category_id=1)).id, quantity=Decimal(1)),)))
    client.login(username="accountant", password="demo-accountant-pass")
    page = client.post("/exports/confirm/", {"invoice": [invoice.pk]}).content.decode()
    assert f"New products: {GENERIC_PRODUCT}" in page
    assert "already has another invoice" not in page
    export(demo_tenant, [invoice])
    page = client.post("/exports/confirm/", {"invoice": [trondheim(demo_tenant)[1].pk]}).content.decode()
    assert "New products" not in page  # the generic product is known now


def test_a_credit_note_sent_as_an_invoice_cannot_credit_an_order_and_says_so(sandbox, demo_tenant):
    credit_note = rental_credit_note(demo_tenant)
    export(demo_tenant, [credit_note.credits])
    demo_tenant.departments.filter(code="TRONDHEIM").update(export_mode=ExportMode.INVOICE)
    item = ExportItem.objects.get(batch=export(demo_tenant, [credit_note]))
    order_id = ExportItem.objects.get(invoice=credit_note.credits).sevenoffice_order_id
    assert item.status == S.FAILED
    assert f"went to 24SevenOffice as order {order_id}, not as an invoice" in item.message
    assert len(so_data(sandbox)["orders"]) == 1
