"""Bodies: the Party, State and Front agencies (the list and its file), and a
body's own page with where it came from and what it became."""

import django_filters
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.models import Body
from mergers.models import Merger

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
    uncertain_date,
)
from ..filters import DistrictFilter, PortalFilterSet, TextFilter
from .base import Download, ListPage, Page, citations, posts_with_holders
from .mergers import merger_rows

BODIES = Report(
    name="bodies",
    title=_("Bodies"),
    description=_("Party, State and Front agencies, open and closed, with their successors."),
    select_related=UNIT_JOINS + ("successor",),
    annotations={"effective_end_reason": lambda rows: rows.with_end()},
    prefetch_related=("sources", "citations__source"),
    columns=(
        RECORD_ID,
        C("slug", T.IDENTIFIER, _("Identifier of the body"), attr("slug")),
        C("name_vi", T.TEXT, _("Vietnamese name"), attr("name_vi")),
        C("name_en", T.TEXT, _("English name"), attr("name_en")),
        C("abbreviation", T.TEXT, _("Abbreviation"), attr("abbreviation")),
        *UNIT_COLUMNS,
        C(
            "sector",
            T.CODE,
            _("Sector: party, state, front, joint or public_service"),
            attr("sector"),
            labels="agencies.Body.sector",
        ),
        C(
            "function",
            T.CODE,
            _("Function, e.g. organisation, inspection, mass_mobilisation"),
            attr("function"),
            labels="agencies.Body.function",
        ),
        *uncertain_date("founded_on", _("Date founded, if known")),
        *uncertain_date("ended_on", _("Date ended, if it ended")),
        C(
            "end_reason",
            T.CODE,
            _("Why it ended: merged, absorbed, renamed, split, abolished; empty if open"),
            attr("end_reason"),
            labels="agencies.Body.end_reason",
        ),
        C(
            "is_closed",
            T.BOOLEAN,
            _("Whether the body has ended, by its own record or with its unit"),
            is_set("effective_end_reason"),
        ),
        C(
            "effective_end_reason",
            T.CODE,
            _("Why it ended: its own reason, or unit_ended when it ended with its district; empty if open"),
            attr("effective_end_reason"),
            labels=lambda: {**dict(Body.EndReason.choices), Body.UNIT_ENDED: gettext("Ended with its unit")},
        ),
        C(
            "effective_end_edtf",
            T.EDTF,
            _("When it ended, its unit's end included (EDTF)"),
            attr("effective_end_edtf"),
        ),
        C(
            "successor_slug",
            T.IDENTIFIER,
            _("Identifier of the body it merged or was absorbed into"),
            attr("successor.slug"),
        ),
        *citation_columns(),
    ),
)


class BodyFilter(PortalFilterSet):
    OPEN, CLOSED = "open", "closed"

    district = DistrictFilter()
    sector = django_filters.ChoiceFilter(label=_("Sector"), choices=Body.Sector.choices, empty_label=_("Any sector"))
    function = django_filters.ChoiceFilter(
        label=_("Function"), choices=Body.Function.choices, empty_label=_("Any function")
    )
    state = django_filters.ChoiceFilter(
        label=_("Open or closed"),
        choices=[(OPEN, _("Open")), (CLOSED, _("Closed"))],
        empty_label=_("Open and closed"),
        method="filter_state",
    )
    q = TextFilter()
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            (("unit__gso_code", "name_vi"), "district"),
            ("name_vi", "name"),
            ("sector", "sector"),
            ("ended_on", "ended"),
        ),
        field_labels={"district": _("District"), "name": _("Name"), "sector": _("Sector"), "ended": _("End date")},
        empty_label=_("Default order"),
    )

    class Meta:
        model = Body
        fields = []

    def filter_state(self, queryset, name, value):
        if value == self.OPEN:
            return queryset.open()
        if value == self.CLOSED:
            return queryset.closed()
        return queryset


class BodyList(ListPage):
    name = "body_list"
    route = "bodies/"
    template = "portal/body_list.html"
    menu = _("Bodies")
    scoped = True
    filterset = BodyFilter
    object_name = "bodies"
    downloads = (Download(BODIES),)

    def base(self):
        return self.in_scope(Body.objects.with_end()).order_by("unit__gso_code", "name_vi")

    def shown(self, rows):
        return rows.select_related("unit", "successor")


class BodyDetail(Page):
    name = "body"
    route = "bodies/<int:pk>/"
    template = "portal/body_detail.html"
    dated = True

    def context(self):
        mergers = merger_rows(Merger.objects.with_status(self.day)).order_by("slug")
        body = get_object_or_404(
            Body.objects.with_end(self.day)
            .select_related("unit", "successor", "successor__unit")
            .prefetch_related(
                Prefetch(
                    "predecessors",
                    queryset=Body.objects.select_related("unit").order_by("name_vi"),
                    to_attr="predecessor_list",
                ),
                Prefetch("formed_by", queryset=mergers, to_attr="formed_by_list"),
                Prefetch("merged_in", queryset=mergers, to_attr="merged_in_list"),
                posts_with_holders(),
                citations(Body),
            ),
            pk=self.kwargs["pk"],
        )
        # Predecessors: bodies naming it as successor, and constituents of the
        # mergers it resulted from, each once.
        predecessors = {b.pk: b for b in body.predecessor_list}
        for merger in body.formed_by_list:
            for link in merger.links:
                predecessors.setdefault(link.body.pk, link.body)
        return {"body": body, "predecessors": sorted(predecessors.values(), key=lambda b: b.name_vi)}
