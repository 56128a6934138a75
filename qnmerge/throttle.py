"""Admin login throttling behind a reverse proxy (django-axes).

- `client_ip_address(request)`: the address a failure is recorded under.
  Without a trusted proxy (BEHIND_HTTPS_PROXY unset/0) it is REMOTE_ADDR and
  any X-Forwarded-For is ignored, since a client can send one itself. With n
  trusted proxies it is the n-th entry of X-Forwarded-For counted from the
  right: each trusted proxy appends the address it received the request
  from, so that entry is what the outermost trusted proxy saw, and anything a
  client wrote further left cannot change it.
- `AddressAwareHandler`: axes locks a username together with an address
  (AXES_LOCKOUT_PARAMETERS), so failures from one client never lock that
  username for another; on top of that, AXES_ADDRESS_FAILURE_LIMIT failures
  from one address, whatever the usernames, lock that address (spraying one
  password over many usernames).
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def client_ip_address(request):
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR", "")
    if not trusted:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    return forwarded[-trusted] if len(forwarded) >= trusted else forwarded[0]


class AddressAwareHandler(AxesDatabaseHandler):
    """axes' database handler, plus a failure limit per address across usernames."""

    def get_failures(self, request, credentials=None):
        failures = super().get_failures(request, credentials)
        address = getattr(request, "axes_ip_address", None)
        if not address:
            return failures
        attempts = AccessAttempt.objects.filter(ip_address=address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        from_address = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
        if from_address >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            # Report the address as locked: axes compares with AXES_FAILURE_LIMIT.
            return max(failures, settings.AXES_FAILURE_LIMIT)
        return failures
