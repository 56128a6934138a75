"""/quality/: every kind of data problem is listed with links to fix it, and
the page costs the same number of queries whatever the data."""

import datetime
import re

import pytest
from django.urls import reverse

from agencies.models import AdministrativeUnit, Body
from mergers.models import Merger, Status
from tests import factories


@pytest.fixture(autouse=True)
def staff(request):
    """The page is for staff: the tests' client is logged in as one."""
    if "client" in request.fixturenames:
        from django.contrib.auth import get_user_model

        request.getfixturevalue("db")
        user = get_user_model().objects.create_user("quality-editor", password="x", is_staff=True)
        request.getfixturevalue("client").force_login(user)


def test_quality_page_is_for_staff_only_and_not_in_the_public_menu(db):
    from django.test import Client

    anonymous = Client()
    response = anonymous.get("/en/quality/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/admin/login/")
    assert 'href="/en/quality/"' not in anonymous.get("/en/").content.decode()


def page(client, url="/en/quality/"):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def section(html, slug):
    """The HTML of one check's section, or "" when the check found nothing."""
    match = re.search(rf'<section class="quality-check" id="check-{slug}".*?</section>', html, re.S)
    return match.group(0) if match else ""


def sourced(*objects):
    source = factories.SourceFactory()
    for obj in objects:
        obj.sources.add(source)
    return objects


@pytest.mark.django_db
def test_figure_that_disagrees_with_the_records_is_listed(client):
    province = factories.ProvinceFactory()
    model = factories.MergerModelFactory(name_vi="Hợp nhất Ban Tổ chức và Phòng Nội vụ")
    merger = factories.MergerFactory(model=model)
    factories.MilestoneFactory(merger=merger, status=Status.COMPLETED, date=datetime.date(2018, 1, 1))

    def figure(statement, value, **extra):
        """A figure of the province's completed districts on 07/12/2019, about the model."""
        reported = factories.ReportedFigureFactory(
            statement_vi=statement,
            unit=province,
            counted_level="district",
            metric="units_completed",
            value=value,
            as_of=datetime.date(2019, 12, 7),
            **extra,
        )
        reported.merger_models.add(model)
        return reported

    wrong = figure("3 huyện đã hợp nhất", 3)
    figure("1 huyện đã hợp nhất", 1)
    figure("1500 huyện đã hợp nhất", 1500, denominator=None)

    listed = section(page(client), "figures")
    assert "3 huyện đã hợp nhất" in listed
    # As the figures page writes them: the source's 3 of 14, the records' count of their own units.
    assert "Reported 3/14; the records give 1/1." in listed
    assert "1 huyện đã hợp nhất" not in listed
    # Numbers read as everywhere else on the portal, in each language.
    assert "Reported 1,500; the records give 1." in listed
    assert f'href="{reverse("admin:mergers_reportedfigure_change", args=[wrong.pk])}"' in listed
    assert 'href="/en/figures/"' in listed
    assert "1.500; các bản ghi cho 1." in section(page(client, "/quality/"), "figures")


@pytest.mark.django_db
def test_records_without_a_source_are_listed_per_model_legal_documents_too(client):
    district = factories.DistrictFactory(name_vi="Huyện Ba Chẽ")
    sourced(district, district.parent)
    missing = factories.BodyFactory(unit=district, name_vi="Ban Tuyên giáo Huyện ủy")
    cited = factories.BodyFactory(unit=district, name_vi="Phòng Văn hóa")
    sourced(cited)
    factories.LegalDocumentFactory(number="44-QĐ/TU")

    html = page(client)
    listed = section(html, "sources-body")
    assert 'Bodies without a source <span class="muted">(1)</span>' in listed
    assert "Ban Tuyên giáo Huyện ủy, Huyện Ba Chẽ" in listed
    assert f'href="/en/bodies/{missing.pk}/"' in listed
    assert f'href="{reverse("admin:agencies_body_change", args=[missing.pk])}"' in listed
    assert "Phòng Văn hóa" not in listed
    assert section(html, "sources-administrativeunit") == ""
    # A legal document cites the article that reports it (or itself, a source
    # of kind "legal document"): one that cites nothing is listed too.
    documents = section(html, "sources-legaldocument")
    assert 'Legal documents without a source <span class="muted">(1)</span>' in documents
    assert "44-QĐ/TU" in documents


@pytest.mark.django_db
def test_milestone_without_a_source_links_to_its_merger(client):
    milestone = factories.MilestoneFactory(merger__title_vi="Hợp nhất Văn phòng Huyện ủy")
    listed = section(page(client), "sources-milestone")
    assert "Hợp nhất Văn phòng Huyện ủy" in listed
    assert f'href="/en/mergers/{milestone.merger.pk}/"' in listed
    assert f'href="{reverse("admin:mergers_milestone_change", args=[milestone.pk])}"' in listed


@pytest.mark.django_db
def test_mergers_with_unknown_headcount_are_listed(client):
    before_only = factories.MergerFactory(title_vi="Hợp nhất thiếu biên chế sau")
    factories.HeadcountFactory(merger=before_only, phase="before", value=27)
    complete = factories.MergerFactory(title_vi="Hợp nhất đủ biên chế")
    factories.HeadcountFactory(merger=complete, phase="before", value=27)
    factories.HeadcountFactory(merger=complete, phase="after", value=20)
    factories.MergerFactory(title_vi="Cơ quan tham mưu chung", kind=Merger.Kind.JOINT_AGENCY)

    listed = section(page(client), "headcount")
    assert "Hợp nhất thiếu biên chế sau" in listed
    assert "Before: 27; after: unknown." in listed
    assert "Hợp nhất đủ biên chế" not in listed
    assert "Cơ quan tham mưu chung" not in listed  # joint agencies close nothing
    assert f'href="{reverse("admin:mergers_merger_change", args=[before_only.pk])}"' in listed


@pytest.mark.django_db
def test_mergers_without_milestones_are_listed(client):
    factories.MergerFactory(title_vi="Hợp nhất chưa có mốc")
    dated = factories.MergerFactory(title_vi="Hợp nhất đã có mốc")
    factories.MilestoneFactory(merger=dated)
    listed = section(page(client), "milestones")
    assert "Hợp nhất chưa có mốc" in listed
    assert "Hợp nhất đã có mốc" not in listed


@pytest.mark.django_db
def test_bodies_closed_without_a_successor_are_listed(client):
    district = factories.DistrictFactory()
    successor = factories.BodyFactory(unit=district, name_vi="Ban Tổ chức - Nội vụ")
    factories.BodyFactory(unit=district, name_vi="Phòng Nội vụ", end_reason=Body.EndReason.MERGED)
    factories.BodyFactory(unit=district, name_vi="Ban Tổ chức", end_reason=Body.EndReason.MERGED, successor=successor)
    factories.BodyFactory(unit=district, name_vi="Đội Quản lý", end_reason=Body.EndReason.ABOLISHED)

    listed = section(page(client), "successors")
    assert "Phòng Nội vụ" in listed
    assert "Ended: Merged." in listed
    assert "Ban Tổ chức," not in listed
    assert "Đội Quản lý" not in listed  # abolished: no successor expected


@pytest.mark.django_db
def test_clean_data_says_every_check_passes(client):
    html = page(client)
    assert "No problem found: every check passes." in html
    assert '<section class="quality-check"' not in html


@pytest.mark.django_db
def test_page_is_in_vietnamese_at_the_root(client):
    factories.MergerFactory(title_vi="Hợp nhất chưa có mốc")
    html = page(client, "/quality/")
    assert '<html lang="vi">' in html
    assert "Hợp nhất chưa có mốc" in html


@pytest.mark.django_db
def test_only_the_first_hundred_are_listed_with_the_full_count(client):
    unit = factories.DistrictFactory()
    for n in range(103):
        Body.objects.create(unit=unit, slug=f"ban-{n}", name_vi=f"Ban số {n:03d}", sector="party", function="other")
    listed = section(page(client), "sources-body")
    assert 'Bodies without a source <span class="muted">(103)</span>' in listed
    assert listed.count("<li>") == 100
    assert "Only the first 100 are listed; 3 more are not shown." in listed


def build_problems(size):
    """`size` of every kind of problem, in one district."""
    district = factories.DistrictFactory()
    for _n in range(size):
        merger = factories.MergerFactory(unit=district, model=None)  # no milestone, no headcount, no source
        factories.HeadcountFactory(merger=merger, phase="before")
        factories.HoldingFactory(unit=district)
        factories.UnitChangeFactory(unit=factories.DistrictFactory(), date=datetime.date(2024, 11, 1))
        factories.BodyFactory(unit=district, end_reason=Body.EndReason.ABSORBED)
        merged = factories.MergerFactory(unit=district)
        factories.MilestoneFactory(merger=merged, status=Status.COMPLETED, date=datetime.date(2018, 1, 1))
        figure = factories.ReportedFigureFactory(
            unit=district.parent,
            counted_level=AdministrativeUnit.Level.DISTRICT,
            metric="units_completed",
            value=14,
            denominator=14,
        )
        figure.merger_models.add(merged.model)


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 6])
def test_query_count_does_not_grow_with_the_data(client, django_assert_num_queries, size):
    build_problems(size)
    # 1 reported figures with what the records compute, 14 one per model that
    # cites sources (legal documents, units, unit changes, 2025 successions,
    # bodies, posts, holdings, events, their participants, merger models,
    # mergers, milestones, headcounts, figures), 1 unknown headcounts, 1
    # mergers without milestones, 1 closed bodies without a successor; and 2
    # for the staff login: the session and its user.
    with django_assert_num_queries(20):
        html = page(client)
    for slug in ("figures", "headcount", "milestones", "successors", "sources-holding", "sources-unitchange"):
        assert section(html, slug), slug
