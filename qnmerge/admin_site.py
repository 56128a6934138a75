"""The admin site under the portal's name, telling a district editor on
every page which districts they edit.

Installed through `QnAdminConfig` (INSTALLED_APPS), so `admin.site` and every
`@admin.register` in the apps use it.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class QnAdminSite(admin.AdminSite):
    site_header = _("Quảng Ninh agency mergers")
    site_title = _("Quảng Ninh agency mergers")
    index_title = _("Records and who may edit them")
    # The home page lists every model; without the sidebar a list's columns
    # and an edit page's inlines have the width of a 1280 px screen.
    enable_nav_sidebar = False

    def each_context(self, request):
        context = super().each_context(request)
        context["editor_districts"] = self.editor_districts(request)
        return context

    @staticmethod
    def editor_districts(request):
        """The districts a district editor edits (a list, possibly empty), or
        None for everyone else (provincial admins, viewers, anonymous)."""
        from agencies.models import AdministrativeUnit
        from core.scope import district_ids_for

        user = request.user
        if not user.is_authenticated:
            return None
        if not hasattr(request, "_qnmerge_district_ids"):
            request._qnmerge_district_ids = district_ids_for(user)
        ids = request._qnmerge_district_ids
        if ids is None or not user.is_staff:
            return None
        return list(AdministrativeUnit.objects.filter(pk__in=ids).order_by("name_vi"))


class QnAdminConfig(AdminConfig):
    default_site = "qnmerge.admin_site.QnAdminSite"
