"""Which districts a user may edit in admin, and the three roles.

`district_ids_for(user)` is the one place that answers it: None means every
record (superusers and provincial admins), otherwise the set of district ids
the user was granted (possibly empty). Admin querysets, autocomplete, and
import/export all filter through it. `visible_district_ids(user)` widens
what a viewer may read to every district (viewers change nothing).

Each model declares its own path to a district (see below); this module
reads the declarations through the app registry and imports no domain app.
"""

import functools

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist

PROVINCIAL_ADMIN_GROUP = "provincial_admin"
DISTRICT_EDITOR_GROUP = "district_editor"
VIEWER_GROUP = "viewer"

# Each data model declares its own scope (class attributes, read here through
# the app registry, so this module imports no domain app):
# - `district_path`: the lookup from a record to its district. A district
#   editor sees and changes only the rows whose district was granted; a model
#   without it is read-only reference data for them.
# - `choice_district_path`: for a model a district editor may pick in a form
#   without editing it (the units of their own districts).
# - `district_editor_access`: "view" or "add" (add a shared record, never
#   change or delete it: a new article to cite) for reference data.
# - `unscoped_choice_fields`: foreign keys whose choices stay province-wide.
# A citation (through) model follows its record (agencies.models.citation_model).


def data_models():
    """Every model of the data apps, historical copies excluded."""
    from django.apps import apps

    for label in settings.QNMERGE_DATA_APPS:
        for model in apps.get_app_config(label).get_models():
            if not model._meta.model_name.startswith("historical"):
                yield model


@functools.cache
def record_scope():
    """{model label: lookup to its district} for the records district editors edit."""
    return {
        model._meta.label_lower: model.district_path for model in data_models() if getattr(model, "district_path", None)
    }


@functools.cache
def choice_scope():
    """What a district editor may pick in a form: in-scope records and the
    units of their own districts."""
    scope = dict(record_scope())
    for model in data_models():
        path = getattr(model, "choice_district_path", None)
        if path:
            scope[model._meta.label_lower] = path
    return scope


def _access(kind):
    return [
        (model._meta.app_label, model._meta.model_name)
        for model in data_models()
        if getattr(model, "district_editor_access", None) in kind
    ]


def role_permissions():
    """{group name: set of (app_label, codename)} for the viewer and district
    editor roles. The provincial admin role is every permission of both apps
    plus view/add/change of auth.user (see core.apps.sync_roles)."""
    viewer = {(model._meta.app_label, f"view_{model._meta.model_name}") for model in data_models()}
    editor = {
        (app, f"{action}_{name}")
        for app, name in (label.split(".") for label in record_scope())
        for action in ("view", "add", "change", "delete")
    }
    editor |= {(app, f"view_{model}") for app, model in _access(("view", "add"))}
    editor |= {(app, f"add_{model}") for app, model in addable_by_district_editors()}
    return {VIEWER_GROUP: viewer, DISTRICT_EDITOR_GROUP: editor}


def district_ids_for(user):
    if not user.is_authenticated:
        return set()
    if user.is_superuser or user.groups.filter(name=PROVINCIAL_ADMIN_GROUP).exists():
        return None
    scope = getattr(user, "district_scope", None)
    if scope is None:
        return set()
    return set(scope.districts.values_list("pk", flat=True))


def visible_district_ids(user):
    """Districts whose records a user may see in admin: every district for
    provincial admins and viewers (read-only), else the districts granted."""
    ids = district_ids_for(user)
    if ids is not None and user.groups.filter(name=VIEWER_GROUP).exists():
        return None
    return ids


def addable_by_district_editors():
    """(app label, model name) of the shared records a district editor may add."""
    return _access(("add",))


def record_scope_path(model):
    """The lookup from a record to its district, or None if the model is not
    editable per district (read-only for district editors)."""
    return record_scope().get(model._meta.label_lower)


def scope_records(queryset, district_ids):
    """Rows of an editable model that lie in the districts; all rows when
    `district_ids` is None; unchanged for models without a district."""
    path = record_scope_path(queryset.model)
    if district_ids is None or path is None:
        return queryset
    return queryset.filter(**{f"{path}__in": district_ids})


def scope_choices(queryset, district_ids):
    """Records a user may pick in a form: in-scope records and own units."""
    path = choice_scope().get(queryset.model._meta.label_lower)
    if district_ids is None or path is None:
        return queryset
    return queryset.filter(**{f"{path}__in": district_ids})


def is_unscoped_choice(model, field_name):
    """Foreign keys whose choices stay province-wide (the other unit of a unit
    change may be a neighbouring district); every other choice is scoped."""
    return field_name in getattr(model, "unscoped_choice_fields", ())


class ChoiceScope:
    """The forms' rule (`scope_choices`) asked about many records at once:
    which of the records an import names the user may pick. Records are
    checked in one query per model (`prefetch`), then answered from memory."""

    def __init__(self, district_ids):
        self.district_ids = district_ids
        self._checked = {}
        self._allowed = {}

    def applies_to(self, model):
        return self.district_ids is not None and model._meta.label_lower in choice_scope()

    def prefetch(self, model, pks):
        if not self.applies_to(model):
            return
        checked = self._checked.setdefault(model, set())
        wanted = {pk for pk in pks if pk is not None} - checked
        if not wanted:
            return
        queryset = scope_choices(model._default_manager.filter(pk__in=wanted), self.district_ids)
        self._allowed.setdefault(model, set()).update(queryset.values_list("pk", flat=True))
        checked.update(wanted)

    def allows(self, model, pk):
        if pk is None or not self.applies_to(model):
            return True
        self.prefetch(model, [pk])
        return pk in self._allowed.get(model, ())


def out_of_scope_choices(instance, district_ids, m2m=None, scope=None):
    """The fields of `instance` naming a record the user may not pick, as
    {field name: record}: the rule the admin's forms apply through
    `scope_choices`, for imports. `m2m` maps many-to-many field names to the
    records about to be linked; `scope` (a ChoiceScope) remembers what was
    checked across the rows of one import."""
    if district_ids is None:
        return {}
    scope = scope or ChoiceScope(district_ids)
    model = type(instance)
    refused = {}
    for field in model._meta.concrete_fields:
        if not field.is_relation or is_unscoped_choice(model, field.name):
            continue
        value = getattr(instance, field.attname)
        if value is not None and not scope.allows(field.related_model, value):
            refused[field.name] = getattr(instance, field.name)
    for name, records in (m2m or {}).items():
        records = [record for record in records if record is not None]
        if not records or is_unscoped_choice(model, name):
            continue
        related = type(records[0])
        scope.prefetch(related, [record.pk for record in records])
        for record in records:
            if not scope.allows(related, record.pk):
                refused.setdefault(name, record)
    return refused


def scope_select_related(model):
    """The relations to load with records of `model` so that their district
    (`district_id_of`, the choice scope) is read without a query: "unit" for
    a body, "merger__unit" for a milestone; None when nothing is needed."""
    path = choice_scope().get(model._meta.label_lower)
    if not path or "__" not in path:
        return None
    return path.rsplit("__", 1)[0]


def district_id_of(obj):
    """The district id of one record, following its scope path (None when the
    model has none or the chain is broken, e.g. a deleted parent)."""
    path = record_scope_path(type(obj))
    if path is None:
        return None
    *hops, last = path.split("__")
    current = obj
    try:
        for hop in hops:
            current = getattr(current, hop)
            if current is None:
                return None
    except ObjectDoesNotExist:  # a parent deleted since (a record restored from history)
        return None
    return getattr(current, f"{last}_id")


def in_scope(obj, district_ids):
    if district_ids is None:
        return True
    district_id = district_id_of(obj)
    return district_id is not None and district_id in district_ids
