"""The timeline page builds the entries of the page it shows, and no other.

It still shows, counts and exports exactly what building every event gives:
each test compares with `events_the_old_way`, the algorithm the page used
before (every kind's filtered rows turned into Events, then sorted), and the
page with `entries_the_old_way`, those events with the milestones of one
merger model, status and date grouped into one entry, on the seed plus a
nationwide synthetic data set.
"""

import datetime

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models.signals import post_init
from django.utils import translation
from django.utils.html import escape

from agencies.models import Event as ReportedEvent
from agencies.models import Holding, LegalDocument, UnitChange
from mergers.models import Milestone, Status
from portal import exports, timeline
from portal.pages.timeline import Timeline
from tests import factories, seeding

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("nationwide")]

ALL = "/en/timeline/?province=all"
PAGE_SIZE = Timeline.paginate_by

# Filters as the view passes them (province None: nationwide).
FILTER_SETS = [
    {"province": None},
    {"province": None, "kind": timeline.TITLE},
    {"province": None, "kind": timeline.DOCUMENT, "year_from": 2019},
    {"province": None, "year_from": 2018, "year_to": 2019},
    {"province": None, "q": "ha"},
    {"province": None, "model": "to-chuc-noi-vu"},
    {"province": None, "district": "uong-bi"},
]


@pytest.fixture(scope="module")
def nationwide(django_db_setup, django_db_blocker):
    """The seed and `generate_synthetic --scale 0.01` (several hundred events,
    several pages), loaded once for the module in a transaction rolled back at
    its end; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        seeding.load_seed()
        call_command("generate_synthetic", scale=0.01, seed=3, verbosity=0)
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def events_the_old_way(filters):
    """Every kind's filtered rows built into Events, then sorted: what the page
    and the CSV did before the page paginated keys."""
    events = []
    for kind in timeline.kinds_for(filters):
        spec = timeline.EVENT_KINDS[kind]
        events.extend(spec.events(spec.rows(filters)))
    return sorted(events, key=lambda event: event.sort_key)


def group_key(event):
    """Milestones of one merger model, status and EDTF make one entry."""
    if event.kind == timeline.MILESTONE and event.model is not None:
        return (event.model.pk, event.status, event.edtf)
    return (event.kind, event.record_id)


def entries_the_old_way(filters):
    """The timeline's entries, as summaries (see `summary`), in order: the
    events of `events_the_old_way`, each group in place of its first member."""
    events = events_the_old_way(filters)
    groups = {}
    for event in events:
        groups.setdefault(group_key(event), []).append(event)
    entries = []
    for event in events:
        members = groups.pop(group_key(event), None)
        if members is None:
            continue  # a later member of a group already listed
        if len(members) == 1:
            entries.append(summary(event))
        else:
            entries.append(
                (
                    event.sort_key,
                    event.edtf,
                    event.model.name,
                    event.model.get_absolute_url(),
                    event.status,
                    None,
                    sorted(member.record_id for member in members),
                )
            )
    return entries


def summary(entry):
    """What tells two entries apart: the place in the list, the date, what
    the title says and links to, the status, the unit and a group's members."""
    return (
        entry.sort_key,
        entry.edtf,
        entry.title,
        entry.url,
        entry.status,
        entry.unit.pk if entry.unit else None,
        sorted(member.record_id for member in entry.members),
    )


def counts_the_old_way(events):
    """The year strip's counts (events per year of their sort day), from Events."""
    counts = {}
    for event in events:
        per_kind = counts.setdefault(event.year, dict.fromkeys(timeline.KINDS, 0))
        per_kind[event.kind] += 1
    return counts


def page_events(response):
    assert response.status_code == 200
    return [event for _year, events in response.context["years"] for event in events]


def page_entries(response):
    return [summary(entry) for entry in page_events(response)]


@pytest.fixture
def reference():
    """All entries nationwide, built the old way, in English as on /en/ pages."""
    with translation.override("en"):
        return entries_the_old_way({"province": None})


@pytest.fixture
def all_events():
    with translation.override("en"):
        return events_the_old_way({"province": None})


# -- the page ----------------------------------------------------------------


def test_each_page_shows_its_slice_of_every_entry(client, reference, all_events):
    assert len(reference) > 3 * PAGE_SIZE  # enough data for the pages below to differ
    assert any(entry[-1] for entry in reference)  # and groups among them
    last = (len(reference) - 1) // PAGE_SIZE + 1
    for number in (1, 2, last):
        response = client.get(f"{ALL}&page={number}")
        start = (number - 1) * PAGE_SIZE
        assert page_entries(response) == reference[start : start + PAGE_SIZE], number
        assert response.context["event_count"] == len(reference)
        assert dict(response.context["year_counts"]) == counts_the_old_way(all_events)


def test_page_html_lists_the_titles_and_links_of_its_slice_in_order(client, reference):
    page = client.get(f"{ALL}&page=2").content.decode()
    position = 0
    for _key, _edtf, title, url, *_rest in reference[PAGE_SIZE : 2 * PAGE_SIZE]:
        position = page.index(f'href="{url}">{escape(title)}</a>', position) + 1
    assert page.count('class="event__title"') == PAGE_SIZE
    assert f"{len(reference)} entries" in page


@pytest.mark.parametrize(
    "page,shown", [("abc", "first"), ("", "first"), ("99999", "last"), ("-1", "last"), ("0", "last")]
)
def test_a_garbage_or_out_of_range_page_still_shows_a_page(client, reference, page, shown):
    response = client.get(f"{ALL}&page={page}")
    page_obj = response.context["page_obj"]
    expected = 1 if shown == "first" else page_obj.paginator.num_pages
    assert page_obj.number == expected
    start = (expected - 1) * PAGE_SIZE
    assert page_entries(response) == reference[start : start + PAGE_SIZE]


def test_an_empty_selection_shows_no_event(client):
    response = client.get(f"{ALL}&q=no-such-thing-anywhere")
    assert response.context["event_count"] == 0 and page_events(response) == []
    assert "No event matches these filters." in response.content.decode()


# -- only one page of Events is built ----------------------------------------


@pytest.fixture
def built(monkeypatch):
    """Counts the Events constructed and the event records instantiated."""
    counts = {"events": 0, "records": 0}

    class CountedEvent(timeline.Event):
        def __init__(self, *args, **kwargs):
            counts["events"] += 1
            super().__init__(*args, **kwargs)

    def record_loaded(sender, **kwargs):
        if sender in (Milestone, LegalDocument, UnitChange, Holding, ReportedEvent):
            counts["records"] += 1

    monkeypatch.setattr(timeline, "Event", CountedEvent)
    post_init.connect(record_loaded, weak=False)
    yield counts
    post_init.disconnect(record_loaded)


def open_page(client, built, url):
    """(entries in the selection, entries shown, Events built, records
    loaded, events the entries shown stand for, groups among them)."""
    built.update(events=0, records=0)
    response = client.get(url)
    entries = page_events(response)
    standing_for = sum(len(entry.members) or 1 for entry in entries)
    groups = sum(1 for entry in entries if entry.members)
    return response.context["event_count"], len(entries), built["events"], built["records"], standing_for, groups


def test_only_the_page_shown_is_built_whatever_the_amount_of_data(client, built):
    quang_ninh = open_page(client, built, "/en/timeline/")
    nationwide = open_page(client, built, ALL)
    merger = factories.MergerFactory(unit=factories.DistrictFactory(gso_code="99902"))
    for day in range(300):  # a larger data set: as many entries, one milestone each
        Milestone.objects.create(
            merger=merger,
            status=Status.IN_PROGRESS,
            date_edtf=(datetime.date(2016, 1, 1) + datetime.timedelta(days=day)).isoformat(),
        )
    larger = open_page(client, built, ALL)
    for total, shown, events, records, standing_for, groups in (quang_ninh, nationwide, larger):
        # a group's Event is built besides one per member
        assert shown == min(total, PAGE_SIZE) and records == standing_for and events == records + groups
    assert quang_ninh[-1] > 0  # the seed's districts make groups
    assert quang_ninh[0] < PAGE_SIZE < nationwide[0] < larger[0] == nationwide[0] + 300
    total, shown, events, records, standing_for, groups = open_page(client, built, f"{ALL}&page=99999")
    assert shown == total - (total - 1) // PAGE_SIZE * PAGE_SIZE
    assert records == standing_for and events == records + groups


# -- the CSV and build_events: every event, as before ------------------------


@pytest.mark.parametrize("chunk", [None, 37])
def test_csv_is_the_one_the_old_way_gave(client, monkeypatch, chunk):
    if chunk:  # chunk boundaries inside the data set, as 2,000 are at scale
        monkeypatch.setattr(timeline, "LOAD_CHUNK", chunk)
    with translation.override("en"):
        # The page's file writes its links as absolute addresses.
        expected = "".join(
            exports.generate_lines("timeline", events_the_old_way({"province": None}), base_url="http://testserver")
        )
    response = client.get(f"{ALL}&format=csv")
    assert b"".join(response.streaming_content) == expected.encode("utf-8")


@pytest.mark.parametrize("filters", FILTER_SETS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()))
def test_build_events_and_keys_match_the_old_way(monkeypatch, filters):
    monkeypatch.setattr(timeline, "LOAD_CHUNK", 50)
    expected = events_the_old_way(filters)
    assert timeline.build_events(filters) == expected
    assert [key.sort_key for key in timeline.record_keys(filters)] == [event.sort_key for event in expected]
    keys = timeline.event_keys(filters)
    entries = entries_the_old_way(filters)
    assert [key.sort_key for key in keys] == [entry[0] for entry in entries]
    assert [summary(entry) for entry in timeline.load_events(keys)] == entries
    assert timeline.year_counts(keys) == counts_the_old_way(expected)


def sort_keys(filters):
    return [key.sort_key for key in timeline.event_keys(filters)]


def test_keys_file_documents_and_holdings_under_the_same_date_as_their_events():
    district = factories.DistrictFactory(slug="huyen-ngay", gso_code="99901")
    effective_only = factories.LegalDocumentFactory(signed_on=None, effective_on=datetime.date(2031, 3, 1))
    started = factories.HoldingFactory(
        unit=district, start_date=datetime.date(2031, 2, 1), reported_on=datetime.date(2031, 4, 1)
    )
    reported = factories.HoldingFactory(unit=district, start_date_edtf="", reported_on_edtf="../2031-05-20")
    for filters in ({}, {"year_from": 2031, "year_to": 2031}):
        keys = [(key.day, key.kind, key.record_id) for key in timeline.event_keys(filters)]
        assert (datetime.date(2031, 3, 1), timeline.DOCUMENT, effective_only.pk) in keys
        assert (datetime.date(2031, 2, 1), timeline.TITLE, started.pk) in keys
        # no earliest day: filed under the latest
        assert (datetime.date(2031, 5, 20), timeline.TITLE, reported.pk) in keys
    assert sort_keys({"year_from": 2031, "year_to": 2031}) == [
        event.sort_key for event in events_the_old_way({"year_from": 2031, "year_to": 2031})
    ]


def test_load_events_keeps_the_key_order_and_skips_deleted_records():
    keys = timeline.event_keys({"province": None})[:400]
    gone = next(key for key in keys if key.size == 1)
    timeline.EVENT_KINDS[gone.kind].model.objects.filter(pk=gone.record_id).delete()
    group = next(key for key in keys if key.size > 2)
    member = (
        Milestone.objects.filter(merger__model_id=group.group[0], status=group.group[1], date_edtf=group.group[2])
        .exclude(pk=group.record_id)
        .first()
    )
    member.delete()
    events = timeline.load_events(list(reversed(keys)))
    assert [event.sort_key for event in events] == [key.sort_key for key in reversed(keys) if key != gone]
    regrouped = next(event for event in events if event.sort_key == group.sort_key)
    assert len(regrouped.members) == group.size - 1
    assert member.pk not in [m.record_id for m in regrouped.members]
