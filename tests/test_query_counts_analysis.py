"""Each analysis page runs the same number of SQL queries at two data sizes."""

import datetime

import pytest

from agencies.models import Holding
from mergers.models import Headcount, ReportedFigure
from tests import factories

pytestmark = pytest.mark.django_db


def build(size):
    """`size` districts, each with a merger (headcount, two milestones), a unit
    change, a unified title and a named head, plus documents and figures; every
    record cites two sources so that the prefetches are exercised."""
    province = factories.ProvinceFactory()
    sources = [factories.SourceFactory(), factories.SourceFactory()]
    model = factories.MergerModelFactory(slug="to-chuc-noi-vu")
    for index in range(size):
        district = factories.DistrictFactory(parent=province)
        merger = factories.MergerFactory(unit=district, model=model)
        merger.sources.set(sources)
        for phase, value in ((Headcount.Phase.BEFORE, 20), (Headcount.Phase.AFTER, 15)):
            factories.HeadcountFactory(merger=merger, phase=phase, value=value + index).sources.set(sources)
        for status, year in (("in_progress", 2018), ("completed", 2019)):
            factories.MilestoneFactory(merger=merger, status=status, date=datetime.date(year, 1, 1)).sources.set(
                sources
            )
        factories.UnitChangeFactory(unit=district).sources.set(sources)
        factories.HoldingFactory(unit=district, holder_name=f"Người {index}").sources.set(sources)
        factories.HoldingFactory(
            unit=district,
            combination="",
            posts=[factories.PostFactory(unit=district)],
            holder_name=f"Thủ trưởng {index}",
        ).sources.set(sources)
        document = factories.LegalDocumentFactory(
            signed_on=datetime.date(2015, 11, 30) + datetime.timedelta(days=index)
        )
        document.sources.set(sources)
        model.basis.add(document)
        figure = factories.ReportedFigureFactory(
            unit=province,
            combination=Holding.Combination.SECRETARY_COUNCIL,
            counted_level="district",
            metric=ReportedFigure.Metric.UNITS_WITH_TITLE,
            value=index,
            denominator=14,
        )
        figure.sources.set(sources)
        figure.merger_models.add(model)
        staff_cut = factories.ReportedFigureFactory(
            unit=province,
            statement_vi=f"Tinh giản {index}% biên chế",
            measure=ReportedFigure.Measure.PERCENT,
            value=index,
            denominator=None,
        )
        staff_cut.sources.set(sources)
        meeting = factories.EventFactory(unit=district, date_edtf=f"{2016 + index % 4}-09-27")
        meeting.sources.set(sources)
        factories.EventParticipantFactory(event=meeting).sources.set(sources)


# Shared by every page: the province (scope), the districts offered in the
# district filter.
SCOPE = 2

PAGES = [
    # + merger models (filter); totals: every merger's figures (values), the
    #   groups' units, their models; the page: count, its mergers with
    #   headcount annotations, their headcount figures, the figures' sources;
    #   the reported figures about headcount and their sources
    ("/en/headcount/", SCOPE + 1 + 3 + 4 + 2),
    # + merger models (filter); the keys (date, id) of each of the 5 kinds;
    #   the page's milestones + sources, documents + sources, unit changes +
    #   sources, holdings + posts + sources, events + sources + participants;
    #   the chart: the values of each of the 5 kinds (one query each)
    ("/en/timeline/", SCOPE + 1 + 5 + 12 + 5),
    # conferences, inspections and visits only: their keys, the events +
    # sources + participants; the chart's events
    ("/en/timeline/?kind=event&district=huyen-0&q=hoi", SCOPE + 1 + 1 + 3 + 1),
    # same filters, one kind: milestone keys, then milestones + sources; the chart
    ("/en/timeline/?kind=milestone&district=huyen-0&year_from=2015&q=hop", SCOPE + 1 + 1 + 2 + 1),
    # one kind: its keys, documents + sources; the chart's documents
    ("/en/timeline/?kind=document", SCOPE + 1 + 1 + 2 + 1),
    # unified titles: count + page + posts + sources; reported figures + sources;
    # named heads + posts + sources (no model filter on this page)
    ("/en/titles/", SCOPE + 4 + 2 + 3),
    # + merger models (filter), count, figures with computed values, sources, merger models
    ("/en/figures/", SCOPE + 1 + 4),
    # + merger models (filter), count, milestones with merger/unit/model/basis, sources
    ("/en/milestones/", SCOPE + 1 + 3),
    ("/en/milestones/?sort=-date&status=completed&year_from=2019", SCOPE + 1 + 3),
]


@pytest.mark.parametrize("size", [1, 6])
@pytest.mark.parametrize("url,queries", PAGES)
def test_page_query_count_does_not_grow_with_data(client, django_assert_num_queries, size, url, queries):
    build(size)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
