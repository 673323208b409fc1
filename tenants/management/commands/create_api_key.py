from django.core.management.base import BaseCommand, CommandError

from tenants.models import Tenant
from tenants.services import api_key_create


class Command(BaseCommand):
    help = "Create an API key for a tenant and print it once (only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("tenant", help="tenant slug")
        parser.add_argument("--admin", action="store_true", help="may manage credentials and settings")
        parser.add_argument("--name", default="", help="what the key is for")

    def handle(self, tenant, admin, name, **options):
        try:
            tenant_obj = Tenant.objects.get(slug=tenant)
        except Tenant.DoesNotExist:
            raise CommandError(f"No tenant with slug {tenant!r}") from None
        _, key = api_key_create(tenant=tenant_obj, name=name, is_admin=admin)
        self.stdout.write(key)
