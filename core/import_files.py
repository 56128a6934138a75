"""Reading import files within bounds, and keeping pending admin imports safe.

1. Bounds. A file is read row by row and refused as soon as it passes
   `QNMERGE_IMPORT_MAX_ROWS` data rows or `QNMERGE_IMPORT_MAX_CELLS` cells; an
   XLSX whose sheet *declares* more (its <dimension>) is refused before a
   row is read, so a 300 KB file declaring two million rows costs nothing.
   `QnCSV` and `QnXLSX` are the admin's formats; `read_dataset` is what
   `manage.py import_file` uses (with its own, larger limit).

2. Pending imports. Between the admin's dry run and its confirm step the
   upload waits in `var/pending-imports/` (QNMERGE_PENDING_IMPORT_DIR) under a
   random name; the confirm form carries only a signed token for that name,
   so a posted form cannot name any other file (`PendingImportStorage`).
   The file is deleted once the import is confirmed, refused or fails, and
   files older than QNMERGE_PENDING_IMPORT_MAX_AGE seconds (abandoned
   previews) are swept on every new upload.
"""

import csv
import io
import os
import re
import time
import uuid
from pathlib import Path

import tablib
from django.conf import settings
from django.core import signing
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV, XLSX
from import_export.tmp_storages import BaseStorage

TOKEN_SALT = "qnmerge.pending-import"
PENDING_NAME = re.compile(r"[0-9a-f]{32}")


class ImportLimitError(ValueError):
    """The file as a whole is refused before its rows are imported; the message says why."""


def grouped(number):
    """2,000,000 in English, 2.000.000 in Vietnamese."""
    return f"{number:,}".replace(",", get_format("THOUSAND_SEPARATOR"))


def max_rows():
    return settings.QNMERGE_IMPORT_MAX_ROWS


def max_cells():
    return settings.QNMERGE_IMPORT_MAX_CELLS


def too_many_rows(limit, declared=None):
    if declared is not None:
        return ImportLimitError(
            _(
                "The sheet declares %(declared)s rows; at most %(limit)s rows are imported at once. "
                "Split the file, or ask the operator to run manage.py import_file."
            )
            % {"declared": grouped(declared), "limit": grouped(limit)}
        )
    return ImportLimitError(
        _(
            "The file has more than %(limit)s rows; at most %(limit)s rows are imported at once. "
            "Split the file, or ask the operator to run manage.py import_file."
        )
        % {"limit": grouped(limit)}
    )


def too_many_cells(limit):
    return ImportLimitError(
        _("The file has more than %(limit)s cells; remove unused columns or split the file.")
        % {"limit": grouped(limit)}
    )


def _bounded(rows, row_limit, cell_limit):
    """Rows (lists of values) of a file, header first, refused past the limits."""
    cells = 0
    for number, row in enumerate(rows):
        if number > row_limit:  # the header plus row_limit data rows
            raise too_many_rows(row_limit)
        cells += len(row)
        if cells > cell_limit:
            raise too_many_cells(cell_limit)
        yield row


def _to_dataset(rows):
    rows = iter(rows)
    dataset = tablib.Dataset()
    try:
        header = list(next(rows))
    except StopIteration:
        return dataset
    width = len(header)
    dataset.headers = header
    for row in rows:
        values = list(row)
        if all(value is None or value == "" for value in values):
            continue  # blank lines (a spreadsheet's trailing rows) are not rows
        values = (values + [None] * width)[:width] if len(values) != width else values
        dataset.append(values)
    return dataset


def read_csv(data, row_limit=None, cell_limit=None):
    if isinstance(data, bytes):
        data = data.decode("utf-8-sig")
    row_limit = max_rows() if row_limit is None else row_limit
    cell_limit = max_cells() if cell_limit is None else cell_limit
    return _to_dataset(_bounded(csv.reader(io.StringIO(data, newline="")), row_limit, cell_limit))


def read_xlsx(data, row_limit=None, cell_limit=None):
    import openpyxl

    row_limit = max_rows() if row_limit is None else row_limit
    cell_limit = max_cells() if cell_limit is None else cell_limit
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ImportLimitError(
            _("The file cannot be read as XLSX; save it again from the spreadsheet as .xlsx.")
        ) from None
    try:
        sheet = book.active
        declared_rows, declared_columns = sheet.max_row, sheet.max_column  # from <dimension>, before any row
        if declared_rows is not None and declared_rows > row_limit + 1:
            raise too_many_rows(row_limit, declared_rows - 1)
        if declared_rows and declared_columns and declared_rows * declared_columns > cell_limit:
            raise too_many_cells(cell_limit)
        return _to_dataset(_bounded(sheet.iter_rows(values_only=True), row_limit, cell_limit))
    finally:
        book.close()


def read_dataset(data, kind, row_limit=None, cell_limit=None):
    """A tablib Dataset of an uploaded file ("csv" or "xlsx"), within bounds."""
    return (read_xlsx if kind == "xlsx" else read_csv)(data, row_limit, cell_limit)


class QnCSV(CSV):
    def create_dataset(self, in_stream):
        return read_csv(in_stream)


class QnXLSX(XLSX):
    def create_dataset(self, in_stream):
        return read_xlsx(in_stream)


# -- pending imports ---------------------------------------------------------------


def pending_dir():
    return Path(getattr(settings, "QNMERGE_PENDING_IMPORT_DIR", settings.BASE_DIR / "var" / "pending-imports"))


def sweep_pending(max_age=None):
    """Delete pending uploads older than `max_age` seconds (abandoned previews)."""
    max_age = settings.QNMERGE_PENDING_IMPORT_MAX_AGE if max_age is None else max_age
    folder = pending_dir()
    if not folder.is_dir():
        return 0
    limit = time.time() - max_age
    removed = 0
    for path in folder.glob("*.upload"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            pass
    return removed


class InvalidPendingImport(ValueError):
    pass


class PendingImportStorage(BaseStorage):
    """import-export's temporary storage, with a signed token as the name.

    `name` (what the confirm form posts back) is a signature over a random
    hex id; the file is `<pending dir>/<id>.upload`. A name that is not a
    valid, unexpired token raises InvalidPendingImport: nothing is read or
    deleted."""

    def path(self):
        try:
            key = signing.loads(self.name or "", salt=TOKEN_SALT, max_age=settings.QNMERGE_PENDING_IMPORT_MAX_AGE)
        except signing.BadSignature:
            raise InvalidPendingImport(self.name) from None
        if not isinstance(key, str) or not PENDING_NAME.fullmatch(key):
            raise InvalidPendingImport(self.name)
        return pending_dir() / f"{key}.upload"

    def save(self, data):
        folder = pending_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        sweep_pending()
        key = uuid.uuid4().hex
        self.name = signing.dumps(key, salt=TOKEN_SALT)
        if isinstance(data, str):
            data = data.encode(self.encoding or "utf-8")
        fd = os.open(self.path(), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(data)

    def read(self):
        with open(self.path(), "rb") as file:
            data = file.read()
        if "b" in (self.read_mode or "r"):
            return data
        return data.decode(self.encoding or "utf-8")

    def remove(self):
        try:
            self.path().unlink()
        except (FileNotFoundError, InvalidPendingImport):
            pass

    @classmethod
    def is_valid_name(cls, name):
        try:
            return cls(name=name).path().is_file()
        except InvalidPendingImport:
            return False
