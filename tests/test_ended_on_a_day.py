"""Whether a body or a unit has ended by a day is one rule, read as every
status on a day is read: an end counts only from its latest possible day.
A page as of a day before the end never says "Closed" or "no longer exists"."""

import datetime

import pytest
from django.utils import translation

from agencies.models import Body
from tests import factories

D = datetime.date

STATUS_CLOSED = "<dt>Status</dt><dd>Closed</dd>"
STATUS_OPEN = "<dt>Status</dt><dd>Open</dd>"


def english_page(client, obj, day):
    with translation.override("en"):
        url = obj.get_absolute_url()
    response = client.get(url, {"as_of": day.isoformat()})
    assert response.status_code == 200
    return response.content.decode()


# -- a body's own end -------------------------------------------------------------


@pytest.mark.parametrize(
    ("ended_on_edtf", "day", "closed"),
    [
        ("2018-05-01", D(2016, 1, 1), False),  # two years before it merged
        ("2018-05-01", D(2018, 4, 30), False),
        ("2018-05-01", D(2018, 5, 1), True),
        ("2018", D(2018, 6, 1), False),  # "in 2018": only possibly merged in June
        ("2018", D(2018, 12, 31), True),
        ("../2019-12-07", D(2019, 6, 1), False),  # "on or before 07/12/2019"
        ("../2019-12-07", D(2019, 12, 7), True),
    ],
)
def test_a_body_page_says_closed_only_from_the_latest_day_its_end_can_mean(client, db, ended_on_edtf, day, closed):
    body = factories.BodyFactory(end_reason=Body.EndReason.MERGED, ended_on_edtf=ended_on_edtf)
    page = english_page(client, body, day)
    assert (STATUS_CLOSED in page) is closed
    assert (STATUS_OPEN in page) is not closed


def test_the_district_page_and_the_body_page_agree_on_a_body_merged_later(client, db):
    body = factories.BodyFactory(end_reason=Body.EndReason.MERGED, ended_on_edtf="2018-05-01", name_en="Old office")
    district_page = english_page(client, body.unit, D(2016, 1, 1))
    row = district_page[district_page.index("Old office") :]
    row = row[: row.index("</tr>")]
    assert "Open" in row
    assert "Closed" not in row
    assert STATUS_OPEN in english_page(client, body, D(2016, 1, 1))


# -- a unit's end -----------------------------------------------------------------


def children_section(page):
    section = page[page.index('id="children"') :]
    return section[: section.index("</details>")]


def test_the_province_page_of_2018_shows_none_of_its_districts_as_ended(client, seed_shared):
    from agencies.models import AdministrativeUnit

    quang_ninh = AdministrativeUnit.objects.get(slug="quang-ninh")
    children = children_section(english_page(client, quang_ninh, D(2018, 1, 1)))
    assert children.count("<li>") == 14
    assert "no longer exists" not in children


def test_the_province_page_after_july_2025_shows_every_district_as_ended(client, seed_shared):
    from agencies.models import AdministrativeUnit

    quang_ninh = AdministrativeUnit.objects.get(slug="quang-ninh")
    children = children_section(english_page(client, quang_ninh, D(2025, 8, 1)))
    assert children.count("(no longer exists: ended 01/07/2025)") == 13
    assert children.count("(no longer exists: ended 01/01/2020)") == 1  # Hoành Bồ, into Hạ Long


def test_on_new_years_day_2020_only_hoanh_bo_has_ended(client, seed_shared):
    from agencies.models import AdministrativeUnit

    quang_ninh = AdministrativeUnit.objects.get(slug="quang-ninh")
    children = children_section(english_page(client, quang_ninh, D(2020, 1, 1)))
    assert children.count("no longer exists") == 1
    assert 'Hoanh Bo District</a> <span class="unit-gone">(no longer exists: ended 01/01/2020)' in children


@pytest.fixture
def ended_in_2019(db):
    """A district that ended at some point in 2019 (the source gives only the year)."""
    return factories.DistrictFactory(name_en="Old District", valid_until_edtf="2019")


def district_list_row(client, unit, day):
    with translation.override("en"):
        page = client.get("/en/districts/", {"as_of": day.isoformat()}).content.decode()
    row = page[page.index(unit.name) :]
    return row[: row.index("</tr>")]


@pytest.mark.parametrize(("day", "ended"), [(D(2019, 6, 1), False), (D(2019, 12, 31), True), (D(2020, 6, 1), True)])
def test_a_unit_ended_in_2019_has_ended_only_from_the_last_day_of_2019(client, ended_in_2019, day, ended):
    from agencies.models import AdministrativeUnit

    unit = ended_in_2019
    assert unit.ended_by(day) is ended
    assert AdministrativeUnit.objects.ended_by(day).filter(pk=unit.pk).exists() is ended
    assert AdministrativeUnit.objects.existing_on(day).filter(pk=unit.pk).exists() is not ended
    # Its own page, its parent's list of units below it, the list of districts.
    assert ("This unit no longer exists" in english_page(client, unit, day)) is ended
    assert ("no longer exists" in children_section(english_page(client, unit.parent, day))) is ended
    assert ("Ended" in district_list_row(client, unit, day)) is ended
