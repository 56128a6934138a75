"""Write a report's CSV file, the same file the page's "Download CSV" gives."""

import datetime
import sys

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from portal import exports, pages


class Command(BaseCommand):
    help = (
        "Write the CSV export of a report, filtered as on the screen. "
        "Example: manage.py export mergers --filter district=uong-bi --as-of 2018-01-01 -o mergers.csv"
    )

    def add_arguments(self, parser):
        parser.add_argument("report", help="One of: " + ", ".join(pages.DOWNLOADS))
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            dest="filters",
            help="A filter of the report's page, e.g. district=uong-bi or province=all; repeatable.",
        )
        parser.add_argument("--as-of", dest="as_of", help="The 'as of' date, YYYY-MM-DD (dashboard, mergers).")
        parser.add_argument("-o", "--output", required=True, help="The file to write; '-' for standard output.")
        parser.add_argument(
            "--base-url",
            dest="base_url",
            default="",
            help="The portal's address (https://host), to write links to its pages as absolute addresses.",
        )

    def handle(self, *args, report, filters, as_of, output, base_url="", **options):
        params = QueryDict(mutable=True)
        for item in filters:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise CommandError(f"--filter {item!r} is not KEY=VALUE")
            params.appendlist(key.strip(), value.strip())
        as_of_date = None
        if as_of:
            try:
                as_of_date = datetime.date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(f"--as-of {as_of!r} is not a date; use YYYY-MM-DD") from None
        try:
            spec, rows = pages.file_for(report, params, as_of=as_of_date)
        except pages.ExportError as exc:
            raise CommandError(str(exc)) from None
        base_url = base_url.rstrip("/")
        if output == "-":
            exports.write_report(spec, rows, sys.stdout.buffer, base_url=base_url)
            return
        try:
            with open(output, "wb") as stream:
                count = exports.write_report(spec, rows, stream, base_url=base_url)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}") from None
        self.stdout.write(self.style.SUCCESS(f"Wrote {count} rows of {report} to {output}"))
