"""Template helpers shared by every portal page."""

from decimal import Decimal
from urllib.parse import urlencode

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext as _

from agencies.dates import describe, machine_readable
from mergers.models import NO_STATUS, Status, possible_text, status_when

register = template.Library()


@register.filter
def edtf(value):
    """{{ obj.date_edtf|edtf }} -> "năm 2018", "đầu năm 2018", "trước 27/09/2017"."""
    return describe(value or "")


@register.simple_tag
def when(value):
    """An uncertain date as <time> where HTML can say it (a day, a month or a
    year), else as text with its EDTF form in the title."""
    machine = machine_readable(value or "")
    if machine:
        return format_html('<time datetime="{}">{}</time>', machine, describe(value))
    if not value:
        return describe(value or "")
    return format_html('<span class="date-uncertain" title="EDTF {}">{}</span>', value, describe(value))


@register.simple_tag
def status_date(status, value):
    """The date part of a status: "đầu năm 2018", "theo nguồn ngày 27/09/2017"."""
    return status_when(status, value) if value else ""


@register.simple_tag
def possible_status(status, value):
    return possible_text(status, value) if status else ""


@register.filter
def status_label(value):
    """The readable, translated name of a merger status ("none" -> "No record")."""
    if not value or value == NO_STATUS:
        return _("No record")
    try:
        return Status(value).label
    except ValueError:
        return str(value)


@register.simple_tag(takes_context=True)
def csv_url(context):
    """The current URL's GET parameters without `page`, plus format=csv."""
    request = context.get("request")
    pairs = []
    if request is not None:
        for key, values in request.GET.lists():
            if key in ("page", "format"):
                continue
            pairs.extend((key, v) for v in values)
    pairs.append(("format", "csv"))
    return "?" + urlencode(pairs)


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.simple_tag(takes_context=True)
def language_url(context, language):
    """The current page (path and query) in another language: "/en/..." or "/..."."""
    from django.urls import translate_url

    request = context.get("request")
    if request is None:
        return "/" if language != "en" else "/en/"
    return translate_url(request.get_full_path(), language)


MINUS = "\u2212"


# -- numbers -----------------------------------------------------------------
# The one implementation of every number filter: portal/templatetags/charts.py
# registers these same functions, so a page shows the same text whichever
# library it loads last.


def _plain(value):
    """A number without trailing zeros, localised: 3, 99.8 (99,8 in Vietnamese)."""
    if value is None:
        return ""
    if isinstance(value, float):
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        value = value.normalize()
        if value == value.to_integral_value():
            return str(int(value))
        return formats.number_format(value, decimal_pos=max(0, -value.as_tuple().exponent))
    return str(value)


@register.filter
def number(value):
    """{{ figure.value|number }}: 3.00 -> "3", 99.80 -> "99.8"."""
    return _plain(value)


@register.filter
def signed(value):
    """A change with its sign: "+3", "−5" (a true minus sign), "0"; "" when unknown."""
    if value is None or value == "":
        return ""
    text = _plain(abs(value))
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"{MINUS}{text}"
    return text


@register.filter
def signed_percent(value):
    """"−25%", "+4.5%"; "" when unknown."""
    text = signed(value)
    return f"{text}%" if text else ""


@register.filter
def figure_value(figure):
    """A reported figure as the source states it: "3/14", "99.8%", "28", "11 billion VND";
    "reported, no number" when the source gives none."""
    if figure.value is None:
        return _("reported, no number")
    return _measured(figure, figure.value, figure.denominator)


@register.filter
def figure_computed(figure):
    """What the records compute for a figure, in the same form; "" when they cannot."""
    computed = getattr(figure, "computed", None)
    if computed is None:
        return ""
    denominator = getattr(figure, "computed_denominator", None) if figure.denominator is not None else None
    return _measured(figure, computed, denominator)


# The dashboard's older name for the same filter.
register.filter("computed_value", figure_computed)


def _measured(figure, value, denominator):
    if value is None:
        return ""
    if denominator is not None:
        return f"{_plain(value)}/{_plain(denominator)}"
    if figure.measure == "percent":
        return f"{_plain(value)}%"
    if figure.measure == "billion_vnd":
        return _("%(value)s billion VND") % {"value": _plain(value)}
    if figure.measure == "people":
        return _("%(value)s people") % {"value": _plain(value)}
    return _plain(value)
