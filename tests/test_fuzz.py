"""No input gives a 500: hypothesis throws garbage at every public URL pattern,
every admin add form and the search and language forms.

URLs come from `portal.urls.urlpatterns` and forms from the admin registry,
so new pages and models are covered without editing this file. A 404 or a
400 is a fine answer; a server error fails (the test client re-raises it,
with its traceback).
"""

import datetime
import re
from urllib.parse import quote, urlencode

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from agencies.models import Body
from tests import factories

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PER_PAGE = settings(FUZZ, max_examples=25)  # run once per URL pattern
# Run once per admin model; no shrinking, since re-posting a big admin form
# hundreds of times to shrink a failure takes minutes (the first failing
# example is reported as drawn).
FEW = settings(FUZZ, max_examples=15, phases=[Phase.explicit, Phase.reuse, Phase.generate])

# Values that have broken web apps before: NUL bytes, markup, SQL, huge
# numbers, impossible dates, path tricks, odd Unicode.
NASTY = [
    "",
    " ",
    "\x00",
    "%00",
    "a\x00b",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "0",
    "-1",
    "1.5",
    "1e309",
    "NaN",
    "Infinity",
    "9" * 30,
    "-" + "9" * 30,
    "2019-02-30",
    "0000-00-00",
    "9999-12-31",
    "2019-13-01",
    "../../etc/passwd",
    "%2e%2e%2f",
    "all",
    "csv",
    "xlsx",
    "json",
    "quang-ninh",
    "huyen-thu",
    "\u202e",
    "Hạ Long",
    "𝕏" * 20,
    "ﷺ",
    "\ud7ff",
    "x" * 5000,
    "[]",
    "{}",
    "null",
]
KNOWN_KEYS = {
    "q",
    "page",
    "format",
    "province",
    "as_of",
    "sort",
    "order",
    "o",
    "shape",
    "layout",
    "language",
    "next",
    "district",
    "unit",
    "model",
    "status",
    "sector",
    "function",
    "level",
    "kind",
    "year",
    "end_reason",
}


def filter_keys():
    """Every parameter the portal's pages read through their FilterSets, from the page registry."""
    from portal import pages

    keys = set(KNOWN_KEYS)
    for page in pages.PAGES:
        keys.update(page.params)
        for name, flt in (page.filterset.base_filters if page.filterset else {}).items():
            keys.add(name)
            keys.add(getattr(flt, "field_name", name) or name)
    return sorted(keys)


text = st.text(max_size=60)
values = st.one_of(st.sampled_from(NASTY), text, st.integers().map(str), st.dates().map(str))
keys = st.one_of(st.sampled_from(filter_keys()), text)
query_pairs = st.lists(st.tuples(keys, values), max_size=6)
raw_queries = st.one_of(
    query_pairs.map(lambda pairs: urlencode(pairs)),
    st.text(alphabet=st.characters(codec="ascii"), max_size=120).map(lambda s: quote(s, safe="=&%+;")),
    st.sampled_from(["%00", "q=%00", "q=%ff%fe", "as_of=%00", "province=%00", "page=%00", "a=%", "%%%", "=&=&"]),
)


def portal_patterns():
    from portal import urls

    return [(p.name, p.pattern) for p in urls.urlpatterns]


PATTERNS = portal_patterns()
PATTERN_IDS = [name for name, _ in PATTERNS]


def segment_strategy(converter):
    """Values the URL converter accepts (so the view runs), and huge ones."""
    pattern = converter.regex
    base = st.from_regex(re.compile(rf"\A{pattern}\Z"), fullmatch=True).filter(lambda s: len(s) < 200)
    if pattern == "[0-9]+":
        return st.one_of(base, st.integers(min_value=0, max_value=10**40).map(str), st.sampled_from(["0", "9" * 25]))
    return base


@pytest.fixture
def data(db):
    """A small province with every kind of record, so pages have rows to show."""
    district = factories.DistrictFactory(name_vi="Huyện Thử", slug="huyen-thu")
    source = factories.SourceFactory()
    merger = factories.MergerFactory(unit=district)
    merger.sources.add(source)
    factories.MilestoneFactory(merger=merger, status="in_progress", date=datetime.date(2018, 1, 1))
    factories.MilestoneFactory(merger=merger, status="completed", date=datetime.date(2019, 1, 1))
    factories.HeadcountFactory(merger=merger, phase="before", value=30)
    factories.HeadcountFactory(merger=merger, phase="after", value=22)
    factories.HoldingFactory(unit=district)
    factories.UnitChangeFactory(unit=district)
    figure = factories.ReportedFigureFactory(metric="units_completed", counted_level="district")
    figure.merger_models.add(merger.model)
    return {
        "district": {"slug": district.slug},
        "model": {"slug": merger.model.slug},
        "merger": {"pk": merger.pk},
        "body": {"pk": merger.result_id},
        "document": {"pk": factories.LegalDocumentFactory().pk},
        "source": {"pk": source.pk},
        "unit": district,
    }


def check(response):
    assert response.status_code < 500, response


def url_for(name, pattern, existing, segments=None):
    """The URL of a page, with real records' keys unless `segments` overrides them."""
    kwargs = {}
    for key in pattern.converters:
        kwargs[key] = (segments or {}).get(key, existing.get(name, {}).get(key, "1"))
    return reverse(f"portal:{name}", kwargs=kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize("name, pattern", PATTERNS, ids=PATTERN_IDS)
def test_random_query_strings_never_give_a_server_error(data, name, pattern):
    client = Client()
    path = url_for(name, pattern, data)

    @PER_PAGE
    @given(query=raw_queries, english=st.booleans())
    def run(query, english):
        check(client.get(("/en" if english else "") + path + "?" + query))

    run()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, pattern", [(n, p) for n, p in PATTERNS if p.converters], ids=[n for n, p in PATTERNS if p.converters]
)
def test_random_path_segments_never_give_a_server_error(data, name, pattern):
    client = Client()
    segment_values = st.fixed_dictionaries({key: segment_strategy(conv) for key, conv in pattern.converters.items()})

    @PER_PAGE
    @given(segments=segment_values, junk=st.text(max_size=40), english=st.booleans())
    def run(segments, junk, english):
        prefix = "/en" if english else ""
        path = url_for(name, pattern, data, segments)
        check(client.get(prefix + path))
        # Anything after a known prefix: the resolver says 404, never 500.
        check(client.get(prefix + path.rsplit("/", 2)[0] + "/" + quote(junk, safe="") + "/"))

    run()


@pytest.mark.django_db
def test_random_paths_under_the_site_never_give_a_server_error(data):
    client = Client()

    @FUZZ
    @given(path=st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=30)), min_size=1, max_size=4))
    def run(path):
        check(client.get("/" + "/".join(quote(part, safe="") for part in path)))

    run()


@pytest.mark.django_db
def test_search_form_never_gives_a_server_error(data):
    client = Client()

    @FUZZ
    @given(q=values, extra=query_pairs)
    def run(q, extra):
        response = client.get(reverse("portal:search"), [("q", q), *extra])
        check(response)

    run()


@pytest.mark.django_db
def test_language_form_never_gives_a_server_error(data):
    client = Client()

    @FUZZ
    @given(language=st.one_of(st.sampled_from(["vi", "en", "fr", ""]), values), next_url=values)
    def run(language, next_url):
        response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
        check(response)
        if response.status_code == 302:
            # never an open redirect to another site
            assert not re.match(r"^(https?:)?//", response["Location"]), response["Location"]

    run()


# -- admin add forms ---------------------------------------------------------------


def admin_models():
    return sorted(admin.site._registry, key=lambda m: m._meta.label)


FIELD_NAME = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', re.I)


@pytest.mark.django_db
@pytest.mark.parametrize("model", admin_models(), ids=lambda m: m._meta.label)
def test_random_admin_add_form_posts_never_give_a_server_error(data, model):
    client = Client()
    client.force_login(factories.UserFactory(username="fuzz-admin", is_staff=True, is_superuser=True))
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    form = client.get(url)
    if form.status_code == 403:  # a read-only model (axes' login records): nothing to post to
        assert client.post(url, {"username": "x"}).status_code == 403
        return
    assert form.status_code == 200
    names = sorted(set(FIELD_NAME.findall(form.content.decode())) - {"csrfmiddlewaretoken"})
    assert names, "the add form has no fields"
    field_values = st.one_of(values, st.integers(min_value=-3, max_value=10).map(str))

    @FEW
    @given(posted=st.fixed_dictionaries({}, optional=dict.fromkeys(names, field_values)))
    def run(posted):
        with transaction.atomic():
            check(client.post(url, posted))
            transaction.set_rollback(True)

    run()


# -- markup in records is shown escaped ------------------------------------------

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.mark.django_db
def test_a_body_named_like_a_script_is_shown_escaped(admin_client, data):
    client = admin_client  # the quality page is for staff
    body = factories.BodyFactory(unit=data["unit"], name_vi=SCRIPT, name_en=SCRIPT)
    pages = [
        reverse("portal:body", args=[body.pk]),
        reverse("portal:body_list") + "?province=all",
        reverse("portal:search") + "?q=script",
        reverse("portal:quality"),  # listed there: it cites no source
    ]
    shown = 0
    for url in pages:
        for prefix in ("", "/en"):
            response = client.get(prefix + url)
            check(response)
            html = response.content.decode()
            assert SCRIPT not in html, url
            if response.status_code == 200:
                shown += ESCAPED in html
    assert shown >= 2  # at least the quality page, in both languages


@pytest.mark.django_db
def test_markup_in_a_merger_title_is_shown_escaped(admin_client, data):
    client = admin_client  # the quality page is for staff
    merger = factories.MergerFactory(unit=data["unit"], title_vi=SCRIPT, model=None)
    for url in (
        reverse("portal:merger", args=[merger.pk]),
        reverse("portal:merger_list") + "?province=all",
        reverse("portal:quality"),
    ):
        response = client.get(url)
        check(response)
        assert SCRIPT not in response.content.decode(), url
    assert ESCAPED in client.get(reverse("portal:quality")).content.decode()


def test_nasty_values_are_not_empty():
    """Guard: the generators feed real garbage (a typo here would test nothing)."""
    assert "\x00" in NASTY and SCRIPT in NASTY
    assert len(PATTERNS) >= 20
    assert Body in admin.site._registry
