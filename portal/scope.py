"""Which province a page shows, and "as of" which date.

`current_province(request)` reads `?province=<slug>`: the default is
Quảng Ninh when it exists, else the first province; `?province=all` means
nationwide (None); an unknown slug is a 404.
`parse_as_of(request)` reads `?as_of=YYYY-MM-DD` and never raises: a bad
value gives an error message and the caller falls back to today.
"""

import datetime

from django.http import Http404
from django.utils.translation import gettext as _

from agencies.models import AdministrativeUnit

DEFAULT_PROVINCE = "quang-ninh"
ALL = "all"


def current_province(request):
    slug = (request.GET.get("province") or "").replace("\x00", "").strip()
    provinces = AdministrativeUnit.objects.provinces()
    if slug == ALL:
        return None
    if slug:
        if len(slug) > 80:
            raise Http404("unknown province")
        province = provinces.filter(slug=slug).first()
        if province is None:
            raise Http404("unknown province")
        return province
    return provinces.filter(slug=DEFAULT_PROVINCE).first() or provinces.order_by("gso_code", "slug").first()


def parse_as_of(request):
    """(date or None, error message or None) from `?as_of=`."""
    raw = (request.GET.get("as_of") or "").strip()
    if not raw:
        return None, None
    try:
        if len(raw) > 10:
            raise ValueError
        return datetime.date.fromisoformat(raw), None
    except ValueError:
        return None, _("“%(value)s” is not a date; use the form YYYY-MM-DD. Showing today instead.") % {
            "value": raw[:40]
        }
