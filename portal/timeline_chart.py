"""The consolidation chart that opens /timeline/: drawn on the server as SVG.

It draws every event the list below it shows, under the same filters: one
row per district and one for the province (an event of a commune on its
district's row; a legal document, which has no unit, on the province's row,
or on the district's when the list is filtered to one), time across. A
milestone is coloured by its merger model; the other kinds are grey, each
with its own shape. An event the sources date to a day is a mark; one they
date only to a span (a year, "between ... and ...", "before ...") is a bar
over that span, from its earliest to its latest day, an open end running to
the chart's edge. A completed milestone is filled, a planned or ongoing one
outlined. Every mark is a link with a <title> that names it, so hovering or
focusing it says what it is (static/js/timeline.js also writes it under the
chart); several events of one kind on the same row and date are one mark
that names them all and links to them in the list.

What is drawn comes from `portal.timeline.EVENT_KINDS`: a kind added there
is drawn here with no change to this module (with its light `points` reader,
or from its Events). One query per kind, whatever the data; beyond MAX_MARKS
events the chart is not drawn and the page says to narrow the filters (the
timeline passes its count of events, so that nothing is read then).

The SVG has no viewBox: x positions and widths are percentages of its
width, heights and text sizes are pixels, so that it fills a phone or a
desktop alike and its text stays readable at either size.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.dates import describe
from agencies.models import AdministrativeUnit, localized
from mergers.models import Status

from .scope import DEFAULT_PROVINCE
from .timeline import EVENT_KINDS, KIND_LABELS, MILESTONE, chart_points, kinds_for, timeline_filter

MAX_MARKS = 3000
TOP = 22  # the year labels
LABEL = 15  # a row's label line
LANE = 16  # one lane of marks
GAP = 8  # below a row's last lane
POINT_HALF = 1.2  # half the room a mark on one day takes, in % of the width, when lanes are packed
MIN_BAR = 0.6  # the narrowest bar, in % of the width
MAX_LANES = 4
MAX_NAMED = 6  # events named in the title of one mark that stands for several
# Distinct on white and for the common colour-blindnesses (Okabe-Ito, darkened).
PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#8a6d00", "#56b4e9", "#6b4c9a", "#000000"]
NO_MODEL = "#4a5360"  # a milestone of a merger without a model
OTHER_KIND = "#3d4550"  # events that are not milestones: grey, told apart by shape
SHAPES = ("dot", "square", "diamond", "triangle", "star")


@dataclass
class Mark:
    kind: str
    left: float  # % of the width
    right: float  # % of the width; == left for one day
    colour: str
    filled: bool
    title: str
    url: str
    shape: str
    lane: int = 0

    @property
    def is_bar(self):
        return self.right > self.left


@dataclass
class Row:
    key: object
    label: str
    url: str
    sort: tuple
    unit: object = None  # the district or province; None: the whole country
    marks: list = field(default_factory=list)
    lanes: int = 1


def _n(value):
    return f"{float(value):.2f}"


def _lower_first(text):
    return text[:1].lower() + text[1:]


def _row_of(point, home):
    """The row an event is drawn on: its district, else its province (or
    its own unit when it is a province or district), else `home` (the page's
    district or province) for an event of no unit."""
    unit = point.unit
    if unit is None:
        return home
    if unit.level in (AdministrativeUnit.Level.DISTRICT, AdministrativeUnit.Level.PROVINCE):
        return unit
    return point.district or point.province or unit


def _home(filters):
    """The row of the events with no unit: the district the page is
    filtered to (one query), else its province, else a row for the whole
    country (None)."""
    if filters.get("district"):
        return AdministrativeUnit.objects.filter(slug=filters["district"]).first()
    return filters.get("province")


def _sort_key(unit, point):
    if unit is None:
        return ("",)
    province = point.province if point.unit is not None else None
    province_code = (province.gso_code if province else unit.gso_code) or ""
    return (
        province_code,
        unit.level != AdministrativeUnit.Level.PROVINCE,
        len(unit.gso_code or ""),
        unit.gso_code or "",
        unit.name_vi,
    )


def _list_url(filters, kind, row_unit, model, years):
    """The timeline list narrowed to one mark's events: its kind, row and years."""
    province = filters.get("province")
    params = {}
    if province is None:
        params["province"] = "all"
    elif province.slug != DEFAULT_PROVINCE:
        params["province"] = province.slug
    if row_unit is not None and row_unit.level == AdministrativeUnit.Level.DISTRICT:
        params["district"] = row_unit.slug
    elif filters.get("district"):
        params["district"] = filters["district"]
    if model is not None:
        params["model"] = model.slug
    elif filters.get("model"):
        params["model"] = filters["model"]
    params["kind"] = kind
    params["year_from"], params["year_to"] = years
    if filters.get("q"):
        params["q"] = filters["q"]
    return f"{reverse('portal:timeline')}?{urlencode(params)}#year-{years[0]}"


def _pack(marks):
    """Put overlapping marks of one row in lanes, one above the other
    (at most MAX_LANES; beyond, they share the last)."""
    ends = []
    for mark in sorted(marks, key=lambda m: (m.left, -m.right)):
        start = mark.left - (0 if mark.is_bar else POINT_HALF)
        end = mark.right + (0 if mark.is_bar else POINT_HALF)
        for lane, lane_end in enumerate(ends):
            if start > lane_end:
                mark.lane, ends[lane] = lane, end
                break
        else:
            if len(ends) < MAX_LANES:
                mark.lane = len(ends)
                ends.append(end)
            else:
                mark.lane = MAX_LANES - 1
                ends[-1] = max(ends[-1], end)
    return max(len(ends), 1)


def consolidation_chart(filters, count=None):
    """The chart's rows, year ticks and legend for `filters` (the
    timeline's, see `portal.timeline.timeline_filter`), or None when nothing
    is dated. `count`, when the caller knows it, is the number of events the
    list shows (a group of milestones counts its members): beyond MAX_MARKS
    none of them is read."""
    if count is not None and count > MAX_MARKS:
        return {"too_many": True, "limit": MAX_MARKS}
    filters = timeline_filter(filters)
    criteria = filters.criteria
    home = _home(criteria)
    points = chart_points(filters, MAX_MARKS)
    if not points:
        return None
    if len(points) > MAX_MARKS:
        return {"too_many": True, "limit": MAX_MARKS}
    days = [d for p in points for d in (p.earliest, p.latest) if d is not None]
    first = min(days).year
    last = max(days).year + 1
    start, end = datetime.date(first, 1, 1), datetime.date(last, 1, 1)
    span = (end - start).days or 1

    def x(day):
        return 100 * (day - start).days / span

    models = {}
    for point in points:
        if point.model is not None:
            models.setdefault(point.model.id, point.model)
    ordered_models = sorted(models.values(), key=lambda m: (m.order, m.slug))
    colours = {model.id: PALETTE[i % len(PALETTE)] for i, model in enumerate(ordered_models)}

    # One mark per row, kind, model, status and date as the source gives it.
    rows, groups = {}, {}
    for point in points:
        unit = _row_of(point, home)
        key = unit.id if unit is not None else None
        if key not in rows:
            rows[key] = Row(
                key=key,
                label=localized(unit, "name") if unit is not None else _("The whole country"),
                url=reverse("portal:district", args=[unit.slug]) if unit is not None else "",
                sort=_sort_key(unit, point),
                unit=unit,
            )
        model_id = point.model.id if point.model is not None else None
        groups.setdefault((key, point.kind, model_id, point.status, point.edtf), []).append(point)

    kinds = kinds_for(filters)
    for (key, kind, model_id, status, edtf), members in groups.items():
        members.sort(key=lambda p: p.record_id)
        head = members[0]
        row = rows[key]
        left = x(head.earliest) if head.earliest else 0.0
        right = x(head.latest + datetime.timedelta(days=1)) if head.latest else 100.0
        exact = head.earliest is not None and head.earliest == head.latest
        if exact:
            right = left
        elif right - left < MIN_BAR:
            right = min(left + MIN_BAR, 100.0)
        date = describe(edtf)
        if len(members) == 1:
            where = localized(head.unit, "name") if head.unit is not None else ""
            title = f"{where} · {head.label}, {date}" if where else f"{head.label}, {date}"
            url = head.url
        else:
            named = "; ".join(member.label for member in members[:MAX_NAMED])
            if len(members) > MAX_NAMED:
                extra = len(members) - MAX_NAMED
                named += " " + ngettext("and %(count)s more", "and %(count)s more", extra) % {"count": extra}
            title = _("%(row)s · %(date)s, %(kind)s (%(count)s): %(names)s") % {
                "row": row.label,
                "date": date,
                "count": len(members),
                "kind": _lower_first(str(KIND_LABELS.get(kind, kind))),
                "names": named,
            }
            years = ((head.earliest or head.latest).year, (head.latest or head.earliest).year)
            url = _list_url(criteria, kind, row.unit, head.model, years)
        if kind == MILESTONE:
            colour = colours[model_id] if model_id is not None else NO_MODEL
            filled = status == Status.COMPLETED
        else:
            colour, filled = OTHER_KIND, True
        shape = EVENT_KINDS[kind].mark if EVENT_KINDS[kind].mark in SHAPES else "square"
        row.marks.append(Mark(kind, left, right, colour, filled, title, url, shape))

    ordered_rows = sorted(rows.values(), key=lambda row: row.sort)
    y = TOP
    drawn = []
    for row in ordered_rows:
        row.lanes = _pack(row.marks)
        track_y = y + LABEL + 2
        drawn.append(
            {
                "label": row.label,
                "url": row.url,
                "label_y": y + LABEL - 3,
                "top": y,
                "track_y": track_y,
                "track_bottom": track_y + row.lanes * LANE,
                "mid_y": track_y + LANE // 2,
                "marks": [
                    {
                        "bar": mark.is_bar,
                        "x": _n(mark.left),
                        "width": _n(mark.right - mark.left),
                        "y": track_y + mark.lane * LANE + 3,
                        "mid_y": track_y + mark.lane * LANE + LANE // 2,
                        "height": LANE - 6,
                        "colour": mark.colour,
                        "filled": mark.filled,
                        "shape": mark.shape,
                        "title": mark.title,
                        "url": mark.url,
                        "kind": mark.kind,
                    }
                    for mark in sorted(row.marks, key=lambda m: (m.lane, m.left, not m.is_bar))
                ],
            }
        )
        y = track_y + row.lanes * LANE + GAP
    height = y
    year_count = last - first
    years = [
        {
            "x": _n(x(datetime.date(year, 1, 1))),
            "label_x": _n(x(datetime.date(year, 7, 1))),
            "year": year,
            # On a narrow screen every other year label is left out (CSS).
            "alternate": year_count > 6 and (year - first) % 2 == 1,
        }
        for year in range(first, last)
    ]
    kinds_drawn = {mark.kind for row in ordered_rows for mark in row.marks}
    return {
        "too_many": False,
        "height": height,
        "years": years,
        "rows": drawn,
        "grid_bottom": height - GAP // 2,
        "legend": [(localized(model, "short"), colours[model.id]) for model in ordered_models],
        "no_model": any(m.kind == MILESTONE and m.colour == NO_MODEL for row in ordered_rows for m in row.marks),
        "shapes": [
            (EVENT_KINDS[kind].mark if EVENT_KINDS[kind].mark in SHAPES else "square", KIND_LABELS.get(kind, kind))
            for kind in kinds
            if kind in kinds_drawn
        ],
        "count": len(points),
        "no_model_colour": NO_MODEL,
        "other_colour": OTHER_KIND,
    }
