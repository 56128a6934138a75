"""Which districts a user may edit in admin, and the three roles.

`district_ids_for(user)` is the one place that answers it: None means every
record (superusers and provincial admins), otherwise the set of district ids
the user was granted (possibly empty). Admin querysets, autocomplete, and
import/export all filter through it. `visible_district_ids(user)` widens
what a viewer may read to every district (viewers change nothing).

Models are named here by their label ("mergers.merger") so that this module
imports nothing from `mergers` (the one-way rule).
"""

from django.core.exceptions import ObjectDoesNotExist

PROVINCIAL_ADMIN_GROUP = "provincial_admin"
DISTRICT_EDITOR_GROUP = "district_editor"
VIEWER_GROUP = "viewer"

# Records a district editor may change, and the lookup from each to its
# district. A district editor sees and changes only the rows whose district
# was granted; every other model is read-only reference data for them.
RECORD_SCOPE = {
    "agencies.body": "unit__district",
    "agencies.post": "unit__district",
    "agencies.holding": "unit__district",
    "agencies.unitchange": "unit__district",
    "mergers.merger": "unit__district",
    "mergers.constituent": "merger__unit__district",
    "mergers.milestone": "merger__unit__district",
    "mergers.headcount": "merger__unit__district",
    # The citations of those records follow their record.
    "agencies.bodycitation": "body__unit__district",
    "agencies.postcitation": "post__unit__district",
    "agencies.holdingcitation": "holding__unit__district",
    "agencies.unitchangecitation": "unitchange__unit__district",
    "mergers.mergercitation": "merger__unit__district",
    "mergers.milestonecitation": "milestone__merger__unit__district",
    "mergers.headcountcitation": "headcount__merger__unit__district",
}

# What a district editor may pick in a form (a foreign key or many-to-many
# choice): in-scope records, and the units of their own districts.
CHOICE_SCOPE = {**RECORD_SCOPE, "agencies.administrativeunit": "district"}

# Every model of both apps (historical copies excluded), by app label.
ALL_MODELS = {
    "agencies": [
        "source",
        "legaldocument",
        "administrativeunit",
        "unitchange",
        "body",
        "post",
        "holding",
        "districteditor",
        "legaldocumentcitation",
        "administrativeunitcitation",
        "unitchangecitation",
        "bodycitation",
        "postcitation",
        "holdingcitation",
    ],
    "mergers": [
        "mergermodel",
        "merger",
        "constituent",
        "milestone",
        "headcount",
        "reportedfigure",
        "mergermodelcitation",
        "mergercitation",
        "milestonecitation",
        "headcountcitation",
        "reportedfigurecitation",
    ],
}
EDITABLE_BY_DISTRICT_EDITORS = [label.split(".") for label in RECORD_SCOPE]
# Shared records a district editor may add (never change or delete): a new
# article to cite for their district's records.
ADDABLE_BY_DISTRICT_EDITORS = [("agencies", "source")]
VIEWABLE_BY_DISTRICT_EDITORS = [
    ("agencies", "source"),
    ("agencies", "legaldocument"),
    ("agencies", "administrativeunit"),
    ("mergers", "mergermodel"),
    ("mergers", "reportedfigure"),
    ("agencies", "legaldocumentcitation"),
    ("agencies", "administrativeunitcitation"),
    ("mergers", "mergermodelcitation"),
    ("mergers", "reportedfigurecitation"),
]


def role_permissions():
    """{group name: set of (app_label, codename)} for the viewer and district
    editor roles. The provincial admin role is every permission of both apps
    plus view/add/change of auth.user (see agencies.apps.sync_roles)."""
    viewer = {(app, f"view_{model}") for app, models in ALL_MODELS.items() for model in models}
    editor = {
        (app, f"{action}_{model}")
        for app, model in EDITABLE_BY_DISTRICT_EDITORS
        for action in ("view", "add", "change", "delete")
    }
    editor |= {(app, f"view_{model}") for app, model in VIEWABLE_BY_DISTRICT_EDITORS}
    editor |= {(app, f"add_{model}") for app, model in ADDABLE_BY_DISTRICT_EDITORS}
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


def record_scope_path(model):
    """The lookup from a record to its district, or None if the model is not
    editable per district (read-only for district editors)."""
    return RECORD_SCOPE.get(model._meta.label_lower)


def scope_records(queryset, district_ids):
    """Rows of an editable model that lie in the districts; all rows when
    `district_ids` is None; unchanged for models without a district."""
    path = record_scope_path(queryset.model)
    if district_ids is None or path is None:
        return queryset
    return queryset.filter(**{f"{path}__in": district_ids})


def scope_choices(queryset, district_ids):
    """Records a user may pick in a form: in-scope records and own units."""
    path = CHOICE_SCOPE.get(queryset.model._meta.label_lower)
    if district_ids is None or path is None:
        return queryset
    return queryset.filter(**{f"{path}__in": district_ids})


# Foreign keys whose choices stay province-wide (the other unit of a unit
# change may be a neighbouring district); every other choice is scoped.
UNSCOPED_CHOICE_FIELDS = {"agencies.unitchange": {"related_unit"}}


def is_unscoped_choice(model, field_name):
    return field_name in UNSCOPED_CHOICE_FIELDS.get(model._meta.label_lower, ())


class ChoiceScope:
    """The forms' rule (`scope_choices`) asked about many records at once:
    which of the records an import names the user may pick. Records are
    checked in one query per model (`prefetch`), then answered from memory."""

    def __init__(self, district_ids):
        self.district_ids = district_ids
        self._checked = {}
        self._allowed = {}

    def applies_to(self, model):
        return self.district_ids is not None and model._meta.label_lower in CHOICE_SCOPE

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
    path = CHOICE_SCOPE.get(model._meta.label_lower)
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
