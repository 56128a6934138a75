"""What a reader sees on the timeline when a date is uncertain.

A milestone the sources date only within bounds ("2015-11-30/2017-09-27") is
shown as that span, marked as one, and never as a day; the same milestone
reported for many districts on that date is one entry that names and links
each district once; the CSV keeps one row per district.
"""

import csv
import io
import re

import pytest
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import ngettext

from agencies.dates import describe
from mergers.models import Milestone, Status
from portal import timeline
from tests import factories

pytestmark = pytest.mark.django_db

SPAN = "2015-11-30/2017-09-27"
ENTRY = re.compile(r'<li class="event [^"]*">.*?</li>\s*(?=<li class="event |</ol>)', re.S)


def milestone(merger, status, edtf):
    return Milestone.objects.create(merger=merger, status=status, date_edtf=edtf)


def build(size, model=None):
    """`size` districts whose merger of one model was completed within SPAN,
    and a district with that model completed on a known day."""
    model = model or factories.MergerModelFactory(name_vi="Khối Mặt trận chung", name_en="Joint Front bloc")
    province = factories.ProvinceFactory()
    mergers = [
        factories.MergerFactory(unit=factories.DistrictFactory(parent=province), model=model) for _ in range(size)
    ]
    for merger in mergers:
        milestone(merger, Status.COMPLETED, SPAN)
    known = factories.MergerFactory(unit=factories.DistrictFactory(parent=province), model=model)
    milestone(known, Status.COMPLETED, "2019-12-07")
    return mergers, known


def entries_of(page):
    """The timeline's entries, as HTML, in order."""
    return ENTRY.findall(page)


def entry_for(page, title, when):
    """The one group entry whose title link says `title`, dated `when` (the words)."""
    found = [
        entry
        for entry in entries_of(page)
        if f">{escape(title)}</a>" in entry and "event--group" in entry and f">{when}<" in entry
    ]
    assert len(found) == 1, found
    return found[0]


def in_language(language, function, *args):
    with translation.override(language):
        return function(*args)


def districts(count):
    return ngettext("%(counter)s district", "%(counter)s districts", count) % {"counter": count}


# -- the seed: the Front-bloc joint agency, completed in many districts -----


def test_seed_front_bloc_completion_is_one_entry_listing_each_district_once(client, seed):
    completed = Milestone.objects.filter(status=Status.COMPLETED, date_edtf=SPAN).select_related(
        "merger__unit", "merger__model"
    )
    assert completed.count() > 1
    model = completed[0].merger.model
    page = client.get("/timeline/").content.decode()
    span_text = in_language("vi", describe, SPAN)  # "trong khoảng 30/11/2015 - 27/09/2017"
    entry = entry_for(page, in_language("vi", lambda: model.name), span_text)
    assert "event--span" in entry
    assert in_language("vi", districts, completed.count()) + ":" in entry  # "11 huyện:"
    for done in completed:
        link = f'<a href="{done.merger.get_absolute_url()}#milestone-{done.pk}">{escape(done.merger.unit.name)}</a>'
        assert entry.count(link) == 1
        assert entry.count(f">{escape(done.merger.unit.name)}<") == 1
    # the span, never one of its ends as if it were the day
    assert '<time datetime="2017-09-27">' not in entry and '<time datetime="2015-11-30">' not in entry
    assert entry.count("27/09/2017") == 1


# -- built with factories ----------------------------------------------------


def test_one_entry_lists_the_districts_once_with_the_span(client):
    mergers, _known = build(3)
    page = client.get("/timeline/").content.decode()
    entry = entry_for(page, "Khối Mặt trận chung", in_language("vi", describe, SPAN))
    assert in_language("vi", describe, SPAN) in entry
    assert in_language("vi", districts, 3) + ":" in entry
    assert re.search(r'<li class="event event--milestone event--group event--span">', entry)
    for merger in mergers:
        assert entry.count(f">{escape(merger.unit.name)}</a>") == 1
        assert f'href="{merger.get_absolute_url()}#milestone-' in entry
    assert page.count(f">{escape(mergers[0].unit.name)}</a>") == 1  # listed nowhere else
    assert "Hoàn thành" in entry or "Completed" in entry


def test_english_page_says_the_span_in_english(client):
    build(3)
    page = client.get("/en/timeline/").content.decode()
    entry = entry_for(page, "Joint Front bloc", "between 30/11/2015 - 27/09/2017")
    assert "between 30/11/2015 - 27/09/2017" in entry
    assert "3 districts:" in entry
    assert "2 entries" in page  # the group and the district completed on a known day


def test_no_day_of_the_span_is_shown_as_a_point_date(client):
    build(3)
    page = client.get("/timeline/").content.decode()
    span_text = in_language("vi", describe, SPAN)
    # The chart names each district's milestone with the span's words too
    # (one <title> per mark): every end of the span is inside them.
    chart = re.search(r"<svg class=\"chart consolidation__chart\".*?</svg>", page, re.S).group(0)
    titles = re.findall(r"<title>([^<]*)</title>", chart)
    assert sum(span_text in title for title in titles) == 3
    assert chart.count("27/09/2017") == chart.count("30/11/2015") == 3
    page = page.replace(chart, "")
    # In the list, each end of the span appears only inside the span's words
    assert page.count("27/09/2017") == page.count("30/11/2015") == page.count(span_text) == 1
    assert 'datetime="2017-09-27"' not in page and 'datetime="2015-11-30"' not in page
    # the day a source does give is a point, and not marked as a span
    (known,) = [entry for entry in entries_of(page) if "07/12/2019" in entry]
    assert '<time datetime="2019-12-07">' in known and "event--span" not in known


def test_an_open_interval_is_a_span_open_on_its_side(client):
    merger = factories.MergerFactory()
    milestone(merger, Status.COMPLETED, "../2017-09-27")
    page = client.get("/timeline/").content.decode()
    (entry,) = entries_of(page)
    assert "event--span event--open-start" in entry
    assert in_language("vi", describe, "../2017-09-27") in entry  # "chậm nhất 27/09/2017"
    assert 'datetime="2017-09-27"' not in entry


def test_paging_counts_entries_after_grouping(client):
    mergers, known = build(3)
    response = client.get("/en/timeline/")
    assert response.context["event_count"] == 2
    entries = [entry for _year, entries in response.context["years"] for entry in entries]
    assert [len(entry.members) for entry in entries] == [3, 0]
    # the strip counts events: the three completions and the known one
    assert dict(response.context["year_counts"]) == {
        2015: dict.fromkeys(timeline.KINDS, 0) | {timeline.MILESTONE: 3},
        2019: dict.fromkeys(timeline.KINDS, 0) | {timeline.MILESTONE: 1},
    }


def test_a_district_filter_narrows_the_group_to_that_district(client):
    mergers, _known = build(3)
    district = mergers[1].unit
    page = client.get(f"/en/timeline/?district={district.slug}").content.decode()
    (entry,) = entries_of(page)
    assert "event--group" not in entry  # one district: an ordinary entry
    assert escape(district.name) in entry and "between 30/11/2015 - 27/09/2017" in entry


def test_other_model_status_or_date_makes_another_entry(client):
    mergers, known = build(2)
    milestone(mergers[0], Status.PLANNED, SPAN)  # other status
    other = factories.MergerFactory(unit=mergers[1].unit)  # other model
    milestone(other, Status.COMPLETED, SPAN)
    milestone(
        factories.MergerFactory(unit=factories.DistrictFactory(), model=mergers[0].model),
        Status.COMPLETED,
        "2015-11-30/2017-09",
    )  # other EDTF
    response = client.get("/en/timeline/")
    entries = [entry for _year, entries in response.context["years"] for entry in entries]
    assert response.context["event_count"] == len(entries) == 5
    assert sorted(len(entry.members) for entry in entries) == [0, 0, 0, 0, 2]


@pytest.mark.parametrize(
    "years,shown",
    [
        ("year_from=2016&year_to=2016", True),  # inside the span, at neither end
        ("year_from=2017&year_to=2018", True),
        ("year_to=2015", True),
        ("year_from=2018", False),
        ("year_to=2014", False),
    ],
)
def test_year_filters_keep_events_whose_span_overlaps_the_years(client, years, shown):
    build(3)
    page = client.get(f"/en/timeline/?{years}").content.decode()
    assert ("3 districts:" in page) is shown


def test_csv_keeps_one_row_per_district_with_the_span(client):
    mergers, known = build(3)
    response = client.get("/en/timeline/?format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row["unit_slug"] for row in rows] == [merger.unit.slug for merger in mergers] + [known.unit.slug]
    for row in rows[:3]:
        assert (row["date"], row["date_edtf"], row["date_earliest"], row["date_latest"]) == (
            "between 30/11/2015 - 27/09/2017",
            SPAN,
            "2015-11-30",
            "2017-09-27",
        )


def test_csv_keeps_one_row_per_district(client):
    mergers, known = build(3)
    response = client.get("/en/timeline/?format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row["unit_slug"] for row in rows] == [merger.unit.slug for merger in mergers] + [known.unit.slug]
    assert {"date", "date_edtf", "date_earliest", "date_latest"} <= set(rows[0])
    assert "date_precision" not in rows[0]


# -- the page's queries do not grow with the data ----------------------------


def open_timeline(client, django_assert_num_queries):
    # the province (scope), the districts of the filter, the merger models of
    # the filter; the keys of each of the 5 kinds (milestones grouped); the
    # page's milestones (groups and single ones in one query) + their sources;
    # the chart: the values of each of the 5 kinds (one query each)
    with django_assert_num_queries(2 + 1 + 5 + 2 + 5):
        response = client.get("/en/timeline/")
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("size", [3, 12])
def test_query_count_does_not_grow_with_the_districts_of_a_group(client, django_assert_num_queries, size):
    mergers, _known = build(size)
    for merger in mergers:
        merger.milestones.first().sources.set([factories.SourceFactory(published_on_edtf="2017-09-28")])
    for index in range(size):  # and as many single entries
        milestone(factories.MergerFactory(), Status.PLANNED, f"2014-{index + 1:02d}")
    response = open_timeline(client, django_assert_num_queries)
    assert response.context["event_count"] == 2 + size
    group = next(entry for _y, entries in response.context["years"] for entry in entries if entry.members)
    assert len(group.members) == size and len(group.sources) == size


def test_a_period_comes_before_the_days_within_it():
    merger = factories.MergerFactory()
    day = milestone(merger, Status.IN_PROGRESS, "2018-01-01")
    early = milestone(merger, Status.COMPLETED, "2018-37")
    year = milestone(factories.MergerFactory(), Status.COMPLETED, "2018")
    open_end = milestone(factories.MergerFactory(), Status.PLANNED, "2018/..")
    keys = timeline.event_keys({})
    assert [key.record_id for key in keys] == [open_end.pk, year.pk, early.pk, day.pk]
    assert [event.record_id for event in timeline.build_events({})] == [open_end.pk, year.pk, early.pk, day.pk]
