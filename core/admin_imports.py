"""What the admin's import and export pages add to django-import-export:

- import templates (CSV and XLSX) for every importable model: the columns'
  headings in the user's language and one example row, a record the user may
  edit as it is stored, so importing the template as downloaded changes
  nothing and reports no error;
- the dry-run preview as rows of the file, numbered as Excel numbers them
  (header = row 1), every error written out beside its row, and the names of
  the records that identifiers (slugs, GSO codes, document numbers) point to;
- file names in Vietnamese that every browser saves intact (RFC 6266:
  `filename*` in UTF-8 with an ASCII `filename` fallback).
"""

from urllib.parse import quote

import tablib
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from import_export import widgets

from agencies.text import slugify_vi
from core.import_files import grouped
from core.resources import KeysWidget, KeyWidget, sheet_row

# Beside at most this many distinct identifiers per column (one query each column).
MAX_NAMED_KEYS = 500
# Rows the preview shows (a 20,000-row file would be a page no one reads and
# seconds to draw); the totals count every row.
PREVIEW_ROWS = 200


def attachment(filename):
    """A Content-Disposition header saving the file under `filename` (any
    language), with an ASCII fallback for old clients."""
    stem, dot, extension = filename.rpartition(".")
    fallback = (slugify_vi(stem) or "qnmerge") + (dot + extension if dot else "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def export_filename(model, extension, prefix=""):
    """ "Việc hợp nhất 2026-12-03.csv": what the file holds, and when."""
    name = capfirst(str(model._meta.verbose_name_plural))
    return f"{prefix}{name} {timezone.localdate().isoformat()}.{extension}"


# -- templates ----------------------------------------------------------------


def template_dataset(resource, example=None):
    """The header row (headings) and, when given, one example record as a row."""
    labels = resource.column_labels()
    fields = resource.get_import_fields()
    dataset = tablib.Dataset(headers=[labels[field.column_name] for field in fields])
    if example is not None:
        dataset.append([field.export(example) for field in fields])
    return dataset


# -- the dry-run preview --------------------------------------------------------


def key_columns(resource):
    """{column: widget} for the columns that name other records."""
    return {
        field.column_name: field.widget
        for field in resource.get_import_fields()
        if isinstance(field.widget, (KeyWidget, KeysWidget))
    }


def split_keys(widget, value):
    text = "" if value is None else str(value).strip()
    if not text:
        return []
    if isinstance(widget, widgets.ManyToManyWidget):
        return [key.strip() for key in text.split(widget.separator) if key.strip()]
    return [text]


def names_by_key(widget, keys):
    """{identifier: the record's name} for the identifiers that exist (one query)."""
    keys = sorted(keys)[:MAX_NAMED_KEYS]
    if not keys:
        return {}
    return widget.names(keys)


def preview_rows(resource, result, limit=PREVIEW_ROWS):
    """The rows to show: invalid rows when there are any (the import would be
    refused), else every row, at most `limit` of them; each as {"number"
    (Excel's), "kind", "errors": [(heading, [messages])], "cells": [(value,
    names)]}. "more" counts the rows left out, "totals" what the import does."""
    labels = resource.column_labels()
    columns = [field.column_name for field in resource.get_import_fields()]
    keyed = key_columns(resource)
    if result.has_validation_errors():
        shown = result.invalid_rows[:limit]
        more = len(result.invalid_rows) - len(shown)
        raw = [(sheet_row(row.number), None, row.values, row.error_dict) for row in shown]
        # import-export keeps an invalid row's cells in `values`, in diff_headers order.
        values_of = [dict(zip(result.diff_headers, values)) for _n, _k, values, _e in raw]
    else:
        valid = result.valid_rows()
        shown = valid[:limit]
        more = len(valid) - len(shown)
        raw = [(index + 2, row.import_type, None, {}) for index, row in enumerate(shown)]
        values_of = [dict(row.row_values or {}) for row in shown]
    wanted = {column: set() for column in keyed}
    for values in values_of:
        for column, widget in keyed.items():
            wanted[column].update(split_keys(widget, values.get(column)))
    names = {column: names_by_key(widget, wanted[column]) for column, widget in keyed.items()}
    kinds = {"new": _("New"), "update": _("Update"), "skip": _("Unchanged"), "delete": _("Delete")}
    rows = []
    for (number, kind, _values, error_dict), values in zip(raw, values_of):
        errors = []
        for column, messages in (error_dict or {}).items():
            heading = labels.get(column, _("Whole row") if column == "__all__" else column)
            errors.append((heading, [str(message) for message in messages]))
        cells = []
        for column in columns:
            value = values.get(column, "")
            value = "" if value is None else value
            named = []
            if column in keyed:
                named = [names[column][key] for key in split_keys(keyed[column], value) if key in names[column]]
            cells.append((value, named))
        rows.append({"number": number, "kind": kinds.get(kind, ""), "errors": errors, "cells": cells})
    totals = [
        (kinds[kind], grouped(result.totals.get(kind, 0)))
        for kind in ("new", "update", "skip")
        if result.totals.get(kind, 0)
    ]
    return {
        "headings": [labels[column] for column in columns],
        "rows": rows,
        "more": more,
        "more_text": grouped(more),
        "invalid": len(result.invalid_rows),
        "invalid_text": grouped(len(result.invalid_rows)),
        "totals": totals,
    }
