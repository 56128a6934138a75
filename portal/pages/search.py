"""Search across every kind of record: the first few of each kind, or all
of one kind a page at a time."""

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from agencies.dates import sort_day
from agencies.models import AdministrativeUnit, Body, Event, EventParticipant, Holding, LegalDocument, Post, Source
from mergers.models import Merger

from ..filters import MAX_QUERY_LENGTH, matching
from .base import Page, paginate


class Search(Page):
    name = "search"
    route = "search/"
    template = "portal/search.html"
    group_size = 20  # results of each kind shown before "See all"
    paginate_by = 50  # results of one kind (?kind=) per page

    def groups(self, q):
        """(label, kind, the matching records of that kind)."""
        return [
            (
                _("Districts and units"),
                "unit",
                matching(AdministrativeUnit.objects.all(), q).order_by("gso_code", "name_vi"),
            ),
            (
                _("Bodies"),
                "body",
                matching(Body.objects.with_end(), q).select_related("unit").order_by("unit__gso_code", "name_vi"),
            ),
            (
                _("Mergers"),
                "merger",
                matching(Merger.objects.all(), q).select_related("unit", "model").order_by("unit__gso_code", "slug"),
            ),
            (
                _("Legal documents"),
                "document",
                matching(LegalDocument.objects.all(), q).order_by("signed_on", "number"),
            ),
            (
                _("Posts and unified titles"),
                "post",
                matching(Post.objects.all(), q)
                .select_related("unit", "body")
                .prefetch_related(
                    Prefetch("holdings", queryset=Holding.objects.order_by("slug"), to_attr="holding_list")
                )
                .order_by("unit__gso_code", "title_vi"),
            ),
            (
                _("People"),
                "person",
                matching(Holding.objects.exclude(holder_name=""), q)
                .select_related("unit")
                .prefetch_related(
                    Prefetch(
                        "posts", queryset=Post.objects.select_related("body").order_by("title_vi"), to_attr="post_list"
                    )
                )
                .order_by("holder_name", "slug"),
            ),
            # People the sources name at a conference or inspection, most of
            # whom hold no post of a unit stored here (central delegates).
            (
                _("People named at conferences, inspections and visits"),
                "participant",
                matching(EventParticipant.objects.all(), q).select_related("event").order_by("name", "pk"),
            ),
            (
                _("Conferences, inspections and visits"),
                "event",
                Event.objects.filter(
                    Q(pk__in=matching(Event.objects.all(), q).values("pk"))
                    | Q(pk__in=matching(EventParticipant.objects.all(), q).values("event"))
                )
                .select_related("unit")
                .order_by(sort_day("date"), "pk"),
            ),
            (_("Sources"), "source", matching(Source.objects.all(), q).order_by("published_on", "slug")),
        ]

    def context(self):
        q = self.request.GET.get("q", "").replace("\x00", "")
        too_long = len(q) > MAX_QUERY_LENGTH
        if too_long:
            self.notices.append(
                _("The search is too long (%(length)s characters); use at most %(max)s.")
                % {"length": len(q), "max": MAX_QUERY_LENGTH}
            )
        searched = not too_long and bool(q.strip())
        kind = page_obj = None
        shown = []
        if searched:
            groups = self.groups(q)
            # ?kind= shows every result of one group, a page at a time; without
            # it, the first few of each group with a link to all of them.
            kind = self.request.GET.get("kind")
            if kind not in {group_kind for _label, group_kind, _records in groups}:
                kind = None
            for label, group_kind, records in groups:
                if kind is None:
                    count, records = records.count(), list(records[: self.group_size])
                elif group_kind == kind:
                    page_obj = paginate(self.request, records, self.paginate_by)
                    count, records = page_obj.paginator.count, list(page_obj.object_list)
                else:
                    continue
                shown.append({"label": label, "kind": group_kind, "count": count, "records": records})
        return {
            "kind": kind,
            "page_obj": page_obj,
            "q": "" if too_long else q,
            "search_query": "" if too_long else q,
            "searched": searched,
            "groups": shown,
            "total": sum(g["count"] for g in shown),
            "group_size": self.group_size,
        }
