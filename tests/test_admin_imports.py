"""Import templates, the Excel-numbered preview and exports that open in
Excel, through the Vietnamese admin with the real seed."""

import csv
import io

import openpyxl
import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import Body
from core.admin_base import QnAdmin

IMPORTABLE = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, QnAdmin)
)


pytestmark = pytest.mark.usefixtures("seed_shared")


@pytest.fixture
def admin_client(client, seed):
    client.force_login(User.objects.create_superuser("so-noi-vu", "so@example.org", None))
    return client


def url(app, model, view, *args):
    return reverse(f"admin:{app}_{model}_{view}", args=args)


def format_index(page, extension):
    return next(value for value, label in page.context["form"].fields["format"].choices if label == extension)


def post_import(client, app, model, name, content, extension):
    page = client.get(url(app, model, "import"))
    upload = SimpleUploadedFile(name, content)
    return client.post(
        url(app, model, "import"), {"resource": "0", "format": format_index(page, extension), "import_file": upload}
    )


@pytest.mark.parametrize("app,model", IMPORTABLE, ids=lambda v: v)
def test_each_import_template_imports_as_downloaded_without_an_error(admin_client, app, model):
    import_page = admin_client.get(url(app, model, "import")).content.decode()
    assert 'href="template.csv"' in import_page and 'href="template.xlsx"' in import_page

    response = admin_client.get(url(app, model, "import_template", "csv"))
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    assert "filename*=UTF-8''M%E1%BA%ABu%20nh%E1%BA%ADp" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2  # the headings and one example row
    headings = rows[0]
    assert all(heading[:1].isupper() for heading in headings), headings  # headings, not field names

    result = post_import(admin_client, app, model, "mau.csv", response.content, "csv")
    assert result.status_code == 200
    assert result.context["result"] is not None
    assert not result.context["result"].has_errors() and not result.context["result"].has_validation_errors(), (
        result.context["result"].invalid_rows and result.context["result"].invalid_rows[0].error_dict
    )
    assert result.context["confirm_form"] is not None

    xlsx = admin_client.get(url(app, model, "import_template", "xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [cell.value for cell in sheet[1]] == headings
    result = post_import(admin_client, app, model, "mau.xlsx", xlsx.content, "xlsx")
    assert not result.context["result"].has_errors() and not result.context["result"].has_validation_errors()


def test_the_preview_numbers_rows_as_excel_and_names_what_identifiers_point_to(admin_client):
    template = admin_client.get(url("agencies", "body", "import_template", "csv")).content.decode("utf-8-sig")
    columns, example = list(csv.reader(io.StringIO(template)))[:2]
    bad = list(example)
    bad[columns.index("Mã định danh")] = "ban-moi-thu"
    bad[columns.index("Đơn vị")] = "999"
    out = io.StringIO()
    csv.writer(out).writerows([columns, example, bad])
    text = out.getvalue()
    response = post_import(admin_client, "agencies", "body", "co-loi.csv", text.encode("utf-8"), "csv")
    page = response.content.decode()
    assert not Body.objects.filter(slug="ban-moi-thu").exists()
    assert "Dòng trong Excel" in page
    assert '<th scope="row">3</th>' in page  # the bad row is Excel's row 3 (header = 1)
    bad_row = page.split('<th scope="row">3</th>')[1].split("</tr>")[0]
    assert "Đơn vị:" in bad_row and "“999”" in bad_row  # the whole message, beside its row
    assert "validation-error-container" not in page  # errors written out, not hidden behind a hover

    good = admin_client.get(url("agencies", "body", "import_template", "csv")).content
    preview = post_import(admin_client, "agencies", "body", "dung.csv", good, "csv").content.decode()
    example_body = Body.objects.get(slug=example[columns.index("Mã định danh")])
    assert f"({example_body.unit})" in preview  # the unit's name beside its identifier


def test_admin_export_opens_in_excel_with_a_vietnamese_file_name(admin_client):
    page = admin_client.get(url("mergers", "merger", "export"))
    index = next(value for value, label in page.context["form"].fields["format"].choices if label == "csv")
    form = page.context["form"]
    data = {name: "on" for name, field in form.fields.items() if field.__class__.__name__ == "BooleanField"}
    response = admin_client.post(url("mergers", "merger", "export"), {**data, "format": index, "resource": "0"})
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    assert "filename*=UTF-8''" in disposition
    assert "Hợp nhất" in response.content.decode("utf-8-sig")


def test_a_file_with_wrong_columns_is_refused_with_the_message_alone(admin_client):
    text = "Mã định danh,Màu\nban-a,đỏ\n"
    response = post_import(admin_client, "agencies", "body", "sai-cot.csv", text.encode("utf-8"), "csv")
    page = response.content.decode()
    assert "Màu" in page  # the unknown column is named
    assert "Traceback" not in page and 'File "' not in page
    assert not Body.objects.filter(slug="ban-a").exists()
