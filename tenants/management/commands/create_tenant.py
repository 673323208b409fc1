from django.core.management.base import BaseCommand

from tenants.services import tenant_create


class Command(BaseCommand):
    help = "Create a tenant (or rename an existing one with the same slug)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)

    def handle(self, slug, name, **options):
        tenant, created = tenant_create(slug=slug, name=name)
        self.stdout.write(f"{'Created' if created else 'Updated'} tenant {tenant.slug} ({tenant.name})")
