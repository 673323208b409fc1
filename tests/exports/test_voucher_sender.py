"""Invoices posted as vouchers: the sender against the sandbox over HTTP, called in-process."""

from datetime import date
from decimal import Decimal

import pytest

from exports import transfer, vouchers
from exports.amounts import invoice_amounts
from exports.models import ExportItem, ExportStatus, RevenueAccountRule, SentAs
from tests.exports.test_transfer_service import send_all
from tests.exports.voucher_helpers import amounts_by_account, dimension, make_invoice, use_vouchers, vouchers_in

pytestmark = pytest.mark.django_db
S = ExportStatus
# Quantities with four decimals, discounts and prices that round on every line.
NASTY = [("3.3333", "0.07", "33.33", "25"), ("1.0005", "19.99", "0", "25"), ("7", "0.35", "12.5", "15"),
         ("2.5", "13.13", "0", "12"), ("0.3333", "999.99", "10", "0"), ("1", "0.01", "0", "12")]


@pytest.fixture(autouse=True)
def fresh_caches():
    vouchers._fiscal_years.clear()
    transfer._tax_codes.clear()


def test_mixed_rates_post_one_balanced_voucher_with_revenue_and_vat_per_rate(sandbox, demo_tenant):
    use_vouchers(demo_tenant)
    invoice = make_invoice(demo_tenant, 5001, NASTY)
    batch = transfer.export_create(tenant=demo_tenant, invoices=[invoice])
    send_all(batch)

    item = ExportItem.objects.get(batch=batch)
    assert (item.status, item.sent_as, item.sevenoffice_transaction_no) == (S.DONE, SentAs.VOUCHER, 5001), item.message
    lines = vouchers_in(sandbox)[5001]
    amounts = invoice_amounts(invoice)
    assert sum(Decimal(str(line["Amount"])) for line in lines) == 0
    assert all(Decimal(str(line["Amount"])) == Decimal(str(line["Amount"])).quantize(Decimal("0.01")) for line in lines)
    receivable = next(line for line in lines if line["AccountNo"] == 1500)
    assert Decimal(str(receivable["Amount"])) == amounts.total
    assert (receivable["InvoiceNo"], receivable["SystemType"], receivable["Open"]) == ("5001", "InvoiceCustomer", True)
    assert receivable["DueDate"].startswith(invoice.due_date.isoformat())
    assert dimension(receivable, "Project") and dimension(receivable, "Department") == "1"
    by_code = {line["VatCode"]: Decimal(str(line["Amount"])) for line in lines if line["AccountNo"] in (3000,)}
    expected = {r.rate: r for r in amounts.rates}
    assert by_code == {3: -expected[25].net, 31: -expected[15].net, 33: -expected[12].net, 5: -expected[0].net}
    vat = amounts_by_account(lines)[2700]
    assert vat == -(expected[25].vat + expected[15].vat + expected[12].vat) and vat != 0


def test_credit_note_posts_the_exact_reverse_under_its_own_number(sandbox, demo_tenant):
    use_vouchers(demo_tenant)
    invoice = make_invoice(demo_tenant, 5001, NASTY)
    credit = make_invoice(demo_tenant, 5002, [(f"-{q}", p, d, r) for q, p, d, r in NASTY], credits=invoice)
    send_all(transfer.export_create(tenant=demo_tenant, invoices=[invoice, credit]))

    posted = vouchers_in(sandbox)
    assert amounts_by_account(posted[5002]) == {k: -v for k, v in amounts_by_account(posted[5001]).items()}
    receivable = next(line for line in posted[5002] if line["AccountNo"] == 1500)
    assert (receivable["InvoiceNo"], receivable["SystemType"]) == ("5002", "CreditnoteCustomer")


def test_revenue_account_follows_department_and_rate_rules(sandbox, demo_tenant):
    use_vouchers(demo_tenant, revenue_account=3000)
    oslo = demo_tenant.departments.get(code="OSLO")
    RevenueAccountRule.objects.create(tenant=demo_tenant, vat_rate=Decimal("0"), account=3100)
    RevenueAccountRule.objects.create(tenant=demo_tenant, department=oslo, account=3200)
    RevenueAccountRule.objects.create(tenant=demo_tenant, department=oslo, vat_rate=Decimal("12"), account=8050)
    lines = [("1", "100", "0", "25"), ("1", "100", "0", "12"), ("1", "100", "0", "0")]
    in_oslo = make_invoice(demo_tenant, 5001, lines, department="OSLO")
    in_bergen = make_invoice(demo_tenant, 5002, lines, department="BERGEN")
    send_all(transfer.export_create(tenant=demo_tenant, invoices=[in_oslo, in_bergen]))

    posted = vouchers_in(sandbox)
    revenue = lambda number: {line["VatCode"]: line["AccountNo"] for line in posted[number] if line["VatCode"]}  # noqa: E731
    assert revenue(5001) == {3: 3200, 33: 8050, 5: 3200}  # department rule, then department+rate
    assert revenue(5002) == {3: 3000, 33: 3000, 5: 3100}  # rate rule, else the tenant's account


def test_missing_or_locked_year_fails_before_anything_is_written(sandbox, demo_tenant):
    use_vouchers(demo_tenant)
    next_year = date.today().year + 1
    new_customer = demo_tenant.customers.create(external_id="new-c", name="Ny Kunde AS")
    invoice = make_invoice(demo_tenant, 5001, NASTY, invoice_date=date(next_year, 1, 5), customer=new_customer)
    batch = transfer.export_create(tenant=demo_tenant, invoices=[invoice])
    send_all(batch)

    item = ExportItem.objects.get(batch=batch)
    assert item.status == S.FAILED and item.sent_at is None
    assert f"no accounting year {next_year}" in item.message and f"Create the accounting year {next_year}" in item.message
    data = sandbox.data()
    assert data.get("transactions", []) == [] and not any(c["Name"] == "Ny Kunde AS" for c in data.get("companies", []))

    sandbox.add_fiscal_year(next_year, locked=True)
    transfer.export_retry(batch=batch)
    send_all(batch)
    item.refresh_from_db()
    assert item.status == S.FAILED and f"accounting year {next_year} is locked" in item.message

    sandbox.add_fiscal_year(next_year, locked=False)
    transfer.export_retry(batch=batch)
    send_all(batch)
    item.refresh_from_db()
    assert item.status == S.DONE and 5001 in vouchers_in(sandbox)


def test_lost_answer_is_found_in_the_ledger_and_not_posted_again(sandbox, demo_tenant):
    use_vouchers(demo_tenant)
    invoices = [make_invoice(demo_tenant, 5001 + n, NASTY[n:]) for n in range(3)]
    batch = transfer.export_create(tenant=demo_tenant, invoices=invoices)
    sandbox.control(drop_after_commit_rate=1.0, operations=["SaveBundleList"])
    send_all(batch, tolerate_unavailable=True)
    assert transfer.export_summary(batch)["counts"][S.QUEUED] == 3
    assert set(vouchers_in(sandbox)) == {5001, 5002, 5003}  # 24SO has them; the hub does not know yet

    sandbox.control(drop_after_commit_rate=0.0)
    send_all(batch)
    items = ExportItem.objects.filter(batch=batch).order_by("invoice__number")
    assert [(i.status, i.sevenoffice_transaction_no) for i in items] == [(S.DONE, 5001), (S.DONE, 5002), (S.DONE, 5003)]
    assert all("earlier attempt" in i.message for i in items)
    assert sandbox.stats()["accounts"][sandbox.USERNAME]["calls"]["SaveBundleList"] == 1


def test_a_refused_voucher_does_not_hold_back_the_others_and_duplicates_are_told_apart(sandbox, demo_tenant):
    use_vouchers(demo_tenant)
    ours = make_invoice(demo_tenant, 5001, NASTY)
    send_all(transfer.export_create(tenant=demo_tenant, invoices=[ours]))
    # The hub forgets it sent 5001 (say, a restored backup); 24SO's ledger still knows.
    ExportItem.objects.filter(invoice=ours).delete()
    taken = make_invoice(demo_tenant, 5002, NASTY)
    RevenueAccountRule.objects.create(tenant=demo_tenant, vat_rate=Decimal("15"), account=3999)  # not in 24SO
    bad = make_invoice(demo_tenant, 5003, [("1", "100", "0", "15")])
    fine = make_invoice(demo_tenant, 5004, [("1", "100", "0", "25")])
    # Someone posted invoice 5002 straight in 24SO.
    batch = transfer.export_create(tenant=demo_tenant, invoices=[ours, taken, bad, fine])
    _post_foreign_invoice(sandbox, 5002)
    send_all(batch)

    status = {i.invoice.number: i for i in ExportItem.objects.filter(batch=batch).select_related("invoice")}
    assert status[5001].status == S.DONE and status[5001].sevenoffice_transaction_no == 5001
    assert status[5002].status == S.DUPLICATE and "not from this hub" in status[5002].message
    assert "invoicealreadyexists" in status[5002].message  # 24SO's own words
    assert status[5003].status == S.FAILED and "Account 3999 does not exist" in status[5003].message
    assert status[5004].status == S.DONE
    assert set(vouchers_in(sandbox)) == {5001, 5004, 90002}


def _post_foreign_invoice(sandbox, number):
    """A voucher posted in 24SO by someone else, with the hub's invoice number as its reference."""
    from sevenoffice.client import SevenOfficeClient
    from sevenoffice.sessions import SessionCache
    from sevenoffice.types import Company, Credential

    client = SevenOfficeClient(Credential(sandbox.USERNAME, sandbox.PASSWORD, sandbox.IDENTITY_ID),
                               sessions=SessionCache())
    customer = client.save_company(Company(name="Annen Kunde AS"))
    today = date.today()
    voucher = vouchers.Voucher(transaction_no=90000 + number % 1000, sort=1, entries=(
        vouchers.Entry(account_no=1500, amount=Decimal("100"), date=today, customer_id=customer.id,
                       invoice_reference_no=str(number)),
        vouchers.Entry(account_no=3000, amount=Decimal("-100"), date=today),
    ))
    bundle = vouchers.Bundle(year_id=today.year, vouchers=(voucher,), sort=1, direct_accounting=True)
    assert client.save_bundle_list(vouchers.BundleList(bundles=(bundle,), save_option=vouchers.SaveOption.LEDGER)).ok
