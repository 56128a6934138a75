"""Conferences, inspections, workshops and visits the sources report: an
event's own page (they are listed on the timeline)."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from agencies.models import Event, LegalDocument

from .base import Page


class EventDetail(Page):
    """A conference, inspection, workshop or visit: when and where, what the
    source says happened, the documents it concerned, who was there in what
    role, each with the passage it rests on."""

    name = "event"
    route = "events/<int:pk>/"
    template = "portal/event_detail.html"

    def context(self):
        documents = LegalDocument.objects.order_by("signed_on", "number")
        event = get_object_or_404(
            Event.objects.with_people()
            .select_related("unit__district", "unit__province")
            .prefetch_related(Prefetch("documents", queryset=documents, to_attr="document_list")),
            pk=self.kwargs["pk"],
        )
        return {"event": event}
