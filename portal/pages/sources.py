"""Sources: the articles and registers every record cites (the list and its
file), and a source's own page with every record that cites it."""

import django_filters
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from agencies.dates import sort_day
from agencies.models import Post, Source

from ..exports import RECORD_ID, C, Report, T, attr, uncertain_date
from ..filters import PortalFilterSet, TextFilter
from .base import Download, ListPage, Page

SOURCES = Report(
    name="sources",
    title=_("Sources"),
    description=_("The articles and registers every record cites."),
    columns=(
        RECORD_ID,
        C("slug", T.IDENTIFIER, _("Identifier of the source, as used in source_ids"), attr("slug")),
        C("kind", T.CODE, _("Kind: article or register"), attr("kind"), labels="agencies.Source.kind"),
        C("title", T.TEXT, _("Title"), attr("title")),
        C("publisher", T.TEXT, _("Publisher"), attr("publisher")),
        C("author", T.TEXT, _("Author"), attr("author")),
        *uncertain_date("published_on", _("Date published")),
        C(
            "date_note",
            T.TEXT,
            _("How the date was established when the source does not print it"),
            attr("date_note"),
        ),
        C("url", T.TEXT, _("Address of the original"), attr("url")),
        C("seed_file", T.TEXT, _("File name of the archived copy"), attr("seed_file")),
    ),
)


class SourceFilter(PortalFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Source.Kind.choices, empty_label=_("Any kind"))
    q = TextFilter()

    class Meta:
        model = Source
        fields = []


class SourceList(ListPage):
    name = "source_list"
    route = "sources/"
    template = "portal/source_list.html"
    menu = _("Sources")
    filterset = SourceFilter
    object_name = "sources"
    downloads = (Download(SOURCES),)

    def base(self):
        return Source.objects.order_by("published_on", "slug")


class SourceDetail(Page):
    name = "source"
    route = "sources/<int:pk>/"
    template = "portal/source_detail.html"
    group_size = 200  # records shown per kind of citing record

    def groups(self, source):
        """(label, kind, the records of that kind citing the source)."""
        by_date = sort_day("date"), "pk"
        return [
            (_("Administrative units"), "unit", source.units.order_by("gso_code", "name_vi")),
            (_("Bodies"), "body", source.bodies.select_related("unit").order_by("unit__gso_code", "name_vi")),
            (
                _("Mergers"),
                "merger",
                source.mergers.select_related("unit", "model").order_by("unit__gso_code", "slug"),
            ),
            (_("Merger models"), "model", source.merger_models.order_by("order", "slug")),
            (
                _("Milestones"),
                "milestone",
                source.milestones.select_related("merger", "merger__unit").order_by(*by_date),
            ),
            (
                _("Headcount figures"),
                "headcount",
                source.headcounts.select_related("merger", "merger__unit").order_by("merger__slug", "phase"),
            ),
            (
                _("Post holdings and unified titles"),
                "holding",
                source.holdings.select_related("unit")
                .prefetch_related(Prefetch("posts", queryset=Post.objects.order_by("title_vi"), to_attr="post_list"))
                .order_by("unit__gso_code", "slug"),
            ),
            (
                _("Reported figures"),
                "figure",
                source.reported_figures.select_related("unit").order_by("as_of", "slug"),
            ),
            (_("Legal documents"), "document", source.documents.order_by("signed_on", "number")),
            (
                _("Unit changes"),
                "unit_change",
                source.unit_changes.select_related("unit", "related_unit").order_by(*by_date),
            ),
            (_("Posts"), "post", source.posts.select_related("unit").order_by("unit__gso_code", "title_vi")),
            (_("Conferences, inspections and visits"), "event", source.events.order_by(*by_date)),
            (
                _("People named at events"),
                "participant",
                source.event_participants.select_related("event").order_by("event__date", "event__pk", "order", "pk"),
            ),
        ]

    def context(self):
        source = get_object_or_404(Source, pk=self.kwargs["pk"])
        size = self.group_size
        groups = []
        for label, kind, records in self.groups(source):
            # Each group is bounded: one more row than shown tells whether there are more.
            rows = list(records[: size + 1])
            groups.append({"label": label, "kind": kind, "records": rows[:size], "more": len(rows) > size})
        return {
            "source": source,
            "groups": groups,
            "group_size": size,
            "cited_count": sum(len(g["records"]) for g in groups),
            "more": any(g["more"] for g in groups),
        }
