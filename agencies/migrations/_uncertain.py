"""Shared by the migrations that turned (date, precision) pairs into EDTF.

Lives beside the migrations (a name starting with "_" is not a migration) so
that they keep working whatever agencies.dates becomes later.
"""

import calendar
import datetime


def edtf_of(day, precision):
    if day is None:
        return "", None
    if precision == "year":
        return f"{day.year:04d}", datetime.date(day.year, 12, 31)
    if precision == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return f"{day.year:04d}-{day.month:02d}", datetime.date(day.year, day.month, last)
    return day.isoformat(), day


def forward(app_label, pairs):
    """pairs: {model name: [(date field, precision field), ...]}, applied to
    each model and its historical model. Existing data migrates without loss:
    the day stays as the earliest day, the precision becomes the EDTF."""

    def run(apps, schema_editor):
        for model_name, fields in pairs.items():
            for name in (model_name, f"Historical{model_name}"):
                model = apps.get_model(app_label, name)
                changed = []
                for row in model.objects.all().iterator(chunk_size=2000):
                    for date_name, precision_name in fields:
                        edtf, latest = edtf_of(getattr(row, date_name), getattr(row, precision_name))
                        setattr(row, f"{date_name}_edtf", edtf)
                        setattr(row, f"{date_name}_latest", latest)
                    changed.append(row)
                    if len(changed) >= 2000:
                        model.objects.bulk_update(changed, [f"{d}_{s}" for d, _ in fields for s in ("edtf", "latest")])
                        changed = []
                if changed:
                    model.objects.bulk_update(changed, [f"{d}_{s}" for d, _ in fields for s in ("edtf", "latest")])

    return run
