"""Every fact of ../shared/FACTS.md on the page where a reader looks for it,
with the passage it rests on (issue 11).

Each row names a fact, the page a reader opens for it, what that page must
say, and the passage of the article (a quote, shown in a citation's
<blockquote>) or the reasoning note (for the later resolutions, whose text
is not archived) that the page must offer beside it. The seed is loaded once
for the module (tests/conftest.py, seed_shared).
"""

import html
import re
from dataclasses import dataclass

import pytest
from django.utils import translation

from agencies.models import Body, Event, LegalDocument, Source
from mergers.models import Merger

pytestmark = pytest.mark.usefixtures("seed_shared")


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


def normalise(text):
    return " ".join(text.split())


def merger(slug):
    return lambda: Merger.objects.get(slug=slug).get_absolute_url()


def body(slug):
    return lambda: Body.objects.get(slug=slug).get_absolute_url()


def document(number):
    return lambda: LegalDocument.objects.get(number=number).get_absolute_url()


def event(slug):
    return lambda: Event.objects.get(slug=slug).get_absolute_url()


def page(path):
    return lambda: path


@dataclass
class Fact:
    name: str
    url: object  # a callable giving the page's address
    says: tuple  # what the page's visible text must contain
    quote: str = ""  # a passage of the article, inside a citation's quote
    reasoning: str = ""  # or the reasoning note a citation gives


FACTS = [
    # -- what each date means ------------------------------------------------
    Fact(
        "organisation and home affairs merged in early 2018 (a district's merger page)",
        merger("co-to-to-chuc-noi-vu"),
        ("Hoàn thành", "đầu năm 2018", "Ban Tổ chức Huyện ủy Cô Tô"),
        quote="Đầu năm 2018, Quảng Ninh triển khai hợp nhất Ban Tổ chức cấp ủy với Phòng Nội vụ cấp huyện",
    ),
    Fact(
        "inspection and inspectorate merged in early 2018",
        merger("van-don-kiem-tra-thanh-tra"),
        ("Hoàn thành", "đầu năm 2018", "Thanh tra huyện Vân Đồn"),
        quote="Ủy ban Kiểm tra với Thanh tra cấp huyện thành Cơ quan Kiểm tra - Thanh tra.",
    ),
    Fact(
        "14 of 14 districts completed the organisation merger (model page)",
        page("/models/to-chuc-noi-vu/"),
        ("14/14 huyện, thị xã, thành phố đã hoàn thành hợp nhất Ban Tổ chức với Phòng Nội vụ",),
        quote="Đến nay, tất cả 14/14 huyện, thị, thành phố của Quảng Ninh đều đã hoàn thành việc hợp nhất",
    ),
    Fact(
        "14 of 14 districts completed the inspection merger (model page)",
        page("/models/kiem-tra-thanh-tra/"),
        ("14/14 huyện, thị xã, thành phố đã hoàn thành hợp nhất Ủy ban Kiểm tra với Thanh tra",),
        quote="Đến nay, tất cả 14/14 huyện, thị, thành phố của Quảng Ninh đều đã hoàn thành việc hợp nhất",
    ),
    Fact(
        "Uông Bí merged both pairs in 2018",
        merger("uong-bi-to-chuc-noi-vu"),
        ("Hoàn thành", "năm 2018"),
        quote="Năm 2018, Uông Bí tiếp tục tiến hành hợp nhất Ban Tổ chức Thành ủy với Phòng Nội vụ thành phố;",
    ),
    Fact(
        "the heads' titles were unified about 2015-2016 in every district (district page)",
        page("/districts/co-to/"),
        ("Trưởng Ban Tổ chức Huyện ủy Cô Tô + Trưởng phòng Nội vụ huyện Cô Tô", "khoảng 2015 - 2016"),
        quote="từ 2 - 3 năm trước khi hợp nhất cơ quan.",
    ),
    Fact(
        "12 districts had the Front-bloc agency between 30/11/2015 and 27/09/2017",
        merger("mong-cai-khoi-mttq"),
        ("Hoàn thành", "trong khoảng 30/11/2015 - 27/09/2017"),
        quote="Đến nay, sau 2 năm triển khai, toàn tỉnh có 12/14 huyện, thị xã, thành phố thực hiện",
    ),
    Fact(
        "12 of 14 districts had the Front-bloc agency (model page)",
        page("/models/khoi-mttq/"),
        ("12/14 huyện, thị xã, thành phố thực hiện",),
        quote="toàn tỉnh có 12/14 huyện, thị xã, thành phố thực hiện",
    ),
    Fact(
        "Uông Bí set up its Front-bloc agency in early 2016",
        merger("uong-bi-khoi-mttq"),
        ("Hoàn thành", "đầu năm 2016"),
        quote="Theo đó, đầu năm 2016, Ban Thường vụ Thành ủy Uông Bí đã ban hành Kế hoạch",
    ),
    Fact(
        "Hạ Long's Front-bloc agency only planned as of the conference",
        merger("ha-long-khoi-mttq"),
        ("Dự kiến", "27/09/2017"),
        quote="ở 2 địa phương còn lại là TP Hạ Long và huyện Đầm Hà.",
    ),
    Fact(
        "Đầm Hà's Front-bloc agency only planned as of the conference",
        merger("dam-ha-khoi-mttq"),
        ("Dự kiến", "27/09/2017"),
        quote="ở 2 địa phương còn lại là TP Hạ Long và huyện Đầm Hà.",
    ),
    Fact(
        "the province's merged offices existed by the inspection of 07/12/2019",
        merger("quang-ninh-van-phong-tinh"),
        ("Hoàn thành", "chậm nhất 07/12/2019", "Văn phòng Đoàn ĐBQH, HĐND và UBND tỉnh Quảng Ninh"),
        quote="Hợp nhất Văn phòng Đoàn ĐBQH, HĐND, UBND cấp tỉnh,....",
    ),
    Fact(
        "the province's Front-bloc agency existed by the inspection",
        merger("quang-ninh-khoi-mttq"),
        ("Hoàn thành", "chậm nhất 07/12/2019"),
        quote="Các mô hình Cơ quan chuyên trách tham mưu, giúp việc chung khối MTTQ",
    ),
    Fact(
        "Uông Bí: Cầu Sến into Phú Thanh Tây and Điền Công into Trưng Vương by the end of 2019",
        page("/districts/uong-bi/"),
        ("Khu Cầu Sến", "Xã Điền Công", "đến hết năm 2019", "phường Trưng Vương"),
        quote="Hết năm 2019, thành phố đã hoàn thành sáp nhập khu Cầu Sến vào khu Phú Thanh Tây",
    ),
    Fact(
        "Uông Bí's school merger, dated only by the article",
        merger("uong-bi-truong-th-thcs-nam-khe"),
        ("Trường TH & THCS Nam Khê", "chậm nhất 18/09/2020"),
        quote="Lãnh đạo thành phố trao quyết định sáp nhập Trường Tiểu học Bạch Đằng và Trường THCS Nam Khê",
    ),
    Fact(
        "Uông Bí moved political training to the Propaganda Board in 2017",
        merger("uong-bi-chuyen-nhiem-vu-dao-tao"),
        ("Hoàn thành", "năm 2017", "Ban Tuyên giáo Thành ủy Uông Bí"),
        quote="Năm 2017, Ban Thường vụ Thành ủy ban hành Quyết định",
    ),
    Fact(
        "Uông Bí moved finance and assets to the Party Office in 2017",
        merger("uong-bi-chuyen-nhiem-vu-tai-chinh"),
        ("Hoàn thành", "năm 2017", "Văn phòng Thành ủy Uông Bí"),
        quote="chuyển nhiệm vụ quản lý tài chính, tài sản về Văn phòng Thành ủy",
    ),
    # -- the units -------------------------------------------------------------
    Fact(
        "the province's 186 communes",
        page("/districts/quang-ninh/"),
        ("186",),
        quote="Tổ chức hình thức học tập bằng phương pháp trực tuyến từ tỉnh đến 186 xã phường;",
    ),
    Fact(
        "Hoành Bồ merged into Hạ Long on 01/01/2020 by Resolution 837",
        page("/districts/hoanh-bo/"),
        ("01/01/2020", "thành phố Hạ Long"),
        reasoning="Nghị quyết số 837/NQ-UBTVQH14 ngày 17/12/2019 của Ủy ban Thường vụ Quốc hội nhập huyện Hoành Bồ",
    ),
    Fact(
        "Đông Triều became a city on 01/11/2024 by Resolution 1199",
        page("/districts/dong-trieu/"),
        ("01/11/2024",),
        reasoning="Nghị quyết số 1199/NQ-UBTVQH15 ngày 28/09/2024 thành lập thành phố Đông Triều",
    ),
    Fact(
        "the district level was abolished on 01/07/2025 by Resolution 203",
        page("/districts/co-to/"),
        ("01/07/2025", "Cấp huyện bị bãi bỏ"),
        reasoning="Nghị quyết số 203/2025/QH15 của Quốc hội: cấp huyện bị bãi bỏ trên cả nước từ 01/07/2025.",
    ),
    # -- legal basis -------------------------------------------------------------
    Fact(
        "letter 9787-CV/VPTW of 27/02/2015",
        document("9787-CV/VPTW"),
        ("27/02/2015", "Văn phòng Trung ương Đảng"),
        quote="Văn bản số 9787-CV/VPTW (ngày 27/02/2015) của Văn phòng Trung ương Đảng",
    ),
    Fact(
        "resolution 39-NQ/TW of 17/04/2015",
        document("39-NQ/TW"),
        ("17/04/2015", "Bộ Chính trị"),
        quote="4 năm thực hiện Nghị quyết số 39-NQ/TW ngày 17/04/2015 của Bộ Chính trị.",
    ),
    Fact(
        "decision 44-QĐ/TU of 30/11/2015",
        document("44-QĐ/TU"),
        ("30/11/2015", "Ban Thường vụ Tỉnh ủy Quảng Ninh"),
        quote="hội nghị sơ kết 2 năm thực hiện Quyết định số 44-QĐ/TU (ngày 30/11/2015)",
    ),
    Fact(
        "resolution 18-NQ/TW of 25/10/2017",
        document("18-NQ/TW"),
        ("25/10/2017", "Ban Chấp hành Trung ương Đảng khóa XII"),
        quote="Nghị quyết số 18-NQ/TW và Nghị quyết số 19-NQ/TW, ngày 25/10/2017",
    ),
    Fact(
        "resolution 19-NQ/TW of 25/10/2017",
        document("19-NQ/TW"),
        ("25/10/2017",),
        quote="Nghị quyết số 18-NQ/TW và Nghị quyết số 19-NQ/TW, ngày 25/10/2017",
    ),
    Fact(
        "resolution 26-NQ/TW, undated in its article",
        document("26-NQ/TW"),
        ("Ban Chấp hành Trung ương Đảng khóa XII",),
        quote='Nghị quyết số 26 về "Tập trung xây dựng đội ngũ cán bộ các cấp',
    ),
    # -- merger models -------------------------------------------------------------
    Fact(
        "the two district models cut 28 focal points (organisation model page)",
        page("/models/to-chuc-noi-vu/"),
        ("giảm 28 đầu mối",),
        quote="giảm 28 đầu mối.",
    ),
    Fact(
        "the two district models cut 28 focal points (inspection model page)",
        page("/models/kiem-tra-thanh-tra/"),
        ("giảm 28 đầu mối",),
        quote="giảm 28 đầu mối.",
    ),
    Fact(
        "the Front bloc's headcount fell 12.54% in two years (model page)",
        page("/models/khoi-mttq/"),
        ("12,54 %",),
        quote="tinh giản 12,54% biên chế trong 2 năm",
    ),
    Fact(
        "the Front bloc's headcount fell 12.54% in two years (headcount page)",
        page("/headcount/"),
        ("12,54 %",),
        quote="tinh giản 12,54% biên chế trong 2 năm",
    ),
    Fact(
        "the joint agency serves the Front and five organisations, which keep existing",
        merger("mong-cai-khoi-mttq"),
        ("Ủy ban MTTQ Việt Nam thành phố Móng Cái", "Hội Cựu chiến binh thành phố Móng Cái"),
        quote="toàn tỉnh có 12/14 huyện, thị xã, thành phố thực hiện",
    ),
    Fact(
        "what Hạ Long's merged agency's daily work became and what awaited guidance (model page)",
        page("/models/to-chuc-noi-vu/"),
        ("tỉnh còn chờ hướng dẫn thi hành của Trung ương",),
        quote="Quảng Ninh hiện đang chờ hướng dẫn thi hành của Trung ương",
    ),
    Fact(
        "what Hạ Long's merged agency's daily work became (merger page)",
        merger("ha-long-to-chuc-noi-vu"),
        ("kinh phí hoạt động chuyển cho văn phòng cấp ủy theo dõi, chi trả", "sinh hoạt chung"),
        quote="các tổ chức đảng, công đoàn, đoàn thanh niên chuyển giao về sinh hoạt chung",
    ),
    # -- per district --------------------------------------------------------------
    Fact(
        "Hạ Long's agency serves over 18,000 Party members",
        page("/districts/ha-long/"),
        ("18.000",),
        quote="trên 18.000 đảng viên trực thuộc",
    ),
    Fact(
        "Hạ Long's headcount fell from 20 to 15 (district page)",
        page("/districts/ha-long/"),
        ("20 → 15",),
        quote="Số biên chế giảm từ 20 xuống còn 15 người",
    ),
    Fact(
        "Hạ Long's headcount fell from 20 to 15 (headcount page)",
        page("/headcount/"),
        ("Thành phố Hạ Long", "\u22125", "\u221225 %"),
        quote="Số biên chế giảm từ 20 xuống còn 15 người",
    ),
    Fact(
        "Nguyễn Hữu Thọ heads Hạ Long's Organisation - Home Affairs Agency",
        page("/districts/ha-long/"),
        ("Nguyễn Hữu Thọ", "Thủ trưởng Cơ quan Tổ chức - Nội vụ Thành ủy Hạ Long"),
        quote="Ông Nguyễn Hữu Thọ - Thủ trưởng Cơ quan Tổ chức - Nội vụ Thành ủy Hạ Long cho biết",
    ),
    Fact(
        "Hoành Bồ's Inspection - Inspectorate Agency after more than a year of pilot",
        body("hoanh-bo-co-quan-kiem-tra-thanh-tra"),
        ("Nguyễn Hoàng Quý",),
        quote="Còn tại huyện miền núi Hoành Bồ, những kết quả tích cực sau hơn 1 năm thí điểm cũng rất đáng kể.",
    ),
    Fact(
        "Nguyễn Hoàng Quý heads Hoành Bồ's merged inspection agency",
        page("/districts/hoanh-bo/"),
        ("Nguyễn Hoàng Quý",),
        quote="Thủ trưởng Cơ quan Kiểm tra - Thanh tra Huyện ủy Hoành Bồ, ông Nguyễn Hoàng Quý cho biết",
    ),
    Fact(
        "Uông Bí set up joint Front-bloc units for 11 communes and wards in 2018",
        page("/districts/uong-bi/"),
        ("11",),
        quote="đối với 11 xã, phường.",
    ),
    Fact(
        "Uông Bí cut 5 school sites since 2015",
        page("/districts/uong-bi/"),
        ("giảm 5 điểm trường",),
        quote="từ năm 2015 đến nay, thành phố đã sắp xếp, giảm 5 điểm trường;",
    ),
    Fact(
        "Uông Bí: 5 units fully self-financing, 4 more partly",
        page("/districts/uong-bi/"),
        ("5 đơn vị sự nghiệp tự chủ 100% kinh phí chi thường xuyên", "10-50%"),
        quote="Đến nay, thành phố có 5 đơn vị sự nghiệp tự chủ 100% kinh phí chi thường xuyên",
    ),
    Fact(
        "Uông Bí cut the budget of 2 units by 11 billion VND",
        page("/districts/uong-bi/"),
        ("11 tỷ đồng",),
        quote="tổng số kinh phí giảm 11 tỷ đồng",
    ),
    Fact(
        "Uông Bí's cadre rotation figures",
        page("/districts/uong-bi/"),
        ("133 lượt cán bộ", "905 lượt cán bộ", "7.739 lượt cán bộ"),
        quote="tổng số lượt cán bộ được luân chuyển, điều động, bổ nhiệm, bổ nhiệm lại, bầu cử là 133 người;",
    ),
    Fact(
        "Uông Bí's Party secretaries are not local",
        page("/districts/uong-bi/"),
        ("Bí thư Thành ủy và 100% Bí thư đảng ủy phường, xã không là người địa phương",),
        quote="Bí thư Thành ủy và 100% Bí thư đảng ủy phường, xã không là người địa phương.",
    ),
    Fact(
        "district Party secretaries who are not local, reported by the inspection",
        page("/districts/quang-ninh/"),
        ("Bố trí Bí thư cấp ủy cấp huyện không là người địa phương",),
        quote="Bố trí Bí thư cấp ủy cấp huyện không là người địa phương,",
    ),
    Fact(
        "Nguyễn Đức Thành heads the provincial Party Organisation Board",
        page("/districts/quang-ninh/"),
        ("Nguyễn Đức Thành", "Trưởng Ban Tổ chức Tỉnh ủy Quảng Ninh"),
        quote="Trưởng Ban Tổ chức Tỉnh ủy Quảng Ninh, ông Nguyễn Đức Thành cho rằng",
    ),
    Fact(
        "Nguyễn Văn Đọc: Provincial Party Secretary and Chair of the People's Council",
        page("/districts/quang-ninh/"),
        ("Nguyễn Văn Đọc", "Bí thư Tỉnh ủy Quảng Ninh + Chủ tịch HĐND tỉnh Quảng Ninh"),
        quote="Đồng chí Nguyễn Văn Đọc, Bí thư Tỉnh ủy, Chủ tịch HĐND tỉnh, phát biểu chỉ đạo hội nghị.",
    ),
    # -- unified leadership titles ---------------------------------------------------
    Fact(
        "the province unified the Mass Mobilisation head and the Front chair",
        page("/districts/quang-ninh/"),
        ("Trưởng Ban Dân vận Tỉnh ủy Quảng Ninh",),
        quote="Ở cấp tỉnh, Quảng Ninh đã nhất thể hóa chức danh Trưởng Ban Dân vận đồng thời là Chủ tịch Ủy ban",
    ),
    Fact(
        "3 of 14 district secretaries chair the People's Council, a total only",
        page("/districts/quang-ninh/"),
        ("3/14 Bí thư cấp ủy đồng thời là Chủ tịch HĐND", "Bài chỉ nêu tổng số"),
        quote="Cấp huyện, 3/14 Bí thư cấp ủy đồng thời là Chủ tịch HĐND;",
    ),
    Fact(
        "3 of 14 district secretaries chair the People's Committee, a total only",
        page("/districts/quang-ninh/"),
        ("3/14 Bí thư cấp ủy đồng thời là Chủ tịch UBND",),
        quote="3/14 Bí thư cấp ủy đồng thời là Chủ tịch UBND;",
    ),
    Fact(
        "district Mass Mobilisation heads chair the Front, no count given",
        page("/districts/quang-ninh/"),
        ("Trưởng Ban Dân vận đồng thời là Chủ tịch Ủy ban MTTQ (không nêu số lượng)",),
        quote="Trưởng Ban Dân vận - Chủ tịch UB MTTQ,...",
    ),
    Fact(
        "all 14 districts unified the Organisation Board and Home Affairs heads (titles page)",
        page("/titles/"),
        ("Trưởng Ban Tổ chức đồng thời là Trưởng phòng Nội vụ ở tất cả 14 địa phương",),
        quote="Các địa phương trong tỉnh đều tiến hành nhất thể hóa chức danh lãnh đạo",
    ),
    Fact(
        "Uông Bí's five unified titles",
        page("/districts/uong-bi/"),
        (
            "Bí thư Thành ủy Uông Bí + Chủ tịch HĐND thành phố Uông Bí",
            "Giám đốc Trung tâm Bồi dưỡng chính trị thành phố Uông Bí + Trưởng Ban Tuyên giáo Thành ủy Uông Bí",
        ),
        quote="Trưởng Ban Tuyên giáo Thành ủy đồng thời là Giám đốc Trung tâm BDCT thành phố.",
    ),
    Fact(
        "Uông Bí: 7 of 10 communes and 100 of 100 villages",
        page("/districts/uong-bi/"),
        ("7/10 phường, xã Bí thư đảng ủy đồng thời là Chủ tịch UBND", "100/100 bí thư chi bộ"),
        quote="Đến nay, Uông Bí đã nhất thể hóa 100/100 bí thư chi bộ đồng thời là trưởng thôn, khu;",
    ),
    Fact(
        "the province's villages: 99.8% cell secretary and village head",
        page("/districts/quang-ninh/"),
        ("99,8",),
        quote="Nhất thể hóa Bí thư chi bộ kiêm trưởng thôn bản khu phố đạt 99,8%.",
    ),
    # -- dated events and the people named at them -------------------------------------
    Fact(
        "the review conference of 27/09/2017 (province page)",
        page("/districts/quang-ninh/"),
        ("27/09/2017", "Hội nghị sơ kết 2 năm thực hiện Quyết định số 44-QĐ/TU", "12/14 huyện, thị xã, thành phố"),
        quote="Chiều 27/9, tại Trung tâm Tổ chức hội nghị tỉnh (TP Hạ Long), Tỉnh ủy Quảng Ninh tổ chức hội nghị",
    ),
    Fact(
        "the review conference of 27/09/2017 (the Front-bloc model page)",
        page("/models/khoi-mttq/"),
        ("27/09/2017", "Hội nghị sơ kết 2 năm thực hiện Quyết định số 44-QĐ/TU"),
        quote="Chiều 27/9, tại Trung tâm Tổ chức hội nghị tỉnh (TP Hạ Long), Tỉnh ủy Quảng Ninh tổ chức hội nghị",
    ),
    Fact(
        "the central delegates at the conference, with their roles (province page)",
        page("/districts/quang-ninh/"),
        (
            "Nguyễn Văn Hùng, Phó Trưởng Ban Dân vận Trung ương",
            "Trần Thị Hương, Phó Chủ tịch Hội LHPN Việt Nam",
        ),
        quote="Chiều 27/9, tại Trung tâm Tổ chức hội nghị tỉnh (TP Hạ Long)",
    ),
    Fact(
        "the people named at the conference, each with the sentence naming them (event page)",
        event("hoi-nghi-so-ket-2-nam-quyet-dinh-44-qd-tu"),
        (
            "Nguyễn Văn Hùng Phó Trưởng Ban Dân vận Trung ương",
            "Trần Thị Hương Phó Chủ tịch Hội LHPN Việt Nam",
            "Đỗ Thị Hoàng Phó Bí thư Thường trực Tỉnh ủy Điều hành phiên thảo luận",
            "Trung tâm Tổ chức hội nghị tỉnh (TP Hạ Long)",
        ),
        quote="Dự và chỉ đạo hội nghị, về phía Trung ương có các đồng chí: Nguyễn Văn Hùng, Phó Trưởng Ban Dân "
        "vận Trung ương; Trần Thị Hương, Phó Chủ tịch Hội LHPN Việt Nam.",
    ),
    Fact(
        "the Politburo inspection of 07/12/2019 (province page)",
        page("/districts/quang-ninh/"),
        ("07/12/2019", "Đoàn kiểm tra của Bộ Chính trị", "Võ Văn Thưởng, Trưởng Ban Tuyên giáo Trung ương"),
        quote="Sáng 7/12, tại Quảng Ninh, Đoàn kiểm tra của Bộ Chính trị làm việc,",
    ),
    Fact(
        "the inspection team's head and what the draft report found (event page)",
        event("doan-kiem-tra-bo-chinh-tri-2019"),
        ("Võ Văn Thưởng", "Trưởng Đoàn kiểm tra", "hoạt động một số cơ quan sau hợp nhất còn lúng túng"),
        quote="Sau khi nghe giải trình của Ban Thường vụ Tỉnh ủy Quảng Ninh, ông Võ Văn Thưởng",
    ),
    Fact(
        "the General Secretary's visit to Uông Bí's joint agency",
        page("/districts/uong-bi/"),
        ("Nguyễn Phú Trọng", "trong khoảng 2016 - 18/09/2020"),
        quote="TBT Nguyễn Phú Trọng thăm mô hình cơ quan tham mưu giúp việc chung Khối MTTQ",
    ),
    Fact(
        "the province reviewed the merged agencies (province page)",
        page("/districts/quang-ninh/"),
        ("Ban Thường vụ Tỉnh ủy Quảng Ninh sơ kết hoạt động của các cơ quan hợp nhất cấp huyện",),
        quote="Ban Thường vụ Tỉnh ủy Quảng Ninh đã tiến hành sơ kết,",
    ),
    Fact(
        "the workshop of 14/01/2020 (timeline)",
        page("/timeline/?kind=event&year_from=2020&year_to=2020"),
        ("14/01/2020", "Nguyễn Quang Dương", "Dương Văn Thái"),
        quote="Chiều 14/1, Ban Tổ chức Trung ương phối hợp Tỉnh ủy Bắc Giang",
    ),
]


def visible(markup):
    markup = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", markup, flags=re.S)
    text = normalise(html.unescape(re.sub(r"<[^>]+>", " ", markup)))
    return re.sub(r" ([,;)])", r"\1", text)  # "<strong>Name</strong>, role" reads "Name, role"


def passages(markup, css_class):
    """The texts of a page's citation quotes (or reasoning notes)."""
    tag = "blockquote" if css_class == "citation__quote" else "p"
    found = re.findall(rf'<{tag} class="{css_class}"[^>]*>(.*?)</{tag}>', markup, flags=re.S)
    return [visible(text) for text in found]


@pytest.mark.parametrize("fact", FACTS, ids=[fact.name for fact in FACTS])
def test_each_fact_is_on_the_page_a_reader_opens_with_its_passage(client, fact):
    response = client.get(fact.url())
    assert response.status_code == 200
    markup = response.content.decode()
    # What the page says, not counting the passages behind its citations.
    text = visible(re.sub(r'<details class="citation">.*?</details>', " ", markup, flags=re.S))
    for words in fact.says:
        assert words in text, words
    assert fact.quote or fact.reasoning
    if fact.quote:
        assert any(normalise(fact.quote) in quote for quote in passages(markup, "citation__quote")), fact.quote
        # One click away for every reader: a keyboard-operable disclosure.
        assert '<details class="citation"><summary>' in markup
    if fact.reasoning:
        assert any(normalise(fact.reasoning) in note for note in passages(markup, "citation__reasoning"))


@pytest.mark.parametrize(
    "slug, title, publisher, date",
    [
        ("vov-2019-hop-nhat", "Kinh nghiệm hợp nhất một số cơ quan Đảng, chính quyền ở Quảng Ninh", "VOV", "năm 2019"),
        ("uong-bi-2020-tinh-gon", "Tinh gọn tổ chức, bộ máy", "Uông Bí", "18/09/2020"),
        (
            "baoquangninh-2017-co-quan-khoi",
            "Mô hình cơ quan tham mưu, giúp việc chung cấp huyện",
            "Báo Quảng Ninh",
            "28/09/2017",
        ),
        ("nhandan-2020-hoi-thao", "Hội thảo về thực hiện các mô hình tổ chức mới", "Nhân Dân", "14/01/2020"),
        (
            "vov-2019-kiem-tra",
            "Thông báo kết quả kiểm tra đối với Ban Thường vụ Tỉnh ủy Quảng Ninh",
            "VOV.VN",
            "07/12/2019",
        ),
    ],
)
def test_each_article_has_its_page_without_file_names_or_research_shorthand(client, slug, title, publisher, date):
    source = Source.objects.get(slug=slug)
    text = visible(client.get(source.get_absolute_url()).content.decode())
    assert title in text and publisher in text and date in text
    assert source.seed_file not in text and ".txt" not in text
    assert not re.search(r"\bbài 00[0-4]\b", text)
    assert "lưu nguyên văn" in text  # the reader learns the quotes are checked against a verbatim copy


@pytest.mark.parametrize("url", ["/", "/districts/quang-ninh/", "/districts/uong-bi/", "/timeline/", "/titles/"])
def test_no_public_page_names_a_seed_file(client, url):
    text = client.get(url).content.decode()
    assert ".txt" not in text
    assert not re.search(r"bài 00[0-4]", text)
