import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from exports import repeating
from exports.models import BindingKind, Customer, Project, SevenOfficeBinding, SyncStatus
from tenants import services
from tenants.models import Department
from tests.admin_ui.conftest import fast_password_hashing  # noqa: F401  (users sign in in view tests)

IDENTITY = "a0000000-0000-4000-8000-0000000000aa"


def bind(tenant, kind, key, number):
    SevenOfficeBinding.objects.create(tenant=tenant, identity_id=IDENTITY, kind=kind, key=str(key),
                                      sevenoffice_id=number, sync_status=SyncStatus.SYNCED)


@pytest.fixture
def shop(db):
    """A tenant whose customers, project, department and products are in 24SO (client IDENTITY)."""
    tenant, _ = services.tenant_create(slug="shop", name="Shop AS")
    for code in ("OSLO", "BERGEN"):
        Department.objects.create(tenant=tenant, code=code, name=code.title())
    fjord = Customer.objects.create(tenant=tenant, external_id="c-1", name="Fjord AS")
    bre = Customer.objects.create(tenant=tenant, external_id="c-2", name="Bre AS")
    project = Project.objects.create(tenant=tenant, external_id="p-1", number="7", name="Build", customer=fjord)
    bind(tenant, BindingKind.CUSTOMER, fjord.pk, 10001)
    bind(tenant, BindingKind.CUSTOMER, bre.pk, 10002)
    bind(tenant, BindingKind.PROJECT, project.pk, 501)
    bind(tenant, BindingKind.PRODUCT, "SUB-1", 9001)
    oslo = tenant.departments.get(code="OSLO")
    oslo.sevenoffice_department_id = 3
    oslo.save()
    tenant.fjord, tenant.bre, tenant.build, tenant.oslo = fjord, bre, project, oslo
    return tenant


def line(**values):
    return {"product_number": "SUB-1", "name": "Subscription", "quantity": Decimal("1"), "price": Decimal("499.00"),
            "next_date": date(2026, 1, 31), "factor": 1, "frequency": 2, **values}


def agreements(tenant):
    """Three agreements that use every column between them."""
    repeating.agreement_save(tenant=tenant, spec={
        "order_id": "1001", "customer_id": tenant.fjord.pk, "payment_days": 14, "our_reference": "7",
        "currency": "NOK", "type_of_sale": 3, "department_id": tenant.oslo.pk, "project_id": tenant.build.pk,
        "customer_reference": "Kari", "invoice_text": "Thanks", "invoice_title": "Support",
        "delivery_name": "Fjord AS", "delivery_address": "Kaia 1", "delivery_zipcode": "0150",
        "delivery_ziparea": "Sentrum", "delivery_city": "Oslo", "delivery_state": "Oslo", "delivery_country": "NO",
        "delivery_phone": "+47 22 00 00 00", "delivery_alternative": "Gate B",
        "lines": [
            line(quantity=Decimal("2.5"), discount=Decimal("10"), price_is_fixed=True, type_of_sale=4),
            line(product_number="", product_id=9001, name="Hosting", price=Decimal("1200.50"), factor=20, frequency=6),
        ],
    })
    repeating.agreement_save(tenant=tenant, spec={
        "order_id": "1002", "customer_id": tenant.bre.pk,
        "lines": [line(product_number="", name="New thing", price=Decimal("99"), frequency=5)],
    })
    repeating.agreement_save(tenant=tenant, spec={
        "order_id": "A-3", "customer_id": tenant.bre.pk, "lines": [line(frequency=3, factor=2)],
    })


def xlsx(rows, *, numeric=()) -> bytes:
    """A sheet as a person would make it: `rows` of cell values, headings first."""
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.number_format = "@" if cell.column_letter not in numeric else "General"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
