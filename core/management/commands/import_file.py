"""Import a CSV or XLSX file too large for the admin (QNMERGE_IMPORT_MAX_ROWS).

Same rules as the admin's import: the resource of the model checks every
cell, natural key, scope and NUL character; any error rolls the whole file
back (all or nothing) and is printed as "Row N, column C: message";
--dry-run checks every row and writes nothing.
"""

import copy
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.import_files import ImportLimitError, read_dataset
from core.import_forms import check_text_encoding
from core.resources import declared_resources, describe_errors

RESOURCES = declared_resources()


class Command(BaseCommand):
    help = "Import a CSV (UTF-8) or XLSX file of one model, all or nothing, with the admin import's checks."

    def add_arguments(self, parser):
        parser.add_argument("model", choices=sorted(RESOURCES), help="What the file holds, e.g. body.")
        parser.add_argument("file", help="Path of a .csv or .xlsx file.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row, write nothing.")
        parser.add_argument("--user", help="Import as this user (their district scope applies); default: no limit.")
        parser.add_argument("--max-rows", type=int, default=1_000_000, help="Refuse files with more data rows.")

    def handle(self, *args, model, file, dry_run, user, max_rows, verbosity=1, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        kind = "xlsx" if path.suffix.lower() == ".xlsx" else "csv"
        data = path.read_bytes()
        account = None
        if user:
            account = get_user_model()._default_manager.filter(username=user).first()
            if account is None:
                raise CommandError(f"No user named {user!r}")
        started = time.monotonic()
        try:
            if kind == "csv":
                check_text_encoding(data)
            dataset = read_dataset(data, kind, row_limit=max_rows, cell_limit=max_rows * 100)
        except ImportLimitError as exc:
            raise CommandError(str(exc)) from None
        except Exception as exc:  # ValidationError from the encoding check
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from None
        resource = RESOURCES[model](user=account)
        # No per-row before/after comparison for the preview page (there is none here).
        resource._meta = copy.copy(resource._meta)
        resource._meta.skip_diff = True
        resource._meta.skip_html_diff = True
        result = resource.import_data(dataset, dry_run=dry_run)
        errors = describe_errors(result)
        elapsed = time.monotonic() - started
        if errors:
            for line in errors[:200]:
                self.stderr.write(line)
            if len(errors) > 200:
                self.stderr.write(f"... and {len(errors) - 200} more errors")
            raise CommandError(f"{len(errors)} error(s): nothing was imported.")
        totals = result.totals
        summary = ", ".join(f"{totals.get(kind_, 0)} {kind_}" for kind_ in ("new", "update", "skip"))
        if verbosity:
            verb = "Would import" if dry_run else "Imported"
            self.stdout.write(f"{verb} {len(dataset)} rows of {model} in {elapsed:.1f} s: {summary}.")
