from django.core.management.base import BaseCommand, CommandError

from tenants import crypto
from tenants.services import credentials_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored 24SO secret under the first key of CREDENTIALS_KEYS. "
        "Rotation: put a new key first (keep the old ones after it), run this, then drop the old keys. "
        "--generate-key prints a fresh key to put first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--generate-key", action="store_true", help="print a new key and exit")

    def handle(self, generate_key, **options):
        if generate_key:
            self.stdout.write(crypto.generate_key())
            return
        try:
            count = credentials_reencrypt()
        except crypto.SecretUnreadable as exc:
            raise CommandError(f"{exc}. Put the key it was written with back into CREDENTIALS_KEYS.") from None
        self.stdout.write(f"Re-encrypted {count} credential(s) under the newest key.")
