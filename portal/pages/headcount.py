"""Headcount before and after the mergers: per merger, totals per district
(or province) and model, and two files: one row per merger, or one row
per headcount figure."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from agencies.models import AdministrativeUnit
from mergers.models import Headcount, Merger, MergerModel, ReportedFigure, headcount_change

from ..exports import (
    RECORD_ID,
    C,
    Report,
    T,
    attr,
    citation_columns,
    headcount_change_percent,
    merger_unit_columns,
    uncertain_date,
)
from ..exports import headcount_change as headcount_change_column
from ..filters import DistrictFilter, ModelFilter, PortalFilterSet
from ..timeline import one_per_source
from .base import Download, ListPage, citations, province_first

HEADCOUNT = Report(
    name="headcount",
    title=_("Headcount per merger"),
    description=_("Authorised posts before and after each merger; empty where a figure is unknown."),
    select_related=("unit", "model"),
    columns=(
        C("merger_id", T.INTEGER, _("Record number of the merger"), attr("pk")),
        C("merger_slug", T.IDENTIFIER, _("Identifier of the merger"), attr("slug")),
        *merger_unit_columns(),
        C("title_vi", T.TEXT, _("Vietnamese title of the merger"), attr("title_vi")),
        C("headcount_before", T.INTEGER, _("Authorised posts before; empty when unknown"), attr("headcount_before")),
        C("headcount_after", T.INTEGER, _("Authorised posts after; empty when unknown"), attr("headcount_after")),
        C(
            "headcount_change",
            T.INTEGER,
            _("headcount_after minus headcount_before (negative for a cut)"),
            headcount_change_column,
        ),
        C(
            "headcount_change_percent",
            T.DECIMAL,
            _("The change as a percentage of headcount_before"),
            headcount_change_percent,
        ),
    ),
)

HEADCOUNT_LONG = Report(
    name="headcount_long",
    title=_("Headcount figures"),
    description=_("One row per headcount figure (before or after a merger) with its date and sources."),
    select_related=("merger", "merger__unit", "merger__model"),
    prefetch_related=("sources", "citations__source"),
    columns=(
        RECORD_ID,
        C("merger_id", T.INTEGER, _("Record number of the merger"), attr("merger_id")),
        C("merger_slug", T.IDENTIFIER, _("Identifier of the merger"), attr("merger.slug")),
        *merger_unit_columns("merger."),
        C("phase", T.CODE, _("before or after the merger"), attr("phase"), labels="mergers.Headcount.phase"),
        C("value", T.INTEGER, _("Number of authorised posts"), attr("value")),
        *uncertain_date("as_of", _("Date of the figure, if the source gives one")),
        C("note", T.TEXT, _("Note"), attr("note")),
        *citation_columns(),
    ),
)


class HeadcountFilter(PortalFilterSet):
    district = DistrictFilter()
    model = ModelFilter()

    class Meta:
        model = Merger
        fields = []


class Change:
    """The change from `before` to `after`, where `known`."""

    @property
    def change(self):
        return headcount_change(self.before, self.after)[0] if self.known else None

    @property
    def percent(self):
        return headcount_change(self.before, self.after)[1] if self.known else None


@dataclass
class HeadcountRow(Change):
    merger: Merger
    before: int | None
    after: int | None
    sources: list = field(default_factory=list)

    @property
    def known(self):
        return self.before is not None and self.after is not None


@dataclass
class HeadcountTotal(Change):
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

    def add(self, mergers, known, before, after):
        """Count `mergers` more, `known` of them with both figures summing to `before` and `after`."""
        self.mergers += mergers
        self.known += known
        self.before += before or 0
        self.after += after or 0


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

    The database sums the figures per group and model (one aggregate
    query, a row per district or province and model), then the groups'
    units and models are read: no merger is built, so the totals cost the
    same few queries for 50 mergers or 15,000.
    """
    group_field = "unit__province_id" if by_province else "unit__district_id"
    known = Q(headcount_before__isnull=False, headcount_after__isnull=False)
    sums = (
        mergers.order_by()
        # A province's own mergers are grouped under the province itself.
        .values_list(Coalesce(group_field, "unit_id"), "model_id")
        .annotate(
            count=Count("pk"),
            known=Count("pk", filter=known),
            before=Sum("headcount_before", filter=known),
            after=Sum("headcount_after", filter=known),
        )
    )
    by_group, by_model = {}, {}
    total = HeadcountTotal(label=_("All mergers"))
    for group_id, model_id, *counts in sums:
        by_group.setdefault(group_id, HeadcountTotal(label="")).add(*counts)
        by_model.setdefault(model_id, HeadcountTotal(label="")).add(*counts)
        total.add(*counts)
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


class HeadcountPage(ListPage):
    name = "headcount"
    route = "headcount/"
    template = "portal/headcount.html"
    menu = _("Headcount")
    scoped = True
    filterset = HeadcountFilter
    paginate_by = 50  # mergers in the table and chart; Quảng Ninh's 47 fit on one
    downloads = (Download(HEADCOUNT), Download(HEADCOUNT_LONG, rows="figures", layout="long"))

    def base(self):
        mergers = self.in_scope(Merger.objects.with_headcount())
        return mergers.order_by(*province_first("unit"), "model__order", "slug")

    def figures(self):
        """Every headcount figure of the filtered mergers."""
        return Headcount.objects.filter(merger__in=self.rows().values("pk")).order_by(
            "merger__unit__gso_code", "merger__slug", "phase"
        )

    def shown(self, rows):
        # The per-merger table and its chart show one page; the totals are over all.
        headcounts = Headcount.objects.prefetch_related(citations(Headcount))
        return rows.select_related("unit__district", "model").prefetch_related(
            Prefetch("headcounts", queryset=headcounts)
        )

    def extra_context(self, mergers, page_obj):
        province = self.province
        totals = headcount_totals(mergers, by_province=province is None)
        rows = [headcount_row(merger) for merger in page_obj.object_list]
        # What the sources say about headcount as a whole (the Front bloc's 12.54 % cut).
        figures = (
            ReportedFigure.objects.about_headcount()
            .in_scope_of(province)
            .select_related("unit")
            .prefetch_related(citations(ReportedFigure))
            .order_by("as_of", "slug")
        )
        group_heading = (_("Per province"), _("Province")) if province is None else (_("Per district"), _("District"))
        return {
            "rows": rows,
            "chart_rows": [row for row in rows if row.before is not None or row.after is not None],
            "figures": figures,
            "total": totals["total"],
            "total_tables": [
                (*group_heading, totals["by_group"]),
                (_("Per merger model"), _("Merger model"), totals["by_model"]),
            ],
        }
