"""manage.py generate_synthetic: deterministic, realistic, and never touching the seed."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import CommandError, call_command
from django.db import transaction

from agencies import dates
from agencies.models import AdministrativeUnit, Body, Holding, LegalDocument, Post, Source, UnitChange
from core import synthetic
from mergers.models import Constituent, Headcount, Merger, Milestone, ReportedFigure, Status


def project_models():
    return [
        m
        for app in ("agencies", "mergers")
        for m in apps.get_app_config(app).get_models()
        if not m.__name__.startswith("Historical")
    ]


def snapshot():
    """Every row of every project model (with its M2M lists), serialised by pk."""
    return {
        model._meta.label: serializers.serialize("json", model.objects.order_by("pk")) for model in project_models()
    }


def row_counts():
    return {model._meta.label: model.objects.count() for model in project_models()}


def generate(scale=0.01, seed=7):
    call_command("generate_synthetic", scale=scale, seed=seed, verbosity=0)


@pytest.mark.django_db
def test_same_seed_gives_the_same_rows_and_another_seed_other_rows():
    digests = []
    for seed in (7, 7, 8):
        with transaction.atomic():
            generate(seed=seed)
            digests.append(synthetic.digest())
            transaction.set_rollback(True)
    assert digests[0] == digests[1]
    assert digests[0] != digests[2]


@pytest.mark.django_db
def test_small_scale_counts_are_a_hundredth_of_the_nation():
    generate(scale=0.01)
    units = AdministrativeUnit.objects.filter(slug__startswith="syn-")
    assert units.filter(level="province").count() == 1
    assert units.filter(level="district").count() == 7
    assert units.filter(level="commune").count() == 106
    assert 900 <= Body.objects.filter(slug__startswith="syn-").count() <= 1_150
    assert 130 <= Merger.objects.filter(slug__startswith="syn-").count() <= 170
    # All four merger models are used, and every status appears.
    assert Merger.objects.filter(slug__startswith="syn-", model__isnull=False).values("model").distinct().count() == 4
    statuses = set(Merger.objects.filter(slug__startswith="syn-").with_status().values_list("status", flat=True))
    assert {Status.PLANNED, Status.IN_PROGRESS, Status.COMPLETED} <= statuses
    # Dates as sources give them: some to the day, some to the month, some only the year.
    shapes = {
        len(edtf)
        for edtf in Milestone.objects.filter(merger__slug__startswith="syn-").values_list("date_edtf", flat=True)
    }
    assert shapes == {len("2018-11-30"), len("2018-11"), len("2018")}
    years = {d.year for d in Milestone.objects.filter(merger__slug__startswith="syn-").values_list("date", flat=True)}
    assert years <= set(range(2015, 2021))
    assert Headcount.objects.filter(merger__slug__startswith="syn-").exists()
    assert Holding.objects.filter(slug__startswith="syn-").unified().exists()
    assert ReportedFigure.objects.filter(slug__startswith="syn-").count() == 7


@pytest.mark.django_db
def test_scale_one_plans_the_nation():
    """63 provinces with Quảng Ninh, 700 districts, 10,600 communes; ~100k bodies, ~15k mergers.

    The row counts come from a dry run at a tenth of that (a dry run at 1 takes ~10 s)."""
    plan = synthetic.Plan.build(1, 1)
    assert plan.provinces + 1 == 63
    assert sum(plan.districts_per_province) == 700
    assert sum(plan.communes_per_district) == 10_600
    counts = synthetic.generate(0.1, 1, dry_run=True).rows
    assert counts["agencies.AdministrativeUnit"] == 6 + 70 + 1_060
    assert 9_500 <= counts["agencies.Body"] <= 11_000
    assert 1_400 <= counts["mergers.Merger"] <= 1_600
    assert counts["mergers.Milestone"] >= 2_800


@pytest.mark.django_db
def test_synthetic_rows_are_marked_and_never_reuse_real_gso_codes():
    generate()
    codes = set(AdministrativeUnit.objects.filter(slug__startswith="syn-").values_list("gso_code", flat=True))
    assert not codes & ({"22"} | {str(c) for c in range(193, 208)})
    sources = Source.objects.filter(slug__startswith="syn-")
    assert sources.exists()
    assert all("Synthetic data, not a real source" in s.title for s in sources)
    assert not LegalDocument.objects.filter(number__contains="-SYN").exclude(summary_en__contains="Synthetic").exists()


@pytest.mark.django_db
def test_every_synthetic_record_cites_a_synthetic_source():
    generate()
    for model in (AdministrativeUnit, Body, Merger, Post, Holding, ReportedFigure):
        rows = model.objects.filter(slug__startswith="syn-")
        assert not rows.filter(sources__isnull=True).exists(), model
        assert not rows.exclude(sources__slug__startswith="syn-").exists(), model
    for model in (Milestone, Headcount):
        assert not model.objects.filter(merger__slug__startswith="syn-", sources__isnull=True).exists(), model
    assert not UnitChange.objects.filter(unit__slug__startswith="syn-", sources__isnull=True).exists()


@pytest.mark.django_db
def test_bulk_rows_get_what_save_would_have_given_them():
    """search_text, the derived district/province, and each EDTF date's earliest and latest day."""
    generate()
    province = AdministrativeUnit.objects.get(slug__startswith="syn-", level="province")
    district = AdministrativeUnit.objects.filter(slug__startswith="syn-", level="district").first()
    commune = district.children.first()
    assert (province.province_id, district.district_id, district.province_id) == (province.pk, district.pk, province.pk)
    assert (commune.district_id, commune.province_id) == (district.pk, province.pk)
    # Every synthetic body is found by a province-wide filter and by search.
    assert Body.objects.in_province(province).count() == Body.objects.filter(slug__startswith="syn-").count()
    body = Body.objects.filter(slug__startswith="syn-", name_vi__startswith="Ban Tổ chức").first()
    assert body.search_text == body.build_search_text() and "ban to chuc" in body.search_text
    assert Body.objects.filter(search_text__contains="ban to chuc", slug__startswith="syn-").count() == 7 + 1
    milestones = list(
        Milestone.objects.filter(merger__slug__startswith="syn-").values_list("date_edtf", "date", "date_latest")
    )
    assert milestones and all(edtf for edtf, _earliest, _latest in milestones)
    assert all((earliest, latest) == dates.bounds(edtf) for edtf, earliest, latest in milestones)
    years = [(earliest, latest) for edtf, earliest, latest in milestones if len(edtf) == 4]
    assert years and {(e.month, e.day, last.month, last.day) for e, last in years} == {(1, 1, 12, 31)}
    months = [(earliest, latest) for edtf, earliest, latest in milestones if len(edtf) == 7]
    assert months and {e.day for e, _l in months} == {1}
    assert all(last.month == e.month and (last + datetime.timedelta(days=1)).day == 1 for e, last in months)
    for model, name in ((Body, "founded_on"), (Holding, "start_date"), (ReportedFigure, "as_of")):
        rows = model.objects.filter(slug__startswith="syn-").exclude(**{f"{name}_edtf": ""})
        assert rows.exists(), model
        for edtf, earliest, latest in rows.values_list(f"{name}_edtf", name, f"{name}_latest"):
            assert (earliest, latest) == dates.bounds(edtf), (model, edtf)


@pytest.mark.django_db
def test_synthetic_rows_pass_model_validation():
    generate()
    for model in (Merger, Holding, ReportedFigure):
        for obj in model.objects.filter(slug__startswith="syn-"):
            obj.full_clean()
    for obj in Body.objects.filter(slug__startswith="syn-").exclude(successor=None)[:200]:
        obj.full_clean()
    for obj in Constituent.objects.filter(merger__slug__startswith="syn-").select_related("merger", "body"):
        obj.full_clean()
    # Closed bodies point at the body they merged into, and merged on completion.
    closed = Body.objects.filter(slug__startswith="syn-", end_reason="merged")
    assert closed.exists()
    assert not closed.filter(successor__isnull=True).exists()


@pytest.mark.django_db
def test_dry_run_writes_nothing():
    before = row_counts()
    out = StringIO()
    call_command("generate_synthetic", scale=0.01, seed=7, dry_run=True, stdout=out)
    assert row_counts() == before
    assert "Would add" in out.getvalue()
    assert "agencies.Body" in out.getvalue()


@pytest.mark.django_db
def test_a_second_run_is_refused():
    generate()
    with pytest.raises(CommandError, match="already holds synthetic data"):
        generate()


@pytest.mark.django_db
def test_bad_scale_is_refused():
    with pytest.raises(CommandError, match="scale"):
        call_command("generate_synthetic", "--scale", "0", verbosity=0)
    with pytest.raises(CommandError, match="not a number"):
        call_command("generate_synthetic", "--scale", "lots", verbosity=0)


@pytest.mark.django_db
def test_quang_ninh_seed_is_intact_after_generation(seed):
    before = snapshot()
    completed_before = (
        Merger.objects.completed().of_model(Merger.objects.get(slug="uong-bi-to-chuc-noi-vu").model).count()
    )
    generate()
    after = snapshot()
    for label, rows in before.items():
        seed_rows = {obj.object.pk: obj for obj in serializers.deserialize("json", rows)}
        kept = [obj for obj in serializers.deserialize("json", after[label]) if obj.object.pk in seed_rows]
        assert len(kept) == len(seed_rows), label
        assert serializers.serialize("json", [o.object for o in kept]) == serializers.serialize(
            "json", [seed_rows[o.object.pk].object for o in kept]
        ), label
    # The seed's merger models are shared; Quảng Ninh's own figures do not change.
    quang_ninh = AdministrativeUnit.objects.get(slug="quang-ninh")
    assert Merger.objects.in_province(quang_ninh).completed().filter(model__slug="to-chuc-noi-vu").count() == 14
    assert completed_before == 14
    assert Merger.objects.completed().filter(model__slug="to-chuc-noi-vu").count() > 14
    assert AdministrativeUnit.objects.filter(level="province").count() == 2


@pytest.mark.django_db
def test_generation_invalidates_cached_figures():
    from core.cache import cached

    before = cached("synthetic-test", lambda: Merger.objects.count())
    generate()
    assert (
        cached("synthetic-test", lambda: Merger.objects.count())
        == before + Merger.objects.filter(slug__startswith="syn-").count()
    )
