"""CSV exports: what an analyst opening the file in Excel sees."""

import csv
import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from agencies.models import Body, Holding, LegalDocument
from mergers.models import Headcount, Merger, Milestone, ReportedFigure
from portal import exports, pages
from portal.management.commands.export import Command as ExportCommand
from tests import factories

BOM = b"\xef\xbb\xbf"


def parse(content):
    """(header, rows as dicts) of a CSV body (bytes, with BOM)."""
    text = content.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    return header, [dict(zip(header, row)) for row in reader]


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("text/csv")
    return b"".join(response.streaming_content), response


@pytest.fixture
def data(db):
    """Two districts of one province, with mergers, milestones, headcount and titles."""
    province = factories.ProvinceFactory()
    source = factories.SourceFactory(slug="bao-quang-ninh-1", title="Hợp nhất các cơ quan tham mưu")
    ha_long = factories.DistrictFactory(gso_code="193", slug="ha-long", name_vi="Thành phố Hạ Long", parent=province)
    uong_bi = factories.DistrictFactory(gso_code="196", slug="uong-bi", name_vi="Thành phố Uông Bí", parent=province)
    merger = factories.MergerFactory(unit=ha_long, title_vi="Hợp nhất Ban Tổ chức và Phòng Nội vụ")
    merger.sources.add(source)
    factories.MilestoneFactory(merger=merger, status="in_progress", date_edtf="2018")
    factories.MilestoneFactory(merger=merger, status="completed", date_edtf="2019-03-05")
    factories.HeadcountFactory(merger=merger, phase="before", value=20)
    factories.HeadcountFactory(merger=merger, phase="after", value=15)
    other = factories.MergerFactory(unit=uong_bi)
    factories.MilestoneFactory(merger=other, status="planned", date_edtf="2017-06")
    factories.HoldingFactory(unit=ha_long)
    factories.HoldingFactory(unit=uong_bi)
    factories.LegalDocumentFactory(number="44-QĐ/TU", title_vi="Quyết định về hợp nhất")
    factories.ReportedFigureFactory(unit=province, statement_vi="3 trên 14 địa phương")
    return {"province": province, "ha_long": ha_long, "uong_bi": uong_bi, "merger": merger, "source": source}


def ids(rows, column="id"):
    return [int(row[column]) for row in rows]


# -- every report: the rows of the screen, the columns of the dictionary -------

LIST_CASES = [
    # (report, url, expected ids as the page filters them, id column)
    (
        "mergers",
        "/mergers/?format=csv&district=ha-long",
        lambda d: list(Merger.objects.filter(unit=d["ha_long"]).order_by("slug").values_list("pk", flat=True)),
        "id",
    ),
    (
        "bodies",
        "/bodies/?format=csv&district=uong-bi",
        lambda d: list(Body.objects.filter(unit=d["uong_bi"]).order_by("name_vi").values_list("pk", flat=True)),
        "id",
    ),
    (
        "milestones",
        "/milestones/?format=csv&district=ha-long",
        lambda d: list(
            Milestone.objects.filter(merger__unit=d["ha_long"]).order_by("date").values_list("pk", flat=True)
        ),
        "id",
    ),
    ("headcount", "/headcount/?format=csv&district=ha-long", lambda d: [d["merger"].pk], "merger_id"),
    (
        "headcount_long",
        "/headcount/?format=csv&layout=long",
        lambda d: list(Headcount.objects.order_by("phase").values_list("pk", flat=True)),
        "id",
    ),
    (
        "titles",
        "/titles/?format=csv&district=uong-bi",
        lambda d: list(Holding.objects.filter(unit=d["uong_bi"]).values_list("pk", flat=True)),
        "id",
    ),
    ("figures", "/figures/?format=csv", lambda d: list(ReportedFigure.objects.values_list("pk", flat=True)), "id"),
    ("districts", "/districts/?format=csv", lambda d: [d["ha_long"].pk, d["uong_bi"].pk], "id"),
    ("sources", "/sources/?format=csv&q=hop nhat", lambda d: [d["source"].pk], "id"),
    (
        "documents",
        "/documents/?format=csv&q=44-qd",
        lambda d: list(LegalDocument.objects.filter(number="44-QĐ/TU").values_list("pk", flat=True)),
        "id",
    ),
]


@pytest.mark.parametrize("report,url,expected,column", LIST_CASES, ids=[c[0] for c in LIST_CASES])
def test_csv_rows_are_the_filtered_rows_of_the_page(client, data, report, url, expected, column):
    content, _response = download(client, url)
    header, rows = parse(content)
    assert header == pages.REPORTS[report].column_names
    assert ids(rows, column) == expected(data)
    assert rows, "the case must export at least one row to mean anything"


def test_timeline_csv_lists_the_district_events_only(client, data):
    content, _response = download(client, "/timeline/?format=csv&district=ha-long&kind=milestone")
    header, rows = parse(content)
    assert header == pages.REPORTS["timeline"].column_names
    expected = Milestone.objects.filter(merger__unit=data["ha_long"]).order_by("date")
    assert [(r["kind"], int(r["record_id"])) for r in rows] == [("milestone", m.pk) for m in expected]
    assert [(r["date_edtf"], r["date_earliest"], r["date_latest"]) for r in rows] == [
        ("2018", "2018-01-01", "2018-12-31"),
        ("2019-03-05", "2019-03-05", "2019-03-05"),
    ]


# A status as of the day and the possible one, in the dashboard's columns.
STATUS_COLUMNS = [
    "status",
    "status_date",
    "status_date_edtf",
    "status_date_earliest",
    "status_date_latest",
    "possible_status",
    "possible_status_date",
    "possible_status_date_edtf",
    "possible_status_date_earliest",
    "possible_status_date_latest",
]


def test_dashboard_csv_has_exactly_the_agreed_columns_and_the_status_as_of(client, data):
    content, response = download(client, "/en/?format=csv&as_of=2018-12-31")
    header, rows = parse(content)
    assert header == [
        "district_gso_code",
        "district",
        "merger_model",
        "merger_model_name",
        *STATUS_COLUMNS,
        "source_ids",
    ]
    by_district = {(r["district_gso_code"], r["merger_model"]): r for r in rows}
    model = data["merger"].model.slug
    row = by_district[("193", model)]
    # The model's name, not only its code: what an analyst reads in Excel.
    assert row["merger_model_name"] == data["merger"].model.name_vi
    assert (row["status"], row["status_date"], row["status_date_edtf"]) == ("in_progress", "2018", "2018")
    assert (row["status_date_earliest"], row["status_date_latest"]) == ("2018-01-01", "2018-12-31")
    # The province makes no district-level merger: not applicable, which is
    # not the same as a district where nothing is recorded yet.
    assert by_district[("22", model)]["status"] == "not_applicable"
    assert by_district[("22", model)]["status_date"] == ""
    other_model = data["uong_bi"].mergers.get().model.slug
    assert by_district[("193", other_model)]["status"] == "none"
    assert 'filename="qnmerge-dashboard-asof-2018-12-31-' in response["Content-Disposition"]


def test_dashboard_csv_never_claims_a_status_its_interval_does_not_reach(client, data):
    """On 30/06/2018 a milestone dated "2018" may or may not have happened: the
    status is the last one known for certain, the milestone a possibility."""
    content, _response = download(client, "/en/?format=csv&as_of=2018-06-30")
    _header, rows = parse(content)
    row = {(r["district_gso_code"], r["merger_model"]): r for r in rows}[("193", data["merger"].model.slug)]
    assert (row["status"], row["status_date"]) == ("none", "")
    assert (row["possible_status"], row["possible_status_date"], row["possible_status_date_latest"]) == (
        "in_progress",
        "2018",
        "2018-12-31",
    )


def test_mergers_csv_gives_the_possible_status_beside_the_status_as_the_dashboard_does(client, data):
    """On 30/06/2018 Hạ Long's merger is only possibly in progress (its
    milestone says "2018"): the list's file says so in the dashboard's columns."""
    content, _response = download(client, "/en/mergers/?format=csv&district=ha-long&as_of=2018-06-30")
    header, rows = parse(content)
    status_columns = STATUS_COLUMNS
    start = header.index("status")
    assert header[start : start + len(status_columns)] == status_columns
    dashboard = pages.REPORTS["dashboard"].column_names
    assert dashboard[dashboard.index("status") :][: len(status_columns)] == status_columns
    row = rows[0]
    assert (row["status"], row["status_date"]) == ("none", "")
    assert [row[c] for c in status_columns[5:]] == ["in_progress", "2018", "2018", "2018-01-01", "2018-12-31"]
    # Once the milestone's latest day has passed, nothing is only possible.
    content, _response = download(client, "/en/mergers/?format=csv&district=ha-long&as_of=2018-12-31")
    _header, rows = parse(content)
    assert [rows[0][c] for c in status_columns[5:]] == ["", "", "", "", ""]


def test_every_report_header_is_its_data_dictionary_entry(client, data):
    page = client.get("/en/data/")
    assert page.status_code == 200
    html = page.content.decode()
    request = RequestFactory().get("/")
    for report in pages.REPORTS.values():
        content = b"".join(exports.export_response(request, report.name, []).streaming_content)
        header, rows = parse(content)
        assert header == report.column_names
        assert rows == []
        assert f'id="report-{report.name}"' in html
        section = html.split(f'id="report-{report.name}"', 1)[1].split("<section", 1)[0]
        assert [c.name for c in report.columns] == re.findall(r'<th scope="row"><code>([a-z0-9_]+)</code>', section)
    assert "Download CSV" in html


def test_data_dictionary_links_every_export(client, db):
    import html as html_lib

    html = client.get("/data/").content.decode()
    for _report, url in pages.files():
        assert f'href="{url}"' in html_lib.unescape(html)
    assert 'href="/headcount/?format=csv&amp;layout=long"' in html


# -- Excel-ready cells -------------------------------------------------------


def test_file_starts_with_bom_and_keeps_vietnamese(client, data):
    content, _response = download(client, "/mergers/?format=csv&district=ha-long")
    assert content.startswith(BOM)
    _header, rows = parse(content)
    assert rows[0]["unit_name"] == "Thành phố Hạ Long"
    assert rows[0]["title_vi"] == "Hợp nhất Ban Tổ chức và Phòng Nội vụ"
    assert rows[0]["source_ids"] == "bao-quang-ninh-1"


def test_numbers_dates_and_booleans_are_plain(client, data):
    content, _response = download(client, "/mergers/?format=csv&district=ha-long&as_of=2019-12-31")
    _header, rows = parse(content)
    row = rows[0]
    assert (row["headcount_before"], row["headcount_after"], row["headcount_change"]) == ("20", "15", "-5")
    assert (row["status"], row["status_date_edtf"], row["status_date_earliest"]) == (
        "completed",
        "2019-03-05",
        "2019-03-05",
    )
    content, _response = download(client, "/headcount/?format=csv&district=ha-long")
    _header, rows = parse(content)
    assert rows[0]["headcount_change"] == "-5"
    assert rows[0]["headcount_change_percent"] == "-25"
    content, _response = download(client, "/bodies/?format=csv&district=ha-long")
    _header, rows = parse(content)
    assert {row["is_closed"] for row in rows} == {"false"}


def test_status_as_of_an_earlier_date_follows_the_as_of(client, data):
    content, response = download(client, "/mergers/?format=csv&district=ha-long&as_of=2018-12-31")
    _header, rows = parse(content)
    assert (rows[0]["status"], rows[0]["status_date_edtf"], rows[0]["status_date_latest"]) == (
        "in_progress",
        "2018",
        "2018-12-31",
    )
    assert re.search(r'filename="qnmerge-mergers-asof-2018-12-31-\d{8}T\d{6}\.csv"', response["Content-Disposition"])


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"])
def test_formula_like_text_is_neutralised(client, data, dangerous):
    body = factories.BodyFactory(unit=data["ha_long"], name_vi=dangerous)
    content, _response = download(client, "/bodies/?format=csv&district=ha-long")
    _header, rows = parse(content)
    (row,) = [r for r in rows if int(r["id"]) == body.pk]
    assert row["name_vi"] == "'" + dangerous


def test_format_cell_keeps_negative_numbers_as_numbers():
    assert exports.format_cell(-5) == "-5"
    assert exports.format_cell("-5") == "'-5"
    assert exports.format_cell(True) == "true"
    assert exports.format_cell(None) == ""
    assert exports.format_cell(datetime.date(2015, 11, 30)) == "2015-11-30"
    import decimal

    assert exports.format_cell(decimal.Decimal("99.80")) == "99.8"
    assert exports.format_cell(decimal.Decimal("14.00")) == "14"


def test_filename_without_as_of(client, data):
    _content, response = download(client, "/sources/?format=csv")
    assert re.fullmatch(r'attachment; filename="qnmerge-sources-\d{8}T\d{6}\.csv"', response["Content-Disposition"])


def test_unknown_report_is_refused():
    with pytest.raises(ValueError, match="Unknown report"):
        exports.export_response(RequestFactory().get("/"), "nope", [])


# -- the seed: the dashboard on 27/09/2017 -------------------------------------


def test_seed_dashboard_on_2017_09_27_has_12_completed_front_bloc_districts(client, seed):
    content, _response = download(client, "/?format=csv&as_of=2017-09-27")
    _header, rows = parse(content)
    completed = [r for r in rows if r["merger_model"] == "khoi-mttq" and r["status"] == "completed"]
    assert len(completed) == 12
    assert all(
        r["status_date"] and r["status_date_edtf"] and r["status_date_latest"] and r["source_ids"] for r in completed
    )
    assert any("Hạ Long" in r["district"] or "Uông Bí" in r["district"] for r in rows)


# -- the export command: the same file as the page ------------------------------


def test_export_command_writes_the_same_rows_as_the_page(client, data, tmp_path):
    target = tmp_path / "mergers.csv"
    call_command(ExportCommand(), "mergers", "--filter", "district=ha-long", "--as-of", "2018-06-30", "-o", str(target))
    page, _response = download(client, "/mergers/?format=csv&district=ha-long&as_of=2018-06-30")
    assert target.read_bytes() == page
    assert target.read_bytes().startswith(BOM)


@pytest.mark.parametrize(
    "report,url",
    [
        ("milestones", "/milestones/?format=csv&district=ha-long&status=completed"),
        ("bodies", "/bodies/?format=csv&province=all"),
        ("headcount_long", "/headcount/?format=csv&layout=long"),
        ("timeline", "/timeline/?format=csv&district=ha-long"),
        ("dashboard", "/?format=csv&as_of=2018-06-30"),
    ],
)
def test_export_command_matches_each_page(client, data, tmp_path, report, url):
    query = url.split("?", 1)[1]
    args = [report]
    for pair in query.split("&"):
        key, value = pair.split("=", 1)
        if key == "format" or key == "layout":
            continue
        if key == "as_of":
            args += ["--as-of", value]
        else:
            args += ["--filter", f"{key}={value}"]
    target = tmp_path / "out.csv"
    call_command(ExportCommand(), *args, "-o", str(target), "--base-url", "http://testserver")
    page, _response = download(client, url)
    assert parse(target.read_bytes()) == parse(page)


@pytest.mark.parametrize("report", list(pages.DOWNLOADS))
def test_export_command_writes_every_file_of_the_registry(client, data, tmp_path, report):
    """Each file a list page offers, the wide dashboard included, is written
    by `manage.py export` as the page gives it."""
    page, offered = pages.DOWNLOADS[report]
    target = tmp_path / "out.csv"
    call_command(ExportCommand(), report, "--as-of", "2019-12-31", "-o", str(target), "--base-url", "http://testserver")
    layout = f"&layout={offered.layout}" if offered.layout else ""
    url = f"/{page.route}?format=csv&as_of=2019-12-31{layout}"
    on_page, _response = download(client, url)
    assert parse(target.read_bytes()) == parse(on_page)


@pytest.mark.parametrize(
    "args,message",
    [
        (["nope"], "Unknown report 'nope'"),
        (["mergers", "--filter", "colour=red"], "Unknown filter colour"),
        (["mergers", "--filter", "status=bogus"], "status"),
        (["mergers", "--filter", "nonsense"], "is not KEY=VALUE"),
        (["mergers", "--as-of", "2018-02-31"], "is not a date"),
        (["bodies", "--filter", "province=atlantis"], "Unknown province"),
    ],
)
def test_export_command_refuses_unknown_reports_and_filters(data, tmp_path, args, message):
    target = tmp_path / "out.csv"
    with pytest.raises(CommandError, match=message):
        call_command(ExportCommand(), *args, "-o", str(target))
    assert not target.exists()


# -- streaming: memory stays flat ------------------------------------------------


def _peak_export_memory(count, merger_count=20):
    """(peak traced bytes, bytes sent) while streaming `count` milestones to nowhere."""
    import tracemalloc

    mergers = [factories.MergerFactory() for _ in range(merger_count)]
    start = datetime.date(1900, 1, 1)
    per_merger = count // merger_count
    Milestone.objects.bulk_create(
        [
            Milestone(
                merger=merger,
                status="completed",
                date=start + datetime.timedelta(days=i),
                date_latest=start + datetime.timedelta(days=i),
                date_edtf=(start + datetime.timedelta(days=i)).isoformat(),
            )
            for merger in mergers
            for i in range(per_merger)
        ],
        batch_size=5000,
    )
    rows = Milestone.objects.filter(merger__in=mergers)
    response = exports.export_response(RequestFactory().get("/"), "milestones", rows)
    tracemalloc.start()
    try:
        size = lines = 0
        for piece in response.streaming_content:
            size += len(piece)
            lines += piece.count(b"\n")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lines == count + 1
    return peak, size


@pytest.mark.django_db
def test_streaming_memory_stays_flat_when_rows_grow_tenfold(monkeypatch):
    # Small chunks keep this in the default run (about 20 s); the chunking is
    # the same as with the real 2,000-row chunks.
    monkeypatch.setattr(exports, "CHUNK_SIZE", 250)
    small_peak, small_size = _peak_export_memory(1_000)
    large_peak, large_size = _peak_export_memory(10_000)
    assert large_size > 9 * small_size  # ten times the rows really went out
    assert large_peak < 2 * small_peak, (small_peak, large_peak)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.skipif(
    not __import__("os").environ.get("QNMERGE_SLOW_TESTS"),
    reason="about 8 minutes under tracemalloc; run with QNMERGE_SLOW_TESTS=1",
)
def test_streaming_memory_stays_flat_from_20k_to_200k_milestones():
    small_peak, small_size = _peak_export_memory(20_000, merger_count=50)
    large_peak, large_size = _peak_export_memory(200_000, merger_count=50)
    assert large_size > 9 * small_size
    # Chunked reads: the peak is set by one chunk (2,000 rows), not by the table.
    assert large_peak < 2 * small_peak, (small_peak, large_peak)


def test_manage_py_export_is_the_portal_command():
    from django.core.management import get_commands

    assert get_commands()["export"] == "portal"


@pytest.mark.parametrize("merger_count", [2, 6])
def test_export_query_count_does_not_grow_with_rows(db, django_assert_num_queries, merger_count):
    for _ in range(merger_count):
        merger = factories.MergerFactory()
        merger.sources.add(factories.SourceFactory())
        merger.constituents.add(factories.BodyFactory(unit=merger.unit), factories.BodyFactory(unit=merger.unit))
    rows = Merger.objects.with_status(datetime.date(2020, 1, 1)).with_headcount()
    response = exports.export_response(RequestFactory().get("/"), "mergers", rows)
    # The mergers with their unit, model and result; on PostgreSQL with their
    # many-to-many lists joined in the same query; elsewhere, per relation
    # its table and the labels (constituent slugs, source slugs; no basis
    # document here, so no label query for it), and the citations with their
    # passages (one query, joined to the source for its slug).
    from django.db import connection

    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 7):
        content = b"".join(response.streaming_content)
    assert len(parse(content)[1]) == merger_count
