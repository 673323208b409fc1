"""Expense import through the API, run by real worker processes against the sandbox over HTTP."""

import base64
import time
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from django.utils import timezone

from exports.models import Expense, ExpenseImport, PendingExpense
from hub.celery import app
from sevenoffice.sandbox import accounts as sandbox_accounts
from tenants import services
from tenants.models import Department
from tests.exports.expense_setup import PDF, bind_project, expense_tenant, remote_project, seed, synced_project

pytestmark = [pytest.mark.e2e]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200)) * 3


def api_for(tenant):
    _, key = services.api_key_create(tenant=tenant)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def run_import(client, workers, **body):
    response = client.post("/api/v1/expense-imports", body, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["url"].endswith(f"/api/v1/expense-imports/{response.json()['id']}")
    return wait_finished(client, response.json()["id"], workers)


def wait_finished(client, import_id, workers, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/expense-imports/{import_id}").json()
        if body["finished"]:
            return body
        time.sleep(0.3)
    raise AssertionError(f"import not finished: {body}\n{workers.logs()[-5000:]}")


def reasons(body):
    return {item["supplier_invoice_number"]: item["reason"] for item in body["skipped"]}


def test_import_keeps_approved_posted_expenses_on_the_accounts_and_hub_projects(workers, sandbox):
    tenant = expense_tenant(accounts="6800, 4000")
    client = api_for(tenant)
    build, build_id = synced_project(tenant, "p-build", number="10")
    _, design_id = synced_project(tenant, "p-design", number="11")
    seed(sandbox, build_id)  # KL-1001: 1250 incl. VAT on 6800, a PDF
    seed(sandbox, design_id, supplier_name="Foto AS", supplier_invoice_number="F-9", amount="-500.00",
         account_no=4000, description="Returned lens",
         attachment={"name": "f-9.png", "content_base64": base64.b64encode(PNG).decode()})
    seed(sandbox, build_id, supplier_invoice_number="WRONG-ACCOUNT", account_no=6300)
    seed(sandbox, build_id, supplier_invoice_number="UNAPPROVED", approved=False)
    seed(sandbox, build_id, supplier_invoice_number="UNPOSTED", posted=False)
    seed(sandbox, remote_project(sandbox), supplier_invoice_number="ELSEWHERE")
    seed(sandbox, None, supplier_invoice_number="NO-PROJECT")

    body = run_import(client, workers)

    assert body["imported"] == 2 and body["failed"] == [], body
    skipped = reasons(body)
    assert set(skipped) == {"UNAPPROVED", "ELSEWHERE", "NO-PROJECT"}
    assert "not approved" in skipped["UNAPPROVED"]
    assert "not a project in the hub" in skipped["ELSEWHERE"]
    assert "not posted on a project" in skipped["NO-PROJECT"].lower()

    listed = client.get("/api/v1/expenses", {"project": "p-build"}).json()["results"]
    assert len(listed) == 1
    [expense] = listed
    assert {k: expense[k] for k in ("description", "amount", "supplier_name", "supplier_invoice_number",
                                     "invoice_date", "project", "billable")} == {
        "description": "Office supplies", "amount": "1250.00", "supplier_name": "Kontorland AS",
        "supplier_invoice_number": "KL-1001", "invoice_date": time.strftime("%Y-%m-%d"), "project": "p-build",
        "billable": False,
    }
    [document] = expense["attachments"]
    assert (document["name"], document["size"]) == ("KL-1001.pdf", len(PDF))
    download = client.get(document["url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF

    [credit] = client.get("/api/v1/expenses", {"project": "p-design"}).json()["results"]
    assert (credit["amount"], credit["supplier_name"], credit["attachments"][0]["name"]) == ("-500.00", "Foto AS", "F-9.png")
    assert b"".join(client.get(credit["attachments"][0]["url"]).streaming_content) == PNG
    assert Expense.objects.filter(tenant=tenant).count() == 2
    assert build.expenses.count() == 1


def test_billable_default_and_a_rerun_imports_nothing_new_but_picks_up_a_new_one(workers, sandbox):
    tenant = expense_tenant(billable=True)
    client = api_for(tenant)
    _, project_id = synced_project(tenant)
    seed(sandbox, project_id)

    first = run_import(client, workers)
    again = run_import(client, workers)
    seed(sandbox, project_id, supplier_invoice_number="KL-1002", amount="99.90")
    third = run_import(client, workers)

    assert (first["imported"], again["imported"], third["imported"]) == (1, 0, 1)
    expenses = client.get("/api/v1/expenses", {"project": "p-1"}).json()["results"]
    assert sorted(e["supplier_invoice_number"] for e in expenses) == ["KL-1001", "KL-1002"]
    assert all(e["billable"] for e in expenses)
    # A full re-read finds both again and imports neither a second time.
    full = run_import(client, workers, full=True)
    assert (full["imported"], full["already_imported"]) == (0, 2)
    assert Expense.objects.filter(tenant=tenant).count() == 2


def test_a_failing_client_is_reported_and_the_other_clients_expenses_are_kept(workers, sandbox):
    tenant = expense_tenant()
    client = api_for(tenant)
    _, project_id = synced_project(tenant)
    seed(sandbox, project_id)
    seed(sandbox, project_id, supplier_invoice_number="KL-WORD", attachment={"name": "kl.docx", "content_base64": ""})
    department = Department.objects.create(tenant=tenant, code="TRD", name="Trondheim")
    services.credential_save(tenant=tenant, username=sandbox_accounts.DEFAULT_USERNAME, password="wrong-password",
                             identity_id=sandbox_accounts.DEMO_KONSULENT_IDENTITY_ID, departments=[department])

    body = run_import(client, workers)

    assert body["imported"] == 2
    [failure] = body["failed"]
    assert failure["client"] == sandbox_accounts.DEMO_KONSULENT_IDENTITY_ID and failure["reason"]
    assert "not an image or PDF" in reasons(body)["KL-WORD"]
    word = Expense.objects.get(tenant=tenant, supplier_invoice_number="KL-WORD")
    assert not word.attachments.exists()
    run = ExpenseImport.objects.get(pk=body["id"])
    # The working client moved on; the failing one keeps no mark, so it is read in full next time.
    assert set(run.watermarks) == {sandbox_accounts.DEMO_AS_IDENTITY_ID}


def test_the_periodic_task_imports_for_tenants_that_switched_it_on(workers, sandbox):
    tenant = expense_tenant()
    _, project_id = synced_project(tenant)
    seed(sandbox, project_id)
    switched_off = expense_tenant("off")
    services.integration_settings_update(tenant=switched_off, actor=None, expense_import_enabled=False)

    app.send_task("exports.expense_import_due")

    deadline = time.monotonic() + 60
    while not ExpenseImport.objects.filter(tenant=tenant, status="finished").exists():
        assert time.monotonic() < deadline, workers.logs()[-5000:]
        time.sleep(0.3)
    run = ExpenseImport.objects.get(tenant=tenant)
    assert (run.trigger, run.imported) == ("scheduled", 1)
    assert not ExpenseImport.objects.filter(tenant=switched_off).exists()


def past_the_seeding_second():
    """24SO's date filters take whole seconds: let the first run's read end in a later second
    than the seeding, so a later run's read (no overlap in tests) starts after it."""
    time.sleep(1.1)


def calls(sandbox, operation):
    return sandbox.stats()["accounts"].get(sandbox.USERNAME, {}).get("calls", {}).get(operation, 0)


def test_an_invoice_approved_after_a_run_is_imported_by_a_later_normal_run(workers, sandbox):
    tenant = expense_tenant()
    client = api_for(tenant)
    _, project_id = synced_project(tenant)
    late = seed(sandbox, project_id, supplier_invoice_number="LATE", approved=False)
    seed(sandbox, project_id, supplier_invoice_number="NEVER", approved=False)
    old = seed(sandbox, project_id, supplier_invoice_number="OLD", approved=False)
    past_the_seeding_second()

    first = run_import(client, workers)

    assert first["imported"] == 0 and set(reasons(first)) == {"LATE", "NEVER", "OLD"}
    assert "not approved" in reasons(first)["LATE"]
    assert PendingExpense.objects.filter(tenant=tenant).count() == 3
    sandbox.approve_supplier_invoice(late["stamp_no"])
    sandbox.approve_supplier_invoice(old["stamp_no"])
    # OLD waited longer than EXPENSE_PENDING_DAYS: given up on, even though it is approved now.
    PendingExpense.objects.filter(tenant=tenant, transaction_no=old["transaction_no"]).update(
        created_at=timezone.now() - timedelta(days=91))
    file_info_before = calls(sandbox, "GetFileInfo")

    second = run_import(client, workers)

    # Approval does not change the ledger lines: only the remembered skip brings LATE in.
    assert (second["full"], second["imported"], second["failed"]) == (False, 1, []), second
    assert set(reasons(second)) == {"OLD"} and "no longer checked" in reasons(second)["OLD"]
    assert calls(sandbox, "GetFileInfo") - file_info_before == 1  # LATE and NEVER in one call
    [expense] = client.get("/api/v1/expenses", {"project": "p-1"}).json()["results"]
    assert expense["supplier_invoice_number"] == "LATE" and expense["amount"] == "1250.00"
    assert [a["size"] for a in expense["attachments"]] == [len(PDF)]
    [waiting] = PendingExpense.objects.filter(tenant=tenant)
    assert waiting.described["supplier_invoice_number"] == "NEVER"

    third = run_import(client, workers)
    assert (third["imported"], third["skipped"], third["failed"]) == (0, [], [])
    assert Expense.objects.filter(tenant=tenant).count() == 1


def test_an_invoice_on_a_project_added_to_the_hub_later_is_imported_by_a_later_normal_run(workers, sandbox):
    tenant = expense_tenant()
    client = api_for(tenant)
    remote_id = remote_project(sandbox, "Harbour")
    seed(sandbox, remote_id, supplier_invoice_number="HARBOUR-1")
    past_the_seeding_second()

    first = run_import(client, workers)
    assert first["imported"] == 0 and "not a project in the hub" in reasons(first)["HARBOUR-1"]
    again = run_import(client, workers)
    assert (again["imported"], again["skipped"]) == (0, [])  # still waiting, reported once

    bind_project(tenant, remote_id, "p-harbour")
    third = run_import(client, workers)

    assert (third["full"], third["imported"], third["failed"]) == (False, 1, []), third
    [expense] = client.get("/api/v1/expenses", {"project": "p-harbour"}).json()["results"]
    assert expense["supplier_invoice_number"] == "HARBOUR-1" and expense["attachments"]
    assert not PendingExpense.objects.filter(tenant=tenant).exists()


def test_a_document_over_the_size_limit_is_not_downloaded_and_the_expense_still_imports(workers, sandbox):
    tenant = expense_tenant()
    client = api_for(tenant)
    _, project_id = synced_project(tenant)
    big = b"%PDF-1.4 scanned at 1200 dpi\n" + bytes(range(256)) * 800  # over the workers' 200000-byte limit
    seeded = seed(sandbox, project_id, supplier_invoice_number="BIG",
                  attachment={"name": "big.pdf", "content_base64": base64.b64encode(big).decode()})
    chunks_before = calls(sandbox, "DownloadChunk")

    body = run_import(client, workers)

    assert (body["imported"], body["failed"]) == (1, []), body
    [skip] = body["skipped"]
    assert (skip["supplier_invoice_number"], skip["file_id"], skip["size"]) == ("BIG", seeded["file_id"], len(big))
    assert "over the 0.2 MB limit" in skip["reason"] and "not downloaded" in skip["reason"]
    assert calls(sandbox, "DownloadChunk") == chunks_before
    [expense] = client.get("/api/v1/expenses", {"project": "p-1"}).json()["results"]
    assert (expense["supplier_invoice_number"], expense["amount"], expense["attachments"]) == ("BIG", "1250.00", [])
