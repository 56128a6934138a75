from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _fold_unit_name(sender, instance, **kwargs):
    from .models import folded_name

    instance.name_folded = folded_name(instance.name_vi)


class AgenciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agencies"
    verbose_name = _("Units, bodies and sources")

    def ready(self):
        from django.db.models.signals import post_save, pre_save

        from .models import AdministrativeUnit
        from .signals import connect
        from .text import refresh_search_text

        post_save.connect(refresh_search_text, dispatch_uid="agencies.refresh_search_text")
        connect()
        # Also on raw saves (fixtures, restores): the lookup's folded name is
        # derived, never part of a fixture, and must not be left empty.
        pre_save.connect(_fold_unit_name, sender=AdministrativeUnit, dispatch_uid="agencies.fold_unit_name")
