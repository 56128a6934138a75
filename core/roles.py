"""Give a user one of the three roles: the one place that says what a role
means for the account (staff status, group, districts). Used by the user
admin and by `manage.py grant_district_editor`."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .scope import DISTRICT_EDITOR_GROUP, PROVINCIAL_ADMIN_GROUP, VIEWER_GROUP

ROLE_GROUPS = (DISTRICT_EDITOR_GROUP, PROVINCIAL_ADMIN_GROUP, VIEWER_GROUP)
ROLE_CHOICES = [
    (DISTRICT_EDITOR_GROUP, _("District editor: edits the records of the districts below")),
    (PROVINCIAL_ADMIN_GROUP, _("Provincial admin: edits every record and sets up users")),
    (VIEWER_GROUP, _("Viewer: reads every record in the admin, changes nothing")),
]


def role_group(name):
    group = Group.objects.filter(name=name).first()
    if group is None:
        from .apps import sync_roles

        sync_roles()
        group = Group.objects.get(name=name)
    return group


def role_of(user):
    names = set(user.groups.filter(name__in=ROLE_GROUPS).values_list("name", flat=True))
    return next((name for name in ROLE_GROUPS if name in names), None)


@transaction.atomic
def assign_role(user, role, districts=()):
    """Make `user` a staff member with exactly this role (other role groups
    removed) and, for a district editor, exactly these districts."""
    from agencies.models import DistrictEditor

    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.remove(*Group.objects.filter(name__in=ROLE_GROUPS).exclude(name=role))
    user.groups.add(role_group(role))
    if role == DISTRICT_EDITOR_GROUP:
        scope, _created = DistrictEditor.objects.get_or_create(user=user)
        scope.districts.set(districts)
    else:
        DistrictEditor.objects.filter(user=user).delete()
