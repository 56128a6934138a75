"""Site-wide middleware: the Content-Security-Policy header, the login gate,
a 400 for NUL characters in the query string, and the page cache.

Both read settings on every request, so tests can switch them with
`settings` / `override_settings`.
"""

import hashlib

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.cache import versioned_key

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


class PageCacheMiddleware:
    """Serve a portal page from the cache until the data next changes.

    The rendered HTML of a GET on a public portal page (namespace `portal`)
    is kept under a key made of the data version (core.cache: bumped by
    every write), the language, today's date (pages default to "as of
    today") and the full path with its query string. A save anywhere changes
    the version, so no page is ever served older than the last write.

    Pages are the same for every visitor (no user name, no form token), so
    one copy serves all. It runs in `process_view`, after the login gate, so
    a private portal still asks for a login first. Only plain 200 HTML
    responses that set no cookie are kept; CSV downloads stream and are
    never cached. QNMERGE_PAGE_CACHE_SECONDS=0 turns it off.
    """

    NAMESPACE = "portal"
    MAX_PATH = 2000

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_page_cache_key", None)
        if key is not None and self.cacheable(response):
            cache.set(key, (response.content, response["Content-Type"]), self.timeout())
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "GET" or not self.timeout():
            return None
        match = request.resolver_match
        path = request.get_full_path()
        if match is None or self.NAMESPACE not in match.namespaces or len(path) > self.MAX_PATH:
            return None
        key = self.key(path)
        cached = cache.get(key)
        if cached is None:
            request._page_cache_key = key
            return None
        content, content_type = cached
        return HttpResponse(content, content_type=content_type)

    @staticmethod
    def timeout():
        return getattr(settings, "QNMERGE_PAGE_CACHE_SECONDS", 0)

    @staticmethod
    def key(path):
        page = "\n".join((get_language(), timezone.localdate().isoformat(), path))
        return versioned_key("page:" + hashlib.sha256(page.encode()).hexdigest())

    @staticmethod
    def cacheable(response):
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and response.get("Content-Type", "").startswith("text/html")
            and "no-store" not in response.get("Cache-Control", "")
            and "private" not in response.get("Cache-Control", "")
        )
