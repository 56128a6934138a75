"""The timeline's FilterSet filters (issue 14): applied to the records of any
kind of event it keeps those the page lists, through each model's QuerySet,
so the page, its chart and its file read one set of rules."""

import csv
import io

import pytest
from django.db.models import Q
from django.http import QueryDict

from agencies.models import Event as ReportedEvent
from agencies.models import Holding, LegalDocument, UnitChange
from mergers.models import Milestone
from portal import timeline
from portal.filters import INVALID, Choices
from portal.timeline import TimelineFilter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seed_shared")]

UNIT_KINDS = [Milestone, UnitChange, Holding, ReportedEvent]


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def filtered(model, params, province=None):
    return TimelineFilter(QueryDict(params), model.objects.all(), choices=Choices(province)).qs


def uong_bi_documents():
    """The documents that are the legal basis of a merger, milestone or unit
    change in Uông Bí (the rule the timeline states for a district filter)."""
    return LegalDocument.objects.filter(
        Q(mergers__unit__district__slug="uong-bi")
        | Q(milestones__merger__unit__district__slug="uong-bi")
        | Q(unit_changes__unit__district__slug="uong-bi")
    ).distinct()


@pytest.mark.parametrize("model", UNIT_KINDS, ids=lambda model: model.__name__)
def test_the_district_filter_keeps_only_that_districts_records_of_any_kind(model):
    uong_bi = model.objects.filter(**{f"{model.district_path}__slug": "uong-bi"})
    assert uong_bi.exists() and model.objects.exclude(pk__in=uong_bi).exists()  # the filter has work to do
    assert set(filtered(model, "district=uong-bi")) == set(uong_bi)


def test_the_district_filter_keeps_the_documents_behind_that_districts_records():
    expected = set(uong_bi_documents())
    assert expected and LegalDocument.objects.exclude(pk__in=[d.pk for d in expected]).exists()
    assert set(filtered(LegalDocument, "district=uong-bi")) == expected


def test_a_model_filter_keeps_no_record_of_a_kind_without_merger_models():
    assert Holding.objects.exists() and not filtered(Holding, "model=to-chuc-noi-vu").exists()
    milestones = filtered(Milestone, "model=to-chuc-noi-vu")
    assert milestones.exists()
    assert {milestone.merger.model.slug for milestone in milestones} == {"to-chuc-noi-vu"}


def test_a_kind_filter_keeps_only_that_kinds_records():
    assert filtered(Holding, "kind=title").count() == Holding.objects.count()
    assert not filtered(Milestone, "kind=title").exists()


def test_the_years_keep_records_whose_date_may_fall_within_them():
    kept = filtered(Milestone, "year_from=2019&year_to=2019")
    assert kept.exists() and kept.count() < Milestone.objects.count()
    for milestone in kept:
        assert (milestone.date is None or milestone.date.year <= 2019) and (
            milestone.date_latest is None or milestone.date_latest.year >= 2019
        )


def dated(model, rows):
    """The rows that give one of the dates their kind is filed under."""
    spec = next(spec for spec in timeline.EVENT_KINDS.values() if spec.model is model)
    given = Q()
    for name in spec.dates:
        given |= ~Q(**{f"{name}_edtf": ""})
    return rows.filter(given)


def test_the_district_page_and_its_file_list_only_that_districts_events_and_documents(client):
    expected = {(timeline.DOCUMENT, document.pk) for document in dated(LegalDocument, uong_bi_documents())}
    for kind, spec in timeline.EVENT_KINDS.items():
        if spec.model in UNIT_KINDS:
            rows = spec.model.objects.filter(**{f"{spec.model.district_path}__slug": "uong-bi"})
            expected |= {(kind, pk) for pk in dated(spec.model, rows).values_list("pk", flat=True)}
    assert {kind for kind, _pk in expected} >= {timeline.DOCUMENT, timeline.MILESTONE, timeline.TITLE}

    listed = {
        (row["kind"], int(row["record_id"]))
        for row in csv_rows(client.get("/en/timeline/?district=uong-bi&format=csv"))
    }
    assert listed == expected

    response = client.get("/en/timeline/?district=uong-bi")
    assert response.context["page_obj"].paginator.num_pages == 1
    entries = [entry for _year, entries in response.context["years"] for entry in entries]
    assert {(event.kind, event.record_id) for entry in entries for event in (entry.members or [entry])} == expected


def test_an_invalid_filter_shows_the_notice_and_no_event(client):
    response = client.get("/en/timeline/?district=no-such-district")
    assert response.status_code == 200
    assert str(INVALID) in [str(notice) for notice in response.context["page_notices"]]
    assert response.context["event_count"] == 0
