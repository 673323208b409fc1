"""Contract (b) and (c): zeep clients built from the vendor's own WSDLs call every operation
the hub uses, through the proxy that validates each request and response body against the
vendor schema. Zero schema errors is the bar."""

from __future__ import annotations

import base64
from datetime import date, datetime
from decimal import Decimal

import pytest

from sevenoffice.sandbox.contract import SERVICES

from .soap_clients import SoapClients, vendor_wsdl

pytestmark = pytest.mark.contract

THIS_YEAR = date.today().year


@pytest.fixture
def vendor_clients(sandbox, vendor_proxy, vendor_wsdl_dir) -> SoapClients:
    clients = SoapClients(vendor_proxy.url, vendor_wsdl(vendor_wsdl_dir))
    assert clients.login(sandbox.USERNAME, sandbox.PASSWORD, sandbox.APPLICATION_ID)
    return clients


def _call_every_operation(sandbox, clients: SoapClients) -> None:
    auth = clients.service("Authenticate")
    credential = {"ApplicationId": sandbox.APPLICATION_ID, "Username": sandbox.USERNAME, "Password": sandbox.PASSWORD}
    assert auth.HasSession() is True
    assert auth.GetIdentity().Client.Name == "Demo AS"
    assert len(auth.GetIdentities()) == 2
    assert len(auth.GetIdentitiesWithCredential(credential=credential)) == 2
    assert auth.SetIdentityById(identityId=sandbox.IDENTITY_ID) is True

    client = clients.service("ClientService")
    assert client.GetClientInformation().Name == "Demo AS"
    assert client.GetDepartmentList()
    assert client.GetVatTypeList()
    assert client.GetTypeGroupList(module="Sale")
    assert client.GetCurrencyList()
    employee_id = client.GetUsers()[0].EmployeeId

    companies = clients.service("CompanyService")
    [customer] = companies.SaveCompanies(companies={"Company": [{
        "Name": "Kontrakt AS", "ExternalId": "c-1", "OrganizationNumber": "999888777", "Type": "Business",
        "Addresses": {"Invoice": {"Street": "Gate 1", "PostalCode": "0150", "City": "Oslo", "Country": "NO"}},
        "EmailAddresses": {"Invoice": {"Value": "faktura@kontrakt.no"}},
        "PhoneNumbers": {"Work": {"Value": "22 22 22 22"}},
    }]})
    assert companies.GetCompanies(searchParams={"ExternalId": "c-1"}, returnProperties={"string": ["Id", "Name"]})
    assert companies.GetCompanies(searchParams={"ChangedAfter": datetime(2000, 1, 1)})
    assert companies.GetCompanySyncList(syncSearchParameters={"Active": None}).TotalItems == 1

    products = clients.service("ProductService")
    [category] = products.SaveCategories(categories={"Category": [{"Name": "Timer"}]})
    [product] = products.SaveProducts(products={"Product": [
        {"Name": "Time", "CategoryId": category.Id, "Price": Decimal("950.00"), "No": "T-1"},
        {"Name": "Mangler kategori"},
    ]})[:1]
    assert products.GetProducts(searchParams={"ProductIds": {"int": [product.Id]}},
                                returnProperties={"string": ["Id", "Name", "Price"]})
    assert products.GetCategories(returnProperties={"string": ["Id", "Name"]})

    projects = clients.service("ProjectService")
    project_id = projects.SaveProject(project={"Name": "Prosjekt", "NameDisplay": "Plain", "TimeReg": "WorkType",
                                               "CustomerId": customer.Id, "DepartmentId": 1})
    assert projects.GetProjectList(Ps={"CustomerId": customer.Id})
    assert projects.GetProjectsDetailed(Ps={"ProjectIds": {"int": [project_id]}})
    assert projects.GetSingleProject(projectId=project_id).Name == "Prosjekt"

    invoices = clients.service("InvoiceService")
    [invoice, _refused] = invoices.SaveInvoices(invoices={"InvoiceOrder": [
        {"CustomerId": customer.Id, "OrderStatus": "Invoiced", "IncludeVAT": False, "ProjectId": project_id,
         "DepartmentId": 1, "OurReference": employee_id, "YourReference": "Kari", "InvoiceText": "Takk",
         "Currency": {"Symbol": "NOK"}, "PaymentTime": 14, "ExternalStatus": 1,
         "InvoiceRows": {"InvoiceRow": [
             {"ProductId": product.Id, "Quantity": Decimal("3"), "Price": Decimal("950.00"),
              "DiscountRate": Decimal("10"), "TaxSettings": {"TaxCode": 3}},
             {"Type": "Text", "Name": "Tekstlinje"},
         ]}},
        {"CustomerId": 1, "IncludeVAT": None},
    ]})
    assert invoice.InvoiceId == 10001
    assert invoices.UpdateInvoices(invoices={"InvoiceOrder": [
        {"OrderId": invoice.OrderId, "IncludeVAT": None, "InvoiceTitle": "Oppdatert"}]})
    assert invoices.GetInvoices(
        searchParams={"InvoiceIds": {"int": [invoice.InvoiceId]}},
        invoiceReturnProperties={"string": ["OrderId", "InvoiceId", "Paid", "InvoiceRows", "Currency"]},
        rowReturnProperties={"string": ["ProductId", "Quantity", "Price", "VatRate", "TaxSettings"]},
    )
    assert invoices.GetInvoices(searchParams={"ChangedAfter": datetime(2000, 1, 1)})  # every property
    assert invoices.GetOrderSyncList(syncParams={"RegisteredAfter": datetime(2000, 1, 1)})
    assert invoices.GetInvoiceDocument(Parameters={"InvoiceId": invoice.InvoiceId}).startswith(b"%PDF")

    accounts = clients.service("AccountService")
    assert accounts.GetAccountList()
    assert accounts.GetTaxCodeList()
    types = accounts.GetTypeList()
    entry_no = accounts.GetEntryId(argEntryId={"Date": datetime(THIS_YEAR, 3, 1), "SortNo": types[0].EntrySeriesId,
                                                "EntryNo": 0}).EntryNo
    saved = accounts.SaveBundleList(BundleList={"SaveOption": 0, "IgnoreWarnings": {"string": ["vatisnotinbalance"]},
                                                "Bundles": {"Bundle": [{
        "YearId": THIS_YEAR, "Sort": types[0].TypeNo, "Name": "Kontrakt",
        "Vouchers": {"Voucher": [{"TransactionNo": entry_no, "Sort": types[0].TypeNo, "Entries": {"Entry": [
            {"AccountNo": 1500, "CustomerId": customer.Id, "Date": datetime(THIS_YEAR, 3, 1),
             "DueDate": datetime(THIS_YEAR, 3, 15), "Amount": Decimal("1250.00"), "InvoiceReferenceNo": "90001",
             "InvoiceOcr": "900012", "ProjectId": project_id},
            {"AccountNo": 3000, "Date": datetime(THIS_YEAR, 3, 1), "Amount": Decimal("-1250.00"), "TaxNo": "3"},
        ]}}]},
    }]}})
    assert saved.Type == "Ok", saved.Description

    sandbox.add_supplier_invoice(
        supplier_name="Leverandør AS", supplier_invoice_number="L-77", invoice_date=f"{THIS_YEAR}-02-01",
        amount="500.00", account_no=6800, project_id=project_id, description="Papir", approved=True, posted=True,
        attachment={"name": "faktura.pdf", "content_base64": base64.b64encode(b"%PDF-1.4 fake" * 100).decode()},
    )
    transactions = clients.service("TransactionService")
    assert transactions.GetTransactions(searchParams={
        "DateSearchParameters": "DateChangedUTC", "DateStart": datetime(2000, 1, 1), "DateEnd": datetime(2100, 1, 1),
        "SystemType": "InvoiceSupplier", "HasInvoiceId": True, "AccountNoStart": 4000, "AccountNoEnd": 7999})
    assert transactions.GetTransactions(searchParams={"DateStart": datetime(2000, 1, 1), "SystemType": None,
                                                      "HasInvoiceId": None})
    assert transactions.GetFiscalYears()
    assert transactions.GetTransactionTypes()

    attachments = clients.service("AttachmentService")
    [image] = attachments.GetFileInfo(parameters={"StampNo": {"int": [1]}, "HasStampNo": None, "FileApproved": True,
                                                  "AttachmentStatus": {"FlagType": ["PostedInJournal"]}})
    size = attachments.GetSize(file=image)
    assert attachments.GetMaxRequestLength() > 0
    assert len(attachments.DownloadChunk(file=image, offset=0, bufferSize=size)) == size


def test_vendor_wsdl_clients_call_every_operation_with_zero_schema_errors(sandbox, vendor_clients, vendor_proxy):
    _call_every_operation(sandbox, vendor_clients)

    calls = vendor_proxy.calls()
    called = {(c["service"], c.get("op")) for c in calls}
    for service in SERVICES:
        for operation in service.operations:
            assert any(op == operation for _, op in called), f"{service.name}.{operation} was not called"
    problems = [(c.get("op"), c.get("request_errors"), c.get("response_errors")) for c in calls
                if c.get("request_errors") or c.get("response_errors")]
    assert problems == []
    assert {c["status"] for c in calls} == {200}


def test_faults_and_empty_answers_also_validate(sandbox, vendor_proxy, vendor_wsdl_dir):
    clients = SoapClients(vendor_proxy.url, vendor_wsdl(vendor_wsdl_dir))
    assert not clients.login(sandbox.USERNAME, "wrong", sandbox.APPLICATION_ID)
    assert clients.service("Authenticate").HasSession() is False
    with pytest.raises(Exception):
        clients.service("InvoiceService").GetInvoices(searchParams={})
    clients.login(sandbox.USERNAME, sandbox.PASSWORD, sandbox.APPLICATION_ID)
    assert not clients.service("InvoiceService").GetInvoices(searchParams={})
    assert clients.service("ProjectService").GetSingleProject(projectId=404) is None
    calls = vendor_proxy.calls()
    assert calls and all(not c.get("request_errors") and not c.get("response_errors") for c in calls)
