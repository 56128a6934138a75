"""`manage.py load_seed` and the fixtures it loads: empty db, reload, refusal, dump."""

import datetime
import importlib.util
import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from agencies.models import AdministrativeUnit, Body, LegalDocument, Source
from mergers.management.commands.load_seed import SEED_FIXTURES, seed_paths
from mergers.models import Headcount, Merger, Milestone, ReportedFigure

SEED_APPS = ["agencies", "mergers"]


def dump():
    out = StringIO()
    call_command("dumpdata", *SEED_APPS, natural_foreign=True, natural_primary=True, indent=1, stdout=out)
    return out.getvalue()


def run_load_seed(*args):
    out = StringIO()
    call_command("load_seed", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_load_seed_fills_an_empty_database():
    assert not Source.objects.exists()

    message = run_load_seed()

    total = sum(len(json.loads(Path(p).read_text(encoding="utf-8"))) for p in seed_paths())
    assert f"Seed fixtures loaded ({total} records)." in message
    # Five articles, the GSO register, the 2013 Constitution and four later resolutions.
    assert Source.objects.count() == 11
    assert Source.objects.filter(kind=Source.Kind.LEGAL_DOCUMENT).count() == 5
    assert AdministrativeUnit.objects.districts().count() == 14
    assert Merger.objects.count() == 47
    assert (
        Body.objects.get(slug="ha-long-co-quan-to-chuc-noi-vu").name_vi == "Cơ quan Tổ chức - Nội vụ Thành ủy Hạ Long"
    )


@pytest.mark.django_db
def test_loading_the_fixtures_a_second_time_changes_no_row():
    run_load_seed()
    before = dump()

    call_command("loaddata", *seed_paths(), verbosity=0)

    assert dump() == before
    # Decision 44 (planned) and its own early 2016 (completed); nothing dated by a later report.
    assert sorted(Milestone.objects.filter(merger__slug="uong-bi-khoi-mttq").values_list("date_edtf", flat=True)) == [
        "2015-11-30",
        "2016-37",
    ]


@pytest.mark.django_db
def test_load_seed_leaves_a_database_with_data_alone_unless_forced():
    run_load_seed()
    Body.objects.filter(slug="ha-long-co-quan-to-chuc-noi-vu").update(name_vi="Tên do biên tập viên sửa")

    message = run_load_seed()

    assert "seed not loaded" in message
    assert Body.objects.get(slug="ha-long-co-quan-to-chuc-noi-vu").name_vi == "Tên do biên tập viên sửa"

    message = run_load_seed("--force")

    assert "Seed fixtures loaded" in message
    assert (
        Body.objects.get(slug="ha-long-co-quan-to-chuc-noi-vu").name_vi == "Cơ quan Tổ chức - Nội vụ Thành ủy Hạ Long"
    )
    assert Body.objects.filter(slug="ha-long-co-quan-to-chuc-noi-vu").count() == 1


@pytest.mark.django_db
def test_load_seed_dry_run_saves_nothing():
    message = run_load_seed("--dry-run")

    assert "nothing was saved" in message
    assert not Source.objects.exists()
    assert not ReportedFigure.objects.exists()


@pytest.mark.django_db
def test_dumpdata_with_natural_keys_contains_the_facts():
    run_load_seed()

    records = json.loads(dump())

    def find(model, **fields):
        return [r for r in records if r["model"] == model and all(r["fields"].get(k) == v for k, v in fields.items())]

    (decision,) = find("agencies.legaldocument", number="44-QĐ/TU")
    assert decision["fields"]["signed_on_edtf"] == "2015-11-30"
    assert decision["fields"]["signed_on"] == decision["fields"]["signed_on_latest"] == "2015-11-30"
    assert "signed_precision" not in decision["fields"]
    # Its citation is a record of its own: the source and the passage it rests on.
    (citation,) = find("agencies.legaldocumentcitation", legaldocument=["44-QĐ/TU"])
    assert citation["fields"]["source"] == ["baoquangninh-2017-co-quan-khoi"]
    assert "Quyết định số 44-QĐ/TU (ngày 30/11/2015)" in citation["fields"]["quote"]
    (before,) = find("mergers.headcount", merger=["ha-long-to-chuc-noi-vu"], phase="before")
    assert before["fields"]["value"] == 20
    (bloc,) = find("mergers.milestone", merger=["cam-pha-khoi-mttq"], status="completed")
    assert (bloc["fields"]["date_edtf"], bloc["fields"]["date"], bloc["fields"]["date_latest"]) == (
        "2015-11-30/2017-09-27",
        "2015-11-30",
        "2017-09-27",
    )
    (offices,) = find("mergers.milestone", merger=["quang-ninh-van-phong-tinh"])
    assert (offices["fields"]["date_edtf"], offices["fields"]["date"], offices["fields"]["date_latest"]) == (
        "../2019-12-07",
        None,
        "2019-12-07",
    )
    (hoanh_bo,) = find("agencies.unitchange", unit=["hoanh-bo"], kind="absorbed")
    assert hoanh_bo["fields"]["related_unit"] == ["ha-long"]
    assert hoanh_bo["fields"]["basis"] == ["837/NQ-UBTVQH14"]
    assert find("mergers.reportedfigure", slug="quang-ninh-bi-thu-chu-tich-hdnd-3-14")[0]["fields"]["value"] == "3.00"
    # Natural keys throughout: no database ids in the dump of the seeded models.
    assert not [r for r in records if "pk" in r and not r["model"].split(".")[1].startswith("historical")]


def test_fixture_files_write_all_three_columns_of_every_uncertain_date():
    """loaddata bypasses save(): the files themselves carry X_edtf, X and X_latest, consistent."""
    from django.apps import apps

    from agencies.dates import bounds

    checked = 0
    for path in seed_paths():
        for record in json.loads(Path(path).read_text(encoding="utf-8")):
            model = apps.get_model(record["model"])
            fields = record["fields"]
            assert not [name for name in fields if name.endswith("_precision")], record
            for name in getattr(model, "uncertain_dates", ()):
                earliest, latest = bounds(fields[f"{name}_edtf"])
                assert (fields[name], fields[f"{name}_latest"]) == (
                    earliest and earliest.isoformat(),
                    latest and latest.isoformat(),
                ), (record["model"], name, fields[f"{name}_edtf"])
                checked += 1
    assert checked > 500


def test_fixture_files_use_natural_keys_only():
    for path in seed_paths():
        records = json.loads(Path(path).read_text(encoding="utf-8"))
        assert records, path
        assert all("pk" not in r for r in records), path


def test_fixture_files_are_what_the_generator_writes():
    """The committed JSON is up to date with fixtures/build_fixtures.py and districts.csv."""
    generator = Path(settings.BASE_DIR) / "fixtures" / "build_fixtures.py"
    csv_path = Path(settings.BASE_DIR).parent / "shared" / "districts.csv"
    if not csv_path.exists():
        pytest.skip(f"{csv_path} is not available here")
    spec = importlib.util.spec_from_file_location("build_fixtures", generator)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    assert list(module.FILES) == SEED_FIXTURES
    for name, build in module.FILES.items():
        written = (Path(settings.BASE_DIR) / "fixtures" / f"{name}.json").read_text(encoding="utf-8")
        assert json.dumps(build(), ensure_ascii=False, indent=1) + "\n" == written, f"{name}.json is stale"


@pytest.mark.django_db
def test_seeded_dates_and_numbers_survive_the_round_trip():
    run_load_seed()

    # A year only ("Năm 2018, Uông Bí tiếp tục tiến hành hợp nhất...").
    merged = Milestone.objects.get(merger__slug="uong-bi-to-chuc-noi-vu", status="completed")
    assert (merged.date_edtf, merged.date, merged.date_latest) == (
        "2018",
        datetime.date(2018, 1, 1),
        datetime.date(2018, 12, 31),
    )
    # Resolution 26 prints no date in the article that cites it: none is stored.
    assert LegalDocument.objects.get(number="26-NQ/TW").signed_on_edtf == ""
    assert Headcount.objects.get(merger__slug="ha-long-to-chuc-noi-vu", phase="after").value == 15
    assert str(ReportedFigure.objects.get(slug="quang-ninh-khoi-mttq-tinh-gian-12-54").value) == "12.54"


@pytest.mark.django_db
def test_the_suites_fast_seed_leaves_what_load_seed_leaves():
    """tests/seeding.py writes back the rows `load_seed` wrote: every table
    (history and derived columns included) must hold the same rows as after
    the command itself, or a test on the seed would test other data."""
    from django.db import connection, transaction

    from tests import seeding

    def state():
        with connection.cursor() as cursor:
            counts = {}
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
                counts[table] = cursor.fetchone()[0]
        units = set(AdministrativeUnit.objects.values_list("slug", "name_vi", "name_folded", "gso_code"))
        milestones = set(Milestone.objects.values_list("merger__slug", "status", "date_edtf", "date", "date_latest"))
        histories = Merger.history.count(), Body.history.count()
        return counts, units, milestones, histories

    for _ in range(2):  # the first call may be the process's real load; the second writes rows back
        with transaction.atomic():
            seeding.load_seed()
            fast = state()
            transaction.set_rollback(True)
    with transaction.atomic():
        call_command("load_seed", verbosity=0)
        real = state()
        transaction.set_rollback(True)
    assert fast[0] == real[0]
    assert sum(real[0].values()) > 2 * 1389  # the seed's records and their first history entries
    assert fast[1:] == real[1:]
