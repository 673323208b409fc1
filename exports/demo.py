"""Demo data: a staffing company with four departments, one user per role, scoped 24SO
credentials for all but one department, customers, projects and a few hundred invoices.
Trondheim also rents out machines: it sends orders (generic product "Rental" in category
"Rentals") whose rental rows carry their periods."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from exports.models import Customer, Invoice, InvoiceKind, InvoiceLine, Project
from tenants import services as tenant_services
from tenants.models import Department, ExportMode

DEMO_PASSWORDS = {"admin": "demo-admin-pass", "accountant": "demo-accountant-pass", "ops": "demo-ops-pass"}
# code, name, the department's id in 24SO (the sandbox has 1-3 in each client)
DEPARTMENTS = [("OSLO", "Oslo", 1), ("BERGEN", "Bergen", 2), ("TRONDHEIM", "Trondheim", 3), ("STAVANGER", "Stavanger", None)]
ORDER_DEPARTMENT = "TRONDHEIM"  # sends orders for an accountant to publish in 24SO
GENERIC_PRODUCT, GENERIC_CATEGORY = "Rental", "Rentals"
RENTALS = [  # number, item, price per day, VAT
    ("R-10", "Tractor", Decimal("1800.00"), Decimal("25")),
    ("R-20", "Mini excavator", Decimal("2400.00"), Decimal("25")),
    ("R-30", "Car trailer", Decimal("450.00"), Decimal("25")),
]
PRODUCTS = [
    ("P-100", "Consulting hour", Decimal("1250.00"), Decimal("25")),
    ("P-110", "Senior consulting hour", Decimal("1650.00"), Decimal("25")),
    ("P-200", "Temporary staffing hour", Decimal("545.00"), Decimal("25")),
    ("P-210", "Overtime staffing hour", Decimal("815.00"), Decimal("25")),
    ("P-300", "Recruitment fee", Decimal("45000.00"), Decimal("25")),
    ("P-400", "Course material", Decimal("390.00"), Decimal("0")),
    ("P-500", "Travel (passenger transport)", Decimal("980.00"), Decimal("12")),
    ("P-600", "Canteen lunch", Decimal("120.00"), Decimal("15")),
]
COMPANY_WORDS = ["Fjord", "Nord", "Vest", "Berg", "Havn", "Skog", "Elv", "Lys", "Stein", "Vik"]
COMPANY_KINDS = ["Bygg", "Logistikk", "Helse", "Data", "Energi", "Marin", "Handel", "Eiendom"]


def demo_seed(*, slug: str = "demo", username: str, password: str, identities: list[str], invoices: int = 300):
    """Create (or complete) the demo tenant. Safe to run again: existing rows are kept."""
    rng = random.Random(2026)
    with transaction.atomic():
        tenant, _ = tenant_services.tenant_create(slug=slug, name="Demo Bemanning AS")
        departments = {
            code: Department.objects.get_or_create(
                tenant=tenant, code=code, defaults={
                    "name": name, "sevenoffice_department_id": remote_id,
                    "export_mode": ExportMode.ORDER if code == ORDER_DEPARTMENT else "",
                },
            )[0]
            for code, name, remote_id in DEPARTMENTS
        }
        User = get_user_model()
        for role, user_password in DEMO_PASSWORDS.items():
            if not User.objects.filter(username=role).exists():
                tenant_services.user_create(tenant=tenant, username=role, password=user_password, role=role)
        if not tenant.credentials.exists():
            # Two 24SO clients behind one login; Stavanger deliberately has no credential.
            tenant_services.credential_save(
                tenant=tenant, username=username, password=password, identity_id=identities[0],
                departments=[departments["OSLO"], departments["BERGEN"]],
            )
            tenant_services.credential_save(
                tenant=tenant, username=username, password=password, identity_id=identities[-1],
                departments=[departments["TRONDHEIM"]],
            )
        settings = tenant_services.integration_settings(tenant)
        settings.active = settings.invoice_export_enabled = True
        settings.generic_product_name = settings.generic_product_name or GENERIC_PRODUCT
        settings.generic_product_category = settings.generic_product_category or GENERIC_CATEGORY
        settings.save()
        customers = _seed_customers(tenant, rng)
        projects = _seed_projects(tenant, customers, rng)
        if not tenant.invoices.exists():
            _seed_invoices(tenant, list(departments.values()), customers, projects, invoices, rng)
        _seed_repeating(tenant, customers, departments)
    return tenant


def _seed_repeating(tenant, customers, departments):
    """A few subscription agreements, for the repeating-invoice sheet."""
    from exports import repeating  # the sheet modules are not needed for the rest of the demo

    first = date.today().replace(day=1) + timedelta(days=32)
    next_month = first.replace(day=1).isoformat()
    plans = [
        ("SUB-1", 0, "OSLO", [("P-100", "Consulting hour", 10, "1250.00", 1, 2)]),  # monthly
        ("SUB-2", 1, "BERGEN", [("P-400", "Course material", 5, "390.00", 1, 3),  # quarterly
                                ("P-600", "Canteen lunch", 20, "120.00", 2, 1)]),  # every other week
        ("SUB-3", 2, "OSLO", [("", "Support agreement", 1, "4900.00", 1, 5)]),  # yearly, a new product
    ]
    for order_id, customer_index, department, lines in plans:
        repeating.agreement_save(tenant=tenant, spec={
            "order_id": order_id, "customer_id": customers[customer_index].pk,
            "department_id": departments[department].pk, "payment_days": 14,
            "lines": [
                {"product_number": number, "name": name, "quantity": quantity, "price": price,
                 "next_date": next_month, "factor": factor, "frequency": frequency}
                for number, name, quantity, price, factor, frequency in lines
            ],
        })


def _seed_customers(tenant, rng):
    customers = []
    for i in range(1, 41):
        name = f"{COMPANY_WORDS[i % 10]}{COMPANY_KINDS[i % 8].lower()} {['AS', 'ASA', 'SA'][i % 3]}"
        slug = name.split()[0].lower()
        customer, _ = Customer.objects.get_or_create(
            tenant=tenant, external_id=f"c-{i}",
            defaults={
                "name": name, "organization_number": str(910000000 + i * 7919), "email": f"faktura@{slug}{i}.example",
                "phone": f"+47 4{rng.randrange(1000000, 9999999)}", "street": f"{COMPANY_WORDS[i % 10]}veien {i}",
                "postal_code": f"{rng.randrange(1, 99):02d}{rng.randrange(0, 99):02d}", "city": "Oslo", "country": "NO",
            },
        )
        customers.append(customer)
    return customers


def _seed_projects(tenant, customers, rng):
    return [
        Project.objects.get_or_create(
            tenant=tenant, external_id=f"p-{i}",
            defaults={"number": str(i), "name": f"Project {i}", "customer": customers[i % len(customers)]},
        )[0]
        for i in range(1, 16)
    ]


def _seed_invoices(tenant, departments, customers, projects, count, rng):
    today = date.today()
    lines = []
    created = []
    rentals = random.Random(2027)  # its own draws, so the other invoices stay as they were
    for n in range(count):
        number = 1001 + n
        credits = None
        if n % 15 == 14:  # every 15th document credits an earlier invoice, to that invoice's customer
            credits = rng.choice([i for i in created if not i.is_credit_note])
        customer = credits.customer if credits else rng.choice(customers)
        project = next((p for p in projects if p.customer_id == customer.pk), None)
        invoice_date = today - timedelta(days=rng.randrange(0, 60))
        invoice = Invoice.objects.create(
            tenant=tenant, department=credits.department if credits else rng.choice(departments), external_id=f"inv-{number}", number=number,
            kind=InvoiceKind.CREDIT_NOTE if credits else InvoiceKind.INVOICE, credits=credits,
            customer=customer, project=project, invoice_date=invoice_date, due_date=invoice_date + timedelta(days=14),
            our_reference="Kari Nordmann", your_reference=f"Order {rng.randrange(100, 999)}",
            text="Thank you for your business." if not credits else f"Credit for invoice {credits.number}",
        )
        created.append(invoice)
        for position in range(1, rng.randrange(2, 6)):
            product_number, product_name, price, vat = rng.choice(PRODUCTS)
            quantity = Decimal(rng.randrange(1, 40))
            lines.append(InvoiceLine(
                invoice=invoice, position=position, product_number=product_number, product_name=product_name,
                quantity=-quantity if credits else quantity, unit_price=price,
                discount_percent=Decimal(rng.choice([0, 0, 0, 5, 10])), vat_rate=vat,
            ))
        if invoice.department.code == ORDER_DEPARTMENT and not credits:
            lines.append(_rental_line(invoice, position + 1, rentals))
    InvoiceLine.objects.bulk_create(lines)


def _rental_line(invoice, position, rng) -> InvoiceLine:
    """One rented machine for a few days ending on the invoice date, charged per day."""
    product_number, item, per_day, vat = rng.choice(RENTALS)
    days = rng.randrange(1, 8)
    end = invoice.invoice_date
    return InvoiceLine(
        invoice=invoice, position=position, product_number=product_number, product_name=item, quantity=Decimal(days),
        unit_price=per_day, vat_rate=vat, period_start=end - timedelta(days=days - 1), period_end=end,
    )
