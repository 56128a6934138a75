"""What a reader sees on the seeded pages (issue 11, display and words):
unit changes told from each page's side, named heads and figures where a
reader looks, bodies that ended with their unit, one number format per
language, Vietnamese wording, search, and pages that agree with each other.

The seed is loaded once for the module inside a transaction rolled back at
the end; each test runs in its own savepoint.
"""

import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from agencies.models import AdministrativeUnit


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            call_command("load_seed", verbosity=0)
            yield
            transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _seed(seeded, db):
    with translation.override("vi"):
        yield


def text_of(response, start=None, end=None):
    """The visible text of a page (or of the part between two HTML markers)."""
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    if start is not None:
        body = body[body.index(start):]
        if end is not None and end in body[1:]:
            body = body[: body.index(end, 1)]
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


def history(client, slug, lang=""):
    return text_of(client.get(f"{lang}/districts/{slug}/"), 'id="history"', "<h2")


# ---------------------------------------------------------------- unit changes

def test_hoanh_bo_page_says_it_merged_into_ha_long_not_that_it_took_ha_long_in(client):
    page = history(client, "hoanh-bo")
    assert "Sáp nhập vào đơn vị khác: thành phố Hạ Long" in page
    assert "Nhận sáp nhập" not in page


def test_ha_long_page_lists_the_2020_change_once_as_taking_in_hoanh_bo(client):
    page = history(client, "ha-long")
    assert page.count("01/01/2020") == 1
    assert "Nhận sáp nhập đơn vị khác: huyện Hoành Bồ" in page
    english = history(client, "ha-long", "/en")
    assert english.count("01/01/2020") == 1
    assert "Took in another unit: Hoanh Bo District" in english


def test_uong_bi_page_shows_its_commune_and_quarter_changes_and_marks_the_gone_ones(client):
    page = history(client, "uong-bi")
    assert "Xã Điền Công (không còn tồn tại) sáp nhập vào phường Trưng Vương" in page
    assert "Khu Cầu Sến (không còn tồn tại) sáp nhập vào khu Phú Thanh Tây" in page
    assert "đến hết năm 2019" in page
    children = text_of(client.get("/districts/uong-bi/"), 'id="children"')
    assert "Xã Điền Công (không còn tồn tại)" in children
    assert "Phường Trưng Vương (không còn tồn tại)" not in children


def test_a_commune_page_shows_what_it_merged_into(client):
    page = history(client, "xa-dien-cong")
    assert "Sáp nhập vào đơn vị khác: phường Trưng Vương" in page
    page = history(client, "phuong-trung-vuong")
    assert "Nhận sáp nhập xã Điền Công" in page


def test_unit_names_inside_sentences_keep_the_kind_word_in_lower_case():
    assert AdministrativeUnit(name_vi="Phường Trưng Vương").name_in_sentence == "phường Trưng Vương"
    assert AdministrativeUnit(name_vi="Thành phố Hạ Long").name_in_sentence == "thành phố Hạ Long"
    assert AdministrativeUnit(name_vi="Quảng Ninh").name_in_sentence == "Quảng Ninh"
