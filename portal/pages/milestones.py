"""Milestones: every dated status of every merger, and its file."""

import django_filters
from django.utils.translation import gettext_lazy as _

from agencies.dates import sort_day
from mergers.models import STATUS_RANK, Milestone, Status

from ..exports import RECORD_ID, C, Report, T, attr, citation_columns, merger_unit_columns, uncertain_date
from ..filters import DistrictFilter, ModelFilter, PortalFilterSet, YearFilter
from .base import Download, ListPage, citations

MILESTONES = Report(
    name="milestones",
    title=_("Milestones"),
    description=_("Every dated status of every merger, as the sources report it."),
    select_related=("merger", "merger__unit", "merger__model", "basis"),
    prefetch_related=("sources", "citations__source"),
    columns=(
        RECORD_ID,
        C("merger_id", T.INTEGER, _("Record number of the merger"), attr("merger_id")),
        C("merger_slug", T.IDENTIFIER, _("Identifier of the merger"), attr("merger.slug")),
        *merger_unit_columns("merger."),
        C(
            "status",
            T.CODE,
            _("Status reported: planned, in_progress, completed or reversed"),
            attr("status"),
            labels="status",
        ),
        *uncertain_date("date", _("Date of the status")),
        C("basis_document_number", T.IDENTIFIER, _("Number of the legal document behind it"), attr("basis.number")),
        C("note_vi", T.TEXT, _("Note (Vietnamese)"), attr("note_vi")),
        C("note_en", T.TEXT, _("Note (English)"), attr("note_en")),
        *citation_columns(),
    ),
)

SORT_CHOICES = [("date", _("Oldest first")), ("-date", _("Newest first"))]


class MilestoneFilter(PortalFilterSet):
    district = DistrictFilter("merger__unit")
    model = ModelFilter("merger__model")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices, empty_label=_("All statuses"))
    # A milestone is in the years its uncertain date may fall in (the
    # timeline's rule): "on or before 07/12/2019" is in 2015 as well as 2019.
    year_from = YearFilter(label=_("From year"), method="from_year")
    year_to = YearFilter(label=_("To year"), method="to_year")
    sort = django_filters.ChoiceFilter(label=_("Sort"), choices=SORT_CHOICES, empty_label=None, method="sort_by_date")

    class Meta:
        model = Milestone
        fields = []

    def from_year(self, queryset, name, year):
        return queryset.overlapping_years(("date",), year_from=year)

    def to_year(self, queryset, name, year):
        return queryset.overlapping_years(("date",), year_to=year)

    def sort_by_date(self, queryset, name, value):
        if value == "-date":
            return queryset.order_by(
                sort_day("date").desc(), -STATUS_RANK, "merger__unit__gso_code", "merger__model__order", "-pk"
            )
        return queryset


class MilestoneList(ListPage):
    name = "milestone_list"
    route = "milestones/"
    template = "portal/milestones.html"
    menu = _("Milestones")
    scoped = True
    filterset = MilestoneFilter
    downloads = (Download(MILESTONES),)

    def base(self):
        # Filed under the earliest day a milestone can mean, else its latest
        # (agencies.dates.sort_day), as the timeline files it.
        milestones = Milestone.objects.order_by(
            sort_day("date"), STATUS_RANK, "merger__unit__gso_code", "merger__model__order", "pk"
        )
        return self.in_scope(milestones, "merger__unit")

    def shown(self, rows):
        return rows.select_related("merger__unit", "merger__model", "basis").prefetch_related(citations(Milestone))
