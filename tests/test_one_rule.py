"""Each domain rule is written once, so the pages, the CSV files and the
computed figures cannot disagree (issue 14): the status on a date, the scope
of a unit, the headcount change and its rounding, the number filters."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.template import Context, RequestContext, Template
from django.test import RequestFactory
from django.utils import translation

from mergers.models import Headcount, Merger, ReportedFigure, Status
from portal import numbers
from portal.templatetags import charts, portal_tags
from tests import factories

DAY = datetime.date


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


# -- status on a date ----------------------------------------------------------


@pytest.fixture
def completed_reversed_completed(db):
    """A district whose merger was completed, reversed, then completed again."""
    province = factories.ProvinceFactory()
    district = factories.DistrictFactory(parent=province)
    merger = factories.MergerFactory(unit=district)
    for status, day in (
        (Status.COMPLETED, DAY(2016, 3, 1)),
        (Status.REVERSED, DAY(2017, 6, 1)),
        (Status.COMPLETED, DAY(2019, 3, 5)),
    ):
        factories.MilestoneFactory(merger=merger, status=status, date=day)
    return province, merger


@pytest.mark.parametrize(
    "day, completed",
    [
        (DAY(2016, 2, 1), False),  # nothing yet
        (DAY(2016, 6, 1), True),  # first completed
        (DAY(2018, 1, 1), False),  # reversed
        (DAY(2019, 12, 31), True),  # completed again
    ],
)
def test_the_dashboard_status_and_the_computed_figure_agree_through_a_reversal(
    completed_reversed_completed, day, completed
):
    province, merger = completed_reversed_completed
    figure = factories.ReportedFigureFactory(
        unit=province,
        counted_level="district",
        metric=ReportedFigure.Metric.UNITS_COMPLETED,
        value=1,
        denominator=None,
        as_of=day,
    )
    figure.merger_models.set([merger.model])
    status = Merger.objects.with_status(day).get(pk=merger.pk).status
    computed = ReportedFigure.objects.with_computed().get(pk=figure.pk).computed
    assert (status == Status.COMPLETED) is completed
    assert computed == (1 if completed else 0)


# -- scope of a unit -------------------------------------------------------------


def test_a_commune_figure_counts_the_completed_merger_its_page_lists(client, db):
    commune = factories.CommuneFactory()
    merger = factories.MergerFactory(unit=commune, title_en="Commune merger")
    factories.MilestoneFactory(merger=merger, status=Status.COMPLETED, date=DAY(2018, 5, 1))
    figure = factories.ReportedFigureFactory(
        unit=commune,
        counted_level="commune",
        metric=ReportedFigure.Metric.UNITS_COMPLETED,
        statement_en="The commune completed its merger",
        value=1,
        denominator=None,
        as_of=DAY(2019, 1, 1),
    )
    figure.merger_models.set([merger.model])

    page = client.get(f"/en/districts/{commune.slug}/?as_of=2019-01-01").content.decode()
    assert "Commune merger" in page
    assert "The commune completed its merger" in page
    assert "differs from the source" not in page
    assert ReportedFigure.objects.with_computed().get(pk=figure.pk).computed == 1


def test_pages_and_csv_scope_a_province_alike(client, db):
    """The merger list, its CSV and the headcount CSV hold the same mergers:
    the province's own and those of its districts and communes, not another
    province's."""
    province = factories.ProvinceFactory(slug="quang-ninh")
    district = factories.DistrictFactory(parent=province)
    commune = factories.CommuneFactory(parent=district)
    inside = {
        factories.MergerFactory(unit=unit, slug=f"in-{n}").slug for n, unit in enumerate((province, district, commune))
    }
    other = factories.ProvinceFactory(gso_code="24", slug="bac-giang", name_vi="Tỉnh Bắc Giang")
    factories.MergerFactory(unit=factories.DistrictFactory(parent=other), slug="elsewhere")

    assert {m.slug for m in Merger.objects.in_province(province)} == inside
    for url in ("/mergers/?format=csv", "/headcount/?format=csv", "/milestones/?format=csv"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert {row["slug"] for row in csv_rows(client.get("/mergers/?format=csv"))} == inside
    assert {row["merger_slug"] for row in csv_rows(client.get("/headcount/?format=csv"))} == inside


# -- headcount change and its rounding ---------------------------------------------


@pytest.fixture
def fifteen_to_thirteen(db):
    province = factories.ProvinceFactory(slug="quang-ninh")
    merger = factories.MergerFactory(unit=factories.DistrictFactory(parent=province), slug="mot-hop-nhat")
    factories.HeadcountFactory(merger=merger, phase=Headcount.Phase.BEFORE, value=15)
    factories.HeadcountFactory(merger=merger, phase=Headcount.Phase.AFTER, value=13)
    return merger


def test_a_headcount_change_reads_the_same_on_the_pages_and_in_the_csv(client, fifteen_to_thirteen):
    merger = fifteen_to_thirteen
    detail = client.get(f"/en/mergers/{merger.pk}/").content.decode()
    headcount = client.get("/en/headcount/").content.decode()
    rows = csv_rows(client.get("/headcount/?format=csv"))

    assert "\u221213.3%" in detail and "\u221213.33" not in detail
    assert "\u221213.3%" in headcount and "\u221213.33" not in headcount
    assert [(row["headcount_change"], row["headcount_change_percent"]) for row in rows] == [("-2", "-13.3")]


# -- one library of number filters ---------------------------------------------------


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_figure_reads_the_same_whichever_library_loads_last(language):
    figure = ReportedFigure(value=Decimal("99.80"), measure=ReportedFigure.Measure.PERCENT)
    with translation.override(language):
        texts = {
            order: Template("{% load " + order + " %}{{ f|figure_value }} {{ c|signed }}").render(
                Context({"f": figure, "c": Decimal("-13.30")})
            )
            for order in ("portal_tags charts", "charts portal_tags", "portal_tags")
        }
    assert len(set(texts.values())) == 1, texts


def test_the_number_filters_are_one_library():
    for name in ("signed", "signed_percent", "figure_value", "figure_computed", "number"):
        assert portal_tags.register.filters[name] is numbers.FILTERS[name]
        assert name not in charts.register.filters


def test_querystring_is_djangos_own_tag():
    assert "querystring" not in portal_tags.register.tags
    request = RequestFactory().get("/mergers/", {"sort": "model", "page": "3", "q": "a&b"})
    text = Template("{% load portal_tags %}{% querystring sort='-date' page=None %}").render(RequestContext(request))
    assert text == "?sort=-date&amp;q=a%26b"  # sort keeps its place; page is dropped
