"""Supplier invoices seeded through the test endpoint, read back as an expense import would."""

from __future__ import annotations

import base64
from datetime import date, datetime

YEAR = date.today().year
CONTENT = bytes(range(256)) * 40  # 10240 bytes


def _seed(sandbox, **overrides):
    fields = dict(
        supplier_name="Kontorland AS", supplier_invoice_number="KL-1001", invoice_date=f"{YEAR}-04-10",
        amount="1250.00", account_no=6800, description="Kontorrekvisita", approved=True, posted=True,
        attachment={"name": "kl-1001.pdf", "content_base64": base64.b64encode(CONTENT).decode()},
    )
    return sandbox.add_supplier_invoice(**{**fields, **overrides})


def test_posted_supplier_invoice_is_found_by_expense_account_and_system_type(sandbox, demo):
    seeded = _seed(sandbox)
    lines = demo.service("TransactionService").GetTransactions(searchParams={
        "DateSearchParameters": "DateChangedUTC", "DateStart": datetime(2000, 1, 1), "DateEnd": datetime(2100, 1, 1),
        "AccountNoStart": 4000, "AccountNoEnd": 7999, "SystemType": "InvoiceSupplier", "HasInvoiceId": None})
    [expense] = lines
    assert (expense.AccountNo, str(expense.Amount), expense.StampNo, expense.InvoiceNo) == (
        6800, "1000.00", seeded["stamp_no"], "KL-1001")
    [payable] = demo.service("TransactionService").GetTransactions(searchParams={
        "CustomerId": seeded["supplier_id"], "SystemType": None, "HasInvoiceId": True})
    assert (payable.AccountNo, payable.Open) == (2400, True)
    [supplier] = demo.service("CompanyService").GetCompanies(searchParams={"CompanyId": seeded["supplier_id"]})
    assert (supplier.Name, supplier.Type) == ("Kontorland AS", "Supplier")


def test_unposted_supplier_invoice_has_an_attachment_but_no_ledger_lines(sandbox, demo):
    _seed(sandbox, posted=False, approved=False)
    assert not demo.service("TransactionService").GetTransactions(searchParams={"SystemType": None, "HasInvoiceId": None})
    attachments = demo.service("AttachmentService")
    assert not attachments.GetFileInfo(parameters={"HasStampNo": None, "FileApproved": True})
    assert len(attachments.GetFileInfo(parameters={"HasStampNo": True, "FileApproved": False})) == 1


def test_attachment_downloads_in_chunks(sandbox, demo):
    seeded = _seed(sandbox)
    attachments = demo.service("AttachmentService")
    [image] = attachments.GetFileInfo(parameters={"StampNo": {"int": [seeded["stamp_no"]]}, "HasStampNo": None,
                                                  "FileApproved": None})
    assert image.Type == "Pdf" and image.Id == seeded["file_id"]
    size = attachments.GetSize(file=image)
    assert size == len(CONTENT)
    assert attachments.GetMaxRequestLength() == 4096
    chunks, offset = [], 0
    while offset < size:
        chunk = attachments.DownloadChunk(file=image, offset=offset, bufferSize=3000)
        chunks.append(chunk)
        offset += len(chunk)
    assert [len(c) for c in chunks] == [3000, 3000, 3000, 1240]
    assert b"".join(chunks) == CONTENT


def test_a_supplier_invoice_is_approved_later_without_touching_its_ledger_lines(sandbox, demo):
    seeded = _seed(sandbox, approved=False)
    attachments = demo.service("AttachmentService")
    search = {"StampNo": {"int": [seeded["stamp_no"]]}, "HasStampNo": None, "FileApproved": True}
    assert not attachments.GetFileInfo(parameters=search)
    lines_before = sandbox.data()["transactions"]

    answer = sandbox.approve_supplier_invoice(seeded["stamp_no"])

    assert answer == {"stamp_no": seeded["stamp_no"], "approved": True, "file_ids": [seeded["file_id"]]}
    [image] = attachments.GetFileInfo(parameters=search)
    assert image.Id == seeded["file_id"]
    assert sandbox.data()["transactions"] == lines_before


def test_approving_an_unknown_stamp_number_is_a_404(sandbox):
    response = sandbox.http.post(f"{sandbox.url}/_sandbox/supplier-invoices/approve", json={"stamp_no": 999})
    assert response.status_code == 404 and "999" in response.json()["error"]
