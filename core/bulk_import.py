"""Imports in bulk: every row checked in memory, then written in a few statements.

`QnResource.import_data` runs a file through `BulkImport` (a model whose
save() does more than derive its dates and search text, the administrative
unit, keeps django-import-export's row-by-row path):

1. the header row is checked (columns, permission), as before;
2. every identifier a column names (units, bodies, sources...) is looked up
   once per column (`KeyWidget.prefetch`), whether the user may pick it once
   per model (`core.scope.ChoiceScope`, the forms' rule), and the records
   the rows change are loaded in one query by their natural key;
3. each row is read and checked in memory, with the same rules as the
   row-by-row path: its cells (numbers, dates as the sources give them, NUL
   characters), its fields, the model's own `clean()`, its check and unique
   constraints (against the other rows and the database) and the district
   scope. A row naming a record made by an earlier row of the file finds it;
4. if any row has an error, nothing is written; otherwise the rows are
   written with bulk_create / bulk_update, one history version per changed
   row, and their links: citations with a citation-history entry for each one
   added or removed (so a revert knows they came with the import), plain
   many-to-many links kept in the record's version. A dry run writes the
   same and rolls it back, so its preview is what the import will do.

The number of queries depends on the models and columns, not on the number
of rows (writes go in statements of many rows; SQLite splits them by its
limit on parameters).
"""

import collections
import contextlib
import logging
import operator

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.db.models import F, Q, Value
from django.db.models.constraints import CheckConstraint, UniqueConstraint
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import exceptions, widgets
from import_export.results import Result, RowResult

from agencies.dates import UncertainDatesMixin
from agencies.text import SearchableMixin, null_character_message, text_fields_with_nul

from .history import bulk_delete_with_history, copy_versions, max_query_params
from .resources import AMBIGUOUS, MISSING, ImportFileError, _lookups, sheet_row
from .scope import district_id_of, scope_select_related

# save() methods the bulk path reproduces (UncertainDatesMixin derives the
# dates' bounds, SearchableMixin the folded search text).
BULK_SAVES = {models.Model.save, SearchableMixin.save, UncertainDatesMixin.save}
logger = logging.getLogger(__name__)
# Rows of one UPDATE ... FROM (VALUES ...) statement on PostgreSQL (SQLite:
# as many as its limit on parameters allows).
UPDATE_ROWS = 5000


@contextlib.contextmanager
def full_statements():
    """Let bulk_create and bulk_update fill statements up to SQLite's real
    limit on parameters (Django assumes 999: a statement per 40 rows)."""
    features = connection.features
    if connection.vendor != "sqlite":
        yield
        return
    had = "max_query_params" in features.__dict__
    old = features.__dict__.get("max_query_params")
    features.max_query_params = max_query_params(connection)
    try:
        yield
    finally:
        if had:
            features.max_query_params = old
        else:
            del features.max_query_params


def update_rows(model, instances):
    """Write every column of these saved records: UPDATE ... FROM (VALUES ...),
    one statement for thousands of rows. (Django's bulk_update builds a CASE
    per column and row: 45 s of Python for 20,000 bodies.)"""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    for instance in instances:
        for field in fields:  # a record made earlier in the file: its id now
            if field.is_relation and getattr(instance, field.attname) is None and field.is_cached(instance):
                target = field.get_cached_value(instance)
                if target is not None:
                    setattr(instance, field.attname, target.pk)
    if connection.vendor not in ("postgresql", "sqlite") or (
        connection.vendor == "sqlite" and connection.Database.sqlite_version_info < (3, 33)
    ):
        model._default_manager.bulk_update(instances, [field.name for field in fields], batch_size=500)
        return
    quote = connection.ops.quote_name
    pk = model._meta.pk
    columns = [pk, *fields]
    if connection.vendor == "postgresql":
        placeholder = "(" + ", ".join(f"CAST(%s AS {field.db_type(connection)})" for field in columns) + ")"
        size = UPDATE_ROWS
    else:
        placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
        size = max(1, max_query_params(connection) // len(columns))
    table = quote(model._meta.db_table)
    assignments = ", ".join(f"{quote(field.column)} = v.column{i}" for i, field in enumerate(fields, 2))
    with connection.cursor() as cursor:
        for start in range(0, len(instances), size):
            chunk = instances[start : start + size]
            params = [
                field.get_db_prep_save(field.pre_save(instance, False), connection)
                for instance in chunk
                for field in columns
            ]
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([placeholder] * len(chunk))}) AS v "
                f"WHERE {table}.{quote(pk.column)} = v.column1",
                params,
            )


def supports_bulk(model):
    return all(
        klass.__dict__["save"] in BULK_SAVES
        for klass in model.__mro__
        if "save" in klass.__dict__ and klass is not object
    )


# -- check constraints, evaluated in memory ---------------------------------------


class Unsupported(Exception):
    """A condition the evaluator does not know: the database is asked instead."""


COMPARISONS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def _value_of(instance, name):
    model = type(instance)
    if name == "pk":
        return instance.pk
    field = model._meta.get_field(name)
    if not field.concrete or field.many_to_many:
        raise Unsupported(name)
    return getattr(instance, field.attname)


def _lookup(instance, lookup, value):
    name, _sep, kind = lookup.rpartition("__")
    if not name or (kind not in COMPARISONS and kind not in ("isnull", "in")):
        name, kind = lookup, "exact"
    if "__" in name:
        raise Unsupported(lookup)
    left = _value_of(instance, name)
    if isinstance(value, F):
        right = _value_of(instance, value.name)
    elif isinstance(value, Value):
        right = value.value
    elif hasattr(value, "resolve_expression"):
        raise Unsupported(lookup)
    else:
        right = value
    if kind == "isnull":
        return (left is None) == bool(right)
    if left is None or right is None:
        return None  # SQL's NULL: unknown, which a CHECK lets pass
    if kind == "in":
        return left in right
    if isinstance(left, models.Model) or isinstance(right, models.Model):
        raise Unsupported(lookup)
    return COMPARISONS[kind](left, right)


def evaluate(condition, instance):
    """True, False or None (unknown) for a Q on one instance, as SQL would say it."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(evaluate(child, instance))
        else:
            results.append(_lookup(instance, *child))
    if condition.connector == Q.AND:
        outcome = False if False in results else (None if None in results else True)
    elif condition.connector == Q.OR:
        outcome = True if True in results else (None if None in results else False)
    else:
        raise Unsupported(condition.connector)
    if condition.negated and outcome is not None:
        outcome = not outcome
    return outcome


def condition_of(constraint):
    return getattr(constraint, "condition", None) or getattr(constraint, "check", None)


# -- links -------------------------------------------------------------------------------


def load_links(model, name, pks):
    """{owner pk: {target pk: through row}} of one many-to-many field, one query."""
    field = model._meta.get_field(name)
    through = field.remote_field.through
    owner = through._meta.get_field(field.m2m_field_name()).attname
    target = through._meta.get_field(field.m2m_reverse_field_name()).attname
    found = collections.defaultdict(dict)
    if pks:
        for row in through._default_manager.filter(**{f"{owner}__in": pks}).order_by("pk"):
            found[getattr(row, owner)][getattr(row, target)] = row
    return found


def apply_links(model, name, items, current, user=None, date=None):
    """Set the links of one many-to-many field for many records at once.

    `items` are (record, targets or None to leave them, is new); `current`
    their links as `load_links` gives them. Through rows are added and
    removed in bulk; a citation (a through model with history) gets a "+" or
    "-" entry in the citation history, so a revert of the record knows when
    it came."""
    field = model._meta.get_field(name)
    through = field.remote_field.through
    owner = through._meta.get_field(field.m2m_field_name()).attname
    target = through._meta.get_field(field.m2m_reverse_field_name()).attname
    date = date or timezone.now()
    added, removed = [], []
    for instance, targets, new in items:
        if targets is None:  # no column for it in the file: unchanged
            continue
        have = {} if new else current.get(instance.pk, {})
        wanted = list(dict.fromkeys(obj.pk for obj in targets))
        added += [through(**{owner: instance.pk, target: pk}) for pk in wanted if pk not in have]
        wanted_set = set(wanted)
        removed += [row for pk, row in have.items() if pk not in wanted_set]
    bulk_delete_with_history(through, removed, user=user, date=date)
    through._default_manager.bulk_create(added)
    if hasattr(through, "history"):
        copy_versions(through, [row.pk for row in added], "+", user=user, date=date)


def keep_prefetched(instance, name, targets):
    """The links as if prefetched: str() of a record that names them (a
    holding names its posts) reads them without a query."""
    queryset = instance._meta.get_field(name).related_model._default_manager.all()
    queryset._result_cache = list(targets)
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset


# -- one row ------------------------------------------------------------------------------


class Pending:
    """A row read and checked, waiting to be written."""

    __slots__ = ("number", "row", "instance", "new", "links", "errors", "kind")

    def __init__(self, number, row):
        self.number = number
        self.row = row
        self.instance = None
        self.new = False
        self.links = {}
        self.errors = {}
        self.kind = None

    def add_error(self, column, message):
        self.errors.setdefault(column, []).extend(message if isinstance(message, list) else [message])

    def add_errors(self, exc):
        messages = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        for column, texts in messages.items():
            self.add_error(column, list(texts))


class BulkImport:
    def __init__(self, resource, dataset, dry_run=False, keep_instances=False, raise_errors=False):
        self.resource = resource
        self.model = resource._meta.model
        self.opts = self.model._meta
        self.dataset = dataset
        self.dry_run = dry_run
        self.keep_instances = keep_instances
        self.raise_errors = raise_errors
        fields = [field for field in resource.get_import_fields() if field.attribute]
        self.m2m_fields = [field for field in fields if isinstance(field.widget, widgets.ManyToManyWidget)]
        self.fields = [field for field in fields if field not in self.m2m_fields]
        self.id_fields = [resource.fields[name] for name in resource.get_import_id_fields()]
        self.columns = {field.attribute: field.column_name for field in fields}
        self.foreign_keys = [field for field in self.opts.concrete_fields if field.is_relation]
        self.result = Result()
        self.result.diff_headers = resource.get_diff_headers()

    # -- the whole file -----------------------------------------------------------
    def run(self):
        result = self.result
        result.total_rows = len(self.dataset)
        try:
            self.resource.before_import(self.dataset)
        except Exception as exc:  # the file as a whole: columns, permission
            self.resource.handle_import_error(result, exc, self.raise_errors)
            return result
        result.total_rows = len(self.dataset)
        headers = self.dataset.headers
        rows = [dict(zip(headers, values)) for values in self.dataset]
        self.prefetch(rows)
        pendings = [self.read_safely(number, row) for number, row in enumerate(rows, 1)]
        self.check_unique([pending for pending in pendings if not pending.errors])
        if not any(pending.errors for pending in pendings):
            try:
                with transaction.atomic(), full_statements():
                    self.write(pendings)
                    if self.dry_run:
                        transaction.set_rollback(True)
            except DatabaseError as exc:
                # A rule only the database knows (or a record changed since
                # the rows were read): nothing is written.
                self.resource.handle_import_error(result, self.database_error(exc), self.raise_errors)
                return result
        for pending in pendings:
            self.report(pending)
        return result

    def database_error(self, exc):
        """The database's refusal said as the rule it enforces."""
        text = str(exc)
        table = self.opts.db_table
        for names, _condition, constraint in self.unique_rules():
            columns = [f"{table}.{self.opts.get_field(name).column}" for name in names]
            named = constraint is not None and constraint.name in text
            listed = text.startswith("UNIQUE constraint failed: ") and text.split(": ", 1)[1].split(", ") == columns
            if named or listed:
                if constraint is not None and constraint.violation_error_message not in (
                    None,
                    constraint.default_violation_error_message,
                ):
                    rule = str(constraint.get_violation_error_message())
                else:
                    rule = " ".join(self.model().unique_error_message(self.model, names).messages)
                return self.refused(rule)
        for constraint in self.opts.constraints:
            if constraint.name in text:
                return self.refused(str(constraint.get_violation_error_message()))
        return ImportFileError(
            _("The database refused the file (%(error)s). Nothing was imported.")
            % {"error": text.splitlines()[0][:200]}
        )

    @staticmethod
    def refused(rule):
        return ImportFileError(_("The database refused the file: %(rule)s Nothing was imported.") % {"rule": rule})

    # -- lookups, once per column ----------------------------------------------------
    def prefetch(self, rows):
        for field in self.fields + self.m2m_fields:
            prefetch = getattr(field.widget, "prefetch", None)
            if prefetch is not None and field.column_name in self.dataset.headers:
                prefetch([row.get(field.column_name) for row in rows])
        scope = self.resource.choice_scope()
        found = collections.defaultdict(set)
        for obj in (_lookups.get() or {}).values():
            if obj is not MISSING and obj is not AMBIGUOUS:
                found[type(obj)].add(obj.pk)
        for model, pks in found.items():
            scope.prefetch(model, pks)
        self.existing = self.load_existing(rows)
        self.current_links = self.load_links(self.link_fields(), [obj.pk for obj in self.existing.values()])

    def key_of(self, row):
        values = []
        for field in self.id_fields:
            value = field.clean(row)
            values.append(value.pk if isinstance(value, models.Model) else value)
        return tuple(values)

    def load_existing(self, rows):
        keys = set()
        for row in rows:
            try:
                keys.add(self.key_of(row))
            except (ValueError, ValidationError, KeyError):
                continue  # the row reports it
        keys = {key for key in keys if None not in key}
        if not keys:
            return {}
        queryset = self.model._default_manager.all()
        related = scope_select_related(self.model)
        if related:
            queryset = queryset.select_related(related)
        attnames = []
        for position, field in enumerate(self.id_fields):
            model_field = self.opts.get_field(field.attribute)
            attnames.append(model_field.attname)
            queryset = queryset.filter(**{f"{model_field.attname}__in": {key[position] for key in keys}})
        existing = {}
        for obj in queryset:
            key = tuple(getattr(obj, attname) for attname in attnames)
            if key in keys:
                existing[key] = obj
        return existing

    def link_fields(self):
        """Many-to-many fields this import writes."""
        return [field.attribute for field in self.m2m_fields]

    def load_links(self, names, pks):
        """{field name: {owner pk: {target pk: through row}}}, one query per field."""
        return {name: load_links(self.model, name, pks) for name in names}

    # -- one row, in memory --------------------------------------------------------------
    def read_safely(self, number, row):
        """A row that breaks a rule nobody foresaw is that row's error, never a
        server error (django-import-export's row loop does the same)."""
        try:
            return self.read(number, row)
        except Exception as exc:
            logger.warning("Import row %s could not be read", number, exc_info=True)
            pending = Pending(number, row)
            pending.add_error(NON_FIELD_ERRORS, _("This row cannot be read: %(error)s") % {"error": str(exc)[:200]})
            return pending

    def read(self, number, row):
        pending = Pending(number, row)
        try:
            self.resource.before_import_row(row, row_number=number)  # a row repeating another
            key = self.key_of(row)
        except ValidationError as exc:
            pending.add_errors(exc)
            return pending
        except ValueError as exc:
            pending.add_error(getattr(exc, "column", NON_FIELD_ERRORS), str(exc))
            return pending
        instance = self.existing.get(key)
        pending.new = instance is None
        if pending.new:
            instance = self.model()
            original, stored_district = {}, None
        else:
            original = {field.attname: getattr(instance, field.attname) for field in self.opts.concrete_fields}
            stored_district = district_id_of(instance)
        pending.instance = instance
        for field in self.fields:
            try:
                field.save(instance, row)
            except ValueError as exc:
                pending.add_error(getattr(exc, "column", field.column_name), str(exc))
        for field in self.m2m_fields:
            try:
                pending.links[field.attribute] = field.clean(row)
            except ValueError as exc:
                pending.add_error(getattr(exc, "column", field.column_name), str(exc))
        self.validate(pending)
        if not pending.errors:
            try:
                self.resource.check_scope(instance, number, stored_district=stored_district)
                self.resource.check_choices(instance, row, number, m2m=pending.links)
            except ValidationError as exc:
                pending.add_errors(exc)
        if pending.errors:
            return pending
        if pending.new:
            pending.kind = RowResult.IMPORT_TYPE_NEW
            self.remember(instance)
        elif self.unchanged(pending, original):
            pending.kind = RowResult.IMPORT_TYPE_SKIP
        else:
            pending.kind = RowResult.IMPORT_TYPE_UPDATE
        return pending

    def remember(self, instance):
        """Later rows of the file may name this new record (a successor)."""
        for field in self.fields:
            widget = field.widget
            if getattr(widget, "model", None) is self.model and hasattr(widget, "remember"):
                widget.remember(instance)

    def column(self, name):
        return self.columns.get(name, name)

    def validate(self, pending):
        """The model's rules, as full_clean() checks them, without its queries:
        the foreign keys were looked up already, check constraints are
        evaluated in memory, uniqueness for all rows at once (check_unique)."""
        instance = pending.instance
        failed = {attribute for attribute, column in self.columns.items() if column in pending.errors}
        errors = {}
        foreign = {field.name for field in self.foreign_keys}
        try:
            instance.clean_fields(exclude=failed | foreign)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self.foreign_keys:
            value = getattr(instance, field.attname)
            if field.name in failed or (field.blank and value in field.empty_values):
                continue
            if value is None and field.is_cached(instance) and field.get_cached_value(instance) is not None:
                continue  # a record an earlier row of the file makes
            try:
                models.Field.validate(field, value, instance)  # not the existence query
                field.run_validators(value)
            except ValidationError as exc:
                errors[field.name] = exc.error_list
        try:
            instance.clean()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for name in text_fields_with_nul(instance):
            errors.setdefault(name, []).append(ValidationError(null_character_message()))
        if not errors and not pending.errors:
            errors = self.check_constraints(instance)
        for name, messages in ValidationError(errors).message_dict.items() if errors else ():
            pending.add_error(self.column(name), list(messages))

    def check_constraints(self, instance):
        errors = {}
        for constraint in self.opts.constraints:
            if not isinstance(constraint, CheckConstraint):
                continue
            try:
                holds = evaluate(condition_of(constraint), instance) is not False
            except Unsupported:
                try:
                    constraint.validate(self.model, instance)
                    holds = True
                except ValidationError:
                    holds = False
            if not holds:
                errors.setdefault(NON_FIELD_ERRORS, []).append(
                    ValidationError(constraint.get_violation_error_message())
                )
        return errors

    def unchanged(self, pending, original):
        instance = pending.instance
        for field in self.fields:
            model_field = self.opts.get_field(field.attribute)
            if getattr(instance, model_field.attname) != original.get(model_field.attname):
                return False
            if model_field.is_relation and model_field.is_cached(instance):
                target = model_field.get_cached_value(instance)
                if target is not None and target.pk is None:
                    return False
        for name, targets in pending.links.items():
            current = set(self.current_links[name].get(instance.pk, {}))
            if current != {target.pk for target in targets}:
                return False
        return True

    # -- uniqueness, for all rows at once ---------------------------------------------------
    def unique_rules(self):
        """(field names, condition, constraint or None) of every uniqueness rule."""
        rules = []
        for field in self.opts.concrete_fields:
            if field.unique and not field.primary_key:
                rules.append(((field.name,), None, None))
        for names in self.opts.unique_together:
            rules.append((tuple(names), None, None))
        for constraint in self.opts.constraints:
            if isinstance(constraint, UniqueConstraint) and constraint.fields and not constraint.expressions:
                rules.append((tuple(constraint.fields), constraint.condition, constraint))
        return rules

    def check_unique(self, pendings):
        writing = [pending for pending in pendings if pending.kind != RowResult.IMPORT_TYPE_SKIP]
        if not writing:
            return
        imported = {pending.instance.pk for pending in pendings if pending.instance.pk is not None}
        for names, condition, constraint in self.unique_rules():
            fields = [self.opts.get_field(name) for name in names]
            seen = {}
            keys = {}
            for pending in pendings:
                if pending.errors:
                    continue
                key = tuple(getattr(pending.instance, field.attname) for field in fields)
                if any(value is None for value in key):
                    continue  # NULLs are never equal (and a record new in the file has no id yet)
                try:
                    if condition is not None and not evaluate(condition, pending.instance):
                        continue
                except Unsupported:
                    continue  # the database's constraint still refuses it
                keys[id(pending)] = key
            if not keys:
                continue
            queryset = self.model._default_manager.all()
            if condition is not None:
                queryset = queryset.filter(condition)
            for position, field in enumerate(fields):
                queryset = queryset.filter(**{f"{field.attname}__in": {key[position] for key in keys.values()}})
            for row in queryset.exclude(pk__in=imported).values_list(*[field.attname for field in fields]):
                seen[tuple(row)] = None  # a record the file does not change
            for pending in pendings:
                key = keys.get(id(pending))
                if key is None:
                    continue
                if key in seen:
                    message = self.unique_message(pending.instance, names, constraint, seen[key])
                    column = self.column(names[0]) if len(names) == 1 else NON_FIELD_ERRORS
                    pending.add_error(column, message)
                else:
                    seen[key] = pending.number

    def unique_message(self, instance, names, constraint, other_row):
        if constraint is not None and constraint.violation_error_message != constraint.default_violation_error_message:
            message = str(constraint.get_violation_error_message())
        else:
            message = " ".join(instance.unique_error_message(self.model, names).messages)
        if other_row is not None:
            message = _("%(message)s (row %(row)s has the same)") % {"message": message, "row": sheet_row(other_row)}
        return message

    # -- writing -------------------------------------------------------------------------
    def write(self, pendings):
        user = self.resource.user
        now = timezone.now()
        creates = [p for p in pendings if p.kind == RowResult.IMPORT_TYPE_NEW]
        updates = [p for p in pendings if p.kind == RowResult.IMPORT_TYPE_UPDATE]
        written = creates + updates
        for pending in written:
            self.prepare(pending.instance)
        for generation in self.generations(creates):
            self.model._default_manager.bulk_create(generation)
        if updates:
            update_rows(self.model, [pending.instance for pending in updates])
        self.write_links(written, user, now)
        # Versions copied from the rows as stored, with their links.
        copy_versions(self.model, [p.instance.pk for p in creates], "+", user=user, date=now)
        copy_versions(self.model, [p.instance.pk for p in updates], "~", user=user, date=now)

    def prepare(self, instance):
        """What save() would do before writing (the bulk path calls no save())."""
        if isinstance(instance, UncertainDatesMixin):
            instance._derive_uncertain_dates()
        if isinstance(instance, SearchableMixin):
            instance.search_text = instance.build_search_text()

    def generations(self, creates):
        """New records in groups, each naming only records of earlier groups
        (a successor made by an earlier row is written before its predecessor)."""
        own = [field for field in self.foreign_keys if field.related_model is self.model]
        level = {}
        groups = collections.defaultdict(list)
        for pending in creates:
            depth = 0
            for field in own:
                target = field.get_cached_value(pending.instance, default=None)
                if target is not None and target.pk is None and id(target) in level:
                    depth = max(depth, level[id(target)] + 1)
            level[id(pending.instance)] = depth
            groups[depth].append(pending.instance)
        return [groups[depth] for depth in sorted(groups)]

    def write_links(self, written, user, now):
        for name in self.link_fields():
            items = [(pending.instance, pending.links.get(name), pending.new) for pending in written]
            apply_links(self.model, name, items, self.current_links[name], user, now)
            for pending in written:
                if name in pending.links:
                    keep_prefetched(pending.instance, name, pending.links[name])

    # -- the result, as django-import-export gives it -------------------------------------------
    def report(self, pending):
        result = self.result
        row_result = RowResult()
        if self.resource._meta.store_row_values:
            row_result.row_values = pending.row
        if pending.errors:
            error = ValidationError(pending.errors)
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = error
            result.append_invalid_row(pending.number, pending.row, error)
            if self.raise_errors:
                raise exceptions.ImportError(error, number=pending.number, row=pending.row)
        else:
            row_result.import_type = pending.kind
            row_result.object_id = pending.instance.pk
            if self.keep_instances:
                row_result.instance = pending.instance
        result.increment_row_result_total(row_result)
        result.append_row_result(row_result)
