"""The XLSX twin of every CSV report, for analysts who open files in Excel.

Derived from the same column spec as the CSV (a page's `Report`, portal/pages/):
nothing here lists a report's columns. What changes from the CSV:

- headers and code values are readable labels in the request's language
  (the CSV keeps its stable snake_case codes);
- an uncertain date's "as the source says it" column is preceded by a real
  Excel date when the source gives the day, and its earliest and latest days
  are Excel dates;
- numbers are numbers, true/false are Excel booleans;
- the header row is frozen, and a second sheet describes every column;
- text that a spreadsheet would run as a formula is neutralised as in the CSV;
- paths on this portal are written as absolute addresses.
"""

import datetime
import decimal
import io

from django.apps import apps
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from mergers.models import NO_STATUS, Status

from . import exports
from .exports import ColumnType as T

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_TITLE_LIMIT = 31  # Excel's limit on a sheet name

# Readable headers, by column name (a name means the same in every report).
HEADERS = {
    "abbreviation": _("Abbreviation"),
    "as_of": _("Date of the figure"),
    "author": _("Author"),
    "basis_document_number": _("Legal document"),
    "basis_document_numbers": _("Legal documents"),
    "combination": _("Unified title"),
    "communes_2018": _("Communes in 2018"),
    "computed_value": _("Value computed from the records"),
    "constituent_body_slugs": _("Constituent bodies"),
    "counted_level": _("Level counted"),
    "date": _("Date"),
    "date_note": _("How the date was established"),
    "denominator": _("Out of"),
    "district": _("District or province"),
    "district_gso_code": _("District GSO code"),
    "effective_on": _("Date in effect"),
    "end_date": _("End date"),
    "end_reason": _("Why it ended"),
    "merger_model_name": _("Name of the merger model"),
    "effective_end_reason": _("Why it ended, its unit's end included"),
    "effective_end_edtf": _("Date ended, its unit's end included (EDTF)"),
    "ended_on": _("Date ended"),
    "founded_on": _("Date founded"),
    "function": _("Function"),
    "gso_code": _("GSO code"),
    "headcount_after": _("Posts after"),
    "headcount_before": _("Posts before"),
    "headcount_change": _("Change in posts"),
    "headcount_change_percent": _("Change in posts (%)"),
    "holder_name": _("Holder"),
    "id": _("Record number"),
    "is_closed": _("Ended"),
    "is_unified": _("Unified title"),
    "issuer": _("Issued by"),
    "kind": _("Kind"),
    "level": _("Level"),
    "matches_records": _("Matches the records"),
    "measure": _("Measure"),
    "merger_id": _("Merger record number"),
    "merger_model": _("Merger model"),
    "merger_models": _("Merger models"),
    "merger_slug": _("Merger identifier"),
    "metric": _("Computed as"),
    "name_en": _("English name"),
    "name_vi": _("Vietnamese name"),
    "note": _("Note"),
    "note_en": _("Note (English)"),
    "note_vi": _("Note (Vietnamese)"),
    "number": _("Number"),
    "parent_gso_code": _("Parent unit GSO code"),
    "parent_slug": _("Parent unit identifier"),
    "people": _("People named"),
    "phase": _("Before or after"),
    "possible_status": _("Possible later status"),
    "possible_status_date": _("Date of the possible status"),
    "post_slugs": _("Posts"),
    "published_on": _("Date published"),
    "publisher": _("Publisher"),
    "record_id": _("Record number"),
    "reported_on": _("Date reported"),
    "result_body_slug": _("Resulting body"),
    "sector": _("Sector"),
    "seed_file": _("Archived copy"),
    "signed_on": _("Date signed"),
    "slug": _("Identifier"),
    "source_ids": _("Sources"),
    "source_quotes": _("Passages from the sources"),
    "start_date": _("Start date"),
    "statement_en": _("What is counted (English)"),
    "statement_vi": _("What is counted (Vietnamese)"),
    "status": _("Status"),
    "status_date": _("Date of the status"),
    "successor_slug": _("Successor"),
    "title": _("Title"),
    "title_en": _("English title"),
    "title_vi": _("Vietnamese title"),
    "unit_gso_code": _("Unit GSO code"),
    "unit_name": _("Unit"),
    "unit_slug": _("Unit identifier"),
    "url": _("Address"),
    "valid_from": _("Existed from"),
    "valid_until": _("Existed until"),
    "value": _("Value"),
}


def _header(column):
    """The column's own heading (an uncertain date's: its date's), else the
    shared header of its name."""
    if column.heading is not None:
        return str(column.heading() if callable(column.heading) else column.heading)
    name = column.base or column.name
    return gettext(HEADERS[name]) if name in HEADERS else name


ROLE_HEADERS = {
    "edtf": gettext_noop("%(date)s (EDTF)"),
    "earliest": gettext_noop("%(date)s: earliest day"),
    "latest": gettext_noop("%(date)s: latest day"),
    "when": gettext_noop("%(date)s (as the source says it)"),
}


def header(column):
    """The readable header of a column; an uncertain date's four columns take
    their date's header with what each holds."""
    if column.role in ROLE_HEADERS:
        return gettext(ROLE_HEADERS[column.role]) % {"date": _header(column)}
    return _header(column)


def day_header(column):
    return gettext("%(date)s (day)") % {"date": _header(column)}


def _choice_labels(spec):
    """{code: label} for a column's `labels` spec."""
    if hasattr(spec, "choices"):  # a TextChoices class
        return dict(spec.choices)
    if callable(spec):  # a function giving {code: label}
        return spec()
    if spec == "status":
        return {**dict(Status.choices), NO_STATUS: gettext("No record"), "not_applicable": gettext("Not applicable")}
    if spec == "timeline":
        from .timeline import KIND_LABELS

        return KIND_LABELS
    app_model, field_name = spec.rsplit(".", 1)
    field = apps.get_model(app_model)._meta.get_field(field_name)
    return dict(field.flatchoices)


class Sheet:
    """How one report's columns become XLSX columns: (header, kind, column index)."""

    def __init__(self, report):
        self.report = report
        columns = report.columns
        self.position = {column.name: index for index, column in enumerate(columns)}
        self.labels = {index: _choice_labels(column.labels) for index, column in enumerate(columns) if column.labels}
        self.out = []  # (header, meaning, type label, kind, index)
        for index, column in enumerate(columns):
            if column.role == "when":
                self.out.append(
                    (
                        day_header(column),
                        column.meaning,
                        gettext("date (Excel), when the source gives the day"),
                        "day",
                        index,
                    )
                )
            self.out.append((header(column), column.meaning, str(column.type_label), column.type, index))

    def bounds(self, index):
        """Positions of the earliest and latest days of the date at `index`."""
        base = self.report.columns[index].base
        return self.position[f"{base}_earliest"], self.position[f"{base}_latest"]


def _text(value):
    return exports.neutralise(str(value)) if value not in (None, "") else None


def xlsx_cell(sheet, kind, index, values, base_url, ws, formats):
    column = sheet.report.columns[index]
    value = values[index]
    if kind == "day":
        earliest, latest = (values[i] for i in sheet.bounds(index))
        value = earliest if earliest is not None and earliest == latest else None
        kind = T.DATE
    if value is None or value == "":
        return None
    if kind == T.DATE:
        if isinstance(value, str):
            value = datetime.date.fromisoformat(value)
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = formats["date"]
        return cell
    if kind in (T.INTEGER, T.DECIMAL):
        if isinstance(value, str):
            value = decimal.Decimal(value)
        if isinstance(value, decimal.Decimal):
            value = int(value) if value == value.to_integral_value() else float(value)
        return value
    if kind == T.BOOLEAN:
        return bool(value)
    if kind == T.LIST:
        return exports.format_list(value) or None
    if index in sheet.labels:
        value = sheet.labels[index].get(value, value)
    if column.link and isinstance(value, str) and value.startswith("/"):
        value = base_url + value
    return _text(value)


def raw_rows(report, rows):
    """Each row's raw values (numbers, dates, lists), read with the CSV's getters."""
    rows = report.prepare(rows)
    getters = [column.get for column in report.columns]
    for row in exports.iterate(rows):
        yield [get(row) for get in getters]


def workbook_bytes(report, rows, base_url=""):
    """The XLSX file of a report: the data sheet, then the column sheet."""
    report = exports.get_report(report)
    sheet = Sheet(report)
    language = (translation.get_language() or "vi").split("-")[0]
    formats = {"date": "dd/mm/yyyy" if language == "vi" else "yyyy-mm-dd"}
    book = Workbook(write_only=True)
    ws = book.create_sheet(title=str(report.title)[:SHEET_TITLE_LIMIT].replace("/", "-"))
    ws.freeze_panes = "A2"
    for position, (title, _meaning, _type, kind, _index) in enumerate(sheet.out, start=1):
        width = 12 if kind in ("day", T.DATE, T.INTEGER, T.DECIMAL, T.BOOLEAN) else min(max(len(title) + 2, 14), 40)
        ws.column_dimensions[get_column_letter(position)].width = width
    bold = Font(bold=True)
    heads = []
    for title, *_rest in sheet.out:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        heads.append(cell)
    ws.append(heads)
    for values in raw_rows(report, rows):
        ws.append(
            [
                xlsx_cell(sheet, kind, index, values, base_url, ws, formats)
                for _title, _meaning, _type, kind, index in sheet.out
            ]
        )

    about = book.create_sheet(title=gettext("Columns")[:SHEET_TITLE_LIMIT])
    about.freeze_panes = "A2"
    for letter, width in zip("ABCD", (34, 26, 30, 80)):
        about.column_dimensions[letter].width = width
    about.append(
        [
            WriteOnlyCell(about, value=text)
            for text in (gettext("Column"), gettext("Code in the CSV"), gettext("Type"), gettext("Meaning"))
        ]
    )
    for title, meaning, type_label, kind, index in sheet.out:
        code = report.columns[index].name
        about.append([title, code if kind != "day" else "", type_label, _text(str(meaning))])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(request, report, rows, as_of=None, subject=None):
    report = exports.get_report(report)
    base_url = request.build_absolute_uri("/").rstrip("/")
    response = HttpResponse(workbook_bytes(report, rows, base_url=base_url), content_type=CONTENT_TYPE)
    name = exports.filename(report, as_of, subject=subject, extension="xlsx")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
