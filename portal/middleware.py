"""Keep the "as of" date while the reader moves around the portal.

A page viewed "as of" a day (`?as_of=YYYY-MM-DD`) shows the records as they
stood then; every link it offers to another page of the portal, and every
GET form on it, carries that day along, so the reader stays on the same date
until they change it. This is the one place that does it: templates write
plain links (`{{ unit.get_absolute_url }}`) and never think about the date.

A link marked `data-no-date` (the date control's "Today") is left as it is.
"""

import re
from urllib.parse import urlencode

from .scope import parse_as_of

# href="/..." (not "//host"): an internal link. Static files, the admin and
# anything that already names a date are left alone.
HREF = re.compile(r'(<a\b[^>]*?\bhref=")(/(?!/)[^"#]*)(#[^"]*)?(")([^>]*>)', re.IGNORECASE)
SKIP_PREFIXES = ("/static/", "/admin/", "/en/admin/", "/media/")
GET_FORM = re.compile(r"(<form\b[^>]*\bmethod=\"get\"[^>]*>)(.*?)(</form>)", re.IGNORECASE | re.DOTALL)


def with_date(html, day):
    """`html` with `as_of=day` added to its internal links and GET forms."""
    param = urlencode({"as_of": day})

    def link(match):
        start, path, fragment, quote, rest = match.groups()
        if "data-no-date" in match.group(0) or path.startswith(SKIP_PREFIXES) or "as_of=" in path:
            return match.group(0)
        joiner = "&amp;" if "?" in path else "?"
        return f"{start}{path}{joiner}{param}{fragment or ''}{quote}{rest}"

    def form(match):
        opening, body, closing = match.groups()
        if 'name="as_of"' in body:
            return match.group(0)
        return f'{opening}<input type="hidden" name="as_of" value="{day}">{body}{closing}'

    html = HREF.sub(link, html)
    return GET_FORM.sub(form, html)


class KeepAsOfMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method != "GET" or "as_of" not in request.GET:
            return response
        if response.status_code != 200 or response.streaming:
            return response
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        day, error = parse_as_of(request)
        if day is None or error:
            return response
        charset = response.charset or "utf-8"
        response.content = with_date(response.content.decode(charset), day.isoformat()).encode(charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
