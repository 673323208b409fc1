import pytest

from .soap_clients import SoapClients, sandbox_wsdl


@pytest.fixture
def soap(sandbox) -> SoapClients:
    """zeep clients built from the sandbox's own WSDLs, not yet logged in."""
    return SoapClients(sandbox.url, sandbox_wsdl(sandbox.url))


@pytest.fixture
def demo(sandbox, soap) -> SoapClients:
    """``soap`` logged in as the demo account (default identity "Demo AS")."""
    assert soap.login(sandbox.USERNAME, sandbox.PASSWORD, sandbox.APPLICATION_ID)
    return soap
