"""factory-boy factories for every model, with sensible defaults.

`DistrictFactory()` builds a district under a province; `MergerFactory()`
a merger with its own two constituent bodies and a resulting body.
"""

import datetime

import factory

from agencies.models import (
    AdministrativeUnit,
    Body,
    DistrictEditor,
    Event,
    EventParticipant,
    Holding,
    LegalDocument,
    Post,
    Source,
    UnitChange,
)
from mergers.models import Constituent, Headcount, Merger, MergerModel, Milestone, ReportedFigure, Status


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"source-{n}")
    title = factory.Sequence(lambda n: f"Bài báo số {n}")
    publisher = "Báo Quảng Ninh"
    # "2019" unless a test gives a day (`published_on=`) or its own EDTF.
    published_on = None
    published_on_edtf = factory.LazyAttribute(lambda o: "" if o.published_on else "2019")


class LegalDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalDocument

    number = factory.Sequence(lambda n: f"{n + 100}-QĐ/TU")
    kind = LegalDocument.Kind.DECISION
    title_vi = factory.Sequence(lambda n: f"Quyết định số {n}")
    issuer = "Ban Thường vụ Tỉnh ủy"
    signed_on = datetime.date(2015, 11, 30)


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit
        django_get_or_create = ("gso_code",)

    gso_code = "22"
    slug = "quang-ninh"
    name_vi = "Tỉnh Quảng Ninh"
    name_en = "Quang Ninh Province"
    level = AdministrativeUnit.Level.PROVINCE
    kind = AdministrativeUnit.Kind.PROVINCE


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit

    gso_code = factory.Sequence(lambda n: f"{300 + n}")
    slug = factory.Sequence(lambda n: f"huyen-{n}")
    name_vi = factory.Sequence(lambda n: f"Huyện Thử {n}")
    level = AdministrativeUnit.Level.DISTRICT
    kind = AdministrativeUnit.Kind.RURAL_DISTRICT
    parent = factory.SubFactory(ProvinceFactory)
    communes_2018 = 10


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit

    slug = factory.Sequence(lambda n: f"xa-{n}")
    name_vi = factory.Sequence(lambda n: f"Xã Thử {n}")
    level = AdministrativeUnit.Level.COMMUNE
    kind = AdministrativeUnit.Kind.COMMUNE
    parent = factory.SubFactory(DistrictFactory)


class UnitChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitChange

    unit = factory.SubFactory(DistrictFactory)
    kind = UnitChange.Kind.RECLASSIFIED
    date = datetime.date(2024, 11, 1)
    description_vi = "Đổi loại đơn vị"


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    unit = factory.SubFactory(DistrictFactory)
    slug = factory.Sequence(lambda n: f"co-quan-{n}")
    name_vi = factory.Sequence(lambda n: f"Cơ quan {n}")
    sector = Body.Sector.PARTY
    function = Body.Function.ORGANISATION


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    unit = factory.SubFactory(DistrictFactory)
    slug = factory.Sequence(lambda n: f"chuc-danh-{n}")
    title_vi = factory.Sequence(lambda n: f"Chức danh {n}")


class HoldingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Holding
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"kiem-nhiem-{n}")
    unit = factory.SubFactory(DistrictFactory)
    combination = Holding.Combination.SECRETARY_COUNCIL
    reported_on = datetime.date(2019, 12, 7)

    @factory.post_generation
    def posts(self, create, extracted, **kwargs):
        if not create:
            return
        posts = extracted if extracted is not None else [PostFactory(unit=self.unit), PostFactory(unit=self.unit)]
        self.posts.set(posts)


class MergerModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MergerModel
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"mo-hinh-{n}")
    name_vi = factory.Sequence(lambda n: f"Mô hình {n}")
    short_vi = factory.Sequence(lambda n: f"MH {n}")
    level = AdministrativeUnit.Level.DISTRICT
    order = factory.Sequence(lambda n: n)


class MergerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merger
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"hop-nhat-{n}")
    unit = factory.SubFactory(DistrictFactory)
    model = factory.SubFactory(MergerModelFactory)
    title_vi = factory.Sequence(lambda n: f"Hợp nhất số {n}")
    result = factory.SubFactory(BodyFactory, unit=factory.SelfAttribute("..unit"), sector=Body.Sector.JOINT)

    @factory.post_generation
    def constituents(self, create, extracted, **kwargs):
        if not create:
            return
        bodies = (
            extracted
            if extracted is not None
            else [
                BodyFactory(unit=self.unit, sector=Body.Sector.PARTY),
                BodyFactory(unit=self.unit, sector=Body.Sector.STATE),
            ]
        )
        for order, body in enumerate(bodies):
            Constituent.objects.create(merger=self, body=body, order=order)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    merger = factory.SubFactory(MergerFactory)
    status = Status.COMPLETED
    # "2019" unless a test gives a day (`date=`) or its own EDTF (`date_edtf=`).
    date = None
    date_edtf = factory.LazyAttribute(lambda o: "" if o.date else "2019")


class HeadcountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Headcount

    merger = factory.SubFactory(MergerFactory)
    phase = Headcount.Phase.BEFORE
    value = 20


class ReportedFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportedFigure

    slug = factory.Sequence(lambda n: f"so-lieu-{n}")
    statement_vi = factory.Sequence(lambda n: f"Số liệu {n}")
    unit = factory.SubFactory(ProvinceFactory)
    value = 3
    denominator = 14
    as_of = datetime.date(2019, 12, 7)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    slug = factory.Sequence(lambda n: f"su-kien-{n}")
    kind = Event.Kind.CONFERENCE
    title_vi = factory.Sequence(lambda n: f"Hội nghị sơ kết số {n}")
    date_edtf = "2017-09-27"
    unit = factory.SubFactory(DistrictFactory)


class EventParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventParticipant

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Nguyễn Văn Dự {n}")
    role_vi = "Phó Trưởng Ban Dân vận Trung ương"
    part_vi = "Dự và chỉ đạo hội nghị"


class DistrictEditorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DistrictEditor

    user = factory.SubFactory("tests.factories.UserFactory")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "auth.User"
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")
