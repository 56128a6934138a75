"""A page's file holds what the page shows, no more and no less: the
possible status beside the status, and only the rows the page lists."""

import csv
import io

import pytest
from django.utils import translation

from agencies.models import AdministrativeUnit

POSSIBLY_COMPLETED_2019 = "possibly completed: on or before 07/12/2019"


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response


def english_url(obj):
    with translation.override("en"):
        return obj.get_absolute_url()


# -- the possible status ----------------------------------------------------------


def test_the_unit_page_file_gives_the_possible_status_the_page_shows(client, seed_shared):
    url = english_url(AdministrativeUnit.objects.get(slug="quang-ninh"))
    page = get(client, url, as_of="2019-06-01").content.decode()
    assert page.count(POSSIBLY_COMPLETED_2019) == 2
    rows = csv_rows(get(client, url, as_of="2019-06-01", format="csv"))
    possible = [r for r in rows if r["possible_status"]]
    assert len(possible) == 2
    assert {
        (
            r["possible_status"],
            r["possible_status_date"],
            r["possible_status_date_edtf"],
            r["possible_status_date_latest"],
        )
        for r in possible
    } == {("completed", "on or before 07/12/2019", "../2019-12-07", "2019-12-07")}
    assert all(f'href="/en/mergers/{r["id"]}/' in page for r in possible)


def test_the_merger_list_shows_the_possible_status_as_the_district_page_does(client, seed_shared):
    """Móng Cái's Front bloc agency: planned on 30/11/2015, completed at some
    point before the conference of 27/09/2017 that reported it."""
    mong_cai = AdministrativeUnit.objects.get(slug="mong-cai")
    possible = "possibly completed: between 30/11/2015 and 27/09/2017"
    district_page = get(client, english_url(mong_cai), as_of="2016-06-01").content.decode()
    merger_list = get(client, "/en/mergers/", district="mong-cai", as_of="2016-06-01").content.decode()
    assert district_page.count(possible) == merger_list.count(possible) == 1
    rows = csv_rows(get(client, "/en/mergers/", district="mong-cai", as_of="2016-06-01", format="csv"))
    assert [
        (r["slug"], r["status"], r["possible_status"], r["possible_status_date_latest"])
        for r in rows
        if r["possible_status"]
    ] == [("mong-cai-khoi-mttq", "planned", "completed", "2017-09-27")]
    # On the conference's day it is completed, and nothing is only possible.
    merger_list = get(client, "/en/mergers/", district="mong-cai", as_of="2017-09-27").content.decode()
    assert "possibly" not in merger_list


# -- a merger model's rows ----------------------------------------------------------


def model_rows_shown(page):
    """The rows of the model's table of units (its status in each unit)."""
    body = page[page.index("<tbody>") :]
    return body[: body.index("</tbody>")].count("<tr")


@pytest.mark.parametrize(
    ("slug", "units"),
    [
        ("van-phong-tinh", 1),  # a province's merger: the province only, not its 14 districts
        ("khoi-mttq", 14),  # a district merger: the 14 districts, not the province
    ],
)
def test_a_merger_models_files_have_the_rows_its_page_shows(client, seed_shared, slug, units):
    from openpyxl import load_workbook

    url = f"/en/models/{slug}/"
    page = get(client, url, as_of="2019-12-31").content.decode()
    assert model_rows_shown(page) == units
    rows = csv_rows(get(client, url, as_of="2019-12-31", format="csv"))
    assert len(rows) == units
    assert "not_applicable" not in {row["status"] for row in rows}
    book = load_workbook(io.BytesIO(get(client, url, as_of="2019-12-31", format="xlsx").content))
    assert book.worksheets[0].max_row - 1 == units  # under its header row
