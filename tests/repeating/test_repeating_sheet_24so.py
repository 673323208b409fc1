"""What the hub does not know is looked up in 24SO (the sandbox, over HTTP), in a few calls."""

from decimal import Decimal

from exports.models import BindingKind, Customer, SevenOfficeBinding, SyncStatus
from exports.repeating_sheet import sheet_read
from exports.sync import client_for
from sevenoffice.types import Company, Product
from tenants import services
from tests.repeating.conftest import xlsx

HEAD = ["RepeatingOrderId", "RepeatingCustomerId", "RepeatingProductNo", "RepeatingProductId", "RepeatingQuantity",
        "RepeatingName", "RepeatingPrice", "RepeatingDate", "RepeatingFrequency", "RepeatingProject"]


def test_unknown_values_are_checked_against_24so_in_one_call_per_kind(sandbox, db):
    tenant, _ = services.tenant_create(slug="remote", name="Remote AS")
    credential = services.credential_save(tenant=tenant, username=sandbox.USERNAME, password=sandbox.PASSWORD,
                                          identity_id=sandbox.IDENTITY_ID, departments=services.ALL_DEPARTMENTS)
    client = client_for(credential)
    only_in_24so = client.save_company(Company(name="Only There AS")).id
    product = client.save_product(Product(name="Remote product", no="R-1", category_id=1, price=Decimal("10")))
    hub_customer = Customer.objects.create(tenant=tenant, external_id="c-1", name="Fjord AS")
    SevenOfficeBinding.objects.create(tenant=tenant, identity_id=sandbox.IDENTITY_ID, kind=BindingKind.CUSTOMER,
                                      key=str(hub_customer.pk), sevenoffice_id=777, sync_status=SyncStatus.SYNCED)
    before = lookup_calls(sandbox)

    rows = [["1", "777", "R-1", "", "1", "A", "1", "01.02.2026", "2", ""],  # all known
            ["2", str(only_in_24so), "", str(product.id), "1", "B", "1", "01.02.2026", "2", ""],
            ["3", "999999", "NOPE-1", "", "1", "C", "1", "01.02.2026", "2", ""],
            ["4", "777", "NOPE-2", "888888", "1", "D", "1", "01.02.2026", "2", "4242"]]
    result = sheet_read(tenant, xlsx([HEAD, *rows]))

    assert [(e["row"], e["column"], e["message"]) for e in result.errors] == [
        (3, "RepeatingCustomerId", f"Customer {only_in_24so} is in 24SevenOffice but linked to no customer of the "
                                   "hub: add the customer to the hub and let it sync first."),
        (4, "RepeatingCustomerId", "Customer 999999 is unknown to 24SevenOffice."),
        (5, "RepeatingProject", "Project 4242 is unknown to 24SevenOffice."),
        (5, "RepeatingProductId", "Product id 888888 is unknown to 24SevenOffice."),
        (4, "RepeatingProductNo", "Product number NOPE-1 is unknown to 24SevenOffice."),
        (5, "RepeatingProductNo", "Product number NOPE-2 is unknown to 24SevenOffice."),
    ]
    after = lookup_calls(sandbox)
    # one call per kind; products twice: by ids, then the listing that answers every number
    assert {op: after[op] - before[op] for op in after} == {"GetCompanies": 1, "GetProjectList": 1, "GetProducts": 2}


def lookup_calls(sandbox) -> dict[str, int]:
    accounts = sandbox.stats()["accounts"].values()
    return {op: sum(a["calls"].get(op, 0) for a in accounts) for op in ("GetCompanies", "GetProjectList", "GetProducts")}


def test_24so_unreachable_is_said_and_nothing_passes(db, settings):
    tenant, _ = services.tenant_create(slug="offline", name="Offline AS")
    services.credential_save(tenant=tenant, username="x@y.no", password="pw-123456",
                             identity_id="a0000000-0000-4000-8000-000000000001", departments=services.ALL_DEPARTMENTS)
    result = sheet_read(tenant, xlsx([HEAD, ["1", "5", "", "", "1", "A", "1", "01.02.2026", "2", ""]]))
    [error] = result.errors
    assert error["column"] == "RepeatingCustomerId"
    assert error["message"].startswith("Customer 5 is unknown to the hub, and 24SevenOffice could not be asked")
