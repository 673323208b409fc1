"""Fixtures for the 24SO client tests: vendor WSDLs from ../shared and a fake 24SO at the HTTP edge."""
from __future__ import annotations

from pathlib import Path

import pytest

from sevenoffice.sessions import SessionCache
from sevenoffice.transport import ServiceRegistry, build_transport
from sevenoffice.client import SevenOfficeClient
from sevenoffice.types import Credential

from .fake_http import BASE, Fake24SO

REPO_ROOT = Path(__file__).resolve().parents[2]
VENDOR_WSDL_DIR = REPO_ROOT.parent / "shared" / "24so-wsdl"
APPLICATION_ID = "6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


@pytest.fixture
def wsdl_dir(request) -> Path:
    request.node.add_marker(pytest.mark.contract)  # needs ../shared: a skip fails in CI
    if not (VENDOR_WSDL_DIR / "invoiceService.wsdl").exists():
        pytest.skip("vendor WSDLs not found in ../shared/24so-wsdl")
    return VENDOR_WSDL_DIR


@pytest.fixture
def fake(wsdl_dir) -> Fake24SO:
    return Fake24SO(wsdl_dir=wsdl_dir)


@pytest.fixture
def registry(fake) -> ServiceRegistry:
    transport = build_transport(connect_timeout=1.5, read_timeout=4.0)
    transport.session.mount(BASE, fake)
    return ServiceRegistry(transport)


@pytest.fixture
def sessions() -> SessionCache:
    return SessionCache()


@pytest.fixture
def make_client(registry, sessions):
    def make(credential: Credential | None = None, **kwargs) -> SevenOfficeClient:
        kwargs.setdefault("application_id", APPLICATION_ID)
        kwargs.setdefault("api_url", f"{BASE}/api")
        kwargs.setdefault("webservices_url", f"{BASE}/ws")
        return SevenOfficeClient(
            credential or Credential("user@example.com", "pw"), registry=registry, sessions=sessions, **kwargs
        )

    return make
