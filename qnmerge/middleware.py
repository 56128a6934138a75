"""Site-wide middleware: the Content-Security-Policy header, the login gate,
and a 400 for NUL characters in the query string.

Both read settings on every request, so tests can switch them with
`settings` / `override_settings`.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _

# Everything is served from our own origin: no inline script or style, no
# framing, no plugins. Templates must not use <script> bodies or style="...".
DEFAULT_CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)

# URL names (namespace:name or name) that stay reachable when the portal is
# private: the liveness probe and the language switch. The whole admin site is
# always reachable, since it enforces its own login.
GATE_EXEMPT_URL_NAMES = {"healthz", "set_language"}
GATE_EXEMPT_NAMESPACES = {"admin"}


class ContentSecurityPolicyMiddleware:
    """Add `Content-Security-Policy` (settings.QNMERGE_CSP) to every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "QNMERGE_CSP", DEFAULT_CSP)
        if policy and "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = policy
        return response


class LoginGateMiddleware:
    """When QNMERGE_PUBLIC is false, send anonymous visitors to the admin login.

    Only resolved views are gated (an unknown URL gives its 404 either way);
    the admin (its own login), the language switch and /healthz stay open.
    Static files never reach this middleware (WhiteNoise answers first).
    Must come after AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(settings, "QNMERGE_PUBLIC", True) or request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and (
            match.url_name in GATE_EXEMPT_URL_NAMES or GATE_EXEMPT_NAMESPACES.intersection(match.namespaces)
        ):
            return None
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)


class RejectNullCharactersMiddleware:
    """Answer 400 when a query parameter contains a NUL character.

    PostgreSQL refuses NUL in text ("A string literal cannot contain NUL"),
    so a `?q=%00` that reaches a filter would be a server error. No real
    search or filter needs one; forms already refuse them in POST data.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest(
                _("The address contains a null character; remove it and try again."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
