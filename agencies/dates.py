"""Dates known only to the year or the month.

A partial date is stored as two columns: the earliest day it can mean (for
sorting and "as of" queries) and its precision. It is shown at that
precision: "2018", "11/2015", "30/11/2015"; never an invented day.
"""

import datetime
import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class Precision(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")


def floor(date, precision):
    """The earliest day a date of this precision can mean."""
    if date is None:
        return None
    if precision == Precision.YEAR:
        return date.replace(month=1, day=1)
    if precision == Precision.MONTH:
        return date.replace(day=1)
    return date


def format_partial(date, precision):
    if date is None:
        return ""
    if precision == Precision.YEAR:
        return f"{date.year:04d}"
    if precision == Precision.MONTH:
        return f"{date.month:02d}/{date.year:04d}"
    return f"{date.day:02d}/{date.month:02d}/{date.year:04d}"


def iso_partial(date, precision):
    """ISO 8601 at the date's precision: 2018, 2015-11, 2015-11-30."""
    if date is None:
        return ""
    if precision == Precision.YEAR:
        return f"{date.year:04d}"
    if precision == Precision.MONTH:
        return f"{date.year:04d}-{date.month:02d}"
    return date.isoformat()


_PATTERNS = [
    (re.compile(r"^(\d{4})$"), Precision.YEAR, lambda m: (int(m[1]), 1, 1)),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), Precision.MONTH, lambda m: (int(m[1]), int(m[2]), 1)),
    (re.compile(r"^(\d{1,2})/(\d{4})$"), Precision.MONTH, lambda m: (int(m[2]), int(m[1]), 1)),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), Precision.DAY, lambda m: (int(m[1]), int(m[2]), int(m[3]))),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), Precision.DAY, lambda m: (int(m[3]), int(m[2]), int(m[1]))),
]


def parse_partial(text):
    """Parse "2018", "2015-11", "11/2015", "2015-11-30" or "30/11/2015".

    Returns (date, precision); raises ValueError with a readable message.
    """
    text = (text or "").strip()
    for pattern, precision, parts in _PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(*parts(match)), precision
            except ValueError:
                raise ValueError(f"{text!r} is not a real date") from None
    raise ValueError(f"{text!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")


def date_field(verbose_name, **kwargs):
    kwargs.setdefault("null", True)
    kwargs.setdefault("blank", True)
    return models.DateField(verbose_name, **kwargs)


def precision_field(**kwargs):
    kwargs.setdefault("blank", True)
    return models.CharField(
        _("date precision"),
        max_length=5,
        choices=Precision,
        default=Precision.DAY,
        help_text=_("How exactly the source gives the date: day, month or year only."),
        **kwargs,
    )


class PartialDatesMixin:
    """Keeps each (date, precision) pair consistent.

    Models list their pairs in `partial_dates`; save() stores the earliest
    day the date can mean, and format_date() shows it at its precision.
    """

    partial_dates = ()

    def _normalise_partial_dates(self):
        for date_name, precision_name in self.partial_dates:
            value = getattr(self, date_name)
            if value is None:
                continue
            precision = getattr(self, precision_name) or Precision.DAY
            setattr(self, precision_name, precision)
            setattr(self, date_name, floor(value, precision))

    def save(self, *args, **kwargs):
        self._normalise_partial_dates()
        super().save(*args, **kwargs)

    def format_date(self, date_name):
        pairs = dict(self.partial_dates)
        return format_partial(getattr(self, date_name), getattr(self, pairs[date_name]))
