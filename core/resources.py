"""The import engine on django-import-export: rows name records by stable identifiers.

Every file is a table whose columns are a resource's fields; rows name
other records by natural key (unit slug or GSO code, body slug, document
number, source slug; several as `;`-separated keys), never by database id,
so the same file imports into any database and re-importing it changes
nothing (`skip_unchanged`).

This module is the machinery only: `QnResource` (the base every resource
derives from), its strict widgets and fields (`col_text`, `col_key`,
`col_date`...) and `describe_errors`. Each domain app declares its own
resources (which columns of which model) in its `resources.py`; the rows are
checked and written in bulk by `core.bulk_import`.

Imports are all or nothing: any row error rolls the whole file back
(`QnResource.import_data` forces `rollback_on_validation_errors`), and the
admin's dry run lists every row's change and every error first. Errors name
the row as Excel numbers it (`sheet_row`: the header is row 1, the first data
row is row 2) and the column; `describe_errors(result)` flattens them to
readable lines.

A district editor (`core.scope.district_ids_for(user)` is a set) may only
import rows of their districts; the resource gets the user from the admin
(`user=request.user`).
"""

import contextvars
import datetime
import decimal
import importlib
import re

from django.apps import apps
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from agencies.dates import parse_input
from agencies.text import NUL, neutralise, null_character_message, unneutralise
from core.cache import writes_batched
from core.history import write_version
from core.scope import (
    ChoiceScope,
    district_id_of,
    district_ids_for,
    out_of_scope_choices,
    record_scope_path,
    scope_select_related,
)

LIST_SEPARATOR = ";"
# Records found by natural key during one import (a unit named on every row
# is looked up once); set by QnResource.import_data, None outside imports.
_lookups = contextvars.ContextVar("qnmerge_import_lookups", default=None)


def as_text(value):
    """A cell as text: spreadsheets give numbers and dates, CSV gives strings."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def sheet_row(number):
    """import-export's row number (first data row = 1) as Excel and LibreOffice
    number it, the header being row 1."""
    return None if number is None else number + 1


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (columns, emptiness, permission)."""


class ColumnError(ValueError):
    """A cell that cannot be read; knows its column."""

    def __init__(self, column, message):
        super().__init__(message)
        self.column = column


# -- widgets: strict, with messages that say what is wrong -----------------


class TextWidget(widgets.Widget):
    def __init__(self, null=False, **kwargs):
        super().__init__(**kwargs)
        self.null = null

    def clean(self, value, row=None, **kwargs):
        text = unneutralise(as_text(value))
        if NUL in text:
            raise ValueError(null_character_message())
        return None if self.null and not text else text

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class WholeNumberWidget(widgets.Widget):
    """An integer, or None for an empty cell; "12a", "1.5" or "abc" is an error."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value})
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = as_text(value)
        if not text:
            return None
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text[:40]})

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class NumberWidget(widgets.Widget):
    """A decimal number with a full stop, or None for an empty cell."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            raise ValueError(_("“%(value)s” is not a number.") % {"value": value})
        if isinstance(value, (int, decimal.Decimal)):
            return decimal.Decimal(value)
        if isinstance(value, float):
            return decimal.Decimal(str(value))
        text = as_text(value)
        if not text:
            return None
        try:
            number = decimal.Decimal(text)
        except decimal.InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValueError(_("“%(value)s” is not a number (use a full stop for decimals).") % {"value": text[:40]})
        return number

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, decimal.Decimal) and value == value.to_integral_value():
            return str(value.quantize(decimal.Decimal(1)))
        return str(value)


def _model_name(model):
    return str(model._meta.verbose_name)


# What a lookup found, remembered for the rest of the import.
MISSING = object()
AMBIGUOUS = object()


def _scoped_queryset(model):
    """Records of `model` with what deciding their district needs (no query per row)."""
    queryset = model._default_manager.all()
    related = scope_select_related(model)
    return queryset.select_related(related) if related else queryset


class KeyWidget(widgets.ForeignKeyWidget):
    """A foreign key by natural key (slug, document number...); empty = none.

    During an import every key a column names is looked up at once
    (`prefetch`, one query per column) and remembered; a row naming a record
    made by an earlier row of the same file finds it too (`remember`)."""

    def __init__(self, model, field="slug", **kwargs):
        super().__init__(model, field=field, **kwargs)

    def lookup(self, text):
        return {self.field: text}

    def cache_key(self, text):
        return (self.model, *self.lookup(text).items())

    def fetch(self, texts):
        """{text: record, MISSING or AMBIGUOUS} for these keys, in one query."""
        found = dict.fromkeys(texts, MISSING)
        if texts:
            for obj in _scoped_queryset(self.model).filter(**{f"{self.field}__in": texts}):
                found[as_text(getattr(obj, self.field))] = obj
        return found

    def prefetch(self, values):
        cache = _lookups.get()
        texts = {as_text(value) for value in values} - {""}
        if cache is None:
            return
        texts = [text for text in texts if self.cache_key(text) not in cache]
        for text, obj in self.fetch(texts).items():
            cache[self.cache_key(text)] = obj

    def remember(self, obj):
        """A record this import makes, for the rows after it that name it."""
        self.remember_keys(obj, [as_text(getattr(obj, self.field, ""))])

    def remember_keys(self, obj, texts):
        """Rows after this one naming `obj` by any of `texts` find it."""
        cache = _lookups.get()
        if cache is None:
            return
        for text in texts:
            if text:
                cache[self.cache_key(text)] = obj

    def names(self, keys):
        """{identifier: the record's name} for the identifiers that exist (one
        query): the admin's preview shows them beside the file's cells."""
        manager = self.model._default_manager
        return {str(getattr(obj, self.field)): str(obj) for obj in manager.filter(**{f"{self.field}__in": keys})}

    def found(self, text):
        cache = _lookups.get()
        key = self.cache_key(text)
        if cache is not None and key in cache:
            return cache[key]
        obj = self.fetch([text])[text]
        if cache is not None:
            cache[key] = obj
        return obj

    def clean(self, value, row=None, **kwargs):
        text = as_text(value)
        if not text:
            return None
        found = self.found(text)
        if found is AMBIGUOUS:
            raise ValueError(
                _("Several %(model)s have %(key)s “%(value)s”; name it by its slug.")
                % {"model": self.model._meta.verbose_name_plural, "key": self.key_label(text), "value": text[:80]}
            )
        if found is MISSING:
            raise ValueError(
                _("No %(model)s with %(key)s “%(value)s”.")
                % {"model": _model_name(self.model), "key": self.key_label(text), "value": text[:80]}
            )
        return found

    def key_label(self, text):
        return self.field

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else as_text(getattr(value, self.field))


class KeysWidget(widgets.ManyToManyWidget):
    """Several records by natural key, separated by `;`; an unknown key is an error."""

    def __init__(self, model, field="slug", **kwargs):
        super().__init__(model, separator=LIST_SEPARATOR, field=field, **kwargs)
        self.one = KeyWidget(model, field=field)

    def keys(self, value):
        return list(dict.fromkeys(k.strip() for k in as_text(value).split(self.separator) if k.strip()))

    def prefetch(self, values):
        self.one.prefetch({key for value in values for key in self.keys(value)})

    def names(self, keys):
        return self.one.names(keys)

    def clean(self, value, row=None, **kwargs):
        keys = self.keys(value)
        if not keys:
            return []
        cache = _lookups.get()
        if cache is None:  # outside an import
            found = self.one.fetch(keys)
        else:
            self.one.prefetch(keys)  # a query only for keys not known yet
            found = {key: cache[self.one.cache_key(key)] for key in keys}
        missing = [key for key in keys if found[key] is MISSING]
        if missing:
            raise ValueError(
                _("No %(model)s with %(key)s %(values)s.")
                % {
                    "model": _model_name(self.model),
                    "key": self.field,
                    "values": ", ".join(f"“{key[:80]}”" for key in missing[:10]),
                }
            )
        return [found[key] for key in keys]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.separator.join(sorted(as_text(getattr(item, self.field)) for item in value.all()))


# -- fields ------------------------------------------------------------------


class QnField(fields.Field):
    """A field whose cell errors carry their column name."""

    def get_value(self, instance):
        # A new row has no many-to-many values yet; asking its manager would
        # fail (and Holding.__str__ recurses while Django builds that error).
        if isinstance(self.widget, widgets.ManyToManyWidget) and instance.pk is None:
            return None
        return super().get_value(instance)

    def clean(self, row, **kwargs):
        try:
            return super().clean(row, **kwargs)
        except ColumnError:
            raise
        except ValueError as exc:
            raise ColumnError(self.column_name, str(exc)) from None


def col_text(name, null=False):
    """A text column; `null` for a nullable field, where an empty cell means None."""
    return QnField(attribute=name, column_name=name, widget=TextWidget(null=null))


def col_whole(name):
    return QnField(attribute=name, column_name=name, widget=WholeNumberWidget())


def col_number(name):
    return QnField(attribute=name, column_name=name, widget=NumberWidget())


def col_key(name, model, field="slug"):
    return QnField(attribute=name, column_name=name, widget=KeyWidget(model, field=field))


def col_keys(name, model, field="slug"):
    return QnField(attribute=name, column_name=name, widget=KeysWidget(model, field=field))


class UncertainDateColumn(QnField):
    """A date in one cell as the source gives it: dd/mm/yyyy, mm/yyyy, yyyy,
    ISO, an Excel date, a phrase ("đầu năm 2018", "trước 27/09/2017") or EDTF.
    It sets the record's `<name>_edtf`; exports write the EDTF."""

    def __init__(self, name, **kwargs):
        super().__init__(attribute=f"{name}_edtf", column_name=name, widget=TextWidget(), **kwargs)

    def clean(self, row, **kwargs):
        if self.column_name not in row:
            raise KeyError(f"Column '{self.column_name}' not found in dataset")
        value = row[self.column_name]
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            return value.isoformat()
        try:
            return parse_input(as_text(value))
        except ValidationError as exc:
            raise ColumnError(self.column_name, " ".join(exc.messages)) from None

    def save(self, instance, row, is_m2m=False, **kwargs):
        setattr(instance, self.attribute, self.clean(row))

    def get_value(self, instance):
        return getattr(instance, self.attribute)

    def export(self, instance, **kwargs):
        return self.get_value(instance)


def col_date(name):
    return UncertainDateColumn(name)


# -- the base resource ---------------------------------------------------------


class QnResource(resources.ModelResource):
    """Natural keys, strict cells, all-or-nothing imports, district scope.

    Subclasses declare their fields, list them in `Meta.fields` (the file's
    columns, in order) and their natural key in `Meta.import_id_fields`;
    `scope_column` names the column whose record decides the district.
    """

    DEFAULT_RESOURCE_FIELD = QnField
    scope_column = "unit"

    class Meta:
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = True
        skip_html_diff = False
        store_row_values = True  # the admin's preview shows each row as typed, with names

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self._seen_keys = {}

    # -- who may import what ---------------------------------------------
    def district_ids(self):
        if self.user is None:
            return None
        if not hasattr(self, "_district_ids"):
            self._district_ids = district_ids_for(self.user)
        return self._district_ids

    # -- the columns --------------------------------------------------------
    @classmethod
    def columns(cls):
        return [field.column_name for field in cls().get_import_fields()]

    @classmethod
    def column_labels(cls):
        """{column: its heading in the active language}, e.g. "title_vi" ->
        "Tiêu đề (tiếng Việt)": the import templates' header row."""
        labels = {}
        for field in cls().get_import_fields():
            try:
                label = cls._meta.model._meta.get_field(field.attribute).verbose_name
            except Exception:  # a column that is no model field
                label = field.column_name
            labels[field.column_name] = capfirst(str(label))
        return labels

    @classmethod
    def column_for_heading(cls, heading):
        """The column a header cell names: its column name, or its heading
        in any of the site's languages (an import template as downloaded)."""
        if "_heading_columns" not in cls.__dict__:
            headings = {}
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    headings.update({label.casefold(): column for column, label in cls.column_labels().items()})
            cls._heading_columns = headings
        return cls._heading_columns.get(heading.casefold(), heading)

    def check_headers(self, dataset):
        headers = [self.column_for_heading(as_text(h).lstrip("\ufeff")) for h in (dataset.headers or [])]
        if not any(headers):
            raise ImportFileError(_("The file is empty: it has no header row."))
        dataset.headers = headers
        expected = self.columns()
        missing = [c for c in expected if c not in headers]
        extra = [h for h in headers if h not in expected]
        repeated = sorted({h for h in headers if h and headers.count(h) > 1})
        problems = []
        if missing:
            problems.append(_("missing columns: %(columns)s") % {"columns": ", ".join(missing)})
        if extra:
            problems.append(
                _("unknown columns: %(columns)s") % {"columns": ", ".join(h or _("(no name)") for h in extra)}
            )
        if repeated:
            problems.append(_("repeated columns: %(columns)s") % {"columns": ", ".join(repeated)})
        if problems:
            raise ImportFileError(
                _("The header row does not match %(model)s: %(problems)s. Expected columns: %(expected)s.")
                % {
                    "model": self._meta.model._meta.verbose_name_plural,
                    "problems": "; ".join(problems),
                    "expected": ", ".join(expected),
                }
            )
        if not len(dataset):
            raise ImportFileError(_("The file has a header row but no rows to import."))

    # -- import hooks ---------------------------------------------------------
    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        # All or nothing: a row that fails validation rolls back every row.
        kwargs["rollback_on_validation_errors"] = True
        if self.user is None and kwargs.get("user") is not None:
            self.user = kwargs["user"]
        self._seen_keys = {}
        token = _lookups.set({})
        try:
            with writes_batched():
                if self.imports_in_bulk():
                    from .bulk_import import BulkImport

                    result = BulkImport(
                        self,
                        dataset,
                        dry_run=dry_run,
                        keep_instances=kwargs.get("retain_instance_in_row_result", False),
                        raise_errors=raise_errors,
                    ).run()
                else:
                    result = super().import_data(
                        dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=True, **kwargs
                    )
        finally:
            _lookups.reset(token)
        self.explain_errors(result)
        return result

    # Rows checked in memory and written in bulk (core.bulk_import);
    # False keeps django-import-export's row-by-row path.
    bulk = True

    def imports_in_bulk(self):
        from .bulk_import import supports_bulk

        return self.bulk and supports_bulk(self._meta.model)

    def choice_scope(self):
        """What the user may pick, remembered for the whole import (ChoiceScope)."""
        if getattr(self, "_choice_scope", None) is None or self._choice_scope.district_ids != self.district_ids():
            self._choice_scope = ChoiceScope(self.district_ids())
        return self._choice_scope

    def explain_errors(self, result):
        """Errors as an editor can act on them: a missing column is named with
        the columns the file needs, and no traceback (with the server's paths)
        reaches the page unless DEBUG is on."""
        errors = list(result.base_errors) + [error for _, row_errors in result.row_errors() for error in row_errors]
        for error in errors:
            if isinstance(error.error, KeyError):
                column = str(error.error.args[0]) if error.error.args else ""
                found = re.search(r"Column '([^']*)'", column)
                error.error = ImportFileError(
                    _("Column “%(column)s” is not in the file; the file needs the columns: %(columns)s.")
                    % {"column": found.group(1) if found else column, "columns": ", ".join(self.columns())}
                )
            if not settings.DEBUG:
                error.traceback = ""

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        try:
            ids = self.district_ids()
            if ids is not None and record_scope_path(self._meta.model) is None:
                raise ImportFileError(
                    _("District editors cannot import %(model)s.")
                    % {"model": self._meta.model._meta.verbose_name_plural}
                )
            self.check_headers(dataset)
        except ImportFileError:
            del dataset[0 : len(dataset)]  # nothing to go through row by row
            raise

    def natural_key_of(self, row):
        values = []
        for name in self.get_import_id_fields():
            field = self.fields[name]
            try:
                values.append(
                    as_text(field.clean(row))
                    if isinstance(field, UncertainDateColumn)
                    else as_text(row.get(field.column_name))
                )
            except ValueError:
                values.append(as_text(row.get(field.column_name)))
        return tuple(values)

    def before_import_row(self, row, row_number=None, **kwargs):
        super().before_import_row(row, row_number=row_number, **kwargs)
        key = self.natural_key_of(row)
        if any(key):
            first = self._seen_keys.setdefault(key, row_number)
            if first != row_number:
                columns = [self.fields[name].column_name for name in self.get_import_id_fields()]
                raise ValidationError(
                    {
                        columns[0]: _("Repeats row %(first)s (same %(columns)s: %(values)s).")
                        % {
                            "first": sheet_row(first),
                            "columns": ", ".join(columns),
                            "values": ", ".join(key),
                        }
                    }
                )

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except ColumnError as exc:
            raise ValidationError({exc.column: str(exc)}) from None

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            # Errors come keyed by model field (founded_on_edtf): name the file's column (founded_on).
            columns = {field.attribute: field.column_name for field in self.get_import_fields()}
            errors = {columns.get(key, key): value for key, value in exc.update_error_dict({}).items()}
        # Many-to-many cells are saved after the row: check their keys now.
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as exc:
                    errors.setdefault(field.attribute, []).append(ValidationError(str(exc)))
        if not errors:
            self.check_scope(instance, kwargs.get("row_number"))
            self.check_choices(instance, row, kwargs.get("row_number"))
        if errors:
            raise ValidationError(errors)

    # One history version per imported row, written once the row's links are
    # saved (not one for the row and another for each many-to-many field).
    def save_instance(self, instance, is_create, row, **kwargs):
        instance.skip_history_when_saving = True
        try:
            super().save_instance(instance, is_create, row, **kwargs)
        finally:
            del instance.skip_history_when_saving
        instance._qnmerge_history_type = "+" if is_create else "~"

    def save_m2m(self, instance, row, **kwargs):
        # Links are written as the bulk path writes them: a citation gets its
        # entry in the citation history (a revert knows it came with the import).
        from .bulk_import import apply_links, load_links

        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                current = load_links(type(instance), field.attribute, [instance.pk])
                apply_links(type(instance), field.attribute, [(instance, field.clean(row), False)], current, self.user)
        history_type = getattr(instance, "_qnmerge_history_type", None)
        if history_type:
            write_version(instance, history_type)
            del instance._qnmerge_history_type

    def check_choices(self, instance, row, row_number, m2m=None):
        """Every record a row names must be one the user could pick in the
        admin's form (core.scope.out_of_scope_choices, the forms' rule)."""
        ids = self.district_ids()
        if ids is None:
            return
        if m2m is None:
            m2m = {}
            for field in self.get_import_fields():
                if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                    m2m[field.attribute] = field.clean(row)
        refused = out_of_scope_choices(instance, ids, m2m, scope=self.choice_scope())
        if refused:
            columns = {field.attribute: field.column_name for field in self.get_import_fields()}
            raise ValidationError(
                {
                    columns.get(name, name): _("%(value)s is outside the districts you may edit.") % {"value": record}
                    for name, record in refused.items()
                }
            )

    STORED_UNKNOWN = object()

    def check_scope(self, instance, row_number, stored_district=STORED_UNKNOWN):
        """A district editor's row must stay in (and change only records of)
        their districts; `stored_district` is the record's district before
        the row (looked up when not given)."""
        ids = self.district_ids()
        if ids is None:
            return
        if instance.pk is not None:
            if stored_district is self.STORED_UNKNOWN:
                stored = type(instance)._default_manager.filter(pk=instance.pk).first()
                stored_district = district_id_of(stored) if stored is not None else None
                changes_other = stored is not None and stored_district not in ids
            else:
                changes_other = stored_district not in ids
            if changes_other:
                raise ValidationError(
                    {self.scope_column: _("This row changes a record of a district you may not edit.")}
                )
        if district_id_of(instance) not in ids:
            raise ValidationError(
                {
                    self.scope_column: _("%(value)s is outside the districts you may edit.")
                    % {"value": self.scope_label(instance)}
                }
            )

    def scope_label(self, instance):
        return str(getattr(instance, self.scope_column, "") or _("(none)"))

    # -- export -----------------------------------------------------------------
    def export_field(self, field, instance, **kwargs):
        """Every text cell of an admin export (CSV and XLSX) is neutralised as
        the public CSVs are: "=HYPERLINK(...)" is written "'=HYPERLINK(...)"."""
        value = super().export_field(field, instance, **kwargs)
        if isinstance(value, str) and not isinstance(field.widget, (WholeNumberWidget, NumberWidget)):
            return neutralise(value)
        return value

    def export_queryset(self):
        """Every record, in an order that imports cleanly (referenced rows first)."""
        return self.get_queryset()


def describe_errors(result):
    """Every error of an import result as "row N, column C: message" lines."""
    lines = [str(error.error) for error in result.base_errors]
    for number, errors in result.row_errors():
        for error in errors:
            lines.append(_("Row %(row)s: %(message)s") % {"row": sheet_row(number), "message": error.error})
    for invalid in result.invalid_rows:
        for column, messages in invalid.error_dict.items():
            for message in messages:
                if column == NON_FIELD_ERRORS:
                    lines.append(_("Row %(row)s: %(message)s") % {"row": sheet_row(invalid.number), "message": message})
                else:
                    lines.append(
                        _("Row %(row)s, column %(column)s: %(message)s")
                        % {"row": sheet_row(invalid.number), "column": column, "message": message}
                    )
    return lines


def declared_resources():
    """{model name: resource class} for every model a file can be imported
    into: each data app (`settings.QNMERGE_DATA_APPS`) lists its resources in
    `<app>.resources.RESOURCES`, referenced rows' models first."""
    found = {}
    for label in settings.QNMERGE_DATA_APPS:
        module = importlib.import_module(f"{apps.get_app_config(label).name}.resources")
        found.update({resource._meta.model._meta.model_name: resource for resource in module.RESOURCES})
    return found
