"""Each /_sandbox/control knob, observed from a client's side."""

from __future__ import annotations

import threading
import time

import pytest
import requests
import zeep.exceptions

from .helpers import HAS_SESSION, SOAP_HEADERS, create_customer, envelope


def _company_names(sandbox) -> list[str]:
    return [c["Name"] for c in sandbox.data().get("companies", [])]


def _save_company(demo, name: str):
    return demo.service("CompanyService").SaveCompanies(companies={"Company": [{"Name": name}]})


def test_latency_is_added_to_each_call(sandbox, demo):
    sandbox.control(latency_ms=300)
    started = time.monotonic()
    demo.service("Authenticate").HasSession()
    assert time.monotonic() - started >= 0.3


def test_http_500_is_a_bare_server_error(sandbox, demo):
    sandbox.control(http_500_rate=1)
    body = envelope('<SaveCompanies xmlns="http://24sevenOffice.com/webservices"><companies><Company>'
                    "<Name>Aldri</Name></Company></companies></SaveCompanies>")
    response = demo.http.post(f"{sandbox.url}/CRM/Company/V001/CompanyService.asmx", data=body,
                              headers=SOAP_HEADERS, timeout=10)
    assert response.status_code == 500 and "Envelope" not in response.text
    assert _company_names(sandbox) == []
    assert sandbox.stats()["accounts"][sandbox.USERNAME]["faults_injected"] == {"http_500": 1}


def test_soap_fault_only_hits_the_listed_operations(sandbox, demo):
    sandbox.control(soap_fault_rate=1, operations=["GetCompanies"])
    _save_company(demo, "Lagret")
    with pytest.raises(zeep.exceptions.Fault):
        demo.service("CompanyService").GetCompanies(searchParams={"CompanyName": "Lagret"})
    assert _company_names(sandbox) == ["Lagret"]


def test_timeout_hangs_then_drops_without_writing(sandbox, demo):
    sandbox.control(timeout_rate=1, timeout_seconds=0.3)
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ConnectionError):
        _save_company(demo, "Hang")
    assert time.monotonic() - started >= 0.3
    sandbox.control(timeout_rate=0)
    assert _company_names(sandbox) == []


def test_drop_after_commit_keeps_the_write_and_persists_it(sandbox, demo):
    sandbox.control(drop_after_commit_rate=1, operations=["SaveCompanies"])
    with pytest.raises(requests.exceptions.ConnectionError):
        _save_company(demo, "Lagret men ubesvart")
    assert _company_names(sandbox) == ["Lagret men ubesvart"]
    assert "Lagret men ubesvart" in sandbox.state_file.read_text(encoding="utf-8")


def test_session_expires_after_the_configured_number_of_calls(sandbox, demo):
    sandbox.control(session_expiry_calls=2)
    auth = demo.service("Authenticate")
    assert auth.HasSession() is True
    assert auth.HasSession() is True
    assert auth.HasSession() is False
    with pytest.raises(zeep.exceptions.Fault) as fault:
        _save_company(demo, "Etter utløp")
    assert "not authenticated" in fault.value.message


def test_calls_over_the_concurrency_cap_get_429(sandbox, demo):
    sandbox.control(max_concurrent_per_account=1, latency_ms=400)
    cookie = demo.http.headers["Cookie"]
    statuses = []

    def call():
        response = requests.post(f"{sandbox.url}/authenticate/v001/authenticate.asmx", data=HAS_SESSION, timeout=10,
                                 headers={**SOAP_HEADERS, "Cookie": cookie})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=call) for _ in range(3)]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 429, 429]
    stats = sandbox.stats()["accounts"][sandbox.USERNAME]
    assert (stats["rejected_concurrency"], stats["max_concurrency"]) == (2, 1)


def test_hourly_quota_blocks_with_the_vendor_message_and_headers(sandbox, soap):
    sandbox.control(hourly_quota=3)
    soap.login(sandbox.USERNAME, sandbox.PASSWORD, sandbox.APPLICATION_ID)  # call 1
    auth = soap.service("Authenticate")
    auth.HasSession()  # 2
    auth.HasSession()  # 3
    with pytest.raises(zeep.exceptions.Fault) as fault:
        auth.HasSession()  # 4
    assert fault.value.message.startswith("Limit exceeded by 1. Request is blocked. Quarantine ends at ")
    response = soap.http.post(f"{sandbox.url}/authenticate/v001/authenticate.asmx", data=HAS_SESSION,
                              headers=SOAP_HEADERS, timeout=10)
    assert response.headers["APILimitRemaining"] == "0" and response.headers["APILimitReset"].endswith(":00:00Z")


def test_seeded_faults_repeat_exactly(sandbox, demo):
    def outcomes() -> list[bool]:
        results = []
        for _ in range(12):
            try:
                demo.service("Authenticate").GetIdentity()
                results.append(True)
            except zeep.exceptions.Fault:
                results.append(False)
        return results

    sandbox.control(soap_fault_rate=0.5, seed=7)
    first = outcomes()
    sandbox.control(seed=7)
    assert outcomes() == first and True in first and False in first


def test_stats_count_calls_logins_and_reset_clears_everything(sandbox, demo):
    create_customer(demo)
    stats = sandbox.stats()["accounts"][sandbox.USERNAME]
    assert (stats["logins"], stats["calls"]["SaveCompanies"]) == (1, 1)
    sandbox.control(latency_ms=50)
    sandbox.reset()
    assert sandbox.stats()["accounts"] == {}
    assert sandbox.control()["latency_ms"] == 0
    assert demo.service("Authenticate").HasSession() is False  # sessions dropped too


def test_invalid_control_settings_are_rejected(sandbox):
    response = requests.post(f"{sandbox.url}/_sandbox/control", json={"http_500_rate": 2}, timeout=5)
    assert response.status_code == 400
    response = requests.post(f"{sandbox.url}/_sandbox/control", json={"no_such_knob": 1}, timeout=5)
    assert response.status_code == 400
