"""Every main page runs as many SQL queries beside a nationwide synthetic data
set as on the Quảng Ninh seed alone.

Each test loads the seed, counts the queries of one page (after a warm-up
request, with the cache cleared), adds `generate_synthetic --scale 0.01`
(1 province, 7 districts, 106 communes, ~1,000 bodies, ~150 mergers) and
asserts the same page runs exactly that many queries again. Pages are asked
for both in Quảng Ninh's scope (the default) and nationwide
(`?province=all`), where the synthetic rows are on the page. A page that
still answers 404 (not built yet) is skipped with that reason.
"""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Body, LegalDocument, Source
from mergers.models import Merger

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seed_shared")]


ALL = "province=all"

# Page -> the addresses measured. Record pages are resolved from seed natural
# keys at run time. Filters are chosen so the seed has rows of every kind the
# page prefetches: Django skips a prefetch query over an empty list, so a
# filter matching nothing on the seed (e.g. timeline?year_from=2018&year_to=2018
# has no unit change) legitimately runs fewer queries there.
PAGES = {
    "dashboard": ["/", f"/?{ALL}", "/?as_of=2017-09-27", "/en/"],
    "districts": ["/districts/", f"/districts/?{ALL}"],
    "district": ["/districts/uong-bi/", "/districts/ha-long/"],
    "mergers": [
        "/mergers/",
        f"/mergers/?{ALL}",
        f"/mergers/?{ALL}&model=to-chuc-noi-vu&status=completed&sort=-date",
        f"/mergers/?{ALL}&q=to+chuc",
    ],
    "merger": ["merger:uong-bi-to-chuc-noi-vu"],
    "model": ["/models/to-chuc-noi-vu/", f"/models/khoi-mttq/?{ALL}"],
    "bodies": ["/bodies/", f"/bodies/?{ALL}&state=closed"],
    "body": ["body:uong-bi-ban-to-chuc"],
    "milestones": ["/milestones/", f"/milestones/?{ALL}&status=completed&year_from=2016&year_to=2019"],
    "titles": ["/titles/", f"/titles/?{ALL}"],
    "figures": ["/figures/", f"/figures/?{ALL}"],
    "headcount": ["/headcount/", f"/headcount/?{ALL}"],
    "timeline": ["/timeline/", f"/timeline/?{ALL}"],
    "documents": ["/documents/", f"/documents/?{ALL}", "document:44-QĐ/TU"],
    "sources": ["/sources/", f"/sources/?{ALL}", "source:vov-2019-hop-nhat"],
    "search": ["/search/?q=ha+long", "/search/?q=ban+to+chuc"],
    "lookup": ["/lookup/?q=ha+long", "/lookup/?q=22"],
    "data": ["/data/"],
    "quality": ["/quality/", f"/quality/?{ALL}"],  # for staff: the test logs in
    "models": ["/models/", f"/models/?{ALL}"],
    "search one kind": ["/search/?q=ha+long&kind=body", "/search/?q=ban&kind=body&page=2"],
}

RECORDS = {
    "merger": lambda key: Merger.objects.get(slug=key).get_absolute_url(),
    "body": lambda key: Body.objects.get(slug=key).get_absolute_url(),
    "document": lambda key: LegalDocument.objects.get(number=key).get_absolute_url(),
    "source": lambda key: Source.objects.get(slug=key).get_absolute_url(),
}


def resolve(path):
    kind, _, key = path.partition(":")
    if kind in RECORDS and not path.startswith("/"):
        return RECORDS[kind](key)
    return path


def count_queries(client, url):
    cache.clear()
    warm = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == warm.status_code
    return response, len(queries)


@pytest.mark.parametrize("page", list(PAGES))
def test_query_count_does_not_grow_with_a_nationwide_data_set(client, django_assert_num_queries, page):
    if page == "quality":
        from django.contrib.auth import get_user_model

        client.force_login(get_user_model().objects.create_user("scale-staff", password="x", is_staff=True))
    urls = [resolve(path) for path in PAGES[page]]
    on_seed = {}
    for url in urls:
        response, on_seed[url] = count_queries(client, url)
        assert response.status_code == 200, url

    call_command("generate_synthetic", scale=0.01, seed=3, verbosity=0)
    for url in urls:
        cache.clear()
        client.get(url)  # warm-up, as on the seed
        with django_assert_num_queries(on_seed[url], info=url):  # the same queries as on the seed alone
            response = client.get(url)
        assert response.status_code == 200, url


def test_synthetic_records_have_pages_at_the_same_cost(client):
    """A synthetic district, merger and body open like the seed's own."""
    call_command("generate_synthetic", scale=0.01, seed=3, verbosity=0)
    merger = Merger.objects.filter(slug__startswith="syn-", model__slug="to-chuc-noi-vu").first()
    for url in (
        merger.unit.get_absolute_url(),
        merger.get_absolute_url(),
        merger.constituents.first().get_absolute_url(),
        f"/?province={merger.unit.province.slug}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert merger.unit.name_vi in response.content.decode(), url
