"""Dates as the sources give them: uncertain, approximate, or bounded.

An event date is stored in the Library of Congress Extended Date/Time Format
(EDTF, ISO 8601-2), parsed and validated by the `edtf` package, beside the
earliest and latest day it can mean (indexed columns, for queries and
sorting; empty where the interval is open). The forms used:

    2015-11-30          a day                   30/11/2015
    2015-11             a month                 tháng 11/2015
    2018                a year                  năm 2018
    2018-37 / 38 / 39   early / mid / late      đầu năm 2018 / giữa năm 2018 / cuối năm 2018
                        (four months each: January-April, May-August, September-December)
    2018-40 / 2018-41   first / second half     nửa đầu năm 2018 / nửa cuối năm 2018
    2018-33 .. 2018-36  a quarter               quý I/2018
    2015~ / 2015?       approximately           khoảng 2015
    ../2017-09-27       on or before            chậm nhất 27/09/2017 ("trước" is read too)
    2018/..             on or after             từ 2018 trở đi
    2015-11-30/2017-09-27   between             trong khoảng 30/11/2015 - 27/09/2017
    2015~/2016~         about a span            khoảng 2015 - 2016
    (empty)             unknown                 không rõ

`parse_input` reads what a Vietnamese clerk types (dd/mm/yyyy, mm/yyyy,
yyyy, ISO, the phrases above in Vietnamese or English, or EDTF itself) and
refuses what is ambiguous or impossible. `describe` says a value the way a
reader says it. `UncertainDatesMixin` keeps the three columns consistent.
"""

import calendar
import datetime
import functools
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from edtf import parse_edtf
from edtf.parser.edtf_exceptions import EDTFParseException

OPEN = ".."
# Parts of a year (EDTF level 2 sub-year groupings): "đầu năm" (early) is the
# first four months, "giữa năm" the middle four, "cuối năm" the last four.
PARTS = {"37": "early", "38": "mid", "39": "late", "40": "first half", "41": "second half"}
QUARTERS = {"33": 1, "34": 2, "35": 3, "36": 4}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^(\d{4})$")
_SUBYEAR = re.compile(r"^(\d{4})-(3[3-9]|4[01])$")
# One side of an interval, or a single date: a date, then an optional qualifier.
_POINT = re.compile(r"^(\d{4}(?:-\d{2}){0,2})([~?%]?)$")


# --------------------------------------------------------------------------
# EDTF: validation and bounds
# --------------------------------------------------------------------------
_PLAIN = re.compile(r"(\d{4})(?:-(0[1-9]|1[0-2])(?:-(\d{2}))?)?")  # not seasons/quarters (2018-21...)


@functools.lru_cache(maxsize=8192)
def _point_bounds(text):
    """(earliest, latest) day of one non-interval EDTF value.

    Remembered (an import names the same dates on thousands of rows), and a
    plain year, month or day is computed without the EDTF grammar, whose
    parser costs tens of milliseconds a value."""
    plain = _PLAIN.fullmatch(text)
    if plain:
        year, month, day = (int(part) if part else None for part in plain.groups())
        if day is not None:
            return datetime.date(year, month, day), datetime.date(year, month, day)
        if month is not None:
            return datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1])
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    parsed = parse_edtf(text)
    low, high = parsed.lower_strict(), parsed.upper_strict()
    return datetime.date(*low[:3]), datetime.date(*high[:3])


def _split(edtf):
    """("start", "end") of an interval, or None for a single value."""
    if "/" not in edtf:
        return None
    start, end = edtf.split("/", 1)
    return start, end


def validate(edtf):
    """Raise ValidationError unless `edtf` is a value of the subset above."""
    if edtf == "":
        return
    sides = _split(edtf) or (edtf,)
    if len(sides) == 2 and sides == (OPEN, OPEN):
        raise ValidationError(_("An interval needs at least one known end."), code="edtf")
    for side in sides:
        if side == OPEN and len(sides) == 2:
            continue
        core = side.rstrip("~?%")
        if not (_DAY.match(core) or _MONTH.match(core) or _YEAR.match(core) or _SUBYEAR.match(core)):
            raise ValidationError(
                _("“%(value)s” is not a date this portal understands."), code="edtf", params={"value": edtf}
            )
        try:
            _point_bounds(side)  # parses it
        except (EDTFParseException, ValueError, TypeError, OverflowError):
            raise ValidationError(_("“%(value)s” is not a real date."), code="edtf", params={"value": edtf}) from None
    if len(sides) == 2 and OPEN not in sides:
        if _point_bounds(sides[0])[0] > _point_bounds(sides[1])[1]:
            raise ValidationError(_("The start of the interval is after its end."), code="edtf")


def bounds(edtf):
    """(earliest, latest) day an EDTF value can mean; None for an open end."""
    if not edtf:
        return None, None
    sides = _split(edtf)
    if sides is None:
        return _point_bounds(edtf)
    start, end = sides
    earliest = None if start in (OPEN, "") else _point_bounds(start)[0]
    latest = None if end in (OPEN, "") else _point_bounds(end)[1]
    return earliest, latest


def from_day(day):
    return day.isoformat() if day else ""


def exact_day(edtf):
    """The day itself when the value is one certain day, else None."""
    if edtf and _DAY.match(edtf):
        return datetime.date.fromisoformat(edtf)
    return None


# --------------------------------------------------------------------------
# Reading what people type
# --------------------------------------------------------------------------
def _fold(text):
    import unicodedata

    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in text if not unicodedata.combining(c)).strip()


_INPUT_DAY = re.compile(r"^(?:ngay\s+)?(\d{1,2})[/.](\d{1,2})[/.](\d+)$")
_INPUT_MONTH = re.compile(r"^(?:thang\s+)?(\d{1,2})[/.](\d+)$")
_INPUT_YEAR = re.compile(r"^(?:nam\s+)?(\d+)$")
_INPUT_ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_INPUT_PART = re.compile(
    r"^(dau|giua|cuoi|nua dau|nua cuoi|6 thang dau|6 thang cuoi|early|mid|late|first half(?: of)?|second half(?: of)?)"
    r"\s+(?:nam\s+)?(\d+)$"
)
_PART_CODES = {
    "dau": 37,
    "early": 37,
    "giua": 38,
    "mid": 38,
    "cuoi": 39,
    "late": 39,
    "nua dau": 40,
    "6 thang dau": 40,
    "first half": 40,
    "first half of": 40,
    "nua cuoi": 41,
    "6 thang cuoi": 41,
    "second half": 41,
    "second half of": 41,
}
_INPUT_QUARTER = re.compile(r"^(?:quy|q)\s*(i{1,3}|iv|[1-4])\s*(?:/|nam\s+|\s+)\s*(\d+)$")
_BEFORE = re.compile(r"^(?:truoc|cham nhat|den|on or before|by|before)\s+(?:het\s+|the end of\s+)?(.+)$")
_AFTER = re.compile(r"^(?:sau|tu|on or after|after|from)\s+(.+?)(?:\s+tro di)?$")
_BETWEEN = re.compile(
    r"^(?:trong khoang|tu|giua|between|from)?\s*(.+?)\s*(?:\s-\s|–|—|\s+den\s+|\s+and\s+|\s+to\s+)\s*(.+)$"
)
_ABOUT = re.compile(r"^(?:khoang|about|circa|c\.|ca\.)\s+(.+)$")
_EDTF_SIDE = r"(?:\.\.|\d{4}(?:-\d{2}){0,2}[~?%]?)"
_EDTF_TYPED = re.compile(rf"{_EDTF_SIDE}/{_EDTF_SIDE}|\d{{4}}(?:-\d{{2}}){{0,2}}[~?%]|\d{{4}}-(?:3[3-9]|4[01])")
_UNKNOWN = {"", "khong ro", "unknown", "chua ro"}


def _year(text, original):
    if len(text) != 4:
        raise ValidationError(
            _("“%(value)s”: write the year with four digits (for example 2018)."),
            code="ambiguous",
            params={"value": original},
        )
    year = int(text)
    if not 1800 <= year <= 2200:
        raise ValidationError(_("“%(value)s” is not a plausible year."), code="invalid", params={"value": original})
    return year


def _check_day(year, month, day, original):
    if not 1 <= month <= 12:
        raise ValidationError(
            _("“%(value)s”: there is no month %(month)s. Write dates as day/month/year, for example 01/06/2018."),
            code="invalid",
            params={"value": original, "month": month},
        )
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise ValidationError(
            _("“%(value)s”: month %(month)s has no day %(day)s."),
            code="invalid",
            params={"value": original, "month": month, "day": day},
        )


def _point(text, original):
    """One date typed by a person -> EDTF (without qualifier)."""
    text = text.strip()
    if _SUBYEAR.match(text):
        return text
    if m := _INPUT_ISO.match(text):
        year, month = _year(m[1], original), int(m[2])
        if m[3] is None:
            _check_day(year, month, 1, original)
            return f"{year:04d}-{month:02d}"
        _check_day(year, month, int(m[3]), original)
        return f"{year:04d}-{month:02d}-{int(m[3]):02d}"
    if m := _INPUT_DAY.match(text):
        year, month, day = _year(m[3], original), int(m[2]), int(m[1])
        _check_day(year, month, day, original)
        return f"{year:04d}-{month:02d}-{day:02d}"
    if m := _INPUT_MONTH.match(text):
        year, month = _year(m[2], original), int(m[1])
        _check_day(year, month, 1, original)
        return f"{year:04d}-{month:02d}"
    if m := _INPUT_YEAR.match(text):
        return f"{_year(m[1], original):04d}"
    if m := _INPUT_PART.match(text):
        return f"{_year(m[2], original):04d}-{_PART_CODES[m[1]]}"
    if m := _INPUT_QUARTER.match(text):
        quarter = {"i": 1, "ii": 2, "iii": 3, "iv": 4}.get(m[1]) or int(m[1])
        return f"{_year(m[2], original):04d}-{32 + quarter}"
    if _POINT.match(text) or _SUBYEAR.match(text):
        return text
    raise ValidationError(
        _(
            "“%(value)s” is not a date. Write day/month/year (01/06/2018), month/year (06/2018), a year (2018), "
            "or a phrase such as “đầu năm 2018”, “trước 27/09/2017”, “khoảng 2015”, “30/11/2015 - 27/09/2017”."
        ),
        code="invalid",
        params={"value": original},
    )


def parse_input(text):
    """What a person typed -> a validated EDTF string ("" for unknown)."""
    original = (text or "").strip()
    folded = re.sub(r"\s+", " ", _fold(original))
    if folded in _UNKNOWN:
        return ""
    result = _edtf_from(folded, original)
    validate(result)
    return result


def _edtf_from(folded, original):
    # EDTF typed directly ("../2017-09-27", "2015~/2016~", "2018-40").
    if _EDTF_TYPED.fullmatch(folded):
        return folded
    if m := _ABOUT.match(folded):
        inner = _edtf_from(m[1], original)
        sides = _split(inner) or (inner,)
        return "/".join(s if s == OPEN else s.rstrip("~?%") + "~" for s in sides)
    if m := _BEFORE.match(folded):
        return f"{OPEN}/{_point(m[1], original)}"
    between = _BETWEEN.match(folded)
    if between and not _INPUT_DAY.match(folded):
        return f"{_point(between[1], original)}/{_point(between[2], original)}"
    if m := _AFTER.match(folded):
        return f"{_point(m[1], original)}/{OPEN}"
    return _point(folded, original)


# --------------------------------------------------------------------------
# Saying it as a reader does
# --------------------------------------------------------------------------
def _bare(core):
    """A date without qualifier, as it appears inside a phrase."""
    if m := _DAY.match(core):
        return f"{m[3]}/{m[2]}/{m[1]}"
    if m := _MONTH.match(core):
        return f"{m[2]}/{m[1]}"
    if m := _SUBYEAR.match(core):
        year, code = m[1], m[2]
        if code in PARTS:
            return {
                "early": gettext("early %(year)s"),
                "mid": gettext("mid %(year)s"),
                "late": gettext("late %(year)s"),
                "first half": gettext("first half of %(year)s"),
                "second half": gettext("second half of %(year)s"),
            }[PARTS[code]] % {"year": year}
        return gettext("Q%(quarter)s/%(year)s") % {"quarter": ROMAN[QUARTERS[code]], "year": year}
    return core


def _alone(core):
    """A date standing alone: "năm 2018", "tháng 11/2015", "30/11/2015"."""
    if _YEAR.match(core):
        return pgettext("a year standing alone", "%(year)s") % {"year": core}
    if m := _MONTH.match(core):
        return pgettext("a month standing alone", "%(month)s/%(year)s") % {"month": m[2], "year": m[1]}
    return _bare(core)


def _approximate(side):
    return side.endswith(("~", "?", "%"))


def _on_or_before(core):
    """ "On or before" a day, or by the end of a month or a year."""
    if _YEAR.match(core):
        return gettext("by the end of %(year)s") % {"year": core}
    if m := _MONTH.match(core):
        return gettext("by the end of %(month)s/%(year)s") % {"month": m[2], "year": m[1]}
    return gettext("on or before %(date)s") % {"date": _bare(core)}


def describe(edtf):
    """The value as a reader says it, in the active language."""
    if not edtf:
        return gettext("unknown")
    sides = _split(edtf)
    if sides is None:
        core = edtf.rstrip("~?%")
        text = _alone(core)
        if edtf.endswith("?"):  # the source's own date, read with a doubt (e.g. a year not printed)
            return gettext("%(date)s (not certain)") % {"date": text}
        return gettext("about %(date)s") % {"date": _bare(core)} if _approximate(edtf) else text
    start, end = sides
    if start in (OPEN, ""):
        return _on_or_before(end.rstrip("~?%"))
    if end in (OPEN, ""):
        return gettext("on or after %(date)s") % {"date": _bare(start.rstrip("~?%"))}
    text = {"start": _bare(start.rstrip("~?%")), "end": _bare(end.rstrip("~?%"))}
    if _approximate(start) or _approximate(end):
        return gettext("about %(start)s - %(end)s") % text
    return gettext("between %(start)s and %(end)s") % text


def machine_readable(edtf):
    """The value as HTML's <time datetime> says it (a day, a month or a
    year), or "" when HTML cannot say it."""
    return edtf if edtf and (_DAY.match(edtf) or _MONTH.match(edtf) or _YEAR.match(edtf)) else ""


def sort_day(name="date"):
    """An ORM expression of the day to sort an uncertain date by: its earliest
    day, else its latest (an open start), so both databases sort alike."""
    return Coalesce(name, f"{name}_latest")


# A record dated by several uncertain dates (a document: signed, else
# effective) is dated by the first one given.


def given_q(name):
    """Records that give the date `name` (its EDTF is not empty)."""
    return ~models.Q(**{f"{name}_edtf": ""})


def _first(names, column):
    """The SQL expression of `column(name)` for the first of `names` whose
    EDTF is given (the last one otherwise)."""
    *preferred, last = names
    expression = models.F(column(last))
    for name in reversed(preferred):
        expression = models.Case(models.When(given_q(name), then=models.F(column(name))), default=expression)
    return expression


def earliest_of(*names):
    """The earliest day of the first of `names` given, as SQL."""
    return _first(names, lambda name: name)


def latest_of(*names):
    """The latest day of the first of `names` given, as SQL."""
    return _first(names, lambda name: f"{name}_latest")


def sort_day_of(*names):
    """Earliest day if known, else latest, of the first of `names` given:
    `sort_day` of a record dated by several dates."""
    if len(names) == 1:
        return sort_day(names[0])
    return Coalesce(earliest_of(*names), latest_of(*names))


class UncertainDatesQuerySet(models.QuerySet):
    """The QuerySet of a model with uncertain dates."""

    def overlapping_years(self, names, year_from=None, year_to=None):
        """Records whose date (the first of `names` given) may fall within
        the years: its interval overlaps them; an open end overlaps every
        year on its side. Either year may be None (no bound)."""
        rows = self
        if year_from is not None:
            latest = models.Q(overlap_latest__gte=datetime.date(year_from, 1, 1))
            rows = rows.alias(overlap_latest=latest_of(*names)).filter(latest | models.Q(overlap_latest__isnull=True))
        if year_to is not None:
            earliest = models.Q(overlap_earliest__lte=datetime.date(year_to, 12, 31))
            rows = rows.alias(overlap_earliest=earliest_of(*names)).filter(
                earliest | models.Q(overlap_earliest__isnull=True)
            )
        return rows


# --------------------------------------------------------------------------
# Has a dated thing come by a day? One reading for every end and status
# --------------------------------------------------------------------------
# A date counts only from its latest possible day: a unit that ended "in
# 2019" still exists on 01/06/2019, as a merger completed "in 2019" is only
# possibly completed then. A date with an open latest day ("2018/..", from
# 2018 on) counts from its earliest day; an empty date never comes.


def reached_by(earliest, latest, day):
    """Whether a date with these bounds has certainly come by `day`."""
    if latest is not None:
        return latest <= day
    return earliest is not None and earliest <= day


def reached_by_q(name, day):
    """A condition: the uncertain date `name` (e.g. "unit__valid_until") has
    certainly come by `day`, a date or an expression (OuterRef)."""
    return Q(**{f"{name}_latest__lte": day}) | Q(**{f"{name}_latest__isnull": True, f"{name}__lte": day})


def not_reached_by_q(name, day):
    """The opposite of reached_by_q, written without NOT so indexes serve it."""
    return (
        Q(**{f"{name}_latest__gt": day})
        | Q(**{f"{name}_latest__isnull": True, f"{name}__isnull": True})
        | Q(**{f"{name}_latest__isnull": True, f"{name}__gt": day})
    )


# --------------------------------------------------------------------------
# Model fields and the mixin that keeps them consistent
# --------------------------------------------------------------------------
EDTF_HELP = _(
    "As the source gives it: 30/11/2015, 11/2015, 2018, “đầu năm 2018”, “trước 27/09/2017”, "
    "“30/11/2015 - 27/09/2017”, “khoảng 2015 - 2016”; empty when unknown."
)


class UncertainDateFormField(forms.CharField):
    """Reads what a clerk types (see parse_input) and shows a stored value
    back in the same words, so what the field shows it also reads."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.pop("validators", None)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("placeholder", "dd/mm/yyyy")
        self.widget.attrs.setdefault("size", 32)

    def prepare_value(self, value):
        try:
            validate(value or "")
        except ValidationError:
            return value
        return describe(value) if value else ""

    def to_python(self, value):
        return parse_input(super().to_python(value))


class UncertainDateField(models.CharField):
    """An event date as EDTF text (see the module's docstring)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("help_text", EDTF_HELP)
        super().__init__(*args, **kwargs)
        self.validators.append(validate)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 64:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": UncertainDateFormField, **kwargs})


def edtf_field(verbose_name, **kwargs):
    return UncertainDateField(verbose_name, **kwargs)


def date_field(verbose_name, **kwargs):
    """The earliest (or latest) day an uncertain date can mean: derived."""
    kwargs.setdefault("null", True)
    kwargs.setdefault("blank", True)
    kwargs.setdefault("editable", False)
    kwargs.setdefault("db_index", True)
    return models.DateField(verbose_name, **kwargs)


class UncertainDatesMixin:
    """Keeps each uncertain date's columns consistent.

    Models list the base names of their dates in `uncertain_dates`: for a
    name X the model has `X_edtf` (the value), `X` (its earliest day) and
    `X_latest` (its latest day). save() derives the two days from the EDTF;
    a record given only a day (factories, older code) gets that day as its
    EDTF.
    """

    uncertain_dates = ()

    def _derive_uncertain_dates(self):
        for name in self.uncertain_dates:
            edtf = getattr(self, f"{name}_edtf") or ""
            if not edtf and getattr(self, name) is not None:
                edtf = from_day(getattr(self, name))
                setattr(self, f"{name}_edtf", edtf)
            earliest, latest = bounds(edtf)
            setattr(self, name, earliest)
            setattr(self, f"{name}_latest", latest)

    def derive_fields(self):
        """What save() derives (see SearchableMixin.derive_fields)."""
        parent = getattr(super(), "derive_fields", None)
        if parent is not None:
            parent()
        self._derive_uncertain_dates()

    def clean(self):
        try:
            self._derive_uncertain_dates()
        except (ValidationError, ValueError, TypeError):
            pass  # the EDTF field's own validator reports it
        super().clean()

    def save(self, *args, **kwargs):
        self._derive_uncertain_dates()
        super().save(*args, **kwargs)

    def sort_day(self, name):
        """The day to sort by: the earliest day, else the latest (open start)."""
        return getattr(self, name) or getattr(self, f"{name}_latest") or datetime.date.max

    def format_date(self, name):
        return describe(getattr(self, f"{name}_edtf"))


# Migrations name the earlier mixin as a base class.
PartialDatesMixin = UncertainDatesMixin
