"""The analysis pages on the real seed: the facts of the five articles, as a reader sees them."""

import csv
import re

import pytest

from mergers.models import Merger
from portal.timeline import build_events

MINUS = "\u2212"


@pytest.fixture
def seed(seed_shared):
    """The module's shared seed (conftest), not one load per test."""


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def text_of(fragment):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def row(page, row_id):
    return text_of(re.search(r'<tr id="%s".*?</tr>' % re.escape(row_id), page, re.S).group(0))


def events_html(page):
    return re.findall(r'<li class="event event--.*?</li>', page, re.S)


def all_timeline_pages(client, url):
    pages, number = [], 1
    while True:
        page = html(client.get(f"{url}{'&' if '?' in url else '?'}page={number}"))
        pages.append(page)
        if 'rel="next"' not in page:
            return pages
        number += 1


# -- headcount -------------------------------------------------------------


def test_headcount_shows_ha_long_cut_from_20_to_15(client, seed):
    merger = Merger.objects.get(slug="ha-long-to-chuc-noi-vu")
    page = html(client.get("/en/headcount/"))
    cells = row(page, f"merger-{merger.pk}")
    assert f"Ha Long City 20 15 {MINUS}5 {MINUS}25%" in cells
    assert "VOV" in cells  # the source of the figures


def test_headcount_other_mergers_are_unknown_not_zero(client, seed):
    other = Merger.objects.get(slug="ha-long-kiem-tra-thanh-tra")
    page = html(client.get("/en/headcount/"))
    assert row(page, f"merger-{other.pk}").endswith("Ha Long City unknown unknown unknown unknown —")
    assert " 0 " not in row(page, f"merger-{other.pk}")


def test_headcount_totals_count_only_known_mergers_and_say_how_many_are_unknown(client, seed):
    unknown = Merger.objects.count() - 1
    page = html(client.get("/en/headcount/"))
    summary = text_of(re.search(r'<p class="headcount-summary">.*?</p>', page, re.S).group(0))
    assert summary.startswith(
        f"Over 1 merger with both figures known: 20 posts before, 15 after ({MINUS}5, {MINUS}25%)."
    )
    assert f"{unknown} mergers have an unknown headcount and are not counted." in summary
    footer = text_of(re.search(r"<tfoot>.*?</tfoot>", page, re.S).group(0))
    assert footer == f"Total {unknown + 1} {unknown} 20 15 {MINUS}5 {MINUS}25%"


def test_headcount_per_district_totals(client, seed):
    page = html(client.get("/en/headcount/"))
    district_table = page[page.index('id="totals-1"') : page.index('id="totals-2"')]
    ha_long = text_of(
        re.search(r'<tr>\s*<th scope="row"><a href="/en/districts/ha-long/">.*?</tr>', district_table, re.S).group(0)
    )
    assert ha_long.startswith("Ha Long City 3 2 20 15")
    uong_bi = text_of(
        re.search(r'<tr>\s*<th scope="row"><a href="/en/districts/uong-bi/">.*?</tr>', district_table, re.S).group(0)
    )
    assert uong_bi.endswith("unknown") and "20" not in uong_bi


def test_headcount_chart_has_one_bar_pair_for_the_one_known_merger(client, seed):
    page = html(client.get("/en/headcount/"))
    svg = re.search(r"<svg[^>]*chart--headcount.*?</svg>", page, re.S).group(0)
    assert re.search(r"<title[^>]*>Authorised posts before and after each merger</title>", svg)
    assert len(re.findall(r"<rect ", svg)) == 2
    assert ">Before: 20</title>" in svg and ">After: 15</title>" in svg
    assert svg.count('<g class="chart__merger">') == 1 and "Ha Long City" in svg


def test_headcount_filter_by_model_and_district(client, seed):
    page = html(client.get("/en/headcount/?district=uong-bi&model=kiem-tra-thanh-tra"))
    assert len(re.findall(r'<tr id="merger-\d+"', page)) == 1
    assert "Uong Bi City Inspectorate" in page
    assert "No merger in this selection has a known headcount, so there is nothing to draw." in page


def test_headcount_csv_long_has_the_two_figures(client, seed):
    response = client.get("/en/headcount/?format=csv&shape=long")
    rows = list(csv.DictReader(b"".join(response.streaming_content).decode("utf-8-sig").splitlines()))
    assert [(r["unit_slug"], r["merger_model"], r["phase"], r["value"]) for r in rows] == [
        ("ha-long", "to-chuc-noi-vu", "after", "15"),
        ("ha-long", "to-chuc-noi-vu", "before", "20"),
    ]


# -- timeline --------------------------------------------------------------


def test_timeline_shows_each_date_at_its_precision(client, seed):
    pages = all_timeline_pages(client, "/en/timeline/")
    events = [event for page in pages for event in events_html(page)]
    decision = [e for e in events if "44-QĐ/TU" in e and "event--document" in e]
    assert len(decision) == 1
    assert '<span class="event__date"><time datetime="2015-11-30">30/11/2015</time></span>' in decision[0]
    # The district mergers of early 2018: no day, no month, and not "2018-01-01".
    early = [e for e in events if "early 2018" in e]
    assert early and all('title="EDTF 2018-37"' in e for e in early)
    assert not any("01/01/2018" in page for page in pages)


def test_timeline_in_vietnamese_shows_the_same_dates(client, seed):
    page = html(client.get("/timeline/?kind=document"))
    decision = [e for e in events_html(page) if "44-QĐ/TU" in e]
    assert len(decision) == 1 and ">30/11/2015</time>" in decision[0]


def test_timeline_is_grouped_by_year_in_order(client, seed):
    years = [
        int(y)
        for page in all_timeline_pages(client, "/en/timeline/")
        for y in re.findall(r'<h2 id="year-(\d{4})">', page)
    ]
    assert years[0] == 2015 and 2018 in years
    assert all(a <= b for a, b in zip(years, years[1:]))
    dates = [e.day for e in build_events({})]
    assert dates == sorted(dates)


def test_timeline_filter_by_district_shows_only_uong_bi(client, seed):
    events = build_events({"district": "uong-bi"})
    assert events and all(e.unit is None or e.unit.district.slug == "uong-bi" for e in events)
    assert any(e.unit is not None and e.unit.slug != "uong-bi" for e in events)  # its communes too
    page = html(client.get("/en/timeline/?district=uong-bi"))
    units = set(re.findall(r'<span class="event__unit">(.*?)</span>', page))
    assert "Uong Bi City" in units
    assert not any(name in units for name in ("Ha Long City", "Hoanh Bo District", "Quang Ninh Province"))
    assert "Ha Long" not in text_of(" ".join(events_html(page))).replace("Ha Long Bay", "")


def test_timeline_csv_lists_the_decision_at_day_precision(client, seed):
    response = client.get("/en/timeline/?format=csv&kind=document&q=44-qd")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith("30/11/2015,2015-11-30,2015-11-30,2015-11-30,document,")


def test_timeline_year_range(client, seed):
    page = html(client.get("/en/timeline/?year_from=2016&year_to=2016"))
    # Events dated in 2016, and the spans that overlap 2016 (they start in
    # 2015, or are open: "on or before 07/12/2019" may have happened in 2016).
    assert "2017" not in re.findall(r'<h2 id="year-(\d{4})">', page)
    assert "early 2016" in page and "Uong Bi" in page
    assert "between 30/11/2015 - 27/09/2017" in page
    assert "2018" not in "".join(re.findall(r'<span class="event__date">(.*?)</span>', page))


# -- unified titles and figures ---------------------------------------------


def test_titles_page_says_3_of_14_is_a_total_the_article_does_not_break_down(client, seed):
    page = html(client.get("/en/titles/"))
    figures = page[page.index('id="title-figures-heading"') : page.index('id="heads-heading"')]
    council = [
        text_of(r)
        for r in re.findall(r"<tr id=\"figure-\d+\".*?</tr>", figures, re.S)
        if "also chair the People&#x27;s Council" in r
    ]
    assert len(council) == 1
    # The article names no district: 0 recorded is no mismatch, it only gives the total.
    assert "3/14 0/14 The article only gives the total" in council[0]
    assert "Mismatch" not in council[0]


def test_titles_page_shows_the_reported_title_figures(client, seed):
    page = html(client.get("/en/titles/"))
    figures = text_of(page[page.index('id="title-figures-heading"') : page.index('id="heads-heading"')])
    for value in ("99.8%", "100/100", "7/10"):
        assert f" {value} " in figures
    assert "99.8% — Not computed from the records" in figures


def test_titles_page_lists_unified_titles_and_named_heads(client, seed):
    page = html(client.get("/en/titles/"))
    unified = text_of(page[page.index('id="unified-heading"') : page.index('id="title-figures-heading"')])
    assert "Nguyễn Văn Đọc" in unified
    assert "Secretary of the Quang Ninh Provincial Party Committee Chair of the People&#x27;s Council" in unified
    heads = text_of(page[page.index('id="heads-heading"') :])
    assert "Nguyễn Hữu Thọ" in heads and "Nguyễn Hoàng Quý" in heads


def test_titles_filter_by_district(client, seed):
    page = html(client.get("/en/titles/?district=uong-bi"))
    figures = text_of(page[page.index('id="title-figures-heading"') : page.index('id="heads-heading"')])
    assert "7/10" in figures and "3/14" not in figures
    assert "Nguyễn Văn Đọc" not in page


def test_figures_page_shows_matches_and_mismatches(client, seed):
    page = html(client.get("/en/figures/"))
    rows = [text_of(r) for r in re.findall(r"<tr id=\"figure-\d+\".*?</tr>", page, re.S)]
    twelve = [r for r in rows if r.startswith("12 of 14 districts")]
    assert len(twelve) == 1 and "12/14 12/14 Matches the records" in twelve[0]
    focal = [r for r in rows if "28 focal points" in r]
    assert len(focal) == 1 and " 28 28 Matches the records" in focal[0]
    assert any("12.54%" in r for r in rows)


def test_figures_filter_by_model(client, seed):
    page = html(client.get("/en/figures/?model=khoi-mttq"))
    rows = [text_of(r) for r in re.findall(r"<tr id=\"figure-\d+\".*?</tr>", page, re.S)]
    assert rows and all("Fatherland Front bloc" in r for r in rows)


# -- milestones ------------------------------------------------------------


def test_milestones_of_ha_long_organisation_merger(client, seed):
    page = html(client.get("/en/milestones/?district=ha-long&model=to-chuc-noi-vu"))
    # Article 000: "Đầu năm 2018, Quảng Ninh triển khai hợp nhất..." - one
    # milestone, early 2018, not a report year.
    assert re.findall(r'<span class="date-uncertain" title="EDTF ([^"]+)">([^<]+)</span>', page) == [
        ("2018-37", "early 2018")
    ]
    assert "Completed" in page and '<time datetime="2019">' not in page


def test_milestones_newest_first(client, seed):
    page = html(client.get("/en/milestones/?sort=-date&status=completed"))
    isos = re.findall(r'<time datetime="([^"]+)">', page)
    assert isos == sorted(isos, reverse=True)


# -- bad input -------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/en/headcount/?district=%E2%80%AE&model=x",
        "/en/timeline/?year_from=2o18",
        "/en/timeline/?year_to=-5&district=atlantis&page=999",
        "/en/titles/?combination=%E2%80%8B",
        "/en/figures/?model=../../etc",
        "/en/milestones/?status=done&page=abc",
    ],
)
def test_bad_parameters_show_a_message_not_an_error(client, seed, url):
    page = html(client.get(url))
    assert 'class="field-errors"' in page


def test_bad_year_message(client, seed):
    page = html(client.get("/en/timeline/?year_from=2o18"))
    assert "Enter a whole number." in page
    assert 'datetime="2015-11-30"' in page  # the other filters, and the page, still work
