"""CSV exports of every report, Excel-ready and streamed.

A report is a column spec (`Report`), declared by the page that offers it
(portal/pages/); this module writes any of them: the CSV a page returns for
`?format=csv` (`export_response`) and `manage.py export` writes
(`write_report`). portal/xlsx.py writes the same spec as a workbook, and
the /data/ dictionary lists its columns.

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

from agencies.dates import bounds, describe
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


def uncertain_date(name, meaning, edtf_path=None, earliest_path=None, latest_path=None, heading=None):
    """The four columns of an uncertain date `name`: as the page says it, its
    EDTF, and its earliest and latest days (empty where open-ended).
    `heading`: the XLSX header of the date, where its name has none."""
    edtf_path = edtf_path or f"{name}_edtf"
    earliest_path = earliest_path or name
    latest_path = latest_path or f"{name}_latest"
    # A path, or a getter for a day that is not a column (edtf_bound).
    earliest = attr(earliest_path) if isinstance(earliest_path, str) else earliest_path
    latest = attr(latest_path) if isinstance(latest_path, str) else latest_path

    @reads(edtf_path)
    def said(obj):
        return describe(value(obj, edtf_path) or "") if value(obj, edtf_path) else None

    shared = {"base": name, "heading": heading}
    return (
        C(name, T.WHEN, meaning, said, role="when", **shared),
        C(f"{name}_edtf", T.EDTF, format_lazy(_("{name} in EDTF"), name=name), attr(edtf_path), role="edtf", **shared),
        C(
            f"{name}_earliest",
            T.DATE,
            format_lazy(_("Earliest day {name} can mean (empty when open)"), name=name),
            earliest,
            role="earliest",
            **shared,
        ),
        C(
            f"{name}_latest",
            T.DATE,
            format_lazy(_("Latest day {name} can mean (empty when open)"), name=name),
            latest,
            role="latest",
            **shared,
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
    # Where a code column's readable labels come from: "app.Model.field",
    # "status", or a TextChoices class.
    labels: Any = ""
    # The XLSX header when the column name has no readable header of its own
    # (portal.xlsx.HEADERS): a text, or a callable giving it (a merger model's
    # column in the wide dashboard).
    heading: Any = None

    @property
    def type_label(self):
        return ColumnType.LABELS[self.type]


@dataclass(frozen=True)
class Report:
    name: str
    title: Promise
    description: Promise
    columns: tuple
    select_related: tuple = ()
    prefetch_related: tuple = ()
    # False when a column reads something values_list() cannot (a property),
    # or when the rows are never a queryset.
    by_values: bool = True
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


# -- column groups that several reports share -------------------------------

RECORD_ID = C("id", T.INTEGER, _("Record number in this database"), attr("pk"))

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


def merger_unit_columns(prefix=""):
    """The unit and model of a merger (`prefix` "merger." from its milestones)."""
    return (
        C("unit_gso_code", T.IDENTIFIER, _("GSO code of the merger's unit"), attr(f"{prefix}unit.gso_code")),
        C("unit_slug", T.IDENTIFIER, _("Identifier (slug) of the merger's unit"), attr(f"{prefix}unit.slug")),
        C("unit_name", T.TEXT, _("Vietnamese name of the merger's unit"), attr(f"{prefix}unit.name_vi")),
        C("merger_model", T.IDENTIFIER, _("Identifier (slug) of the merger model"), attr(f"{prefix}model.slug")),
    )


# A merger's status on a day: the date of the milestone that gives it.
STATUS_DATE_COLUMNS = uncertain_date(
    "status_date",
    _("Date of the milestone that gives the status"),
    "status_edtf",
    "status_date",
    "status_date_latest",
)


def edtf_bound(edtf_path, side):
    """A getter of the earliest (side 0) or latest (side 1) day an EDTF value
    at `edtf_path` can mean: for a date whose bounds are not columns."""

    @reads(edtf_path)
    def getter(obj):
        return bounds(value(obj, edtf_path) or "")[side]

    return getter


# What the page shows beside the status: a later status that may already
# have been reached (its milestone's interval contains the day), and its date.
# Rows come from Merger.objects.with_status or are dashboard cells.
POSSIBLE_STATUS_COLUMNS = (
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
        edtf_bound("possible_edtf", 0),
        edtf_bound("possible_edtf", 1),
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
    """A Report, or the one a page of the registry declares under this name."""
    if isinstance(report, Report):
        return report
    from .pages import REPORTS

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


def write_report(report, rows, stream, base_url=""):
    """Write a report's CSV (with BOM) to a binary stream; returns the row count."""
    stats = {}
    for piece in generate_lines(report, rows, stats=stats, base_url=base_url):
        stream.write(piece.encode("utf-8"))
    return stats["rows"]
