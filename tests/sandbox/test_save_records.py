"""Save* operations: ids assigned, per-record APIException, searches and length caps."""

from __future__ import annotations

from decimal import Decimal

import requests

from .helpers import SOAP_HEADERS, create_customer, envelope


def test_save_companies_saves_good_records_and_flags_the_bad_one(sandbox, demo):
    saved = demo.service("CompanyService").SaveCompanies(companies={"Company": [
        {"Name": "Første AS", "ExternalId": "hub-1"},
        {"Name": "x" * 201},
        {"Id": 424242, "Name": "Ukjent"},
        {"Name": "Tredje AS", "OrganizationNumber": "987654321"},
    ]})
    assert len(saved) == 4
    assert saved[0].Id == 10000 and saved[0].APIException is None
    assert "200" in saved[1].APIException.Message and saved[1].Id is None
    assert saved[2].APIException.Type == "NotFoundException"
    assert saved[3].Id == 10001
    stored = {c["Name"] for c in sandbox.data()["companies"]}
    assert stored == {"Første AS", "Tredje AS"}


def test_sending_an_existing_company_id_updates_it(sandbox, demo):
    company_id = create_customer(demo, "Gammelt Navn AS", ExternalId="hub-7")
    demo.service("CompanyService").SaveCompanies(companies={"Company": [{"Id": company_id, "Name": "Nytt Navn AS"}]})
    found = demo.service("CompanyService").GetCompanies(searchParams={"ExternalId": "hub-7"})
    assert [(c.Id, c.Name) for c in found] == [(company_id, "Nytt Navn AS")]


def test_get_companies_searches_and_returns_only_requested_properties(sandbox, demo):
    create_customer(demo, "Alfa AS", OrganizationNumber="911111111",
                    EmailAddresses={"Invoice": {"Value": "faktura@alfa.no"}})
    create_customer(demo, "Beta AS", OrganizationNumber="922222222")
    service = demo.service("CompanyService")
    by_org = service.GetCompanies(searchParams={"OrganizationNumber": "922222222"},
                                  returnProperties={"string": ["Id", "Name"]})
    assert [c.Name for c in by_org] == ["Beta AS"]
    assert by_org[0].OrganizationNumber is None  # not requested
    by_email = service.GetCompanies(searchParams={"CompanyEmail": "faktura@alfa.no"})
    assert [c.Name for c in by_email] == ["Alfa AS"]


def test_company_sync_list_pages_changed_companies(sandbox, demo):
    create_customer(demo, "Synk AS", ExternalId="s-1")
    page = demo.service("CompanyService").GetCompanySyncList(syncSearchParameters={"Active": None})
    assert (page.TotalItems, page.ItemsPerPage) == (1, 1000)
    assert page.Items.SyncCompany[0].ExternalId == "s-1"


def test_new_product_needs_name_and_category(sandbox, demo):
    saved = demo.service("ProductService").SaveProducts(products={"Product": [
        {"Name": "Uten kategori"},
        {"Name": "Med kategori", "CategoryId": 1, "No": "P-1", "Price": Decimal("10.00")},
        {"Name": "Feil kategori", "CategoryId": 99},
    ]})
    assert saved[0].APIException is not None and saved[0].Id is None
    assert saved[1].APIException is None and saved[1].Id == 1
    assert saved[2].APIException.Type == "NotFoundException"
    assert [p.Name for p in demo.service("ProductService").GetProducts(searchParams={"No": "P-1"})] == ["Med kategori"]


def test_categories_are_saved_and_listed(sandbox, demo):
    saved = demo.service("ProductService").SaveCategories(categories={"Category": [{"Name": "Tjenester", "No": "T"}]})
    assert saved[0].Id == 2
    names = {c.Name for c in demo.service("ProductService").GetCategories(returnProperties={"string": ["Name"]})}
    assert names == {"Diverse", "Tjenester"}


def test_exponent_decimals_are_refused_as_invalid(sandbox, demo):
    body = envelope(
        '<SaveProducts xmlns="http://24sevenOffice.com/webservices"><products><Product>'
        "<Name>Eksponent</Name><CategoryId>1</CategoryId><Price>1e-05</Price></Product></products></SaveProducts>"
    )
    response = demo.http.post(f"{sandbox.url}/Logistics/Product/V001/ProductService.asmx", data=body,
                              headers=SOAP_HEADERS, timeout=10)
    assert response.status_code == 500
    assert "soap:Client" in response.text and "1e-05" in response.text
    assert not sandbox.data().get("products")


def test_minvalue_sentinels_mean_not_set(sandbox, demo):
    company_id = create_customer(demo, "Sentinel AS", Status=1)
    body = envelope(
        '<SaveCompanies xmlns="http://24sevenOffice.com/webservices"><companies><Company>'
        f"<Id>{company_id}</Id><Name>Sentinel AS</Name><Status>-2147483648</Status>"
        "<IncorporationDate>0001-01-01T00:00:00</IncorporationDate></Company></companies></SaveCompanies>"
    )
    response = demo.http.post(f"{sandbox.url}/CRM/Company/V001/CompanyService.asmx", data=body,
                              headers=SOAP_HEADERS, timeout=10)
    assert response.status_code == 200
    stored = sandbox.data()["companies"][0]
    assert stored["Status"] == 1  # unchanged, the sentinel did not overwrite it
    assert "IncorporationDate" not in stored
    assert "-2147483648" not in response.text and "0001-01-01" not in response.text


def test_unknown_path_is_404_and_wsdl_is_served_for_any_case(sandbox):
    assert requests.get(f"{sandbox.url}/nope.asmx", timeout=5).status_code == 404
    wsdl = requests.get(f"{sandbox.url}/crm/company/v001/companyservice.asmx?Wsdl", timeout=5)
    assert wsdl.status_code == 200 and b"CompanyServiceSoap" in wsdl.content
