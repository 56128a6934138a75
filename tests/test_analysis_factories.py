"""Analysis pages on small data built with factories: what a reader sees."""

import csv
import datetime
import io
import re

import pytest
from django.utils import translation

from agencies.models import Holding, UnitChange
from mergers.models import Headcount, ReportedFigure
from portal.timeline import build_events
from tests import factories

pytestmark = pytest.mark.django_db

MINUS = "\u2212"


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def text_of(fragment):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


@pytest.fixture
def two_districts(db):
    province = factories.ProvinceFactory()
    alpha = factories.DistrictFactory(parent=province, gso_code="301", slug="alpha", name_vi="Huyện Alpha")
    beta = factories.DistrictFactory(parent=province, gso_code="302", slug="beta", name_vi="Huyện Beta")
    model = factories.MergerModelFactory(slug="to-chuc-noi-vu", short_vi="TC-NV", short_en="Org-HA", order=1)
    merger_a = factories.MergerFactory(unit=alpha, model=model, title_vi="Hợp nhất Alpha", title_en="Alpha merger")
    merger_b = factories.MergerFactory(unit=beta, model=model, title_vi="Hợp nhất Beta", title_en="Beta merger")
    factories.HeadcountFactory(merger=merger_a, phase=Headcount.Phase.BEFORE, value=20)
    factories.HeadcountFactory(merger=merger_a, phase=Headcount.Phase.AFTER, value=15)
    factories.HeadcountFactory(merger=merger_b, phase=Headcount.Phase.BEFORE, value=8)
    return {"province": province, "alpha": alpha, "beta": beta, "model": model, "a": merger_a, "b": merger_b}


# -- headcount -------------------------------------------------------------


def test_headcount_shows_change_and_percent_and_unknown(client, two_districts):
    page = html(client.get("/en/headcount/"))
    row_a = re.search(r'<tr id="merger-%d".*?</tr>' % two_districts["a"].pk, page, re.S).group(0)
    assert [c for c in text_of(row_a).split() if c[0].isdigit() or c[0] in "+" + MINUS][-4:] == [
        "20",
        "15",
        f"{MINUS}5",
        f"{MINUS}25%",
    ]
    row_b = text_of(re.search(r'<tr id="merger-%d".*?</tr>' % two_districts["b"].pk, page, re.S).group(0))
    assert "8" in row_b.split() and row_b.count("unknown") == 3


def test_headcount_totals_skip_unknown_and_say_how_many(client, two_districts):
    page = html(client.get("/en/headcount/"))
    summary = text_of(re.search(r'<p class="headcount-summary">.*?</p>', page, re.S).group(0))
    # Beta's 8 "before" is not added: its "after" is unknown.
    assert "Over 1 merger with both figures known: 20 posts before, 15 after" in summary
    assert f"({MINUS}5, {MINUS}25%)" in summary
    assert "1 merger has an unknown headcount and is not counted." in summary
    assert "28" not in summary


def test_headcount_chart_draws_known_figures_and_writes_unknown(client, two_districts):
    page = html(client.get("/en/headcount/"))
    svg = re.search(r"<svg[^>]*chart--headcount.*?</svg>", page, re.S).group(0)
    assert "<title" in svg
    assert len(re.findall(r'<rect class="chart__bar chart__bar--before"', svg)) == 2
    assert len(re.findall(r'<rect class="chart__bar chart__bar--after"', svg)) == 1
    assert "Alpha merger" in svg and "Beta merger" in svg and "unknown" in svg


def test_headcount_table_and_chart_come_a_page_at_a_time_but_totals_count_every_merger(
    client, two_districts, monkeypatch
):
    from portal.pages.headcount import HeadcountPage

    for n in range(4):  # four more districts, each with a merger 10 -> 7
        district = factories.DistrictFactory(
            parent=two_districts["province"], gso_code=f"31{n}", slug=f"extra-{n}", name_en=f"Extra {n} District"
        )
        merger = factories.MergerFactory(unit=district, model=two_districts["model"], title_en=f"Extra merger {n}")
        factories.HeadcountFactory(merger=merger, phase=Headcount.Phase.BEFORE, value=10)
        factories.HeadcountFactory(merger=merger, phase=Headcount.Phase.AFTER, value=7)
    monkeypatch.setattr(HeadcountPage, "paginate_by", 2)
    pages = [html(client.get(f"/en/headcount/?page={n}")) for n in (1, 2, 3)]
    shown = [re.findall(r'<tr id="merger-(\d+)"', page) for page in pages]
    assert [len(ids) for ids in shown] == [2, 2, 2]
    assert len({pk for ids in shown for pk in ids}) == 6
    for page in pages:
        summary = text_of(re.search(r'<p class="headcount-summary">.*?</p>', page, re.S).group(0))
        # 20 -> 15 and 4 x (10 -> 7); Beta's lone "before" is not counted.
        assert "Over 5 mergers with both figures known: 60 posts before, 43 after" in summary
        assert "The chart and the table show mergers" in page
        per_district = re.search(r"<h2[^>]*>Per district</h2>.*?</table>", page, re.S).group(0)
        assert per_district.count('<th scope="row"><a') == 6  # every district, whichever page
        total = text_of(re.search(r"<tfoot>.*?</tfoot>", per_district, re.S).group(0))
        assert total.split()[-6:] == ["6", "1", "60", "43", f"{MINUS}17", f"{MINUS}28.3%"]
    assert len(re.findall(r'<rect class="chart__bar chart__bar--before"', pages[0])) == 2


def test_nationwide_headcount_totals_are_per_province(client, two_districts):
    other = factories.ProvinceFactory(gso_code="99", slug="other-province", name_en="Other Province")
    district = factories.DistrictFactory(parent=other, gso_code="999", slug="other-district")
    merger = factories.MergerFactory(unit=district, model=two_districts["model"])
    factories.HeadcountFactory(merger=merger, phase=Headcount.Phase.BEFORE, value=4)
    factories.HeadcountFactory(merger=merger, phase=Headcount.Phase.AFTER, value=3)
    page = html(client.get("/en/headcount/?province=all"))
    per_province = re.search(r"<h2[^>]*>Per province</h2>.*?</table>", page, re.S).group(0)
    assert "Other Province" in per_province and two_districts["province"].name_en in per_province
    assert "/districts/alpha/" not in per_province
    assert "Per district" not in page


def test_headcount_chart_leaves_out_mergers_without_any_figure(client, two_districts):
    factories.MergerFactory(unit=two_districts["alpha"], title_vi="Không số liệu", title_en="No figures")
    page = html(client.get("/en/headcount/"))
    svg = re.search(r"<svg[^>]*chart--headcount.*?</svg>", page, re.S).group(0)
    assert "No figures" not in svg
    assert "No figures" in page


def test_headcount_filter_by_district(client, two_districts):
    page = html(client.get("/en/headcount/?district=beta"))
    assert "Beta merger" in page and "Alpha merger" not in page
    assert "No merger has both figures known." in page


def test_headcount_per_district_and_model_tables(client, two_districts):
    page = html(client.get("/en/headcount/"))
    district_rows = re.findall(r'<th scope="row"><a href="/en/districts/(alpha|beta)/">', page)
    assert district_rows == ["alpha", "beta"]
    assert ">Org-HA</a>" in page


def test_headcount_csv_wide_and_long(client, two_districts):
    wide = client.get("/en/headcount/?format=csv&district=alpha")
    body = b"".join(wide.streaming_content).decode("utf-8-sig").splitlines()
    assert len(body) == 2 and ",20,15,-5," in body[1]
    long = client.get("/en/headcount/?format=csv&shape=long")
    rows = b"".join(long.streaming_content).decode("utf-8-sig").splitlines()
    assert rows[0].startswith("id,merger_id") and len(rows) == 4


# -- timeline --------------------------------------------------------------


def test_timeline_dates_as_the_sources_give_them(client, two_districts):
    factories.MilestoneFactory(merger=two_districts["a"], status="in_progress", date_edtf="2018")
    factories.MilestoneFactory(merger=two_districts["b"], status="completed", date_edtf="2018-37")
    factories.LegalDocumentFactory(number="44-QĐ/TU", signed_on=datetime.date(2015, 11, 30))
    page = html(client.get("/en/timeline/"))
    assert 'datetime="2018">2018</time>' in page
    assert 'datetime="2015-11-30">30/11/2015</time>' in page
    # "early 2018" has no HTML date form: said in words, its EDTF kept in the title.
    assert 'title="EDTF 2018-37">early 2018<' in page
    assert "01/01/2018" not in page and "30/04/2018" not in page


def test_timeline_groups_by_year_in_order(client, two_districts):
    factories.MilestoneFactory(merger=two_districts["a"], status="completed", date=datetime.date(2019, 3, 1))
    factories.MilestoneFactory(merger=two_districts["b"], status="in_progress", date=datetime.date(2017, 5, 2))
    factories.LegalDocumentFactory(signed_on=datetime.date(2015, 11, 30))
    page = html(client.get("/en/timeline/"))
    assert re.findall(r'<h2 id="year-(\d{4})">', page) == ["2015", "2017", "2019"]


def test_timeline_filters_by_district_kind_and_year(client, two_districts):
    factories.MilestoneFactory(merger=two_districts["a"], status="completed", date=datetime.date(2019, 3, 1))
    factories.MilestoneFactory(merger=two_districts["b"], status="completed", date=datetime.date(2019, 4, 1))
    factories.HoldingFactory(unit=two_districts["beta"], reported_on=datetime.date(2019, 12, 7))
    by_district = html(client.get("/en/timeline/?district=beta"))
    assert "Beta merger" in by_district and "Alpha merger" not in by_district
    assert "Post holding or unified title" in by_district
    by_kind = html(client.get("/en/timeline/?kind=title"))
    assert "Beta merger" not in by_kind and 'class="event event--title"' in by_kind
    by_year = html(client.get("/en/timeline/?year_from=2020"))
    assert "No event matches these filters." in by_year


def test_build_events_sorted_by_date_then_kind(two_districts):
    factories.MilestoneFactory(merger=two_districts["a"], status="completed", date=datetime.date(2019, 1, 1))
    factories.LegalDocumentFactory(signed_on=datetime.date(2019, 1, 1))
    factories.UnitChangeFactory(unit=two_districts["alpha"], date=datetime.date(2018, 6, 1))
    events = build_events({})
    assert [(e.edtf, e.earliest.isoformat(), e.latest.isoformat(), e.kind) for e in events] == [
        ("2018-06-01", "2018-06-01", "2018-06-01", "unit_change"),
        ("2019-01-01", "2019-01-01", "2019-01-01", "document"),
        ("2019-01-01", "2019-01-01", "2019-01-01", "milestone"),
    ]
    assert events[2].unit == two_districts["alpha"] and events[2].model == two_districts["model"]
    assert events[2].status == "completed"


def test_timeline_model_filter_keeps_documents_of_that_model(two_districts):
    document = factories.LegalDocumentFactory(signed_on=datetime.date(2015, 11, 30))
    other = factories.LegalDocumentFactory(signed_on=datetime.date(2016, 1, 4))
    two_districts["model"].basis.add(document)
    factories.UnitChangeFactory(unit=two_districts["alpha"])
    events = build_events({"model": "to-chuc-noi-vu"})
    assert [(e.kind, e.record_id) for e in events] == [("document", document.pk)]
    assert other.pk not in [e.record_id for e in build_events({"district": "alpha"})]


def test_timeline_csv_has_every_filtered_event(client, two_districts):
    for day in range(1, 4):
        factories.MilestoneFactory(merger=two_districts["a"], status="in_progress", date=datetime.date(2018, 1, day))
    factories.MilestoneFactory(merger=two_districts["a"], status="completed", date_edtf="2018-37")
    factories.MilestoneFactory(merger=two_districts["b"], status="completed", date_edtf="2018")
    response = client.get("/en/timeline/?format=csv&district=alpha")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 4
    assert sorted((r["date_edtf"], r["date"], r["date_earliest"], r["date_latest"], r["kind"]) for r in rows) == [
        ("2018-01-01", "01/01/2018", "2018-01-01", "2018-01-01", "milestone"),
        ("2018-01-02", "02/01/2018", "2018-01-02", "2018-01-02", "milestone"),
        ("2018-01-03", "03/01/2018", "2018-01-03", "2018-01-03", "milestone"),
        ("2018-37", "early 2018", "2018-01-01", "2018-04-30", "milestone"),
    ]


# -- titles and figures -----------------------------------------------------


def test_titles_lists_unified_titles_named_heads_and_figures(client, two_districts):
    alpha = two_districts["alpha"]
    secretary = factories.PostFactory(unit=alpha, title_vi="Bí thư Huyện ủy", title_en="District Party Secretary")
    chair = factories.PostFactory(unit=alpha, title_vi="Chủ tịch HĐND", title_en="People's Council Chair")
    factories.HoldingFactory(unit=alpha, posts=[secretary, chair], holder_name="Nguyễn Văn A")
    head = factories.PostFactory(unit=alpha, title_vi="Thủ trưởng", title_en="Head of the merged agency")
    factories.HoldingFactory(unit=alpha, combination="", posts=[head], holder_name="Trần Thị B")
    factories.ReportedFigureFactory(
        unit=two_districts["province"],
        statement_en="Districts with Secretary = Council Chair",
        combination=Holding.Combination.SECRETARY_COUNCIL,
        metric=ReportedFigure.Metric.UNITS_WITH_TITLE,
        counted_level="district",
        value=3,
        denominator=14,
    )
    page = html(client.get("/en/titles/"))
    assert "District Party Secretary" in page and "Nguyễn Văn A" in page
    heads = page[page.index('id="heads-heading"') :]
    assert "Head of the merged agency" in heads and "Trần Thị B" in heads
    assert "Mismatch: the source reports 3/14, the records give 1/2." in page


def test_figures_page_shows_percent_and_match(client, two_districts):
    factories.ReportedFigureFactory(
        unit=two_districts["province"],
        statement_en="Villages with one head",
        value="99.8",
        denominator=None,
        measure=ReportedFigure.Measure.PERCENT,
    )
    factories.ReportedFigureFactory(
        unit=two_districts["province"],
        statement_en="Districts that merged",
        value=0,
        denominator=2,
        metric=ReportedFigure.Metric.UNITS_COMPLETED,
        counted_level="district",
    ).merger_models.add(two_districts["model"])
    page = html(client.get("/en/figures/"))
    assert "99.8%" in page and "Not computed from the records" in page
    assert "0/2" in page and "Matches the records" in page
    vi_page = html(client.get("/figures/"))
    assert "99,8%" in vi_page


def test_figures_filter_by_scope_and_text(client, two_districts):
    factories.ReportedFigureFactory(unit=two_districts["province"], statement_en="Province figure")
    factories.ReportedFigureFactory(unit=two_districts["beta"], statement_en="Beta figure")
    page = html(client.get("/en/figures/?district=beta"))
    assert "Beta figure" in page and "Province figure" not in page
    page = html(client.get("/en/figures/?q=province"))
    assert "Province figure" in page and "Beta figure" not in page


# -- milestones ------------------------------------------------------------


def test_milestones_filter_sort_and_paginate(client, two_districts):
    factories.MilestoneFactory(merger=two_districts["a"], status="in_progress", date_edtf="2018")
    factories.MilestoneFactory(merger=two_districts["b"], status="completed", date_edtf="2019-06")
    page = html(client.get("/en/milestones/?sort=-date"))
    assert page.index('datetime="2019-06">06/2019<') < page.index('datetime="2018">2018<')
    page = html(client.get("/en/milestones/?status=completed"))
    assert "Beta merger" in page and "Alpha merger" not in page
    page = html(client.get("/en/milestones/?year_to=2018&district=alpha"))
    assert "Alpha merger" in page and "Beta merger" not in page
    for day in range(2, 60):
        factories.MilestoneFactory(
            merger=two_districts["a"], status="planned", date=datetime.date(2017, 1, 1) + datetime.timedelta(days=day)
        )
    page = html(client.get("/en/milestones/?page=2"))
    assert "Page 2 of 2" in page


# -- bad input -------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/en/headcount/?district=nowhere&model=%FF",
        "/en/timeline/?year_from=abc&year_to=99999&kind=x&page=zz",
        "/en/timeline/?year_from=2020&year_to=2010",
        "/en/titles/?combination=nope&q=" + "x" * 500,
        "/en/figures/?district=%27%22<script>&page=-1",
        "/en/milestones/?year_from=1e9&sort=drop&status=??",
    ],
)
def test_bad_parameters_never_break_a_page(client, two_districts, url):
    page = html(client.get(url))
    assert 'class="field-errors"' in page or "form-errors" in page


def test_bad_year_says_so(client, two_districts):
    page = html(client.get("/en/timeline/?year_from=abc"))
    assert "Enter a whole number." in page
    page = html(client.get("/en/milestones/?year_from=2020&year_to=2010"))
    assert "The last year cannot be before the first year." in page


@pytest.mark.parametrize("path", ["/en/mergers/", "/en/milestones/", "/en/timeline/"])
def test_a_backwards_year_range_is_refused_on_every_page_that_takes_years(client, two_districts, path):
    """The merger list showed an empty list and no word of why."""
    page = html(client.get(path + "?year_from=2020&year_to=2015"))
    assert "The last year cannot be before the first year." in page
    assert "Some filters are not valid" in page


def test_unknown_province_is_404(client, two_districts):
    for url in ("/en/headcount/", "/en/timeline/", "/en/titles/", "/en/figures/", "/en/milestones/"):
        assert client.get(url + "?province=atlantis").status_code == 404
        assert client.get(url + "?province=all").status_code == 200


def test_unit_change_event_links_to_its_district(two_districts):
    commune = factories.CommuneFactory(parent=two_districts["alpha"])
    factories.UnitChangeFactory(
        unit=commune,
        kind=UnitChange.Kind.ABSORBED,
        related_unit=two_districts["alpha"],
        date=datetime.date(2019, 12, 31),
    )
    with translation.override("vi"):
        (event,) = build_events({"kind": "unit_change", "district": "alpha"})
    assert event.url == "/districts/alpha/" and event.unit == commune


def test_headcount_chart_bars_are_drawn_to_scale(client, two_districts):
    page = html(client.get("/en/headcount/"))
    svg = re.search(r"<svg[^>]*chart--headcount.*?</svg>", page, re.S).group(0)
    widths = {
        (title, phase): float(width)
        for phase, width, title in re.findall(
            r'<rect class="chart__bar chart__bar--(\w+)" x="[\d.]+" y="[\d.]+" width="([\d.]+)" '
            r'height="[\d.]+"><title>(?:Before|After): (\d+)</title>',
            svg,
        )
    }
    assert widths[("20", "before")] == pytest.approx(widths[("15", "after")] * 20 / 15, rel=0.01)
    assert widths[("8", "before")] == pytest.approx(widths[("20", "before")] * 8 / 20, rel=0.01)
    assert f"15 ({MINUS}5, {MINUS}25%)" in svg


@pytest.mark.parametrize(
    "query,listed",
    [
        ("year_from=2015", True),
        ("year_to=2016", True),
        ("year_from=2019&year_to=2019", True),
        ("year_from=2020", False),
    ],
)
def test_milestone_years_follow_the_uncertain_date(client, two_districts, query, listed):
    """A milestone known only as "on or before 07/12/2019" may fall in any
    year up to 2019: a year filter keeps it there, on the page and in its
    file (it was dropped by every year filter)."""
    milestone = factories.MilestoneFactory(merger=two_districts["a"], status="completed", date_edtf="../2019-12-07")
    page = html(client.get(f"/en/milestones/?{query}"))
    assert (f'id="milestone-{milestone.pk}"' in page) is listed
    rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(client.get(f"/en/milestones/?{query}&format=csv").streaming_content).decode("utf-8-sig")
            )
        )
    )
    assert (str(milestone.pk) in {row["id"] for row in rows}) is listed
