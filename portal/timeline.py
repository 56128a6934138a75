"""Every dated event of the record, in one list: the timeline page and its CSV.

Each event kind (milestones, legal documents, unit changes, post holdings) has
two halves: `_<kind>_rows(filters)`, the filtered queryset, and
`_<kind>_events(queryset)`, which turns its instances into `Event`s.

Building an Event costs joins, prefetches and Python work, so the page never
builds one it does not show: `event_keys(filters)` reads only (date, kind,
record_id) of every event (one light query per kind), the page counts and
paginates those keys, and `load_events(keys)` builds the Events of one page.
`build_events(filters)` (the CSV) is the same two steps over every key, in
chunks, so it lists the same events in the same order as the page.
"""

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date as Date

from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.models import AdministrativeUnit, Holding, LegalDocument, Post, Source, UnitChange
from agencies.text import fold
from mergers.models import MergerModel, Milestone, Status

MILESTONE = "milestone"
DOCUMENT = "document"
UNIT_CHANGE = "unit_change"
TITLE = "title"

KIND_CHOICES = [
    (MILESTONE, _("Merger milestone")),
    (DOCUMENT, _("Legal document")),
    (UNIT_CHANGE, _("Change of a unit")),
    (TITLE, _("Post holding or unified title")),
]
KIND_LABELS = dict(KIND_CHOICES)
KINDS = [kind for kind, _label in KIND_CHOICES]


@dataclass
class Event:
    date: Date
    precision: str
    kind: str  # "milestone", "document", "unit_change", "title"
    title: str
    url: str
    unit: AdministrativeUnit | None
    model: MergerModel | None
    status: str  # milestone status, else ""
    sources: list[Source] = field(default_factory=list)
    record_id: int = 0

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def status_label(self):
        return Status(self.status).label if self.status in Status.values else ""

    @property
    def year(self):
        return self.date.year

    @property
    def sort_key(self):
        return (self.date, self.kind, self.record_id)


def _sources():
    return Prefetch("sources", queryset=Source.objects.order_by("published_on", "slug"))


def _years(qs, filters, date_field):
    year_from, year_to = filters.get("year_from"), filters.get("year_to")
    if year_from is not None:
        qs = qs.filter(**{f"{date_field}__gte": Date(year_from, 1, 1)})
    if year_to is not None:
        qs = qs.filter(**{f"{date_field}__lte": Date(year_to, 12, 31)})
    return qs


# -- milestones --------------------------------------------------------------

def _milestone_rows(filters):
    qs = Milestone.objects.all()
    if filters.get("province") is not None:
        qs = qs.filter(merger__unit__province=filters["province"])
    if filters.get("district"):
        qs = qs.filter(merger__unit__district__slug=filters["district"])
    if filters.get("model"):
        qs = qs.filter(merger__model__slug=filters["model"])
    if filters.get("q"):
        qs = qs.filter(merger__search_text__contains=fold(filters["q"]))
    return _years(qs, filters, "date")


def _milestone_events(milestones):
    milestones = milestones.select_related("merger__unit", "merger__model").prefetch_related(_sources())
    for milestone in milestones.order_by():
        merger = milestone.merger
        yield Event(
            date=milestone.date,
            precision=milestone.date_precision,
            kind=MILESTONE,
            title=f"{merger.title}: {milestone.get_status_display()}",
            url=f"{merger.get_absolute_url()}#milestone-{milestone.pk}",
            unit=merger.unit,
            model=merger.model,
            status=milestone.status,
            sources=list(milestone.sources.all()),
            record_id=milestone.pk,
        )


# -- legal documents ---------------------------------------------------------

def _basis_of(**unit_lookup):
    """Documents that are the legal basis of a milestone, merger or unit change
    whose unit matches `unit_lookup` (e.g. province=..., district__slug=...);
    with no lookup, of any such record."""
    merger_unit = {f"merger__unit__{k}": v for k, v in unit_lookup.items()}
    unit = {f"unit__{k}": v for k, v in unit_lookup.items()}
    return (
        Exists(Milestone.objects.filter(basis=OuterRef("pk"), **merger_unit))
        | Exists(UnitChange.objects.filter(basis=OuterRef("pk"), **unit))
        | Exists(LegalDocument.mergers.through.objects.filter(legaldocument=OuterRef("pk"), **merger_unit))
    )


def _document_rows(filters):
    """Documents have no unit. A province's timeline keeps those that are the
    basis of its records and those tied to no unit at all (national
    resolutions); a district or model filter keeps those that are the legal
    basis of a record in that district or of that model."""
    qs = LegalDocument.objects.filter(Q(signed_on__isnull=False) | Q(effective_on__isnull=False))
    if filters.get("province") is not None:
        qs = qs.filter(_basis_of(province=filters["province"]) | ~_basis_of())
    if filters.get("district"):
        qs = qs.filter(_basis_of(district__slug=filters["district"]))
    if filters.get("model"):
        slug = filters["model"]
        qs = qs.filter(
            Q(pk__in=MergerModel.basis.through.objects.filter(mergermodel__slug=slug).values("legaldocument"))
            | Q(pk__in=Milestone.objects.filter(merger__model__slug=slug).values("basis"))
            | Q(pk__in=LegalDocument.mergers.through.objects.filter(merger__model__slug=slug).values("legaldocument"))
        )
    if filters.get("q"):
        qs = qs.filter(search_text__contains=fold(filters["q"]))
    year_from, year_to = filters.get("year_from"), filters.get("year_to")
    # Filed under the signed date, else the effective date (LegalDocument.date).
    if year_from is not None:
        start = Date(year_from, 1, 1)
        qs = qs.filter(Q(signed_on__gte=start) | Q(signed_on__isnull=True, effective_on__gte=start))
    if year_to is not None:
        end = Date(year_to, 12, 31)
        qs = qs.filter(Q(signed_on__lte=end) | Q(signed_on__isnull=True, effective_on__lte=end))
    return qs


def _document_events(documents):
    for document in documents.prefetch_related(_sources()).order_by():
        signed = document.signed_on is not None
        yield Event(
            date=document.date,
            precision=document.signed_precision if signed else document.effective_precision,
            kind=DOCUMENT,
            title=f"{document}: {document.title}",
            url=document.get_absolute_url(),
            unit=None,
            model=None,
            status="",
            sources=list(document.sources.all()),
            record_id=document.pk,
        )


# -- unit changes ------------------------------------------------------------

def _unit_change_rows(filters):
    qs = UnitChange.objects.all()
    if filters.get("province") is not None:
        qs = qs.filter(unit__province=filters["province"])
    if filters.get("district"):
        qs = qs.filter(unit__district__slug=filters["district"])
    if filters.get("q"):
        qs = qs.filter(unit__search_text__contains=fold(filters["q"]))
    return _years(qs, filters, "date")


def _unit_change_events(changes):
    changes = changes.select_related("unit__district", "related_unit").prefetch_related(_sources())
    for change in changes.order_by():
        unit = change.unit
        title = f"{unit.name}: {change.get_kind_display()}"
        if change.related_unit is not None:
            title += f" ({change.related_unit.name})"
        yield Event(
            date=change.date,
            precision=change.date_precision,
            kind=UNIT_CHANGE,
            title=title,
            url=(unit.district or unit).get_absolute_url(),
            unit=unit,
            model=None,
            status="",
            sources=list(change.sources.all()),
            record_id=change.pk,
        )


# -- post holdings -----------------------------------------------------------

def _holding_rows(filters):
    qs = Holding.objects.all()
    if filters.get("province") is not None:
        qs = qs.filter(unit__province=filters["province"])
    if filters.get("district"):
        qs = qs.filter(unit__district__slug=filters["district"])
    if filters.get("q"):
        folded = fold(filters["q"])
        posts = Post.objects.filter(holdings=OuterRef("pk"), search_text__contains=folded)
        qs = qs.filter(Exists(posts) | Q(unit__search_text__contains=folded) | Q(holder_name__icontains=filters["q"]))
    year_from, year_to = filters.get("year_from"), filters.get("year_to")
    # Filed under the start date, else the date the source reports it held.
    if year_from is not None:
        start = Date(year_from, 1, 1)
        qs = qs.filter(Q(start_date__gte=start) | Q(start_date__isnull=True, reported_on__gte=start))
    if year_to is not None:
        end = Date(year_to, 12, 31)
        qs = qs.filter(Q(start_date__lte=end) | Q(start_date__isnull=True, reported_on__lte=end))
    return qs


def _holding_events(holdings):
    holdings = holdings.select_related("unit").prefetch_related(
        Prefetch("posts", queryset=Post.objects.order_by("pk")), _sources()
    )
    titles_url = reverse("portal:title_list")
    for holding in holdings.order_by():
        if holding.date is None:  # an undated holding has no place on a timeline
            continue
        posts = " + ".join(post.title for post in holding.posts.all())
        title = posts or (holding.get_combination_display() if holding.combination else holding.slug)
        if holding.holder_name:
            title += f" ({holding.holder_name})"
        yield Event(
            date=holding.date,
            precision=holding.date_precision,
            kind=TITLE,
            title=title,
            url=f"{titles_url}#holding-{holding.pk}",
            unit=holding.unit,
            model=None,
            status="",
            sources=list(holding.sources.all()),
            record_id=holding.pk,
        )


# -- all kinds: keys, then Events --------------------------------------------

@dataclass(frozen=True)
class EventKind:
    """One kind of event: its model, its filtered rows, the date its events are
    filed under (as an SQL expression, so that the keys need no instance) and
    the builder of its Events."""

    model: type
    rows: Callable  # filters -> queryset of the model
    date: object  # expression of the event's date; matches Event.date
    events: Callable  # queryset -> Events


EVENT_KINDS = {
    MILESTONE: EventKind(Milestone, _milestone_rows, F("date"), _milestone_events),
    # LegalDocument.date: signed, else effective.
    DOCUMENT: EventKind(LegalDocument, _document_rows, Coalesce("signed_on", "effective_on"), _document_events),
    UNIT_CHANGE: EventKind(UnitChange, _unit_change_rows, F("date"), _unit_change_events),
    # Holding.date: start, else reported; NULL for an undated holding.
    TITLE: EventKind(Holding, _holding_rows, Coalesce("start_date", "reported_on"), _holding_events),
}

# Events built per round trip when listing them all (the CSV): bounds the
# memory the instances take and the length of the `pk IN (...)` lists.
LOAD_CHUNK = 2000


def kinds_for(filters):
    """The event kinds `filters` asks for. A model filter leaves out unit
    changes and holdings, which belong to no merger model."""
    kinds = [filters["kind"]] if filters.get("kind") in KINDS else KINDS
    if filters.get("model"):
        kinds = [kind for kind in kinds if kind in (MILESTONE, DOCUMENT)]
    return kinds


def event_keys(filters=None):
    """The (date, kind, record_id) of every event for `filters`, sorted as
    the timeline lists them (the key is `Event.sort_key`).

    One values_list query per kind and no model instance: the page counts
    and paginates these, and builds Events for its own page only.
    filters (all optional): province (unit; None for all), district (slug),
    model (slug), kind (one of KINDS), year_from, year_to (ints), q (text).
    """
    filters = dict(filters or {})
    keys = []
    for kind in kinds_for(filters):
        rows = EVENT_KINDS[kind].rows(filters).order_by().annotate(timeline_date=EVENT_KINDS[kind].date)
        pairs = rows.filter(timeline_date__isnull=False).values_list("timeline_date", "pk")
        keys.extend((day, kind, pk) for day, pk in pairs)
    keys.sort()
    return keys


def load_events(keys):
    """The Events of `keys`, in the order of `keys`: one query per kind
    present (`pk IN` the keys' ids) plus that kind's prefetches.

    A record deleted since its key was read is left out.
    """
    ids = OrderedDict()
    for _day, kind, pk in keys:
        ids.setdefault(kind, []).append(pk)
    loaded = {}
    for kind, pks in ids.items():
        spec = EVENT_KINDS[kind]
        for event in spec.events(spec.model.objects.filter(pk__in=pks)):
            loaded[kind, event.record_id] = event
    return [loaded[kind, pk] for _day, kind, pk in keys if (kind, pk) in loaded]


def iter_events(filters=None, chunk=None):
    """Every Event for `filters`, sorted by (date, kind, record_id), built
    `chunk` (default LOAD_CHUNK) at a time so that a streamed CSV never holds
    them all."""
    chunk = chunk or LOAD_CHUNK
    keys = event_keys(filters)
    for start in range(0, len(keys), chunk):
        yield from load_events(keys[start:start + chunk])


def build_events(filters=None):
    """The Event list for `filters`, sorted by (date, kind, record_id); see
    `event_keys` for the filters."""
    return list(iter_events(filters))


def group_by_year(events):
    """[(year, [events])] in the order of `events`."""
    groups = OrderedDict()
    for event in events:
        groups.setdefault(event.date.year, []).append(event)
    return list(groups.items())


def year_counts(keys):
    """{year: {kind: count}} for the overview strip, from the event keys
    (date, kind, record_id) of `event_keys`, so that no Event is needed."""
    counts = OrderedDict()
    for day, kind, _pk in keys:
        per_kind = counts.setdefault(day.year, dict.fromkeys(KINDS, 0))
        per_kind[kind] += 1
    return counts
