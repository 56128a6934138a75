"""Each page runs the same number of SQL queries whatever the size of the data.

Every case runs at two sizes (1 district, and 8 districts each with several
mergers, milestones, bodies, headcounts, titles, figures and unit changes),
with the same expected count and a comment naming the queries.
"""

import datetime

import pytest
from django.utils import translation

from agencies.models import UnitChange
from mergers.models import Headcount
from portal import pages
from portal.quality import sourced_models
from tests import factories
from tests.test_query_counts_analysis import PAGES as ANALYSIS

D = datetime.date


class World:
    pass


def build(size):
    """A province with `size` districts; each has 3 mergers (3 models), each
    with 2 milestones citing sources, constituents, headcount, a unified
    title, a commune, a unit change, and a document cited everywhere."""
    w = World()
    w.sources = [factories.SourceFactory() for _ in range(3)]
    w.province = factories.ProvinceFactory()
    w.document = factories.LegalDocumentFactory(number="44-QĐ/TU")
    w.document.sources.set(w.sources)
    models = [factories.MergerModelFactory(order=i) for i in range(3)]
    for model in models:
        model.basis.add(w.document)
        model.sources.set(w.sources)
    w.model = models[0]
    figure = factories.ReportedFigureFactory(unit=w.province, counted_level="district", metric="units_completed")
    figure.merger_models.add(models[0])
    figure.sources.set(w.sources)
    w.districts = []
    previous = None
    for i in range(size):
        district = factories.DistrictFactory(parent=w.province, name_vi=f"Huyện Đếm {i}")
        district.sources.set(w.sources)
        w.districts.append(district)
        commune = factories.CommuneFactory(parent=district)
        factories.BodyFactory(unit=commune)
        if previous is not None:
            change = UnitChange.objects.create(
                unit=previous,
                kind="absorbed",
                date=D(2020, 1, 1),
                related_unit=district,
                basis=w.document,
                description_vi="Nhập",
            )
            change.sources.set(w.sources)
        previous = district
        UnitChange.objects.create(
            unit=district,
            kind="reclassified",
            date=D(2024, 11, 1),
            new_kind="thanh-pho",
            description_vi="Lên thành phố",
        ).sources.set(w.sources)
        for model in models:
            merger = factories.MergerFactory(unit=district, model=model, title_vi=f"Hợp nhất đếm {i} {model.pk}")
            merger.basis.add(w.document)
            merger.sources.set(w.sources)
            for link in merger.constituent_links.all():
                link.body.successor = merger.result
                link.body.end_reason = "merged"
                link.body.save()
                link.body.sources.set(w.sources)
            for status, date in (("in_progress", D(2018, 1, 1)), ("completed", D(2019, 1, 1))):
                milestone = factories.MilestoneFactory(merger=merger, status=status, date=date, basis=w.document)
                milestone.sources.set(w.sources)
            for phase, value in (("before", 20), ("after", 15)):
                Headcount.objects.create(merger=merger, phase=phase, value=value).sources.set(w.sources)
            head = factories.PostFactory(unit=district, body=merger.result, title_vi=f"Thủ trưởng đếm {i} {model.pk}")
            # A named head of the merged body (shown on the body, merger,
            # district and search pages).
            named = factories.HoldingFactory(
                unit=district, combination="", holder_name=f"Nguyễn Văn Đếm {i}", posts=[head]
            )
            named.sources.set(w.sources)
        holding = factories.HoldingFactory(unit=district)
        holding.sources.set(w.sources)
        local = factories.ReportedFigureFactory(unit=district, value=1, denominator=None)
        local.sources.set(w.sources)
        # A conference the sources report, with two people they name.
        meeting = factories.EventFactory(unit=district, title_vi=f"Hội nghị đếm {i}")
        meeting.sources.set(w.sources)
        meeting.documents.add(w.document)
        w.event = meeting
        for n in range(2):
            factories.EventParticipantFactory(event=meeting, name=f"Trần Thị Đếm {i} {n}").sources.set(w.sources)
    w.district = w.districts[-1]
    w.merger = w.district.mergers.first()
    w.closed_body = w.merger.constituents.first()
    w.result_body = w.merger.result
    w.source = w.sources[0]
    return w


QUALITY_SOURCED = len(sourced_models())

# Every page of the registry (portal.pages.PAGES), by name: (address, queries)
# measured in this module's world, each count naming its queries. The
# analysis pages are measured in their own world (test_query_counts_analysis).
QUERIES = {
    # provinces (scope), units (counted, then the page of them: sorted and
    # paged by the database), models, mergers with status, status sources,
    # ending unit changes, figures with computed values, their sources,
    # provinces for the selector
    "dashboard": [(lambda w: "/?as_of=2020-01-01", 10)],
    # model, its basis, its sources, provinces (scope), units, the units of
    # another level holding a merger of the model (the page's units are those
    # where it applies, 50 a page), then the matrix of the page: models,
    # mergers, status sources, ending changes; the model's reported figures
    # and their sources; the events about its basis and their sources
    "model": [(lambda w: f"/models/{w.model.slug}/", 14)],
    # provinces (scope), count, page of districts with counts, completed per
    # district, ending changes
    "district_list": [(lambda w: "/districts/", 5)],
    # unit, its sources, its children (3); bodies; mergers + constituents (2);
    # titles + posts + sources (3); named heads + posts + sources (3);
    # figures + sources (2); milestones + sources (2); events + participants +
    # their sources + event sources (4); unit changes + sources (2); ending
    # changes; 2025 successions
    "district": [(lambda w: f"/districts/{w.district.slug}/", 24)],
    "merger_list": [
        # provinces (scope), count, page of mergers, their constituents, district
        # choices, model choices
        (lambda w: "/mergers/", 6),
        # provinces (scope), district choices, model choices (read once: they
        # check the values and fill the form), count, page, constituents
        (lambda w: f"/mergers/?district={w.district.slug}&model={w.model.slug}&q=hop", 6),
    ],
    # merger, constituents, basis, milestones, their sources, headcounts,
    # their sources, the result's posts, their named holders, merger sources
    "merger": [(lambda w: f"/mergers/{w.merger.pk}/", 10)],
    # provinces (scope), count, page of bodies, district choices
    "body_list": [(lambda w: "/bodies/", 4)],
    "body": [
        # body with successor, predecessors, formed-by mergers, merged-in
        # mergers, the constituents of whichever of those two is not empty,
        # posts, sources
        (lambda w: f"/bodies/{w.closed_body.pk}/", 7),
        # a body with a named head adds its holders and their sources
        (lambda w: f"/bodies/{w.result_body.pk}/", 9),
    ],
    # count, page of documents, their sources
    "document_list": [(lambda w: "/documents/", 3)],
    # document, mergers, models, milestones, unit changes, events, sources
    "document": [(lambda w: f"/documents/{w.document.pk}/", 7)],
    # count, page of sources
    "source_list": [(lambda w: "/sources/", 2)],
    # source, then one query per kind of citing record (13), holdings' posts
    "source": [(lambda w: f"/sources/{w.source.pk}/", 15)],
    "search": [
        # count + first 20 for each of 9 groups (people holding posts and people
        # named at events included), posts' holdings, people's posts
        (lambda w: "/search/?q=dem", 20),
        # one kind of result, a page at a time: count, page of posts, their holdings
        (lambda w: "/search/?q=dem&kind=post&page=2", 3),
    ],
    # event with its unit, its participants, their sources, its own sources, its documents
    "event": [(lambda w: f"/events/{w.event.pk}/", 5)],
    # matching units, their 2025 successions
    "lookup": [(lambda w: f"/lookup/?q={w.district.name_vi}", 2)],
    # provinces (scope), mergers per model, completed per model, models
    "model_list": [(lambda w: "/models/?as_of=2018-06-30", 4)],
    # no query: the columns are the pages' own specs
    "data_dictionary": [(lambda w: "/data/", 0)],
    # for staff: the session, its user; then the checks: figures, one per
    # model citing sources (QUALITY_SOURCED), unknown headcounts, mergers
    # without milestones, closed bodies without a successor
    "quality": [(lambda w: "/quality/", 2 + 1 + QUALITY_SOURCED + 3)],
}
STAFF_ONLY = {"quality"}
ANALYSIS_PAGES = {name for name, _url, _queries in ANALYSIS}
CASES = [
    (page.name, index)
    for page in pages.PAGES
    if page.name not in ANALYSIS_PAGES
    for index in range(len(QUERIES.get(page.name, [None])))
]


def test_every_page_of_the_registry_has_its_query_count():
    """A page added to portal.pages is measured here or with the analysis pages."""
    assert {page.name for page in pages.PAGES} == set(QUERIES) | ANALYSIS_PAGES


@pytest.mark.parametrize("size", [1, 8])
@pytest.mark.parametrize("name, case", CASES, ids=[f"{name}-{case}" for name, case in CASES])
def test_page_query_count_does_not_grow_with_data(client, db, django_assert_num_queries, size, name, case):
    assert name in QUERIES, f"the page {name!r} has no query count: add it to QUERIES"
    url, queries = QUERIES[name][case]
    world = build(size)
    if name in STAFF_ONLY:
        client.force_login(factories.UserFactory(username="counting-staff", is_staff=True))
    with translation.override("vi"):
        address = url(world)
    with django_assert_num_queries(queries):
        response = client.get(address)
    assert response.status_code == 200
    assert response.resolver_match.url_name == name
