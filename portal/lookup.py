"""Old-to-new lookup: which unit did an old commune (or province) become on
01/07/2025, and which units did a new one come from."""

import csv
import io

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from agencies.models import AdministrativeUnit, UnitSuccession

from .exports import neutralise
from .filters import MAX_QUERY_LENGTH

MAX_UNITS = 25


def find(text):
    """[(unit, [successions to later units], [successions from earlier units])]
    for the first MAX_UNITS units matching `text`, and whether there were more.
    Three queries, whatever is found: units, successions, sources-free."""
    units = list(
        AdministrativeUnit.objects.matching_name_or_code(text)
        .select_related("parent", "province")
        .order_by("name_folded", "valid_from", "gso_code")[: MAX_UNITS + 1]
    )
    more = len(units) > MAX_UNITS
    units = units[:MAX_UNITS]
    ids = [u.pk for u in units]
    later, earlier = {}, {}
    for row in (
        UnitSuccession.objects.filter(Q(predecessor__in=ids) | Q(successor__in=ids))
        .select_related("predecessor", "predecessor__parent", "successor", "successor__parent", "basis")
        .order_by("successor__name_folded", "predecessor__name_folded")
    ):
        later.setdefault(row.predecessor_id, []).append(row)
        earlier.setdefault(row.successor_id, []).append(row)
    return [(u, later.get(u.pk, []), earlier.get(u.pk, [])) for u in units], more


def _table(results):
    """The lookup's rows for a file: one per succession (or per unit without one)."""
    header = [
        _("unit"),
        _("GSO code"),
        _("within"),
        _("direction"),
        _("other unit"),
        _("other unit's GSO code"),
        _("partly"),
        _("effective"),
        _("legal basis"),
    ]
    rows, days = [], []
    for unit, later, earlier in results:
        within = unit.parent.name_vi if unit.parent else ""
        for direction, successions, other in (
            (_("became"), later, "successor"),
            (_("came from"), earlier, "predecessor"),
        ):
            for row in successions:
                other_unit = getattr(row, other)
                rows.append(
                    [
                        unit.name_vi,
                        unit.gso_code or "",
                        within,
                        direction,
                        other_unit.name_vi,
                        other_unit.gso_code or "",
                        _("yes") if row.partly else _("no"),
                        row.date_edtf,
                        row.basis.number if row.basis else "",
                    ]
                )
                days.append(row.date if row.date is not None and row.date == row.date_latest else None)
        if not later and not earlier:
            rows.append([unit.name_vi, unit.gso_code or "", within, "", "", "", "", "", ""])
            days.append(None)
    return header, [[neutralise(str(value)) for value in row] for row in rows], days


EFFECTIVE = 7  # the column of the date (EDTF) the succession took effect
MEANINGS = [
    _("The unit the reader looked up (its Vietnamese name)."),
    _("Its code in the General Statistics Office's list."),
    _("The unit it lay within."),
    _("“became”: the later unit it went into; “came from”: an earlier unit it was formed from."),
    _("The later or earlier unit."),
    _("That unit's GSO code."),
    _("Whether only part of the earlier unit went into the later one."),
    _("The day the change took effect, as an Excel date."),
    _("The day the change took effect, as the source gives it (EDTF)."),
    _("The resolution that made the change."),
]


def _file(results, file_format):
    header, rows, days = _table(results)
    if file_format == "xlsx":
        # As every XLSX twin: a real Excel date before the date as the source
        # gives it, a frozen header row and a second sheet on the columns.
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Lookup")[:31]
        day_header = _("%(date)s (day)") % {"date": header[EFFECTIVE]}
        sheet.append([*header[:EFFECTIVE], day_header, *header[EFFECTIVE:]])
        for row, day in zip(rows, days, strict=True):
            sheet.append([*row[:EFFECTIVE], day, *row[EFFECTIVE:]])
            if day is not None:
                sheet.cell(row=sheet.max_row, column=EFFECTIVE + 1).number_format = "DD/MM/YYYY"
        sheet.freeze_panes = "A2"
        columns = workbook.create_sheet(_("Columns")[:31])
        columns.append([_("Column"), _("Meaning")])
        for name, meaning in zip([*header[:EFFECTIVE], day_header, *header[EFFECTIVE:]], MEANINGS, strict=True):
            columns.append([name, meaning])
        columns.freeze_panes = "A2"
        buffer = io.BytesIO()
        workbook.save(buffer)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = HttpResponse(buffer.getvalue(), content_type=content_type)
    else:
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="qnmerge-lookup.{file_format}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def lookup(request):
    text = request.GET.get("q", "").strip()
    notices = []
    if len(text) > MAX_QUERY_LENGTH:
        notices.append(
            _("The search text is too long; it was shortened to %(n)s characters.") % {"n": MAX_QUERY_LENGTH}
        )
        text = text[:MAX_QUERY_LENGTH]
    results, more = find(text) if text else ([], False)
    if text and request.GET.get("format") in ("csv", "xlsx"):
        return _file(results, request.GET["format"])
    return render(
        request,
        "portal/lookup.html",
        {
            "q": text,
            "results": results,
            "more": more,
            "max_units": MAX_UNITS,
            "page_notices": notices,
        },
    )
