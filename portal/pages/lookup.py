"""Old-to-new lookup: which unit did an old commune (or province) become on
01/07/2025, and which units did a new one come from; and its file, one row
per succession."""

from dataclasses import dataclass
from functools import cached_property

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import AdministrativeUnit, UnitSuccession

from ..exports import C, Report, T, attr, uncertain_date
from ..filters import MAX_QUERY_LENGTH
from .base import Download, Page

MAX_UNITS = 25


class Direction(models.TextChoices):
    BECAME = "became", gettext_lazy("became")
    CAME_FROM = "came_from", gettext_lazy("came from")


@dataclass
class LookupRow:
    """A unit found, and one of its successions (the other unit on its far side)."""

    unit: AdministrativeUnit
    direction: str = ""
    other: AdministrativeUnit | None = None
    succession: UnitSuccession | None = None


LOOKUP = Report(
    name="lookup",
    title=gettext_lazy("Old to new administrative units"),
    description=gettext_lazy(
        "The units matching a name or GSO code (?q=), one row per unit they became or came from on 01/07/2025."
    ),
    by_values=False,  # its rows are LookupRows, never a queryset
    columns=(
        C("unit_name", T.TEXT, gettext_lazy("Vietnamese name of the unit found"), attr("unit.name_vi")),
        C("unit_gso_code", T.IDENTIFIER, gettext_lazy("GSO code of the unit found"), attr("unit.gso_code")),
        C(
            "parent_name",
            T.TEXT,
            gettext_lazy("Vietnamese name of the unit it belongs to"),
            attr("unit.parent.name_vi"),
            heading=gettext_lazy("Within"),
        ),
        C(
            "direction",
            T.CODE,
            gettext_lazy("became (the other unit is later) or came_from (it is earlier); empty when it has neither"),
            attr("direction"),
            labels=Direction,
            heading=gettext_lazy("Direction"),
        ),
        C(
            "other_unit_name",
            T.TEXT,
            gettext_lazy("Vietnamese name of the other unit"),
            attr("other.name_vi"),
            heading=gettext_lazy("Other unit"),
        ),
        C(
            "other_unit_gso_code",
            T.IDENTIFIER,
            gettext_lazy("GSO code of the other unit"),
            attr("other.gso_code"),
            heading=gettext_lazy("Other unit's GSO code"),
        ),
        C(
            "partly",
            T.BOOLEAN,
            gettext_lazy("Whether only part of the earlier unit went into the later one"),
            attr("succession.partly"),
            heading=gettext_lazy("Partly"),
        ),
        *uncertain_date(
            "effective",
            gettext_lazy("The day the succession took effect"),
            "succession.date_edtf",
            "succession.date",
            "succession.date_latest",
            heading=gettext_lazy("Effective"),
        ),
        C(
            "basis_document_number",
            T.IDENTIFIER,
            gettext_lazy("Number of the legal document behind it"),
            attr("succession.basis.number"),
        ),
    ),
)


def find(text):
    """[(unit, [successions to later units], [successions from earlier units])]
    for the first MAX_UNITS units matching `text`, and whether there were more.
    Two queries, whatever is found: units, successions."""
    units = list(
        AdministrativeUnit.objects.matching_name_or_code(text)
        .select_related("parent", "province")
        .order_by("name_folded", "valid_from", "gso_code")[: MAX_UNITS + 1]
    )
    more = len(units) > MAX_UNITS
    units = units[:MAX_UNITS]
    ids = [u.pk for u in units]
    later, earlier = {}, {}
    for row in UnitSuccession.objects.filter(Q(predecessor__in=ids) | Q(successor__in=ids)).listed():
        later.setdefault(row.predecessor_id, []).append(row)
        earlier.setdefault(row.successor_id, []).append(row)
    return [(u, later.get(u.pk, []), earlier.get(u.pk, [])) for u in units], more


def lookup_rows(results):
    """One LookupRow per succession of each unit found (one for a unit without any)."""
    for unit, later, earlier in results:
        for row in later:
            yield LookupRow(unit, Direction.BECAME, row.successor, row)
        for row in earlier:
            yield LookupRow(unit, Direction.CAME_FROM, row.predecessor, row)
        if not later and not earlier:
            yield LookupRow(unit)


class Lookup(Page):
    name = "lookup"
    route = "lookup/"
    template = "portal/lookup.html"
    menu = gettext_lazy("Old to new units")
    downloads = (Download(LOOKUP),)
    params = ("q",)

    @cached_property
    def text(self):
        text = self.request.GET.get("q", "").strip()
        if len(text) > MAX_QUERY_LENGTH:
            self.notices.append(
                _("The search text is too long; it was shortened to %(n)s characters.") % {"n": MAX_QUERY_LENGTH}
            )
            text = text[:MAX_QUERY_LENGTH]
        return text

    def found(self):
        return find(self.text) if self.text else ([], False)

    def subject(self):
        return self.text[:60] or None

    def rows(self):
        return list(lookup_rows(self.found()[0]))

    def context(self):
        results, more = self.found()
        return {"q": self.text, "results": results, "more": more, "max_units": MAX_UNITS}
