"""Template helpers shared by every portal page."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
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
def sources(items):
    """{% sources record.source_list %}: a record's sources, each a link with
    its passage or reasoning (citations), or "No source". Written in Python:
    a page of table rows each with its sources was mostly this template."""
    if not items:
        return format_html('<span class="sources sources--none">{}</span>', _("No source"))
    parts = [format_html('<ul class="sources" aria-label="{}">', _("Sources"))]
    for item in items:
        source = getattr(item, "source", None) or item  # a citation, or a source
        date = format_html(" ({})", describe(source.published_on_edtf)) if source.published_on_edtf else ""
        parts.append(format_html('<li><a href="{}">{}{}</a>', source.get_absolute_url(), source.publisher, date))
        quote, reasoning = getattr(item, "quote", ""), getattr(item, "reasoning", "")
        if quote or reasoning:
            parts.append(
                format_html(
                    ' <details class="citation"><summary>{}</summary>', _("Passage") if quote else _("Reasoning")
                )
            )
            if quote:
                parts.append(format_html('<blockquote class="citation__quote" lang="vi">{}</blockquote>', quote))
            if reasoning:
                label = format_html("<strong>{}:</strong> ", _("Reasoning")) if quote else ""
                parts.append(format_html('<p class="citation__reasoning">{}{}</p>', label, reasoning))
            parts.append(mark_safe("</details>"))
        parts.append(mark_safe("</li>"))
    parts.append(mark_safe("</ul>"))
    return mark_safe("".join(parts))


@register.simple_tag
def status_badge(m=None, status=None):
    """{% status_badge m=merger %} (or a dashboard cell): its status, dated,
    with a later status it may already have reached; {% status_badge
    status=code %}: the status alone. Written in Python: the dashboard and
    the lists show one per row."""
    if not m:
        return format_html('<span class="status status--{}">{}</span>', status or "none", status_label(status))
    html = format_html('<span class="status status--{}">{}</span>', m.status or "none", status_label(m.status))
    if m.status_edtf:
        html += format_html(' <span class="status-date">{}</span>', status_date(m.status, m.status_edtf))
    if m.possible_status:
        html += format_html(
            '<br><span class="status-possible">{}</span>', possible_status(m.possible_status, m.possible_edtf)
        )
    return html


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
