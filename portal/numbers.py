"""One number format per language, for every number the portal writes in
text (cards, sentences, tables, chart labels; not SVG coordinates or CSV).

    Vietnamese: 18.000   12,54 %   −5   3/14
    English:    18,000   12.54%    −5   3/14

Both template libraries (`portal_tags`, `charts`) register these same
functions; nothing else formats a number for display.
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import get_language
from django.utils.translation import gettext as _

MINUS = "\u2212"
NBSP = "\u00a0"
# language: (decimal separator, thousands separator, text between a number and "%")
STYLES = {"vi": (",", ".", NBSP), "en": (".", ",", "")}


def _style():
    language = (get_language() or "vi").split("-")[0].lower()
    return STYLES.get(language, STYLES["en"])


def _decimal(value):
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def format_number(value):
    """18000 -> "18.000" (vi) / "18,000" (en); 12.50 -> "12,5" / "12.5";
    28.00 -> "28"; "" for no value. Never exponent notation."""
    if value is None or value == "":
        return ""
    number = _decimal(value)
    if number is None:
        return str(value)
    number = number.normalize()
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    decimal_sep, thousands_sep, _space = _style()
    text = format(abs(number), "f")
    whole, _dot, fraction = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = thousands_sep.join(groups) + (decimal_sep + fraction if fraction else "")
    return (MINUS + text) if number < 0 else text


def format_percent(value):
    """12.54 -> "12,54 %" (vi, with a no-break space) / "12.54%" (en)."""
    text = format_number(value)
    return f"{text}{_style()[2]}%" if text else ""


def signed(value):
    """A change with its sign: "+3", "−5" (a true minus sign), "0"; "" when unknown."""
    if value is None or value == "":
        return ""
    number = _decimal(value)
    if number is None:
        return str(value)
    text = format_number(abs(number))
    if number > 0:
        return f"+{text}"
    if number < 0:
        return f"{MINUS}{text}"
    return text


def signed_percent(value):
    """ "−25 %" / "−25%", "+4,5 %" / "+4.5%"; "" when unknown."""
    text = signed(value)
    return f"{text}{_style()[2]}%" if text else ""


def measured(figure, value, denominator):
    """A figure's value in its measure: "3/14", "12,54 %", "28", "11 tỷ đồng"."""
    if value is None:
        return ""
    if denominator is not None:
        return f"{format_number(value)}/{format_number(denominator)}"
    if figure.measure == "percent":
        return format_percent(value)
    if figure.measure == "billion_vnd":
        return _("%(value)s billion VND") % {"value": format_number(value)}
    if figure.measure == "people":
        return _("%(value)s people") % {"value": format_number(value)}
    return format_number(value)


def figure_value(figure):
    """A reported figure as the source states it; a figure without a number says so."""
    if figure.value is None:
        return _("reported, no number")
    return measured(figure, figure.value, figure.denominator)


def figure_computed(figure):
    """What the records compute for a figure, in the same form; "" when they cannot."""
    computed = getattr(figure, "computed", None)
    if computed is None:
        return ""
    denominator = getattr(figure, "computed_denominator", None) if figure.denominator is not None else None
    return measured(figure, computed, denominator)


# The template filters, by name (some under two names the templates use):
# both tag libraries register these, so `{% load %}` order cannot matter.
FILTERS = {
    "number": format_number,
    "plain_number": format_number,
    "percent": format_percent,
    "signed": signed,
    "signed_percent": signed_percent,
    "figure_value": figure_value,
    "figure_computed": figure_computed,
    "computed_value": figure_computed,
}
