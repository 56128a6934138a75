"""XLSX twins of the CSV reports: what an analyst opening them in Excel finds."""

import datetime
import io
import re

import pytest
from openpyxl import load_workbook

from portal import exports
from tests.test_exports import data, download, parse  # noqa: F401 (the fixture)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Every page that offers a CSV: (report, the page's CSV address).
PAGES = [
    ("dashboard", "/?format=csv&as_of=2019-12-31"),
    ("dashboard_wide", "/?format=csv&layout=wide&as_of=2019-12-31"),
    ("dashboard", "/models/{model}/?format=csv"),
    ("districts", "/districts/?format=csv"),
    ("mergers", "/districts/ha-long/?format=csv&as_of=2019-12-31"),
    ("mergers", "/mergers/?format=csv&as_of=2019-12-31"),
    ("milestones", "/mergers/{merger}/?format=csv"),
    ("milestones", "/milestones/?format=csv"),
    ("bodies", "/bodies/?format=csv"),
    ("headcount", "/headcount/?format=csv"),
    ("headcount_long", "/headcount/?format=csv&layout=long"),
    ("titles", "/titles/?format=csv"),
    ("figures", "/figures/?format=csv"),
    ("timeline", "/timeline/?format=csv"),
    ("sources", "/sources/?format=csv"),
    ("documents", "/documents/?format=csv"),
]


def workbook(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == XLSX
    assert re.search(r'filename="qnmerge-[a-z0-9-]+-\d{8}T\d{6}\.xlsx"', response["Content-Disposition"])
    return load_workbook(io.BytesIO(response.content)), response


def sheet_rows(book):
    data_sheet = book.worksheets[0]
    rows = list(data_sheet.iter_rows(values_only=True))
    return data_sheet, rows[0], rows[1:]


@pytest.mark.parametrize("report,url", PAGES, ids=[f"{r}:{u.split('?')[0]}" for r, u in PAGES])
def test_every_xlsx_has_the_csv_rows_readable_headers_typed_cells_and_a_column_sheet(client, data, report, url):  # noqa: F811
    url = url.format(model=data["merger"].model.slug, merger=data["merger"].pk)
    csv_content, _response = download(client, url)
    csv_header, csv_rows = parse(csv_content)
    assert csv_rows, url
    book, response = workbook(client, url.replace("format=csv", "format=xlsx"))
    data_sheet, header, rows = sheet_rows(book)

    # Same rows as the CSV (which the page's own tests tie to the screen).
    assert len(rows) == len(csv_rows)
    assert data_sheet.freeze_panes == "A2"
    # Every CSV column, plus a real date before each date "as the source says it".
    when_columns = [name for name in csv_header if f"{name}_edtf" in csv_header]
    assert len(header) == len(csv_header) + len(when_columns)
    assert not set(header) & set(csv_header), f"headers are readable, not CSV codes: {set(header) & set(csv_header)}"

    # The column sheet names each CSV code once, with its meaning.
    about = list(book.worksheets[1].iter_rows(values_only=True))
    assert [row[0] for row in about[1:]] == list(header)
    assert [row[1] for row in about[1:] if row[1]] == csv_header
    assert all(row[3] for row in about[1:])

    # Cells are typed as their column says, and agree with the CSV.
    codes = [row[1] for row in about[1:]]
    for position, code in enumerate(codes):
        cells = [row[position] for row in rows]
        if not code:  # the day of the next column's date, where the source gives one
            assert all(cell is None or isinstance(cell, datetime.datetime) for cell in cells)
            continue
        column = (
            next(c for c in exports.get_report(report).columns if c.name == code)
            if report != "dashboard_wide"
            else None
        )
        csv_cells = [row[code] for row in csv_rows]
        if column is not None and column.type == exports.ColumnType.DATE:
            assert [cell.date().isoformat() if cell else "" for cell in cells] == csv_cells
        elif column is not None and column.type in (exports.ColumnType.INTEGER, exports.ColumnType.DECIMAL):
            assert all(cell is None or isinstance(cell, (int, float)) for cell in cells)
            assert [cell if cell is not None else "" for cell in cells] == [
                (float(v) if "." in v else int(v)) if v else "" for v in csv_cells
            ]
        elif column is not None and column.type == exports.ColumnType.BOOLEAN:
            assert [{True: "true", False: "false", None: ""}[cell] for cell in cells] == csv_cells


def test_xlsx_speaks_vietnamese_or_english_and_gives_real_days(client, data):  # noqa: F811
    book, response = workbook(client, "/mergers/?format=xlsx&district=ha-long&as_of=2019-12-31")
    _sheet, header, rows = sheet_rows(book)
    assert "Trạng thái" in header
    row = dict(zip(header, rows[0]))
    assert row["Trạng thái"] == "Hoàn thành"
    assert row["Số biên chế trước"] == 20 and row["Số biên chế sau"] == 15 and row["Thay đổi biên chế"] == -5
    assert row["Ngày của trạng thái (ngày)"] == datetime.datetime(2019, 3, 5)
    assert row["Ngày của trạng thái (như nguồn ghi)"] == "05/03/2019"
    assert re.search(r'filename="qnmerge-mergers-asof-2019-12-31-\d{8}T\d{6}\.xlsx"', response["Content-Disposition"])

    book, _response = workbook(client, "/en/mergers/?format=xlsx&district=ha-long&as_of=2018-12-31")
    _sheet, header, rows = sheet_rows(book)
    row = dict(zip(header, rows[0]))
    assert row["Status"] == "In progress"
    # The source gives only the year: no day, the text says 2018, the bounds are days.
    assert row["Date of the status (day)"] is None
    assert row["Date of the status (as the source says it)"] == "2018"
    assert row["Date of the status: earliest day"] == datetime.datetime(2018, 1, 1)
    assert row["Date of the status: latest day"] == datetime.datetime(2018, 12, 31)


def test_dashboard_tells_not_applicable_from_no_record_in_both_files(client, data):  # noqa: F811
    _content, _response = download(client, "/?format=csv&layout=wide&as_of=2019-12-31")
    header, rows = parse(_content)
    model = data["merger"].model.slug
    other = data["uong_bi"].mergers.get().model.slug
    by_code = {row["district_gso_code"]: row for row in rows}
    assert header[:2] == ["district_gso_code", "district"]
    assert by_code["193"][model] == "completed"
    assert by_code["196"][model] == "none"
    assert by_code["193"][other] == "none"
    assert by_code["22"][model] == "not_applicable"
    book, _response = workbook(client, "/en/?format=xlsx&layout=wide&as_of=2019-12-31")
    _sheet, header, rows = sheet_rows(book)
    assert header[2] == data["merger"].model.short
    by_code = {row[0]: row for row in rows}
    assert by_code["22"][2] == "Not applicable"
    assert by_code["196"][2] == "No record"


def test_formula_like_text_is_neutralised_in_xlsx(client, data):  # noqa: F811
    from tests import factories

    factories.BodyFactory(unit=data["ha_long"], name_vi='=HYPERLINK("http://x")')
    book, _response = workbook(client, "/bodies/?format=xlsx&district=ha-long")
    _sheet, header, rows = sheet_rows(book)
    names = [row[header.index("Tên tiếng Việt")] for row in rows]
    assert '\'=HYPERLINK("http://x")' in names


def test_links_in_files_are_absolute(client, data):  # noqa: F811
    content, _response = download(client, "/timeline/?format=csv&district=ha-long")
    _header, rows = parse(content)
    assert rows and all(row["url"].startswith("http://testserver/") for row in rows)
    book, _response = workbook(client, "/en/timeline/?format=xlsx&district=ha-long")
    _sheet, header, rows = sheet_rows(book)
    assert all(row[header.index("Address")].startswith("http://testserver/") for row in rows)


def test_district_and_merger_files_say_what_they_are(client, data):  # noqa: F811
    response = client.get("/districts/ha-long/?format=csv")
    assert 'filename="qnmerge-mergers-ha-long-' in response["Content-Disposition"]
    response = client.get(f"/mergers/{data['merger'].pk}/?format=xlsx")
    assert f'filename="qnmerge-milestones-{data["merger"].slug}-' in response["Content-Disposition"]
    page = client.get("/districts/ha-long/").content.decode()
    assert "format=xlsx" in page and "format=csv" in page


# -- against the page: each file holds the rows the page shows ----------------

TBODY = re.compile(r"<tbody>(.*?)</tbody>", re.S)


def page_html(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def table_rows(html, after=""):
    """The body rows of the first table on the page (after the text `after`)."""
    return TBODY.search(html[html.index(after) :] if after else html).group(1).count("<tr")


def matrix(html):
    """(districts, models) of the dashboard's matrix."""
    head = re.search(r'<table class="matrix">.*?</thead>', html, re.S).group(0)
    return table_rows(html, '<table class="matrix">'), head.count('<th scope="col">') - 1


def known_headcounts(html):
    """The headcount figures the page gives: the numbers in the before and after cells."""
    numbers = 0
    for row in re.findall(r'<tr id="merger-\d+".*?</tr>', html, re.S):
        cells = re.findall(r'<td class="num[^"]*"[^>]*>(.*?)</td>', row, re.S)[:2]
        numbers += sum(1 for cell in cells if re.fullmatch(r"[\d.\s]+", cell.strip()))
    return numbers


def events_per_year(html):
    """The events the timeline counts, per year, in its year strip (a group counts each district)."""
    strip = re.search(r'<svg class="chart chart--years".*?</svg>', html, re.S).group(0)
    return sum(int(n) for n in re.findall(r'<text class="chart__value"[^>]*>(\d+)</text>', strip))


# (XLSX address, the page it comes from, what the page shows: its rows, columns or figures)
ON_THE_PAGE = [
    ("/?format=xlsx&as_of=2019-12-31", "/?as_of=2019-12-31", lambda html: matrix(html)[0] * matrix(html)[1]),
    ("/?format=xlsx&layout=wide&as_of=2019-12-31", "/?as_of=2019-12-31", lambda html: matrix(html)[0]),
    ("/models/{model}/?format=xlsx", "/models/{model}/", table_rows),
    ("/districts/?format=xlsx", "/districts/", table_rows),
    ("/districts/ha-long/?format=xlsx&as_of=2019-12-31", "/districts/ha-long/?as_of=2019-12-31", table_rows),
    ("/mergers/?format=xlsx&as_of=2019-12-31", "/mergers/?as_of=2019-12-31", table_rows),
    ("/mergers/{merger}/?format=xlsx", "/mergers/{merger}/", lambda html: html.count('<tr id="milestone-')),
    ("/milestones/?format=xlsx", "/milestones/", lambda html: html.count('<tr id="milestone-')),
    ("/bodies/?format=xlsx", "/bodies/", table_rows),
    ("/headcount/?format=xlsx", "/headcount/", lambda html: html.count('<tr id="merger-')),
    ("/headcount/?format=xlsx&layout=long", "/headcount/", known_headcounts),
    ("/titles/?format=xlsx", "/titles/", lambda html: html.count('<tr id="holding-')),
    ("/figures/?format=xlsx", "/figures/", lambda html: html.count('<tr id="figure-')),
    ("/timeline/?format=xlsx", "/timeline/", events_per_year),
    ("/sources/?format=xlsx", "/sources/", table_rows),
    ("/documents/?format=xlsx", "/documents/", table_rows),
]


@pytest.mark.parametrize(
    "url,page,shown", ON_THE_PAGE, ids=[url.split("format")[0] + url[-10:] for url, _p, _s in ON_THE_PAGE]
)
def test_every_xlsx_has_the_rows_its_page_shows(client, data, url, page, shown):  # noqa: F811
    keys = {"model": data["merger"].model.slug, "merger": data["merger"].pk}
    html = page_html(client, page.format(**keys))
    book, _response = workbook(client, url.format(**keys))
    data_sheet, header, rows = sheet_rows(book)
    expected = shown(html)
    assert expected, f"{page} shows nothing to compare"
    assert len(rows) == expected
    assert all(isinstance(cell, str) and cell for cell in header), "every column has a readable heading"
    if "layout=wide" in url:  # one column per merger model of the matrix, after the district's code and name
        assert len(header) == 2 + matrix(html)[1]


def test_bodies_xlsx_names_why_a_body_ended_in_words(client, data):  # noqa: F811
    """The end reason a body takes from its unit is labelled like its own
    reasons: Excel shows words, not the CSV's codes."""
    from agencies.models import AdministrativeUnit
    from tests import factories

    factories.BodyFactory(unit=data["ha_long"], name_vi="Phòng A", end_reason="merged", ended_on_edtf="2018-05-01")
    factories.BodyFactory(unit=data["uong_bi"], name_vi="Phòng B")
    AdministrativeUnit.objects.filter(pk=data["uong_bi"].pk).update(
        valid_until_edtf="2025-07-01", valid_until="2025-07-01", valid_until_latest="2025-07-01"
    )
    book, _response = workbook(client, "/bodies/?format=xlsx")
    _sheet, header, rows = sheet_rows(book)
    assert "effective_end_reason" not in header
    column = header.index("Lý do kết thúc, kể cả khi đơn vị hành chính chấm dứt")
    reasons = {row[header.index("Tên tiếng Việt")]: row[column] for row in rows}
    assert reasons["Phòng A"] == "Hợp nhất"
    assert reasons["Phòng B"] == "Chấm dứt cùng đơn vị hành chính"
