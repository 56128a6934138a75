"""Admin bulk import: natural keys, all or nothing, clear messages, district scope."""

import datetime
import io

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from agencies.models import AdministrativeUnit, Body, Source
from agencies.resources import BodyResource, SourceResource
from core.import_forms import QnImportForm, check_upload
from core.resources import declared_resources, describe_errors
from mergers.models import Headcount, Milestone
from mergers.resources import HeadcountResource, MilestoneResource
from tests import factories

ALL_RESOURCES = list(declared_resources().values())
BODY_HEADER = (
    "slug,unit,name_vi,name_en,abbreviation,sector,function,founded_on,ended_on,end_reason,successor,note,sources"
)


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English (the msgids), whatever the catalogue holds."""
    with translation.override("en"):
        yield


def dataset(text):
    return tablib.Dataset().load(text, format="csv")


def run(resource_class, text, user=None, dry_run=False):
    with translation.override("en"):
        resource = resource_class(user=user)
        result = resource.import_data(dataset(text), dry_run=dry_run)
        return result, describe_errors(result)


@pytest.fixture
def place(db):
    province = factories.ProvinceFactory()
    ha_long = factories.DistrictFactory(gso_code="193", slug="ha-long", name_vi="Thành phố Hạ Long", parent=province)
    uong_bi = factories.DistrictFactory(gso_code="196", slug="uong-bi", name_vi="Thành phố Uông Bí", parent=province)
    factories.SourceFactory(slug="bao-quang-ninh-1")
    return {"province": province, "ha_long": ha_long, "uong_bi": uong_bi}


# -- round trip ------------------------------------------------------------------


def export_everything():
    return {cls.__name__: cls().export(cls().export_queryset()).csv for cls in ALL_RESOURCES}


@pytest.fixture
def rich(place):
    """Every model, with partial dates, lists of sources and a chain of successors."""
    ha_long, source = place["ha_long"], Source.objects.get(slug="bao-quang-ninh-1")
    document = factories.LegalDocumentFactory(number="44-QĐ/TU", signed_on_edtf="2015-11")
    document.sources.add(source)
    commune = factories.CommuneFactory(parent=ha_long, name_vi="Phường Hồng Gai", slug="hong-gai")
    factories.UnitChangeFactory(
        unit=commune, kind="absorbed", related_unit=ha_long, date=datetime.date(2020, 1, 1), basis=document
    )
    merger = factories.MergerFactory(unit=ha_long, title_vi="Hợp nhất Tổ chức - Nội vụ")
    merger.sources.add(source)
    merger.basis.add(document)
    merger.model.sources.add(source)
    factories.MilestoneFactory(merger=merger, status="in_progress", date_edtf="2018", basis=document)
    factories.MilestoneFactory(merger=merger, status="completed", date_edtf="2019-03-05")
    factories.HeadcountFactory(merger=merger, phase="before", value=20, as_of_edtf="2017")
    factories.HeadcountFactory(merger=merger, phase="after", value=15)
    older = factories.BodyFactory(unit=ha_long, name_vi="Ban cũ")
    middle = factories.BodyFactory(unit=ha_long, name_vi="Ban giữa")
    Body.objects.filter(pk=middle.pk).update(
        successor=merger.result,
        end_reason="merged",
        ended_on_edtf="2019",
        ended_on=datetime.date(2019, 1, 1),
        ended_on_latest=datetime.date(2019, 12, 31),
    )
    Body.objects.filter(pk=older.pk).update(
        successor=middle,
        end_reason="merged",
        ended_on_edtf="../2018-01",
        ended_on=None,
        ended_on_latest=datetime.date(2018, 1, 31),
    )
    holding = factories.HoldingFactory(unit=ha_long, start_date_edtf="2016")
    holding.sources.add(source)
    figure = factories.ReportedFigureFactory(
        unit=place["province"], statement_vi="3 trên 14 huyện", value=3, denominator=14
    )
    figure.merger_models.add(merger.model)
    figure.sources.add(source)
    return merger


def empty_database():
    """Delete every record, referencing rows first (foreign keys are PROTECT)."""
    from agencies.models import Holding, LegalDocument, Post, UnitChange
    from mergers.models import Merger, MergerModel, ReportedFigure

    for model in (ReportedFigure, Headcount, Milestone, Merger, MergerModel, Holding, Post, UnitChange):
        model.objects.all().delete()
    Body.objects.update(successor=None)
    Body.objects.all().delete()
    LegalDocument.objects.all().delete()
    # Districts and provinces refer to themselves (PROTECT): one DELETE for all.
    AdministrativeUnit.sources.through.objects.all().delete()
    units = AdministrativeUnit.objects.all()
    units._raw_delete(units.db)
    Source.objects.all().delete()


def test_round_trip_export_import_export_is_identical(rich):
    first = export_everything()
    assert "44-QĐ/TU" in first["LegalDocumentResource"]
    assert "2015-11" in first["LegalDocumentResource"]
    empty_database()
    assert not AdministrativeUnit.objects.exists()
    for cls in ALL_RESOURCES:
        result, errors = run(cls, first[cls.__name__]) if first[cls.__name__].count("\n") > 1 else (None, [])
        assert errors == [], (cls.__name__, errors)
    assert export_everything() == first
    milestone = Milestone.objects.get(status="in_progress")
    assert (milestone.date_edtf, milestone.date, milestone.date_latest) == (
        "2018",
        datetime.date(2018, 1, 1),
        datetime.date(2018, 12, 31),
    )
    older = Body.objects.get(name_vi="Ban cũ")
    assert (older.ended_on_edtf, older.ended_on, older.ended_on_latest) == (
        "../2018-01",
        None,
        datetime.date(2018, 1, 31),
    )
    assert Body.objects.get(name_vi="Ban cũ").successor.name_vi == "Ban giữa"


def test_reimporting_the_same_file_changes_nothing(rich):
    files = export_everything()
    history_before = Body.history.count()
    for cls in ALL_RESOURCES:
        if files[cls.__name__].count("\n") <= 1:
            continue
        result, errors = run(cls, files[cls.__name__])
        assert errors == []
        assert result.totals["skip"] == len(result.rows) > 0, cls.__name__
        assert result.totals["new"] == result.totals["update"] == 0
    assert Body.history.count() == history_before
    assert export_everything() == files


def test_import_creates_and_updates_by_natural_key(place):
    text = f"{BODY_HEADER}\nban-to-chuc,193,Ban Tổ chức Thành ủy,,,party,organisation,2015,,,,,bao-quang-ninh-1\n"
    result, errors = run(BodyResource, text)
    assert errors == [] and result.totals["new"] == 1
    body = Body.objects.get(slug="ban-to-chuc")
    assert body.unit == place["ha_long"]
    assert (body.founded_on_edtf, body.founded_on, body.founded_on_latest) == (
        "2015",
        datetime.date(2015, 1, 1),
        datetime.date(2015, 12, 31),
    )
    assert [s.slug for s in body.sources.all()] == ["bao-quang-ninh-1"]
    text = text.replace("Ban Tổ chức Thành ủy,", "Ban Tổ chức Thành ủy Hạ Long,").replace(",2015,", ",30/11/2015,")
    result, errors = run(BodyResource, text)
    assert errors == [] and result.totals["update"] == 1
    body.refresh_from_db()
    assert body.name_vi == "Ban Tổ chức Thành ủy Hạ Long"
    assert (body.founded_on_edtf, body.founded_on, body.founded_on_latest) == (
        "2015-11-30",
        datetime.date(2015, 11, 30),
        datetime.date(2015, 11, 30),
    )


D = datetime.date
MILESTONE_HEADER = "merger,status,date,basis,note_vi,note_en,sources"


@pytest.mark.parametrize(
    "cell,expected",
    [
        ("2018", ("2018", D(2018, 1, 1), D(2018, 12, 31))),
        ("2015-11", ("2015-11", D(2015, 11, 1), D(2015, 11, 30))),
        ("11/2015", ("2015-11", D(2015, 11, 1), D(2015, 11, 30))),
        ("2015-11-30", ("2015-11-30", D(2015, 11, 30), D(2015, 11, 30))),
        ("30/11/2015", ("2015-11-30", D(2015, 11, 30), D(2015, 11, 30))),
        # day/month/year, as a Vietnamese clerk types it: 1 June, not 6 January
        ("01/06/2018", ("2018-06-01", D(2018, 6, 1), D(2018, 6, 1))),
        ("đầu năm 2018", ("2018-37", D(2018, 1, 1), D(2018, 4, 30))),
        ("trước 27/09/2017", ("../2017-09-27", None, D(2017, 9, 27))),
        ("trong khoảng 30/11/2015 - 27/09/2017", ("2015-11-30/2017-09-27", D(2015, 11, 30), D(2017, 9, 27))),
        ("2015~/2016~", ("2015~/2016~", D(2015, 1, 1), D(2016, 12, 31))),
    ],
)
def test_uncertain_dates_import_as_edtf_with_their_bounds(place, cell, expected):
    merger = factories.MergerFactory(unit=place["ha_long"])
    result, errors = run(MilestoneResource, f"{MILESTONE_HEADER}\n{merger.slug},completed,{cell},,,,\n")
    assert errors == []
    milestone = Milestone.objects.get(merger=merger)
    assert (milestone.date_edtf, milestone.date, milestone.date_latest) == expected


def test_an_imported_uncertain_date_exports_as_edtf_and_reimports_unchanged(place):
    merger = factories.MergerFactory(unit=place["ha_long"])
    run(MilestoneResource, f"{MILESTONE_HEADER}\n{merger.slug},completed,đầu năm 2018,,,,\n")
    exported = MilestoneResource().export(MilestoneResource().export_queryset()).csv
    assert f"{merger.slug},completed,2018-37," in exported
    result, errors = run(MilestoneResource, exported)
    assert errors == [] and result.totals["skip"] == 1
    assert list(Milestone.objects.values_list("date_edtf", flat=True)) == ["2018-37"]


def test_a_month_first_date_is_refused_with_a_row_error_and_nothing_written(place):
    merger = factories.MergerFactory(unit=place["ha_long"])
    text = f"{MILESTONE_HEADER}\n{merger.slug},in_progress,2018,,,,\n{merger.slug},completed,06/13/2018,,,,\n"
    result, errors = run(MilestoneResource, text)
    assert len(errors) == 1, errors
    assert errors[0].startswith("Row 3, column date: “06/13/2018”: there is no month 13."), errors
    assert "day/month/year" in errors[0]
    assert not Milestone.objects.exists()


# -- bad rows: a message naming row and column, and nothing written ----------------


def assert_nothing_written(before):
    assert Body.objects.count() == before


@pytest.mark.parametrize(
    "rows,message",
    [
        (
            ["ban-a,999,Ban A,,,party,organisation,,,,,,"],
            "Row 2, column unit: No administrative unit with GSO code “999”.",
        ),
        (
            ["ban-a,ha-long,Ban A,,,party,organisation,,,,,,", "ban-b,193,Ban B,,,party,organisation,31/02/2018,,,,,"],
            "Row 3, column founded_on: “31/02/2018”: month 2 has no day 31.",
        ),
        (
            ["ban-a,ha-long,Ban A,,,party,organisation,,,,,,", "ban-b,193,Ban B,,,party,organisation,,,,,,khong-co"],
            "Row 3, column sources: No source with slug “khong-co”.",
        ),
        (
            ["ban-a,ha-long,Ban A,,,party,organisation,,,,,,", "ban-b,193,Ban B,,,party,cooking,,,,,,"],
            "Row 3, column function: Value 'cooking' is not a valid choice.",
        ),
        (
            ["ban-a,ha-long,Ban A,,,party,organisation,,,,,,", "ban-a,ha-long,Ban A,,,party,organisation,,,,,,"],
            "Row 3, column slug: Repeats row 2 (same slug: ban-a).",
        ),
    ],
)
def test_a_bad_row_is_named_and_the_whole_file_is_rolled_back(place, rows, message):
    before = Body.objects.count()
    result, errors = run(BodyResource, "\n".join([BODY_HEADER, *rows]) + "\n")
    assert message in errors, errors
    assert_nothing_written(before)


@pytest.mark.parametrize(
    "value,message",
    [
        ("-5", "Row 3, column value: A headcount cannot be negative."),
        ("abc", "Row 3, column value: “abc” is not a whole number."),
        ("12.5", "Row 3, column value: “12.5” is not a whole number."),
    ],
)
def test_negative_or_non_numeric_headcount_is_a_row_error(place, value, message):
    merger = factories.MergerFactory(unit=place["ha_long"])
    text = f"merger,phase,value,as_of,note,sources\n{merger.slug},before,20,,,\n{merger.slug},after,{value},,,\n"
    result, errors = run(HeadcountResource, text)
    assert message in errors, errors
    assert not Headcount.objects.exists()


def test_missing_and_extra_columns_are_named(place):
    header = BODY_HEADER.replace(",abbreviation", "").replace(",note", ",colour")
    text = header + "\nban-a,ha-long,Ban A,,party,organisation,,,,,đỏ,\n"
    result, errors = run(BodyResource, text)
    assert len(errors) == 1
    assert "missing columns: abbreviation, note" in errors[0]
    assert "unknown columns: colour" in errors[0]
    assert not Body.objects.filter(slug="ban-a").exists()


def test_a_header_without_rows_is_refused(place):
    result, errors = run(BodyResource, BODY_HEADER + "\n")
    assert errors == ["The file has a header row but no rows to import."]


def test_dry_run_previews_every_row_and_writes_nothing(place):
    text = f"{BODY_HEADER}\nban-a,193,Ban A,,,party,organisation,,,,,,\nban-b,196,Ban B,,,state,inspection,,,,,,\n"
    result, errors = run(BodyResource, text, dry_run=True)
    assert errors == []
    assert [row.import_type for row in result.rows] == ["new", "new"]
    from core.admin_imports import preview_rows

    preview = preview_rows(BodyResource(), result)  # what the admin's dry run shows
    assert [(row["number"], row["kind"]) for row in preview["rows"]] == [(2, "New"), (3, "New")]
    assert [row["cells"][2][0] for row in preview["rows"]] == ["Ban A", "Ban B"]
    assert not Body.objects.filter(slug__in=["ban-a", "ban-b"]).exists()


# -- the district editor ------------------------------------------------------------


@pytest.fixture
def ha_long_editor(place):
    user = factories.UserFactory(username="bien-tap-ha-long", is_staff=True)
    scope = factories.DistrictEditorFactory(user=user)
    scope.districts.set([place["ha_long"]])
    return user


def test_district_editor_cannot_import_another_districts_rows(place, ha_long_editor):
    text = (
        f"{BODY_HEADER}\nban-a,193,Ban A,,,party,organisation,,,,,,\nban-b,uong-bi,Ban B,,,party,organisation,,,,,,\n"
    )
    result, errors = run(BodyResource, text, user=ha_long_editor)
    assert "Row 3, column unit: Thành phố Uông Bí is outside the districts you may edit." in errors
    assert not Body.objects.filter(slug__in=["ban-a", "ban-b"]).exists()
    text = f"{BODY_HEADER}\nban-a,193,Ban A,,,party,organisation,,,,,,\n"
    result, errors = run(BodyResource, text, user=ha_long_editor)
    assert errors == [] and Body.objects.filter(slug="ban-a").exists()


def test_district_editor_cannot_move_another_districts_record(place, ha_long_editor):
    body = factories.BodyFactory(unit=place["uong_bi"], slug="ban-uong-bi", name_vi="Ban Uông Bí")
    text = f"{BODY_HEADER}\nban-uong-bi,ha-long,Ban Uông Bí,,,party,organisation,,,,,,\n"
    result, errors = run(BodyResource, text, user=ha_long_editor)
    assert "Row 2, column unit: This row changes a record of a district you may not edit." in errors
    body.refresh_from_db()
    assert body.unit == place["uong_bi"]


def test_district_editor_cannot_import_province_wide_records(place, ha_long_editor):
    result, errors = run(
        SourceResource,
        "slug,kind,title,publisher,author,published_on,date_note,url,seed_file,note\n"
        "bao-moi,article,Bài mới,Báo Quảng Ninh,,2019,,,,\n",
        user=ha_long_editor,
    )
    assert errors == ["District editors cannot import sources."]
    assert not Source.objects.filter(slug="bao-moi").exists()


def test_milestone_of_another_district_is_refused_for_a_district_editor(place, ha_long_editor):
    merger = factories.MergerFactory(unit=place["uong_bi"])
    text = f"merger,status,date,basis,note_vi,note_en,sources\n{merger.slug},completed,2019,,,,\n"
    result, errors = run(MilestoneResource, text, user=ha_long_editor)
    assert "Row 2, column merger: Thành phố Uông Bí is outside the districts you may edit." in errors
    assert not Milestone.objects.exists()


# -- bad files: refused before parsing, with what to do -------------------------------


def upload(content, name="bodies.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def csv_format():
    from import_export.formats.base_formats import CSV

    return CSV


def test_windows_1258_file_is_refused_as_not_utf8():
    content = (BODY_HEADER + "\nban-a,193,Ban Tổ chức,,,party,organisation,,,,,,\n").encode("utf-8")
    legacy = content.replace("Tổ chức".encode(), b"T\xd4\xd2 ch\xfd\xf5c")  # bytes a cp1258 editor writes
    with pytest.raises(ValidationError) as error:
        check_upload(upload(legacy), csv_format())
    assert "The file must be UTF-8: line 2" in error.value.messages[0]


def test_utf16_file_is_refused_as_not_utf8():
    content = (BODY_HEADER + "\nban-a,193,Ban Tổ chức,,,party,organisation,,,,,,\n").encode("utf-16")
    with pytest.raises(ValidationError) as error:
        check_upload(upload(content), csv_format())
    assert "The file is UTF-16; the file must be UTF-8" in error.value.messages[0]


def test_empty_file_is_refused():
    for content in (b"", b"\xef\xbb\xbf\r\n"):
        with pytest.raises(ValidationError, match="The file is empty."):
            check_upload(upload(content), csv_format())


def test_a_20_mb_file_is_refused_by_size_before_it_is_read(settings):
    settings.QNMERGE_IMPORT_MAX_BYTES = 5 * 1024 * 1024

    class Unread(io.BytesIO):
        size = 20 * 1024 * 1024
        name = "garbage.csv"

        def read(self, *args):  # pragma: no cover - must never be called
            raise AssertionError("the file was read")

    with pytest.raises(ValidationError) as error:
        check_upload(Unread(), csv_format())
    assert error.value.messages == [
        "The file is 20.0 MB; files larger than 5.0 MB are refused. Split it into smaller files."
    ]


def test_import_form_shows_the_file_error_on_the_file_field(db):
    from import_export.formats.base_formats import CSV, XLSX

    form = QnImportForm(
        [CSV, XLSX],
        [BodyResource],
        data={"resource": "0", "format": "0"},
        files={"import_file": upload("Tổ chức".encode("cp1258", errors="replace") + b"\xfe\x00")},
    )
    assert not form.is_valid()
    assert "must be UTF-8" in form.errors["import_file"][0]
    form = QnImportForm(
        [CSV, XLSX],
        [BodyResource],
        data={"resource": "0", "format": "1"},
        files={"import_file": upload(b"not a spreadsheet", name="bodies.xlsx")},
    )
    assert not form.is_valid()
    assert "This is not an XLSX file" in form.errors["import_file"][0]


def test_xlsx_rows_with_numbers_and_dates_import(place):
    book = tablib.Dataset(headers=BODY_HEADER.split(","))
    book.append(
        [
            "ban-x",
            193,
            "Ban X",
            "",
            "",
            "party",
            "organisation",
            2015,
            datetime.datetime(2019, 1, 1),
            "abolished",
            "",
            "",
            "",
        ]
    )
    data = tablib.Dataset().load(book.export("xlsx"), format="xlsx")
    result = BodyResource().import_data(data)
    assert describe_errors(result) == []
    body = Body.objects.get(slug="ban-x")
    assert (body.founded_on_edtf, body.founded_on, body.founded_on_latest) == (
        "2015",
        datetime.date(2015, 1, 1),
        datetime.date(2015, 12, 31),
    )
    assert (body.ended_on_edtf, body.ended_on, body.ended_on_latest) == (
        "2019-01-01",
        datetime.date(2019, 1, 1),
        datetime.date(2019, 1, 1),
    )


# -- through the admin, when the admin helper has registered it ------------------------


def admin_import_url():
    return reverse("admin:agencies_body_import")


def test_admin_import_preview_lists_errors_and_writes_nothing(client, place):
    url = admin_import_url()
    admin = factories.UserFactory(username="quan-tri", is_staff=True, is_superuser=True)
    client.force_login(admin)
    bad = f"{BODY_HEADER}\nban-a,193,Ban A,,,party,organisation,,,,,,\nban-b,999,Ban B,,,party,organisation,,,,,,\n"
    page = client.get(url)
    csv_index = next(value for value, label in page.context["form"].fields["format"].choices if label == "csv")
    response = client.post(url, {"resource": "0", "format": csv_index, "import_file": upload(bad.encode("utf-8"))})
    assert response.status_code == 200
    html = response.content.decode()
    assert "No administrative unit with GSO code “999”." in html
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert not Body.objects.filter(slug__in=["ban-a", "ban-b"]).exists()
    legacy = bad.replace("Ban A", "Ban Tổ chức").encode("utf-8").replace("Tổ chức".encode(), b"T\xd4 ch\xfdc")
    response = client.post(url, {"resource": "0", "format": csv_index, "import_file": upload(legacy)})
    assert "The file must be UTF-8" in response.content.decode()


def test_admin_import_previews_then_writes_on_confirm(client, place):
    url = admin_import_url()
    admin = factories.UserFactory(username="quan-tri-2", is_staff=True, is_superuser=True)
    client.force_login(admin)
    good = f"{BODY_HEADER}\nban-a,193,Ban Tổ chức,,,party,organisation,2015,,,,,bao-quang-ninh-1\n"
    page = client.get(url)
    csv_index = next(value for value, label in page.context["form"].fields["format"].choices if label == "csv")
    preview = client.post(url, {"resource": "0", "format": csv_index, "import_file": upload(good.encode("utf-8"))})
    assert preview.status_code == 200
    assert "Ban Tổ chức" in preview.content.decode()  # the dry run lists the row's values
    assert not Body.objects.filter(slug="ban-a").exists()
    confirm = preview.context["confirm_form"]
    response = client.post(reverse("admin:agencies_body_process_import"), confirm.initial)
    assert response.status_code == 302
    body = Body.objects.get(slug="ban-a")
    assert (body.unit, body.founded_on_edtf, body.founded_on) == (place["ha_long"], "2015", datetime.date(2015, 1, 1))


@pytest.mark.django_db
def test_admin_offers_exactly_csv_and_xlsx(admin_client):
    page = admin_client.get("/en/admin/agencies/body/import/").content.decode()
    assert ">csv<" in page and ">xlsx<" in page
    assert ">json<" not in page and ">tsv<" not in page
