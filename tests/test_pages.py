"""The public pages show the documented facts, in both languages, and never
fail on bad input.

Every fact test runs twice: on a small Quảng Ninh built with factories from
FACTS.md (tests/pages_data.py) and on the real seed fixtures (`seed`), which
use the same natural keys.
"""

import datetime
import re

import pytest
from django.utils import timezone, translation

from agencies.models import AdministrativeUnit, Body, LegalDocument, Source
from mergers.models import Merger
from tests import factories
from tests import test_pages_data as pages_data


@pytest.fixture(params=["factories", "seed"])
def facts(request, db):
    if request.param == "seed":
        request.getfixturevalue("seed")
    else:
        pages_data.build()
    return request.param


@pytest.fixture(autouse=True)
def vietnamese_between_requests():
    """Record URLs built in a test are the Vietnamese (unprefixed) ones, even
    after a request under /en/ left English active in this thread."""
    with translation.override("vi"):
        yield


def html(response):
    """The page's HTML, with the "as of" date that portal.middleware adds to
    every internal link taken out again (test_keep_as_of.py checks it), so
    that a link reads as the template wrote it."""
    return re.sub(r'(href="/[^"?]*)\?as_of=\d{4}-\d{2}-\d{2}"', r'\1"', response.content.decode())


def text(response):
    """The page's visible text, tags removed and spaces collapsed."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html(response), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def row_of(response, needle):
    """The text of the table row that contains `needle`."""
    for row in html(response).split("<tr")[1:]:
        row = row.split("</tr>")[0].split(">", 1)[1]
        if needle in row:
            return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))
    raise AssertionError(f"no row contains {needle!r}")


def column(response, model_slug):
    rows, models = response.context["rows"], response.context["models"]
    index = [m.slug for m in models].index(model_slug)
    return {unit.slug: cells[index] for unit, cells in rows}


# ---------------------------------------------------------------- dashboard


def test_dashboard_as_of_27_09_2017_front_bloc_completed_in_12_districts_not_ha_long_or_dam_ha(client, facts):
    response = client.get("/en/", {"as_of": "2017-09-27"})
    assert response.status_code == 200
    cells = column(response, "khoi-mttq")
    completed = {slug for slug, cell in cells.items() if cell.status == "completed"}
    assert len(completed) == 12
    assert "ha-long" not in completed and "dam-ha" not in completed
    assert cells["ha-long"].status == "planned"
    # What the reader sees: the Đầm Hà row says Planned, Uông Bí's says Completed.
    assert "Planned as the sources say on 27/09/2017" in row_of(response, 'href="/en/districts/dam-ha/"')
    assert "Completed between 30/11/2015 - 27/09/2017" in row_of(response, 'href="/en/districts/mong-cai/"')
    assert 'value="2017-09-27"' in html(response)


def test_dashboard_cell_links_the_merger_with_its_date_and_source(client, facts):
    response = client.get("/en/", {"as_of": "2017-09-27"})
    merger = Merger.objects.get(slug="uong-bi-khoi-mttq")
    row = row_of(response, 'href="/en/districts/uong-bi/"')
    assert "Completed" in row
    assert f'href="/en/mergers/{merger.pk}/"' in html(response)
    cell = column(response, "khoi-mttq")["uong-bi"]
    assert cell.sources, "the milestone giving the status cites its source"
    # Each entry is a citation: the source with the passage the milestone rests on.
    assert f'href="/en/sources/{cell.sources[0].source.pk}/"' in html(response)


def test_dashboard_as_of_01_06_2016_no_organisation_home_affairs_merger_completed(client, facts):
    response = client.get("/", {"as_of": "2016-06-01"})
    cells = column(response, "to-chuc-noi-vu")
    assert [slug for slug, cell in cells.items() if cell.status == "completed"] == []
    # Today the same column has completed mergers: the date really changes the view.
    today = column(client.get("/"), "to-chuc-noi-vu")
    assert any(cell.status == "completed" for cell in today.values())


def test_dashboard_as_of_2021_says_hoanh_bo_ended_and_names_ha_long(client, facts):
    response = client.get("/en/", {"as_of": "2021-01-01"})
    ha_long = AdministrativeUnit.objects.get(slug="ha-long")
    row = row_of(response, 'href="/en/districts/hoanh-bo/"')
    assert "merged into" in row
    assert ha_long.name_en or ha_long.name_vi
    with_name = ha_long.name_en or ha_long.name_vi
    # Inside a sentence the unit's kind is written in lower case ("merged into thành phố Hạ Long").
    assert with_name.lower() in row.lower()
    assert column(response, "khoi-mttq")["hoanh-bo"].successor == ha_long


def test_dashboard_before_2020_shows_hoanh_bo_as_existing(client, facts):
    response = client.get("/en/", {"as_of": "2019-06-01"})
    assert "merged into" not in row_of(response, 'href="/en/districts/hoanh-bo/"')


def test_dashboard_rows_are_province_then_districts_by_gso_code(client, facts):
    response = client.get("/")
    units = [unit for unit, _cells in response.context["rows"]]
    assert units[0].slug == "quang-ninh"
    codes = [u.gso_code for u in units[1:]]
    assert codes == sorted(codes) and codes[0] == "193" and "207" in codes


def test_dashboard_headline_figures_with_their_sources(client, facts):
    response = client.get("/en/")
    page = text(response)
    assert "12/14" in page
    assert "28" in page
    source = Source.objects.get(slug="baoquangninh-2017-co-quan-khoi")
    assert f'href="/en/sources/{source.pk}/"' in html(response)


def test_dashboard_for_a_province_without_data_is_empty_but_clear(client, db):
    factories.ProvinceFactory(gso_code="01", slug="ha-noi", name_vi="Thành phố Hà Nội", name_en="Hanoi")
    response = client.get("/en/", {"province": "ha-noi"})
    assert response.status_code == 200
    assert "No merger is recorded for this province yet." in text(response)
    assert "No reported figures for this unit yet." in text(response)


def test_dashboard_csv_gives_one_row_per_cell_as_of_the_date(client, facts):
    import csv
    import io

    page = client.get("/", {"as_of": "2017-09-27"})
    expected = sum(len(cells) for _unit, cells in page.context["rows"])
    response = client.get("/", {"format": "csv", "as_of": "2017-09-27"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == expected
    front = [r for r in rows if r.get("merger_model") == "khoi-mttq"]
    assert sum(r["status"] == "completed" for r in front) == 12


# ---------------------------------------------------------------- districts


def test_district_list_shows_the_districts_with_gso_codes(client, facts):
    response = client.get("/en/districts/")
    page = text(response)
    for code in ("193", "196", "204", "207"):
        assert code in page
    assert "Merged into another unit" in row_of(response, 'href="/en/districts/hoanh-bo/"')


def test_uong_bi_page_shows_the_2018_merger_of_organisation_board_and_home_affairs(client, facts):
    response = client.get("/districts/uong-bi/")
    assert response.status_code == 200
    merger = Merger.objects.get(slug="uong-bi-to-chuc-noi-vu")
    assert f'href="/mergers/{merger.pk}/"' in html(response)
    row = row_of(response, f'href="/mergers/{merger.pk}/"')
    assert "Ban Tổ chức" in row and "Nội vụ" in row
    # The merger's 2018 milestone is on the district's own timeline, said as the year it is.
    timeline = html(response).split('id="timeline"')[1].split('id="history"')[0]
    assert re.search(r"<td>năm 2018</td>\s*<th scope=\"row\"><a href=\"/mergers/%d/\"" % merger.pk, timeline)


def test_ha_long_page_history_says_it_took_in_hoanh_bo(client, facts):
    response = client.get("/en/districts/ha-long/")
    history = text(response).split("History of this unit and the units below it")[1]
    assert "Took in" in history and "01/01/2020" in history
    assert 'href="/en/districts/hoanh-bo/"' in html(response)


def test_hoanh_bo_page_says_it_no_longer_exists_and_links_ha_long(client, facts):
    response = client.get("/en/districts/hoanh-bo/")
    page = text(response)
    assert "This unit no longer exists" in page
    assert "01/01/2020" in page
    assert 'href="/en/districts/ha-long/"' in html(response)


def test_commune_has_a_page_at_its_slug(client, db):
    commune = factories.CommuneFactory(slug="xa-dien-cong", name_vi="Xã Điền Công")
    response = client.get("/districts/xa-dien-cong/")
    assert response.status_code == 200
    assert "Xã Điền Công" in text(response)
    assert f'href="{commune.parent.get_absolute_url()}"' in html(response)


# ---------------------------------------------------------------- mergers


def test_ha_long_organisation_merger_shows_headcount_20_to_15(client, facts):
    merger = Merger.objects.get(slug="ha-long-to-chuc-noi-vu")
    response = client.get(f"/en/mergers/{merger.pk}/")
    row = row_of(response, 'class="num card-inline" data-label="Before"')
    assert row.split() == ["20", "15", "\u22125", "\u221225%"]
    assert "Ban Tổ chức" in text(response) or "Organisation" in text(response)


def test_merger_without_headcount_says_unknown_never_zero(client, facts):
    merger = Merger.objects.get(slug="uong-bi-khoi-mttq")
    response = client.get(f"/en/mergers/{merger.pk}/")
    assert row_of(response, 'class="num card-inline" data-label="Before"').split() == ["unknown"] * 4


def test_merger_page_lists_milestones_at_their_precision(client, facts):
    merger = Merger.objects.get(slug="ha-long-khoi-mttq")
    response = client.get(f"/en/mergers/{merger.pk}/")
    milestones = text(response).split("Dated status")[1]
    assert "30/11/2015" in milestones and "27/09/2017" in milestones
    assert "01/01/2018" not in text(response)


def test_merger_list_filters_by_model_and_status_as_of_a_date(client, facts):
    response = client.get("/mergers/", {"model": "khoi-mttq", "status": "completed", "as_of": "2017-09-27"})
    slugs = {m.slug for m in response.context["mergers"]}
    assert len(slugs) == 12
    assert "ha-long-khoi-mttq" not in slugs and "dam-ha-khoi-mttq" not in slugs


def test_merger_list_filters_by_district_and_text(client, facts):
    response = client.get("/mergers/", {"district": "uong-bi", "q": "to chuc noi vu"})
    assert [m.slug for m in response.context["mergers"]] == ["uong-bi-to-chuc-noi-vu"]


def test_merger_list_says_when_nothing_matches(client, facts):
    response = client.get("/en/mergers/", {"year_from": "1990", "year_to": "1991"})
    assert response.status_code == 200
    assert "No merger matches these filters." in text(response)


def test_merger_list_keeps_filters_in_sort_links_and_csv_link(client, facts):
    response = client.get("/mergers/", {"model": "khoi-mttq", "page": "1"})
    page = html(response)
    assert "?model=khoi-mttq&amp;sort=status" in page
    assert "?model=khoi-mttq&amp;format=csv" in page


def test_merger_list_sorts_by_status(client, facts):
    response = client.get("/mergers/", {"model": "khoi-mttq", "sort": "status", "as_of": "2017-09-27"})
    statuses = [m.status for m in response.context["mergers"]]
    assert statuses == sorted(statuses) and "completed" in statuses and "planned" in statuses


def test_model_page_shows_every_district_status_for_one_model(client, facts):
    response = client.get("/en/models/khoi-mttq/", {"as_of": "2017-09-27"})
    cells = response.context["cells"]
    assert len([c for c in cells if c.status == "completed"]) == 12
    assert "Planned" in row_of(response, 'href="/en/districts/dam-ha/"')
    assert "44-QĐ/TU" in text(response)


# ---------------------------------------------------------------- bodies


def test_closed_body_page_shows_banner_and_links_its_successor(client, facts):
    merger = Merger.objects.get(slug="ha-long-to-chuc-noi-vu")
    closed = merger.constituents.filter(successor__isnull=False).first() or merger.constituents.first()
    response = client.get(f"/en/bodies/{closed.pk}/")
    assert response.status_code == 200
    assert f'href="/en/mergers/{merger.pk}/"' in html(response)
    if closed.is_closed:
        assert "Closed" in text(response)
    if closed.successor_id:
        assert f'href="/en/bodies/{closed.successor_id}/"' in html(response)


def test_merged_body_page_lists_its_predecessors(client, facts):
    merger = Merger.objects.get(slug="ha-long-to-chuc-noi-vu")
    response = client.get(f"/en/bodies/{merger.result_id}/")
    predecessors = html(response).split('id="predecessors"')[1].split("</ul>")[0]
    for body in merger.constituents.all():
        assert f'href="/en/bodies/{body.pk}/"' in predecessors


def test_body_list_filters_open_and_closed(client, facts):
    closed = client.get("/bodies/", {"state": "closed"}).context["page_obj"].paginator.count
    opened = client.get("/bodies/", {"state": "open"}).context["page_obj"].paginator.count
    everything = client.get("/bodies/").context["page_obj"].paginator.count
    assert closed > 0 and opened > 0 and closed + opened == everything == Body.objects.count()


def test_body_list_filters_by_district_sector_and_text(client, facts):
    response = client.get("/bodies/", {"district": "ha-long", "q": "noi vu"})
    bodies = list(response.context["bodies"])
    assert bodies and all("noi vu" in b.search_text for b in bodies)
    assert all(b.unit.slug == "ha-long" or b.unit.district.slug == "ha-long" for b in bodies)


# ---------------------------------------------------------------- documents and sources


def test_document_page_lists_every_record_that_cites_it(client, facts):
    document = LegalDocument.objects.get(number="44-QĐ/TU")
    response = client.get(f"/en/documents/{document.pk}/")
    page = text(response)
    assert "30/11/2015" in page
    assert 'href="/en/models/khoi-mttq/"' in html(response)


def test_document_list_shows_numbers_and_dates(client, facts):
    response = client.get("/en/documents/")
    assert "44-QĐ/TU" in text(response) and "30/11/2015" in row_of(response, "44-QĐ/TU")


def test_source_page_lists_records_citing_it_by_kind(client, facts):
    source = Source.objects.get(slug="baoquangninh-2017-co-quan-khoi")
    response = client.get(f"/en/sources/{source.pk}/")
    page = text(response)
    assert "Milestones" in page and "27/09/2017" in page
    merger = Merger.objects.get(slug="dam-ha-khoi-mttq")
    assert f'href="/en/mergers/{merger.pk}/"' in html(response)


def test_source_list_lists_the_articles(client, facts):
    response = client.get("/en/sources/")
    assert "Báo Quảng Ninh" in text(response)
    assert "28/09/2017" in text(response) or "2017" in text(response)


# ---------------------------------------------------------------- search


@pytest.mark.parametrize(
    "query, expected",
    [
        ("ha long", "district:ha-long"),
        ("HẠ LONG", "district:ha-long"),
        ("uong bi", "district:uong-bi"),
        ("to chuc noi vu", "merger:ha-long-to-chuc-noi-vu"),
        ("44-QD/TU", "document:44-QĐ/TU"),
    ],
)
def test_search_ignores_case_and_diacritics(client, facts, query, expected):
    kind, key = expected.split(":")
    if kind == "district":
        url = AdministrativeUnit.objects.get(slug=key).get_absolute_url()
    elif kind == "merger":
        url = Merger.objects.get(slug=key).get_absolute_url()
    else:
        url = LegalDocument.objects.get(number=key).get_absolute_url()
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert f'href="{url}"' in html(response)


def test_search_groups_have_counts(client, facts):
    response = client.get("/en/search/", {"q": "ha long"})
    groups = {g["kind"]: g for g in response.context["groups"]}
    assert groups["unit"]["count"] >= 1
    assert groups["merger"]["count"] >= 1
    assert f"Mergers ({groups['merger']['count']})" in text(response)


def test_search_over_200_characters_gets_a_message_and_runs_no_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/en/search/", {"q": "x" * 5000})
    assert response.status_code == 200
    assert "The search is too long (5000 characters); use at most 200." in text(response)


def test_empty_search_gives_a_hint(client, db):
    response = client.get("/en/search/", {"q": "  "})
    assert "Type a name" in text(response)


def test_search_with_no_match_says_so(client, facts):
    response = client.get("/en/search/", {"q": "zzzqqq"})
    assert "Nothing matches" in text(response)


# ---------------------------------------------------------------- language and layout


def test_english_pages_have_english_labels_and_lang(client, facts):
    response = client.get("/en/")
    page = html(response)
    assert '<html lang="en">' in page
    assert "Dashboard" in text(response) and "Headline figures" in text(response)
    assert 'href="/"' in page and 'hreflang="vi"' in page


def test_vietnamese_is_the_default_at_the_root(client, facts):
    response = client.get("/districts/")
    assert '<html lang="vi">' in html(response)
    assert 'href="/en/districts/"' in html(response)


def test_every_page_has_skip_link_main_and_labelled_search(client, facts):
    response = client.get("/mergers/")
    page = html(response)
    assert 'href="#content"' in page and '<main id="content"' in page
    assert '<label for="site-search-q">' in page
    assert "<caption>" in page and 'scope="col"' in page


# ---------------------------------------------------------------- bad input


def test_bad_as_of_shows_a_message_and_todays_view(client, facts):
    response = client.get("/en/", {"as_of": "2017-13-45"})
    assert response.status_code == 200
    assert "“2017-13-45” is not a date" in text(response)
    assert response.context["day"] == timezone.localdate()


@pytest.mark.parametrize("page, expected", [("abc", 1), ("99999", "last"), ("-1", "last"), ("0", "last")])
def test_bad_page_numbers_give_first_or_last_page(client, db, page, expected):
    for _i in range(3):
        factories.MergerFactory()
    import portal.views

    original = portal.views.PAGE_SIZE
    portal.views.PAGE_SIZE = 1
    try:
        response = client.get("/mergers/", {"page": page, "province": "all"})
    finally:
        portal.views.PAGE_SIZE = original
    assert response.status_code == 200
    page_obj = response.context["page_obj"]
    assert page_obj.number == (1 if expected == 1 else page_obj.paginator.num_pages)


def test_unknown_district_filter_shows_the_form_error_and_no_rows(client, facts):
    response = client.get("/en/mergers/", {"district": "nope"})
    assert response.status_code == 200
    page = text(response)
    assert "Select a valid choice" in page
    assert "Some filters are not valid" in page
    assert "No merger matches these filters." in page
    assert list(response.context["mergers"]) == []


@pytest.mark.parametrize(
    "params", [{"year_from": "abc"}, {"status": "bogus"}, {"sort": "nope"}, {"model": "x" * 300}, {"q": "y" * 500}]
)
def test_other_bad_merger_filters_never_fail(client, facts, params):
    response = client.get("/en/mergers/", params)
    assert response.status_code == 200
    assert "Some filters are not valid" in text(response)


def test_bad_body_filters_never_fail(client, facts):
    response = client.get("/en/bodies/", {"district": "nope", "sector": "x", "page": "zz"})
    assert response.status_code == 200
    assert "No body matches these filters." in text(response)


@pytest.mark.parametrize(
    "url",
    [
        "/districts/nope/",
        "/models/nope/",
        "/mergers/999999/",
        "/bodies/999999/",
        "/documents/999999/",
        "/sources/999999/",
        "/?province=nope",
        "/mergers/?province=nope",
    ],
)
def test_unknown_records_are_404(client, facts, url):
    assert client.get(url).status_code == 404


def test_province_all_shows_every_province(client, facts):
    factories.ProvinceFactory(gso_code="01", slug="ha-noi", name_vi="Thành phố Hà Nội")
    response = client.get("/", {"province": "all"})
    slugs = [unit.slug for unit, _cells in response.context["rows"]]
    assert slugs[0] == "ha-noi" and "quang-ninh" in slugs and "ha-long" in slugs


@pytest.mark.parametrize(
    "url, params",
    [
        ("/mergers/", {"district": "\x00", "q": "ha\x00long"}),
        ("/bodies/", {"q": "\x00"}),
        ("/search/", {"q": "ha\x00 long"}),
        ("/documents/", {"q": "44\x00"}),
        ("/sources/", {"kind": "\x00"}),
        ("/", {"as_of": "2017\x00-01-01"}),
    ],
)
def test_nul_characters_in_parameters_never_fail(client, facts, url, params):
    """PostgreSQL refuses NUL in a query: a request with one is refused as bad
    (400) or served without it (200), never a server error."""
    assert client.get(url, params).status_code in (200, 400)


def test_district_list_counts_bodies_and_mergers_of_the_district_and_its_communes(client, db):
    district = factories.DistrictFactory(slug="huyen-dem", name_vi="Huyện Đếm")
    commune = factories.CommuneFactory(parent=district)
    merger = factories.MergerFactory(unit=district)  # 3 bodies
    factories.MilestoneFactory(merger=merger, status="completed", date=datetime.date(2019, 1, 1))
    factories.MergerFactory(unit=commune)  # 3 more bodies, in the commune, not completed
    factories.BodyFactory(unit=commune)
    response = client.get("/en/districts/")
    unit = next(u for u in response.context["units"] if u.slug == "huyen-dem")
    assert (unit.body_count, unit.merger_count, unit.completed_count) == (7, 2, 1)
    assert row_of(response, 'href="/en/districts/huyen-dem/"').split()[-4:] == ["7", "2", "1", "Yes"]


def test_source_page_bounds_each_group_and_says_there_are_more(client, db, monkeypatch):
    import portal.views

    monkeypatch.setattr(portal.views, "SOURCE_GROUP_SIZE", 2)
    source = factories.SourceFactory(slug="many")
    district = factories.DistrictFactory()
    for i in range(3):
        factories.BodyFactory(unit=district, name_vi=f"Cơ quan nhiều {i}").sources.add(source)
    response = client.get(f"/en/sources/{source.pk}/")
    page = text(response)
    assert "More than 2 records cite this source" in page
    assert "Bodies (first 2)" in page
    assert "Cơ quan nhiều 0" in page and "Cơ quan nhiều 2" not in page


def test_nationwide_dashboard_comes_a_page_at_a_time_and_its_csv_has_every_row(client, seed, monkeypatch):
    from django.core.management import call_command

    from portal import views

    call_command("generate_synthetic", scale=0.01, seed=3, verbosity=0)
    # Quảng Ninh alone (15 rows) is one page with no page links.
    assert 'rel="next"' not in client.get("/").content.decode()
    monkeypatch.setattr(views, "DASHBOARD_PAGE_SIZE", 10)
    units = AdministrativeUnit.objects.filter(level__in=["province", "district"]).count()
    assert units > 20
    first = client.get("/?province=all").content.decode()
    second = client.get("/?province=all&page=2").content.decode()
    rows = lambda html: re.findall(r'<th scope="row"><a href="([^"]+)"', html)  # noqa: E731
    assert len(rows(first)) == 10 and len(rows(second)) == 10
    assert not set(rows(first)) & set(rows(second))
    assert 'rel="next"' in first and 'rel="prev"' in second
    # Nationwide, the headline figures are the list of every province's figures, linked.
    assert '/figures/?province=all"' in first and 'class="figures"' not in first
    assert 'class="figures"' in client.get("/").content.decode()
    # The CSV is every unit's cells, not the page's.
    csv_text = client.get("/?province=all&format=csv").getvalue().decode("utf-8-sig")
    models = Merger._meta.get_field("model").related_model.objects.count()
    assert csv_text.count("\n") == 1 + units * models
    # A page past the end shows the last page, never an error.
    assert client.get("/?province=all&page=999").status_code == 200
