from django.core.management.base import BaseCommand

from exports.demo import DEMO_PASSWORDS, demo_seed
from sevenoffice.sandbox import accounts as sandbox_accounts


class Command(BaseCommand):
    help = "Create the demo tenant with departments, users, scoped 24SO credentials (sandbox login) and invoices."

    def add_arguments(self, parser):
        parser.add_argument("--invoices", type=int, default=300)

    def handle(self, invoices, **options):
        tenant = demo_seed(
            username=sandbox_accounts.DEFAULT_USERNAME,
            password=sandbox_accounts.DEFAULT_PASSWORD,
            identities=[sandbox_accounts.DEMO_AS_IDENTITY_ID, sandbox_accounts.DEMO_KONSULENT_IDENTITY_ID],
            invoices=invoices,
        )
        self.stdout.write(f"Demo tenant '{tenant.slug}': {tenant.invoices.count()} invoices")
        for role, password in DEMO_PASSWORDS.items():
            self.stdout.write(f"  {role:<11} {role} / {password}")
