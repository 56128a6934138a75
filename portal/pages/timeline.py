"""The timeline: every dated event of the record (milestones, legal
documents, unit changes, unified titles), a page of entries at a time, and
its file of every event. The events are read by portal.timeline."""

from django.utils.translation import gettext_lazy as _

from mergers.models import Milestone

from ..exports import (
    PASSAGE_SEPARATOR,
    QUOTES_MEANING,
    SOURCES_MEANING,
    C,
    Report,
    T,
    attr,
    passage_label,
    uncertain_date,
)
from ..filters import INVALID
from ..timeline import (
    KIND_CHOICES,
    TimelineFilter,
    event_keys,
    group_by_year,
    iter_events,
    load_events,
    year_counts,
)
from ..timeline_chart import consolidation_chart
from .base import Download, ListPage, paginate


def event_source_ids(event):
    return sorted(getattr(item, "source", item).slug for item in (event.sources or []))


def event_passages(event):
    """A timeline event's sources with the passage each gives, as the
    `source_quotes` column of the other reports writes them."""
    return PASSAGE_SEPARATOR.join(
        sorted(
            passage_label(item.source.slug, item.quote, item.reasoning)
            for item in (event.sources or [])
            if hasattr(item, "source")
        )
    )


def event_people(event):
    return "; ".join(f"{person.name} ({person.role})" if person.role else person.name for person in event.people)


TIMELINE = Report(
    name="timeline",
    title=_("Timeline"),
    description=_(
        "Every dated event: milestones, legal documents, unit changes, unified titles, and the conferences, "
        "inspections and visits the sources report."
    ),
    columns=(
        *uncertain_date("date", _("Date of the event"), "edtf", "earliest", "latest"),
        C(
            "kind",
            T.CODE,
            _("Kind of event: milestone, document, unit_change, title or event (a conference, inspection or visit)"),
            attr("kind"),
        ),
        C("record_id", T.INTEGER, _("Record number of the event's record, within its kind"), attr("record_id")),
        C("title", T.TEXT, _("What happened"), attr("title")),
        C("unit_gso_code", T.IDENTIFIER, _("GSO code of the unit concerned"), attr("unit.gso_code")),
        C("unit_slug", T.IDENTIFIER, _("Identifier (slug) of the unit concerned"), attr("unit.slug")),
        C(
            "merger_model",
            T.IDENTIFIER,
            _("Identifier (slug) of the merger model, for milestones"),
            attr("model.slug"),
        ),
        C(
            "status",
            T.CODE,
            _("Status reported by a milestone; empty for other events"),
            attr("status"),
            labels="status",
        ),
        C("url", T.TEXT, _("Address of the record's page on this portal"), attr("url"), link=True),
        C(
            "people",
            T.TEXT,
            _("People the source names at a conference, inspection or visit, each with their role"),
            event_people,
        ),
        C("source_ids", T.LIST, SOURCES_MEANING, event_source_ids),
        C("source_quotes", T.TEXT, QUOTES_MEANING, event_passages),
    ),
)


class Timeline(ListPage):
    name = "timeline"
    route = "timeline/"
    template = "portal/timeline.html"
    menu = _("Timeline")
    scoped = True
    filterset = TimelineFilter  # applied to each kind of event by portal.timeline
    paginate_by = 100
    downloads = (Download(TIMELINE),)

    def base(self):
        return Milestone.objects.none()  # the events are read by portal.timeline

    def criteria(self):
        """The FilterSet for portal.timeline, or None when a filter is invalid."""
        if self.filter.invalid:
            self.notices.append(INVALID)
            return None
        return self.filter

    def rows(self):
        # Every event, built a chunk at a time as the download streams.
        filters = self.criteria()
        return [] if filters is None else iter_events(filters)

    def context(self):
        # Count and paginate the light (date, kind, record_id) keys of every
        # entry; build Events only for the page shown.
        filters = self.criteria()
        keys = [] if filters is None else event_keys(filters)
        page_obj = paginate(self.request, keys, self.paginate_by)
        page_obj.object_list = load_events(page_obj.object_list)
        counts = year_counts(keys)
        return {
            "filter": self.filter,
            "is_filtered": self.filter.is_filtered,
            "page_obj": page_obj,
            "years": group_by_year(page_obj.object_list),
            "year_counts": counts,
            "event_count": len(keys),
            "chart": None
            if filters is None
            else consolidation_chart(filters, sum(sum(kinds.values()) for kinds in counts.values())),
            "kinds": KIND_CHOICES,
        }
