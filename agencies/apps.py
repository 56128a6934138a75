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
    by_key = {
        (p.content_type.app_label, p.codename): p for p in permissions.filter(content_type__app_label__in=ROLE_APPS)
    }
    wanted = role_permissions()
    # Provincial admins set up users in the admin (agencies/admin_users.py
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
    from .cache import bump_data_version

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

    for label in ROLE_APPS:
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


def _fold_unit_name(sender, instance, **kwargs):
    from .models import folded_name

    instance.name_folded = folded_name(instance.name_vi)


class AgenciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agencies"
    verbose_name = _("Units, bodies and sources")

    def ready(self):
        post_migrate.connect(_on_post_migrate, sender=self, dispatch_uid="agencies.sync_roles")
        name_link_models()
        # django-axes gives its app no name: the admin would say "Axes".
        from django.apps import apps

        if apps.is_installed("axes"):
            apps.get_app_config("axes").verbose_name = _("Login throttling")

        from .cache import connect_signals
        from .signals import connect

        connect_signals()

        from django.db.models.signals import post_save

        from .text import refresh_search_text

        post_save.connect(refresh_search_text, dispatch_uid="agencies.refresh_search_text")
        connect()
        from django.db.models.signals import pre_save

        from .models import AdministrativeUnit

        # Also on raw saves (fixtures, restores): the lookup's folded name is
        # derived, never part of a fixture, and must not be left empty.
        pre_save.connect(_fold_unit_name, sender=AdministrativeUnit, dispatch_uid="agencies.fold_unit_name")
