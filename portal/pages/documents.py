"""Legal documents: the list and its file, and a document's own page with
what rests on it."""

import django_filters
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from agencies.dates import sort_day
from agencies.models import Event, LegalDocument, UnitChange
from mergers.models import Merger, MergerModel, Milestone

from ..exports import RECORD_ID, C, Report, T, attr, citation_columns, uncertain_date
from ..filters import PortalFilterSet, TextFilter
from .base import Download, ListPage, Page, citations

DOCUMENTS = Report(
    name="documents",
    title=_("Legal documents"),
    description=_("Decisions, resolutions and official letters behind the changes."),
    prefetch_related=("sources", "citations__source"),
    columns=(
        RECORD_ID,
        C("number", T.IDENTIFIER, _("The document's number (số hiệu)"), attr("number")),
        C(
            "kind",
            T.CODE,
            _("Kind: resolution, decision or letter"),
            attr("kind"),
            labels="agencies.LegalDocument.kind",
        ),
        C("title_vi", T.TEXT, _("Vietnamese title"), attr("title_vi")),
        C("title_en", T.TEXT, _("English title"), attr("title_en")),
        C("issuer", T.TEXT, _("Who issued it"), attr("issuer")),
        *uncertain_date("signed_on", _("Date signed")),
        *uncertain_date("effective_on", _("Date it took effect")),
        *citation_columns(),
    ),
)


class DocumentFilter(PortalFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=LegalDocument.Kind.choices, empty_label=_("Any kind"))
    q = TextFilter()

    class Meta:
        model = LegalDocument
        fields = []


class DocumentList(ListPage):
    name = "document_list"
    route = "documents/"
    template = "portal/document_list.html"
    menu = _("Documents")
    filterset = DocumentFilter
    object_name = "documents"
    downloads = (Download(DOCUMENTS),)

    def base(self):
        return LegalDocument.objects.order_by("signed_on", "number")

    def shown(self, rows):
        return rows.prefetch_related(citations(LegalDocument))


class DocumentDetail(Page):
    name = "document"
    route = "documents/<int:pk>/"
    template = "portal/document_detail.html"

    def context(self):
        document = get_object_or_404(
            LegalDocument.objects.prefetch_related(
                Prefetch(
                    "mergers",
                    queryset=Merger.objects.select_related("unit", "model").order_by("unit__gso_code", "slug"),
                    to_attr="merger_list",
                ),
                Prefetch("merger_models", queryset=MergerModel.objects.order_by("order", "slug"), to_attr="model_list"),
                Prefetch(
                    "milestones",
                    queryset=Milestone.objects.select_related("merger", "merger__unit").order_by(
                        sort_day("date"), "pk"
                    ),
                    to_attr="milestone_list",
                ),
                Prefetch(
                    "unit_changes",
                    queryset=UnitChange.objects.select_related("unit", "related_unit").order_by(sort_day("date"), "pk"),
                    to_attr="change_list",
                ),
                Prefetch(
                    "events",
                    queryset=Event.objects.select_related("unit").order_by(sort_day("date"), "pk"),
                    to_attr="event_list",
                ),
                citations(LegalDocument),
            ),
            pk=self.kwargs["pk"],
        )
        return {"document": document}
