"""Every fact of /work/shared/FACTS.md, checked against the loaded seed.

One test per fact, each asserting the stored value and the source it cites.
The seed is loaded once for the module inside a transaction that is rolled
back at the end; each test runs in its own savepoint inside it.
"""

import csv
import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from agencies.dates import bounds
from agencies.models import AdministrativeUnit, Body, Holding, LegalDocument, Source, UnitChange
from mergers.models import NO_STATUS, Headcount, Merger, MergerModel, Milestone, ReportedFigure, Status

S000 = "vov-2019-hop-nhat"
S001 = "uong-bi-2020-tinh-gon"
S002 = "baoquangninh-2017-co-quan-khoi"
S003 = "nhandan-2020-hoi-thao"
S004 = "vov-2019-kiem-tra"
GSO = "gso-danh-muc-dvhc"

DISTRICTS_CSV = Path(settings.BASE_DIR).parent / "shared" / "districts.csv"
SEEDS = Path(settings.BASE_DIR).parent / "shared" / "seeds"
D = datetime.date


pytestmark = pytest.mark.usefixtures("seed_shared")


def slugs(qs):
    return sorted(qs.values_list("slug", flat=True))


def cited(obj):
    return sorted(obj.sources.values_list("slug", flat=True))


def model(slug):
    return MergerModel.objects.get(slug=slug)


def status_by_district(model_slug, as_of):
    rows = Merger.objects.with_status(as_of).filter(model__slug=model_slug).values_list("unit__slug", "status")
    return dict(rows)


def figures():
    return {f.slug: f for f in ReportedFigure.objects.with_computed()}


# ---------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "slug, seed_file, publisher, published, earliest, latest, has_date_note",
    [
        (S000, "000_95ba98eeb7e0ada1.txt", "VOV", "2019", D(2019, 1, 1), D(2019, 12, 31), True),
        (S001, "001_53cd71505d5be632.txt", "Uông Bí", "2020-09-18", D(2020, 9, 18), D(2020, 9, 18), False),
        (S002, "002_62aee946d1876687.txt", "Báo Quảng Ninh", "2017-09-28", D(2017, 9, 28), D(2017, 9, 28), False),
        (S003, "003_83d3a18fb488f6e4.txt", "Nhân Dân", "2020-01-14", D(2020, 1, 14), D(2020, 1, 14), True),
        (S004, "004_69f8726ca008182f.txt", "VOV.VN", "2019-12-07", D(2019, 12, 7), D(2019, 12, 7), True),
    ],
)
def test_each_article_is_a_source_with_its_file_publisher_and_date(
    slug, seed_file, publisher, published, earliest, latest, has_date_note
):
    source = Source.objects.get(slug=slug)
    assert source.kind == Source.Kind.ARTICLE
    assert source.seed_file == seed_file
    assert publisher in source.publisher
    assert (source.published_on_edtf, source.published_on, source.published_on_latest) == (published, earliest, latest)
    assert bool(source.date_note) == has_date_note
    assert source.url == ""  # no article prints its own page address


def test_article_000_is_by_truong_giang_for_vov_republished_by_bao_nghe_an():
    source = Source.objects.get(slug=S000)
    assert source.author == "Trường Giang"
    assert "Báo Nghệ An" in source.publisher
    assert source.published_on_edtf == "2019"
    assert "hơn 1 năm" in source.date_note


@pytest.mark.parametrize("slug, printed", [(S003, "14/1"), (S004, "7/12")])
def test_articles_without_a_printed_year_say_the_year_is_inferred(slug, printed):
    source = Source.objects.get(slug=slug)
    assert f'"{printed}"' in source.date_note
    assert "không in năm" in source.date_note and "ngữ cảnh" in source.date_note


def test_gso_register_is_the_source_of_every_district_code_and_name():
    register = Source.objects.get(slug=GSO)
    assert register.kind == Source.Kind.REGISTER
    assert "Tổng cục Thống kê" in register.publisher
    assert slugs(register.units.filter(level="district")) == slugs(AdministrativeUnit.objects.districts())
    assert register.units.filter(slug="quang-ninh").exists()


# ---------------------------------------------------------------------------
# The 14 district-level units
# ---------------------------------------------------------------------------
KIND = {"thành phố": "thanh-pho", "thị xã": "thi-xa", "huyện": "huyen"}


def test_the_fourteen_districts_match_districts_csv_exactly():
    if not DISTRICTS_CSV.exists():
        pytest.skip(f"{DISTRICTS_CSV} is not available here")
    with open(DISTRICTS_CSV, encoding="utf-8", newline="") as handle:
        expected = sorted(
            (r["gso_code"], r["name_vi"], KIND[r["kind"]], r["slug"], int(r["communes_2018"]))
            for r in csv.DictReader(handle)
        )
    stored = sorted(
        AdministrativeUnit.objects.districts().values_list("gso_code", "name_vi", "kind", "slug", "communes_2018")
    )
    assert stored == expected
    assert len(stored) == 14


def test_four_cities_two_towns_eight_rural_districts_with_186_communes_and_no_code_197():
    districts = AdministrativeUnit.objects.districts()
    assert districts.filter(kind="thanh-pho").count() == 4
    assert districts.filter(kind="thi-xa").count() == 2
    assert districts.filter(kind="huyen").count() == 8
    assert sum(districts.values_list("communes_2018", flat=True)) == 186
    assert not AdministrativeUnit.objects.filter(gso_code="197").exists()
    province = AdministrativeUnit.objects.get(slug="quang-ninh")
    assert (province.gso_code, province.level, province.kind) == ("22", "province", "tinh")
    assert set(districts.values_list("parent__slug", "province__slug")) == {("quang-ninh", "quang-ninh")}
    assert AdministrativeUnit.objects.get(slug="uong-bi").name_en == "Uong Bi City"


def test_hoanh_bo_ended_on_1_january_2020_merged_into_ha_long_by_837():
    hoanh_bo = AdministrativeUnit.objects.get(slug="hoanh-bo")
    assert (hoanh_bo.valid_until_edtf, hoanh_bo.valid_until, hoanh_bo.valid_until_latest) == (
        "2020-01-01",
        D(2020, 1, 1),
        D(2020, 1, 1),
    )
    absorbed = hoanh_bo.changes.get(kind=UnitChange.Kind.ABSORBED)
    assert (absorbed.date, absorbed.related_unit.slug, absorbed.basis.number) == (
        D(2020, 1, 1),
        "ha-long",
        "837/NQ-UBTVQH14",
    )
    enlarged = UnitChange.objects.get(unit__slug="ha-long", kind=UnitChange.Kind.ENLARGED)
    assert (enlarged.date, enlarged.related_unit.slug, enlarged.communes_after) == (D(2020, 1, 1), "hoanh-bo", 33)
    resolution = LegalDocument.objects.get(number="837/NQ-UBTVQH14")
    assert (resolution.signed_on, resolution.effective_on) == (D(2019, 12, 17), D(2020, 1, 1))
    assert "13 đơn vị hành chính cấp huyện" in resolution.summary_vi
    assert "177" in resolution.summary_vi
    # The 2015-2020 records stay attached to Hoành Bồ as it was.
    assert Merger.objects.filter(unit=hoanh_bo).count() == 3
    assert AdministrativeUnit.objects.districts().existing_on(D(2019, 12, 31)).count() == 14
    assert AdministrativeUnit.objects.districts().existing_on(D(2020, 1, 1)).count() == 13


def test_dong_trieu_became_a_city_on_1_november_2024_by_1199_and_stays_a_town_in_the_records():
    change = UnitChange.objects.get(unit__slug="dong-trieu", kind=UnitChange.Kind.RECLASSIFIED)
    assert (change.date, change.new_kind, change.basis.number) == (D(2024, 11, 1), "thanh-pho", "1199/NQ-UBTVQH15")
    assert LegalDocument.objects.get(number="1199/NQ-UBTVQH15").signed_on == D(2024, 9, 28)
    assert AdministrativeUnit.objects.get(slug="dong-trieu").kind == "thi-xa"


def test_district_level_abolished_on_1_july_2025_by_203_and_quang_ninh_reorganised_into_54_communes():
    abolished = UnitChange.objects.filter(kind=UnitChange.Kind.ABOLISHED)
    assert abolished.count() == 13
    assert set(abolished.values_list("date", "basis__number")) == {(D(2025, 7, 1), "203/2025/QH15")}
    assert "hoanh-bo" not in abolished.values_list("unit__slug", flat=True)
    assert all("1679/NQ-UBTVQH15" in c.description_vi and "54" in c.description_vi for c in abolished)
    assert AdministrativeUnit.objects.districts().existing_on(D(2025, 6, 30)).count() == 13
    assert not AdministrativeUnit.objects.districts().existing_on(D(2025, 7, 1)).exists()
    law = LegalDocument.objects.get(number="203/2025/QH15")
    assert (law.signed_on, law.effective_on) == (None, D(2025, 7, 1))
    communes = LegalDocument.objects.get(number="1679/NQ-UBTVQH15")
    assert (communes.signed_on, communes.effective_on) == (D(2025, 6, 16), D(2025, 7, 1))


# ---------------------------------------------------------------------------
# Legal basis
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "number, signed, earliest, issuer, sources",
    [
        ("9787-CV/VPTW", "2015-02-27", D(2015, 2, 27), "Văn phòng Trung ương Đảng", [S002]),
        ("39-NQ/TW", "2015-04-17", D(2015, 4, 17), "Bộ Chính trị", [S003]),
        ("44-QĐ/TU", "2015-11-30", D(2015, 11, 30), "Ban Thường vụ Tỉnh ủy Quảng Ninh", [S002]),
        ("18-NQ/TW", "2017-10-25", D(2017, 10, 25), "Ban Chấp hành Trung ương Đảng khóa XII", [S003, S004]),
        ("19-NQ/TW", "2017-10-25", D(2017, 10, 25), "Ban Chấp hành Trung ương Đảng khóa XII", [S003]),
        # 004 gives Resolution 26 no date: none is stored.
        ("26-NQ/TW", "", None, "Ban Chấp hành Trung ương Đảng khóa XII", [S004]),
    ],
)
def test_legal_document_date_issuer_and_source(number, signed, earliest, issuer, sources):
    document = LegalDocument.objects.get(number=number)
    assert (document.signed_on_edtf, document.signed_on) == (signed, earliest)
    assert document.issuer.startswith(issuer)
    assert cited(document) == sorted(sources)
    assert document.summary_vi and document.summary_en


def test_decision_44_approved_the_district_front_bloc_scheme():
    decision = LegalDocument.objects.get(number="44-QĐ/TU")
    assert decision.kind == LegalDocument.Kind.DECISION
    assert decision.format_date("signed_on") == "30/11/2015"
    assert decision.signed_on == decision.signed_on_latest == D(2015, 11, 30)
    assert "Xây dựng cơ quan tham mưu, giúp việc chung khối MTTQ" in decision.title_vi
    assert sorted(model("khoi-mttq").basis.values_list("number", flat=True)) == ["44-QĐ/TU", "9787-CV/VPTW"]


def test_letter_9787_agreed_that_quang_ninh_pilot_the_joint_agency():
    letter = LegalDocument.objects.get(number="9787-CV/VPTW")
    assert letter.kind == LegalDocument.Kind.LETTER
    assert "đồng ý để Tỉnh ủy Quảng Ninh thí điểm" in letter.title_vi


# ---------------------------------------------------------------------------
# Merger models
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("model_slug", ["to-chuc-noi-vu", "kiem-tra-thanh-tra"])
def test_all_fourteen_districts_completed_the_model_in_early_2018(model_slug):
    of_model = Merger.objects.of_model(model(model_slug))
    assert of_model.count() == 14
    assert of_model.completed().count() == 14
    end_2018 = status_by_district(model_slug, D(2018, 12, 31))
    assert len(end_2018) == 14
    assert set(end_2018.values()) == {Status.COMPLETED}
    # "Đầu năm 2018" = January-April: certain from May; Uông Bí's own article gives only "2018".
    may_2018 = status_by_district(model_slug, D(2018, 5, 1))
    assert may_2018.pop("uong-bi") == NO_STATUS
    assert set(may_2018.values()) == {Status.COMPLETED}
    # Within early 2018 completion is possible, not certain.
    february = Merger.objects.with_status(D(2018, 2, 1)).filter(model__slug=model_slug)
    assert set(february.values_list("status", "possible_status")) == {(NO_STATUS, Status.COMPLETED)}
    stones = Milestone.objects.filter(merger__model__slug=model_slug)
    assert stones.count() == 14  # one per district: the merger itself
    dated = dict(stones.values_list("merger__unit__slug", "date_edtf"))
    assert dated.pop("uong-bi") == "2018"
    assert set(dated.values()) == {"2018-37"}
    for stone in stones.exclude(merger__unit__slug="uong-bi"):
        assert (stone.status, stone.date, stone.date_latest) == (Status.COMPLETED, D(2018, 1, 1), D(2018, 4, 30))
        assert cited(stone) == [S000]
        assert stone.note_vi.startswith("Bài viết: “Đầu năm 2018, Quảng Ninh triển khai hợp nhất Ban Tổ chức")
        assert stone.note_en.startswith("The article: “In early 2018")
    # The article of 2019 reporting 14/14 adds no later milestone ("completed 2019" was its date, not the event's).
    assert not stones.filter(date_latest__gt=D(2018, 12, 31)).exists()
    assert set(Body.objects.filter(formed_by__model__slug=model_slug).values_list("sector", flat=True)) == {"joint"}


def test_as_of_june_2016_no_organisation_home_affairs_merger_is_completed():
    assert not Merger.objects.of_model(model("to-chuc-noi-vu")).completed(D(2016, 6, 1)).exists()
    assert set(status_by_district("to-chuc-noi-vu", D(2016, 6, 1)).values()) == {NO_STATUS}


@pytest.mark.parametrize("model_slug", ["to-chuc-noi-vu", "kiem-tra-thanh-tra"])
def test_uong_bi_completed_both_mergers_in_2018_per_its_own_article(model_slug):
    merger = Merger.objects.get(slug=f"uong-bi-{model_slug}")
    (done,) = merger.milestones.all()
    assert (done.status, done.date_edtf, done.date, done.date_latest) == (
        Status.COMPLETED,
        "2018",
        D(2018, 1, 1),
        D(2018, 12, 31),
    )
    assert slugs(done.sources) == [S001]
    assert done.note_vi.startswith("Bài viết về Uông Bí: “Năm 2018, Uông Bí tiếp tục tiến hành hợp nhất")
    # Certain at the end of 2018, and no later report overrides its date.
    for day in (D(2018, 12, 31), D(2019, 12, 31), D(2024, 1, 1)):
        status = Merger.objects.with_status(day).get(pk=merger.pk)
        assert (status.status, status.status_edtf) == (Status.COMPLETED, "2018"), day
    assert not Merger.objects.filter(pk=merger.pk).completed(D(2018, 6, 1)).exists()
    assert set(merger.constituents.values_list("ended_on_edtf", flat=True)) == {"2018"}
    assert merger.result.founded_on_edtf == "2018"
    # Elsewhere: early 2018, from the article on the province.
    cam_pha = Merger.objects.get(slug=f"cam-pha-{model_slug}")
    assert set(cam_pha.constituents.values_list("ended_on_edtf", flat=True)) == {"2018-37"}


def test_no_milestone_is_dated_after_the_completion_it_follows():
    """A later report never adds a milestone: nothing after a merger's first certain completion."""
    late = []
    for merger in Merger.objects.prefetch_related("milestones"):
        stones = list(merger.milestones.all())
        done = [m.date_latest for m in stones if m.status == Status.COMPLETED and m.date_latest]
        if not done:
            continue
        late += [
            f"{merger.slug} {m.status} {m.date_edtf}"
            for m in stones
            if m.status != Status.REVERSED and (m.date_latest is None or m.date_latest > min(done))
        ]
    assert late == []


def test_report_dated_milestones_have_the_report_date_as_latest_day_not_as_date():
    reported = {
        "quang-ninh-van-phong-tinh": ("../2019-12-07", None, D(2019, 12, 7)),
        "quang-ninh-khoi-mttq": ("../2019-12-07", None, D(2019, 12, 7)),
        "uong-bi-truong-th-thcs-nam-khe": ("../2020-09-18", None, D(2020, 9, 18)),
        "cam-pha-khoi-mttq": ("2015-11-30/2017-09-27", D(2015, 11, 30), D(2017, 9, 27)),
    }
    for slug, expected in reported.items():
        stone = Milestone.objects.get(merger__slug=slug, status=Status.COMPLETED)
        assert (stone.date_edtf, stone.date, stone.date_latest) == expected, slug
    # No completion is dated by the day an article or a meeting reported it.
    report_days = {D(2017, 9, 27), D(2017, 9, 28), D(2019, 12, 7), D(2020, 1, 14), D(2020, 9, 18)}
    assert not Milestone.objects.filter(status=Status.COMPLETED, date__in=report_days).exists()
    assert not Milestone.objects.filter(status=Status.COMPLETED, date__year=2019, date_latest__year=2019).exists()


def test_every_milestone_note_starts_with_its_source_passage_without_research_shorthand():
    for stone in Milestone.objects.all():
        assert stone.note_vi.startswith("Bài viết"), stone
        assert "“" in stone.note_vi and "”" in stone.note_vi, stone
        assert stone.note_en.startswith("The article"), stone
        for note in (stone.note_vi, stone.note_en):
            assert not re.search(r"(?i)\b(bài|article) 00\d|\.txt", note), stone


def test_no_public_note_names_a_seed_file_or_article_number():
    found = []
    for m in seed_models():
        fields = [
            f.name
            for f in m._meta.get_fields()
            if f.name.startswith(("note", "description", "summary")) or f.name == "date_note"
        ]
        for obj in m.objects.all():
            for name in fields:
                text = getattr(obj, name) or ""
                if re.search(r"(?i)\b(bài|article) 00\d|\b00\d_[0-9a-f]+\.txt", text):
                    found.append(f"{m.__name__} {obj}: {name}")
    assert found == []


def test_each_district_merger_joins_a_party_body_and_a_state_body():
    merger = Merger.objects.get(slug="uong-bi-to-chuc-noi-vu")
    assert merger.title_vi == "Hợp nhất Ban Tổ chức Thành ủy Uông Bí và Phòng Nội vụ thành phố Uông Bí"
    assert [(b.name_vi, b.sector) for b in merger.constituents.order_by("constituent_links__order")] == [
        ("Ban Tổ chức Thành ủy Uông Bí", "party"),
        ("Phòng Nội vụ thành phố Uông Bí", "state"),
    ]
    assert merger.result.name_vi == "Cơ quan Tổ chức - Nội vụ Thành ủy Uông Bí"
    inspection = Merger.objects.get(slug="ba-che-kiem-tra-thanh-tra")
    assert sorted(inspection.constituents.values_list("name_vi", flat=True)) == [
        "Thanh tra huyện Ba Chẽ",
        "Ủy ban Kiểm tra Huyện ủy Ba Chẽ",
    ]
    closed = Body.objects.filter(constituent_links__merger__model__slug__in=["to-chuc-noi-vu", "kiem-tra-thanh-tra"])
    assert closed.count() == 56
    assert set(closed.values_list("end_reason", flat=True)) == {"merged"}
    assert not closed.filter(successor__isnull=True).exists()


def test_the_two_models_cut_28_focal_points():
    figure = figures()["quang-ninh-giam-28-dau-moi"]
    assert figure.value == 28
    assert figure.computed == 28
    assert cited(figure) == [S000]
    assert sorted(figure.merger_models.values_list("slug", flat=True)) == ["kiem-tra-thanh-tra", "to-chuc-noi-vu"]


def test_heads_titles_were_unified_in_all_14_districts_two_to_three_years_before_the_merger():
    found = figures()
    for slug, combination in (
        ("quang-ninh-truong-ban-to-chuc-noi-vu-14-14", "organisation_home_affairs"),
        ("quang-ninh-ubkt-chanh-thanh-tra-14-14", "inspection_inspectorate"),
    ):
        figure = found[slug]
        assert (figure.value, figure.denominator, figure.combination) == (14, 14, combination)
        assert "2 - 3 năm trước khi hợp nhất" in figure.note_vi
        assert cited(figure) == sorted([S000, S004])
        # Two to three years before early 2018: about 2015-2016, inferred, not a printed year.
        assert (figure.as_of_edtf, figure.as_of, figure.as_of_latest) == ("2015~/2016~", D(2015, 1, 1), D(2016, 12, 31))
        assert "suy ra" in figure.note_vi
    # The only per-district holdings of these titles (Uông Bí) start then too.
    holdings = Holding.objects.filter(
        unit__slug="uong-bi", combination__in=["organisation_home_affairs", "inspection_inspectorate"]
    )
    assert holdings.count() == 2
    for holding in holdings:
        assert (holding.start_date_edtf, holding.start_date_latest) == ("2015~/2016~", D(2016, 12, 31))
        assert S000 in cited(holding)
        assert "2 - 3 năm trước khi hợp nhất" in holding.note


def test_twelve_of_fourteen_districts_had_the_front_bloc_agency_by_27_september_2017():
    statuses = status_by_district("khoi-mttq", D(2017, 9, 27))
    assert sorted(d for d, s in statuses.items() if s == Status.PLANNED) == ["dam-ha", "ha-long"]
    assert sum(1 for s in statuses.values() if s == Status.COMPLETED) == 12
    assert Merger.objects.of_model(model("khoi-mttq")).completed(D(2017, 9, 27)).count() == 12
    for district in ("ha-long", "dam-ha"):
        merger = Merger.objects.get(slug=f"{district}-khoi-mttq")
        assert merger.result is None
        assert not Body.objects.filter(slug=f"{district}-co-quan-khoi-mttq").exists()
    completed = Milestone.objects.filter(
        merger__model__slug="khoi-mttq", status=Status.COMPLETED, date_edtf="2015-11-30/2017-09-27"
    )
    assert completed.count() == 11  # the twelfth, Uông Bí, has its own date
    assert all(cited(m) == [S002] for m in completed)
    assert set(completed.values_list("date", "date_latest")) == {(D(2015, 11, 30), D(2017, 9, 27))}
    assert all("trong khoảng từ Quyết định 44-QĐ/TU" in m.note_vi for m in completed)
    planned = Milestone.objects.filter(merger__model__slug="khoi-mttq", status=Status.PLANNED, date=D(2015, 11, 30))
    assert planned.count() == 14
    assert set(planned.values_list("basis__number", flat=True)) == {"44-QĐ/TU"}


def test_as_of_june_2016_no_district_but_uong_bi_certainly_had_the_front_bloc_agency():
    statuses = Merger.objects.with_status(D(2016, 6, 1)).filter(model__slug="khoi-mttq")
    certain = dict(statuses.values_list("unit__slug", "status"))
    assert certain.pop("uong-bi") == Status.COMPLETED
    assert set(certain.values()) == {Status.PLANNED}
    # Between the decision and the conference: possibly set up, in the 11 others only.
    possible = dict(statuses.exclude(unit__slug="uong-bi").values_list("unit__slug", "possible_status"))
    assert possible.pop("ha-long") is None and possible.pop("dam-ha") is None
    assert set(possible.values()) == {Status.COMPLETED}
    assert len(possible) == 11


def test_ha_long_and_dam_ha_bloc_agency_only_planned_as_of_the_conference():
    for district in ("ha-long", "dam-ha"):
        stones = Milestone.objects.filter(merger__slug=f"{district}-khoi-mttq")
        assert sorted(stones.values_list("status", "date_edtf")) == [
            (Status.PLANNED, "2015-11-30"),
            (Status.PLANNED, "2017-09-27"),
        ]
        merger = Merger.objects.with_status(D(2025, 1, 1)).get(slug=f"{district}-khoi-mttq")
        assert (merger.status, merger.status_edtf, merger.possible_status) == (Status.PLANNED, "2017-09-27", None)
        assert "TP Hạ Long và huyện Đầm Hà" in stones.get(date_edtf="2017-09-27").note_vi


def test_the_front_bloc_agency_serves_the_six_organisations_which_keep_existing():
    merger = Merger.objects.get(slug="co-to-khoi-mttq")
    assert merger.kind == Merger.Kind.JOINT_AGENCY
    assert sorted(merger.constituents.values_list("function", flat=True)) == sorted(
        ["front", "women", "youth", "farmers", "veterans", "labour"]
    )
    assert "Hội Cựu chiến binh huyện Cô Tô" in merger.constituents.values_list("name_vi", flat=True)
    assert not merger.constituents.exclude(end_reason="").exists()
    assert merger.result.name_vi == (
        "Cơ quan tham mưu, giúp việc chung Khối MTTQ và các đoàn thể chính trị - xã hội huyện Cô Tô"
    )
    assert list(merger.basis.values_list("number", flat=True)) == ["44-QĐ/TU"]


def test_front_bloc_headcount_fell_12_54_percent_in_two_years():
    figure = ReportedFigure.objects.get(slug="quang-ninh-khoi-mttq-tinh-gian-12-54")
    assert (figure.value, figure.measure) == (Decimal("12.54"), "percent")
    assert figure.as_of == D(2017, 9, 27)
    assert cited(figure) == [S002]


def test_province_merged_its_three_offices_and_set_up_a_front_bloc_agency():
    offices = Merger.objects.with_status(D(2019, 12, 7)).get(slug="quang-ninh-van-phong-tinh")
    assert (offices.status, offices.status_edtf, offices.status_date) == (Status.COMPLETED, "../2019-12-07", None)
    assert (offices.result.founded_on_edtf, offices.result.founded_on) == ("../2019-12-07", None)
    assert set(offices.constituents.values_list("ended_on_edtf", flat=True)) == {"../2019-12-07"}
    # No start is known: before the inspection it is only possible.
    before = Merger.objects.with_status(D(2015, 1, 1)).get(slug="quang-ninh-van-phong-tinh")
    assert (before.status, before.possible_status) == (NO_STATUS, Status.COMPLETED)
    assert offices.model.level == "province"
    assert sorted(offices.constituents.values_list("name_vi", flat=True)) == [
        "Văn phòng HĐND tỉnh Quảng Ninh",
        "Văn phòng UBND tỉnh Quảng Ninh",
        "Văn phòng Đoàn ĐBQH tỉnh Quảng Ninh",
    ]
    assert offices.result.name_vi == "Văn phòng Đoàn ĐBQH, HĐND và UBND tỉnh Quảng Ninh"
    front = Merger.objects.with_status(D(2019, 12, 7)).get(slug="quang-ninh-khoi-mttq")
    # Article 004 lists the province's own Front-bloc agency: it has its
    # province-level model, so the dashboard shows it instead of "none".
    assert (front.status, front.model.slug, front.kind) == (
        Status.COMPLETED,
        "khoi-mttq-tinh",
        Merger.Kind.JOINT_AGENCY,
    )
    assert front.constituents.count() == 6
    assert cited(offices) == cited(front) == [S004]


# ---------------------------------------------------------------------------
# Per-district records
# ---------------------------------------------------------------------------
def test_ha_long_organisation_home_affairs_headcount_fell_from_20_to_15():
    merger = Merger.objects.with_headcount().get(slug="ha-long-to-chuc-noi-vu")
    assert (merger.headcount_before, merger.headcount_after) == (20, 15)
    for figure in Headcount.objects.filter(merger=merger):
        assert cited(figure) == [S000]
    assert not Headcount.objects.exclude(merger=merger).exists()  # no other source gives headcount


def test_ha_long_agency_serves_over_18000_party_members_and_is_headed_by_nguyen_huu_tho():
    figure = ReportedFigure.objects.get(slug="ha-long-18000-dang-vien")
    assert (figure.value, figure.measure, figure.unit.slug) == (18000, "people", "ha-long")
    assert cited(figure) == [S000]
    holding = Holding.objects.get(holder_name="Nguyễn Hữu Thọ")
    post = holding.posts.get()
    assert post.title_vi == "Thủ trưởng Cơ quan Tổ chức - Nội vụ Thành ủy Hạ Long"
    assert post.body.slug == "ha-long-co-quan-to-chuc-noi-vu"
    assert (holding.combination, holding.reported_on_edtf) == ("", "2019")
    assert cited(holding) == [S000]
    assert "hơn 1 năm" in Merger.objects.get(slug="ha-long-to-chuc-noi-vu").note_vi


def test_hoanh_bo_inspection_agency_headed_by_nguyen_hoang_quy():
    holding = Holding.objects.get(holder_name="Nguyễn Hoàng Quý")
    assert holding.posts.get().title_vi == "Thủ trưởng Cơ quan Kiểm tra - Thanh tra Huyện ủy Hoành Bồ"
    assert holding.unit.slug == "hoanh-bo"
    assert cited(holding) == [S000]
    assert Body.objects.get(slug="hoanh-bo-co-quan-kiem-tra-thanh-tra").name_vi == (
        "Cơ quan Kiểm tra - Thanh tra Huyện ủy Hoành Bồ"
    )
    assert "hơn 1 năm thí điểm" in Merger.objects.get(slug="hoanh-bo-kiem-tra-thanh-tra").note_vi


def test_uong_bi_set_up_its_front_bloc_agency_in_early_2016():
    agency = Body.objects.get(slug="uong-bi-co-quan-khoi-mttq")
    assert (agency.founded_on_edtf, agency.founded_on, agency.founded_on_latest) == (
        "2016-37",
        D(2016, 1, 1),
        D(2016, 4, 30),
    )
    assert S001 in cited(agency)
    stones = Milestone.objects.filter(merger__slug="uong-bi-khoi-mttq")
    assert sorted(stones.values_list("status", "date_edtf")) == [
        (Status.COMPLETED, "2016-37"),
        (Status.PLANNED, "2015-11-30"),
    ]
    assert cited(stones.get(status=Status.COMPLETED)) == [S001]
    for other in ("cam-pha", "co-to"):
        assert Body.objects.get(slug=f"{other}-co-quan-khoi-mttq").founded_on_edtf == "2015-11-30/2017-09-27"
    statuses = status_by_district("khoi-mttq", D(2016, 12, 31))
    assert [d for d, s in statuses.items() if s == Status.COMPLETED] == ["uong-bi"]


def test_uong_bi_moved_training_to_the_propaganda_board_and_finance_to_the_party_office_in_2017():
    training = Merger.objects.with_status().get(slug="uong-bi-chuyen-nhiem-vu-dao-tao")
    assert (training.kind, training.status, training.status_edtf) == ("transfer", Status.COMPLETED, "2017")
    assert (training.status_date, training.status_date_latest) == (D(2017, 1, 1), D(2017, 12, 31))
    assert training.constituents.get().slug == "uong-bi-trung-tam-bdct"
    assert training.result.name_vi == "Ban Tuyên giáo Thành ủy Uông Bí"
    finance = Merger.objects.with_status().get(slug="uong-bi-chuyen-nhiem-vu-tai-chinh")
    assert finance.result.name_vi == "Văn phòng Thành ủy Uông Bí"
    assert finance.status_edtf == "2017"
    assert Milestone.objects.get(merger=finance).note_vi.startswith("Bài viết về Uông Bí: “Năm 2017, Ban Thường vụ")
    assert "does not say explicitly" in finance.note_en
    assert (
        not Body.objects.filter(slug__in=["uong-bi-trung-tam-bdct", "uong-bi-ban-tuyen-giao"])
        .closed(D(2020, 9, 18))
        .exists()
    )


def test_uong_bi_merged_both_pairs_in_2018_and_set_up_front_bloc_units_for_11_communes():
    for slug in ("uong-bi-ban-to-chuc", "uong-bi-phong-noi-vu", "uong-bi-uy-ban-kiem-tra", "uong-bi-thanh-tra"):
        body = Body.objects.get(slug=slug)
        assert (body.ended_on_edtf, body.ended_on, body.end_reason) == ("2018", D(2018, 1, 1), "merged")
        assert cited(body) == sorted([S000, S001])
    assert cited(Merger.objects.get(slug="uong-bi-to-chuc-noi-vu")) == sorted([S000, S001])
    figure = ReportedFigure.objects.get(slug="uong-bi-khoi-mttq-11-xa-phuong")
    assert (figure.value, figure.as_of_edtf, figure.as_of_latest) == (11, "2018", D(2018, 12, 31))
    assert cited(figure) == [S001]
    # Elsewhere no day or month per district: the province's "early 2018".
    cam_pha = Body.objects.get(slug="cam-pha-ban-to-chuc")
    assert (cam_pha.ended_on_edtf, cam_pha.ended_on, cam_pha.ended_on_latest) == (
        "2018-37",
        D(2018, 1, 1),
        D(2018, 4, 30),
    )


def test_uong_bi_quarter_and_commune_merged_by_end_of_2019():
    cau_sen = UnitChange.objects.get(unit__slug="khu-cau-sen")
    assert (cau_sen.kind, cau_sen.related_unit.slug, cau_sen.date_edtf) == ("absorbed", "khu-phu-thanh-tay", "../2019")
    assert (cau_sen.date, cau_sen.date_latest) == (None, D(2019, 12, 31))  # "Hết năm 2019": by the end of 2019
    assert "“Hết năm 2019, thành phố đã hoàn thành sáp nhập" in cau_sen.description_vi
    assert cau_sen.related_unit.parent.name_vi == "Phường Yên Thanh"
    dien_cong = UnitChange.objects.get(unit__slug="xa-dien-cong")
    assert (dien_cong.kind, dien_cong.related_unit.name_vi, dien_cong.date_edtf) == (
        "absorbed",
        "Phường Trưng Vương",
        "../2019",
    )
    assert AdministrativeUnit.objects.get(slug="xa-dien-cong").valid_until is None  # exact end not known
    assert cited(dien_cong) == cited(cau_sen) == [S001]
    assert AdministrativeUnit.objects.get(slug="phuong-trung-vuong").district.slug == "uong-bi"


def test_uong_bi_merged_two_schools_into_nam_khe_primary_and_lower_secondary_school_before_september_2020():
    merger = Merger.objects.with_status().get(slug="uong-bi-truong-th-thcs-nam-khe")
    assert merger.result.name_vi == "Trường TH & THCS Nam Khê"
    assert sorted(merger.constituents.values_list("name_vi", flat=True)) == [
        "Trường THCS Nam Khê",
        "Trường Tiểu học Bạch Đằng",
    ]
    # Only an undated photo caption: on or before the article's publication (18/09/2020).
    assert (merger.status, merger.status_edtf, merger.status_date, merger.status_date_latest) == (
        Status.COMPLETED,
        "../2020-09-18",
        None,
        D(2020, 9, 18),
    )
    assert "chú thích ảnh" in Milestone.objects.get(merger=merger).note_vi
    assert set(merger.constituents.values_list("ended_on_edtf", flat=True)) == {"../2020-09-18"}
    assert merger.result.founded_on_edtf == "../2020-09-18"
    assert set(merger.constituents.values_list("sector", "function", "successor__slug")) == {
        ("public_service", "education", "uong-bi-truong-th-thcs-nam-khe")
    }


def test_uong_bi_cut_5_school_sites_and_made_units_self_financing():
    found = figures()
    expected = {
        "uong-bi-giam-5-diem-truong": (5, "count"),
        "uong-bi-5-don-vi-tu-chu-100": (5, "count"),
        "uong-bi-4-don-vi-tu-chu-mot-phan": (4, "count"),
        "uong-bi-giam-chi-11-ty": (11, "billion_vnd"),
    }
    for slug, (value, measure) in expected.items():
        figure = found[slug]
        assert (figure.value, figure.measure, figure.unit.slug) == (value, measure, "uong-bi")
        assert cited(figure) == [S001]
    assert "tăng 2 đơn vị so với năm 2015" in found["uong-bi-5-don-vi-tu-chu-100"].statement_vi
    assert "10-50%" in found["uong-bi-4-don-vi-tu-chu-mot-phan"].statement_vi
    assert "2 đơn vị sự nghiệp" in found["uong-bi-giam-chi-11-ty"].statement_vi


def test_provincial_organisation_board_head_nguyen_duc_thanh():
    holding = Holding.objects.get(holder_name="Nguyễn Đức Thành")
    assert holding.posts.get().title_vi == "Trưởng Ban Tổ chức Tỉnh ủy Quảng Ninh"
    assert holding.unit.slug == "quang-ninh"
    assert cited(holding) == [S000]


def test_nguyen_van_doc_was_provincial_party_secretary_and_council_chair():
    holding = Holding.objects.get(holder_name="Nguyễn Văn Đọc")
    assert holding.combination == Holding.Combination.SECRETARY_COUNCIL
    assert sorted(holding.posts.values_list("title_vi", flat=True)) == [
        "Bí thư Tỉnh ủy Quảng Ninh",
        "Chủ tịch HĐND tỉnh Quảng Ninh",
    ]
    assert (holding.reported_on_edtf, holding.reported_on) == ("2017-09-27", D(2017, 9, 27))
    assert cited(holding) == [S002]


# ---------------------------------------------------------------------------
# Unified leadership titles
# ---------------------------------------------------------------------------
def test_province_unified_mass_mobilisation_head_and_front_chair():
    holding = Holding.objects.get(unit__slug="quang-ninh", combination="mobilisation_front")
    assert holding.holder_name == ""
    assert sorted(holding.posts.values_list("title_vi", flat=True)) == [
        "Chủ tịch Ủy ban MTTQ Việt Nam tỉnh Quảng Ninh",
        "Trưởng Ban Dân vận Tỉnh ủy Quảng Ninh",
    ]
    assert holding.reported_on == D(2019, 12, 7)
    assert cited(holding) == [S004]


def test_three_of_fourteen_district_secretaries_chair_the_council_as_a_reported_figure_not_holdings():
    found = figures()
    for slug, combination in (
        ("quang-ninh-bi-thu-chu-tich-hdnd-3-14", "secretary_council"),
        ("quang-ninh-bi-thu-chu-tich-ubnd-3-14", "secretary_committee"),
    ):
        figure = found[slug]
        assert (figure.value, figure.denominator, figure.counted_level) == (3, 14, "district")
        assert figure.combination == combination
        assert cited(figure) == [S004]
        # No per-district records are invented, so the records cannot reproduce
        # it: the article only gives the total, which is not a mismatch.
        assert figure.computed == 0
        assert not figure.names_units
        assert figure.total_only and not figure.mismatch
        assert not Holding.objects.filter(
            combination=combination, unit__level="district", reported_on__lte=D(2019, 12, 7)
        ).exists()


def test_district_mass_mobilisation_and_front_chair_reported_without_a_count():
    figure = ReportedFigure.objects.get(slug="quang-ninh-dan-van-mttq-cap-huyen")
    assert figure.value is None
    assert (figure.combination, figure.counted_level) == ("mobilisation_front", "district")
    assert cited(figure) == [S004]


def test_uong_bi_holds_five_unified_titles_in_2020():
    holdings = Holding.objects.filter(unit__slug="uong-bi").unified()
    assert sorted(holdings.values_list("combination", flat=True)) == sorted(
        [
            "secretary_council",
            "inspection_inspectorate",
            "organisation_home_affairs",
            "mobilisation_front",
            "propaganda_training",
        ]
    )
    assert set(holdings.values_list("reported_on", flat=True)) == {D(2020, 9, 18)}
    front = holdings.get(combination="mobilisation_front")
    assert sorted(front.posts.values_list("title_vi", flat=True)) == [
        "Chủ tịch Ủy ban MTTQ Việt Nam thành phố Uông Bí",
        "Trưởng Ban Dân vận Thành ủy Uông Bí",
        "Trưởng Khối MTTQ và các đoàn thể chính trị - xã hội thành phố Uông Bí",
    ]
    training = holdings.get(combination="propaganda_training")
    assert sorted(training.posts.values_list("body__slug", flat=True)) == [
        "uong-bi-ban-tuyen-giao",
        "uong-bi-trung-tam-bdct",
    ]
    assert all(S001 in cited(h) for h in holdings)
    # Only the start of the two titles unified before the 2018 merger rests on the province-wide article.
    started = holdings.exclude(start_date_edtf="")
    assert sorted(started.values_list("combination", flat=True)) == [
        "inspection_inspectorate",
        "organisation_home_affairs",
    ]
    assert all(cited(h) == sorted([S000, S001]) for h in started)
    assert all(cited(h) == [S001] for h in holdings.filter(start_date_edtf=""))


def test_uong_bi_communes_7_of_10_and_villages_100_of_100():
    found = figures()
    communes = found["uong-bi-bi-thu-chu-tich-ubnd-7-10"]
    assert (communes.value, communes.denominator, communes.counted_level) == (7, 10, "commune")
    assert communes.combination == "secretary_committee"
    villages = found["uong-bi-bi-thu-chi-bo-truong-khu-100-100"]
    assert (villages.value, villages.denominator, villages.counted_level) == (100, 100, "village")
    assert villages.combination == "cell_village"
    assert cited(communes) == cited(villages) == [S001]


def test_province_villages_99_8_percent_cell_secretary_and_village_head():
    figure = ReportedFigure.objects.get(slug="quang-ninh-bi-thu-chi-bo-truong-thon-99-8")
    assert (figure.value, figure.measure, figure.combination) == (Decimal("99.8"), "percent", "cell_village")
    assert figure.as_of == D(2019, 12, 7)
    assert cited(figure) == [S004]


def test_province_had_186_communes_in_2019():
    figure = figures()["quang-ninh-186-xa-phuong"]
    assert (figure.value, figure.computed) == (186, 186)
    assert cited(figure) == [S004]


# ---------------------------------------------------------------------------
# Cross-cutting rules
# ---------------------------------------------------------------------------
def seed_models():
    for app in ("agencies", "mergers"):
        for m in apps.get_app_config(app).get_models():
            if not m.__name__.startswith("Historical"):
                yield m


def test_every_record_cites_at_least_one_source():
    uncited = []
    for m in seed_models():
        if m is Source or not any(f.name == "sources" for f in m._meta.get_fields()):
            continue
        for obj in m.objects.filter(sources__isnull=True):
            if m is LegalDocument and obj.effective_on and obj.effective_on.year >= 2020:
                continue  # a later resolution is itself the source
            if m is UnitChange and obj.basis_id:
                continue  # a later change cites its resolution (legal documents are sources)
            uncited.append(f"{m.__name__} {obj}")
    assert uncited == []
    assert UnitChange.objects.filter(sources__isnull=True, basis__isnull=True).count() == 0


def uncertain_dates():
    """(model, base name) of every uncertain date of the seeded models."""
    for m in seed_models():
        for name in getattr(m, "uncertain_dates", ()):
            yield m, name


def test_every_uncertain_date_has_its_earliest_and_latest_day_as_save_would_derive_them():
    checked = 0
    for m, name in uncertain_dates():
        for edtf, earliest, latest in m.objects.values_list(f"{name}_edtf", name, f"{name}_latest"):
            assert (earliest, latest) == bounds(edtf), f"{m.__name__}.{name} = {edtf!r}"
            checked += bool(edtf)
    assert checked > 200


def article_texts(obj):
    """The texts of the articles a record cites (a source: its own text)."""
    sources = [obj] if isinstance(obj, Source) else list(obj.sources.all())
    return [(SEEDS / source.seed_file).read_text(encoding="utf-8") for source in sources if source.seed_file]


PARTS = {"37": "đầu năm", "38": "giữa năm", "39": "cuối năm", "40": "nửa đầu năm", "41": "nửa cuối năm"}


def printed(core, texts):
    """Whether the texts print the day, month or part of a year that `core` (one EDTF side) states."""
    parts = core.split("-")
    if len(parts) == 1:
        return True  # a year states no day or month
    year, second = int(parts[0]), parts[1]
    if len(parts) == 2 and second in PARTS:
        return any(f"{PARTS[second]} {year}" in text.lower() for text in texts)
    month = int(second)
    if len(parts) == 2:
        pattern = rf"(?<!\d)0?{month}/{year}|tháng 0?{month}\b"
    else:
        pattern = rf"(?<![\d/])0?{int(parts[2])}/0?{month}(?!\d)"
    return any(re.search(pattern, text) for text in texts)


def test_no_date_states_a_day_or_month_its_sources_do_not_print():
    """Every EDTF value of the seed: a day ("dd/mm", "d/m") or month must be printed by a cited article;
    a later resolution's own days (LegalDocument records) are their own evidence."""
    if not SEEDS.exists():
        pytest.skip(f"{SEEDS} is not available here")
    legal_days = set()
    for document in LegalDocument.objects.exclude(sources__kind=Source.Kind.ARTICLE):
        legal_days |= {document.signed_on_edtf, document.effective_on_edtf} - {""}
    unsupported, checked = [], 0
    for m, name in uncertain_dates():
        rows = m.objects.exclude(**{f"{name}_edtf": ""})
        for obj in rows if m is Source else rows.prefetch_related("sources"):
            if m is Source and obj.kind == Source.Kind.LEGAL_DOCUMENT:
                continue  # a resolution or the Constitution: its own date is its evidence
            edtf = getattr(obj, f"{name}_edtf")
            texts = article_texts(obj)
            for side in edtf.split("/"):
                core = side.rstrip("~?%")
                if core in ("..", ""):
                    continue
                checked += 1
                if core in legal_days or printed(core, texts):
                    continue
                unsupported.append(f"{m.__name__} {obj}: {name} = {edtf}")
    assert unsupported == []
    assert checked > 200


def test_the_evidence_check_refuses_what_the_articles_do_not_print():
    text = (SEEDS / "002_62aee946d1876687.txt").read_text(encoding="utf-8") if SEEDS.exists() else "Chiều 27/9/2017"
    assert printed("2017-09-27", [text])
    assert not printed("2017-09-26", [text])
    assert printed("2017-09", [text]) and not printed("2017-08", [text])
    assert printed("2018-37", ["Đầu năm 2018, Quảng Ninh"])
    assert not printed("2018-39", ["Đầu năm 2018, Quảng Ninh"])
    assert not printed("2019-01-01", ["Hết năm 2019"])


@pytest.mark.parametrize(
    "slug, edtf",
    [
        ("quang-ninh-to-chuc-noi-vu-14-14", "2019"),
        ("quang-ninh-kiem-tra-thanh-tra-14-14", "2019"),
        ("quang-ninh-giam-28-dau-moi", "2019"),
        ("ha-long-18000-dang-vien", "2019"),
        ("quang-ninh-khoi-mttq-12-14", "2017-09-27"),
        ("quang-ninh-khoi-mttq-tinh-gian-12-54", "2017-09-27"),
        ("quang-ninh-bi-thu-chu-tich-hdnd-3-14", "2019-12-07"),
        ("quang-ninh-186-xa-phuong", "2019-12-07"),
        ("uong-bi-khoi-mttq-11-xa-phuong", "2018"),
        ("uong-bi-bi-thu-chi-bo-truong-khu-100-100", "2020-09-18"),
        ("uong-bi-giam-chi-11-ty", "2020-09-18"),
    ],
)
def test_figures_are_as_of_the_date_of_their_report(slug, edtf):
    assert ReportedFigure.objects.get(slug=slug).as_of_edtf == edtf


def test_ha_long_headcount_after_is_as_of_the_article_and_before_is_undated():
    before = Headcount.objects.get(merger__slug="ha-long-to-chuc-noi-vu", phase="before")
    after = Headcount.objects.get(merger__slug="ha-long-to-chuc-noi-vu", phase="after")
    assert (before.as_of_edtf, before.as_of, before.as_of_latest) == ("", None, None)
    assert (after.as_of_edtf, after.as_of, after.as_of_latest) == ("2019", D(2019, 1, 1), D(2019, 12, 31))
    assert "“Số biên chế giảm từ 20 xuống còn 15 người…”" in after.note


def test_later_administrative_changes_keep_the_exact_days_of_their_resolutions():
    changes = UnitChange.objects.filter(basis__isnull=False)
    assert set(changes.values_list("basis__number", "date_edtf")) == {
        ("837/NQ-UBTVQH14", "2020-01-01"),
        ("1199/NQ-UBTVQH15", "2024-11-01"),
        ("203/2025/QH15", "2025-07-01"),
    }
    assert all(c.date == c.date_latest for c in changes)
