"""Post holdings and unified titles (one person holding two or more posts),
the figures the sources give about them, and their file."""

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from agencies.models import Holding, Post
from mergers.models import ReportedFigure

from ..exports import (
    RECORD_ID,
    UNIT_COLUMNS,
    UNIT_JOINS,
    C,
    Report,
    T,
    attr,
    citation_columns,
    is_set,
    slugs,
    uncertain_date,
)
from ..filters import MAX_QUERY_LENGTH, DistrictFilter, PortalFilterSet
from .base import Download, ListPage, citations, province_first
from .figures import statement_matches

TITLES = Report(
    name="titles",
    title=_("Post holdings and unified titles"),
    description=_("Posts held, alone or two or more at once (a unified title), with their dates."),
    select_related=UNIT_JOINS,
    prefetch_related=("posts", "sources", "citations__source"),
    columns=(
        RECORD_ID,
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
)


class TitleFilter(PortalFilterSet):
    district = DistrictFilter()
    combination = django_filters.ChoiceFilter(
        label=_("Unified title"), choices=Holding.Combination.choices, empty_label=_("All unified titles")
    )
    q = django_filters.CharFilter(label=_("Text"), method="search", max_length=MAX_QUERY_LENGTH)

    class Meta:
        model = Holding
        fields = []

    def search(self, queryset, name, value):
        return queryset.matching(value)  # a post's, unit's or holder's name


class TitleFigureFilter(TitleFilter):
    """The same filters, applied to the reported figures about unified titles."""

    class Meta:
        model = ReportedFigure
        fields = []

    def search(self, queryset, name, value):
        return statement_matches(queryset, name, value)


def with_posts(holdings):
    return holdings.select_related("unit__district").prefetch_related(
        Prefetch("posts", queryset=Post.objects.order_by("pk")), citations(Holding)
    )


class TitleList(ListPage):
    name = "title_list"
    route = "titles/"
    template = "portal/titles.html"
    menu = _("Titles")
    scoped = True
    filterset = TitleFilter
    paginate_by = 100
    downloads = (Download(TITLES),)

    def base(self):
        holdings = self.in_scope(Holding.objects.all())
        return holdings.order_by(*province_first("unit"), "unit__name_vi", "combination", "slug")

    def shown(self, rows):
        return with_posts(rows.unified())

    def extra_context(self, holdings, page_obj):
        figures = self.in_scope(
            ReportedFigure.objects.exclude(combination="")
            .with_computed()
            .select_related("unit")
            .prefetch_related(citations(ReportedFigure))
        ).order_by(*province_first("unit"), "as_of", "slug")
        figures = TitleFigureFilter(self.request.GET, figures, choices=self.choices).rows([])
        return {"named_heads": list(with_posts(holdings.filter(combination=""))), "figures": list(figures)}
