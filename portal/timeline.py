"""Every dated event of the record, in one list: the timeline page and its CSV.

Each event kind (milestones, legal documents, unit changes, post holdings,
and the conferences, inspections and visits the sources report) is a model
whose QuerySet speaks the filters' vocabulary (`in_province`, `in_district`,
`of_model`, `matching`, `overlapping_years`): `TimelineFilter`, the page's
FilterSet, selects the rows of every kind through it. Its
`_<kind>_events(queryset)` turns its instances into `Event`s; and, for the
chart that opens the page (portal/timeline_chart.py), the light
`_<kind>_points(rows)` reads what the chart draws of each event in one
query without building an instance. A kind is one entry of `EVENT_KINDS`:
the list, the CSV and the chart all take their kinds from it.

Dates are uncertain (agencies.dates): an event has its EDTF value and the
earliest and latest day it can mean, either open. It is filed and sorted
under its sort day, the earliest day if known, else the latest; a year filter
keeps the events whose interval overlaps the years.

The page lists entries: an event, or one milestone reported for many units
(same merger model, status and EDTF: "12 huyện: ... hoàn thành, trong khoảng
30/11/2015 - 27/09/2017") as one entry that lists them. Building an Event
costs joins, prefetches and Python work, so the page never builds one it
does not show: `event_keys(filters)` reads one light key per entry (one
query per kind; milestones grouped in SQL), the page counts and paginates
those, and `load_events(keys)` builds the entries of one page. The CSV keeps
one row per event: `iter_events(filters)` reads one key per record and builds
them in chunks, in the same order as the page.
"""

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date as Date
from functools import reduce
from operator import or_
from types import SimpleNamespace
from typing import NamedTuple

import django_filters
from django.db.models import Case, Count, F, IntegerField, Min, OuterRef, Prefetch, Q, Subquery, Value, When
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.dates import latest_of, sort_day_of
from agencies.models import (
    AdministrativeUnit,
    EventParticipant,
    Holding,
    LegalDocument,
    Post,
    Source,
    UnitChange,
    localized,
)
from agencies.models import Event as ReportedEvent
from mergers.models import MergerModel, Milestone, Status

from .filters import (
    MAX_QUERY_LENGTH,
    Choices,
    DistrictFilter,
    ModelFilter,
    PortalFilterSet,
    YearFilter,
)

MILESTONE = "milestone"
DOCUMENT = "document"
UNIT_CHANGE = "unit_change"
TITLE = "title"
MEETING = "event"  # a conference, inspection, workshop or visit (agencies.Event)

KIND_CHOICES = [
    (MILESTONE, _("Merger milestone")),
    (DOCUMENT, _("Legal document")),
    (UNIT_CHANGE, _("Change of a unit")),
    (TITLE, _("Post holding or unified title")),
    (MEETING, _("Conference, inspection or visit")),
]
KIND_LABELS = dict(KIND_CHOICES)
KINDS = [kind for kind, _label in KIND_CHOICES]


@dataclass
class Event:
    """One event, or (with `members`) one milestone reported for several
    units on the same date: then unit is None and each member is the
    event of one unit."""

    edtf: str  # the date as the source gives it (EDTF)
    earliest: Date | None  # earliest day it can mean; None when open
    latest: Date | None  # latest day it can mean; None when open
    kind: str  # "milestone", "document", "unit_change", "title", "event"
    title: str
    url: str
    unit: AdministrativeUnit | None
    model: MergerModel | None = None
    status: str = ""  # milestone status, else ""
    # The record's citations (source, quote, reasoning), one per source.
    sources: list = field(default_factory=list)
    record_id: int = 0  # for a group, its members' smallest
    members: list["Event"] = field(default_factory=list)
    people: list = field(default_factory=list)  # a reported event's participants

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def status_label(self):
        return Status(self.status).label if self.status in Status.values else ""

    @property
    def day(self):
        """The day the timeline sorts it under: earliest if known, else latest."""
        return self.earliest or self.latest

    @property
    def year(self):
        return self.day.year

    @property
    def is_span(self):
        """Known only to fall within an interval ("trong khoảng ...", "trước ...")."""
        return "/" in self.edtf

    @property
    def open_start(self):
        return self.edtf.startswith("../")

    @property
    def open_end(self):
        return self.edtf.endswith("/..")

    @property
    def unit_level(self):
        """The level shared by a group's units ("district"), else ""."""
        levels = {member.unit.level for member in self.members if member.unit is not None}
        return levels.pop() if len(levels) == 1 else ""

    @property
    def sort_key(self):
        return (self.day, self.kind, widest_first(self.latest), self.record_id)


OPEN_END = -Date.max.toordinal() - 1


def widest_first(latest):
    """Among events of one kind filed under the same day, the one that can
    end latest comes first (an open end first of all): "2018" and "đầu năm
    2018" before "01/01/2018", the period before the days within it."""
    return -latest.toordinal() if latest else OPEN_END


class EventKey(NamedTuple):
    """What the page counts and paginates: one entry, without building it.

    Sorted by (day, kind, widest_first(latest), record_id), as
    `Event.sort_key`. A group of milestones has `group` = (merger model id,
    status, EDTF), `size` > 1 and the FilterSet that selected it, to load
    exactly its members."""

    day: Date
    kind: str
    wide: int  # widest_first(latest day)
    record_id: int
    size: int = 1
    group: tuple | None = None
    filters: "TimelineFilter | None" = None

    @property
    def sort_key(self):
        return (self.day, self.kind, self.wide, self.record_id)


@dataclass
class Point:
    """What the chart draws of one event: its date, its row, its colour and
    what its mark says, read as plain values (no model instance).

    `unit`, `district` and `province` are SimpleNamespaces of UNIT_FIELDS (the
    event's own unit and the district and province it lies in), None for an
    event of no unit (a legal document); `model` one of MODEL_FIELDS or None."""

    kind: str
    record_id: int
    edtf: str
    earliest: Date | None
    latest: Date | None
    unit: SimpleNamespace | None
    district: SimpleNamespace | None
    province: SimpleNamespace | None
    model: SimpleNamespace | None
    status: str  # milestone status, else ""
    label: str  # what happened, without the unit and the date
    url: str


UNIT_FIELDS = ("id", "slug", "name_vi", "name_en", "level", "gso_code")
MODEL_FIELDS = ("id", "slug", "short_vi", "short_en", "order")


def _unit_names(prefix):
    """The values() names of a unit at `prefix` (e.g. "merger__unit") and of
    its district and province."""
    return [f"{prefix}__{where}{name}" for where in ("", "district__", "province__") for name in UNIT_FIELDS]


def _part(values, prefix, fields):
    """The SimpleNamespace of `fields` read at `prefix`, None when its id is."""
    if values[f"{prefix}id"] is None:
        return None
    return SimpleNamespace(**{name: values[f"{prefix}{name}"] for name in fields})


def _date_names(dates):
    return [f"{name}{suffix}" for name in dates for suffix in ("_edtf", "", "_latest")]


def _first_date(values, dates):
    """(edtf, earliest, latest) of the first of `dates` the values give."""
    for name in dates:
        if values[f"{name}_edtf"]:
            return values[f"{name}_edtf"], values[name], values[f"{name}_latest"]
    return "", None, None


def _read_points(kind, rows, limit, names, unit_prefix, build):
    """At most `limit` Points of `kind` from `rows` (its dated rows): one
    values() query of `names`, the kind's dates and the unit at
    `unit_prefix`; `build(values)` gives (label, url, model, status)."""
    dates = EVENT_KINDS[kind].dates
    unit_names = _unit_names(unit_prefix) if unit_prefix else []
    columns = ["pk", *_date_names(dates), *unit_names, *names]
    points = []
    # In date order, ties by record: the same marks in the same order on every plan.
    for row in rows.order_by("timeline_day", "pk").values_list(*columns)[:limit]:
        values = dict(zip(columns, row))
        edtf, earliest, latest = _first_date(values, dates)
        if not edtf:
            continue
        label, url, model, status = build(values)
        points.append(
            Point(
                kind=kind,
                record_id=values["pk"],
                edtf=edtf,
                earliest=earliest,
                latest=latest,
                unit=_part(values, f"{unit_prefix}__", UNIT_FIELDS) if unit_prefix else None,
                district=_part(values, f"{unit_prefix}__district__", UNIT_FIELDS) if unit_prefix else None,
                province=_part(values, f"{unit_prefix}__province__", UNIT_FIELDS) if unit_prefix else None,
                model=model,
                status=status,
                label=label,
                url=url,
            )
        )
    return points


def points_from_events(events):
    """Points of built Events: how the chart draws a kind that has no light
    reader of its own (EventKind.points is None). Two queries at most: the
    districts and provinces of the events' units."""
    events = list(events)
    ids = {
        unit_id
        for event in events
        if event.unit is not None
        for unit_id in (event.unit.district_id, event.unit.province_id)
        if unit_id is not None
    }
    above = {unit.pk: unit for unit in AdministrativeUnit.objects.filter(pk__in=ids)} if ids else {}
    return [
        Point(
            kind=event.kind,
            record_id=event.record_id,
            edtf=event.edtf,
            earliest=event.earliest,
            latest=event.latest,
            unit=event.unit,
            district=event.unit and above.get(event.unit.district_id),
            province=event.unit and above.get(event.unit.province_id),
            model=event.model,
            status=event.status,
            label=event.title,
            url=event.url,
        )
        for event in events
    ]


def _citations(model):
    """A record's citations, each with its source, as `citation_list`: the
    timeline shows every source with the passage it gives."""
    through = model.sources.through
    citations = through.objects.select_related("source").order_by("source__published_on", "source__slug")
    return Prefetch("citations", queryset=citations, to_attr="citation_list")


@dataclass
class MergedCitation:
    """One source's note for an entry that groups several records: each
    distinct passage once."""

    source: Source
    quote: str = ""
    reasoning: str = ""


PASSAGE_GAP = " … "


def one_per_source(citations):
    """The citations of several records, one per source (in source order),
    their distinct quotes and reasonings joined."""
    by_source = OrderedDict()
    for citation in citations:
        by_source.setdefault(citation.source.pk, []).append(citation)
    merged = []
    for group in by_source.values():
        quotes = list(OrderedDict.fromkeys(c.quote for c in group if c.quote))
        reasons = list(OrderedDict.fromkeys(c.reasoning for c in group if c.reasoning))
        merged.append(MergedCitation(group[0].source, PASSAGE_GAP.join(quotes), " ".join(reasons)))
    return sorted(merged, key=lambda c: (c.source.published_on is None, c.source.published_on, c.source.slug))


# -- dates: the first date a record gives among several ---------------------


def _when(record, *names):
    """(edtf, earliest, latest) of the first of `names` the record gives."""
    for name in names:
        edtf = getattr(record, f"{name}_edtf")
        if edtf:
            return edtf, getattr(record, name), getattr(record, f"{name}_latest")
    return "", None, None


def _events(records, kind, dates, describe):
    """The Events of `records` (their citations prefetched), each filed under
    the first of `dates` it gives; an undated record has no place on a
    timeline. `describe(record)` gives its title, url, unit and any other
    field of its Event."""
    for record in records.order_by():
        edtf, earliest, latest = _when(record, *dates)
        if edtf:
            yield Event(
                edtf,
                earliest,
                latest,
                kind=kind,
                sources=record.citation_list,
                record_id=record.pk,
                **describe(record),
            )


# -- milestones --------------------------------------------------------------

MILESTONE_DATES = ("date",)


def _milestone_events(milestones):
    def describe(milestone):
        merger = milestone.merger
        return {
            "title": f"{merger.title}: {milestone.get_status_display()}",
            "url": f"{merger.get_absolute_url()}#milestone-{milestone.pk}",
            "unit": merger.unit,
            "model": merger.model,
            "status": milestone.status,
        }

    milestones = milestones.select_related("merger__unit", "merger__model").prefetch_related(_citations(Milestone))
    return _events(milestones, MILESTONE, MILESTONE_DATES, describe)


def _status_label(status):
    return str(Status(status).label) if status in Status.values else status


def _milestone_points(rows, limit):
    def build(values):
        model = _part(values, "merger__model__", MODEL_FIELDS)
        merger = SimpleNamespace(title_vi=values["merger__title_vi"], title_en=values["merger__title_en"])
        what = localized(model, "short") if model else localized(merger, "title")
        url = reverse("portal:merger", args=[values["merger_id"]]) + f"#milestone-{values['pk']}"
        return f"{what}: {_status_label(values['status'])}", url, model, values["status"]

    names = ["status", "merger_id", "merger__title_vi", "merger__title_en"]
    names += [f"merger__model__{name}" for name in MODEL_FIELDS]
    return _read_points(MILESTONE, rows, limit, names, "merger__unit", build)


def _milestone_groups(rows):
    """One row per entry: the milestones of one merger model, status and EDTF
    grouped, with their sort day, latest day, smallest id and number. A milestone of a
    merger without a model is an entry of its own (its id in `alone`)."""
    alone = Case(When(merger__model__isnull=True, then=F("pk")), default=Value(0), output_field=IntegerField())
    return (
        rows.values(group_model=F("merger__model"), group_status=F("status"), group_edtf=F("date_edtf"), alone=alone)
        .annotate(day=Min("timeline_day"), latest=Min("key_latest"), first=Min("pk"), size=Count("pk"))
        .values_list("day", "latest", "first", "size", "group_model", "group_status", "group_edtf")
    )


def _group_of(event):
    return (event.model.pk if event.model else None, event.status, event.edtf)


def _grouped(members):
    """The entry of one milestone reported for several units."""
    members = sorted(members, key=lambda event: (event.unit.gso_code or "", event.unit.slug, event.record_id))
    first = members[0]
    return Event(
        edtf=first.edtf,
        earliest=first.earliest,
        latest=first.latest,
        kind=MILESTONE,
        title=first.model.name,
        url=first.model.get_absolute_url(),
        unit=None,
        model=first.model,
        status=first.status,
        sources=one_per_source(citation for member in members for citation in member.sources),
        record_id=min(member.record_id for member in members),
        members=members,
    )


# -- legal documents ---------------------------------------------------------

# Filed under the signed date, else the effective date.
DOCUMENT_DATES = ("signed_on", "effective_on")


def _document_events(documents):
    def describe(document):
        return {"title": f"{document}: {document.title}", "url": document.get_absolute_url(), "unit": None}

    return _events(documents.prefetch_related(_citations(LegalDocument)), DOCUMENT, DOCUMENT_DATES, describe)


def _document_points(rows, limit):
    def build(values):
        kind = values["kind"]
        kind_label = str(LegalDocument.Kind(kind).label) if kind in LegalDocument.Kind.values else kind
        title = localized(SimpleNamespace(title_vi=values["title_vi"], title_en=values["title_en"]), "title")
        name = f"{kind_label.split(' (')[0]} {values['number']}"
        label = title if values["number"] in title else f"{name}: {title}"
        return label, reverse("portal:document", args=[values["pk"]]), None, ""

    return _read_points(DOCUMENT, rows, limit, ["number", "kind", "title_vi", "title_en"], None, build)


# -- unit changes ------------------------------------------------------------

UNIT_CHANGE_DATES = ("date",)


def _unit_change_events(changes):
    def describe(change):
        unit = change.unit
        title = f"{unit.name}: {change.get_kind_display()}"
        if change.related_unit is not None:
            title += f" ({change.related_unit.name})"
        return {"title": title, "url": (unit.district or unit).get_absolute_url(), "unit": unit}

    changes = changes.select_related("unit__district", "related_unit").prefetch_related(_citations(UnitChange))
    return _events(changes, UNIT_CHANGE, UNIT_CHANGE_DATES, describe)


def _unit_change_points(rows, limit):
    def build(values):
        kind = values["kind"]
        label = str(UnitChange.Kind(kind).label) if kind in UnitChange.Kind.values else kind
        related = SimpleNamespace(name_vi=values["related_unit__name_vi"], name_en=values["related_unit__name_en"])
        if related.name_vi:
            label += f" ({localized(related, 'name')})"
        slug = values["unit__district__slug"] or values["unit__slug"]
        return label, reverse("portal:district", args=[slug]), None, ""

    return _read_points(
        UNIT_CHANGE, rows, limit, ["kind", "related_unit__name_vi", "related_unit__name_en"], "unit", build
    )


# -- post holdings -----------------------------------------------------------

# Filed under the start date, else the date the source reports it held
# (Holding.date_edtf).
HOLDING_DATES = ("start_date", "reported_on")


def _holding_events(holdings):
    titles_url = reverse("portal:title_list")

    def describe(holding):
        posts = " + ".join(post.title for post in holding.posts.all())
        title = posts or (holding.get_combination_display() if holding.combination else holding.slug)
        if holding.holder_name:
            title += f" ({holding.holder_name})"
        return {"title": title, "url": f"{titles_url}#holding-{holding.pk}", "unit": holding.unit}

    holdings = holdings.select_related("unit").prefetch_related(
        Prefetch("posts", queryset=Post.objects.order_by("pk")), _citations(Holding)
    )
    return _events(holdings, TITLE, HOLDING_DATES, describe)


def _holding_points(rows, limit):
    titles_url = reverse("portal:title_list")

    def first_post(language):
        posts = Post.objects.filter(holdings=OuterRef("pk")).order_by("pk")
        return Subquery(posts.values(f"title_{language}")[:1])

    def build(values):
        combination = values["combination"]
        if combination in Holding.Combination.values:
            label = str(Holding.Combination(combination).label)
        else:
            post = SimpleNamespace(title_vi=values["chart_post_vi"] or "", title_en=values["chart_post_en"] or "")
            label = localized(post, "title") or values["slug"]
        if values["holder_name"]:
            label += f" ({values['holder_name']})"
        return label, f"{titles_url}#holding-{values['pk']}", None, ""

    rows = rows.annotate(chart_post_vi=first_post("vi"), chart_post_en=first_post("en"))
    names = ["combination", "holder_name", "slug", "chart_post_vi", "chart_post_en"]
    return _read_points(TITLE, rows, limit, names, "unit", build)


# -- conferences, inspections, workshops, visits -----------------------------

MEETING_DATES = ("date",)


def _meeting_events(events):
    def describe(event):
        return {"title": event.title, "url": event.get_absolute_url(), "unit": event.unit, "people": event.people}

    events = events.select_related("unit").prefetch_related(
        _citations(ReportedEvent),
        Prefetch("participants", queryset=EventParticipant.objects.order_by("order", "pk"), to_attr="people"),
    )
    return _events(events, MEETING, MEETING_DATES, describe)


def _meeting_points(rows, limit):
    def build(values):
        title = localized(SimpleNamespace(title_vi=values["title_vi"], title_en=values["title_en"]), "title")
        return title, reverse("portal:event", args=[values["pk"]]), None, ""

    return _read_points(MEETING, rows, limit, ["title_vi", "title_en"], "unit", build)


# -- all kinds: keys, then Events --------------------------------------------


@dataclass(frozen=True)
class EventKind:
    """One kind of event: its model (whose QuerySet the timeline's filters
    call, see TimelineFilter), the dates its events are filed under (the
    first one given; as SQL, so that the keys need no instance), the builder
    of its Events and, for milestones, the query that groups its rows into
    entries."""

    model: type
    dates: tuple  # base names of its uncertain dates, in order of preference
    events: Callable  # queryset -> Events
    groups: Callable | None = None  # rows with the aliases timeline_day, key_latest -> entry rows
    # The chart: (dated rows, limit) -> Points in one query; without it the
    # chart draws the kind from its Events (points_from_events).
    points: Callable | None = None
    mark: str = "square"  # its shape on the chart: dot, square, diamond, triangle or star

    @property
    def day(self):
        return sort_day_of(*self.dates)

    @property
    def latest(self):
        return latest_of(*self.dates)

    def rows(self, filters=None):
        """Its records the timeline lists for `filters` (see `timeline_filter`)."""
        return timeline_filter(filters).select(self.model._default_manager.all())


# Every kind of timeline entry. A new kind added here (and to KIND_CHOICES,
# for its name) is listed, exported and drawn on the chart.
EVENT_KINDS = {
    MILESTONE: EventKind(
        Milestone,
        MILESTONE_DATES,
        _milestone_events,
        _milestone_groups,
        points=_milestone_points,
        mark="dot",
    ),
    DOCUMENT: EventKind(LegalDocument, DOCUMENT_DATES, _document_events, points=_document_points, mark="square"),
    UNIT_CHANGE: EventKind(
        UnitChange, UNIT_CHANGE_DATES, _unit_change_events, points=_unit_change_points, mark="diamond"
    ),
    TITLE: EventKind(Holding, HOLDING_DATES, _holding_events, points=_holding_points, mark="triangle"),
    MEETING: EventKind(ReportedEvent, MEETING_DATES, _meeting_events, points=_meeting_points, mark="star"),
}


def _kind_of(rows):
    """The EventKind of a QuerySet's model."""
    return next(spec for spec in EVENT_KINDS.values() if spec.model is rows.model)


def _has(model, rule):
    """Whether the model's QuerySet has the filter method `rule`."""
    return hasattr(model._default_manager.all(), rule)


# -- the filters -------------------------------------------------------------


class TimelineFilter(PortalFilterSet):
    """The timeline's filters. Applied to the records of any kind of event
    (`select`), each calls the rule of that kind's QuerySet: `in_district`,
    `of_model`, `matching`, `overlapping_years` (of the kind's dates); and
    the page's province, `in_province`. A kind whose QuerySet has no
    `of_model` belongs to no merger model: a model filter keeps none of it."""

    district = DistrictFilter(method="in_district")
    model = ModelFilter(method="of_model")
    kind = django_filters.ChoiceFilter(
        label=_("Kind of event"), choices=KIND_CHOICES, empty_label=_("All kinds"), method="of_kind"
    )
    year_from = YearFilter(label=_("From year"), method="from_year")
    year_to = YearFilter(label=_("To year"), method="to_year")
    q = django_filters.CharFilter(label=_("Text"), method="matching", max_length=MAX_QUERY_LENGTH)

    class Meta:
        model = Milestone
        fields = []

    @property
    def province(self):
        return self.choices.province

    @property
    def criteria(self):
        """The province and the valid filter values, by name."""
        return {"province": self.province, **super().criteria}

    def select(self, rows):
        """`rows` (the records of one kind) as the timeline lists them: in
        the province, through the filters; none when a filter is invalid."""
        if self.province is not None:
            rows = rows.in_province(self.province)
        if not self.is_bound:
            return rows
        if self.invalid:
            return rows.none()
        return self.filter_queryset(rows)

    def in_district(self, rows, name, slug):
        return rows.in_district(self.choices.districts[slug])

    def of_model(self, rows, name, slug):
        return rows.of_model(self.choices.models[slug]) if _has(rows.model, "of_model") else rows.none()

    def of_kind(self, rows, name, kind):
        return rows if rows.model is EVENT_KINDS[kind].model else rows.none()

    def from_year(self, rows, name, year):
        return rows.overlapping_years(_kind_of(rows).dates, year_from=year)

    def to_year(self, rows, name, year):
        return rows.overlapping_years(_kind_of(rows).dates, year_to=year)

    def matching(self, rows, name, text):
        return rows.matching(text)


def timeline_filter(filters=None):
    """`filters` as the timeline's FilterSet: the page's own, or one bound to
    a dict of criteria, all optional: province (a unit; None for all),
    district and model (slugs), kind (one of KINDS), year_from and year_to
    (ints), q (text)."""
    if isinstance(filters, TimelineFilter):
        return filters
    criteria = dict(filters or {})
    province = criteria.pop("province", None)
    data = QueryDict(mutable=True)
    for name, value in criteria.items():
        if value not in (None, ""):
            data[name] = str(value)
    return TimelineFilter(data, choices=Choices(province))


# Events built per round trip when listing them all (the CSV): bounds the
# memory the instances take and the length of the `pk IN (...)` lists.
LOAD_CHUNK = 2000


def kinds_for(filters):
    """The event kinds `filters` asks for, whose rows are read. A model
    filter leaves out the kinds of no merger model (unit changes, holdings)."""
    criteria = timeline_filter(filters).criteria
    kinds = [criteria["kind"]] if criteria.get("kind") in KINDS else KINDS
    if criteria.get("model"):
        kinds = [kind for kind in kinds if _has(EVENT_KINDS[kind].model, "of_model")]
    return kinds


def _dated_rows(kind, filters):
    spec = EVENT_KINDS[kind]
    return (
        spec.rows(filters)
        .order_by()
        .alias(timeline_day=spec.day, key_latest=spec.latest)
        .filter(timeline_day__isnull=False)
    )


def _single_keys(kind, rows):
    rows = rows.annotate(day=F("timeline_day"), latest=F("key_latest")).values_list("day", "latest", "pk")
    return (EventKey(day, kind, widest_first(latest), pk) for day, latest, pk in rows)


def event_keys(filters=None):
    """One `EventKey` per timeline entry for `filters`, sorted as the
    timeline lists them (`Event.sort_key`: sort day, kind, widest first,
    record id).

    One query per kind and no model instance: milestones of one merger
    model, status and EDTF are grouped by the database into one key; the
    page counts and paginates these, and builds the entries of its own page
    only. `filters`: the timeline's FilterSet or a dict (`timeline_filter`).
    """
    filters = timeline_filter(filters)
    keys = []
    for kind in kinds_for(filters):
        spec = EVENT_KINDS[kind]
        rows = _dated_rows(kind, filters)
        if spec.groups is None:
            keys.extend(_single_keys(kind, rows))
            continue
        for day, latest, first, size, model_id, status, edtf in spec.groups(rows):
            group = (model_id, status, edtf) if size > 1 else None
            keys.append(EventKey(day, kind, widest_first(latest), first, size, group, filters if group else None))
    keys.sort()
    return keys


def chart_points(filters, limit):
    """The Points of every event the timeline lists for `filters`, at most
    `limit` + 1 of each kind (more than `limit` in all: too many to draw).
    One query per kind with a light reader; a kind without one is drawn
    from its Events."""
    filters = timeline_filter(filters)
    points = []
    for kind in kinds_for(filters):
        spec = EVENT_KINDS[kind]
        rows = _dated_rows(kind, filters)
        if spec.points is not None:
            points.extend(spec.points(rows, limit + 1))
        else:
            records = spec.model.objects.filter(pk__in=rows.values("pk")[: limit + 1])
            points.extend(points_from_events(spec.events(records)))
    return points


def record_keys(filters=None):
    """One `EventKey` per event (record) for `filters`, in timeline order:
    what the CSV lists, a row per event."""
    filters = timeline_filter(filters)
    keys = []
    for kind in kinds_for(filters):
        keys.extend(_single_keys(kind, _dated_rows(kind, filters)))
    keys.sort()
    return keys


def _group_q(group):
    model_id, status, edtf = group
    return Q(merger__model_id=model_id, status=status, date_edtf=edtf)


def load_events(keys):
    """The entries of `keys` (Events), in the order of `keys`: one query per kind
    present plus that kind's prefetches. A single event is loaded by its id;
    a group by its model, status and EDTF within the filters that selected
    it, so that its members never make the `IN` list long.

    A record deleted since its key was read is left out (a group keeps the
    members still there).
    """
    ids, groups = OrderedDict(), OrderedDict()
    for key in keys:
        if key.group is None:
            ids.setdefault(key.kind, []).append(key.record_id)
        else:
            groups.setdefault(key.kind, []).append(key)
    loaded, members = {}, {}
    for kind in OrderedDict.fromkeys([*ids, *groups]):
        spec = EVENT_KINDS[kind]
        wanted = Q(pk__in=ids.get(kind, []))
        by_filters = OrderedDict()
        for key in groups.get(kind, []):
            by_filters.setdefault(id(key.filters), (key.filters, []))[1].append(key.group)
        for filters, wanted_groups in by_filters.values():
            in_groups = spec.rows(filters).filter(reduce(or_, map(_group_q, wanted_groups)))
            wanted |= Q(pk__in=in_groups.values("pk"))
        for event in spec.events(spec.model.objects.filter(wanted)):
            loaded[kind, event.record_id] = event
            if kind in groups:
                members.setdefault((kind, _group_of(event)), []).append(event)
    entries = []
    for key in keys:
        if key.group is None:
            if (key.kind, key.record_id) in loaded:
                entries.append(loaded[key.kind, key.record_id])
            continue
        group = members.get((key.kind, key.group), [])
        if len(group) > 1:
            entries.append(_grouped(group))
        elif group:
            entries.append(group[0])
    return entries


def iter_events(filters=None, chunk=None):
    """Every Event for `filters`, one per record (no grouping), sorted by
    `Event.sort_key`, built `chunk` (default LOAD_CHUNK) at a time
    so that a streamed CSV never holds them all."""
    chunk = chunk or LOAD_CHUNK
    keys = record_keys(filters)
    for start in range(0, len(keys), chunk):
        yield from load_events(keys[start : start + chunk])


def build_events(filters=None):
    """The Event list for `filters`, one per record, sorted by
    `Event.sort_key`; see `event_keys` for the filters."""
    return list(iter_events(filters))


def group_by_year(events):
    """[(year, [entries])] in the order of `events`, by the year of each
    entry's sort day."""
    groups = OrderedDict()
    for event in events:
        groups.setdefault(event.year, []).append(event)
    return list(groups.items())


def year_counts(keys):
    """{year: {kind: number of events}} for the overview strip, from the keys
    of `event_keys` (a group counts its events), so that no Event is needed."""
    counts = OrderedDict()
    for key in keys:
        per_kind = counts.setdefault(key.day.year, dict.fromkeys(KINDS, 0))
        per_kind[key.kind] += key.size
    return counts
