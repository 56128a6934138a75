"""The infrastructure the domain apps (`settings.QNMERGE_DATA_APPS`:
`agencies`, `mergers`) build on: roles and their permissions, the data-version
cache, the write and session guards, the shared admin base, the import engine
(`core.resources`, `core.bulk_import`) and import forms, history, and the
synthetic data set. The domain apps' admin classes and resources derive from
classes here and only declare their models' specifics.

Core is not independent of the domain apps. Most of it finds their models
through the app registry and the models' declarations (`district_path`,
`citation_model`, each app's `resources.RESOURCES`), but it uses the
agencies' date and text helpers (`agencies.dates`, `agencies.text`) when it
loads, and some modules name domain models: the user admin (`admin_users`),
the synthetic data set, the `grant_district_editor` command, and, inside
functions, the roles, the guards and the admin base."""

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def role_apps():
    return tuple(settings.QNMERGE_DATA_APPS)


def sync_roles(apps=None, using="default", **kwargs):
    """Create the viewer, district editor and provincial admin groups with
    exactly the permissions `core.scope` gives them.

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
        for label in role_apps():
            apps.get_app_config(label)
    except LookupError:  # migrating backwards: the apps' tables are gone
        return
    # Make sure every data app's permission exists before the groups refer to it.
    for label in role_apps():
        create_permissions(global_apps.get_app_config(label), verbosity=0, using=using, apps=apps)

    permissions = Permission.objects.using(using).select_related("content_type")
    by_key = {
        (p.content_type.app_label, p.codename): p for p in permissions.filter(content_type__app_label__in=role_apps())
    }
    wanted = role_permissions()
    # Provincial admins set up users in the admin (core/admin_users.py
    # keeps superusers out of their reach).
    wanted[PROVINCIAL_ADMIN_GROUP] = set(by_key) | {("auth", f"{action}_user") for action in ("view", "add", "change")}
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
    from core.cache import bump_data_version

    bump_data_version()


def name_link_models():
    """Many-to-many link rows (Milestone.sources' "Milestone_sources object
    (95)") read as a person says them in delete confirmations and history:
    "liên kết cột mốc – nguồn: <milestone> → <source>". Applies to Django's
    auto-created link models and to explicit ones without their own __str__
    or verbose name."""
    from django.apps import apps as global_apps
    from django.db import models
    from django.utils.functional import lazy

    def link_name(field):
        def name():
            return str(_("link %(from)s – %(to)s")) % {
                "from": field.model._meta.verbose_name,
                "to": field.remote_field.model._meta.verbose_name,
            }

        return lazy(name, str)()

    for label in role_apps():
        for model in global_apps.get_app_config(label).get_models():
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through
                if not isinstance(through, type):
                    continue
                if through.__str__ is models.Model.__str__:
                    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
                    through.__str__ = lambda self, s=source, t=target: f"{getattr(self, s)} → {getattr(self, t)}"
                # Only the displayed name: migrations read Meta's original_attrs.
                if through._meta.auto_created or "verbose_name" not in through._meta.original_attrs:
                    through._meta.verbose_name = link_name(field)
                    through._meta.verbose_name_plural = link_name(field)


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = _("Infrastructure")

    def ready(self):
        from django.apps import apps

        # post_migrate is sent per app with models (core has none): sync the
        # roles once, after the last data app.
        last_data_app = apps.get_app_config(role_apps()[-1])
        post_migrate.connect(_on_post_migrate, sender=last_data_app, dispatch_uid="core.sync_roles")
        name_link_models()
        # django-axes gives its app no name: the admin would say "Axes".

        if apps.is_installed("axes"):
            apps.get_app_config("axes").verbose_name = _("Login throttling")

        from .cache import connect_signals
        from .signals import connect

        connect_signals()
        connect()
