"""Template helpers shared by every portal page."""

from django import template
from django.urls import reverse
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
def language_url(context, language):
    """The current page (path and query) in another language: "/en/..." or "/..."."""
    from django.urls import translate_url

    request = context.get("request")
    if request is None:
        return "/" if language != "en" else "/en/"
    return translate_url(request.get_full_path(), language)


@register.simple_tag
def main_menu():
    """The main menu's entries, (address, label), from the page registry (portal.pages)."""
    from portal import pages

    return [(reverse(name), label) for name, label in pages.menu()]


# Numbers: one implementation (portal.numbers), the same in both libraries.
for name, function in numbers.FILTERS.items():
    register.filter(name, function)
