"""The consolidation chart that opens /timeline/: drawn on the server as SVG.

One row per unit (the province, then its districts by GSO code), time
across, each merger model a colour. A milestone the sources date to a day
is a mark; one they date only to a span (a year, "between ... and ...",
"before ...") is a bar over that span, from its earliest to its latest day
(issue 10: `date` and `date_latest`), open ends running to the chart's edge.
A completed milestone is filled, the others are outlined. Every mark is a
link to the merger with a <title> that names it, so hovering or focusing it
says what it is.

One query, whatever the data: the values of the filtered milestones with
their merger's unit (and its district) and model; no model instance is built. Beyond MAX_MARKS the chart is not drawn
and the page says to narrow the filters.
"""

import datetime
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.urls import reverse
from django.utils.translation import gettext as _

from agencies.dates import describe
from agencies.models import AdministrativeUnit, localized
from mergers.models import Status

from .timeline import MILESTONE, _milestone_rows, kinds_for

MAX_MARKS = 3000
WIDTH = 640
LEFT = 6
RIGHT = 10
TOP = 22  # the year labels
ROW = 36  # a unit's label, then its track
LABEL = 13
TRACK = 10
# Distinct on white and for the common colour-blindnesses (Okabe-Ito, darkened).
PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#8a6d00", "#56b4e9", "#6b4c9a", "#000000"]


@dataclass
class Mark:
    x: float
    width: float  # 0 for a mark on one day
    y: float
    colour: str
    filled: bool
    title: str
    url: str

    @property
    def cx(self):
        return _n(self.x)


@dataclass
class Row:
    label: str
    url: str
    y: float
    marks: list = field(default_factory=list)


def _n(value):
    return f"{float(value):.1f}"


UNIT_FIELDS = ("id", "slug", "name_vi", "name_en", "level", "gso_code")
MODEL_FIELDS = ("id", "slug", "short_vi", "short_en", "order")
LEVELS_DRAWN = (AdministrativeUnit.Level.PROVINCE, AdministrativeUnit.Level.DISTRICT)


def _milestone_values(filters):
    """The filtered, dated milestones as plain records (no model instances):
    their dates and status, their merger's unit (and its district) and model."""
    names = (
        ["pk", "date", "date_latest", "date_edtf", "status", "merger_id", "merger__title_vi", "merger__title_en"]
        + [f"merger__unit__{name}" for name in UNIT_FIELDS]
        + [f"merger__unit__district__{name}" for name in UNIT_FIELDS]
        + [f"merger__model__{name}" for name in MODEL_FIELDS]
    )
    rows = _milestone_rows(filters).exclude(date_edtf="").order_by().values_list(*names)[: MAX_MARKS + 1]
    records = []
    for row in rows:
        values = dict(zip(names, row))

        def part(prefix, fields, values=values):
            return (
                None
                if values[f"{prefix}id"] is None
                else SimpleNamespace(**{name: values[f"{prefix}{name}"] for name in fields})
            )

        unit = part("merger__unit__", UNIT_FIELDS)
        district = part("merger__unit__district__", UNIT_FIELDS)
        records.append(
            SimpleNamespace(
                pk=values["pk"],
                date=values["date"],
                date_latest=values["date_latest"],
                edtf=values["date_edtf"],
                status=values["status"],
                merger_id=values["merger_id"],
                title=SimpleNamespace(title_vi=values["merger__title_vi"], title_en=values["merger__title_en"]),
                unit=unit,
                row=unit if unit.level in LEVELS_DRAWN or district is None else district,
                model=part("merger__model__", MODEL_FIELDS),
            )
        )
    return records


def consolidation_chart(filters):
    """The chart's rows, year ticks and legend for `filters` (the timeline's),
    or None when the filters leave out milestones or nothing is dated."""
    if MILESTONE not in kinds_for(filters):
        return None
    milestones = _milestone_values(filters)
    if not milestones:
        return None
    if len(milestones) > MAX_MARKS:
        return {"too_many": True, "limit": MAX_MARKS}
    days = [d for m in milestones for d in (m.date, m.date_latest) if d is not None]
    first = min(days).year
    last = max(days).year + 1
    start, end = datetime.date(first, 1, 1), datetime.date(last, 1, 1)
    span = (end - start).days or 1
    inner = WIDTH - LEFT - RIGHT

    def x(day):
        return LEFT + inner * (day - start).days / span

    units, models = {}, {}
    for milestone in milestones:
        units.setdefault(milestone.row.id, milestone.row)
        if milestone.model is not None:
            models.setdefault(milestone.model.id, milestone.model)
    ordered_models = sorted(models.values(), key=lambda m: (m.order, m.slug))
    colours = {model.id: PALETTE[i % len(PALETTE)] for i, model in enumerate(ordered_models)}
    ordered_units = sorted(
        units.values(),
        key=lambda u: (
            u.level != AdministrativeUnit.Level.PROVINCE,
            len(u.gso_code or ""),
            u.gso_code or "",
            u.name_vi,
        ),
    )
    rows = {}
    for index, unit in enumerate(ordered_units):
        rows[unit.id] = Row(
            label=localized(unit, "name"), url=reverse("portal:district", args=[unit.slug]), y=TOP + index * ROW
        )
    for milestone in sorted(milestones, key=lambda m: (m.date or start, m.pk)):
        row = rows[milestone.row.id]
        left = x(milestone.date) if milestone.date else LEFT
        right = x(milestone.date_latest) if milestone.date_latest else WIDTH - RIGHT
        exact = milestone.date is not None and milestone.date == milestone.date_latest
        model = milestone.model
        row.marks.append(
            Mark(
                x=left,
                width=0 if exact else max(right - left, 2),
                y=row.y,
                colour=colours[model.id] if model else "#4a5360",
                filled=milestone.status == Status.COMPLETED,
                title=_("%(unit)s · %(model)s: %(status)s, %(date)s")
                % {
                    "unit": localized(milestone.unit, "name"),
                    "model": localized(model, "short") if model else localized(milestone.title, "title"),
                    "status": Status(milestone.status).label if milestone.status in Status.values else milestone.status,
                    "date": describe(milestone.edtf),
                },
                url=reverse("portal:merger", args=[milestone.merger_id]) + f"#milestone-{milestone.pk}",
            )
        )
    years = [
        {"x": _n(x(datetime.date(year, 1, 1))), "label_x": _n(x(datetime.date(year, 7, 1))), "year": year}
        for year in range(first, last)
    ]
    height = TOP + len(ordered_units) * ROW + 4
    return {
        "too_many": False,
        "width": WIDTH,
        "height": height,
        "left": LEFT,
        "right": _n(WIDTH - RIGHT),
        "years": years,
        "end_x": _n(x(end)),
        "rows": [
            {
                "label": row.label,
                "url": row.url,
                "label_y": _n(row.y + LABEL),
                "track_y": _n(row.y + LABEL + 4),
                "mid_y": _n(row.y + LABEL + 4 + TRACK / 2),
                "marks": [
                    {
                        "x": _n(mark.x),
                        "width": _n(mark.width),
                        "colour": mark.colour,
                        "filled": mark.filled,
                        "title": mark.title,
                        "url": mark.url,
                    }
                    for mark in row.marks
                ],
            }
            for row in rows.values()
        ],
        "track_height": TRACK,
        "grid_bottom": _n(height - 4),
        "legend": [(localized(model, "short"), colours[model.id]) for model in ordered_models],
        "count": len(milestones),
    }
