"""Every page's address comes from its definition (portal/pages/)."""

from . import pages

app_name = "portal"

urlpatterns = pages.urlpatterns()
