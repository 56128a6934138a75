"""Admin smoke tests as a superuser: every changelist (with and without a
search), add, change and history page opens; search ignores diacritics; the
merger page says what merged into what; an invalid merger writes nothing."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from agencies.models import (
    AdministrativeUnit,
    Body,
    DistrictEditor,
    Holding,
    LegalDocument,
    Post,
    Source,
    UnitChange,
)
from mergers.models import Constituent, Headcount, Merger, MergerModel, Milestone, ReportedFigure
from tests import factories

ADMIN_MODELS = [
    Source,
    LegalDocument,
    AdministrativeUnit,
    UnitChange,
    Body,
    Post,
    Holding,
    DistrictEditor,
    MergerModel,
    Merger,
    Constituent,
    Milestone,
    Headcount,
    ReportedFigure,
]
HISTORY_MODELS = [model for model in ADMIN_MODELS if model is not DistrictEditor]


@pytest.fixture(autouse=True)
def english():
    """Pages are opened under /en/; messages are compared as their English msgids."""
    with translation.override("en"):
        yield


def admin_url(model, view, *args):
    """The English admin URL (/en/admin/...), so assertions read English labels."""
    with translation.override("en"):
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def build_ha_long():
    """Hạ Long's Tổ chức - Nội vụ merger as source 000 reports it, plus one
    record of every other model."""
    province = factories.ProvinceFactory()
    source = factories.SourceFactory(
        slug="vov-kinh-nghiem-hop-nhat",
        title="Kinh nghiệm hợp nhất một số cơ quan Đảng, chính quyền ở Quảng Ninh",
        publisher="VOV",
    )
    document = factories.LegalDocumentFactory(
        number="44-QĐ/TU",
        title_vi="Đề án xây dựng cơ quan tham mưu, giúp việc chung khối MTTQ và các đoàn thể chính trị - xã hội cấp huyện",
        signed_on=datetime.date(2015, 11, 30),
    )
    ha_long = factories.DistrictFactory(
        gso_code="193", slug="ha-long", name_vi="Thành phố Hạ Long", kind=AdministrativeUnit.Kind.CITY, parent=province
    )
    hoanh_bo = factories.DistrictFactory(gso_code="204", slug="hoanh-bo", name_vi="Huyện Hoành Bồ", parent=province)
    model = factories.MergerModelFactory(
        slug="to-chuc-noi-vu", short_vi="Tổ chức - Nội vụ", name_vi="Cơ quan Tổ chức - Nội vụ"
    )
    board = factories.BodyFactory(unit=ha_long, slug="ban-to-chuc-ha-long", name_vi="Ban Tổ chức Thành ủy Hạ Long")
    office = factories.BodyFactory(
        unit=ha_long,
        slug="phong-noi-vu-ha-long",
        name_vi="Phòng Nội vụ thành phố Hạ Long",
        sector=Body.Sector.STATE,
        function=Body.Function.HOME_AFFAIRS,
    )
    result = factories.BodyFactory(
        unit=ha_long,
        slug="co-quan-to-chuc-noi-vu-ha-long",
        name_vi="Cơ quan Tổ chức - Nội vụ Thành ủy Hạ Long",
        sector=Body.Sector.JOINT,
    )
    merger = factories.MergerFactory(
        slug="ha-long-to-chuc-noi-vu",
        unit=ha_long,
        model=model,
        result=result,
        title_vi="Hợp nhất Ban Tổ chức Thành ủy và Phòng Nội vụ Hạ Long",
        constituents=[board, office],
    )
    merger.basis.add(document)
    milestone = factories.MilestoneFactory(merger=merger, status="completed", date_edtf="2018")
    milestone.sources.add(source)
    factories.HeadcountFactory(merger=merger, phase=Headcount.Phase.BEFORE, value=20)
    factories.HeadcountFactory(merger=merger, phase=Headcount.Phase.AFTER, value=15)
    factories.UnitChangeFactory(
        unit=hoanh_bo,
        kind=UnitChange.Kind.ABSORBED,
        related_unit=ha_long,
        date=datetime.date(2020, 1, 1),
        description_vi="Huyện Hoành Bồ nhập vào thành phố Hạ Long",
    )
    factories.HoldingFactory(unit=ha_long, slug="ha-long-bi-thu-chu-tich-hdnd")
    factories.ReportedFigureFactory(unit=province, statement_vi="Huyện có Bí thư đồng thời là Chủ tịch HĐND")
    editor = User.objects.create(username="ha-long-editor", is_staff=True)
    factories.DistrictEditorFactory(user=editor).districts.add(ha_long)
    return {"merger": merger, "board": board, "office": office, "result": result, "ha_long": ha_long}


@pytest.fixture
def records(db):
    return build_ha_long()


@pytest.fixture
def superuser_client(client, db):
    user = User.objects.create_superuser("province-admin", "admin@example.org", None)  # no password: no slow hashing
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m.__name__)
def test_every_changelist_lists_its_records(superuser_client, records, model):
    response = superuser_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count() > 0


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m.__name__)
def test_every_changelist_searches(superuser_client, records, model):
    response = superuser_client.get(admin_url(model, "changelist"), {"q": "Hạ Long"})
    assert response.status_code == 200
    nothing = superuser_client.get(admin_url(model, "changelist"), {"q": "không có bản ghi nào như thế"})
    assert nothing.status_code == 200
    assert nothing.context["cl"].result_count == 0


@pytest.mark.parametrize(
    ("model", "term", "label", "expected"),
    [
        (Body, "ban to chuc thanh uy ha long", "name_vi", ["Ban Tổ chức Thành ủy Hạ Long"]),
        (Body, "BAN TỔ CHỨC THÀNH ỦY HẠ LONG", "name_vi", ["Ban Tổ chức Thành ủy Hạ Long"]),
        (LegalDocument, "44-qd/tu", "number", ["44-QĐ/TU"]),
        (AdministrativeUnit, "hoanh bo", "name_vi", ["Huyện Hoành Bồ"]),
        (Merger, "phong noi vu ha long", "title_vi", ["Hợp nhất Ban Tổ chức Thành ủy và Phòng Nội vụ Hạ Long"]),
        (
            Milestone,
            "phong noi vu ha long",
            "merger.title_vi",
            ["Hợp nhất Ban Tổ chức Thành ủy và Phòng Nội vụ Hạ Long"],
        ),
        (UnitChange, "hoanh bo", "unit.name_vi", ["Huyện Hoành Bồ"]),
    ],
)
def test_search_without_diacritics_finds_the_row(superuser_client, records, model, term, label, expected):
    response = superuser_client.get(admin_url(model, "changelist"), {"q": term})
    rows = []
    for obj in response.context["cl"].result_list:
        for attribute in label.split("."):
            obj = getattr(obj, attribute)
        rows.append(obj)
    assert rows == expected


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m.__name__)
def test_every_add_page_opens(superuser_client, records, model):
    response = superuser_client.get(admin_url(model, "add"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {}


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m.__name__)
def test_every_change_page_opens(superuser_client, records, model):
    obj = model.objects.order_by("pk").first()
    response = superuser_client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200
    assert response.context["original"] == obj


@pytest.mark.parametrize("model", HISTORY_MODELS, ids=lambda m: m.__name__)
def test_every_history_page_opens(superuser_client, records, model):
    obj = model.objects.order_by("pk").first()
    response = superuser_client.get(admin_url(model, "history", obj.pk))
    assert response.status_code == 200
    assert response.context["object"] == obj


@pytest.mark.parametrize("model", HISTORY_MODELS, ids=lambda m: m.__name__)
def test_every_import_and_export_page_opens(superuser_client, records, model):
    response = superuser_client.get(admin_url(model, "import"))
    assert response.status_code == 200
    assert type(response.context["form"]).__name__ == "QnImportForm"  # refuses bad files before parsing
    assert superuser_client.get(admin_url(model, "export")).status_code == 200


def test_merger_page_says_what_merged_into_what_when_and_from_which_source(superuser_client, records):
    response = superuser_client.get(admin_url(Merger, "change", records["merger"].pk))
    page = response.content.decode()
    assert (
        "Ban Tổ chức Thành ủy Hạ Long + Phòng Nội vụ thành phố Hạ Long → Cơ quan Tổ chức - Nội vụ Thành ủy Hạ Long"
        in page
    )
    assert "Completed (2018)" in page
    assert "Decision 44-QĐ/TU" in page
    assert "VOV: Kinh nghiệm hợp nhất một số cơ quan Đảng, chính quyền ở Quảng Ninh (2019)" in page


def test_merger_changelist_shows_status_at_its_precision(superuser_client, records):
    response = superuser_client.get(admin_url(Merger, "changelist"))
    assert "Completed (2018)" in response.content.decode()
    assert "01/01/2018" not in response.content.decode()


def test_status_filter_selects_mergers_by_current_status(superuser_client, records):
    completed = superuser_client.get(admin_url(Merger, "changelist"), {"status": "completed"})
    planned = superuser_client.get(admin_url(Merger, "changelist"), {"status": "planned"})
    assert [m.slug for m in completed.context["cl"].result_list] == ["ha-long-to-chuc-noi-vu"]
    assert planned.context["cl"].result_count == 0


def test_milestone_changelist_shows_dates_at_their_precision(superuser_client, records):
    page = superuser_client.get(admin_url(Milestone, "changelist")).content.decode()
    assert '<td class="field-date_as_given">2018</td>' in page


def merger_post(merger_unit, result, bodies, kind=Merger.Kind.MERGER, slug="ha-long-thu"):
    """The admin add form of a merger, with its three inline formsets."""
    data = {
        "kind": kind,
        "model": "",
        "unit": merger_unit.pk,
        "result": result.pk if result else "",
        "title_vi": "Hợp nhất thử",
        "title_en": "",
        "slug": slug,
        "note_vi": "",
        "note_en": "",
        "change_reason": "",
        "constituent_links-TOTAL_FORMS": len(bodies),
        "constituent_links-INITIAL_FORMS": 0,
        "constituent_links-MIN_NUM_FORMS": 0,
        "constituent_links-MAX_NUM_FORMS": 1000,
        "milestones-TOTAL_FORMS": 0,
        "milestones-INITIAL_FORMS": 0,
        "headcounts-TOTAL_FORMS": 0,
        "headcounts-INITIAL_FORMS": 0,
        "citations-TOTAL_FORMS": 0,
        "citations-INITIAL_FORMS": 0,
    }
    for i, body in enumerate(bodies):
        data[f"constituent_links-{i}-body"] = body.pk
        data[f"constituent_links-{i}-order"] = i
    return data


def inline_errors(response):
    """Every message of the inline formsets, as plain text."""
    messages = []
    for inline in response.context["inline_admin_formsets"]:
        for form_errors in inline.formset.errors:
            for field_messages in form_errors.values():
                messages.extend(field_messages)
        messages.extend(inline.formset.non_form_errors())
    return messages


def test_merger_of_a_body_into_itself_is_refused_and_nothing_written(superuser_client, records):
    before = (Merger.objects.count(), Constituent.objects.count())
    board = factories.BodyFactory(unit=records["ha_long"], name_vi="Ủy ban Kiểm tra Thành ủy Hạ Long")
    inspectorate = factories.BodyFactory(unit=records["ha_long"], name_vi="Thanh tra thành phố Hạ Long")
    response = superuser_client.post(
        admin_url(Merger, "add"), merger_post(records["ha_long"], inspectorate, [board, inspectorate])
    )
    assert response.status_code == 200
    assert "A body cannot be merged into itself." in inline_errors(response)
    assert (Merger.objects.count(), Constituent.objects.count()) == before


def test_merger_with_one_constituent_is_refused(superuser_client, records):
    board = factories.BodyFactory(unit=records["ha_long"], name_vi="Ủy ban Kiểm tra Thành ủy Hạ Long")
    result = factories.BodyFactory(unit=records["ha_long"], name_vi="Cơ quan Kiểm tra - Thanh tra Thành ủy Hạ Long")
    response = superuser_client.post(admin_url(Merger, "add"), merger_post(records["ha_long"], result, [board]))
    assert "Name at least 2 constituent bodies: a merger joins two or more bodies." in inline_errors(response)
    assert not Merger.objects.filter(slug="ha-long-thu").exists()
    # An absorption needs one constituent only.
    response = superuser_client.post(
        admin_url(Merger, "add"), merger_post(records["ha_long"], result, [board], kind=Merger.Kind.ABSORPTION)
    )
    assert response.status_code == 302
    assert list(Merger.objects.get(slug="ha-long-thu").constituents.all()) == [board]


def test_merger_with_a_constituent_of_another_district_is_refused(superuser_client, records):
    uong_bi = factories.DistrictFactory(gso_code="196", slug="uong-bi", name_vi="Thành phố Uông Bí")
    foreign = factories.BodyFactory(unit=uong_bi, name_vi="Phòng Nội vụ thành phố Uông Bí")
    local = factories.BodyFactory(unit=records["ha_long"], name_vi="Ủy ban Kiểm tra Thành ủy Hạ Long")
    result = factories.BodyFactory(unit=records["ha_long"], name_vi="Cơ quan Kiểm tra - Thanh tra Thành ủy Hạ Long")
    response = superuser_client.post(
        admin_url(Merger, "add"), merger_post(records["ha_long"], result, [local, foreign])
    )
    assert "A constituent must belong to the merger's unit (Thành phố Hạ Long)." in inline_errors(response)
    assert not Merger.objects.filter(slug="ha-long-thu").exists()


def test_body_already_merged_elsewhere_is_refused(superuser_client, records):
    other_result = factories.BodyFactory(unit=records["ha_long"], name_vi="Cơ quan khác của Hạ Long")
    response = superuser_client.post(
        admin_url(Merger, "add"), merger_post(records["ha_long"], other_result, [records["board"], records["office"]])
    )
    assert "This body is already merged into another body." in inline_errors(response)
    assert not Merger.objects.filter(slug="ha-long-thu").exists()


@pytest.mark.parametrize("bad_id", ["2018-01-01", "9" * 30, "-" + "9" * 30])
def test_ids_that_are_not_ids_are_form_errors_not_500s(superuser_client, records, bad_id):
    board = factories.BodyFactory(unit=records["ha_long"], name_vi="Ủy ban Kiểm tra Thành ủy Hạ Long")
    data = merger_post(records["ha_long"], records["result"], [board, records["office"]])
    data.update(
        {
            "unit": bad_id,
            "basis": bad_id,
            "constituent_links-1-body": bad_id,
            "citations-TOTAL_FORMS": 1,
            "citations-0-source": bad_id,
            "citations-0-quote": "Một câu.",
        }
    )
    response = superuser_client.post(admin_url(Merger, "add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["unit"] == ["Select a valid choice. That choice is not one of the available choices."]
    assert "basis" in errors
    # A source is named in the citations inline: a bad id there is a form error too.
    assert "Select a valid choice. That choice is not one of the available choices." in inline_errors(response)
    assert not Merger.objects.filter(slug="ha-long-thu").exists()


def test_merger_model_at_the_wrong_level_is_a_form_error(superuser_client, records):
    provincial = factories.MergerModelFactory(slug="van-phong-tinh", short_vi="Văn phòng tỉnh", level="province")
    board = factories.BodyFactory(unit=records["ha_long"], name_vi="Ủy ban Kiểm tra Thành ủy Hạ Long")
    inspectorate = factories.BodyFactory(unit=records["ha_long"], name_vi="Thanh tra thành phố Hạ Long")
    result = factories.BodyFactory(unit=records["ha_long"], name_vi="Cơ quan Kiểm tra - Thanh tra Thành ủy Hạ Long")
    data = merger_post(records["ha_long"], result, [board, inspectorate])
    data["model"] = provincial.pk
    response = superuser_client.post(admin_url(Merger, "add"), data)
    assert response.context["adminform"].form.errors["model"] == ["This merger model applies at province level."]
    assert not Merger.objects.filter(slug="ha-long-thu").exists()


def test_valid_merger_is_saved_with_its_constituents(superuser_client, records):
    board = factories.BodyFactory(unit=records["ha_long"], name_vi="Ủy ban Kiểm tra Thành ủy Hạ Long")
    inspectorate = factories.BodyFactory(unit=records["ha_long"], name_vi="Thanh tra thành phố Hạ Long")
    result = factories.BodyFactory(unit=records["ha_long"], name_vi="Cơ quan Kiểm tra - Thanh tra Thành ủy Hạ Long")
    response = superuser_client.post(
        admin_url(Merger, "add"), merger_post(records["ha_long"], result, [board, inspectorate])
    )
    assert response.status_code == 302
    merger = Merger.objects.get(slug="ha-long-thu")
    assert list(merger.constituents.order_by("constituent_links__order")) == [board, inspectorate]
    assert merger.result == result


def add_one_of_everything():
    """One more row of every model, in a new district."""
    merger = factories.MergerFactory()
    factories.MilestoneFactory(merger=merger, status="in_progress", date=datetime.date(2018, 3, 1))
    factories.HeadcountFactory(merger=merger)
    factories.UnitChangeFactory(unit=merger.unit)
    factories.HoldingFactory(unit=merger.unit)
    factories.SourceFactory()
    factories.LegalDocumentFactory()
    factories.ReportedFigureFactory(unit=merger.unit)
    editor = User.objects.create(username=f"editor-{merger.unit.slug}", is_staff=True)
    factories.DistrictEditorFactory(user=editor).districts.add(merger.unit)


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m.__name__)
def test_changelist_queries_do_not_grow_with_rows(superuser_client, records, model, django_assert_num_queries):
    url = admin_url(model, "changelist")
    superuser_client.get(url)  # warm the content-type cache
    with CaptureQueriesContext(connection) as small:
        superuser_client.get(url)
    rows = model.objects.count()
    add_one_of_everything()
    add_one_of_everything()
    # session, user, counts, one page of rows with their related rows, filter choices
    with django_assert_num_queries(len(small.captured_queries)):
        response = superuser_client.get(url)
    assert response.context["cl"].result_count > rows


def test_seed_pages_open_and_search_ignores_diacritics(superuser_client, seed):
    """On the real seed: every changelist, search, change and history page."""
    for model in HISTORY_MODELS:
        assert superuser_client.get(admin_url(model, "changelist")).status_code == 200, model
        assert superuser_client.get(admin_url(model, "changelist"), {"q": "ha long"}).status_code == 200, model
        for obj in model.objects.order_by("pk")[:2]:
            assert superuser_client.get(admin_url(model, "change", obj.pk)).status_code == 200, obj
            assert superuser_client.get(admin_url(model, "history", obj.pk)).status_code == 200, obj
    response = superuser_client.get(admin_url(Body, "changelist"), {"q": "ban to chuc thanh uy uong bi"})
    names = [body.name_vi for body in response.context["cl"].result_list]
    assert "Ban Tổ chức Thành ủy Uông Bí" in names
    assert all("Uông Bí" in name for name in names)


@pytest.mark.parametrize(
    "language, message", [("en", "Please submit at most 100 forms."), ("vi", "Vui lòng gửi tối đa 100 dòng.")]
)
def test_a_form_claiming_a_million_rows_is_refused_and_nothing_written(superuser_client, records, language, message):
    """TOTAL_FORMS is the browser's word: a form saying it sends a million
    constituents gets a message (Django's cap, max_num + 1,000 rows, is
    lowered to 100) and saves nothing."""
    board = factories.BodyFactory(unit=records["ha_long"], name_vi="Ủy ban Kiểm tra Thành ủy Hạ Long")
    inspectorate = factories.BodyFactory(unit=records["ha_long"], name_vi="Thanh tra thành phố Hạ Long")
    result = factories.BodyFactory(unit=records["ha_long"], name_vi="Cơ quan Kiểm tra - Thanh tra Thành ủy Hạ Long")
    data = merger_post(records["ha_long"], result, [board, inspectorate])
    data["constituent_links-TOTAL_FORMS"] = 1_000_000
    before = (Merger.objects.count(), Constituent.objects.count())
    url = admin_url(Merger, "add").removeprefix("/en") if language == "vi" else admin_url(Merger, "add")
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    assert any(message in str(error) for error in inline_errors(response))
    assert len(response.context["inline_admin_formsets"][0].formset.forms) <= 100
    assert (Merger.objects.count(), Constituent.objects.count()) == before
    # The same form with the rows it really holds is saved.
    data["constituent_links-TOTAL_FORMS"] = 2
    assert superuser_client.post(url, data).status_code == 302
