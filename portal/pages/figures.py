"""Reported figures: aggregates as the sources state them, beside what the
records compute, and their file."""

import decimal

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mergers.models import ReportedFigure

from ..exports import RECORD_ID, C, Report, T, attr, citation_columns, slugs, uncertain_date
from ..filters import MAX_QUERY_LENGTH, ModelFilter, PortalFilterSet, ScopeFilter
from .base import Download, ListPage, citations, province_first


def figure_matches(obj):
    computed = getattr(obj, "computed", None)
    value = getattr(obj, "value", None)
    if computed is None or value is None:
        return None
    return decimal.Decimal(computed) == decimal.Decimal(value)


FIGURES = Report(
    name="figures",
    title=_("Reported figures"),
    description=_("Aggregates as the sources state them, beside what the records compute."),
    by_values=False,  # computed_value and matches_records read ReportedFigure.computed
    select_related=("unit",),
    prefetch_related=("merger_models", "sources", "citations__source"),
    columns=(
        RECORD_ID,
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
)


def statement_matches(queryset, name, value):
    """Figures whose statement (in either language) contains the text."""
    return queryset.filter(Q(statement_vi__icontains=value) | Q(statement_en__icontains=value))


class FigureFilter(PortalFilterSet):
    district = ScopeFilter()
    model = ModelFilter("merger_models")
    q = django_filters.CharFilter(label=_("Text"), method=statement_matches, max_length=MAX_QUERY_LENGTH)

    class Meta:
        model = ReportedFigure
        fields = []


class FigureList(ListPage):
    name = "figure_list"
    route = "figures/"
    template = "portal/figures.html"
    menu = _("Figures")
    scoped = True
    filterset = FigureFilter
    paginate_by = 100
    downloads = (Download(FIGURES),)

    def base(self):
        figures = self.in_scope(ReportedFigure.objects.with_computed())
        return figures.order_by(*province_first("unit"), "as_of", "slug")

    def shown(self, rows):
        return rows.select_related("unit").prefetch_related(citations(ReportedFigure), "merger_models")
