"""The chart that opens /timeline/ draws what the list below it shows.

Every kind of event (milestones, legal documents, unit changes, post
holdings and unified titles), one row per district and one for the
province, a span as a bar over the span, each merger model a colour, each
mark named (its <title>) and linked; the page's filters narrow the chart as
they narrow the list; a kind added to `portal.timeline.EVENT_KINDS` is drawn
with no change to the chart.
"""

import datetime
import re
from html import unescape

import pytest

from agencies.models import AdministrativeUnit, Body
from portal import timeline
from portal.timeline_chart import consolidation_chart
from tests import factories

# Every test reads the seed, loaded once for the module (the last adds its own records).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seed_shared")]

MARK = re.compile(
    r'<a href="(?P<url>[^"]*)" class="consolidation__mark consolidation__mark--(?P<kind>\w+)">'
    r"<title>(?P<title>[^<]*)</title>(?P<shape><(?:rect|use)[^>]*>)"
)
ROW = re.compile(r'<g class="consolidation__row">(.*?)</g>', re.S)
LABEL = re.compile(r'<text class="consolidation__label[^"]*"[^>]*>([^<]*)</text>')


def chart_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    found = re.search(r'<svg class="chart consolidation__chart".*?</svg>', page, re.S)
    assert found, "the timeline has no chart"
    return response, found.group(0)


def rows_of(svg):
    """{row label: [mark dicts]} in the order drawn."""
    rows = {}
    for body in ROW.findall(svg):
        label = unescape(LABEL.search(body).group(1))
        rows[label] = [
            {**match.groupdict(), "title": unescape(match.group("title")), "url": unescape(match.group("url"))}
            for match in MARK.finditer(body)
        ]
    return rows


def attribute(tag, name):
    return re.search(rf'\b{name}="([^"]*)"', tag).group(1)


def test_the_chart_draws_every_event_the_list_shows(client):
    response, svg = chart_of(client, "/en/timeline/")
    rows = rows_of(svg)
    kinds = {mark["kind"] for marks in rows.values() for mark in marks}
    assert kinds == {"milestone", "document", "unit_change", "title", "event"}
    # Every record the list (and its CSV, a row per record) holds is drawn.
    province = AdministrativeUnit.objects.get(slug="quang-ninh")
    assert response.context["chart"]["count"] == len(timeline.record_keys({"province": province}))
    assert response.context["chart"]["count"] == sum(
        response.context["year_counts"][y][k]
        for y in response.context["year_counts"]
        for k in response.context["year_counts"][y]
    )


def test_one_row_for_the_province_then_one_per_district(client):
    _response, svg = chart_of(client, "/en/timeline/")
    labels = list(rows_of(svg))
    districts = AdministrativeUnit.objects.districts().filter(province__slug="quang-ninh").order_by("gso_code")
    assert labels == ["Quang Ninh Province", *[district.name_en for district in districts]]


def test_hoanh_bo_joining_ha_long_is_drawn_on_both_rows(client):
    _response, svg = chart_of(client, "/en/timeline/")
    rows = rows_of(svg)
    hoanh_bo = [mark["title"] for mark in rows["Hoanh Bo District"] if mark["kind"] == "unit_change"]
    assert "Hoanh Bo District · Merged into another unit (Ha Long City), 01/01/2020" in hoanh_bo
    ha_long = [mark["title"] for mark in rows["Ha Long City"] if mark["kind"] == "unit_change"]
    assert "Ha Long City · Took in another unit (Hoanh Bo District), 01/01/2020" in ha_long


def test_the_2025_end_of_the_districts_is_a_mark_on_each_district_row(client):
    _response, svg = chart_of(client, "/en/timeline/")
    rows = rows_of(svg)
    ended = [
        label
        for label, marks in rows.items()
        for mark in marks
        if mark["kind"] == "unit_change" and mark["title"].endswith("Level abolished, 01/07/2025")
    ]
    assert len(ended) == 13 and len(set(ended)) == 13
    assert "Quang Ninh Province" not in ended and "Hoanh Bo District" not in ended  # it had ended in 2020


def test_a_unified_title_dated_as_a_span_is_a_bar_over_the_span(client):
    response, svg = chart_of(client, "/en/timeline/")
    # Ha Long's two unified titles of "about 2015 - 2016" (2015~/2016~): one bar names both.
    marks = [
        m
        for m in rows_of(svg)["Ha Long City"]
        if m["kind"] == "title" and "Inspection Committee and Inspectorate heads" in m["title"]
    ]
    assert len(marks) == 1
    assert "Organisation Board and Home Affairs heads" in marks[0]["title"]
    shape = marks[0]["shape"]
    assert shape.startswith("<rect"), "a span is drawn as a bar"
    years = {year["year"]: float(year["x"]) for year in response.context["chart"]["years"]}
    x, width = float(attribute(shape, "x").rstrip("%")), float(attribute(shape, "width").rstrip("%"))
    # From the first day of 2015 to the last of 2016.
    assert x == pytest.approx(years[2015], abs=0.01)
    assert x + width == pytest.approx(years[2017], abs=0.02)


def test_a_day_is_a_mark_and_each_merger_model_a_colour(client):
    response, svg = chart_of(client, "/en/timeline/")
    milestones = [m for marks in rows_of(svg).values() for m in marks if m["kind"] == "milestone"]
    colours = {}
    for mark in milestones:
        model = mark["title"].split(" · ", 1)[1].split(":")[0]
        colours.setdefault(model, set()).add(attribute(mark["shape"], "stroke"))
    assert all(len(found) == 1 for found in colours.values()), colours
    legend = dict(response.context["chart"]["legend"])
    assert {model: found.pop() for model, found in colours.items() if model in legend} == {
        model: legend[model] for model in colours if model in legend
    }
    assert len(set(legend.values())) == len(legend)
    # 27/09/2017, a day: a dot, not a bar.
    dam_ha = [m for m in rows_of(svg)["Dam Ha District"] if m["title"].endswith("Planned, 27/09/2017")]
    assert dam_ha and dam_ha[0]["shape"].startswith('<use href="#cm-dot"')


def test_several_events_at_one_place_and_date_are_one_mark_that_links_to_them(client):
    _response, svg = chart_of(client, "/en/timeline/")
    grouped = [m for m in rows_of(svg)["Uong Bi City"] if m["kind"] == "title" and "18/09/2020" in m["title"]]
    assert len(grouped) == 1
    mark = grouped[0]
    assert "(3)" in mark["title"] and "Party Secretary and People's Council Chair" in mark["title"]
    assert mark["url"] == "/en/timeline/?district=uong-bi&kind=title&year_from=2020&year_to=2020#year-2020"
    listed = client.get(mark["url"]).content.decode()
    assert listed.count('class="event event--title') == 3


def test_the_filters_narrow_the_chart_as_they_narrow_the_list(client):
    _response, svg = chart_of(client, "/en/timeline/?kind=unit_change")
    assert {m["kind"] for marks in rows_of(svg).values() for m in marks} == {"unit_change"}

    response, svg = chart_of(client, "/en/timeline/?district=uong-bi")
    rows = rows_of(svg)
    assert list(rows) == ["Uong Bi City"]
    assert response.context["chart"]["count"] == len(
        timeline.record_keys({"province": AdministrativeUnit.objects.get(slug="quang-ninh"), "district": "uong-bi"})
    )

    _response, svg = chart_of(client, "/en/timeline/?year_from=2025&year_to=2025")
    titles = [m["title"] for marks in rows_of(svg).values() for m in marks]
    assert titles and all("2025" in title or "before" in title for title in titles), titles


def test_the_chart_fills_any_width_and_keeps_its_text_size(client):
    _response, svg = chart_of(client, "/timeline/")
    opening = svg[: svg.index(">")]
    assert "viewBox" not in opening and 'width="100%"' in opening
    assert re.search(r'<use href="#cm-\w+" x="[\d.]+%"', svg)
    assert re.search(r'<rect x="[\d.]+%" y="\d+" width="[\d.]+%"', svg)


def test_a_kind_added_to_event_kinds_is_drawn_without_changing_the_chart(monkeypatch):
    """A kind with no chart reader of its own is drawn from its Events."""
    province = factories.ProvinceFactory(gso_code="99", slug="tinh-thu", name_vi="Tỉnh Thử", name_en="Test Province")
    district = factories.DistrictFactory(parent=province, name_en="Test District")
    body = factories.BodyFactory(unit=district, name_vi="Cơ quan mới", founded_on_edtf="2019-03-04")

    def events(bodies):
        for found in bodies.select_related("unit"):
            yield timeline.Event(
                *timeline._when(found, "founded_on"),
                kind="founding",
                title=f"{found.name_vi} founded",
                url=found.get_absolute_url(),
                unit=found.unit,
                model=None,
                status="",
                record_id=found.pk,
            )

    # Its rows: bodies through the filters' QuerySet rules (BodyQuerySet.in_province).
    kind = timeline.EventKind(Body, ("founded_on",), events)
    monkeypatch.setitem(timeline.EVENT_KINDS, "founding", kind)
    monkeypatch.setitem(timeline.KIND_LABELS, "founding", "Founding")
    monkeypatch.setattr(timeline, "KINDS", [*timeline.KINDS, "founding"])

    chart = consolidation_chart({"province": province})
    marks = [(row["label"], mark) for row in chart["rows"] for mark in row["marks"] if mark["kind"] == "founding"]
    assert len(marks) == 1
    label, mark = marks[0]
    assert label == district.name and mark["url"] == body.get_absolute_url()
    assert mark["title"] == f"{district.name} · Cơ quan mới founded, 04/03/2019"
    assert mark["shape"] == "square" and not mark["bar"]
    assert ("square", "Founding") in chart["shapes"]
    assert datetime.date(2019, 1, 1).year in [year["year"] for year in chart["years"]]
