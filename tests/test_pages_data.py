"""Not a test module: the data builder for tests/test_pages.py.

A small Quảng Ninh built with factories from the documented facts
(/work/shared/FACTS.md), with the seed's natural keys, for page tests that
must run before (and beside) the real seed fixtures."""

import datetime

from agencies.models import Body, UnitChange
from mergers.models import Headcount
from tests import factories

D = datetime.date

DISTRICTS = [
    # gso, slug, name, kind
    ("193", "ha-long", "Thành phố Hạ Long", "thanh-pho"),
    ("194", "mong-cai", "Thành phố Móng Cái", "thanh-pho"),
    ("195", "cam-pha", "Thành phố Cẩm Phả", "thanh-pho"),
    ("196", "uong-bi", "Thành phố Uông Bí", "thanh-pho"),
    ("198", "binh-lieu", "Huyện Bình Liêu", "huyen"),
    ("199", "tien-yen", "Huyện Tiên Yên", "huyen"),
    ("200", "dam-ha", "Huyện Đầm Hà", "huyen"),
    ("201", "hai-ha", "Huyện Hải Hà", "huyen"),
    ("202", "ba-che", "Huyện Ba Chẽ", "huyen"),
    ("203", "van-don", "Huyện Vân Đồn", "huyen"),
    ("204", "hoanh-bo", "Huyện Hoành Bồ", "huyen"),
    ("205", "dong-trieu", "Thị xã Đông Triều", "thi-xa"),
    ("206", "quang-yen", "Thị xã Quảng Yên", "thi-xa"),
    ("207", "co-to", "Huyện Cô Tô", "huyen"),
]
WITHOUT_MTTQ_2017 = {"ha-long", "dam-ha"}


def build():
    src = {
        slug: factories.SourceFactory(slug=slug, title=title, publisher=publisher, published_on_edtf=edtf)
        for slug, title, publisher, edtf in [
            ("vov-2019-hop-nhat", "Kinh nghiệm hợp nhất một số cơ quan Đảng, chính quyền ở Quảng Ninh", "VOV", "2019"),
            ("uong-bi-2020-tinh-gon", "Tinh gọn tổ chức, bộ máy", "Uông Bí", "2020-09-18"),
            (
                "baoquangninh-2017-co-quan-khoi",
                "Mô hình cơ quan tham mưu, giúp việc chung cấp huyện",
                "Báo Quảng Ninh",
                "2017-09-28",
            ),
        ]
    }
    province = factories.ProvinceFactory()
    units = {}
    for gso, slug, name, kind in DISTRICTS:
        units[slug] = factories.DistrictFactory(
            gso_code=gso,
            slug=slug,
            name_vi=name,
            kind=kind,
            parent=province,
            valid_until=D(2020, 1, 1) if slug == "hoanh-bo" else None,
        )
    nq837 = factories.LegalDocumentFactory(
        number="837/NQ-UBTVQH14",
        kind="resolution",
        signed_on=D(2019, 12, 17),
        title_vi="Nghị quyết sắp xếp đơn vị hành chính",
        issuer="Ủy ban Thường vụ Quốc hội",
    )
    qd44 = factories.LegalDocumentFactory(
        number="44-QĐ/TU",
        signed_on=D(2015, 11, 30),
        title_vi="Đề án xây dựng cơ quan tham mưu, giúp việc chung khối MTTQ",
    )
    qd44.sources.add(src["baoquangninh-2017-co-quan-khoi"])
    UnitChange.objects.create(
        unit=units["hoanh-bo"],
        kind="absorbed",
        date=D(2020, 1, 1),
        related_unit=units["ha-long"],
        basis=nq837,
        description_vi="Nhập vào thành phố Hạ Long",
    )
    UnitChange.objects.create(
        unit=units["ha-long"],
        kind="enlarged",
        date=D(2020, 1, 1),
        related_unit=units["hoanh-bo"],
        basis=nq837,
        description_vi="Nhận toàn bộ huyện Hoành Bồ",
        communes_after=33,
    )

    models = {
        "to-chuc-noi-vu": factories.MergerModelFactory(
            slug="to-chuc-noi-vu",
            name_vi="Cơ quan Tổ chức - Nội vụ",
            name_en="Organisation and Home Affairs agency",
            short_vi="Tổ chức - Nội vụ",
            short_en="Organisation - Home Affairs",
            order=1,
        ),
        "kiem-tra-thanh-tra": factories.MergerModelFactory(
            slug="kiem-tra-thanh-tra",
            name_vi="Cơ quan Kiểm tra - Thanh tra",
            short_vi="Kiểm tra - Thanh tra",
            short_en="Inspection",
            order=2,
        ),
        "khoi-mttq": factories.MergerModelFactory(
            slug="khoi-mttq",
            name_vi="Cơ quan tham mưu, giúp việc chung khối MTTQ",
            short_vi="Khối MTTQ",
            short_en="Front bloc",
            order=3,
        ),
    }
    models["khoi-mttq"].basis.add(qd44)

    def merger(district, model_slug, first, second, result, ms, headcount=None):
        unit = units[district]
        a = factories.BodyFactory(unit=unit, name_vi=first, sector=Body.Sector.PARTY, end_reason="merged")
        b = factories.BodyFactory(unit=unit, name_vi=second, sector=Body.Sector.STATE, end_reason="merged")
        out = factories.BodyFactory(unit=unit, name_vi=result, sector=Body.Sector.JOINT)
        Body.objects.filter(pk__in=[a.pk, b.pk]).update(successor=out)
        m = factories.MergerFactory(
            slug=f"{district}-{model_slug}",
            unit=unit,
            model=models[model_slug],
            title_vi=f"{result}",
            result=out,
            constituents=[a, b],
        )
        for status, edtf, source in ms:
            milestone = factories.MilestoneFactory(merger=m, status=status, date_edtf=edtf)
            milestone.sources.add(src[source])
        if headcount:
            Headcount.objects.create(merger=m, phase="before", value=headcount[0])
            Headcount.objects.create(merger=m, phase="after", value=headcount[1])
        m.sources.add(src[ms[-1][2]])
        return m

    # Milestone dates as EDTF, as the sources give them: a year, or a day.
    two_step = [("in_progress", "2018", "vov-2019-hop-nhat"), ("completed", "2019", "vov-2019-hop-nhat")]
    merger(
        "ha-long",
        "to-chuc-noi-vu",
        "Ban Tổ chức Thành ủy Hạ Long",
        "Phòng Nội vụ thành phố Hạ Long",
        "Cơ quan Tổ chức - Nội vụ Thành ủy Hạ Long",
        two_step,
        headcount=(20, 15),
    )
    merger(
        "uong-bi",
        "to-chuc-noi-vu",
        "Ban Tổ chức Thành ủy Uông Bí",
        "Phòng Nội vụ thành phố Uông Bí",
        "Cơ quan Tổ chức - Nội vụ Thành ủy Uông Bí",
        [("completed", "2018", "uong-bi-2020-tinh-gon")],
    )
    merger(
        "hoanh-bo",
        "kiem-tra-thanh-tra",
        "Ủy ban Kiểm tra Huyện ủy Hoành Bồ",
        "Thanh tra huyện Hoành Bồ",
        "Cơ quan Kiểm tra - Thanh tra Huyện ủy Hoành Bồ",
        two_step,
    )
    for _gso, slug, name, _kind in DISTRICTS:
        steps = [("planned", "2015-11-30", "baoquangninh-2017-co-quan-khoi")]
        # As the seed: Uông Bí early 2016 (001); Hạ Long and Đầm Hà still
        # preparing on 27/09/2017; the others between decision 44 and that day (002).
        if slug == "uong-bi":
            steps.append(("completed", "2016-37", "uong-bi-2020-tinh-gon"))
        elif slug in WITHOUT_MTTQ_2017:
            steps.append(("planned", "2017-09-27", "baoquangninh-2017-co-quan-khoi"))
        else:
            steps.append(("completed", "2015-11-30/2017-09-27", "baoquangninh-2017-co-quan-khoi"))
        merger(
            slug, "khoi-mttq", f"Ủy ban MTTQ {name}", f"Hội Liên hiệp Phụ nữ {name}", f"Cơ quan khối MTTQ {name}", steps
        )
    figure = factories.ReportedFigureFactory(
        slug="khoi-mttq-12-of-14-2017",
        statement_vi="Huyện có cơ quan khối MTTQ",
        statement_en="Districts with the joint Front-bloc agency",
        unit=province,
        counted_level="district",
        metric="units_completed",
        value=12,
        denominator=14,
        as_of=D(2017, 9, 27),
    )
    figure.merger_models.add(models["khoi-mttq"])
    figure.sources.add(src["baoquangninh-2017-co-quan-khoi"])
    cut = factories.ReportedFigureFactory(
        slug="dau-moi-28",
        statement_vi="Đầu mối giảm",
        statement_en="Focal points cut",
        unit=province,
        value=28,
        denominator=None,
        as_of_edtf="2019",
    )
    cut.sources.add(src["vov-2019-hop-nhat"])
    return {"province": province, "units": units, "models": models, "sources": src}
