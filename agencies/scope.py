"""Which districts a user may edit in admin.

`district_ids_for(user)` is the one place that answers it: None means every
record (superusers and provincial admins), otherwise the set of district ids
the user was granted (possibly empty). Admin querysets, autocomplete, and
import/export all filter through it.
"""

PROVINCIAL_ADMIN_GROUP = "provincial_admin"
DISTRICT_EDITOR_GROUP = "district_editor"
VIEWER_GROUP = "viewer"


def district_ids_for(user):
    if not user.is_authenticated:
        return set()
    if user.is_superuser or user.groups.filter(name=PROVINCIAL_ADMIN_GROUP).exists():
        return None
    scope = getattr(user, "district_scope", None)
    if scope is None:
        return set()
    return set(scope.districts.values_list("pk", flat=True))
