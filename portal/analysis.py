"""Cross-cutting report pages: headcount, timeline, unified titles, figures, milestones.

Thin views: each resolves the province scope, wires a FilterSet from
`filters_analysis` to a queryset method of the models, and answers
`?format=csv` with the same filtered rows (`portal.exports`). Every page runs
a fixed number of queries, whatever the amount of data.
"""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from agencies.models import AdministrativeUnit, Holding, Post
from mergers.models import STATUS_RANK, Headcount, Merger, MergerModel, Milestone, ReportedFigure, headcount_change

from . import exports
from .filters_analysis import (
    FigureFilter,
    HeadcountFilter,
    MilestoneFilter,
    ScopeChoices,
    TimelineFilter,
    TitleFigureFilter,
    TitleFilter,
)
from .scope import current_province
from .timeline import KIND_CHOICES, event_keys, group_by_year, iter_events, load_events, one_per_source, year_counts
from .timeline_chart import consolidation_chart

PAGE_SIZE = 100
MILESTONE_PAGE_SIZE = 50
HEADCOUNT_PAGE_SIZE = 50  # mergers in the table and chart; Quảng Ninh's 47 fit on one


# -- shared helpers ----------------------------------------------------------


def _wants_csv(request):
    """Whether the page is asked for as a file (?format=csv or ?format=xlsx)."""
    return exports.wants_file(request) is not None


def _keep_params(request):
    """GET parameters the filter forms must carry along (the province scope)."""
    province = request.GET.get("province")
    return [("province", province)] if province else []


def _page(request, items, size=PAGE_SIZE):
    return Paginator(items, size).get_page(request.GET.get("page"))


def province_first(unit_path):
    """Order by unit: a province (which has no district) first, then by GSO code."""
    return (F(f"{unit_path}__district__gso_code").asc(nulls_first=True), f"{unit_path}__gso_code")


def _citations(model):
    """A record's citations (source and passage) as `source_list`, for the sources include."""
    citations = model.sources.through.objects.select_related("source").order_by("source__published_on", "source__slug")
    return Prefetch("citations", queryset=citations, to_attr="source_list")


def _posts():
    return Prefetch("posts", queryset=Post.objects.order_by("pk"))


def _context(request, filterset, **extra):
    return {
        "filter": filterset,
        "keep_params": _keep_params(request),
        "is_filtered": any(filterset.criteria.get(name) for name in filterset.filters if name != "sort"),
        **extra,
    }


# -- headcount ---------------------------------------------------------------


@dataclass
class HeadcountRow:
    merger: Merger
    before: int | None
    after: int | None
    sources: list = field(default_factory=list)

    @property
    def known(self):
        return self.before is not None and self.after is not None

    @property
    def change(self):
        return headcount_change(self.before, self.after)[0] if self.known else None

    @property
    def percent(self):
        return headcount_change(self.before, self.after)[1] if self.known else None


@dataclass
class HeadcountTotal:
    """Sums over the mergers of a group whose before AND after figures are known."""

    label: str
    url: str = ""
    order: tuple = ()
    mergers: int = 0
    known: int = 0
    before: int = 0
    after: int = 0

    @property
    def unknown(self):
        return self.mergers - self.known

    def add(self, row):
        self.mergers += 1
        if row.known:
            self.known += 1
            self.before += row.before
            self.after += row.after

    @property
    def change(self):
        return headcount_change(self.before, self.after)[0] if self.known else None

    @property
    def percent(self):
        return headcount_change(self.before, self.after)[1] if self.known else None


def headcount_row(merger):
    """A merger's row: its figures and the citations of its headcount figures,
    one note per source (the before and after figures usually rest on the same
    sentence).

    `merger` comes from `Merger.objects.with_headcount()` with its
    `headcounts` and their citations (`source_list`) prefetched.
    """
    citations = [citation for figure in merger.headcounts.all() for citation in figure.source_list]
    return HeadcountRow(merger, merger.headcount_before, merger.headcount_after, one_per_source(citations))


def headcount_totals(mergers, by_province=False):
    """Totals per district (per province when `by_province`), per model and overall.

    Reads only the figures and the group keys of every merger (one values
    query), then the groups' units and models: no merger is built, so the
    totals cost the same few queries for 50 mergers or 15,000.
    """
    group_field = "unit__province_id" if by_province else "unit__district_id"
    figures = mergers.order_by().values_list(group_field, "unit_id", "model_id", "headcount_before", "headcount_after")
    by_group, by_model = {}, {}
    total = HeadcountTotal(label=_("All mergers"))
    for group_id, unit_id, model_id, before, after in figures:
        row = HeadcountRow(None, before, after)
        # A province's own mergers are grouped under the province itself.
        by_group.setdefault(group_id or unit_id, HeadcountTotal(label="")).add(row)
        by_model.setdefault(model_id, HeadcountTotal(label="")).add(row)
        total.add(row)
    for unit in AdministrativeUnit.objects.filter(pk__in=by_group):
        group = by_group[unit.pk]
        group.label, group.url = unit.name, unit.get_absolute_url()
        group.order = (unit.level != AdministrativeUnit.Level.PROVINCE, len(unit.gso_code or ""), unit.gso_code or "")
    models = {model.pk: model for model in MergerModel.objects.filter(pk__in=[pk for pk in by_model if pk])}
    for model_id, group in by_model.items():
        model = models.get(model_id)
        if model is None:
            group.label, group.order = _("No merger model"), (1, 0, "")
        else:
            group.label, group.url, group.order = model.short, model.get_absolute_url(), (0, model.order, model.slug)
    return {
        "by_group": sorted(by_group.values(), key=lambda t: t.order),  # province first
        "by_model": sorted(by_model.values(), key=lambda t: t.order),
        "total": total,
    }


@require_safe
def headcount(request):
    province = current_province(request)
    choices = ScopeChoices(province)
    mergers = Merger.objects.with_headcount()
    if province is not None:
        mergers = mergers.in_province(province)
    mergers = mergers.order_by(*province_first("unit"), "model__order", "slug")
    filterset = HeadcountFilter(request.GET, mergers, choices=choices)
    if _wants_csv(request):
        if "long" in (request.GET.get("shape"), request.GET.get("layout")):
            figures = Headcount.objects.filter(merger__in=filterset.qs.values("pk")).order_by(
                "merger__unit__gso_code", "merger__slug", "phase"
            )
            return exports.export_response(request, "headcount_long", figures)
        return exports.export_response(request, "headcount", filterset.qs)
    totals = headcount_totals(filterset.qs, by_province=province is None)
    # The per-merger table and its chart show one page; the totals are over all.
    page_obj = _page(
        request,
        filterset.qs.select_related("unit__district", "model").prefetch_related(
            Prefetch("headcounts", queryset=Headcount.objects.prefetch_related(_citations(Headcount)))
        ),
        HEADCOUNT_PAGE_SIZE,
    )
    rows = [headcount_row(merger) for merger in page_obj.object_list]
    # What the sources say about headcount as a whole (the Front bloc's 12.54 % cut).
    figures = (
        ReportedFigure.objects.about_headcount()
        .in_scope_of(province)
        .select_related("unit")
        .prefetch_related(_citations(ReportedFigure))
        .order_by("as_of", "slug")
    )
    group_heading = (_("Per province"), _("Province")) if province is None else (_("Per district"), _("District"))
    return render(
        request,
        "portal/headcount.html",
        _context(
            request,
            filterset,
            rows=rows,
            page_obj=page_obj,
            chart_rows=[row for row in rows if row.before is not None or row.after is not None],
            figures=figures,
            total=totals["total"],
            total_tables=[
                (*group_heading, totals["by_group"]),
                (_("Per merger model"), _("Merger model"), totals["by_model"]),
            ],
        ),
    )


# -- timeline ----------------------------------------------------------------


@require_safe
def timeline(request):
    province = current_province(request)
    filterset = TimelineFilter(request.GET, Milestone.objects.none(), choices=ScopeChoices(province))
    filters = {"province": province, **filterset.criteria}
    if _wants_csv(request):
        # Every event, built a chunk at a time as the download streams.
        return exports.export_response(request, "timeline", iter_events(filters))
    # Count and paginate the light (date, kind, record_id) keys of every
    # event; build Events only for the page shown.
    keys = event_keys(filters)
    page_obj = _page(request, keys)
    page_obj.object_list = load_events(page_obj.object_list)
    return render(
        request,
        "portal/timeline.html",
        _context(
            request,
            filterset,
            page_obj=page_obj,
            years=group_by_year(page_obj.object_list),
            year_counts=year_counts(keys),
            event_count=len(keys),
            chart=consolidation_chart(filters),
            kinds=KIND_CHOICES,
        ),
    )


# -- unified titles ----------------------------------------------------------


@require_safe
def title_list(request):
    province = current_province(request)
    choices = ScopeChoices(province, need_models=False)
    holdings = Holding.objects.select_related("unit__district").prefetch_related(_posts(), _citations(Holding))
    figures = (
        ReportedFigure.objects.exclude(combination="")
        .with_computed()
        .select_related("unit")
        .prefetch_related(_citations(ReportedFigure))
    )
    if province is not None:
        holdings = holdings.filter(province.subtree_q("unit"))
        figures = figures.filter(province.subtree_q("unit"))
    holdings = holdings.order_by(*province_first("unit"), "unit__name_vi", "combination", "slug")
    figures = figures.order_by(*province_first("unit"), "as_of", "slug")
    filterset = TitleFilter(request.GET, holdings, choices=choices)
    if _wants_csv(request):
        return exports.export_response(request, "titles", filterset.qs)
    figure_filter = TitleFigureFilter(request.GET, figures, choices=choices)
    page_obj = _page(request, filterset.qs.unified())
    return render(
        request,
        "portal/titles.html",
        _context(
            request,
            filterset,
            page_obj=page_obj,
            named_heads=list(filterset.qs.filter(combination="")),
            figures=list(figure_filter.qs),
        ),
    )


# -- reported figures --------------------------------------------------------


@require_safe
def figure_list(request):
    province = current_province(request)
    choices = ScopeChoices(province)
    figures = (
        ReportedFigure.objects.with_computed()
        .select_related("unit")
        .prefetch_related(_citations(ReportedFigure), "merger_models")
    )
    if province is not None:
        figures = figures.filter(province.subtree_q("unit"))
    figures = figures.order_by(*province_first("unit"), "as_of", "slug")
    filterset = FigureFilter(request.GET, figures, choices=choices)
    if _wants_csv(request):
        return exports.export_response(request, "figures", filterset.qs)
    return render(request, "portal/figures.html", _context(request, filterset, page_obj=_page(request, filterset.qs)))


# -- milestones --------------------------------------------------------------


@require_safe
def milestone_list(request):
    province = current_province(request)
    choices = ScopeChoices(province)
    milestones = (
        Milestone.objects.select_related("merger__unit", "merger__model", "basis")
        .prefetch_related(_citations(Milestone))
        .order_by("date", STATUS_RANK, "merger__unit__gso_code", "merger__model__order", "pk")
    )
    if province is not None:
        milestones = milestones.filter(province.subtree_q("merger__unit"))
    filterset = MilestoneFilter(request.GET, milestones, choices=choices)
    if _wants_csv(request):
        return exports.export_response(request, "milestones", filterset.qs)
    page_obj = _page(request, filterset.qs, MILESTONE_PAGE_SIZE)
    return render(request, "portal/milestones.html", _context(request, filterset, page_obj=page_obj))
