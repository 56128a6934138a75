"""The data-quality page, for staff: records an editor should fix (the
checks are portal.quality's)."""

from django.contrib.admin.views.decorators import staff_member_required
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from ..quality import LIMIT, all_checks
from .base import Page


class Quality(Page):
    name = "quality"
    route = "quality/"
    template = "portal/quality.html"
    decorators = (staff_member_required, never_cache)

    def context(self):
        checks = all_checks()
        return {
            "checks": checks,
            "problems": sum(c.total for c in checks),
            "limit": LIMIT,
            "page_title": _("Data quality"),
        }
