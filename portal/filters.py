"""FilterSets for the list pages. The same FilterSet feeds the page and its CSV."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import AdministrativeUnit, Body, LegalDocument, Source
from agencies.text import fold, search_terms
from mergers.models import NO_STATUS, Merger, MergerModel, Status

MIN_YEAR, MAX_YEAR = 1900, 2100


class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", MIN_YEAR)
        kwargs.setdefault("max_value", MAX_YEAR)
        super().__init__(*args, **kwargs)


MAX_QUERY_LENGTH = 200
MAX_WORDS = 12


def clean_params(querydict):
    """GET parameters without NUL characters (PostgreSQL refuses them in a
    query), or None when there are none, so the FilterSet stays unbound."""
    if not querydict:
        return None
    params = querydict.copy()
    for key, values in querydict.lists():
        params.setlist(key, [value.replace("\x00", "") for value in values])
    return params


def search_words(text):
    """The folded words of a search; each must occur in a record's search_text."""
    return fold((text or "").replace("\x00", "")).split()[:MAX_WORDS]


def matching(queryset, text, field="search_text"):
    """Records whose search_text holds every term of the search, each term
    in any of its forms (agencies.text.search_terms: abbreviations both
    ways, words typed without spaces)."""
    for group in search_terms((text or "").replace("\x00", ""), MAX_WORDS):
        condition = Q()
        for phrase in group:
            condition |= Q(**{f"{field}__contains": phrase})
        queryset = queryset.filter(condition)
    return queryset


class TextFilter(django_filters.CharFilter):
    """Free text over the folded search_text: case and diacritics ignored."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Text"))
        kwargs.setdefault("max_length", MAX_QUERY_LENGTH)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return matching(qs, value)


def district_choices(request):
    units = AdministrativeUnit.objects.districts()
    province = getattr(request, "portal_province", None) if request is not None else None
    if province is not None:
        units = units.filter(province=province)
    return units.order_by("gso_code")


class DistrictFilter(django_filters.ModelChoiceFilter):
    """?district=<slug>: the district and every unit below it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("District"))
        kwargs.setdefault("queryset", district_choices)
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("empty_label", _("All districts"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(value.subtree_q())


class SlugModelChoiceFilter(django_filters.ModelChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(*args, **kwargs)


class MergerFilter(django_filters.FilterSet):
    district = DistrictFilter()
    model = SlugModelChoiceFilter(
        label=_("Merger model"), queryset=MergerModel.objects.order_by("order", "slug"), empty_label=_("All models")
    )
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

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by("unit__gso_code", "model__order", "slug")
        return queryset


class BodyFilter(django_filters.FilterSet):
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


class DocumentFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=LegalDocument.Kind.choices, empty_label=_("Any kind"))
    q = TextFilter()

    class Meta:
        model = LegalDocument
        fields = []


class SourceFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Source.Kind.choices, empty_label=_("Any kind"))
    q = TextFilter()

    class Meta:
        model = Source
        fields = []
