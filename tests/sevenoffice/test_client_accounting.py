"""Vouchers, ledger lines and attachment downloads through the facade, against a fake 24SO at the HTTP edge."""
from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal

from lxml import etree

from sevenoffice.types import Bundle, BundleList, Entry, ImageFile, Voucher

from .fake_http import ACCOUNTING_NS, NS, result


def test_save_bundle_list_sends_plain_amounts_and_reads_the_response(fake, make_client):
    fake.handlers["SaveBundleList"] = lambda el, s: result(
        "SaveBundleList", "<Type>DuplicateData</Type><Description>Invoice 9001 already exists</Description>"
    )
    voucher = Voucher(transaction_no=17, sort=1, entries=(
        Entry(account_no=1500, amount=Decimal("1.25E+3"), date=date(2025, 3, 1), customer_id=42, invoice_reference_no="9001"),
        Entry(account_no=3000, amount=Decimal("-1250"), date=date(2025, 3, 1), tax_no="3"),
    ))  # fmt: skip
    response = make_client().save_bundle_list(BundleList(bundles=(Bundle(year_id=2025, vouchers=(voucher,)),)))
    assert (response.ok, response.duplicate, response.description) == (False, True, "Invoice 9001 already exists")
    request = etree.fromstring(fake.calls("SaveBundleList")[0].body)
    assert [e.text for e in request.iter(f"{{{NS}}}Amount")] == ["1250.00", "-1250.00"]
    assert [e.text for e in request.iter(f"{{{NS}}}Date")] == ["2025-03-01T00:00:00", "2025-03-01T00:00:00"]
    assert request.find(f".//{{{NS}}}SaveOption").text == "1"  # journal unless asked otherwise


def test_save_bundle_list_not_authenticated_result_triggers_relogin(fake, make_client):
    def save(element, session):
        if len(fake.calls("SaveBundleList")) == 1:  # the first answer: session gone, said in the result
            fake.live_sessions.clear()
            return result("SaveBundleList", "<Type>NotAuthenticated</Type>")
        return result("SaveBundleList", "<Type>Ok</Type>")

    fake.handlers["SaveBundleList"] = save
    assert make_client().save_bundle_list(BundleList()).ok
    assert len(fake.calls("Login")) == 2
    assert len(fake.calls("SaveBundleList")) == 2


def test_transactions_read_dimensions_and_open_flag(fake, make_client):
    fake.handlers["GetTransactions"] = lambda el, s: result(
        "GetTransactions",
        "<Transaction><Date>2025-03-01T00:00:00</Date><AccountNo>4000</AccountNo><Amount>400.00</Amount>"
        "<StampNo>12</StampNo><TransactionNo>5</TransactionNo><Id>ABCDEF01-0000-0000-0000-000000000001</Id>"
        "<InvoiceNo>L-1</InvoiceNo><SystemType>InvoiceSupplier</SystemType><Dimensions>"
        "<Dimension><Type>Customer</Type><Value>77</Value></Dimension><Dimension><Type>Project</Type><Value>3</Value>"
        "</Dimension></Dimensions><Hidden>false</Hidden><Open>true</Open><HasVatDividend>false</HasVatDividend>"
        "</Transaction>",
        ns=ACCOUNTING_NS,
    )
    lines = make_client().get_transactions(date(2025, 3, 1), date(2025, 3, 31), account_no_start=4000,
                                           account_no_end=4999, system_type="InvoiceSupplier")  # fmt: skip
    line = lines[0]
    assert (line.customer_id, line.project_id, line.open, line.stamp_no) == (77, 3, True, 12)
    assert line.id == "abcdef01-0000-0000-0000-000000000001"
    request = etree.fromstring(fake.calls("GetTransactions")[0].body)
    assert request.find(f".//{{{ACCOUNTING_NS}}}DateEnd").text == "2025-03-31T23:59:59"
    assert request.find(f".//{{{ACCOUNTING_NS}}}HasInvoiceId").get("{http://www.w3.org/2001/XMLSchema-instance}nil")


def test_download_file_reads_in_chunks_bounded_by_max_request_length(fake, make_client):
    content = bytes(range(256)) * 12  # 3072 bytes
    fake.handlers["GetSize"] = lambda el, s: result("GetSize", str(len(content)), ns=ACCOUNTING_NS)
    fake.handlers["GetMaxRequestLength"] = lambda el, s: result("GetMaxRequestLength", "1", ns=ACCOUNTING_NS)

    def chunk(element, session):
        offset = int(element.find(f"{{{ACCOUNTING_NS}}}offset").text)
        size = int(element.find(f"{{{ACCOUNTING_NS}}}bufferSize").text)
        data = base64.b64encode(content[offset : offset + size]).decode()
        return result("DownloadChunk", data, ns=ACCOUNTING_NS)

    fake.handlers["DownloadChunk"] = chunk
    assert make_client().download_file(ImageFile(id=3, type="Pdf", stamp_no=12)) == content
    assert len(fake.calls("DownloadChunk")) == 3  # 1 kB chunks
    # A caller that asked file_size first (to refuse large files) passes it on: no second GetSize.
    client = make_client()
    image = ImageFile(id=3, type="Pdf", stamp_no=12)
    assert client.download_file(image, size=client.file_size(image)) == content
    assert len(fake.calls("GetSize")) == 2  # one per download
