"""Authenticate: login outcomes, identities and session cookies."""

from __future__ import annotations

import pytest
import requests
import zeep.exceptions

from .helpers import SOAP_HEADERS, envelope

ZERO_GUID = "00000000-0000-0000-0000-000000000000"


def test_wrong_password_gives_an_empty_login_result_not_a_fault(sandbox, soap):
    result = soap.login(sandbox.USERNAME, "wrong", sandbox.APPLICATION_ID)
    assert not result
    assert soap.service("Authenticate").HasSession() is False


def test_login_sets_the_session_cookie_and_returns_the_same_id(sandbox):
    body = envelope(
        '<Login xmlns="http://24sevenOffice.com/webservices"><credential>'
        f"<ApplicationId>{sandbox.APPLICATION_ID}</ApplicationId><Password>{sandbox.PASSWORD}</Password>"
        f"<Username>{sandbox.USERNAME}</Username></credential></Login>"
    )
    response = requests.post(
        f"{sandbox.url}/authenticate/v001/authenticate.asmx",
        data=body,
        headers={**SOAP_HEADERS, "SOAPAction": '"http://24sevenOffice.com/webservices/Login"'},
        timeout=10,
    )
    assert response.status_code == 200
    session_id = response.cookies["ASP.NET_SessionId"]
    assert f"<LoginResult>{session_id}</LoginResult>" in response.text
    assert "path=/" in response.headers["Set-Cookie"]


def test_application_id_that_is_not_a_guid_is_a_fault(sandbox, soap):
    with pytest.raises(zeep.exceptions.Fault):
        soap.login(sandbox.USERNAME, sandbox.PASSWORD, ZERO_GUID)


def test_blocked_or_unknown_identity_is_refused_with_the_vendor_text(sandbox, soap):
    sandbox.add_account("blocked@sandbox.local", "pw", [
        {"id": "11111111-2222-4333-8444-555555555555", "name": "Open AS", "client_id": 7},
        {"id": "11111111-2222-4333-8444-666666666666", "name": "Closed AS", "client_id": 8, "blocked": True},
    ])
    for identity in ("11111111-2222-4333-8444-666666666666", "99999999-2222-4333-8444-666666666666"):
        with pytest.raises(zeep.exceptions.Fault) as fault:
            soap.login("blocked@sandbox.local", "pw", sandbox.APPLICATION_ID, identity_id=identity)
        assert fault.value.message.startswith("Provided IdentityId is blocked")


def test_login_without_identity_uses_the_default_and_marks_it(sandbox, demo):
    identities = demo.service("Authenticate").GetIdentities()
    marks = {i.Client.Name: (i.IsCurrent, i.IsDefault) for i in identities}
    assert marks == {"Demo AS": (True, True), "Demo Konsulent AS": (False, False)}
    assert demo.service("Authenticate").GetIdentity().Id == sandbox.IDENTITY_ID


def test_data_calls_without_a_session_fault_as_not_authenticated(sandbox, soap):
    with pytest.raises(zeep.exceptions.Fault) as fault:
        soap.service("CompanyService").GetCompanies(searchParams={"CompanyName": "x"})
    assert "not authenticated" in fault.value.message


def test_has_session_never_faults(sandbox, soap):
    soap.http.headers["Cookie"] = "ASP.NET_SessionId=not-a-session"
    assert soap.service("Authenticate").HasSession() is False


def test_one_cookie_works_on_both_hosts_paths(sandbox, demo):
    # api host path and webservices host path, same session.
    assert demo.service("ClientService").GetClientInformation().Name == "Demo AS"
    project_id = demo.service("ProjectService").SaveProject(project={
        "Name": "Both hosts", "NameDisplay": "Plain", "TimeReg": "WorkType"})
    assert project_id >= 1


def test_set_identity_by_id_switches_the_partition(sandbox, demo):
    companies = demo.service("CompanyService")
    companies.SaveCompanies(companies={"Company": [{"Name": "Only in Demo AS"}]})
    assert len(companies.GetCompanies(searchParams={"CompanyName": "Only in"})) == 1
    auth = demo.service("Authenticate")
    assert auth.SetIdentityById(identityId="99999999-2222-4333-8444-666666666666") is False
    assert auth.SetIdentityById(identityId=sandbox.SECOND_IDENTITY_ID) is True
    assert auth.GetIdentity().Client.Name == "Demo Konsulent AS"
    assert not companies.GetCompanies(searchParams={"CompanyName": "Only in"})  # zeep: empty array -> None


def test_login_with_identity_id_starts_in_that_identity(sandbox, soap):
    soap.login(sandbox.USERNAME, sandbox.PASSWORD, sandbox.APPLICATION_ID, identity_id=sandbox.SECOND_IDENTITY_ID)
    assert soap.service("Authenticate").GetIdentity().Client.Id == sandbox.SECOND_CLIENT_ID


def test_identities_with_credential_need_no_session(sandbox, soap):
    credential = {"ApplicationId": sandbox.APPLICATION_ID, "Username": sandbox.USERNAME, "Password": sandbox.PASSWORD}
    identities = soap.service("Authenticate").GetIdentitiesWithCredential(credential=credential)
    assert {i.Id for i in identities} == {sandbox.IDENTITY_ID, sandbox.SECOND_IDENTITY_ID}


def test_soap_action_must_match_the_body_operation(sandbox):
    response = requests.post(
        f"{sandbox.url}/authenticate/v001/authenticate.asmx",
        data=envelope('<HasSession xmlns="http://24sevenOffice.com/webservices"/>'),
        headers={**SOAP_HEADERS, "SOAPAction": '"http://24sevenOffice.com/webservices/Login"'},
        timeout=10,
    )
    assert response.status_code == 500
    assert "soap:Client" in response.text and "SOAPAction" in response.text
