"""Numbers and inline SVG charts for the analysis pages, drawn on the server.

Charts are plain SVG with a <title>, a <desc> and text labels on every bar,
always next to a table holding the same numbers: no script, no external file.
"""

from django import template
from django.utils.translation import gettext as _

from portal import numbers

register = template.Library()

# Numbers and dates are portal_tags' (portal.numbers): load it beside this one.


# -- charts ------------------------------------------------------------------

CHART_WIDTH = 640
LABEL_COLUMN = 64
VALUE_ROOM = 130
BAR_HEIGHT = 14
LABEL_HEIGHT = 18
ROW_GAP = 14
LABEL_CHARS = 80


def _n(value):
    """A coordinate as text, never localised ("12.5", not "12,5")."""
    return f"{float(value):g}"


def _short(text, limit=LABEL_CHARS):
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _merger_label(merger):
    """ "Ha Long City · Organisation - Home Affairs": short enough for a bar label."""
    if merger.model_id and merger.model is not None:
        return f"{merger.unit.name} · {merger.model.short}"
    return str(merger)


@register.inclusion_tag("portal/includes/charts/headcount_bars.html")
def headcount_chart(rows, chart_id="headcount-chart"):
    """Before/after bars per merger; a figure that is unknown is written, not drawn."""
    values = [v for row in rows for v in (row.before, row.after) if v is not None]
    scale_max = max(values, default=0) or 1
    span = CHART_WIDTH - LABEL_COLUMN - VALUE_ROOM
    row_height = LABEL_HEIGHT + 2 * BAR_HEIGHT + 4 + ROW_GAP
    bars = []
    for index, row in enumerate(rows):
        top = index * row_height
        pairs = []
        for offset, (phase, label, value) in enumerate(
            (("before", _("Before"), row.before), ("after", _("After"), row.after))
        ):
            y = top + LABEL_HEIGHT + offset * (BAR_HEIGHT + 4)
            width = round(span * value / scale_max, 1) if value is not None else 0
            pairs.append(
                {
                    "phase": phase,
                    "label": label,
                    "value": value,
                    "y": _n(y),
                    "text_y": _n(y + BAR_HEIGHT - 3),
                    "width": _n(max(width, 1) if value is not None else 0),
                    "value_x": _n(LABEL_COLUMN + (max(width, 1) if value is not None else 0) + 6),
                }
            )
        bars.append(
            {
                "title": str(row.merger),
                "label": _short(_merger_label(row.merger)),
                "label_y": _n(top + LABEL_HEIGHT - 5),
                "pairs": pairs,
                "change": row.change,
                "percent": row.percent,
            }
        )
    return {
        "chart_id": chart_id,
        "bars": bars,
        "width": _n(CHART_WIDTH),
        "height": _n(max(len(rows) * row_height, row_height)),
        "bar_x": _n(LABEL_COLUMN),
        "bar_height": _n(BAR_HEIGHT),
    }


YEAR_WIDTH = 44
STRIP_HEIGHT = 80
STRIP_TOP = 16
STRIP_BOTTOM = 20


@register.inclusion_tag("portal/includes/charts/year_strip.html")
def year_strip(year_counts, chart_id="timeline-years"):
    """One column per year, its height the number of events that year."""
    totals = [(year, sum(kinds.values())) for year, kinds in year_counts.items()]
    if totals:
        first, last = min(y for y, _n in totals), max(y for y, _n in totals)
        by_year = dict(totals)
        totals = [(year, by_year.get(year, 0)) for year in range(first, last + 1)]
    peak = max((n for _y, n in totals), default=0) or 1
    span = STRIP_HEIGHT - STRIP_TOP - STRIP_BOTTOM
    columns = []
    for index, (year, count) in enumerate(totals):
        height = round(span * count / peak, 1)
        x = index * YEAR_WIDTH
        columns.append(
            {
                "year": year,
                "count": count,
                "x": _n(x + 8),
                "width": _n(YEAR_WIDTH - 16),
                "y": _n(STRIP_TOP + span - height),
                "height": _n(height),
                "label_x": _n(x + YEAR_WIDTH / 2),
                "count_y": _n(STRIP_TOP + span - height - 4),
            }
        )
    return {
        "chart_id": chart_id,
        "columns": columns,
        "width": _n(max(len(columns) * YEAR_WIDTH, YEAR_WIDTH)),
        "height": _n(STRIP_HEIGHT),
        "axis_y": _n(STRIP_TOP + span),
        "year_y": _n(STRIP_HEIGHT - 5),
    }


@register.simple_tag
def figure_check(figure):
    """{"state": ..., "message": ...}: how a reported figure compares with the records.

    state is "mismatch", "match", "total_only" (the records differ from a total
    whose units the source does not name), "no_value" (no number) or
    "not_computed" (the records cannot compute it).
    """
    computed = figure.computed
    if computed is None:
        return {"state": "not_computed", "message": _("Not computed from the records")}
    if figure.value is None:
        return {"state": "no_value", "message": _("The source gives no number to compare")}
    if figure.total_only:
        return {"state": "total_only", "message": _("The article only gives the total")}
    if figure.mismatch:
        return {
            "state": "mismatch",
            "message": _("Mismatch: the source reports %(reported)s, the records give %(computed)s.")
            % {"reported": numbers.figure_value(figure), "computed": numbers.figure_computed(figure)},
        }
    return {"state": "match", "message": _("Matches the records")}
