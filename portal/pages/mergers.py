"""Mergers: the list with its status on the day shown (and its file), and a
merger's own page, whose file is its dated statuses."""

from functools import cached_property

import django_filters
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from agencies.dates import sort_day
from agencies.models import Holding, LegalDocument, Post
from mergers.models import NO_STATUS, Constituent, Headcount, Merger, Milestone, Status, headcount_change

from ..exports import (
    POSSIBLE_STATUS_COLUMNS,
    RECORD_ID,
    STATUS_DATE_COLUMNS,
    C,
    Report,
    T,
    attr,
    citation_columns,
    merger_unit_columns,
    slugs,
)
from ..exports import headcount_change as headcount_change_column
from ..filters import DistrictFilter, ModelFilter, PortalFilterSet, TextFilter, YearFilter
from .base import Download, ListPage, Page, citations
from .milestones import MILESTONES

MERGERS = Report(
    name="mergers",
    title=_("Mergers"),
    description=_("Each merger with its status on the chosen date and its headcount."),
    select_related=("unit", "model", "result"),
    prefetch_related=("constituents", "basis", "sources", "citations__source"),
    columns=(
        RECORD_ID,
        C("slug", T.IDENTIFIER, _("Identifier of the merger"), attr("slug")),
        *merger_unit_columns(),
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
        *STATUS_DATE_COLUMNS,
        *POSSIBLE_STATUS_COLUMNS,
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
            headcount_change_column,
        ),
        C(
            "basis_document_numbers",
            T.LIST,
            _("Numbers of the legal documents it is based on, separated by ;"),
            slugs("basis", key="number"),
        ),
        *citation_columns(),
    ),
)


class MergerFilter(PortalFilterSet):
    district = DistrictFilter()
    model = ModelFilter()
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=[*Status.choices, (NO_STATUS, _("No record"))], empty_label=_("Any status")
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Merger.Kind.choices, empty_label=_("Any kind"))
    year_from = YearFilter(label=_("Status year from"), field_name="status_date_latest__year", lookup_expr="gte")
    year_to = YearFilter(label=_("Status year to"), field_name="status_date_latest__year", lookup_expr="lte")
    q = TextFilter()
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            (("unit__gso_code", "model__order"), "district"),
            (("model__order", "unit__gso_code"), "model"),
            ("status", "status"),
            ("status_date", "date"),
        ),
        field_labels={"district": _("District"), "model": _("Model"), "status": _("Status"), "date": _("Date")},
        empty_label=_("Default order"),
    )

    class Meta:
        model = Merger
        fields = []


def merger_rows(mergers):
    """Mergers with what a list row shows: unit, model, result, constituents."""
    return mergers.select_related("model", "unit", "result").prefetch_related(
        Prefetch(
            "constituent_links",
            queryset=Constituent.objects.select_related("body").order_by("order", "pk"),
            to_attr="links",
        )
    )


class MergerList(ListPage):
    name = "merger_list"
    route = "mergers/"
    template = "portal/merger_list.html"
    menu = _("Mergers")
    scoped = dated = True
    filterset = MergerFilter
    object_name = "mergers"
    downloads = (Download(MERGERS),)

    def base(self):
        mergers = Merger.objects.with_status(self.day).with_headcount()
        return self.in_scope(mergers).order_by("unit__gso_code", "model__order", "slug")

    def shown(self, rows):
        return merger_rows(rows)


class MergerDetail(Page):
    name = "merger"
    route = "mergers/<int:pk>/"
    template = "portal/merger_detail.html"
    dated = True
    # The merger's dated statuses, whatever the day shown: the milestones report.
    downloads = (Download(MILESTONES, rows="milestones", dated=False),)

    def subject(self):
        return get_object_or_404(Merger.objects.only("slug"), pk=self.kwargs["pk"]).slug

    def milestones(self):
        return Milestone.objects.filter(merger_id=self.kwargs["pk"]).order_by(sort_day("date"), "pk")

    @cached_property
    def merger(self):
        holders = Holding.objects.exclude(holder_name="").order_by("reported_on", "slug")
        return get_object_or_404(
            merger_rows(Merger.objects.with_status(self.day).with_headcount())
            .prefetch_related(
                Prefetch("basis", queryset=LegalDocument.objects.order_by("signed_on", "number"), to_attr="basis_list"),
                Prefetch(
                    "milestones",
                    queryset=Milestone.objects.select_related("basis").prefetch_related(citations(Milestone)),
                    to_attr="milestone_list",
                ),
                Prefetch(
                    "headcounts",
                    queryset=Headcount.objects.prefetch_related(citations(Headcount)).order_by("phase"),
                    to_attr="headcount_list",
                ),
                Prefetch(
                    "result__posts",
                    queryset=Post.objects.prefetch_related(
                        Prefetch("holdings", queryset=holders, to_attr="holder_list")
                    ).order_by("title_vi"),
                    to_attr="post_list",
                ),
                citations(Merger),
            )
            .select_related("model", "unit__province"),
            pk=self.kwargs["pk"],
        )

    def context(self):
        before, after = self.merger.headcount_before, self.merger.headcount_after
        change, percent = headcount_change(before, after)
        return {"merger": self.merger, "before": before, "after": after, "change": change, "percent": percent}
