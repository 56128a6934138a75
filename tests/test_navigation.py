"""Moving around the portal: the "as of" date follows the reader, every list
is reachable, search pages through every result."""

import datetime
import re

import pytest

from mergers.models import Status
from tests import factories


@pytest.fixture
def world(db):
    province = factories.ProvinceFactory()
    district = factories.DistrictFactory(parent=province, slug="ha-long", name_vi="Thành phố Hạ Long")
    model = factories.MergerModelFactory(slug="khoi-dang", short_vi="Khối Đảng")
    merger = factories.MergerFactory(unit=district, model=model)
    factories.MilestoneFactory(merger=merger, status=Status.COMPLETED, date=datetime.date(2018, 3, 1))
    return {"province": province, "district": district, "model": model, "merger": merger}


def internal_links(html):
    return [href for href in re.findall(r'<a\b[^>]*href="(/[^"]*)"', html) if not href.startswith("/static/")]


@pytest.mark.parametrize(
    "url",
    [
        "/?as_of=2017-06-30",
        "/districts/ha-long/?as_of=2017-06-30",
        "/models/khoi-dang/?as_of=2017-06-30",
        "/mergers/?as_of=2017-06-30",
    ],
)
def test_every_internal_link_of_a_dated_page_keeps_the_date(client, world, url):
    html = client.get(url).content.decode()
    links = internal_links(html)
    assert len(links) > 10
    dated = [href for href in links if "as_of=2017-06-30" in href]
    # Only the date control's "Today" link drops the date, on purpose.
    undated = [href for href in links if href not in dated]
    assert len(undated) <= 1, undated
    # Forms (search, filters) carry it too.
    for form in re.findall(r"<form\b[^>]*method=\"get\".*?</form>", html, re.S):
        assert 'name="as_of"' in form
    # And following a link shows the same date.
    merger_link = next(href for href in dated if href.startswith(f"/mergers/{world['merger'].pk}/"))
    page = client.get(merger_link.replace("&amp;", "&")).content.decode()
    assert 'value="2017-06-30"' in page
    assert "Hoàn thành" not in re.sub(r"<(nav|header)\b.*?</\1>", "", page, flags=re.S).split("<h2")[0]


def test_undated_pages_link_without_a_date(client, world):
    html = client.get("/districts/ha-long/").content.decode()
    assert not [href for href in internal_links(html) if "as_of=" in href and "format=" not in href]


def test_district_model_and_merger_pages_have_the_date_control(client, world):
    for url in ("/districts/ha-long/", "/models/khoi-dang/", f"/mergers/{world['merger'].pk}/"):
        html = client.get(url).content.decode()
        assert 'name="as_of"' in html and 'type="date"' in html, url


def test_models_page_lists_each_model_with_its_counts_as_of_the_date(client, world):
    html = client.get("/en/models/?as_of=2018-06-30").content.decode()
    row = re.search(r"<tr><th scope=\"row\"><a href=\"/en/models/khoi-dang/[^\"]*\">.*?</tr>", html, re.S).group(0)
    assert re.findall(r'<td class="num[^"]*"[^>]*>(\d+)</td>', row) == ["1", "1"]
    html = client.get("/en/models/?as_of=2017-06-30").content.decode()
    row = re.search(r"<tr><th scope=\"row\"><a href=\"/en/models/khoi-dang/[^\"]*\">.*?</tr>", html, re.S).group(0)
    assert re.findall(r'<td class="num[^"]*"[^>]*>(\d+)</td>', row) == ["1", "0"]


def test_menu_reaches_every_list(client, world):
    html = client.get("/en/").content.decode()
    menu = re.search(r'<nav class="main-nav".*?</nav>', html, re.S).group(0)
    for path in (
        "/en/districts/",
        "/en/models/",
        "/en/mergers/",
        "/en/milestones/",
        "/en/timeline/",
        "/en/bodies/",
        "/en/titles/",
        "/en/headcount/",
        "/en/figures/",
        "/en/documents/",
        "/en/sources/",
    ):
        assert f'href="{path}"' in menu, path
    assert "/quality/" not in menu


def test_search_pages_through_every_result_of_a_kind(client, db):
    province = factories.ProvinceFactory()
    district = factories.DistrictFactory(parent=province)
    for i in range(57):
        factories.BodyFactory(unit=district, name_vi=f"Ban Kiểm tra số {i:02d}")
    html = client.get("/en/search/?q=kiem tra").content.decode()
    assert "See all 57" in html
    link = re.search(r'href="(\?q=kiem[^"]*kind=body[^"]*)"', html).group(1).replace("&amp;", "&")
    names = set()
    page = client.get("/en/search/" + link).content.decode()
    names |= set(re.findall(r"Ban Kiểm tra số \d\d", page))
    assert "Page 1 of 2" in page
    page = client.get("/en/search/" + link + "&page=2").content.decode()
    names |= set(re.findall(r"Ban Kiểm tra số \d\d", page))
    assert len(names) == 57


def test_dashboard_cites_each_source_once_per_table_with_a_legend(client, world):
    sources = [factories.SourceFactory(), factories.SourceFactory()]
    for milestone in world["merger"].milestones.all():
        milestone.sources.set(sources)
    other = factories.DistrictFactory(parent=world["province"], slug="uong-bi")
    merger = factories.MergerFactory(unit=other, model=world["model"])
    factories.MilestoneFactory(merger=merger, status=Status.PLANNED, date=datetime.date(2017, 1, 1)).sources.set(
        sources
    )
    html = client.get("/en/").content.decode()
    matrix = re.search(r'<table class="matrix">.*?</table>', html, re.S).group(0)
    # Cells point to numbered notes; each source is listed once below the table.
    assert not re.search(r'href="/en/sources/\d+/"', matrix)
    assert matrix.count('href="#cite-1"') == 2 and matrix.count('href="#cite-2"') == 2
    notes = re.search(r'<ol class="citations">.*?</ol>', html, re.S).group(0)
    for source in sources:
        assert notes.count(f'href="/en/sources/{source.pk}/"') == 1
    assert 'class="status-legend"' in html
    # The matrix comes before the headline figures.
    assert html.index('class="matrix"') < html.index('id="figures"')


def test_the_menu_names_each_page_once(client, world):
    html = client.get("/").content.decode()
    nav = re.search(r"<nav.*?</nav>", html, re.S).group(0)
    links = re.findall(r'<a href="([^"?]+)', nav)
    assert links and len(links) == len(set(links)), links
