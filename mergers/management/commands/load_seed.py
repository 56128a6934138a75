from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from agencies.models import Source

# Order matters only for readability: natural keys resolve across files.
SEED_FIXTURES = ["sources", "units", "bodies", "mergers", "titles", "figures"]


def seed_paths():
    base = Path(settings.BASE_DIR) / "fixtures"
    return [str(base / f"{name}.json") for name in SEED_FIXTURES]


class Command(BaseCommand):
    help = "Load the seed fixtures (the facts of the five source articles) into an empty database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load even if the database already has data (resets seed records)."
        )

    def handle(self, *args, force=False, **options):
        if Source.objects.exists() and not force:
            self.stdout.write("The database already holds data: seed not loaded (use --force to reload it).")
            return
        with transaction.atomic():
            call_command("loaddata", *seed_paths(), verbosity=0)
        self.stdout.write(self.style.SUCCESS("Seed fixtures loaded."))
