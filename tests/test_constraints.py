"""Every database constraint and clean() rule refuses bad data with its message.

Each rule is tested twice where it exists twice: `full_clean()` (what an
editor sees in a form) and the database itself (what a script or an import
that skips validation hits), the latter by the constraint's name.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from agencies.models import AdministrativeUnit, Body, Holding, LegalDocument, Post, UnitChange
from mergers.models import Constituent, Headcount, Merger, Milestone, ReportedFigure
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture(autouse=True)
def english():
    """Messages are compared as written in the models (English msgids)."""
    with translation.override("en"):
        yield


def messages_of(excinfo):
    return [message for messages in excinfo.value.message_dict.values() for message in messages]


def assert_refused(obj, message):
    with pytest.raises(ValidationError) as excinfo:
        obj.full_clean()
    assert message in messages_of(excinfo), messages_of(excinfo)


def assert_db_refuses(constraint_name, write):
    with transaction.atomic(), pytest.raises(IntegrityError) as excinfo:
        write()
    if constraint_name:
        assert constraint_name in str(excinfo.value)


@pytest.fixture
def ha_long():
    district = factories.DistrictFactory(gso_code="193", slug="ha-long", name_vi="Thành phố Hạ Long")
    board = factories.BodyFactory(unit=district, slug="ban-to-chuc-ha-long", name_vi="Ban Tổ chức Thành ủy Hạ Long")
    office = factories.BodyFactory(unit=district, slug="phong-noi-vu-ha-long", name_vi="Phòng Nội vụ thành phố Hạ Long")
    result = factories.BodyFactory(
        unit=district, slug="to-chuc-noi-vu-ha-long", name_vi="Cơ quan Tổ chức - Nội vụ Thành ủy Hạ Long"
    )
    merger = factories.MergerFactory(unit=district, result=result, constituents=[board, office])
    return {"district": district, "board": board, "office": office, "result": result, "merger": merger}


# -- mergers and constituents -------------------------------------------------


def test_a_body_cannot_be_merged_into_itself(ha_long):
    merger = ha_long["merger"]
    assert_refused(Constituent(merger=merger, body=ha_long["result"]), "A body cannot be merged into itself.")


def test_a_constituent_must_belong_to_the_mergers_unit(ha_long):
    uong_bi = factories.DistrictFactory(gso_code="196", slug="uong-bi", name_vi="Thành phố Uông Bí")
    foreign = factories.BodyFactory(unit=uong_bi, name_vi="Phòng Nội vụ thành phố Uông Bí")
    assert_refused(
        Constituent(merger=ha_long["merger"], body=foreign),
        "A constituent must belong to the merger's unit (Thành phố Hạ Long).",
    )


def test_a_body_cannot_be_merged_into_two_different_results(ha_long):
    other_result = factories.BodyFactory(
        unit=ha_long["district"], name_vi="Cơ quan Kiểm tra - Thanh tra Thành ủy Hạ Long"
    )
    second = factories.MergerFactory(unit=ha_long["district"], result=other_result, constituents=[])
    assert_refused(Constituent(merger=second, body=ha_long["board"]), "This body is already merged into another body.")
    # A transfer of tasks keeps both bodies: the same body may appear again.
    transfer = factories.MergerFactory(
        unit=ha_long["district"], result=other_result, kind=Merger.Kind.TRANSFER, constituents=[]
    )
    Constituent(merger=transfer, body=ha_long["board"]).full_clean()


def test_a_body_is_listed_once_per_merger(ha_long):
    assert_db_refuses(
        "mergers_constituent", lambda: Constituent.objects.create(merger=ha_long["merger"], body=ha_long["board"])
    )


def test_the_result_must_belong_to_the_mergers_unit(ha_long):
    uong_bi = factories.DistrictFactory(gso_code="196", slug="uong-bi", name_vi="Thành phố Uông Bí")
    merger = ha_long["merger"]
    merger.result = factories.BodyFactory(unit=uong_bi, name_vi="Cơ quan Tổ chức - Nội vụ Thành ủy Uông Bí")
    assert_refused(merger, "The resulting body must belong to the merger's unit.")


def test_a_merger_model_applies_at_its_level(ha_long):
    merger = ha_long["merger"]
    merger.model = factories.MergerModelFactory(slug="van-phong-tinh", short_vi="Văn phòng tỉnh", level="province")
    assert_refused(merger, "This merger model applies at province level.")


def test_one_merger_per_unit_and_model(ha_long):
    merger = ha_long["merger"]
    twin = Merger(slug="ha-long-trung", unit=merger.unit, model=merger.model, title_vi="Hợp nhất trùng")
    assert_refused(twin, "This unit already has a merger of this model.")
    assert_db_refuses("", twin.save)  # a partial unique index: SQLite names its columns only


# -- headcount, milestones, reported figures -----------------------------------


def test_a_headcount_cannot_be_negative(ha_long):
    headcount = Headcount(merger=ha_long["merger"], phase=Headcount.Phase.AFTER, value=-5)
    assert_refused(headcount, "A headcount cannot be negative.")
    assert_db_refuses("mergers_headcount_not_negative", headcount.save)


def test_one_headcount_per_phase(ha_long):
    factories.HeadcountFactory(merger=ha_long["merger"], phase=Headcount.Phase.BEFORE, value=20)
    duplicate = Headcount(merger=ha_long["merger"], phase=Headcount.Phase.BEFORE, value=21)
    assert_refused(duplicate, "Headcount figure with this Merger and Before or after already exists.")
    assert_db_refuses("", duplicate.save)


def test_one_milestone_per_status_and_date(ha_long):
    factories.MilestoneFactory(merger=ha_long["merger"], status="completed", date_edtf="2018")
    duplicate = Milestone(merger=ha_long["merger"], status="completed", date_edtf="2018")
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    assert_db_refuses("", duplicate.save)


def test_a_reported_figure_cannot_exceed_its_denominator(db):
    figure = factories.ReportedFigureFactory.build(
        unit=factories.ProvinceFactory(),
        statement_vi="Huyện có Bí thư đồng thời là Chủ tịch HĐND",
        value=15,
        denominator=14,
    )
    assert_refused(figure, "The value cannot exceed the number it is out of.")
    assert_db_refuses("mergers_figure_within_denominator", figure.save)


def test_a_reported_figure_cannot_be_negative(db):
    figure = factories.ReportedFigureFactory.build(
        unit=factories.ProvinceFactory(), value=Decimal("-28"), denominator=None
    )
    assert_refused(figure, "A reported figure cannot be negative; say 'cut' in the statement.")
    assert_db_refuses("mergers_figure_value_not_negative", figure.save)


def test_a_unified_title_figure_names_its_title(db):
    figure = factories.ReportedFigureFactory.build(
        unit=factories.ProvinceFactory(), metric=ReportedFigure.Metric.UNITS_WITH_TITLE, combination=""
    )
    assert_refused(figure, "Say which unified title the figure counts.")
    assert_db_refuses("mergers_figure_title_metric_needs_combination", figure.save)


# -- ends before starts ---------------------------------------------------------


def test_a_body_cannot_end_before_it_was_founded(ha_long):
    body = ha_long["board"]
    body.founded_on, body.ended_on, body.end_reason = D(2018, 1, 1), D(2017, 1, 1), Body.EndReason.MERGED
    assert_refused(body, "A body cannot end before it was founded.")
    assert_db_refuses("agencies_body_ends_after_founding", body.save)


def test_an_ended_body_says_why(ha_long):
    body = ha_long["board"]
    body.ended_on = D(2018, 1, 1)
    assert_refused(body, "A body with an end date or a successor must say why it ended.")
    assert_db_refuses("agencies_body_end_needs_reason", body.save)


def test_a_body_cannot_be_its_own_successor(ha_long):
    body = ha_long["board"]
    body.successor, body.end_reason = body, Body.EndReason.MERGED
    assert_refused(body, "A body cannot be its own successor.")
    assert_db_refuses("agencies_body_not_own_successor", body.save)


def test_a_unit_cannot_end_before_it_begins(db):
    unit = factories.DistrictFactory.build(
        parent=factories.ProvinceFactory(),
        gso_code="204",
        slug="hoanh-bo",
        name_vi="Huyện Hoành Bồ",
        valid_from=D(2020, 1, 1),
        valid_until=D(2019, 12, 17),
    )
    assert_refused(unit, "A unit cannot end before it begins.")
    assert_db_refuses("agencies_unit_ends_after_start", unit.save)


def test_a_holding_cannot_end_before_it_starts(ha_long):
    holding = factories.HoldingFactory(unit=ha_long["district"])
    holding.start_date, holding.end_date = D(2019, 1, 1), D(2018, 1, 1)
    assert_refused(holding, "A holding cannot end before it starts.")
    assert_db_refuses("agencies_holding_ends_after_start", holding.save)


def test_a_holding_is_dated(ha_long):
    holding = factories.HoldingFactory(unit=ha_long["district"])
    holding.start_date_edtf = holding.reported_on_edtf = ""
    holding.start_date = holding.reported_on = None
    assert_refused(holding, "Give the start date or a date on which the source reports it held.")
    assert_db_refuses("agencies_holding_dated", holding.save)


def test_a_document_cannot_take_effect_before_it_is_signed(db):
    document = factories.LegalDocumentFactory.build(
        number="837/NQ-UBTVQH14", signed_on=D(2019, 12, 17), effective_on=D(2019, 12, 1)
    )
    assert_refused(document, "A document cannot take effect before it is signed.")
    assert_db_refuses("agencies_legaldocument_effective_after_signed", document.save)


# -- units: codes, slugs, parents, changes -------------------------------------


@pytest.mark.parametrize("code", ["2a", "1", "19 3"])
def test_a_malformed_gso_code_is_refused(db, code):
    unit = factories.DistrictFactory.build(parent=factories.ProvinceFactory(), gso_code=code, slug="sai-ma")
    assert_refused(unit, "A GSO code is 2 to 5 digits.")
    assert_db_refuses("agencies_unit_gso_code_digits", unit.save)


def test_a_duplicate_gso_code_or_slug_is_refused(db):
    province = factories.ProvinceFactory()
    factories.DistrictFactory(parent=province, gso_code="193", slug="ha-long", name_vi="Thành phố Hạ Long")
    same_code = factories.DistrictFactory.build(parent=province, gso_code="193", slug="ha-long-2", name_vi="Hạ Long 2")
    assert_refused(same_code, "Another unit before 01/07/2025 has this GSO code.")
    assert_db_refuses("gso_code", same_code.save)  # SQLite names the column, PostgreSQL the constraint
    same_slug = factories.DistrictFactory.build(parent=province, gso_code="194", slug="ha-long", name_vi="Móng Cái")
    assert_refused(same_slug, "Administrative unit with this Slug already exists.")
    assert_db_refuses("", same_slug.save)


def test_the_2025_register_reuses_codes_but_never_twice_on_one_side(db):
    """From 01/07/2025 a new commune often carries a predecessor's code."""
    province = factories.ProvinceFactory()
    district = factories.DistrictFactory(parent=province, gso_code="193", slug="ha-long", name_vi="Thành phố Hạ Long")
    AdministrativeUnit.objects.create(
        slug="ha-khanh",
        name_vi="Phường Cao Xanh",
        level="commune",
        kind="phuong",
        parent=district,
        gso_code="06658",
    )
    new = AdministrativeUnit(
        slug="cao-xanh-2025",
        name_vi="Phường Cao Xanh",
        level="commune",
        kind="phuong",
        parent=province,
        gso_code="06658",
        valid_from_edtf="2025-07-01",
    )
    new.full_clean()
    new.save()
    again = AdministrativeUnit(
        slug="cao-xanh-2025-b",
        name_vi="Phường Cao Xanh",
        level="commune",
        kind="phuong",
        parent=province,
        gso_code="06658",
        valid_from_edtf="2025-07-01",
    )
    assert_refused(again, "Another unit from 01/07/2025 has this GSO code.")
    assert_db_refuses("gso_code", again.save)


def test_a_succession_links_two_different_units_once(db):
    from agencies.models import UnitSuccession

    old = factories.DistrictFactory(parent=factories.ProvinceFactory(), gso_code="193", slug="ha-long")
    new = factories.DistrictFactory(parent=old.parent, gso_code="194", slug="mong-cai")
    UnitSuccession.objects.create(predecessor=old, successor=new, date_edtf="2025-07-01")
    twice = UnitSuccession(predecessor=old, successor=new, date_edtf="2025-07-01")
    assert_db_refuses("", twice.save)
    itself = UnitSuccession(predecessor=old, successor=old, date_edtf="2025-07-01")
    assert_refused(itself, "A unit cannot succeed itself.")
    assert_db_refuses("agencies_unitsuccession_other_unit", itself.save)


def test_a_district_needs_its_gso_code_and_parent(db):
    orphan = AdministrativeUnit(slug="mo-coi", name_vi="Huyện mồ côi", level="district", kind="huyen")
    with pytest.raises(ValidationError) as excinfo:
        orphan.full_clean()
    assert {"A province or district must have its GSO code.", "Only a province has no parent unit."} <= set(
        messages_of(excinfo)
    )
    assert_db_refuses("agencies_unit_", orphan.save)


def test_a_units_parent_is_one_level_up(db):
    province = factories.ProvinceFactory()
    district = factories.DistrictFactory(parent=province, gso_code="196", slug="uong-bi", name_vi="Thành phố Uông Bí")
    village = AdministrativeUnit(
        slug="khu-cau-sen", name_vi="Khu Cầu Sến", level="village", kind="khu", parent=district
    )
    assert_refused(village, "The parent of a village / quarter must be a commune.")


def test_a_unit_cannot_merge_into_itself(db):
    hoanh_bo = factories.DistrictFactory(gso_code="204", slug="hoanh-bo", name_vi="Huyện Hoành Bồ")
    change = UnitChange(
        unit=hoanh_bo, kind=UnitChange.Kind.ABSORBED, related_unit=hoanh_bo, date=D(2020, 1, 1), description_vi="Sai"
    )
    assert_refused(change, "A unit cannot merge into itself.")
    assert_db_refuses("agencies_unitchange_other_unit", change.save)


def test_a_unit_merger_names_the_other_unit(db):
    hoanh_bo = factories.DistrictFactory(gso_code="204", slug="hoanh-bo", name_vi="Huyện Hoành Bồ")
    change = UnitChange(unit=hoanh_bo, kind=UnitChange.Kind.ABSORBED, date=D(2020, 1, 1), description_vi="Thiếu")
    assert_refused(change, "Name the other unit of a merger.")
    assert_db_refuses("agencies_unitchange_related_required", change.save)


def test_a_post_body_belongs_to_the_posts_unit(ha_long):
    uong_bi = factories.DistrictFactory(gso_code="196", slug="uong-bi", name_vi="Thành phố Uông Bí")
    post = factories.PostFactory.build(unit=uong_bi, body=ha_long["board"], title_vi="Trưởng Ban Tổ chức")
    assert_refused(post, "The body must belong to the post's unit.")


def test_body_names_are_unique_within_a_unit(ha_long):
    twin = Body(
        unit=ha_long["district"],
        slug="ban-to-chuc-2",
        name_vi="Ban Tổ chức Thành ủy Hạ Long",
        sector="party",
        function="organisation",
    )
    with pytest.raises(ValidationError):
        twin.full_clean()
    assert_db_refuses("", twin.save)


def test_a_unit_change_is_recorded_once(db):
    hoanh_bo = factories.DistrictFactory(gso_code="204", slug="hoanh-bo", name_vi="Huyện Hoành Bồ")
    factories.UnitChangeFactory(unit=hoanh_bo, date=D(2020, 1, 1))
    twin = UnitChange(unit=hoanh_bo, kind=UnitChange.Kind.RECLASSIFIED, date=D(2020, 1, 1), description_vi="Lặp")
    with pytest.raises(ValidationError):
        twin.full_clean()
    assert_db_refuses("", twin.save)


def test_post_titles_are_unique_within_a_unit(ha_long):
    factories.PostFactory(unit=ha_long["district"], title_vi="Bí thư Thành ủy Hạ Long")
    twin = Post(unit=ha_long["district"], slug="bi-thu-2", title_vi="Bí thư Thành ủy Hạ Long")
    with pytest.raises(ValidationError):
        twin.full_clean()
    assert_db_refuses("", twin.save)


def test_every_declared_constraint_is_tested():
    """Guard: a constraint added to a model needs a test in this file."""
    from agencies.models import UnitSuccession

    models = (
        AdministrativeUnit,
        Body,
        Post,
        Holding,
        LegalDocument,
        UnitChange,
        UnitSuccession,
        Merger,
        Constituent,
        Milestone,
        Headcount,
        ReportedFigure,
    )
    declared = {c.name for model in models for c in model._meta.constraints}
    tested = {
        "agencies_unit_gso_code_digits",
        "agencies_unit_gso_code_required",
        "agencies_unit_parent_required",
        "agencies_unit_ends_after_start",
        "agencies_body_unique_name_in_unit",
        "agencies_body_not_own_successor",
        "agencies_body_ends_after_founding",
        "agencies_body_end_needs_reason",
        "agencies_holding_ends_after_start",
        "agencies_holding_dated",
        "agencies_legaldocument_effective_after_signed",
        "agencies_unitchange_unique",
        "agencies_unitchange_other_unit",
        "agencies_unitchange_related_required",
        "mergers_headcount_one_per_phase",
        "mergers_headcount_not_negative",
        "mergers_figure_value_not_negative",
        "mergers_figure_within_denominator",
        "mergers_figure_title_metric_needs_combination",
        "mergers_merger_one_per_unit_and_model",
        "agencies_post_unique_title_in_unit",
        "mergers_constituent_unique",
        "mergers_milestone_unique",
        "agencies_unit_gso_code_unique_before_2025",
        "agencies_unit_gso_code_unique_from_2025",
        "agencies_unitsuccession_unique",
        "agencies_unitsuccession_other_unit",
    }
    assert declared <= tested, declared - tested
