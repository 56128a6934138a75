"""Template helpers shared by every portal page."""

from urllib.parse import urlencode

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from agencies.dates import describe, machine_readable
from mergers.models import NO_STATUS, Status, possible_text, status_when
from portal import numbers

register = template.Library()


@register.filter
def edtf(value):
    """{{ obj.date_edtf|edtf }} -> "năm 2018", "đầu năm 2018", "chậm nhất 27/09/2017"."""
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
def csv_url(context, file_format="csv"):
    """The current URL's GET parameters without `page`, plus format=csv (or xlsx)."""
    request = context.get("request")
    pairs = []
    if request is not None:
        for key, values in request.GET.lists():
            if key in ("page", "format"):
                continue
            pairs.extend((key, v) for v in values)
    pairs.append(("format", file_format))
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


# Numbers: one implementation (portal.numbers), shared with the charts library.
register.filter("plain_number", numbers.format_number)
register.filter("number", numbers.format_number)
register.filter("percent", numbers.format_percent)
register.filter("signed", numbers.signed)
register.filter("signed_percent", numbers.signed_percent)
register.filter("figure_value", numbers.figure_value)
register.filter("computed_value", numbers.figure_computed)
register.filter("figure_computed", numbers.figure_computed)
