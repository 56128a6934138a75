"""What a reader sees on the seeded pages (issue 11, display and words):
unit changes told from each page's side, named heads and figures where a
reader looks, bodies that ended with their unit, one number format per
language, Vietnamese wording, search, and pages that agree with each other.

The seed is loaded once for the module inside a transaction rolled back at
the end; each test runs in its own savepoint.
"""

import re

import pytest
from django.utils import translation

from agencies.models import AdministrativeUnit


@pytest.fixture(autouse=True)
def _seed(seed_shared):
    with translation.override("vi"):
        yield


def text_of(response, start=None, end=None):
    """The visible text of a page (or of the part between two HTML markers)."""
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    if start is not None:
        body = body[body.index(start) :]
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
    # Listed once (the date may recur inside the resolution's citation).
    page = history(client, "ha-long")
    assert page.count("Nhận sáp nhập đơn vị khác: huyện Hoành Bồ") == 1
    assert page.count("01/01/2020 : Nhận sáp nhập") == 1
    english = history(client, "ha-long", "/en")
    assert english.count("Took in another unit: Hoanh Bo District") == 1


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


# ---------------------------------------------------------------- bodies that ended with their unit


def test_hoanh_bo_bodies_ended_with_the_district_in_2020_on_every_page_and_file(client):
    from agencies.models import Body

    body = Body.objects.filter(unit__slug="hoanh-bo", end_reason="").first()
    assert body is not None
    page = text_of(client.get(body.get_absolute_url()))
    assert "Chấm dứt cùng đơn vị hành chính (01/01/2020)" in page
    assert "huyện Hoành Bồ không còn là đơn vị hành chính" in page
    # The district page and the list filter agree: nothing of Hoành Bồ is open today.
    response = client.get("/districts/hoanh-bo/")
    assert "<td>Đang hoạt động</td>" not in response.content.decode()
    assert "Chấm dứt cùng đơn vị hành chính 01/01/2020" in text_of(response, 'id="bodies"', "<h2")
    open_list = text_of(client.get("/bodies/?district=hoanh-bo&state=open"))
    assert body.name_vi not in open_list
    closed_list = text_of(client.get("/bodies/?district=hoanh-bo&state=closed"))
    assert body.name_vi in closed_list
    csv_text = b"".join(client.get("/bodies/?district=hoanh-bo&format=csv").streaming_content).decode("utf-8-sig")
    row = next(line for line in csv_text.splitlines() if body.slug in line)
    assert "unit_ended" in row and "2020-01-01" in row


def test_before_the_district_ended_its_bodies_were_open():
    import datetime

    from agencies.models import Body

    on_2019 = Body.objects.filter(unit__slug="hoanh-bo", end_reason="").open(datetime.date(2019, 6, 1))
    assert on_2019.exists()
    assert not Body.objects.filter(unit__slug="hoanh-bo").open().exists()
    # Every district ended on 01/07/2025: no district body is open today.
    assert not Body.objects.filter(unit__level="district").open().exists()
    assert Body.objects.filter(unit__level="district").open(datetime.date(2025, 6, 30)).exists()


# ---------------------------------------------------------------- named heads and search


@pytest.mark.parametrize(
    "person, unit, body_slug",
    [
        ("Nguyễn Hữu Thọ", "ha-long", "ha-long-co-quan-to-chuc-noi-vu"),
        ("Nguyễn Hoàng Quý", "hoanh-bo", "hoanh-bo-co-quan-kiem-tra-thanh-tra"),
    ],
)
def test_named_heads_on_their_body_merger_and_district_pages(client, person, unit, body_slug):
    from agencies.models import Body

    body = Body.objects.get(slug=body_slug)
    assert person in text_of(client.get(body.get_absolute_url()), 'id="posts"')
    merger = body.formed_by.get()
    assert person in text_of(client.get(merger.get_absolute_url()))
    heads = text_of(client.get(f"/districts/{unit}/"), 'id="heads"', "<h2")
    assert person in heads and "năm 2019" in heads and "VOV" in heads


@pytest.mark.parametrize("query", ["Nguyễn Hữu Thọ", "nguyen huu tho", "NGUYEN HUU THO"])
def test_searching_a_person_finds_them_with_their_post(client, query):
    page = text_of(client.get("/search/", {"q": query}), 'id="group-person"', "</section>")
    assert "Nguyễn Hữu Thọ — Thủ trưởng Cơ quan Tổ chức - Nội vụ Thành ủy Hạ Long" in page


@pytest.mark.parametrize(
    "query, found",
    [
        ("Nguyễn Văn Hùng", "Nguyễn Văn Hùng — Phó Trưởng Ban Dân vận Trung ương"),
        ("nguyen van hung", "Nguyễn Văn Hùng — Phó Trưởng Ban Dân vận Trung ương"),
        ("NGUYỄN VĂN HÙNG", "Nguyễn Văn Hùng — Phó Trưởng Ban Dân vận Trung ương"),
        ("Trần Thị Hương", "Trần Thị Hương — Phó Chủ tịch Hội LHPN Việt Nam"),
        ("tran thi huong", "Trần Thị Hương — Phó Chủ tịch Hội LHPN Việt Nam"),
        ("vo van thuong", "Võ Văn Thưởng — Trưởng Ban Tuyên giáo Trung ương"),
        ("Nguyễn Phú Trọng", "Nguyễn Phú Trọng — Tổng Bí thư"),
    ],
)
def test_searching_a_person_named_at_an_event_finds_them_with_their_role_and_event(client, query, found):
    from agencies.models import EventParticipant

    response = client.get("/search/", {"q": query})
    people = text_of(response, 'id="group-participant"', "</section>")
    assert found in people
    person = EventParticipant.objects.get(name=found.split(" — ")[0])
    assert person.event.title_vi in people
    assert person.event.title_vi in text_of(response, 'id="group-event"', "</section>")


def test_searching_a_conference_finds_it(client):
    events = text_of(client.get("/search/", {"q": "hội nghị sơ kết 44-QĐ/TU"}), 'id="group-event"', "</section>")
    assert "Hội nghị sơ kết 2 năm thực hiện Quyết định số 44-QĐ/TU" in events and "27/09/2017" in events


@pytest.mark.parametrize("query", ["MTTQ", "mặt trận tổ quốc", "mat tran to quoc", "Mặt trận Tổ quốc Hạ Long"])
def test_front_searches_find_the_front_bodies_written_either_way(client, query):
    page = text_of(client.get("/search/", {"q": query}), 'id="group-body"', "</section>")
    assert "Ủy ban MTTQ Việt Nam" in page


@pytest.mark.parametrize(
    "query, expected",
    [
        ("halong", "Thành phố Hạ Long"),
        ("hoanhbo", "Huyện Hoành Bồ"),
        ("UBKT Hạ Long", "Ủy ban Kiểm tra Thành ủy Hạ Long"),
        ("ủy ban kiểm tra", "Ủy ban Kiểm tra Thành ủy Hạ Long"),
        ("liên đoàn lao động", "Liên đoàn Lao động thành phố Hạ Long"),
    ],
)
def test_search_understands_words_without_spaces_and_abbreviations(client, query, expected):
    assert expected in text_of(client.get("/search/", {"q": query}), "<main")


def test_search_terms_expand_both_ways_and_split_run_together_words():
    from agencies.text import search_terms

    assert search_terms("MTTQ") == [["mttq", "mat tran to quoc"]]
    assert search_terms("Mặt trận Tổ quốc") == [["mat tran to quoc", "mttq"]]
    assert search_terms("halong") == [["halong", "ha long"]]
    assert search_terms("HĐND tỉnh") == [["hdnd", "hoi dong nhan dan"], ["tinh"]]
    assert search_terms("44-QĐ/TU") == [["44-qd/tu"]]


def test_the_list_filters_use_the_same_search(client):
    page = text_of(client.get("/bodies/", {"q": "mat tran to quoc", "district": "ha-long"}))
    assert "Ủy ban MTTQ Việt Nam thành phố Hạ Long" in page


# ---------------------------------------------------------------- figures where a reader looks


def test_ha_long_headcount_20_to_15_on_its_district_and_model_pages(client):
    row = text_of(client.get("/districts/ha-long/"), 'id="mergers"', "</table>")
    assert "Hợp nhất Ban Tổ chức Thành ủy Hạ Long và Phòng Nội vụ thành phố Hạ Long" in row and "20 → 15" in row
    model = text_of(client.get("/models/to-chuc-noi-vu/"), "<table", "</table>")
    assert "Thành phố Hạ Long" in model and "20 → 15" in model


def test_the_28_focal_points_cut_on_both_model_pages(client):
    for slug in ("to-chuc-noi-vu", "kiem-tra-thanh-tra"):
        figures = text_of(client.get(f"/models/{slug}/"), 'id="figures"')
        assert "giảm 28 đầu mối" in figures


def test_the_bloc_staff_cut_on_the_headcount_and_bloc_model_pages_in_each_language(client):
    for url in ("/headcount/", "/models/khoi-mttq/"):
        assert "12,54 % Tinh giản 12,54% biên chế" in text_of(client.get(url))
        english = text_of(client.get("/en" + url))
        # The article's own words (the figure's statement, quotes) stay Vietnamese.
        assert "12.54%" in english and "12,54" not in english.lower().replace("tinh giản 12,54%", "")


def test_18000_party_members_on_ha_long_and_its_model_page_in_each_language(client):
    for url in ("/districts/ha-long/", "/models/to-chuc-noi-vu/"):
        assert "18.000 người" in text_of(client.get(url), 'id="figures"')
        assert "18,000 people" in text_of(client.get("/en" + url), 'id="figures"')


def test_one_number_format_per_language():
    from decimal import Decimal

    from portal import numbers

    with translation.override("vi"):
        assert numbers.format_number(18000) == "18.000"
        assert numbers.format_percent(Decimal("12.54")) == "12,54\u00a0%"
        assert numbers.signed_percent(Decimal("-25.00")) == "\u221225\u00a0%"
        assert numbers.format_number(Decimal("99.80")) == "99,8"
    with translation.override("en"):
        assert numbers.format_number(18000) == "18,000"
        assert numbers.format_percent(Decimal("12.54")) == "12.54%"
        assert numbers.signed(Decimal("-5")) == "\u22125"


def test_merger_page_headcount_change_in_each_language(client):
    from mergers.models import Merger

    merger = Merger.objects.get(unit__slug="ha-long", model__slug="to-chuc-noi-vu")
    table = text_of(client.get(merger.get_absolute_url()), 'id="headcount"', "</table>")
    assert "20 15 \u22125 \u221225 %" in table
    english = text_of(client.get("/en" + merger.get_absolute_url()), 'id="headcount"', "</table>")
    assert "20 15 \u22125 \u221225%" in english


# ---------------------------------------------------------------- Vietnamese wording


def test_vietnamese_pages_have_no_english_sort_labels_and_say_the_level_was_abolished(client):
    for url in ("/mergers/", "/bodies/"):
        page = text_of(client.get(url))
        assert "(descending)" not in page and "(giảm dần)" in page
    ha_long = history(client, "ha-long")
    assert "Cấp huyện bị bãi bỏ" in ha_long and "Bỏ cấp hành chính" not in ha_long


def test_a_year_is_never_called_a_day(client):
    titles = text_of(client.get("/titles/"))
    assert "Nguyễn Hữu Thọ" in titles
    assert "ngày năm" not in titles
    assert "đang đảm nhiệm (năm 2019)" in titles
    for slug in ("ha-long", "hoanh-bo", "uong-bi"):
        assert "ngày năm" not in text_of(client.get(f"/districts/{slug}/"))


def test_unit_names_inside_vietnamese_sentences_are_not_capitalised(client):
    assert "Hợp nhất cơ quan ở tỉnh Quảng Ninh" in text_of(client.get("/"), "<h1", "</h1>")
    banner = text_of(client.get("/districts/hoanh-bo/"), "<h1", "</dl>")
    assert "là một phần của thành phố Hạ Long" in banner


# ---------------------------------------------------------------- pages agree

STATUS = re.compile(
    r'<span class="status status--[^"]*">.*?</span>(?:\s*<span class="status-date">.*?</span>)?(?:<br><span class="status-possible">.*?</span>)?',
    re.S,
)


def status_in_row(html, merger):
    """The status (and its date) shown in the table row that links to the merger."""
    # Viewed "as of" a day, links carry ?as_of=... (portal.middleware.KeepAsOfMiddleware).
    link = re.compile(re.escape(f'href="{merger.get_absolute_url()}') + r'(?:\?[^"]*)?"')
    for row in html.split("<tr")[1:]:
        row = row.split("</tr>")[0]
        at = link.search(row)
        if at:
            # On the dashboard the status is the link itself: read from the link on.
            found = STATUS.search(row[at.start() :] if "status--" in row[at.start() :] else row)
            assert found, row
            return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0))).strip()
    raise AssertionError(f"no row links to {merger}")


def status_on_merger_page(html):
    found = STATUS.search(html.split("<h1", 1)[1])
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0))).strip()


@pytest.mark.parametrize("as_of", ["", "2017-10-01", "2019-12-31"])
def test_dashboard_district_model_and_merger_pages_agree_on_every_merger(client, as_of):
    from mergers.models import Merger

    query = f"?as_of={as_of}" if as_of else ""
    dashboard = client.get("/" + query).content.decode()
    pages = {}
    mergers = list(Merger.objects.filter(model__isnull=False).select_related("unit", "model"))
    assert len(mergers) >= 40
    for merger in mergers:
        district_url = merger.unit.get_absolute_url() + query
        model_url = merger.model.get_absolute_url() + query
        for url in (district_url, model_url):
            if url not in pages:
                pages[url] = client.get(url).content.decode()
        shown = {
            "merger": status_on_merger_page(client.get(merger.get_absolute_url() + query).content.decode()),
            "dashboard": status_in_row(dashboard, merger),
            "district": status_in_row(pages[district_url], merger),
            "model": status_in_row(pages[model_url], merger),
        }
        assert len(set(shown.values())) == 1, (merger.slug, shown)
        assert shown["merger"]  # a status is always said, "Chưa có mốc" at the least


@pytest.mark.parametrize("as_of", ["", "2017-10-01", "2020-09-30"])
def test_district_and_merger_pages_agree_on_every_merger_without_a_model(client, as_of):
    """Task transfers and the school merger are on no dashboard column or model
    page: their district page and their own page say the same."""
    from mergers.models import Merger

    query = f"?as_of={as_of}" if as_of else ""
    mergers = list(Merger.objects.filter(model__isnull=True).select_related("unit"))
    assert len(mergers) == 3
    for merger in mergers:
        district = client.get(merger.unit.get_absolute_url() + query).content.decode()
        own = status_on_merger_page(client.get(merger.get_absolute_url() + query).content.decode())
        assert status_in_row(district, merger) == own, merger.slug
