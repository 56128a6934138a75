"""FilterSets of the analysis pages: headcount, timeline, titles, figures, milestones.

Districts and merger models are offered as slugs, so a filtered page has a
readable address (`?district=uong-bi&model=to-chuc-noi-vu`). Their choices are
loaded once per request (`ScopeChoices`), never per field, so the page's query
count stays fixed. An invalid value is a form error; the other filters still
apply.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from agencies.dates import sort_day
from agencies.models import AdministrativeUnit, Holding, Post
from agencies.text import fold
from mergers.models import STATUS_RANK, Merger, MergerModel, Milestone, ReportedFigure, Status

from .filters import YearFilter
from .timeline import KIND_CHOICES


class ScopeChoices:
    """The districts (of a province, or all) and merger models to choose from."""

    def __init__(self, province, need_models=True):
        units = AdministrativeUnit.objects.districts()
        if province is not None:
            units = units.filter(province=province)
        self.districts = list(units.order_by("gso_code", "name_vi"))
        self.models = list(MergerModel.objects.order_by("order", "slug")) if need_models else []
        self.province = province

    def district_choices(self):
        return [(unit.slug, unit.name) for unit in self.districts]

    def model_choices(self):
        return [(model.slug, model.short or model.name) for model in self.models]


class YearRangeForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        year_from, year_to = cleaned.get("year_from"), cleaned.get("year_to")
        if year_from is not None and year_to is not None and year_from > year_to:
            self.add_error("year_to", _("The last year cannot be before the first year."))
        return cleaned


class AnalysisFilterSet(django_filters.FilterSet):
    """Takes `choices=ScopeChoices(...)` and fills the district/model choices from it."""

    def __init__(self, data=None, queryset=None, *, choices=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.choices = choices
        if choices is not None:
            if "district" in self.filters:
                self.filters["district"].extra["choices"] = choices.district_choices()
            if "model" in self.filters:
                self.filters["model"].extra["choices"] = choices.model_choices()

    @property
    def criteria(self):
        """The valid filter values, by name (invalid ones left out)."""
        if not self.is_bound:
            return {}
        self.form.is_valid()
        return {name: value for name, value in self.form.cleaned_data.items() if value not in (None, "")}


def district_filter(field_path):
    return django_filters.ChoiceFilter(
        label=_("District"), field_name=f"{field_path}__district__slug", empty_label=_("All districts")
    )


def model_filter(field_path):
    return django_filters.ChoiceFilter(label=_("Merger model"), field_name=field_path, empty_label=_("All models"))


class HeadcountFilter(AnalysisFilterSet):
    district = district_filter("unit")
    model = model_filter("model__slug")

    class Meta:
        model = Merger
        fields = []


class TimelineFilter(AnalysisFilterSet):
    """Validates the timeline's filters; `portal.timeline.build_events` applies them."""

    district = django_filters.ChoiceFilter(label=_("District"), empty_label=_("All districts"), method="keep")
    model = django_filters.ChoiceFilter(label=_("Merger model"), empty_label=_("All models"), method="keep")
    kind = django_filters.ChoiceFilter(
        label=_("Kind of event"), choices=KIND_CHOICES, empty_label=_("All kinds"), method="keep"
    )
    year_from = YearFilter(label=_("From year"), method="keep")
    year_to = YearFilter(label=_("To year"), method="keep")
    q = django_filters.CharFilter(label=_("Text"), method="keep", max_length=200)

    class Meta:
        model = Milestone
        fields = []
        form = YearRangeForm

    def keep(self, queryset, name, value):
        return queryset


SORT_CHOICES = [("date", _("Oldest first")), ("-date", _("Newest first"))]


class MilestoneFilter(AnalysisFilterSet):
    district = district_filter("merger__unit")
    model = model_filter("merger__model__slug")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices, empty_label=_("All statuses"))
    year_from = YearFilter(label=_("From year"), field_name="date", lookup_expr="year__gte")
    year_to = YearFilter(label=_("To year"), field_name="date", lookup_expr="year__lte")
    sort = django_filters.ChoiceFilter(label=_("Sort"), choices=SORT_CHOICES, empty_label=None, method="sort_by_date")

    class Meta:
        model = Milestone
        fields = []
        form = YearRangeForm

    def sort_by_date(self, queryset, name, value):
        if value == "-date":
            return queryset.order_by(
                sort_day("date").desc(), -STATUS_RANK, "merger__unit__gso_code", "merger__model__order", "-pk"
            )
        return queryset


class TitleFilter(AnalysisFilterSet):
    district = district_filter("unit")
    combination = django_filters.ChoiceFilter(
        label=_("Unified title"), choices=Holding.Combination.choices, empty_label=_("All unified titles")
    )
    q = django_filters.CharFilter(label=_("Text"), method="search", max_length=200)

    class Meta:
        model = Holding
        fields = []

    def search(self, queryset, name, value):
        folded = fold(value)
        if queryset.model is ReportedFigure:
            return queryset.filter(Q(statement_vi__icontains=value) | Q(statement_en__icontains=value))
        posts = Post.objects.filter(holdings=OuterRef("pk"), search_text__contains=folded)
        return queryset.filter(Exists(posts) | Q(unit__search_text__contains=folded) | Q(holder_name__icontains=value))


class TitleFigureFilter(TitleFilter):
    """The same filters, applied to the reported figures about unified titles."""

    class Meta:
        model = ReportedFigure
        fields = []


class FigureFilter(AnalysisFilterSet):
    district = django_filters.ChoiceFilter(label=_("Scope"), empty_label=_("All scopes"), method="in_scope")
    model = model_filter("merger_models__slug")
    q = django_filters.CharFilter(label=_("Text"), method="search", max_length=200)

    class Meta:
        model = ReportedFigure
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.choices is not None:
            province = self.choices.province
            scopes = self.choices.district_choices()
            if province is not None:
                scopes = [(province.slug, province.name), *scopes]
            self.filters["district"].extra["choices"] = scopes

    def in_scope(self, queryset, name, value):
        return queryset.filter(Q(unit__slug=value) | Q(unit__district__slug=value))

    def search(self, queryset, name, value):
        return queryset.filter(Q(statement_vi__icontains=value) | Q(statement_en__icontains=value))
