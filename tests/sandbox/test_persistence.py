"""The --state file: written while running and on shutdown, loaded again at start."""

from __future__ import annotations

import json

from tests.fixtures.sandbox import SandboxProcess

from .helpers import create_customer, create_product, order, save_orders
from .soap_clients import SoapClients, sandbox_wsdl


def _logged_in(server: SandboxProcess) -> SoapClients:
    clients = SoapClients(server.url, sandbox_wsdl(server.url))
    assert clients.login("persist@sandbox.local", "pw", server.APPLICATION_ID)
    return clients


def test_state_survives_a_restart(tmp_path):
    accounts = tmp_path / "accounts.json"
    accounts.write_text(json.dumps([{"username": "persist@sandbox.local", "password": "pw", "identities": [
        {"id": "7e57da7a-0000-4000-8000-000000000001", "name": "Persist AS", "client_id": 77,
         "invoice_series_start": 300}]}]))
    server = SandboxProcess(tmp_path / "state.json", accounts)
    server.start()
    try:
        clients = _logged_in(server)
        customer = create_customer(clients, "Varig AS")
        [invoice] = save_orders(clients, order(customer, create_product(clients), OrderStatus="Invoiced"))
        assert invoice.InvoiceId == 300
        server.add_account("runtime@sandbox.local", "pw", [
            {"id": "7e57da7a-0000-4000-8000-000000000002", "name": "Runtime AS", "client_id": 78}])
    finally:
        server.stop()
    assert "Varig AS" in (tmp_path / "state.json").read_text(encoding="utf-8")

    server.start()
    try:
        clients = _logged_in(server)
        assert [c.Name for c in clients.service("CompanyService").GetCompanies(searchParams={"CompanyId": customer})] == [
            "Varig AS"]
        [second] = save_orders(clients, order(customer, 1, OrderStatus="Invoiced"))
        assert second.InvoiceId == 301  # the series continues where it stopped
        assert create_customer(clients, "Neste AS") == customer + 1
        assert clients.login("runtime@sandbox.local", "pw", server.APPLICATION_ID)  # runtime account kept
    finally:
        server.stop()
