"""The dashboard's status matrix: units (rows) by merger models (columns).

`status_matrix(province, as_of)` answers in a fixed number of queries,
whatever the number of districts, mergers or milestones:
units, models, mergers with their status on `as_of`, the sources of the
milestones that give those statuses, and the unit changes that ended units.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Q, Value, When
from django.db.models.functions import Coalesce, Length

from agencies.models import AdministrativeUnit, Source, UnitChange
from mergers.models import NO_STATUS, Merger, MergerModel, Milestone

ENDING_KINDS = (UnitChange.Kind.ABSORBED, UnitChange.Kind.ABOLISHED)


@dataclass
class Cell:
    unit: AdministrativeUnit
    model: MergerModel
    merger: Merger | None
    status: str
    status_edtf: str | None
    status_date: date | None
    status_date_latest: date | None
    possible_status: str | None
    possible_edtf: str | None
    sources: list[Source] = field(default_factory=list)
    unit_ended: bool = False
    successor: AdministrativeUnit | None = None

    @property
    def applies(self):
        """Whether this model is a kind of merger made at this unit's level."""
        return self.merger is not None or self.model.level == self.unit.level


def matrix_units(province):
    """The province, then its districts by GSO code (all provinces when None,
    each followed by its districts): a QuerySet, sorted by the database, so
    that a page of it reads only its own rows."""
    Level = AdministrativeUnit.Level
    units = AdministrativeUnit.objects.filter(level__in=[Level.PROVINCE, Level.DISTRICT])
    if province is not None:
        units = units.filter(Q(pk=province.pk) | Q(province=province, level=Level.DISTRICT))
    code = Coalesce("gso_code", Value(""))
    # The province's code: its own for a province, its province's for a district.
    top_code = Case(When(level=Level.PROVINCE, then=code), default=Coalesce("province__gso_code", Value("")))
    return (
        units.select_related("province")
        .alias(top_code=top_code, district_row=Case(When(level=Level.PROVINCE, then=0), default=1))
        .order_by(Length("top_code"), "top_code", "district_row", Length(code), code, "name_vi", "slug")
    )


def applying_units(model, units):
    """Those of `units` where `model` applies (`Cell.applies`): the units of
    its level, and any other holding a merger of it."""
    units = list(units)
    others = [unit.pk for unit in units if unit.level != model.level]
    with_merger = set(
        Merger.objects.filter(model=model, unit__in=others).values_list("unit_id", flat=True) if others else ()
    )
    return [unit for unit in units if unit.level == model.level or unit.pk in with_merger]


def ending_changes(units, as_of):
    """{unit id: the change that ended it on or before as_of} (absorbed first)."""
    changes = (
        UnitChange.objects.filter(unit__in=[u.pk for u in units], kind__in=ENDING_KINDS, date_latest__lte=as_of)
        .select_related("related_unit")
        .order_by("unit_id", "date")
    )
    ended = {}
    for change in changes:
        current = ended.get(change.unit_id)
        # The first ending wins; a later "level abolished" does not hide who absorbed it.
        if current is None:
            ended[change.unit_id] = change
    return ended


def mark_ended(units, as_of, endings=None):
    """Set on each unit `ending_change` (the change that ended it by as_of, or
    None) and `has_ended`: its own end (AdministrativeUnit.ended_by, from the
    latest day the end can mean) or an ending change had come by as_of.
    The one reading for the dashboard, the district list and a unit's page;
    `endings` saves the query when the caller already holds the changes."""
    if endings is None:
        endings = ending_changes(units, as_of)
    for unit in units:
        unit.ending_change = endings.get(unit.pk)
        unit.has_ended = unit.ended_by(as_of) or unit.ending_change is not None
    return units


def status_matrix(province, as_of, units=None):
    """(rows, models): rows is [(unit, [Cell per model])].

    `units` (a page of `matrix_units(province)`) limits the rows; all of the
    province's units by default.
    """
    units = list(matrix_units(province) if units is None else units)
    models = list(MergerModel.objects.order_by("order", "slug"))
    mergers = (
        Merger.objects.filter(unit__in=[u.pk for u in units], model__isnull=False)
        .with_status(as_of)
        .with_headcount()
        .select_related("result")
    )
    by_key = {(m.unit_id, m.model_id): m for m in mergers}
    milestone_ids = [m.status_milestone_id for m in by_key.values() if m.status_milestone_id]
    sources = defaultdict(list)
    links = (
        Milestone.sources.through.objects.filter(milestone_id__in=milestone_ids)
        .select_related("source")
        .order_by("source__published_on", "source__slug")
    )
    for link in links:
        sources[link.milestone_id].append(link)  # a citation: its source and the passage
    mark_ended(units, as_of)

    rows = []
    for unit in units:
        change, unit_ended = unit.ending_change, unit.has_ended
        successor = change.related_unit if change is not None and change.kind == UnitChange.Kind.ABSORBED else None
        unit.successor = successor
        cells = []
        for model in models:
            merger = by_key.get((unit.pk, model.pk))
            cells.append(
                Cell(
                    unit=unit,
                    model=model,
                    merger=merger,
                    status=merger.status if merger else NO_STATUS,
                    status_edtf=merger.status_edtf if merger else None,
                    status_date=merger.status_date if merger else None,
                    status_date_latest=merger.status_date_latest if merger else None,
                    possible_status=merger.possible_status if merger else None,
                    possible_edtf=merger.possible_edtf if merger else None,
                    sources=sources.get(merger.status_milestone_id, []) if merger else [],
                    unit_ended=unit_ended,
                    successor=successor,
                )
            )
        rows.append((unit, cells))
    return rows, models


def has_mergers(province):
    """Whether any unit of the province (of any province when None) has a merger of a model."""
    mergers = Merger.objects.filter(model__isnull=False)
    if province is not None:
        mergers = mergers.in_province(province)
    return mergers.exists()


def cite(cells):
    """Number the sources of a table once each: [(number, [source])] in order
    of first appearance; each cell gets `citations`, the numbers of its own."""
    numbers = {}
    for cell in cells:
        cell.citations = []
        for citation in cell.sources:
            # A cell holds citations (a source and its passage): one note per source.
            key = getattr(citation, "source_id", citation.pk)
            if key not in numbers:
                numbers[key] = (len(numbers) + 1, citation)
            cell.citations.append(numbers[key][0])
    return [(number, [source]) for number, source in numbers.values()]


def cells_of(rows):
    return [cell for _unit, cells in rows for cell in cells]
