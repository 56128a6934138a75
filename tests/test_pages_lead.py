"""Page behaviour found by the fuzz tests, pinned as plain examples."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["year_from=0", "year_to=-136119", "year_from=99999", "year_from=abc"])
def test_an_impossible_year_in_the_merger_filter_is_a_form_message(client, query):
    response = client.get(f"/en/mergers/?{query}")
    assert response.status_code == 200
    assert "Some filters are not valid" in response.content.decode()


@pytest.mark.django_db
def test_province_timeline_keeps_its_own_and_national_documents_not_other_provinces(client):
    import datetime

    from tests import factories

    quang_ninh = factories.ProvinceFactory()
    other = factories.ProvinceFactory(gso_code="01", slug="ha-noi", name_vi="Thành phố Hà Nội")
    own_doc = factories.LegalDocumentFactory(number="44-QĐ/TU", title_vi="Đề án khối MTTQ")
    other_doc = factories.LegalDocumentFactory(number="99-QĐ/TU", title_vi="Quyết định của tỉnh khác")
    factories.LegalDocumentFactory(number="18-NQ/TW", title_vi="Nghị quyết toàn quốc")
    for province, document in ((quang_ninh, own_doc), (other, other_doc)):
        district = factories.DistrictFactory(parent=province)
        merger = factories.MergerFactory(unit=district)
        factories.MilestoneFactory(merger=merger, basis=document, date=datetime.date(2016, 1, 1))

    page = client.get("/en/timeline/?province=quang-ninh").content.decode()
    assert "44-QĐ/TU" in page and "18-NQ/TW" in page
    assert "99-QĐ/TU" not in page
