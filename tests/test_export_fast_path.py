"""The export's fast path (values_list rows, no model instances) writes exactly
what the instance path writes, for every report, on real and synthetic data,
in a number of queries set by the chunks, not by the rows."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal import exports

pytestmark = pytest.mark.usefixtures("seed_shared")


@pytest.fixture(scope="module")
def nation_loaded(seeded, django_db_blocker):
    """A nationwide synthetic data set on the seed, generated once for the
    module into the shared seed's transaction (it takes tens of seconds)."""
    with django_db_blocker.unblock():
        call_command("generate_synthetic", scale=0.01, seed=5, verbosity=0)


@pytest.fixture
def nation(nation_loaded, seed_shared):
    """The seed and the synthetic data set; each test's changes roll back."""


def _csv(report, rows):
    return "".join(exports.generate_lines(report, rows))


def _nationwide_rows(report):
    return exports.rows_for(report, {"province": "all"})


FAST_REPORTS = [
    name
    for name, report in exports.REPORTS.items()
    if exports.reads_values(report) and exports.EXPORT_SOURCES[name].build is None
]


def test_the_fast_path_serves_the_large_reports():
    assert {"bodies", "mergers", "milestones", "headcount", "headcount_long", "titles", "districts"} <= set(
        FAST_REPORTS
    )
    assert "figures" not in FAST_REPORTS  # reads ReportedFigure.computed, a property


@pytest.mark.parametrize("report", FAST_REPORTS)
def test_fast_path_writes_what_the_instance_path_writes(nation, monkeypatch, report):
    fast = _csv(report, _nationwide_rows(report))
    monkeypatch.setattr(exports, "reads_values", lambda report: False)
    slow = _csv(report, _nationwide_rows(report))
    assert fast == slow
    assert fast.count("\n") > 10  # more than a header


def test_fast_path_lists_many_to_many_values_sorted_and_complete(nation):
    from agencies.models import Body

    body = Body.objects.filter(sources__isnull=False).order_by("pk").first()
    text = _csv("bodies", Body.objects.filter(pk=body.pk))
    import csv
    import io

    header, row = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[:2]
    assert row[header.index("source_ids")] == ";".join(sorted(body.sources.values_list("slug", flat=True)))


def test_fast_path_queries_grow_with_chunks_not_rows(nation, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 200)
    monkeypatch.setattr(exports, "RELATION_BATCH", 200)
    rows = _nationwide_rows("bodies")
    count = rows.count()
    assert count > 1000
    with CaptureQueriesContext(connection) as queries:
        text = _csv("bodies", rows)
    assert text.count("\n") == count + 1
    chunks = -(-count // 200)
    # One values query (fetched in chunks) + per chunk one query on the
    # body-sources table and at most one for source slugs not seen before.
    assert len(queries) <= 1 + 2 * (chunks + 1), len(queries)
