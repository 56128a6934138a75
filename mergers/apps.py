from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MergersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mergers"
    verbose_name = _("Mergers")
