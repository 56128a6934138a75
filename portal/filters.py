"""The FilterSet family of the list pages: one base, one rule for invalid values.

Each list page declares its FilterSet beside it (portal/pages/); this module
holds what they are built from. The same FilterSet feeds the page, its CSV
and XLSX files and `manage.py export`, so a file always holds the rows of
the screen.

The rule for an invalid value (a district that does not exist, a year that
is not a number): it is a form error shown beside its field, the page says
that some filters are not valid, and it shows no rows -- nor does its file;
the `export` command refuses it. Rows filtered by only some of what the
reader asked for would look like an answer to the whole question.

Districts and merger models are offered as slugs, so a filtered page has a
readable address (`?district=uong-bi&model=to-chuc-noi-vu`). Their choices
are read once per request (`Choices`), when a filter first needs them, and
the filters use the units and models read, so the page's query count stays
fixed.
"""

from functools import cached_property

import django_filters
from django import forms
from django.db.models import Q
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from agencies.models import AdministrativeUnit
from agencies.text import search_q
from mergers.models import MergerModel

MIN_YEAR, MAX_YEAR = 1900, 2100
MAX_QUERY_LENGTH = 200
MAX_WORDS = 12
INVALID = _("Some filters are not valid; correct them to see results.")


def clean_params(querydict):
    """GET parameters without NUL characters (PostgreSQL refuses them in a
    query), or None when there are none, so the FilterSet stays unbound."""
    if not querydict:
        return None
    params = querydict.copy()
    for key, values in querydict.lists():
        params.setlist(key, [value.replace("\x00", "") for value in values])
    return params


def matching(queryset, text, field="search_text"):
    """Records whose search_text holds every term of the search, each term
    in any of its forms (agencies.text.search_terms: abbreviations both
    ways, words typed without spaces)."""
    return queryset.filter(search_q(text, lambda phrase: Q(**{f"{field}__contains": phrase}), MAX_WORDS))


class Choices:
    """The districts (of a province, or of every province) and the merger
    models a page's filters offer, each read once, when first needed."""

    def __init__(self, province=None):
        self.province = province

    @cached_property
    def districts(self):
        units = AdministrativeUnit.objects.districts()
        if self.province is not None:
            units = units.in_province(self.province)
        return {unit.slug: unit for unit in units.order_by("gso_code", "name_vi")}

    @cached_property
    def models(self):
        return {model.slug: model for model in MergerModel.objects.order_by("order", "slug")}

    def scopes(self):
        """The province itself (when there is one), then its districts."""
        own = {self.province.slug: self.province} if self.province is not None else {}
        return {**own, **self.districts}


class Options(BaseChoiceIterator):
    """A filter's choices, read from `Choices` only when the form iterates them."""

    def __init__(self, load):
        self.load = load

    def __iter__(self):
        return iter(self.load())

    def __len__(self):
        return len(self.load())

    def __deepcopy__(self, memo):
        # A form deep-copies its fields: the copies read the same Choices.
        return self


def _attributes(attrs):
    """Django's widgets/attrs.html, in Python."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape("%s" % value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class QuickSelect(forms.Select):
    """A <select> rendered in Python, the markup of Django's select.html and
    select_option.html: nationwide a district filter has 700-odd options,
    and one template include per option cost ~20 ms a page."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attributes(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            parts.extend(
                f'\n  <option value="{conditional_escape("%s" % option["value"])}"{_attributes(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>"
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))


class UnitChoiceFilter(django_filters.ChoiceFilter):
    """A unit by slug, among `Choices.<source>`; keeps the records at or below
    it through `path` (the one scope rule, AdministrativeUnit.subtree_q)."""

    source = "districts"

    def __init__(self, path="unit", **kwargs):
        self.path = path
        kwargs.setdefault("label", _("District"))
        kwargs.setdefault("empty_label", _("All districts"))
        kwargs.setdefault("widget", QuickSelect)
        super().__init__(**kwargs)

    def units(self):
        choices = self.parent.choices
        return choices.scopes() if self.source == "scopes" else getattr(choices, self.source)

    def options(self):
        return [(slug, unit.name) for slug, unit in self.units().items()]

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(self.units()[value].subtree_q(self.path))


class DistrictFilter(UnitChoiceFilter):
    """?district=<slug>: the district and every unit below it."""


class ScopeFilter(UnitChoiceFilter):
    """?district=<slug> among the province and its districts: records about
    that unit itself (a figure about the province is not one of its districts')."""

    source = "scopes"

    def __init__(self, path="unit", **kwargs):
        kwargs.setdefault("label", _("Scope"))
        kwargs.setdefault("empty_label", _("All scopes"))
        super().__init__(path, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        unit = self.units()[value]
        return qs.filter(Q(**{self.path: unit}) | Q(**{f"{self.path}__district": unit}))


class ModelFilter(django_filters.ChoiceFilter):
    """?model=<slug>: the records of one merger model, through `path`."""

    def __init__(self, path="model", **kwargs):
        self.path = path
        kwargs.setdefault("label", _("Merger model"))
        kwargs.setdefault("empty_label", _("All models"))
        kwargs.setdefault("widget", QuickSelect)
        super().__init__(**kwargs)

    def options(self):
        return [(slug, model.short or model.name) for slug, model in self.parent.choices.models.items()]

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{self.path: self.parent.choices.models[value]})


class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", MIN_YEAR)
        kwargs.setdefault("max_value", MAX_YEAR)
        super().__init__(*args, **kwargs)


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


class YearRangeForm(forms.Form):
    """The form of every page's filters: a year range must not run backwards."""

    def clean(self):
        cleaned = super().clean()
        year_from, year_to = cleaned.get("year_from"), cleaned.get("year_to")
        if year_from is not None and year_to is not None and year_from > year_to:
            self.add_error("year_to", _("The last year cannot be before the first year."))
        return cleaned


class PortalFilterSet(django_filters.FilterSet):
    """The base of every page's FilterSet: reads the GET parameters without
    NUL characters, offers the districts and models of `choices`, and
    applies the one rule for invalid values (`rows`)."""

    def __init__(self, data=None, queryset=None, *, choices=None, **kwargs):
        super().__init__(clean_params(data), queryset, **kwargs)
        self.choices = choices or Choices()
        for filter_ in self.filters.values():
            if hasattr(filter_, "options"):
                filter_.extra["choices"] = Options(filter_.options)

    def get_form_class(self):
        # Every page's filters refuse a year range that runs backwards, not
        # only the pages that remembered to name the form.
        form = super().get_form_class()
        return form if issubclass(form, YearRangeForm) else type(form.__name__, (YearRangeForm, form), {})

    @property
    def invalid(self):
        return self.is_bound and not self.is_valid()

    def rows(self, notices):
        """The filtered rows, or none (with the notice added to `notices`)
        when a value is invalid."""
        if self.invalid:
            notices.append(INVALID)
            return self.queryset.none()
        return self.qs

    @property
    def criteria(self):
        """The filter values, by name, when they are all valid (else none)."""
        if not self.is_bound or self.invalid:
            return {}
        return {name: value for name, value in self.form.cleaned_data.items() if value not in (None, "", [])}

    @property
    def is_filtered(self):
        """Whether the reader asked for any filter (sorting aside), valid or not."""
        return self.is_bound and any(self.data.get(name) for name in self.filters if name != "sort")
