import json
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from agencies.models import AdministrativeUnit, Source
from core.cache import writes_batched

# Order matters only for readability: natural keys resolve across files.
# fixtures/build_fixtures.py writes these files; edit it, not the JSON.
SEED_FIXTURES = ["sources", "units", "bodies", "mergers", "titles", "figures", "events", "citations"]
# Why the first history entry of every seeded record exists (shown in the
# admin's history as the change reason; stored text, so in Vietnamese).
SEED_REASON = "Nạp từ dữ liệu gốc (fixtures) theo các bài báo nguồn"


def record_seed_history(update=False):
    """Give every record of both apps a history entry saying it was loaded
    from the fixtures (loaddata writes raw rows, which simple-history does
    not record), so the very first edit can be reverted. Returns the count."""
    total = 0
    for label in ("agencies", "mergers"):
        for model in apps.get_app_config(label).get_models():
            manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
            if manager_name is None or model._meta.proxy:
                continue
            history = getattr(model, manager_name)
            objs = list(model._default_manager.order_by("pk"))
            history.bulk_history_create(objs, batch_size=500, update=update, default_change_reason=SEED_REASON)
            total += len(objs)
    return total


def seed_paths():
    base = Path(settings.BASE_DIR) / "fixtures"
    return [str(base / f"{name}.json") for name in SEED_FIXTURES]


def seed_record_count():
    return sum(len(json.loads(Path(path).read_text(encoding="utf-8"))) for path in seed_paths())


class Command(BaseCommand):
    help = "Load the seed fixtures (the facts of the five source articles) into an empty database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load even if the database already has data (resets seed records)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Load inside a transaction, report, then roll everything back."
        )

    def handle(self, *args, force=False, dry_run=False, **options):
        if Source.objects.exists() and not force:
            self.stdout.write("The database already holds data: seed not loaded (use --force to reload it).")
            return
        count = seed_record_count()
        # One bump of the data version for the whole load, not one per row.
        with writes_batched(), transaction.atomic():
            # Records carry natural keys, not ids: loading again updates the same rows.
            call_command("loaddata", *seed_paths(), verbosity=0)
            record_seed_history(update=force)
            # Fixtures load raw (no save()): derive the lookup's folded names.
            AdministrativeUnit.objects.fill_folded_names()
            if dry_run:
                transaction.set_rollback(True)
        if dry_run:
            self.stdout.write(f"Dry run: the {count} seed records load cleanly; nothing was saved.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Seed fixtures loaded ({count} records)."))
