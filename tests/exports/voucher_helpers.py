"""Builders and sandbox readers shared by the voucher tests."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from exports.models import Invoice, InvoiceKind, InvoiceLine
from sevenoffice.sandbox import accounts as sandbox_accounts
from tenants.services import integration_settings_update

IDENTITIES = (sandbox_accounts.DEMO_AS_IDENTITY_ID, sandbox_accounts.DEMO_KONSULENT_IDENTITY_ID)


def use_vouchers(tenant, **settings):
    integration_settings_update(tenant=tenant, actor=None, posting_mode="voucher", **settings)


def make_invoice(tenant, number, lines, *, department="OSLO", credits=None, invoice_date=None, customer=None,
                 project=None):
    """An invoice (or, with `credits`, a credit note) with lines of (quantity, unit price, discount %, VAT %)."""
    invoice_date = invoice_date or date.today()
    source = credits or tenant.invoices.filter(kind=InvoiceKind.INVOICE).first()
    invoice = Invoice.objects.create(
        tenant=tenant, department=tenant.departments.get(code=department), external_id=f"v-{number}", number=number,
        kind=InvoiceKind.CREDIT_NOTE if credits else InvoiceKind.INVOICE, credits=credits,
        customer=customer or source.customer, project=project if project is not None else source.project,
        invoice_date=invoice_date, due_date=invoice_date + timedelta(days=14),
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(invoice=invoice, position=n, product_number=f"P-{n}", product_name=f"Line {n}",
                    quantity=Decimal(q), unit_price=Decimal(p), discount_percent=Decimal(d), vat_rate=Decimal(r))
        for n, (q, p, d, r) in enumerate(lines, start=1)
    )
    return invoice


def ledger(sandbox, identity=IDENTITIES[0]) -> list[dict]:
    return sandbox.data(username=sandbox_accounts.DEFAULT_USERNAME, identity_id=identity).get("transactions", [])


def vouchers_in(sandbox, identity=IDENTITIES[0]) -> dict[int, list[dict]]:
    """Posted ledger lines per voucher number (TransactionNo)."""
    by_number = defaultdict(list)
    for line in ledger(sandbox, identity):
        by_number[line["TransactionNo"]].append(line)
    return dict(by_number)


def amounts_by_account(lines) -> dict[int, Decimal]:
    totals = defaultdict(Decimal)
    for line in lines:
        totals[line["AccountNo"]] += Decimal(str(line["Amount"]))
    return dict(totals)


def dimension(line, kind):
    return next((d["Value"] for d in line.get("Dimensions") or [] if d["Type"] == kind), None)
