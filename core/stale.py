"""Two admins, one record: no save silently overwrites another.

Every admin form, and every row of an inline (a merger's milestones,
headcounts, citations...), carries the id of the record's newest history
version when the page was opened (`opened_version`). When the form comes
back and someone else has saved the record since, the form is merged field
by field with the newest version before anything is checked:

- a field only the other admin changed takes their value (the editor's page
  still showed the old one);
- a field only this editor changed keeps the editor's value;
- a field both changed to different values is a conflict.

If the editor changed nothing in a form (an inline row they did not touch),
the merge is all there is: the row keeps the other admin's values and is not
written. Otherwise the save is refused once, saying field by field what the
other admin saved and what the editor entered; the form shown again holds the
merge (and stands on the newest version), so saving it again applies the
editor's changes on top of the other admin's. A conflict is named on its
field: saving again keeps the editor's value, deliberately.
"""

import datetime

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Max
from django.forms.models import BaseInlineFormSet
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.dates import describe

from .history import links_of_version

OPENED_VERSION = "opened_version"
# Form fields that are not the record's (the reason for a change, the version).
NOT_RECORD_FIELDS = {OPENED_VERSION, "change_reason"}
EMPTY = "—"


def gone_message():
    """Said when a posted row no longer exists (translated when shown)."""
    return gettext(
        "Someone else deleted a row after you opened the page; your changes to it are not saved. "
        "Its history keeps it. Reload the page to save your other changes."
    )


def latest_version(model, pk):
    """The newest historical version of a record (None without history)."""
    history = getattr(model, "history", None)
    if history is None or pk is None:
        return None
    return history.model.objects.filter(**{model._meta.pk.attname: pk}).order_by("-history_id").first()


def latest_version_ids(model, pks):
    """{record pk: id of its newest version}, one query for many records."""
    history = getattr(model, "history", None)
    pks = [pk for pk in pks if pk is not None]
    if history is None or not pks:
        return {}
    attname = model._meta.pk.attname
    rows = (
        history.model.objects.filter(**{f"{attname}__in": pks})
        .values(attname)
        .annotate(newest=Max("history_id"))
        .values_list(attname, "newest")
    )
    return dict(rows)


def version_value(version, model_field):
    """A field's value in a historical version; `Ellipsis` when not recorded."""
    if model_field.many_to_many:
        links = links_of_version(version)
        return sorted(links[model_field.name]) if model_field.name in links else Ellipsis
    return getattr(version, model_field.attname, Ellipsis)


def as_initial(model_field, value):
    return list(value) if model_field.many_to_many else value


def as_data(model_field, value):
    """A stored value as a browser would post it back."""
    if model_field.many_to_many:
        return [str(pk) for pk in value]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def said(model_field, value):
    """A value as the editor reads it: a choice by its label, a record by its
    name, a date as the sources give it, nothing as "—"."""
    if value is None or value == "" or value == [] or value is Ellipsis:
        return EMPTY
    if hasattr(value, "all") and not isinstance(value, str):  # a queryset of records
        value = list(value)
    if isinstance(value, (list, tuple)):
        if value and not hasattr(value[0], "pk"):
            related = model_field.related_model._default_manager
            value = list(related.filter(pk__in=value))
        return "; ".join(str(item) for item in value) or EMPTY
    if hasattr(value, "pk"):
        return str(value)
    if model_field.is_relation:
        found = model_field.related_model._default_manager.filter(pk=value).first()
        return str(found) if found is not None else str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.name.endswith("_edtf"):
        return describe(value) or value
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, (datetime.date, datetime.datetime)):
        return formats.localize(value)
    return str(value)


class Merge:
    """What a stale form learnt: who saved since, and each field's outcome."""

    def __init__(self, latest, known):
        self.latest = latest
        self.known = known  # False: the version the form was opened on is unknown
        self.theirs = []  # (field, model field, their value): only they changed it
        self.conflicts = []  # (field, model field, their value): both changed it, differently
        self.yours = []  # field names only the editor changed
        self.deleting = False

    @property
    def editor_changed_something(self):
        return bool(self.yours or self.conflicts or self.deleting)


class StaleCheckForm(forms.ModelForm):
    """A model form that knows the version it was opened on (see the module)."""

    opened_version = forms.CharField(widget=forms.HiddenInput, required=False)
    # How a message names what was saved: the record, or a row of the page.
    stale_message = _(
        "Someone else saved this record after you opened it (%(author)s, %(when)s). Your changes are not saved yet. "
        "The form now holds their version with your changes on top: check it and save again."
    )

    def __init__(self, *args, latest_versions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.merge = None
        if self.instance.pk is None or OPENED_VERSION not in self.fields:
            return
        model = type(self.instance)
        if latest_versions is not None:
            latest_id = latest_versions.get(self.instance.pk)
        else:
            latest = latest_version(model, self.instance.pk)
            latest_id = latest.history_id if latest else None
        self.initial[OPENED_VERSION] = str(latest_id) if latest_id else ""
        if self.is_bound and latest_id:
            self.merge = self.merge_with_newer(model, latest_id)

    def record_fields(self):
        """(form field name, form field, model field) the editor can change."""
        opts = type(self.instance)._meta
        for name, field in self.fields.items():
            if name in NOT_RECORD_FIELDS or field.disabled or field.widget.is_hidden:
                continue
            try:
                model_field = opts.get_field(name)
            except FieldDoesNotExist:
                continue
            yield name, field, model_field

    def merge_with_newer(self, model, latest_id):
        opened = (self.data.get(self.add_prefix(OPENED_VERSION)) or "").strip()
        if not opened or opened == str(latest_id):
            return None  # the newest version (or a page from before this check)
        ids = [latest_id] + ([int(opened)] if opened.isdigit() and len(opened) < 19 else [])
        versions = {
            version.history_id: version
            for version in model.history.model.objects.filter(
                **{model._meta.pk.attname: self.instance.pk}, history_id__in=ids
            )
        }
        latest = versions.get(latest_id)
        if latest is None:
            return None
        base = versions.get(ids[-1]) if len(ids) > 1 else None
        merge = Merge(latest, known=base is not None)
        data = self.data.copy()
        data[self.add_prefix(OPENED_VERSION)] = str(latest_id)  # the form now stands on the newest
        merge.deleting = bool(self.data.get(self.add_prefix("DELETE")))
        for name, field, model_field in self.record_fields():
            theirs = version_value(latest, model_field)
            if theirs is Ellipsis:
                continue
            posted = self[name].data
            if base is None:
                if field.has_changed(as_initial(model_field, theirs), posted):
                    merge.conflicts.append((name, model_field, theirs))
                continue
            mine = version_value(base, model_field)
            if mine is Ellipsis:
                continue
            yours_changed = field.has_changed(as_initial(model_field, mine), posted)
            if mine == theirs:
                if yours_changed:
                    merge.yours.append(name)
            elif not yours_changed:
                merge.theirs.append((name, model_field, theirs))
                value = as_data(model_field, theirs)
                key = self.add_prefix(name)
                if isinstance(value, list):
                    data.setlist(key, value)
                elif value is None:
                    data.pop(key, None)
                else:
                    data[key] = value
            elif field.has_changed(as_initial(model_field, theirs), posted):
                merge.conflicts.append((name, model_field, theirs))
        self.data = data
        return merge

    def clean(self):
        cleaned = super().clean()
        if getattr(self, "gone", False):
            raise ValidationError(gone_message(), code="gone")
        if self.merge is not None:
            self.refuse_stale(cleaned)
        return cleaned

    def yours_said(self, name, model_field, cleaned):
        return said(model_field, cleaned[name] if name in cleaned else self[name].data)

    def refuse_stale(self, cleaned):
        merge = self.merge
        if not merge.editor_changed_something:
            return  # the other admin's values are kept; nothing of the editor's is lost
        author = merge.latest.author
        lines = []
        for name, model_field, theirs in merge.theirs:
            lines.append(
                gettext("%(field)s: %(author)s saved “%(theirs)s”; you had not changed it, so theirs is kept.")
                % {"field": self.label_of(name), "author": author, "theirs": said(model_field, theirs)}
            )
        for name in merge.yours:
            model_field = type(self.instance)._meta.get_field(name)
            lines.append(
                gettext("%(field)s: yours, “%(yours)s” (%(author)s did not change it).")
                % {"field": self.label_of(name), "author": author, "yours": self.yours_said(name, model_field, cleaned)}
            )
        for name, model_field, theirs in merge.conflicts:
            values = {
                "field": self.label_of(name),
                "author": author,
                "theirs": said(model_field, theirs),
                "yours": self.yours_said(name, model_field, cleaned),
            }
            lines.append(gettext("%(field)s: %(author)s saved “%(theirs)s”, you entered “%(yours)s”.") % values)
            self.add_error(
                name,
                gettext(
                    "Both of you changed this field: %(author)s saved “%(theirs)s”, you entered “%(yours)s”. "
                    "Saving again keeps yours; to keep theirs, enter it again."
                )
                % values,
            )
        if merge.deleting:
            lines.append(gettext("You asked to delete it: tick delete again to delete their version."))
        summary = str(self.stale_message) % {
            "author": author,
            "when": formats.localize(timezone.localtime(merge.latest.history_date)),
        }
        raise ValidationError([summary, *lines], code="stale")

    def label_of(self, name):
        return capfirst(str(self.fields[name].label or name))


class StaleCheckInlineForm(StaleCheckForm):
    """A row of an inline: the same check, per row."""

    stale_message = _(
        "Someone else saved this row after you opened the page (%(author)s, %(when)s). Your changes to it are not "
        "saved yet. The row now holds their version with your changes on top: check it and save again."
    )


class StaleCheckInlineFormSet(BaseInlineFormSet):
    """Inline rows, each carrying the version it was opened on; the newest
    versions of all rows are read in one query, each row's parent is the
    record on the page."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.is_bound and i < self.initial_form_count() and form.instance.pk is None:
            self.row_gone(form)
        # Each row knows its parent without a query (a milestone's heading
        # names its merger): the page's queries do not grow with its rows.
        if self.instance.pk is not None and getattr(form.instance, self.fk.attname) == self.instance.pk:
            self.fk.set_cached_value(form.instance, self.instance)
        return form

    def row_gone(self, form):
        """A row someone else deleted after the page was opened: if the
        editor did not change it, it stays deleted; if they did, the save is
        refused on that row (never a row written back, never a bare
        "Select a valid choice")."""
        if not isinstance(form, StaleCheckForm):
            return
        opened = (form.data.get(form.add_prefix(OPENED_VERSION)) or "").strip()
        version = None
        if opened.isdigit() and len(opened) < 19 and hasattr(self.model, "history"):
            version = self.model.history.model.objects.filter(history_id=int(opened)).first()
        changed = version is None or any(
            field.has_changed(as_initial(model_field, version_value(version, model_field)), form[name].data)
            for name, field, model_field in form.record_fields()
            if version_value(version, model_field) is not Ellipsis
        )
        if not changed and self.can_delete:
            data = form.data.copy()
            data[form.add_prefix("DELETE")] = "on"
            form.data = data
        else:
            form.gone = True

    def clean(self):
        super().clean()
        # The page cannot show a row that no longer exists: say it above the rows.
        if any(getattr(form, "gone", False) for form in self.forms):
            raise ValidationError(gone_message(), code="gone")

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if issubclass(self.form, StaleCheckForm):
            kwargs["latest_versions"] = self.latest_versions
        return kwargs

    @property
    def latest_versions(self):
        if not hasattr(self, "_latest_versions"):
            pks = [obj.pk for obj in self.get_queryset()] if self.instance.pk is not None else []
            self._latest_versions = latest_version_ids(self.model, pks)
        return self._latest_versions
