"""The dashboard's headline figures follow the chosen date and every save."""

import datetime

import pytest

from mergers.models import ReportedFigure
from tests import factories


@pytest.fixture
def figures(db):
    province = factories.ProvinceFactory()
    early = factories.ReportedFigureFactory(
        unit=province,
        statement_vi="12/14 huyện có cơ quan khối",
        value=12,
        denominator=14,
        as_of=datetime.date(2017, 9, 27),
    )
    late = factories.ReportedFigureFactory(
        unit=province,
        statement_vi="Giảm 28 đầu mối",
        value=28,
        denominator=None,
        as_of_edtf="2019",
    )
    return early, late


def test_headline_figures_are_those_reported_by_the_chosen_date(client, figures):
    page = client.get("/?as_of=2017-09-27").content.decode()
    assert "12/14 huyện có cơ quan khối" in page
    assert "Giảm 28 đầu mối" not in page

    page = client.get("/?as_of=2020-01-01").content.decode()
    assert "12/14 huyện có cơ quan khối" in page
    assert "Giảm 28 đầu mối" in page


def test_a_saved_figure_shows_at_once_despite_the_cache(client, figures, django_assert_max_num_queries):
    early, _late = figures
    client.get("/?as_of=2020-01-01")  # fills the cache
    early.statement_vi = "12/14 huyện (đã sửa)"
    early.save()
    assert "12/14 huyện (đã sửa)" in client.get("/?as_of=2020-01-01").content.decode()
    ReportedFigure.objects.get(pk=early.pk).delete()
    assert "12/14 huyện (đã sửa)" not in client.get("/?as_of=2020-01-01").content.decode()
