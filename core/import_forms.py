"""The admin's import form: refuse bad files before they are parsed.

django-import-export reads the upload only after its form is valid, and a
file it cannot decode ends as a bare "UnicodeDecodeError encountered". This
form checks first, in this order, and says what to do:

1. size: above `QNMERGE_IMPORT_MAX_BYTES` the file is refused unread;
2. emptiness;
3. for text formats (CSV...): the encoding must be UTF-8 (UTF-16 and legacy
   code pages such as Windows-1258 are named, with the line of the first
   bad byte);
4. for spreadsheets (XLSX): the file must really be one.

Columns and rows are then checked by the resource (`core.resources.QnResource`
and the declarations of each domain app's `resources.py`).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export.forms import ImportForm

UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF8_BOM = b"\xef\xbb\xbf"
XLSX_MAGIC = b"PK\x03\x04"


def megabytes(size):
    return f"{size / (1024 * 1024):.1f}"


def check_size(size, limit=None):
    limit = settings.QNMERGE_IMPORT_MAX_BYTES if limit is None else limit
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; files larger than %(limit)s MB are refused. Split it into smaller files.")
            % {"size": megabytes(size), "limit": megabytes(limit)},
            code="too_large",
        )


def check_text_encoding(data):
    """Raise a ValidationError unless `data` is UTF-8 (with or without BOM)."""
    head = data[:4096]
    if data.startswith(UTF16_BOMS) or (b"\x00" in head and head.count(b"\x00") > len(head) // 8):
        raise ValidationError(
            _("The file is UTF-16; the file must be UTF-8. In Excel use Save As, “CSV UTF-8 (Comma delimited)”."),
            code="utf16",
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationError(
            _(
                "The file must be UTF-8: line %(line)s holds bytes that are not UTF-8 (probably Windows-1258 "
                "or another legacy encoding). In Excel use Save As, “CSV UTF-8 (Comma delimited)”."
            )
            % {"line": line},
            code="not_utf8",
        ) from None


def check_upload(upload, input_format=None):
    """Check an uploaded file (Django UploadedFile) for the chosen import format class."""
    check_size(upload.size)
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if not data.strip(b" \t\r\n" + UTF8_BOM):
        raise ValidationError(_("The file is empty."), code="empty")
    binary = input_format is not None and input_format().is_binary()
    if not binary:
        check_text_encoding(data)
        return
    title = input_format().get_title()
    if title == "xlsx" and not data.startswith(XLSX_MAGIC):
        raise ValidationError(
            _("This is not an XLSX file; save it from the spreadsheet as .xlsx or choose CSV."), code="not_xlsx"
        )


class QnImportForm(ImportForm):
    """import-export's import form, plus the checks above on the uploaded file."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.input_formats = formats

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("import_file")
        if upload is None:
            return cleaned
        input_format = None
        try:
            input_format = self.input_formats[int(cleaned.get("format"))]
        except (TypeError, ValueError, IndexError):
            pass
        try:
            check_upload(upload, input_format)
        except ValidationError as exc:
            self.add_error("import_file", exc)
        return cleaned
