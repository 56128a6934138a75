"""Administrative units: the list of districts (and its file of units) and a
unit's own page, whose file is its mergers with their status."""

from functools import cached_property

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from agencies.dates import sort_day
from agencies.models import AdministrativeUnit, Body, Event, Holding, Post, UnitChange, UnitSuccession, seen_from
from mergers.models import Merger, Milestone, ReportedFigure

from .. import dashboard as matrix
from ..exports import RECORD_ID, C, Report, T, attr, citation_columns, uncertain_date
from .base import Download, ListPage, Page, citations
from .mergers import MERGERS, merger_rows

DISTRICTS = Report(
    name="districts",
    title=_("Administrative units"),
    description=_("Districts (and district-level cities and towns) with their GSO codes and validity."),
    select_related=("parent",),
    prefetch_related=("sources", "citations__source"),
    columns=(
        RECORD_ID,
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
)


def count_in(queryset):
    """How many of these records a district and the communes below it hold:
    a subquery, not a join, so bodies and mergers do not multiply each other."""
    rows = queryset.filter(unit__district=OuterRef("pk")).order_by().values("unit__district")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0)


class DistrictList(ListPage):
    name = "district_list"
    route = "districts/"
    template = "portal/district_list.html"
    menu = _("Districts")
    scoped = dated = True
    paginate_by = 50  # a province's districts on one page; the country's 700-odd, a page at a time
    object_name = "units"
    downloads = (Download(DISTRICTS),)

    def base(self):
        units = AdministrativeUnit.objects.districts().order_by("gso_code", "slug")
        return units if self.province is None else units.in_province(self.province)

    def shown(self, units):
        return units.select_related("province").annotate(
            body_count=count_in(Body.objects.all()),
            merger_count=count_in(Merger.objects.all()),
        )

    def finish(self, units):
        units = list(units)
        completed_by_unit = dict(
            Merger.objects.completed(self.day)
            .filter(unit__district__in=[unit.pk for unit in units])
            .order_by()
            .values_list("unit__district")
            .annotate(n=Count("pk"))
        )
        units = matrix.mark_ended(units, self.day)
        for unit in units:
            unit.completed_count = completed_by_unit.get(unit.pk, 0)
        return units


def in_unit_page(unit, prefix=""):
    """What a unit's page lists: the records of the unit and of the units
    below it; a province's page, its own only (its districts have pages)."""
    if unit.level == AdministrativeUnit.Level.PROVINCE:
        return Q(**{f"{prefix}unit": unit})
    return unit.subtree_q(f"{prefix}unit")


class DistrictDetail(Page):
    name = "district"
    route = "districts/<slug:slug>/"
    template = "portal/district_detail.html"
    dated = True
    # The unit's mergers with their status on the day shown: the mergers report.
    downloads = (Download(MERGERS, rows="mergers"),)

    @cached_property
    def unit(self):
        return get_object_or_404(
            AdministrativeUnit.objects.select_related("parent", "district", "province").prefetch_related(
                citations(AdministrativeUnit),
                Prefetch(
                    "children",
                    queryset=AdministrativeUnit.objects.order_by("gso_code", "name_vi"),
                    to_attr="child_list",
                ),
            ),
            slug=self.kwargs["slug"],
        )

    def subject(self):
        return self.unit.slug

    def mergers(self):
        return (
            Merger.objects.filter(in_unit_page(self.unit))
            .with_status(self.day)
            .with_headcount()
            .order_by("model__order", "slug")
        )

    def context(self):
        unit, day = self.unit, self.day
        scope = in_unit_page(unit)
        bodies = (
            Body.objects.with_end(day)
            .filter(scope)
            .select_related("unit", "successor")
            .order_by("unit__gso_code", "name_vi")
        )
        holdings = (
            Holding.objects.unified()
            .filter(scope)
            .select_related("unit")
            .prefetch_related(
                Prefetch("posts", queryset=Post.objects.order_by("title_vi"), to_attr="post_list"),
                citations(Holding),
            )
            .order_by("unit__gso_code", "combination", "slug")
        )
        heads = (
            Holding.objects.filter(scope, combination="")
            .exclude(holder_name="")
            .select_related("unit")
            .prefetch_related(
                Prefetch(
                    "posts", queryset=Post.objects.select_related("body").order_by("title_vi"), to_attr="post_list"
                ),
                citations(Holding),
            )
            .order_by("unit__gso_code", "slug")
        )
        figures = (
            ReportedFigure.objects.with_computed()
            .filter(unit=unit)
            .prefetch_related(citations(ReportedFigure))
            .order_by("as_of", "slug")
        )
        milestones = (
            Milestone.objects.filter(in_unit_page(unit, prefix="merger__"))
            .select_related("merger", "merger__unit", "basis")
            .prefetch_related(citations(Milestone))
        )
        events = list(Event.objects.filter(scope).with_people().order_by(sort_day("date"), "pk"))
        changes = seen_from(
            UnitChange.objects.concerning(unit)
            .select_related("unit", "related_unit", "basis")
            .prefetch_related(citations(UnitChange))
            .order_by(sort_day("date"), "pk"),
            unit,
        )
        # The children's ending changes are among the page's own (no query); the first wins.
        gone = {}
        for change in changes:
            if change.kind in matrix.ENDING_KINDS and change.date_latest and change.date_latest <= day:
                gone.setdefault(change.unit_id, change)
        matrix.mark_ended(unit.child_list, day, endings=gone)
        timeline = sorted(
            [("milestone", m.sort_day("date"), m) for m in milestones]
            + [("unit_change", c.sort_day("date"), c) for c in changes]
            + [("event", e.sort_day("date"), e) for e in events],
            key=lambda item: (item[1], item[0]),
        )
        matrix.mark_ended([unit], day)
        # 2025: grouped by the later unit, each with the units it came from.
        reorganisation = {}
        for row in UnitSuccession.objects.around(unit):
            reorganisation.setdefault(row.successor, []).append(row)
        return {
            "unit": unit,
            "reorganisation": list(reorganisation.items()),
            "bodies": bodies,
            "mergers": merger_rows(self.mergers()),
            "holdings": holdings,
            "heads": heads,
            "figures": figures,
            "events": events,
            "timeline": timeline,
            "changes": changes,
            "ending": unit.ending_change,
            "ended": unit.has_ended,
        }
