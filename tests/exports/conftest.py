import pytest

from exports.demo import demo_seed
from sevenoffice.sandbox import accounts as sandbox_accounts


@pytest.fixture
def demo_tenant(sandbox):
    """The demo tenant, with credentials pointing at the sandbox's default account."""
    return demo_seed(
        username=sandbox_accounts.DEFAULT_USERNAME,
        password=sandbox_accounts.DEFAULT_PASSWORD,
        identities=[sandbox_accounts.DEMO_AS_IDENTITY_ID, sandbox_accounts.DEMO_KONSULENT_IDENTITY_ID],
        invoices=40,
    )
