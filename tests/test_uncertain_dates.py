"""Dates as the sources give them: typed the Vietnamese way, stored as EDTF,
said as a reader says it, and a status on a day never claims more than the
milestones' intervals allow."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from agencies.dates import UncertainDateFormField, bounds, describe, parse_input
from mergers.models import Merger, Milestone
from tests import factories

D = datetime.date


@pytest.mark.parametrize(
    ("typed", "edtf"),
    [
        ("01/06/2018", "2018-06-01"),
        ("1/6/2018", "2018-06-01"),
        ("ngày 30/11/2015", "2015-11-30"),
        ("06/2018", "2018-06"),
        ("tháng 11/2015", "2015-11"),
        ("2018", "2018"),
        ("năm 2018", "2018"),
        ("2018-06-01", "2018-06-01"),
        ("Đầu năm 2018", "2018-37"),
        ("cuối năm 2019", "2019-39"),
        ("quý I/2018", "2018-33"),
        ("trước 27/09/2017", "../2017-09-27"),
        ("đến hết năm 2019", "../2019"),
        ("30/11/2015 - 27/09/2017", "2015-11-30/2017-09-27"),
        ("trong khoảng 30/11/2015 - 27/09/2017", "2015-11-30/2017-09-27"),
        ("khoảng 2015 - 2016", "2015~/2016~"),
        ("khoảng 2015", "2015~"),
        ("từ 2018 trở đi", "2018/.."),
        ("không rõ", ""),
        ("", ""),
        ("../2017-09-27", "../2017-09-27"),
        ("early 2018", "2018-37"),
        ("on or before 27/09/2017", "../2017-09-27"),
    ],
)
def test_what_a_clerk_types_is_read_as_the_source_gives_it(typed, edtf):
    assert parse_input(typed) == edtf


@pytest.mark.parametrize(
    "typed", ["06/13/2018", "31/02/2018", "1/6/18", "2018-13", "27/09/2017 - 30/11/2015", "hôm qua"]
)
def test_an_impossible_or_ambiguous_date_is_refused(typed):
    with pytest.raises(ValidationError):
        parse_input(typed)


def test_the_refusal_says_what_is_wrong_in_vietnamese():
    with translation.override("vi"):
        with pytest.raises(ValidationError) as refused:
            parse_input("06/13/2018")
        assert refused.value.messages == [
            "“06/13/2018”: không có tháng 13. Hãy viết ngày theo thứ tự ngày/tháng/năm, ví dụ 01/06/2018."
        ]


@pytest.mark.parametrize(
    ("edtf", "vi", "en", "earliest", "latest"),
    [
        ("2015-11-30", "30/11/2015", "30/11/2015", D(2015, 11, 30), D(2015, 11, 30)),
        ("2015-11", "tháng 11/2015", "11/2015", D(2015, 11, 1), D(2015, 11, 30)),
        ("2018", "năm 2018", "2018", D(2018, 1, 1), D(2018, 12, 31)),
        ("2018-37", "đầu năm 2018", "early 2018", D(2018, 1, 1), D(2018, 4, 30)),
        ("../2017-09-27", "chậm nhất 27/09/2017", "on or before 27/09/2017", None, D(2017, 9, 27)),
        ("../2019", "đến hết năm 2019", "by the end of 2019", None, D(2019, 12, 31)),
        (
            "2015-11-30/2017-09-27",
            "trong khoảng 30/11/2015 - 27/09/2017",
            "between 30/11/2015 - 27/09/2017",
            D(2015, 11, 30),
            D(2017, 9, 27),
        ),
        ("2015~/2016~", "khoảng 2015 - 2016", "about 2015 - 2016", D(2015, 1, 1), D(2016, 12, 31)),
        ("", "không rõ", "unknown", None, None),
    ],
)
def test_a_date_is_said_as_a_reader_says_it_and_read_back(edtf, vi, en, earliest, latest):
    with translation.override("vi"):
        assert describe(edtf) == vi
        assert parse_input(describe(edtf)) == edtf
    with translation.override("en"):
        assert describe(edtf) == en
        assert parse_input(describe(edtf)) == edtf
    assert bounds(edtf) == (earliest, latest)


def test_the_form_field_reads_day_first_and_shows_what_it_reads():
    field = UncertainDateFormField(required=False)
    with translation.override("vi"):
        assert field.clean("01/06/2018") == "2018-06-01"
        assert field.prepare_value("2018-06-01") == "01/06/2018"
        assert field.prepare_value("2018-37") == "đầu năm 2018"
        with pytest.raises(ValidationError):
            field.clean("06/13/2018")


# -- the admin, as a Vietnamese clerk uses it ---------------------------------


@pytest.fixture
def vi_admin(client, db):
    user = User.objects.create_superuser("quan-tri", "qt@example.org", None)
    client.force_login(user)
    return client


def milestone_form(merger, typed):
    return {
        "merger": merger.pk,
        "status": "completed",
        "date_edtf": typed,
        "note_vi": "",
        "note_en": "",
        "change_reason": "Nhập từ bài báo",
        # The citation inline, left empty.
        "citations-TOTAL_FORMS": 0,
        "citations-INITIAL_FORMS": 0,
    }


def test_admin_saves_01_06_2018_as_the_first_of_june(vi_admin):
    merger = factories.MergerFactory()
    with translation.override("vi"):
        url = reverse("admin:mergers_milestone_add")
    assert url.startswith("/admin/")
    response = vi_admin.post(url, milestone_form(merger, "01/06/2018"))
    assert response.status_code == 302, response.content.decode()[:2000]
    milestone = Milestone.objects.get(merger=merger)
    assert (milestone.date_edtf, milestone.date, milestone.date_latest) == ("2018-06-01", D(2018, 6, 1), D(2018, 6, 1))
    page = vi_admin.get(reverse("admin:mergers_milestone_change", args=[milestone.pk])).content.decode()
    assert 'value="01/06/2018"' in page


def test_admin_refuses_06_13_2018_in_vietnamese_and_saves_nothing(vi_admin):
    merger = factories.MergerFactory()
    response = vi_admin.post(reverse("admin:mergers_milestone_add"), milestone_form(merger, "06/13/2018"))
    assert response.status_code == 200
    assert "không có tháng 13" in response.content.decode()
    assert not Milestone.objects.filter(merger=merger).exists()


def test_admin_takes_an_uncertain_date_in_words(vi_admin):
    merger = factories.MergerFactory()
    response = vi_admin.post(
        reverse("admin:mergers_milestone_add"), milestone_form(merger, "trong khoảng 30/11/2015 - 27/09/2017")
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get(merger=merger)
    assert (milestone.date_edtf, milestone.date, milestone.date_latest) == (
        "2015-11-30/2017-09-27",
        D(2015, 11, 30),
        D(2017, 9, 27),
    )


# -- status on a day ------------------------------------------------------------


@pytest.fixture
def bloc_agency(db):
    """Planned by a decision of 30/11/2015, completed at some point before the
    conference of 27/09/2017 that reported it."""
    merger = factories.MergerFactory()
    factories.MilestoneFactory(merger=merger, status="planned", date_edtf="2015-11-30")
    factories.MilestoneFactory(merger=merger, status="completed", date_edtf="2015-11-30/2017-09-27")
    return merger


def status_on(merger, day):
    return Merger.objects.with_status(day).get(pk=merger.pk)


def test_a_status_inside_its_interval_is_only_possible(bloc_agency):
    merger = status_on(bloc_agency, D(2016, 6, 1))
    assert (merger.status, merger.status_edtf) == ("planned", "2015-11-30")
    assert (merger.possible_status, merger.possible_edtf) == ("completed", "2015-11-30/2017-09-27")


def test_a_status_counts_once_its_latest_day_has_passed(bloc_agency):
    merger = status_on(bloc_agency, D(2017, 9, 27))
    assert (merger.status, merger.status_edtf, merger.possible_status) == ("completed", "2015-11-30/2017-09-27", None)


def test_the_merger_page_says_possibly_completed_inside_the_interval(client, bloc_agency):
    with translation.override("vi"):
        url = bloc_agency.get_absolute_url()
    page = client.get(url, {"as_of": "2016-06-01"}).content.decode()
    assert "có thể đã hoàn thành: trong khoảng 30/11/2015 - 27/09/2017" in page
    with translation.override("en"):
        url = bloc_agency.get_absolute_url()
    page = client.get(url, {"as_of": "2016-06-01"}).content.decode()
    assert "possibly completed: between 30/11/2015 - 27/09/2017" in page


def test_a_status_that_is_not_final_says_which_source_date_it_rests_on(client, db):
    merger = factories.MergerFactory()
    factories.MilestoneFactory(merger=merger, status="planned", date_edtf="2017-09-27")
    with translation.override("vi"):
        url = merger.get_absolute_url()
    page = client.get(url, {"as_of": "2020-01-01"}).content.decode()
    assert "theo nguồn ngày 27/09/2017" in page


def test_the_reported_figure_and_the_dashboard_use_the_same_rule(db):
    """completed -> reversed -> completed: the figure counts what the dashboard shows."""
    from mergers.models import ReportedFigure

    province = factories.ProvinceFactory()
    district = factories.DistrictFactory(parent=province)
    merger = factories.MergerFactory(unit=district)
    factories.MilestoneFactory(merger=merger, status="completed", date_edtf="2016")
    factories.MilestoneFactory(merger=merger, status="reversed", date_edtf="2017")
    factories.MilestoneFactory(merger=merger, status="completed", date_edtf="2018")
    figure = factories.ReportedFigureFactory(
        unit=province, metric="units_completed", counted_level="district", value=1, as_of_edtf="2019"
    )
    figure.merger_models.add(merger.model)
    assert status_on(merger, D(2019, 12, 31)).status == "completed"
    assert ReportedFigure.objects.with_computed().get(pk=figure.pk).computed_units_completed == 1
