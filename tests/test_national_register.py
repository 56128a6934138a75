"""The national register (load_vietnam_units), the 2025 reorganisation on unit
pages and the old-to-new lookup."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import translation

from agencies import register
from agencies.models import AdministrativeUnit, UnitChange, UnitSuccession


def load(*provinces):
    out = io.StringIO()
    call_command("load_vietnam_units", *[f"--province={p}" for p in provinces], stdout=out)
    return out.getvalue()


pytestmark = pytest.mark.usefixtures("seed_shared")


@pytest.fixture(scope="module")
def quang_ninh_loaded(seeded, django_db_blocker):
    """The register's Quảng Ninh (one province), loaded once for the module
    into the shared seed's transaction."""
    with django_db_blocker.unblock():
        return load("22")


@pytest.fixture
def quang_ninh(quang_ninh_loaded, seed_shared):
    """The seed plus the register's Quảng Ninh, and what loading it printed."""
    return quang_ninh_loaded


def new_communes(province_slug):
    return AdministrativeUnit.objects.filter(
        parent__slug=province_slug, level="commune", valid_from__gte=register.REORGANISATION_2025
    )


def test_quang_ninh_has_54_new_units_each_with_its_predecessors(quang_ninh):
    units = new_communes("quang-ninh")
    assert units.count() == 54
    assert not units.filter(predecessions=None).exists()
    cao_xanh = units.get(name_vi="Phường Cao Xanh")
    assert cao_xanh.gso_code == "06658"
    assert sorted(cao_xanh.predecessions.values_list("predecessor__name_vi", flat=True)) == [
        "Phường Cao Xanh",
        "Phường Hà Khánh",
    ]
    row = cao_xanh.predecessions.get(predecessor__name_vi="Phường Hà Khánh")
    assert (row.date_edtf, row.basis.number, row.partly) == ("2025-07-01", "1679/NQ-UBTVQH15", False)


def test_a_commune_split_between_two_new_units_is_partly_merged_into_each(quang_ninh):
    ha_khau = AdministrativeUnit.objects.get(gso_code="06655", valid_until__isnull=False)
    rows = UnitSuccession.objects.filter(predecessor=ha_khau)
    assert sorted(rows.values_list("successor__name_vi", "partly")) == [
        ("Phường Tuần Châu", True),
        ("Phường Việt Hưng", True),
    ]


def test_seed_records_are_matched_not_overwritten_and_differences_reported(quang_ninh):
    # The seed's 14 districts are the register's (same codes); no duplicate.
    assert AdministrativeUnit.objects.filter(level="district", province__slug="quang-ninh").count() == 14
    dong_trieu = AdministrativeUnit.objects.get(gso_code="205")
    assert (dong_trieu.slug, dong_trieu.name_vi, dong_trieu.kind) == ("dong-trieu", "Thị xã Đông Triều", "thi-xa")
    assert AdministrativeUnit.objects.get(slug="quang-ninh").name_vi == "Tỉnh Quảng Ninh"
    assert UnitChange.objects.filter(unit__slug="hoanh-bo", kind="absorbed", date_edtf="2020-01-01").exists()
    assert UnitChange.objects.filter(unit__slug="dong-trieu", kind="reclassified", date_edtf="2024-11-01").exists()
    assert "disagreement: 22 Tỉnh Quảng Ninh: the register now names it Thành phố Quảng Ninh" in quang_ninh
    assert "disagreement: 205 Thị xã Đông Triều" in quang_ninh
    # The seed's uncoded Phường Yên Thanh is the register's 06826: it gains its later history.
    yen_thanh = AdministrativeUnit.objects.get(slug="phuong-yen-thanh")
    assert yen_thanh.gso_code is None
    assert yen_thanh.successions.exists()
    assert not AdministrativeUnit.objects.filter(gso_code="06826", valid_until__isnull=False).exists()


def test_loading_again_changes_nothing(quang_ninh):
    before = (AdministrativeUnit.objects.count(), UnitSuccession.objects.count())
    output = load("22")
    assert "recorded 0 successions" in output and "created" not in output
    assert (AdministrativeUnit.objects.count(), UnitSuccession.objects.count()) == before


def test_a_bad_province_code_is_refused_and_nothing_written(seed):
    before = AdministrativeUnit.objects.count()
    with pytest.raises(Exception, match="numeric GSO code"):
        load("quang-ninh")
    assert AdministrativeUnit.objects.count() == before


def test_province_page_lists_the_new_units_with_predecessors(client, quang_ninh):
    with translation.override("vi"):
        page = client.get("/districts/quang-ninh/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "54 đơn vị sau sắp xếp" in page
    assert "Phường Cao Xanh" in page and "Phường Hà Khánh" in page and "một phần" in page


def test_district_page_shows_what_its_communes_became(client, quang_ninh):
    page = client.get("/districts/ha-long/").content.decode()
    section = page[page.index('id="reorganisation-2025"') :]
    assert "Phường Hà Khánh" in section and "Phường Cao Xanh" in section and "1679/NQ-UBTVQH15" in section


@pytest.mark.parametrize("query", ["ha khanh", "Hà Khánh", "phuong ha khanh", "06649", "6649"])
def test_lookup_finds_cao_xanh_from_the_old_name_or_code(client, quang_ninh, query):
    page = client.get("/lookup/", {"q": query}).content.decode()
    body = page[page.index("<tbody") :]
    assert "Phường Hà Khánh" in body and "Phường Cao Xanh" in body and "1679/NQ-UBTVQH15" in body
    assert "01/07/2025" in body


def test_lookup_from_a_new_unit_shows_where_it_came_from_and_marks_partial_merges(client, quang_ninh):
    page = client.get("/lookup/", {"q": "tuan chau"}).content.decode()
    body = page[page.index("<tbody") :]
    assert "Phường Hà Khẩu" in body and "một phần" in body  # "part of it"


def test_lookup_csv_has_one_row_per_succession(client, quang_ninh):
    response = client.get("/lookup/", {"q": "ha khau", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Type"].startswith("text/csv")
    data = [r for r in rows[1:] if r[0] == "Phường Hà Khẩu"]
    assert sorted((r[4], r[6]) for r in data) == [("Phường Tuần Châu", "có"), ("Phường Việt Hưng", "có")]  # partly: yes


def test_lookup_xlsx_has_the_same_rows_as_the_csv(client, quang_ninh):
    from openpyxl import load_workbook

    as_csv = client.get("/lookup/", {"q": "ha khau", "format": "csv"})
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    as_xlsx = client.get("/lookup/", {"q": "ha khau", "format": "xlsx"})
    assert as_xlsx["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(as_xlsx.content))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"
    values = list(sheet.iter_rows(values_only=True))
    # The CSV's columns, with a real Excel date before the date as the source gives it.
    assert values[0][7] == "ngày hiệu lực (ngày)" and values[0][8] == "ngày hiệu lực"
    assert all(row[7] == datetime.datetime(2025, 7, 1) for row in values[1:] if row[8] == "2025-07-01")
    assert any(row[8] == "2025-07-01" for row in values[1:])
    cells = [["" if value is None else str(value) for value in row[:7] + row[8:]] for row in values]
    assert cells == rows
    # A second sheet says what each column holds.
    about = list(book.worksheets[1].iter_rows(values_only=True))
    assert [row[0] for row in about[1:]] == list(values[0]) and all(row[1] for row in about[1:])
    assert ["Phường Hà Khẩu", "Phường Tuần Châu"] == [cells[1][0], cells[1][4]] or any(
        r[0] == "Phường Hà Khẩu" and r[4] == "Phường Tuần Châu" for r in cells
    )


def test_lookup_of_nothing_or_junk_answers_calmly(client, quang_ninh):
    assert client.get("/lookup/").status_code == 200
    page = client.get("/lookup/", {"q": "zzzz" * 100}).content.decode()
    assert "Không có đơn vị nào có tên hoặc mã này" in page


def test_lookup_and_province_page_queries_do_not_grow(client, quang_ninh, django_assert_num_queries):
    # session-free anonymous request: units, successions
    with django_assert_num_queries(2):
        assert client.get("/lookup/", {"q": "phuong"}).status_code == 200
    with django_assert_num_queries(2):
        assert client.get("/lookup/", {"q": "ha khanh"}).status_code == 200


def test_the_whole_country_loads(seed):
    """The done-when numbers; the full register takes seconds, so CI runs it."""
    load()
    numbers = register.counts()
    assert numbers == {"provinces_before": 63, "provinces_now": 34, "communes_now": 3321}
    assert AdministrativeUnit.objects.count() > 13000
    assert new_communes("quang-ninh").count() == 54


def test_synthetic_data_builds_on_the_real_units_when_loaded(seed):
    from agencies.models import Body
    from mergers.models import Merger

    load("4")  # Cao Bằng: one province of the register besides the seed
    units_before = AdministrativeUnit.objects.count()
    call_command("generate_synthetic", "--scale", "1", "--seed", "3", verbosity=0)
    assert AdministrativeUnit.objects.count() == units_before  # no invented unit
    real_district = AdministrativeUnit.objects.get(gso_code="040", valid_until__isnull=False)  # Thành phố Cao Bằng
    bodies = Body.objects.filter(unit__district=real_district)
    assert bodies.exists() and not bodies.exclude(slug__startswith="syn-").exists()
    assert Merger.objects.filter(unit=real_district, slug__startswith="syn-").exists()
    # Still labelled synthetic, and the real units gain no invented history.
    assert not bodies.exclude(sources__publisher="Synthetic data, not a real source").exists()
    assert not UnitChange.objects.filter(unit__slug__startswith="vn-").exists()
    assert not Body.objects.filter(unit__province__slug="quang-ninh", slug__startswith="syn-").exists()
