"""History of every record: who changed it (kept after the user is deleted)
and which records it links to (its many-to-many links, e.g. its sources).

`QnHistoricalRecords` is django-simple-history's `HistoricalRecords` with:

- `history_user_name`: the username of the author, copied when the version
  is written. `history_user` is set to NULL when a user is deleted
  (simple-history's SET_NULL); the name stays, and the admin's history
  shows it (column "author").
- `m2m_fields`: by default every many-to-many field of the model without its
  own through model, so adding or removing a source writes a version, each
  version keeps the links it had, and the admin's revert puts them back
  (`core.admin_base.ScopedAdminMixin.history_form_view`). A model can
  pass `m2m_fields=[...]` itself (e.g. a through model with quotes).
"""

from django.db import models
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history import utils
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record


class AuthorNameMixin(models.Model):
    """Base of every historical model: the author as a name that outlives the account."""

    class Meta:
        abstract = True

    @property
    def author(self):
        if self.history_user_name:  # no query for versions written since the name is kept
            return self.history_user_name
        if self.history_user_id is not None and self.history_user is not None:
            return self.history_user.get_username()
        return "—"


class QnHistoricalRecords(HistoricalRecords):
    def __init__(self, *args, m2m_fields=None, **kwargs):
        self.auto_m2m = m2m_fields is None
        kwargs.setdefault("bases", [AuthorNameMixin])
        super().__init__(*args, m2m_fields=m2m_fields or (), **kwargs)

    def finalize(self, sender, **kwargs):
        if sender is self.cls:
            sender._qnmerge_history = self  # write_version() reaches it from the model
        if self.auto_m2m and sender is self.cls:
            self.m2m_fields = [
                field.name
                for field in sender._meta.local_many_to_many
                if field.remote_field.through is None
                or (not isinstance(field.remote_field.through, str) and field.remote_field.through._meta.auto_created)
            ]
        super().finalize(sender, **kwargs)

    def post_save(self, instance, created, using=None, **kwargs):
        if kwargs.get("raw", False):
            # loaddata (a restore): the links it sets next are not edits either.
            instance._qnmerge_loaded_raw = True
        super().post_save(instance, created, using=using, **kwargs)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if getattr(instance, "_qnmerge_loaded_raw", False):
            return
        super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)

    def get_extra_fields(self, model, fields):
        extra = super().get_extra_fields(model, fields)
        extra["history_user_name"] = models.CharField(_("author's user name"), max_length=150, blank=True, default="")
        # False on versions written before links were kept: their links are
        # unknown (not "none"), so a revert to them leaves the links alone.
        extra["history_links_recorded"] = models.BooleanField(default=True, editable=False)
        return extra


@receiver(pre_create_historical_record)
def keep_author_name(sender, history_instance, history_user=None, **kwargs):
    if hasattr(history_instance, "history_user_name") and history_user is not None:
        history_instance.history_user_name = history_user.get_username()


def links_of_version(record):
    """{m2m field name: [target pks]} as recorded in a historical version."""
    links = {}
    if not getattr(record, "history_links_recorded", False):
        return links
    for field in getattr(record, "_history_m2m_fields", ()):
        target = utils.get_m2m_reverse_field_name(field)
        links[field.name] = [getattr(row, f"{target}_id") for row in getattr(record, field.name).all()]
    return links


def write_version(instance, history_type):
    """Write one historical version of `instance` now (with its links)."""
    records = getattr(type(instance), "_qnmerge_history", None)
    if records is not None:
        records.create_historical_record(instance, history_type)


def restore_citations(instance, as_of):
    """Put the record's citations back as they were at `as_of` (a version's
    date), from the citation model's own history; records the restore in it.

    A citation with no history at all predates history-keeping and stays."""
    manager = getattr(type(instance), "citations", None)
    through = getattr(manager, "rel", None) and manager.rel.related_model
    if through is None or not hasattr(through, "history"):
        return
    owner = through.owner_field
    rows = through.history.filter(**{f"{owner}_id": instance.pk}).order_by("history_date", "history_id")
    state, seen = {}, set()
    for row in rows:
        seen.add(row.id)
        if row.history_date <= as_of:
            state[row.id] = row if row.history_type != "-" else None
        elif row.id not in state:
            # First known after the version: present then only if it was
            # changed, not added, later.
            state[row.id] = row if row.history_type != "+" else None
    wanted = {row.source_id: row for row in state.values() if row is not None}
    current = {citation.source_id: citation for citation in through.objects.filter(**{owner: instance})}
    for source_id, citation in current.items():
        if citation.pk in seen and source_id not in wanted:
            citation.delete()
    for source_id, row in wanted.items():
        citation = current.get(source_id) or through(**{owner: instance, "source_id": source_id})
        if citation.pk is None or (citation.quote, citation.reasoning) != (row.quote, row.reasoning):
            citation.quote, citation.reasoning = row.quote, row.reasoning
            citation.save()


def author_of(user):
    """(history_user, history_user_name) for a version written by `user`."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None, ""
    return user, user.get_username()


def max_query_params(connection):
    """How many parameters one statement may carry: SQLite's real limit
    (Django assumes the old default of 999), none for PostgreSQL."""
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 100_000


def _chunks(values, size):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def copy_versions(model, pks, history_type, user=None, date=None):
    """One historical version of each record, copied from its stored row by
    INSERT ... SELECT (no Python work per record), with the links the history
    keeps (the record's plain many-to-many fields): what `write_version`
    writes one at a time, for imports. Returns nothing; every version has
    `date` as its time and `user` as its author (name kept)."""
    from django.db import connections, router

    records = getattr(model, "_qnmerge_history", None)
    if records is None or not pks:
        return
    history_model = model.history.model
    connection = connections[router.db_for_write(history_model)]
    quote = connection.ops.quote_name
    history_user, history_user_name = author_of(user)
    date = date or timezone.now()
    when = history_model._meta.get_field("history_date").get_db_prep_value(date, connection)
    columns = [field.column for field in history_model.tracked_fields]
    pk_column = model._meta.pk.column
    extra = {
        "history_date": when,
        "history_type": history_type,
        "history_user_id": history_user.pk if history_user is not None else None,
        "history_user_name": history_user_name,
        "history_change_reason": None,
        "history_links_recorded": True,
    }
    size = max(1, max_query_params(connection) - len(extra) - 2)
    with connection.cursor() as cursor:
        for chunk in _chunks(pks, size):
            cursor.execute(
                "INSERT INTO {history} ({targets}) SELECT {sources} FROM {table} WHERE {pk} IN ({ids})".format(
                    history=quote(history_model._meta.db_table),
                    targets=", ".join(quote(column) for column in columns + list(extra)),
                    sources=", ".join([quote(column) for column in columns] + ["%s"] * len(extra)),
                    table=quote(model._meta.db_table),
                    pk=quote(pk_column),
                    ids=", ".join(["%s"] * len(chunk)),
                ),
                [*extra.values(), *chunk],
            )
        for field in getattr(history_model, "_history_m2m_fields", ()):
            m2m_history = records.m2m_models[field]
            through = field.remote_field.through
            owner = through._meta.get_field(field.m2m_field_name()).column
            through_columns = [f.column for f in through._meta.fields]
            for chunk in _chunks(pks, max(1, size - 2)):
                cursor.execute(
                    "INSERT INTO {m2m} ({targets}, {history_id}) SELECT {sources}, h.{history_id} "
                    "FROM {through} t JOIN {history} h ON h.{pk} = t.{owner} "
                    "WHERE h.history_date = %s AND h.history_type = %s AND t.{owner} IN ({ids})".format(
                        m2m=quote(m2m_history._meta.db_table),
                        targets=", ".join(quote(column) for column in through_columns),
                        history_id=quote("history_id"),
                        sources=", ".join(f"t.{quote(column)}" for column in through_columns),
                        through=quote(through._meta.db_table),
                        history=quote(history_model._meta.db_table),
                        pk=quote(pk_column),
                        owner=quote(owner),
                        ids=", ".join(["%s"] * len(chunk)),
                    ),
                    [when, history_type, *chunk],
                )


def bulk_delete_with_history(model, rows, user=None, date=None):
    """Delete rows (citations, links) in one statement, each with its "-" version."""
    if not rows:
        return
    pks = [row.pk for row in rows]
    if hasattr(model, "history"):
        copy_versions(model, pks, "-", user=user, date=date)
    model._base_manager.filter(pk__in=pks)._raw_delete(model._base_manager.db)
