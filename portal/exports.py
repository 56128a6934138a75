"""CSV exports of every report, Excel-ready and streamed.

One column spec per report (`REPORTS`) drives three things: the CSV a view
returns for `?format=csv` (`export_response`), the `/data/` data dictionary,
and the `export` management command (through `EXPORT_SOURCES`, the registry
of each report's base rows and FilterSet).

Excel-ready means: UTF-8 with a byte order mark, a header row, every date
as the source gives it (`X`, as the page says it), in EDTF (`X_edtf`) and
as its earliest and latest ISO 8601 days (`X_earliest`, `X_latest`), numbers as plain numbers, booleans
as true/false, and text cells that a spreadsheet would run as a formula
(starting with =, +, -, @, tab or carriage return) prefixed with a quote.
"""

import csv
import datetime
import decimal
import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from typing import Any

from django.db import connections, router
from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, TextField, Value, When
from django.db.models.functions import Cast, Collate, Concat, Ord
from django.db.models.lookups import In
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import format_lazy, slugify
from django.utils.translation import gettext_lazy as _

from agencies.dates import describe, sort_day
from agencies.text import FORMULA_PREFIXES, neutralise
from mergers.models import headcount_change as merger_headcount_change

BOM = "\ufeff"
CHUNK_SIZE = 2000
RELATION_BATCH = 900  # primary keys per many-to-many query (SQLite's parameter limit)
LABEL_CACHE_SIZE = 20_000  # many-to-many labels remembered across chunks
FORMULA_CODES = sorted(ord(char) for char in FORMULA_PREFIXES)  # compared in SQL: cheaper than text
LIST_SEPARATOR = ";"


class ColumnType:
    """The type of a column, as the data dictionary states it."""

    IDENTIFIER = "identifier"
    TEXT = "text"
    CODE = "code"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    WHEN = "when"
    EDTF = "edtf"
    BOOLEAN = "boolean"
    LIST = "list"

    LABELS = {
        IDENTIFIER: _("identifier"),
        TEXT: _("text"),
        CODE: _("code (fixed list of values)"),
        INTEGER: _("whole number"),
        DECIMAL: _("number"),
        DATE: _("date (YYYY-MM-DD)"),
        WHEN: _("date as the source gives it, in words"),
        EDTF: _(
            "date in EDTF (ISO 8601-2): 2018, 2018-11, 2018-11-30, 2018-37 (early 2018), ../2017-09-27 (on or before), 2015-11-30/2017-09-27 (between), 2015~ (about)"
        ),
        BOOLEAN: _("true or false"),
        LIST: _("list separated by ;"),
    }


# A getter reads one column's value from a row: a model instance, or any
# object (dashboard cells, timeline events). For the export's fast path it
# also declares what it reads: `fields` (dotted paths, fetched with one
# values_list()) or `relation` (a (path, key) many-to-many list, fetched per
# chunk); `compile(index)` then gives a reader of the values row (a tuple,
# `index` maps each path or relation to its position). A getter without
# `fields` or `relation` needs model instances.


def reads(*fields):
    """Declare the dotted paths a computed getter reads. On the fast path it
    gets a dict of them (path: value) instead of the instance."""

    def mark(getter):
        getter.fields = fields
        getter.compile = lambda index: lambda row: getter({name: row[index[name]] for name in fields})
        return getter

    return mark


def value(obj, path):
    """`obj.<path>`, None past a missing link; `obj[path]` for a dict of values."""
    if type(obj) is dict:
        return obj[path]
    for name in path.split("."):
        if obj is None:
            return None
        obj = getattr(obj, name, None)
    return obj


def attr(path):
    """A getter for a dotted attribute path that gives None past a missing link."""
    getter = reads(path)(lambda obj: value(obj, path))
    getter.path = path
    getter.compile = lambda index: itemgetter(index[path])
    return getter


def uncertain_date(name, meaning, edtf_path=None, earliest_path=None, latest_path=None):
    """The four columns of an uncertain date `name`: as the page says it, its
    EDTF, and its earliest and latest days (empty where open-ended)."""
    edtf_path = edtf_path or f"{name}_edtf"
    earliest_path = earliest_path or name
    latest_path = latest_path or f"{name}_latest"

    @reads(edtf_path)
    def said(obj):
        return describe(value(obj, edtf_path) or "") if value(obj, edtf_path) else None

    return (
        C(name, T.WHEN, meaning, said, base=name, role="when"),
        C(f"{name}_edtf", T.EDTF, format_lazy(_("{name} in EDTF"), name=name), attr(edtf_path), base=name, role="edtf"),
        C(
            f"{name}_earliest",
            T.DATE,
            format_lazy(_("Earliest day {name} can mean (empty when open)"), name=name),
            attr(earliest_path),
            base=name,
            role="earliest",
        ),
        C(
            f"{name}_latest",
            T.DATE,
            format_lazy(_("Latest day {name} can mean (empty when open)"), name=name),
            attr(latest_path),
            base=name,
            role="latest",
        ),
    )


def slugs(path, key="slug"):
    """A getter listing the `key` of a many-to-many relation, sorted."""

    def getter(obj):
        manager = value(obj, path)
        if manager is None:
            return []
        return sorted(getattr(item, key) for item in manager.all())

    getter.relation = (path, key)
    getter.compile = lambda index: itemgetter(index[(path, key)])
    return getter


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    meaning: Promise
    get: Callable[[Any], Any]
    # An uncertain date's four columns share `base` (its name) and each has a
    # `role`: when, edtf, earliest or latest. The XLSX reads them together.
    base: str = ""
    role: str = ""
    # A path on this portal ("/mergers/3/"): files write it as an absolute address.
    link: bool = False
    # Where a code column's readable labels come from: "app.Model.field" or "status".
    labels: str = ""
    # The XLSX header when the column name has no readable header of its own
    # (a merger model's column in the wide dashboard): a callable giving it.
    heading: Any = None

    @property
    def type_label(self):
        return ColumnType.LABELS[self.type]


@dataclass(frozen=True)
class Report:
    name: str
    title: Promise
    description: Promise
    url_name: str
    columns: tuple
    select_related: tuple = ()
    prefetch_related: tuple = ()
    url_query: str = "format=csv"
    takes_as_of: bool = False
    # False when a column reads something values_list() cannot (a property).
    by_values: bool = True
    extra: dict = field(default_factory=dict)
    # {annotation a column reads: how to add it to a queryset lacking it}
    annotations: dict = field(default_factory=dict)

    @property
    def column_names(self):
        return [c.name for c in self.columns]

    def prepare(self, rows):
        """Add the joins the columns need to a queryset (never to a list)."""
        if not isinstance(rows, QuerySet):
            return rows
        if self.select_related:
            rows = rows.select_related(*self.select_related)
        seen = set()
        for lookup in rows._prefetch_related_lookups:
            seen.add(getattr(lookup, "prefetch_to", lookup))
        missing = [p for p in self.prefetch_related if p not in seen]
        if missing:
            rows = rows.prefetch_related(*missing)
        for name, annotate in self.annotations.items():
            if name not in rows.query.annotations:
                rows = annotate(rows)
        return rows


def C(name, type_, meaning, get=None, **options):
    return Column(name, type_, meaning, get if get is not None else attr(name), **options)


T = ColumnType
SOURCES_MEANING = _("Identifiers (slugs) of the sources the record cites, separated by ;")


def sources_column(path="sources"):
    return C("source_ids", T.LIST, SOURCES_MEANING, slugs(path))


# The passages column: "slug: quote" per citation (or "slug: (reasoning) ..."
# when the record rests on reasoning), sorted, joined with " | " since quotes
# themselves contain ";".
PASSAGE_KEY = "@passage"
PASSAGE_SEPARATOR = " | "
QUOTES_MEANING = _("Identifiers of the sources with the passage each gives, as slug: quote, separated by |")


def passage_label(slug, quote, reasoning):
    if quote:
        return f"{slug}: {quote}"
    if reasoning:
        return f"{slug}: ({_('Reasoning')}) {reasoning}"
    return slug


def passages(path="sources"):
    """A getter for a record's citations with their passages, one cell."""

    def getter(obj):
        citations = getattr(obj, "citations", None)
        if citations is None:
            return ""
        return PASSAGE_SEPARATOR.join(
            sorted(passage_label(c.source.slug, c.quote, c.reasoning) for c in citations.all())
        )

    getter.relation = (path, PASSAGE_KEY)
    getter.compile = lambda index: lambda row: PASSAGE_SEPARATOR.join(row[index[(path, PASSAGE_KEY)]])
    return getter


def citation_columns(path="sources"):
    return (
        sources_column(path),
        C("source_quotes", T.TEXT, QUOTES_MEANING, passages(path)),
    )


@reads("headcount_before", "headcount_after")
def headcount_change(obj):
    return merger_headcount_change(value(obj, "headcount_before"), value(obj, "headcount_after"))[0]


@reads("headcount_before", "headcount_after")
def headcount_change_percent(obj):
    return merger_headcount_change(value(obj, "headcount_before"), value(obj, "headcount_after"))[1]


def is_set(path):
    """A true/false getter: whether the text at `path` is not empty."""

    @reads(path)
    def getter(obj):
        return bool(value(obj, path))

    lookup = path.replace(".", "__")
    getter.sql = lambda: Case(
        When(Q(**{lookup: ""}) | Q(**{f"{lookup}__isnull": True}), then=Value("false")),
        default=Value("true"),
        output_field=TextField(),
    )
    return getter


def figure_matches(obj):
    computed = getattr(obj, "computed", None)
    value = getattr(obj, "value", None)
    if computed is None or value is None:
        return None
    return decimal.Decimal(computed) == decimal.Decimal(value)


NOT_APPLICABLE = "not_applicable"


def dashboard_status(cell):
    """A cell's status code: `none` when nothing is recorded yet, `not_applicable`
    when the model is not a merger made at the unit's level."""
    if not cell.applies:
        return NOT_APPLICABLE
    return cell.status or "none"


def dashboard_source_ids(cell):
    # A cell lists citations (a source with its passage) or sources.
    return sorted(getattr(item, "source", item).slug for item in (cell.sources or []))


def event_source_ids(event):
    return sorted(getattr(item, "source", item).slug for item in (event.sources or []))


def event_passages(event):
    """A timeline event's sources with the passage each gives, as the
    `source_quotes` column of the other reports writes them."""
    return PASSAGE_SEPARATOR.join(
        sorted(
            passage_label(item.source.slug, item.quote, item.reasoning)
            for item in (event.sources or [])
            if hasattr(item, "source")
        )
    )


def event_people(event):
    return "; ".join(f"{person.name} ({person.role})" if person.role else person.name for person in event.people)


UNIT_COLUMNS = (
    C("unit_gso_code", T.IDENTIFIER, _("GSO code of the unit (empty for communes)"), attr("unit.gso_code")),
    C("unit_slug", T.IDENTIFIER, _("Identifier (slug) of the unit"), attr("unit.slug")),
    C("unit_name", T.TEXT, _("Vietnamese name of the unit"), attr("unit.name_vi")),
    C(
        "district_gso_code",
        T.IDENTIFIER,
        _("GSO code of the district the unit is in (itself for a district)"),
        attr("unit.district.gso_code"),
    ),
)
UNIT_JOINS = ("unit", "unit__district")


def _merger_unit_columns(prefix):
    return (
        C("unit_gso_code", T.IDENTIFIER, _("GSO code of the merger's unit"), attr(f"{prefix}unit.gso_code")),
        C("unit_slug", T.IDENTIFIER, _("Identifier (slug) of the merger's unit"), attr(f"{prefix}unit.slug")),
        C("unit_name", T.TEXT, _("Vietnamese name of the merger's unit"), attr(f"{prefix}unit.name_vi")),
        C("merger_model", T.IDENTIFIER, _("Identifier (slug) of the merger model"), attr(f"{prefix}model.slug")),
    )


REPORT_LIST = [
    Report(
        name="dashboard",
        title=_("Status of each merger model in each district"),
        description=_("One row per district (and the province) and merger model: the status on the chosen date."),
        url_name="portal:dashboard",
        takes_as_of=True,
        columns=(
            C(
                "district_gso_code",
                T.IDENTIFIER,
                _("GSO code of the district, or of the province"),
                attr("unit.gso_code"),
            ),
            C("district", T.TEXT, _("Vietnamese name of the district or province"), attr("unit.name_vi")),
            C("merger_model", T.IDENTIFIER, _("Identifier (slug) of the merger model"), attr("model.slug")),
            C(
                "status",
                T.CODE,
                _(
                    "Status on the chosen date: planned, in_progress, completed, reversed; none when nothing is recorded yet; not_applicable when the model is not made at this unit's level"
                ),
                dashboard_status,
                labels="status",
            ),
            *uncertain_date(
                "status_date",
                _("Date of the milestone that gives the status"),
                "status_edtf",
                "status_date",
                "status_date_latest",
            ),
            C(
                "possible_status",
                T.CODE,
                _(
                    "A later status that may already have been reached on the chosen date (its interval contains it), else empty"
                ),
                attr("possible_status"),
                labels="status",
            ),
            *uncertain_date(
                "possible_status_date",
                _("Date of that possible status"),
                "possible_edtf",
                "possible_earliest",
                "possible_latest",
            ),
            C(
                "source_ids",
                T.LIST,
                _("Identifiers (slugs) of the sources of that milestone, separated by ;"),
                dashboard_source_ids,
            ),
        ),
    ),
    Report(
        name="districts",
        title=_("Administrative units"),
        description=_("Provinces, districts and communes with their GSO codes and validity."),
        url_name="portal:district_list",
        select_related=("parent",),
        prefetch_related=("sources", "citations__source"),
        columns=(
            C("id", T.INTEGER, _("Record number in this database"), attr("pk")),
            C("gso_code", T.IDENTIFIER, _("Official code of the General Statistics Office"), attr("gso_code")),
            C("slug", T.IDENTIFIER, _("Identifier used in addresses"), attr("slug")),
            C("name_vi", T.TEXT, _("Vietnamese name"), attr("name_vi")),
            C("name_en", T.TEXT, _("English name"), attr("name_en")),
            C(
                "level",
                T.CODE,
                _("Level: province, district, commune or village"),
                attr("level"),
                labels="agencies.AdministrativeUnit.level",
            ),
            C(
                "kind",
                T.CODE,
                _("Kind: tinh, thanh-pho, thi-xa, huyen, phuong, xa, thi-tran"),
                attr("kind"),
                labels="agencies.AdministrativeUnit.kind",
            ),
            C("parent_gso_code", T.IDENTIFIER, _("GSO code of the parent unit"), attr("parent.gso_code")),
            C("parent_slug", T.IDENTIFIER, _("Identifier (slug) of the parent unit"), attr("parent.slug")),
            *uncertain_date("valid_from", _("First day the unit existed, if known")),
            *uncertain_date("valid_until", _("First day on which the unit no longer existed")),
            C("communes_2018", T.INTEGER, _("Number of commune-level units in 2018"), attr("communes_2018")),
            *citation_columns(),
        ),
    ),
    Report(
        name="bodies",
        title=_("Bodies"),
        description=_("Party, State and Front agencies, open and closed, with their successors."),
        url_name="portal:body_list",
        select_related=UNIT_JOINS + ("successor",),
        annotations={"effective_end_reason": lambda rows: rows.with_end()},
        prefetch_related=("sources", "citations__source"),
        columns=(
            C("id", T.INTEGER, _("Record number in this database"), attr("pk")),
            C("slug", T.IDENTIFIER, _("Identifier of the body"), attr("slug")),
            C("name_vi", T.TEXT, _("Vietnamese name"), attr("name_vi")),
            C("name_en", T.TEXT, _("English name"), attr("name_en")),
            C("abbreviation", T.TEXT, _("Abbreviation"), attr("abbreviation")),
            *UNIT_COLUMNS,
            C(
                "sector",
                T.CODE,
                _("Sector: party, state, front, joint or public_service"),
                attr("sector"),
                labels="agencies.Body.sector",
            ),
            C(
                "function",
                T.CODE,
                _("Function, e.g. organisation, inspection, mass_mobilisation"),
                attr("function"),
                labels="agencies.Body.function",
            ),
            *uncertain_date("founded_on", _("Date founded, if known")),
            *uncertain_date("ended_on", _("Date ended, if it ended")),
            C(
                "end_reason",
                T.CODE,
                _("Why it ended: merged, absorbed, renamed, split, abolished; empty if open"),
                attr("end_reason"),
                labels="agencies.Body.end_reason",
            ),
            C(
                "is_closed",
                T.BOOLEAN,
                _("Whether the body has ended, by its own record or with its unit"),
                is_set("effective_end_reason"),
            ),
            C(
                "effective_end_reason",
                T.CODE,
                _("Why it ended: its own reason, or unit_ended when it ended with its district; empty if open"),
                attr("effective_end_reason"),
            ),
            C(
                "effective_end_edtf",
                T.EDTF,
                _("When it ended, its unit's end included (EDTF)"),
                attr("effective_end_edtf"),
            ),
            C(
                "successor_slug",
                T.IDENTIFIER,
                _("Identifier of the body it merged or was absorbed into"),
                attr("successor.slug"),
            ),
            *citation_columns(),
        ),
    ),
    Report(
        name="mergers",
        title=_("Mergers"),
        description=_("Each merger with its status on the chosen date and its headcount."),
        url_name="portal:merger_list",
        takes_as_of=True,
        select_related=("unit", "model", "result"),
        prefetch_related=("constituents", "basis", "sources", "citations__source"),
        columns=(
            C("id", T.INTEGER, _("Record number in this database"), attr("pk")),
            C("slug", T.IDENTIFIER, _("Identifier of the merger"), attr("slug")),
            *_merger_unit_columns(""),
            C(
                "kind",
                T.CODE,
                _("Kind: merger, absorption, joint_agency or transfer"),
                attr("kind"),
                labels="mergers.Merger.kind",
            ),
            C("title_vi", T.TEXT, _("Vietnamese title"), attr("title_vi")),
            C("title_en", T.TEXT, _("English title"), attr("title_en")),
            C(
                "status",
                T.CODE,
                _("Status on the chosen date: planned, in_progress, completed, reversed or none"),
                attr("status"),
                labels="status",
            ),
            *uncertain_date(
                "status_date",
                _("Date of the milestone that gives the status"),
                "status_edtf",
                "status_date",
                "status_date_latest",
            ),
            C("result_body_slug", T.IDENTIFIER, _("Identifier of the resulting body"), attr("result.slug")),
            C(
                "constituent_body_slugs",
                T.LIST,
                _("Identifiers of the constituent bodies, separated by ;"),
                slugs("constituents"),
            ),
            C(
                "headcount_before",
                T.INTEGER,
                _("Authorised posts before the merger; empty when unknown"),
                attr("headcount_before"),
            ),
            C(
                "headcount_after",
                T.INTEGER,
                _("Authorised posts after the merger; empty when unknown"),
                attr("headcount_after"),
            ),
            C(
                "headcount_change",
                T.INTEGER,
                _("headcount_after minus headcount_before (negative for a cut)"),
                headcount_change,
            ),
            C(
                "basis_document_numbers",
                T.LIST,
                _("Numbers of the legal documents it is based on, separated by ;"),
                slugs("basis", key="number"),
            ),
            *citation_columns(),
        ),
    ),
    Report(
        name="milestones",
        title=_("Milestones"),
        description=_("Every dated status of every merger, as the sources report it."),
        url_name="portal:milestone_list",
        select_related=("merger", "merger__unit", "merger__model", "basis"),
        prefetch_related=("sources", "citations__source"),
        columns=(
            C("id", T.INTEGER, _("Record number in this database"), attr("pk")),
            C("merger_id", T.INTEGER, _("Record number of the merger"), attr("merger_id")),
            C("merger_slug", T.IDENTIFIER, _("Identifier of the merger"), attr("merger.slug")),
            *_merger_unit_columns("merger."),
            C(
                "status",
                T.CODE,
                _("Status reported: planned, in_progress, completed or reversed"),
                attr("status"),
                labels="status",
            ),
            *uncertain_date("date", _("Date of the status")),
            C("basis_document_number", T.IDENTIFIER, _("Number of the legal document behind it"), attr("basis.number")),
            C("note_vi", T.TEXT, _("Note (Vietnamese)"), attr("note_vi")),
            C("note_en", T.TEXT, _("Note (English)"), attr("note_en")),
            *citation_columns(),
        ),
    ),
    Report(
        name="headcount",
        title=_("Headcount per merger"),
        description=_("Authorised posts before and after each merger; empty where a figure is unknown."),
        url_name="portal:headcount",
        select_related=("unit", "model"),
        columns=(
            C("merger_id", T.INTEGER, _("Record number of the merger"), attr("pk")),
            C("merger_slug", T.IDENTIFIER, _("Identifier of the merger"), attr("slug")),
            *_merger_unit_columns(""),
            C("title_vi", T.TEXT, _("Vietnamese title of the merger"), attr("title_vi")),
            C(
                "headcount_before",
                T.INTEGER,
                _("Authorised posts before; empty when unknown"),
                attr("headcount_before"),
            ),
            C("headcount_after", T.INTEGER, _("Authorised posts after; empty when unknown"), attr("headcount_after")),
            C(
                "headcount_change",
                T.INTEGER,
                _("headcount_after minus headcount_before (negative for a cut)"),
                headcount_change,
            ),
            C(
                "headcount_change_percent",
                T.DECIMAL,
                _("The change as a percentage of headcount_before"),
                headcount_change_percent,
            ),
        ),
    ),
    Report(
        name="headcount_long",
        title=_("Headcount figures"),
        description=_("One row per headcount figure (before or after a merger) with its date and sources."),
        url_name="portal:headcount",
        url_query="format=csv&layout=long",
        select_related=("merger", "merger__unit", "merger__model"),
        prefetch_related=("sources", "citations__source"),
        columns=(
            C("id", T.INTEGER, _("Record number in this database"), attr("pk")),
            C("merger_id", T.INTEGER, _("Record number of the merger"), attr("merger_id")),
            C("merger_slug", T.IDENTIFIER, _("Identifier of the merger"), attr("merger.slug")),
            *_merger_unit_columns("merger."),
            C("phase", T.CODE, _("before or after the merger"), attr("phase"), labels="mergers.Headcount.phase"),
            C("value", T.INTEGER, _("Number of authorised posts"), attr("value")),
            *uncertain_date("as_of", _("Date of the figure, if the source gives one")),
            C("note", T.TEXT, _("Note"), attr("note")),
            *citation_columns(),
        ),
    ),
    Report(
        name="titles",
        title=_("Post holdings and unified titles"),
        description=_("Posts held, alone or two or more at once (a unified title), with their dates."),
        url_name="portal:title_list",
        select_related=UNIT_JOINS,
        prefetch_related=("posts", "sources", "citations__source"),
        columns=(
            C("id", T.INTEGER, _("Record number in this database"), attr("pk")),
            C("slug", T.IDENTIFIER, _("Identifier of the holding"), attr("slug")),
            *UNIT_COLUMNS,
            C(
                "combination",
                T.CODE,
                _("Kind of unified title; empty for a single post"),
                attr("combination"),
                labels="agencies.Holding.combination",
            ),
            C("is_unified", T.BOOLEAN, _("Whether two or more posts are held at once"), is_set("combination")),
            C("post_slugs", T.LIST, _("Identifiers of the posts held, separated by ;"), slugs("posts")),
            C("holder_name", T.TEXT, _("Name of the holder, if the source gives it"), attr("holder_name")),
            *uncertain_date("start_date", _("Date the holding began, if known")),
            *uncertain_date("end_date", _("Date the holding ended, if it ended")),
            *uncertain_date("reported_on", _("A date on which the source says it was held")),
            *citation_columns(),
        ),
    ),
    Report(
        name="figures",
        title=_("Reported figures"),
        description=_("Aggregates as the sources state them, beside what the records compute."),
        url_name="portal:figure_list",
        by_values=False,  # computed_value and matches_records read ReportedFigure.computed
        select_related=("unit",),
        prefetch_related=("merger_models", "sources", "citations__source"),
        columns=(
            C("id", T.INTEGER, _("Record number in this database"), attr("pk")),
            C("slug", T.IDENTIFIER, _("Identifier of the figure"), attr("slug")),
            C("unit_gso_code", T.IDENTIFIER, _("GSO code of the unit the figure is about"), attr("unit.gso_code")),
            C("unit_slug", T.IDENTIFIER, _("Identifier (slug) of the unit the figure is about"), attr("unit.slug")),
            C("statement_vi", T.TEXT, _("What is counted (Vietnamese)"), attr("statement_vi")),
            C("statement_en", T.TEXT, _("What is counted (English)"), attr("statement_en")),
            C("value", T.DECIMAL, _("The number the source reports; empty when it gives none"), attr("value")),
            C("denominator", T.DECIMAL, _("The number it is out of, if any"), attr("denominator")),
            C(
                "measure",
                T.CODE,
                _("Measure: count, percent, people or billion_vnd"),
                attr("measure"),
                labels="mergers.ReportedFigure.measure",
            ),
            *uncertain_date("as_of", _("Date the figure refers to")),
            C(
                "counted_level",
                T.CODE,
                _("Level of the units counted, when it counts units"),
                attr("counted_level"),
                labels="agencies.AdministrativeUnit.level",
            ),
            C(
                "metric",
                T.CODE,
                _("How the records compute the same figure; empty when they cannot"),
                attr("metric"),
                labels="mergers.ReportedFigure.metric",
            ),
            C(
                "merger_models",
                T.LIST,
                _("Identifiers of the merger models it is about, separated by ;"),
                slugs("merger_models"),
            ),
            C(
                "combination",
                T.CODE,
                _("The unified title it counts, if any"),
                attr("combination"),
                labels="agencies.Holding.combination",
            ),
            C(
                "computed_value",
                T.DECIMAL,
                _("What the records compute for the same date; empty when they cannot"),
                attr("computed"),
            ),
            C(
                "matches_records",
                T.BOOLEAN,
                _("Whether value equals computed_value; empty when either is missing"),
                figure_matches,
            ),
            *citation_columns(),
        ),
    ),
    Report(
        name="timeline",
        title=_("Timeline"),
        description=_(
            "Every dated event: milestones, legal documents, unit changes, unified titles, and the conferences, "
            "inspections and visits the sources report."
        ),
        url_name="portal:timeline",
        columns=(
            *uncertain_date("date", _("Date of the event"), "edtf", "earliest", "latest"),
            C(
                "kind",
                T.CODE,
                _(
                    "Kind of event: milestone, document, unit_change, title or event (a conference, inspection or visit)"
                ),
                attr("kind"),
            ),
            C("record_id", T.INTEGER, _("Record number of the event's record, within its kind"), attr("record_id")),
            C("title", T.TEXT, _("What happened"), attr("title")),
            C("unit_gso_code", T.IDENTIFIER, _("GSO code of the unit concerned"), attr("unit.gso_code")),
            C("unit_slug", T.IDENTIFIER, _("Identifier (slug) of the unit concerned"), attr("unit.slug")),
            C(
                "merger_model",
                T.IDENTIFIER,
                _("Identifier (slug) of the merger model, for milestones"),
                attr("model.slug"),
            ),
            C(
                "status",
                T.CODE,
                _("Status reported by a milestone; empty for other events"),
                attr("status"),
                labels="status",
            ),
            C("url", T.TEXT, _("Address of the record's page on this portal"), attr("url"), link=True),
            C(
                "people",
                T.TEXT,
                _("People the source names at a conference, inspection or visit, each with their role"),
                event_people,
            ),
            C("source_ids", T.LIST, SOURCES_MEANING, event_source_ids),
            C("source_quotes", T.TEXT, QUOTES_MEANING, event_passages),
        ),
    ),
    Report(
        name="sources",
        title=_("Sources"),
        description=_("The articles and registers every record cites."),
        url_name="portal:source_list",
        columns=(
            C("id", T.INTEGER, _("Record number in this database"), attr("pk")),
            C("slug", T.IDENTIFIER, _("Identifier of the source, as used in source_ids"), attr("slug")),
            C("kind", T.CODE, _("Kind: article or register"), attr("kind"), labels="agencies.Source.kind"),
            C("title", T.TEXT, _("Title"), attr("title")),
            C("publisher", T.TEXT, _("Publisher"), attr("publisher")),
            C("author", T.TEXT, _("Author"), attr("author")),
            *uncertain_date("published_on", _("Date published")),
            C(
                "date_note",
                T.TEXT,
                _("How the date was established when the source does not print it"),
                attr("date_note"),
            ),
            C("url", T.TEXT, _("Address of the original"), attr("url")),
            C("seed_file", T.TEXT, _("File name of the archived copy"), attr("seed_file")),
        ),
    ),
    Report(
        name="documents",
        title=_("Legal documents"),
        description=_("Decisions, resolutions and official letters behind the changes."),
        url_name="portal:document_list",
        prefetch_related=("sources", "citations__source"),
        columns=(
            C("id", T.INTEGER, _("Record number in this database"), attr("pk")),
            C("number", T.IDENTIFIER, _("The document's number (số hiệu)"), attr("number")),
            C(
                "kind",
                T.CODE,
                _("Kind: resolution, decision or letter"),
                attr("kind"),
                labels="agencies.LegalDocument.kind",
            ),
            C("title_vi", T.TEXT, _("Vietnamese title"), attr("title_vi")),
            C("title_en", T.TEXT, _("English title"), attr("title_en")),
            C("issuer", T.TEXT, _("Who issued it"), attr("issuer")),
            *uncertain_date("signed_on", _("Date signed")),
            *uncertain_date("effective_on", _("Date it took effect")),
            *citation_columns(),
        ),
    ),
]
REPORTS = {report.name: report for report in REPORT_LIST}


def dashboard_wide(models):
    """The dashboard as a wide table, ready for a pivot: one row per district
    (and the province), one column per merger model holding its status code.
    Its rows are status_matrix()'s (unit, [Cell per model]) pairs."""

    def unit_value(name):
        return lambda row: getattr(row[0], name)

    def status_of(position):
        return lambda row: dashboard_status(row[1][position])

    return Report(
        name="dashboard_wide",
        title=_("Status by district and merger model (wide)"),
        description=_(
            "One row per district (and the province), one column per merger model: the status on the chosen date."
        ),
        url_name="portal:dashboard",
        url_query="format=csv&layout=wide",
        takes_as_of=True,
        columns=(
            C(
                "district_gso_code",
                T.IDENTIFIER,
                _("GSO code of the district, or of the province"),
                unit_value("gso_code"),
            ),
            C("district", T.TEXT, _("Vietnamese name of the district or province"), unit_value("name_vi")),
            *(
                C(
                    model.slug,
                    T.CODE,
                    format_lazy(
                        _("Status of the model “{name}” on the chosen date (codes as in the dashboard report)"),
                        name=model.name_vi,
                    ),
                    status_of(position),
                    labels="status",
                    heading=lambda model=model: model.short,
                )
                for position, model in enumerate(models)
            ),
        ),
    )


# -- cell formatting -------------------------------------------------------


def format_number(value):
    if isinstance(value, decimal.Decimal):
        if value == value.to_integral_value():
            return str(value.quantize(decimal.Decimal(1)))
        return format(value.normalize(), "f")
    return str(value)


def format_list(items):
    return neutralise(LIST_SEPARATOR.join(str(item) for item in items))


def format_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, decimal.Decimal)):
        return format_number(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return format_list(value)
    return neutralise(str(value))


# -- writing ---------------------------------------------------------------


def batched(iterable, size):
    """Lists of `size` items (itertools.batched arrives only in Python 3.12)."""
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def reads_values(report):
    """Whether the export can read the report's rows with values_list(): every
    column declares what it reads (`fields` or `relation`) and none reads a
    property. Otherwise it reads model instances."""
    return report.by_values and all(
        hasattr(column.get, "fields") or hasattr(column.get, "relation") for column in report.columns
    )


def value_rows(queryset, fields, relations, expressions=None):
    """A queryset's rows as tuples, without model instances: the values of
    `fields` in that order, then of `expressions` ({alias: ORM expression}),
    then one sorted list per relation.

    One values_list() query (a server-side cursor on PostgreSQL), plus, per
    chunk, one query on each many-to-many relation's table and one for the
    labels not seen yet.
    """
    expressions = expressions or {}
    lookups = [name.replace(".", "__") for name in fields]
    model = queryset.model
    queryset = queryset.prefetch_related(None)
    if expressions:
        queryset = queryset.annotate(**expressions)
    rows = queryset.values_list(*lookups, *expressions).iterator(chunk_size=CHUNK_SIZE)
    if not relations:
        yield from rows
        return
    labels = {relation: {} for relation in relations}
    pk = fields.index("pk")
    for chunk in batched(rows, CHUNK_SIZE):
        pks = [row[pk] for row in chunk]
        lists = [relation_lists(model, relation, pks, labels[relation]) for relation in relations]
        for row in chunk:
            yield row + tuple(found.get(row[pk], ()) for found in lists)


def relation_lists(model, relation, pks, labels):
    """{pk: sorted labels} of a many-to-many field for these rows (where the
    database cannot join them itself: see `relation_sql`).

    Reads the relation's own table (no join) and looks up only the labels not
    already in `labels`, a cache that is emptied when it grows large.
    """
    path, key = relation
    field = model._meta.get_field(path)
    through = field.remote_field.through
    source = through._meta.get_field(field.m2m_field_name()).attname
    target = through._meta.get_field(field.m2m_reverse_field_name()).attname
    if key == PASSAGE_KEY:
        return passage_lists(through, source, pks)
    pairs = []
    for start in range(0, len(pks), RELATION_BATCH):
        batch = pks[start : start + RELATION_BATCH]
        pairs.extend(through._default_manager.filter(**{f"{source}__in": batch}).values_list(source, target))
    if len(labels) > LABEL_CACHE_SIZE:
        labels.clear()
    missing = {target_id for _pk, target_id in pairs if target_id not in labels}
    missing = sorted(missing)
    for start in range(0, len(missing), RELATION_BATCH):
        batch = missing[start : start + RELATION_BATCH]
        labels.update(field.related_model._default_manager.filter(pk__in=batch).values_list("pk", key))
    lists = defaultdict(list)
    for pk, target_id in pairs:
        lists[pk].append(labels[target_id])
    for items in lists.values():
        items.sort()
    return lists


def passage_lists(through, source, pks):
    """{pk: [one finished passages cell]} from the citation table, per batch."""
    found = defaultdict(list)
    for start in range(0, len(pks), RELATION_BATCH):
        batch = pks[start : start + RELATION_BATCH]
        for pk, slug, quote, reasoning in through._default_manager.filter(**{f"{source}__in": batch}).values_list(
            source, "source__slug", "quote", "reasoning"
        ):
            found[pk].append(passage_label(slug, quote, reasoning))
    return {pk: [PASSAGE_SEPARATOR.join(sorted(items))] for pk, items in found.items()}


def iterate(rows):
    """Rows one by one; a queryset is fetched in chunks, never all at once."""
    if isinstance(rows, QuerySet):
        return rows.iterator(chunk_size=CHUNK_SIZE)
    return iter(rows)


def flatten_dashboard(rows):
    """Dashboard rows come as Cells, or as (unit, [Cell, ...]) from status_matrix."""
    for row in rows:
        if isinstance(row, tuple) and len(row) == 2 and isinstance(row[1], (list, tuple)):
            yield from row[1]
        else:
            yield row


# csv.writer already writes these as format_cell would: None as "", int with
# str(), a date as YYYY-MM-DD.
RAW_TYPES = {ColumnType.INTEGER, ColumnType.DATE}
TEXT_TYPES = {ColumnType.IDENTIFIER, ColumnType.TEXT, ColumnType.CODE, ColumnType.EDTF}


def absolute(get, base_url):
    """A getter giving a portal path ("/mergers/3/") as an absolute address."""

    def getter(row):
        path = get(row)
        return base_url + path if isinstance(path, str) and path.startswith("/") else path

    return getter


def instance_cells(report, rows, base_url=""):
    """The cells of each row, read from instances (or other objects)."""
    getters = [
        column.get
        if column.type in RAW_TYPES
        else (lambda row, get=absolute(column.get, base_url) if column.link else column.get: format_cell(get(row)))  # noqa: B008
        for column in report.columns
    ]
    release = isinstance(rows, QuerySet)
    for row in iterate(rows):
        cells = [get(row) for get in getters]
        if release:
            # A prefetch cache refers back to its row (a reference cycle): drop
            # it so the row is freed now, not at the next full garbage collection.
            row.__dict__.pop("_prefetched_objects_cache", None)
        yield cells


def neutralised_sql(lookup):
    """SQL for `neutralise`: a quote before text a spreadsheet would run as a formula."""
    return Case(
        When(In(Ord(lookup), FORMULA_CODES), then=Concat(Value("'"), F(lookup), output_field=TextField())),
        default=F(lookup),
        output_field=TextField(),
    )


def sql_cell(column, annotations):
    """An ORM expression that gives the column's finished cell (what
    format_cell would write), or None when Python must finish it.

    Finishing cells in the database spares a Python call per cell of a
    million-row export. A column reading an annotation (a merger's status)
    stays in Python: referring to it again would repeat its subquery.
    """
    get = column.get
    if any(name.split(".")[0] in annotations for name in getattr(get, "fields", ())):
        return None
    if hasattr(get, "sql"):
        return get.sql()
    if hasattr(get, "path") and column.type in TEXT_TYPES:
        return neutralised_sql(get.path.replace(".", "__"))
    return None


def relation_sql(model, relation):
    """PostgreSQL: a subquery joining a many-to-many relation's labels with ";"
    in code-point order (as Python's sorted()), or None on other databases,
    where `relation_lists` fetches them per chunk."""
    if connections[router.db_for_read(model)].vendor != "postgresql":
        return None
    from django.contrib.postgres.aggregates import StringAgg

    path, key = relation
    field = model._meta.get_field(path)
    through = field.remote_field.through
    source, label = field.m2m_field_name(), f"{field.m2m_reverse_field_name()}__{key}"
    delimiter = LIST_SEPARATOR
    if key == PASSAGE_KEY:  # as passage_label: "slug: quote", else "slug: (Reasoning) ..."
        label = Concat(
            Cast("source__slug", TextField()),
            Case(
                When(~Q(quote=""), then=Concat(Value(": "), F("quote"), output_field=TextField())),
                When(
                    ~Q(reasoning=""),
                    then=Concat(Value(f": ({_('Reasoning')}) "), F("reasoning"), output_field=TextField()),
                ),
                default=Value(""),
                output_field=TextField(),
            ),
            output_field=TextField(),
        )
        delimiter = PASSAGE_SEPARATOR
    sort = Collate(label if key == PASSAGE_KEY else F(label), "C")
    joined = (
        through._default_manager.filter(**{source: OuterRef("pk")})
        .values(source)
        .annotate(joined=StringAgg(label, delimiter=delimiter, order_by=sort))
        .annotate(cell=neutralised_sql("joined"))
        .values("cell")
    )
    return Subquery(joined, output_field=TextField())


def value_cells(report, rows):
    """The cells of each row of a queryset, read with values_list(); text,
    dates' precisions, flags (and on PostgreSQL lists) finished in SQL where
    they can be, so that most cells cost no Python call."""
    annotations = set(rows.query.annotations)
    expressions, fields, python_relations = {}, ["pk"], []
    for position, column in enumerate(report.columns):
        alias = f"csv_cell_{position}"
        relation = getattr(column.get, "relation", None)
        expression = relation_sql(rows.model, relation) if relation else sql_cell(column, annotations)
        if expression is not None:
            expressions[alias] = expression
        elif relation:
            python_relations.append(relation)
        else:
            fields.extend(name for name in column.get.fields if name not in fields)
    index = {name: position for position, name in enumerate([*fields, *expressions, *python_relations])}
    finished, readers, unfinished = [], [], []
    for position, column in enumerate(report.columns):
        alias = f"csv_cell_{position}"
        if alias in expressions:
            finished.append(index[alias])
        elif hasattr(column.get, "path") and column.type in RAW_TYPES:
            finished.append(index[column.get.path])  # an id, a number or a date, as is
        else:
            finished.append(None)
            if column.type not in RAW_TYPES:
                unfinished.append(position)
        readers.append(column.get.compile(index) if finished[-1] is None else itemgetter(finished[-1]))
    rows = value_rows(rows, fields, python_relations, expressions)
    if None not in finished and len(finished) > 1:
        # Every cell is finished: one C call per row picks the line.
        pick = itemgetter(*finished)
        for row in rows:
            yield pick(row)
        return
    for row in rows:
        cells = [read(row) for read in readers]
        for i in unfinished:
            cells[i] = format_cell(cells[i])
        yield cells


def generate_lines(report, rows, bom=True, batch=1000, stats=None, base_url=""):
    """The CSV text of a report, in pieces of about `batch` rows.

    `stats`, a dict, receives the number of rows written under "rows";
    `base_url` ("https://host") makes the portal paths of link columns absolute.
    """
    report = get_report(report)
    rows = report.prepare(rows)
    if report.name == "dashboard":
        rows = flatten_dashboard(rows)
    if isinstance(rows, QuerySet) and reads_values(report):
        cells = value_cells(report, rows)
    else:
        cells = instance_cells(report, rows, base_url=base_url)
    # csv.writer.writerows writes a batch in C, into a buffer emptied per batch.
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(report.column_names)
    yield (BOM if bom else "") + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    count = 0
    for lines in batched(cells, batch):
        count += len(lines)
        writer.writerows(lines)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if stats is not None:
        stats["rows"] = count


def get_report(report):
    if isinstance(report, Report):
        return report
    try:
        return REPORTS[report]
    except KeyError:
        raise ValueError(f"Unknown report {report!r}; known: {', '.join(REPORTS)}") from None


def filename(report, as_of=None, now=None, subject=None, extension="csv"):
    """qnmerge-<report>[-<subject>][-asof-<day>]-<timestamp>.<extension>: the
    name says what the report is, about what, and as of when."""
    now = timezone.localtime(now)
    parts = ["qnmerge", get_report(report).name.replace("_", "-")]
    if subject:
        parts.append(slugify(subject))
    if as_of is not None:
        parts.append(f"asof-{as_of.isoformat()}")
    parts.append(now.strftime("%Y%m%dT%H%M%S"))
    return "-".join(parts) + "." + extension


FORMATS = ("csv", "xlsx")


def wants_file(request):
    """The file format a page's `?format=` asks for (csv or xlsx), else None."""
    wanted = request.GET.get("format")
    return wanted if wanted in FORMATS else None


def export_response(request, report, rows, as_of=None, subject=None):
    """A download of `rows` (the FULL filtered rows, not a page): a streamed
    CSV, or with ?format=xlsx the same report as an Excel workbook."""
    report = get_report(report)
    if request.GET.get("format") == "xlsx":
        from .xlsx import xlsx_response

        return xlsx_response(request, report, rows, as_of=as_of, subject=subject)
    base_url = request.build_absolute_uri("/").rstrip("/") if hasattr(request, "build_absolute_uri") else ""
    response = StreamingHttpResponse(
        _in_language(translation.get_language(), generate_lines(report, rows, base_url=base_url)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename(report, as_of, subject=subject)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _in_language(language, pieces):
    """Encode a streamed report in the language of the request that asked for
    it: the stream is read after the request's language is deactivated."""
    with translation.override(language):
        for piece in pieces:
            yield piece.encode("utf-8")


# -- the registry the `export` command uses --------------------------------


@dataclass(frozen=True)
class ExportSource:
    """Where a report's rows come from outside a view: base rows + the page's FilterSet.

    `filterset` is the dotted path of the FilterSet the page uses (None when
    the page has none); `base(as_of)` the unfiltered rows in the page's order;
    `scope(rows, province)` limits them to `?province=`; `derive(filtered)` turns the
    FilterSet's result into the rows (e.g. mergers -> their headcount
    figures); `build(province, as_of, criteria)` replaces all of that for the
    reports whose rows are not a queryset (dashboard, timeline).
    """

    filterset: str | None = None
    base: Callable | None = None
    scope: Callable | None = None
    derive: Callable | None = None
    build: Callable | None = None


def _today(as_of):
    return as_of or timezone.localdate()


def _units(as_of):
    from agencies.models import AdministrativeUnit

    return AdministrativeUnit.objects.districts().order_by("gso_code")


def _bodies(as_of):
    from agencies.models import Body

    # BodyFilter's `sort` overrides this order, as on the page.
    return Body.objects.with_end(_today(as_of)).order_by("unit__gso_code", "name_vi")


def _mergers(as_of):
    from mergers.models import Merger

    return Merger.objects.with_status(_today(as_of)).with_headcount()


def _merger_headcounts(as_of):
    from mergers.models import Merger

    return Merger.objects.with_headcount().order_by("unit__gso_code", "model__order", "slug")


def _headcount_figures(mergers):
    from mergers.models import Headcount

    return Headcount.objects.filter(merger__in=mergers.values("pk")).order_by(
        "merger__unit__gso_code", "merger__slug", "phase"
    )


def _milestones(as_of):
    from mergers.models import STATUS_RANK, Milestone

    return Milestone.objects.order_by(
        sort_day("date"), STATUS_RANK, "merger__unit__gso_code", "merger__model__order", "pk"
    )


def _holdings(as_of):
    from agencies.models import Holding

    return Holding.objects.order_by("unit__gso_code", "unit__name_vi", "combination", "slug")


def _figures(as_of):
    from mergers.models import ReportedFigure

    return ReportedFigure.objects.with_computed()


def _sources(as_of):
    from agencies.models import Source

    return Source.objects.order_by("published_on", "slug")


def _documents(as_of):
    from agencies.models import LegalDocument

    return LegalDocument.objects.order_by("signed_on", "number")


def _dashboard(province, as_of, criteria):
    from .dashboard import status_matrix

    rows, _models = status_matrix(province, _today(as_of))
    return rows


def _timeline(province, as_of, criteria):
    from .timeline import build_events

    return build_events({"province": province, **criteria})


def in_province(field):
    """Scope rows to a province through `field` (a unit): the province's own
    rows and those of every unit below it, as the pages do."""

    def scope(queryset, province):
        return queryset.filter(province.subtree_q(field))

    return scope


def _districts_in(queryset, province):
    return queryset.filter(province=province)


EXPORT_SOURCES = {
    "dashboard": ExportSource(build=_dashboard),
    # The district list has no FilterSet (portal/filters.py): scoped by province only.
    "districts": ExportSource(base=_units, scope=_districts_in),
    "bodies": ExportSource("portal.filters.BodyFilter", _bodies, in_province("unit")),
    "mergers": ExportSource("portal.filters.MergerFilter", _mergers, in_province("unit")),
    "milestones": ExportSource("portal.filters_analysis.MilestoneFilter", _milestones, in_province("merger__unit")),
    "headcount": ExportSource("portal.filters_analysis.HeadcountFilter", _merger_headcounts, in_province("unit")),
    "headcount_long": ExportSource(
        "portal.filters_analysis.HeadcountFilter", _merger_headcounts, in_province("unit"), derive=_headcount_figures
    ),
    "titles": ExportSource("portal.filters_analysis.TitleFilter", _holdings, in_province("unit")),
    "figures": ExportSource("portal.filters_analysis.FigureFilter", _figures, in_province("unit")),
    "timeline": ExportSource(filterset="portal.filters_analysis.TimelineFilter", build=_timeline),
    "sources": ExportSource("portal.filters.SourceFilter", _sources),
    "documents": ExportSource("portal.filters.DocumentFilter", _documents),
}
PROVINCE_PARAM = "province"


class ExportError(ValueError):
    """A report, filter or value the export cannot use; the message says which."""


class _Request:
    """The little of a request that the scope helper and FilterSets read."""

    def __init__(self, params, province=None):
        self.GET = params
        self.portal_province = province
        self.user = None


def _filterset_class(source):
    if not source.filterset:
        return None
    from django.utils.module_loading import import_string

    try:
        return import_string(source.filterset)
    except ImportError:
        return None


def rows_for(report, params, as_of=None):
    """The rows a page shows for these GET-style params, for the `export` command.

    `params` is a QueryDict of filter values (plus `province`). Raises
    ExportError for an unknown report, an unknown filter or an invalid value.
    """
    from django.http import Http404, QueryDict

    from .scope import current_province

    if report not in EXPORT_SOURCES:
        raise ExportError(f"Unknown report {report!r}; choose one of: {', '.join(EXPORT_SOURCES)}")
    source = EXPORT_SOURCES[report]
    if not isinstance(params, QueryDict):
        query = QueryDict(mutable=True)
        for key, value in params.items():
            query.setlist(key, value if isinstance(value, (list, tuple)) else [value])
        params = query
    try:
        province = current_province(_Request(params))
    except Http404:
        raise ExportError(f"Unknown province {params.get(PROVINCE_PARAM)!r}") from None
    filterset_class = _filterset_class(source)
    allowed = {PROVINCE_PARAM, *(filterset_class.base_filters if filterset_class else ())}
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ExportError(
            f"Unknown filter {', '.join(unknown)} for {report}; known filters: {', '.join(sorted(allowed))}"
        )
    filter_params = params.copy()
    filter_params.pop(PROVINCE_PARAM, None)

    queryset = source.base(as_of) if source.base else None
    if queryset is not None and province is not None and source.scope:
        queryset = source.scope(queryset, province)

    criteria = {}
    if filterset_class is not None:
        kwargs = {"request": _Request(params, province)}
        from .filters_analysis import AnalysisFilterSet, ScopeChoices

        if issubclass(filterset_class, AnalysisFilterSet):
            kwargs["choices"] = ScopeChoices(province)
        filterset = filterset_class(filter_params, queryset=queryset, **kwargs)
        if not filterset.is_valid():
            problems = "; ".join(
                f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in filterset.errors.items()
            )
            raise ExportError(f"Invalid filter value for {report}: {problems}")
        criteria = {k: v for k, v in filterset.form.cleaned_data.items() if v not in (None, "", [])}
        if queryset is not None:
            queryset = filterset.qs
    if source.build is not None:
        return source.build(province, as_of, criteria)
    if source.derive is not None:
        return source.derive(queryset)
    return queryset


def write_report(report, rows, stream, base_url=""):
    """Write a report's CSV (with BOM) to a binary stream; returns the row count."""
    stats = {}
    for piece in generate_lines(report, rows, stats=stats, base_url=base_url):
        stream.write(piece.encode("utf-8"))
    return stats["rows"]
