"""The naive exporter the hub is compared with (bench only, never the product): one worker,
invoices one at a time, each product looked up per line (and created when missing), one
SaveInvoices call per invoice."""

import time

from django.db.models import Prefetch

from exports.bench.seed import SANDBOX_CATEGORY_ID, sandbox_client
from exports.models import Invoice, InvoiceLine
from exports.transfer import hub_reference, tax_codes_for
from sevenoffice.types import InvoiceOrder, InvoiceRow, OrderStatus, Product


def naive_export(sandbox, accounts, invoice_ids) -> dict:
    """Send `invoice_ids` to `accounts` (one per department, customers already there); returns
    wall seconds, seconds from start to each invoice done, and failures."""
    by_department = {a.department.pk: a for a in accounts}
    clients = {a.department.pk: sandbox_client(sandbox, a) for a in accounts}
    invoices = (
        Invoice.objects.filter(pk__in=invoice_ids).select_related("department")
        .prefetch_related(Prefetch("lines", queryset=InvoiceLine.objects.order_by("position")))
        .order_by("number")
    )
    started = time.perf_counter()
    done_seconds, failures = [], []
    for invoice in invoices:
        account, client = by_department[invoice.department_id], clients[invoice.department_id]
        lines = list(invoice.lines.all())
        taxes = tax_codes_for(client, account.identity_id, {line.vat_rate.normalize() for line in lines})
        rows = []
        for line in lines:
            found = client.get_products(number=line.product_number)
            product_id = found[0].id if found else client.save_product(
                Product(name=line.product_name, no=line.product_number, category_id=SANDBOX_CATEGORY_ID)
            ).id
            tax = taxes[line.vat_rate.normalize()]
            rows.append(InvoiceRow(
                product_id=product_id, name=line.product_name, quantity=line.quantity, price=line.unit_price,
                discount_rate=line.discount_percent, sequence_number=line.position,
                tax_code=int(tax.no) if tax.no and tax.no.isdigit() else tax.id,
            ))
        order = InvoiceOrder(
            customer_id=account.customer_ids[invoice.customer_id], order_status=OrderStatus.INVOICED, rows=tuple(rows),
            date_ordered=invoice.invoice_date, payment_time=(invoice.due_date - invoice.invoice_date).days,
            reference_number=hub_reference(invoice), your_reference=invoice.your_reference or None,
            department_id=invoice.department.sevenoffice_department_id,
        )
        result = client.save_invoices([order])[0]
        if not result.ok:
            failures.append(f"{invoice.number}: {result.error.message}")
        done_seconds.append(time.perf_counter() - started)
    return {"wall_seconds": time.perf_counter() - started, "done_seconds": done_seconds, "failures": failures}
