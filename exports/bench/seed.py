"""A fresh tenant for one bench run: D departments, each with its own 24SO account in the
bench's sandbox, customers already synced to 24SO (customer sync runs when a customer is
pushed, not at export time), P products of which a fifth are missing from 24SO, and N
invoices of 1 to 10 lines."""

import random
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from exports import sync
from exports.models import (
    BindingKind,
    Customer,
    Invoice,
    InvoiceLine,
    MatchRule,
    SevenOfficeBinding,
    SyncStatus,
)
from sevenoffice.client import SevenOfficeClient
from sevenoffice.types import Credential, Product
from tenants import services as tenant_services
from tenants.models import Department, Role

VAT_RATES = [Decimal("25"), Decimal("25"), Decimal("15"), Decimal("12"), Decimal("0")]
SANDBOX_CATEGORY_ID = 1  # "Diverse", in every sandbox client from the start
INVOICES_PER_CUSTOMER = 20
BATCH = 2000


@dataclass
class Account:
    username: str
    password: str
    identity_id: str
    department: Department | None = None
    customer_ids: dict[int, int] = field(default_factory=dict)  # hub customer pk -> 24SO id


@dataclass
class BenchTenant:
    tenant: object
    run_id: str
    accounts: list[Account]
    products: list[tuple[str, str, Decimal, Decimal]]  # number, name, price, VAT rate
    missing_products: set[str]
    user: object = None
    api_key: str = ""
    customers: list = field(default_factory=list)
    invoice_ids: list[int] = field(default_factory=list)

    @property
    def usernames(self) -> list[str]:
        return [a.username for a in self.accounts]


def run_id() -> str:
    return f"{timezone.now():%Y%m%d%H%M%S}-{secrets.token_hex(3)}"


def sandbox_accounts(sandbox, run: str, count: int, prefix: str = "bench") -> list[Account]:
    accounts = []
    for n in range(count):
        account = Account(
            username=f"{prefix}-{run}-{n + 1}@sandbox.local", password=secrets.token_urlsafe(12),
            identity_id=str(uuid.uuid4()),
        )
        sandbox.add_account(account.username, account.password, {
            "id": account.identity_id, "name": f"Bench {n + 1} AS", "client_id": 50000 + n,
        })
        accounts.append(account)
    return accounts


def sandbox_client(sandbox, account: Account) -> SevenOfficeClient:
    credential = Credential(username=account.username, password=account.password, identity_id=account.identity_id)
    return SevenOfficeClient(credential, api_url=sandbox.url, webservices_url=sandbox.url, timeout=120)


def products_for(count: int, rng: random.Random):
    return [
        (f"BP-{n:05d}", f"Bench product {n}", Decimal(rng.randrange(50, 5000)), rng.choice(VAT_RATES))
        for n in range(1, count + 1)
    ]


def sandbox_prepare(sandbox, accounts: list[Account], products, missing: set[str], customers) -> None:
    """What 24SO holds before the export: the products not in `missing`, and the customers
    of each account's department (created in one SaveCompanies per account)."""
    present = [Product(name=name, no=number, category_id=SANDBOX_CATEGORY_ID, price=price)
               for number, name, price, _ in products if number not in missing]
    for account in accounts:
        client = sandbox_client(sandbox, account)
        if present:
            for result in client.save_products(present):
                result.unwrap("SaveProducts")
        mine = [c for c in customers if account.department is None or c.bench_department_id == account.department.pk]
        if mine:
            results = client.save_companies([sync.company_for(c) for c in mine])
            account.customer_ids = {c.pk: r.unwrap("SaveCompanies").id for c, r in zip(mine, results)}


def tenant_seed(sandbox, *, invoices: int, departments: int, products: int, seed: int = 2026) -> BenchTenant:
    rng = random.Random(seed)
    run = run_id()
    accounts = sandbox_accounts(sandbox, run, departments)
    catalogue = products_for(products, rng)
    # A fifth of the products are missing from 24SO: the export creates them.
    missing = {number for n, (number, *_rest) in enumerate(catalogue) if n % 5 == 4}
    with transaction.atomic():
        tenant, _ = tenant_services.tenant_create(slug=f"bench-{run}", name=f"Bench {run}")
        settings = tenant_services.integration_settings(tenant)
        settings.active = settings.invoice_export_enabled = True
        settings.save()
        for n, account in enumerate(accounts):
            account.department = Department.objects.create(
                tenant=tenant, code=f"D{n + 1:02d}", name=f"Department {n + 1}", sevenoffice_department_id=1
            )
            tenant_services.credential_save(
                tenant=tenant, username=account.username, password=account.password,
                identity_id=account.identity_id, departments=[account.department],
            )
        user = tenant_services.user_create(
            tenant=tenant, username=f"bench-{run}", password=secrets.token_urlsafe(16), role=Role.ACCOUNTANT
        )
        _, api_key = tenant_services.api_key_create(tenant=tenant, name="bench")
        customers = _customers(tenant, [a.department for a in accounts], max(departments, invoices // INVOICES_PER_CUSTOMER))
    bench = BenchTenant(tenant=tenant, run_id=run, accounts=accounts, products=catalogue, missing_products=missing,
                        user=user, api_key=api_key, customers=customers)
    sandbox_prepare(sandbox, accounts, catalogue, missing, customers)
    _bind_customers(tenant, accounts)
    bench.invoice_ids = invoices_seed(tenant, customers, catalogue, count=invoices, rng=rng)
    return bench


def _customers(tenant, departments, count):
    customers = Customer.objects.bulk_create([
        Customer(tenant=tenant, external_id=f"bc-{n}", name=f"Bench customer {n} AS",
                 organization_number=str(800000000 + n), email=f"invoice{n}@bench.example", country="NO",
                 street=f"Benchveien {n}", postal_code="0150", city="Oslo")
        for n in range(1, count + 1)
    ], batch_size=BATCH)
    for n, customer in enumerate(customers):
        customer.bench_department_id = departments[n % len(departments)].pk
    return customers


def _bind_customers(tenant, accounts) -> None:
    now = timezone.now()
    SevenOfficeBinding.objects.bulk_create([
        SevenOfficeBinding(tenant=tenant, identity_id=account.identity_id, kind=BindingKind.CUSTOMER, key=str(pk),
                           sevenoffice_id=remote_id, sync_status=SyncStatus.SYNCED, match_rule=MatchRule.CREATED,
                           synced_at=now)
        for account in accounts for pk, remote_id in account.customer_ids.items()
    ], batch_size=BATCH)


def invoices_seed(tenant, customers, catalogue, *, count: int, rng: random.Random, first_number: int = 100001,
                  prefix: str = "b", lines: bool = True) -> list[int]:
    """`count` invoices of 1-10 lines, spread evenly over the customers' departments."""
    today = date.today()
    ids = []
    for start in range(0, count, BATCH):
        batch = []
        for n in range(start, min(start + BATCH, count)):
            customer = customers[n % len(customers)]
            invoice_date = today - timedelta(days=rng.randrange(0, 90))
            batch.append(Invoice(
                tenant=tenant, department_id=customer.bench_department_id, external_id=f"{prefix}-{first_number + n}",
                number=first_number + n, customer=customer, invoice_date=invoice_date,
                due_date=invoice_date + timedelta(days=14), your_reference=f"PO {n}", text="Bench invoice",
            ))
        created = Invoice.objects.bulk_create(batch)
        ids += [i.pk for i in created]
        if not lines:
            continue
        rows = []
        for invoice in created:
            for position in range(1, rng.randint(1, 10) + 1):
                number, name, price, vat = rng.choice(catalogue)
                rows.append(InvoiceLine(
                    invoice=invoice, position=position, product_number=number, product_name=name,
                    quantity=Decimal(rng.randrange(1, 20)), unit_price=price, vat_rate=vat,
                ))
        InvoiceLine.objects.bulk_create(rows, batch_size=BATCH)
    return ids
