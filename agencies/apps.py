from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

ROLE_APPS = ("agencies", "mergers")


def sync_roles(apps=None, using="default", **kwargs):
    """Create the viewer, district editor and provincial admin groups with
    exactly the permissions `agencies.scope` gives them.

    Runs after every `migrate` (no migration file): it is idempotent, and a
    permission added to a group by hand is reset to the definition here.
    """
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    from .scope import PROVINCIAL_ADMIN_GROUP, role_permissions

    apps = apps or global_apps
    try:
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
        for label in ROLE_APPS:
            apps.get_app_config(label)
    except LookupError:  # migrating backwards: the apps' tables are gone
        return
    # post_migrate reaches `agencies` before `mergers`: make sure every
    # permission exists before the groups refer to it.
    for label in ROLE_APPS:
        create_permissions(global_apps.get_app_config(label), verbosity=0, using=using, apps=apps)

    permissions = Permission.objects.using(using).select_related("content_type")
    by_key = {(p.content_type.app_label, p.codename): p for p in permissions.filter(content_type__app_label__in=ROLE_APPS)}
    wanted = role_permissions()
    wanted[PROVINCIAL_ADMIN_GROUP] = set(by_key) | {("auth", "view_user")}
    by_key.update({("auth", p.codename): p for p in permissions.filter(content_type__app_label="auth")})
    for name, keys in wanted.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        missing = sorted(key for key in keys if key not in by_key)
        if missing:
            raise LookupError(f"Role {name!r}: permissions not found: {missing}")
        group.permissions.set([by_key[key] for key in keys])
    return {name: len(keys) for name, keys in wanted.items()}


def _on_post_migrate(sender, app_config=None, apps=None, using="default", **kwargs):
    sync_roles(apps=apps, using=using)
    # Every deployment migrates (make run, make serve): drop the cached pages
    # and figures, which a new release may render differently.
    from .cache import bump_data_version

    bump_data_version()


def _fold_unit_name(sender, instance, **kwargs):
    from .models import folded_name

    instance.name_folded = folded_name(instance.name_vi)


class AgenciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agencies"
    verbose_name = _("Units, bodies and sources")

    def ready(self):
        post_migrate.connect(_on_post_migrate, sender=self, dispatch_uid="agencies.sync_roles")

        from .cache import connect_signals

        connect_signals()

        from django.db.models.signals import pre_save

        from .models import AdministrativeUnit

        # Also on raw saves (fixtures, restores): the lookup's folded name is
        # derived, never part of a fixture, and must not be left empty.
        pre_save.connect(_fold_unit_name, sender=AdministrativeUnit, dispatch_uid="agencies.fold_unit_name")
