"""A deterministic, realistic nationwide synthetic data set, beside the seed.

`generate(scale, seed)` adds synthetic provinces, districts, communes,
bodies, mergers (constituents, milestones, headcount), posts and unified
titles, reported figures, legal documents and sources. The same scale and
seed always give the same rows (`digest()` proves it). Nothing here touches
a seed row: every synthetic row has a slug starting with `syn-` (or, for
legal documents, a number ending in `-SYN<gso>`; for rows without a slug,
it belongs to a synthetic merger or unit), GSO codes never collide with
Quảng Ninh's (province 22, districts 193-207), and every synthetic source
says "Synthetic data, not a real source".

At scale 1 (63 provinces with Quảng Ninh, 700 districts, 10,600 communes):
about 103,000 bodies, 15,000 mergers, 72,000 constituents, 33,000
milestones. Scale N multiplies the districts, communes and everything
under them; the number of provinces grows with N up to 62 synthetic ones
(Vietnam had 63), then stays.

When the national register is loaded (`load_vietnam_units`), the bodies,
mergers and titles are built on the real provinces, districts and communes
as they were before 01/07/2025 (Quảng Ninh excepted: it has the seed)
instead of invented ones, so the benchmark has the country's real shape;
everything built on them is still synthetic (slugs `syn-`, synthetic
sources), and no real unit is changed or given a synthetic unit change.
The register's size is fixed: a scale below 1 takes that share of its
provinces, a scale above 1 still uses each real unit once.

Rows go in with bulk_create (which skips save()), so each row first gets
what save() would derive from the model itself (`derive_fields()`: the
search text, each uncertain date's earliest and latest days, a unit's
district and province); a district or province points at itself by an
update once it has a key. History rows are not written for synthetic data.
"""

import datetime
import hashlib
import random
from collections import Counter
from dataclasses import dataclass, field

from django.db import reset_queries, transaction
from django.db.models import F
from django.utils.text import slugify

from agencies.models import AdministrativeUnit, Body, Holding, LegalDocument, Post, Source, UnitChange
from agencies.text import fold
from core.cache import bump_data_version
from mergers.models import Constituent, Headcount, Merger, MergerModel, Milestone, ReportedFigure, Status

PREFIX = "syn-"
SYNTHETIC_PUBLISHER = "Synthetic data, not a real source"
BATCH_SIZE = 2000

# Counts at scale 1 (Quảng Ninh, the real 63rd province, is not counted here).
PROVINCES = 62
DISTRICTS = 700
COMMUNES = 10_600

# GSO codes Quảng Ninh uses in the seed: never given to a synthetic unit.
REAL_PROVINCE_CODES = {"22"}
REAL_DISTRICT_CODES = {str(code) for code in range(193, 208)}
FIRST_COMMUNE_CODE = 40_000  # real commune codes stop near 32,300

# The four merger models of the seed (used when the seed is loaded).
MODEL_SPECS = [
    ("to-chuc-noi-vu", "district", 1, "Cơ quan Tổ chức - Nội vụ", "Organisation - Home Affairs"),
    ("kiem-tra-thanh-tra", "district", 2, "Cơ quan Kiểm tra - Thanh tra", "Inspection - Inspectorate"),
    ("khoi-mttq", "district", 3, "Khối MTTQ và các đoàn thể", "Fatherland Front bloc"),
    ("van-phong-tinh", "province", 4, "Văn phòng Đoàn ĐBQH, HĐND và UBND tỉnh", "Provincial merged office"),
]

SYLLABLES = [
    "An",
    "Bình",
    "Châu",
    "Đông",
    "Hòa",
    "Hưng",
    "Lâm",
    "Long",
    "Minh",
    "Nam",
    "Phú",
    "Phước",
    "Quang",
    "Sơn",
    "Tân",
    "Thạch",
    "Thanh",
    "Thuận",
    "Trung",
    "Vĩnh",
    "Xuân",
    "Yên",
    "Bắc",
    "Hải",
    "Kim",
    "Lạc",
    "Mỹ",
    "Ninh",
    "Tây",
    "Văn",
    "Cẩm",
    "Đức",
    "Gia",
    "Hà",
    "Hồng",
    "Khánh",
    "Lộc",
    "Nghĩa",
    "Phong",
    "Thái",
]

FRONT_ORGS = [
    ("mttq", "Ủy ban MTTQ Việt Nam {unit}", "front"),
    ("phu-nu", "Hội Liên hiệp Phụ nữ {unit}", "women"),
    ("doan-thanh-nien", "Đoàn TNCS Hồ Chí Minh {unit}", "youth"),
    ("nong-dan", "Hội Nông dân {unit}", "farmers"),
    ("cuu-chien-binh", "Hội Cựu chiến binh {unit}", "veterans"),
    ("lien-doan-lao-dong", "Liên đoàn Lao động {unit}", "labour"),
]

DISTRICT_BODIES = [
    ("ban-to-chuc", "Ban Tổ chức {committee}", "party", "organisation"),
    ("phong-noi-vu", "Phòng Nội vụ {unit}", "state", "home_affairs"),
    ("uy-ban-kiem-tra", "Ủy ban Kiểm tra {committee}", "party", "inspection"),
    ("thanh-tra", "Thanh tra {unit}", "state", "inspection"),
    ("ban-dan-van", "Ban Dân vận {committee}", "party", "mass_mobilisation"),
    ("ban-tuyen-giao", "Ban Tuyên giáo {committee}", "party", "propaganda"),
    ("van-phong", "Văn phòng {committee}", "party", "office"),
    ("van-phong-hdnd-ubnd", "Văn phòng HĐND và UBND {unit}", "state", "office"),
    ("trung-tam-bdct", "Trung tâm Bồi dưỡng chính trị {unit}", "party", "training"),
    ("phong-giao-duc", "Phòng Giáo dục và Đào tạo {unit}", "state", "education"),
    ("phong-tai-chinh", "Phòng Tài chính - Kế hoạch {unit}", "state", "other"),
    ("phong-tu-phap", "Phòng Tư pháp {unit}", "state", "other"),
] + [(slug, name, "front", function) for slug, name, function in FRONT_ORGS]

DISTRICT_POSTS = [
    ("bi-thu", "Bí thư {committee}"),
    ("chu-tich-hdnd", "Chủ tịch HĐND {unit}"),
    ("chu-tich-ubnd", "Chủ tịch UBND {unit}"),
    ("truong-ban-to-chuc", "Trưởng Ban Tổ chức {committee}"),
    ("truong-phong-noi-vu", "Trưởng phòng Nội vụ {unit}"),
    ("chu-nhiem-ubkt", "Chủ nhiệm Ủy ban Kiểm tra {committee}"),
    ("chanh-thanh-tra", "Chánh Thanh tra {unit}"),
    ("truong-ban-dan-van", "Trưởng Ban Dân vận {committee}"),
    ("chu-tich-mttq", "Chủ tịch Ủy ban MTTQ Việt Nam {unit}"),
]

# Unified titles at district level: (combination, posts, probability).
DISTRICT_TITLES = [
    ("organisation_home_affairs", ("truong-ban-to-chuc", "truong-phong-noi-vu"), 0.8),
    ("inspection_inspectorate", ("chu-nhiem-ubkt", "chanh-thanh-tra"), 0.8),
    ("secretary_council", ("bi-thu", "chu-tich-hdnd"), 0.25),
    ("secretary_committee", ("bi-thu", "chu-tich-ubnd"), 0.2),
    ("mobilisation_front", ("truong-ban-dan-van", "chu-tich-mttq"), 0.5),
]

PARTY_COMMITTEE = {"thanh-pho": "Thành ủy", "thi-xa": "Thị ủy", "huyen": "Huyện ủy", "quan": "Quận ủy"}
UNIT_WORD = {
    "quan": ("Quận", "quận", "Urban District"),
    "thanh-pho": ("Thành phố", "thành phố", "City"),
    "thi-xa": ("Thị xã", "thị xã", "Town"),
    "huyen": ("Huyện", "huyện", "District"),
    "xa": ("Xã", "xã", "Commune"),
    "phuong": ("Phường", "phường", "Ward"),
    "thi-tran": ("Thị trấn", "thị trấn", "Township"),
}

# Final status of a merger, and how often.
FINAL_STATUSES = [
    (Status.COMPLETED, 0.62),
    (Status.IN_PROGRESS, 0.18),
    (Status.PLANNED, 0.15),
    (Status.REVERSED, 0.05),
]
PRECISIONS = [("day", 0.5), ("month", 0.3), ("year", 0.2)]


def _choice(rng, weighted):
    roll = rng.random()
    for value, weight in weighted:
        roll -= weight
        if roll < 0:
            return value
    return weighted[-1][0]


def _date(rng, start_year, end_year):
    start = datetime.date(start_year, 1, 1)
    span = (datetime.date(end_year, 12, 31) - start).days
    return start + datetime.timedelta(days=rng.randrange(span + 1))


def floor(day, precision):
    """The first day of the year or month a date of this precision stands for."""
    if precision == "year":
        return day.replace(month=1, day=1)
    if precision == "month":
        return day.replace(day=1)
    return day


def _edtf(day, precision):
    """EDTF of a day at a precision: "2018", "2018-11" or "2018-11-30"."""
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def _partial(rng, start_year, end_year):
    """A (date, precision) pair, floored to its precision as save() would."""
    precision = _choice(rng, PRECISIONS)
    return floor(_date(rng, start_year, end_year), precision), precision


def _allocate(total, parts, rng):
    """Split `total` into `parts` positive, uneven shares (largest remainder)."""
    if parts <= 0:
        return []
    total = max(total, parts)
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = (total - parts) / sum(weights)
    raw = [w * scale for w in weights]
    shares = [int(r) for r in raw]
    order = sorted(range(parts), key=lambda i: raw[i] - shares[i], reverse=True)
    for i in order[: total - parts - sum(shares)]:
        shares[i] += 1
    return [s + 1 for s in shares]


def _codes(count, width, skip, start=1):
    codes, value = [], start
    while len(codes) < count:
        code = f"{value:0{width}d}"
        if code not in skip:
            codes.append(code)
        value += 1
    return codes


def _district_codes(count):
    """3-digit codes skipping 193-207, then 4-digit ones for large scales."""
    codes = _codes(min(count, 999 - len(REAL_DISTRICT_CODES)), 3, REAL_DISTRICT_CODES)
    return codes + [str(1000 + i) for i in range(count - len(codes))]


@dataclass
class Plan:
    """How many units of each level, and where they go."""

    scale: float
    seed: int
    provinces: int
    districts_per_province: list
    communes_per_district: list  # flat, in district order

    @classmethod
    def build(cls, scale, seed):
        if scale <= 0:
            raise ValueError("scale must be positive")
        rng = random.Random(f"{seed}:layout")
        provinces = max(1, min(PROVINCES, round(PROVINCES * scale)))
        districts = max(provinces, round(DISTRICTS * scale))
        communes = max(districts, round(COMMUNES * scale))
        per_province = _allocate(districts, provinces, rng)
        per_district = _allocate(communes, districts, rng)
        return cls(scale, seed, provinces, per_province, per_district)


@dataclass
class Counts:
    rows: Counter = field(default_factory=Counter)

    def add(self, label, n):
        self.rows[label] += n

    def total(self):
        return sum(self.rows.values())


class Writer:
    """Inserts rows in batches; in a dry run only counts them (fake ids)."""

    def __init__(self, dry_run=False):
        self.dry_run = dry_run
        self.counts = Counts()
        self._fake_pk = 0

    def insert(self, model, objs, label=None):
        if not objs:
            return objs
        self.counts.add(label or model._meta.label, len(objs))
        if self.dry_run:
            for obj in objs:
                self._fake_pk += 1
                obj.pk = self._fake_pk
            return objs
        for obj in objs:
            if hasattr(obj, "derive_fields"):
                obj.derive_fields()  # what save() derives: the models' own rules
        return model.objects.bulk_create(objs, batch_size=BATCH_SIZE)

    def link(self, relation, pairs):
        """Rows of an M2M through table: relation is e.g. Body.sources."""
        through = relation.through
        descriptor_field = relation.field
        left = descriptor_field.m2m_field_name() + "_id"
        right = descriptor_field.m2m_reverse_field_name() + "_id"
        rows = [through(**{left: a, right: b}) for a, b in pairs]
        return self.insert(through, rows, label=through._meta.label)

    def update(self, queryset, **values):
        if not self.dry_run:
            queryset.update(**values)


_KIND_PREFIX = ("Thành phố ", "Thị xã ", "Thị trấn ", "Huyện ", "Quận ", "Phường ", "Xã ", "Tỉnh ")


def _short_name(unit):
    for prefix in _KIND_PREFIX:
        if unit.name_vi.startswith(prefix):
            return unit.name_vi[len(prefix) :]
    return unit.name_vi


def _describe_real(unit):
    """The name parts the builders use, from a real unit's own name."""
    name = _short_name(unit)
    kind = (
        unit.kind if unit.kind in UNIT_WORD else ("xa" if unit.level == AdministrativeUnit.Level.COMMUNE else "huyen")
    )
    lower = UNIT_WORD[kind][1]
    unit.short_name = name
    unit.lower_name = f"{lower} {name}"
    if unit.level == AdministrativeUnit.Level.DISTRICT:
        unit.committee = f"{PARTY_COMMITTEE.get(kind, 'Huyện ủy')} {name}"
    else:
        unit.committee = f"Đảng ủy {lower} {name}"


def real_register(scale):
    """[(province, [districts])] of the loaded register before 01/07/2025,
    without the seed's Quảng Ninh; [] when the register is not loaded."""
    Level = AdministrativeUnit.Level
    before = datetime.date(2025, 6, 30)
    provinces = list(
        AdministrativeUnit.objects.provinces()
        .existing_on(before)
        .filter(slug__startswith="vn-")
        .exclude(gso_code__in=REAL_PROVINCE_CODES)
        .order_by("gso_code")
    )
    if not provinces:
        return []
    provinces = provinces[: max(1, min(len(provinces), round(len(provinces) * scale)))]
    ids = [p.pk for p in provinces]
    districts = list(
        AdministrativeUnit.objects.filter(level=Level.DISTRICT, parent__in=ids).existing_on(before).order_by("gso_code")
    )
    communes = (
        AdministrativeUnit.objects.filter(level=Level.COMMUNE, district__in=[d.pk for d in districts])
        .existing_on(before)
        .order_by("gso_code")
    )
    by_district = {d.pk: d for d in districts}
    for district in districts:
        district.commune_list = []
    for commune in communes:
        commune.parent = by_district[commune.parent_id]
        commune.parent.commune_list.append(commune)
    by_province = {p.pk: (p, []) for p in provinces}
    for district in districts:
        district.parent = by_province[district.parent_id][0]
        by_province[district.parent_id][1].append(district)
    return [by_province[pk] for pk in ids]


class ProvinceBuilder:
    """Everything of one synthetic province, from its own random stream."""

    def __init__(self, generator, index, code, district_codes, commune_counts, commune_codes, real=None):
        self.real = real  # (province, [districts with .commune_list]) of the register, or None
        self.g = generator
        self.w = generator.writer
        self.index = index
        self.code = code
        self.district_codes = district_codes
        self.commune_counts = commune_counts
        self.commune_codes = commune_codes
        self.rng = random.Random(f"{generator.seed}:province:{index}")
        self.source_links = []  # (relation, obj_id, source_id)
        self.names_used = set()

    # -- helpers -------------------------------------------------------
    def name(self):
        for _ in range(50):
            name = " ".join(self.rng.sample(SYLLABLES, 2))
            if name not in self.names_used:
                break
        self.names_used.add(name)
        return name

    def cite(self, relation, objs, sources=None):
        pool = sources or self.sources
        for obj in objs:
            picked = {pool[self.rng.randrange(len(pool))].pk}
            if self.rng.random() < 0.15:
                picked.add(pool[self.rng.randrange(len(pool))].pk)
            for source_id in sorted(picked):
                self.source_links.append((relation, obj, source_id))

    def flush_citations(self):
        by_relation = {}
        for relation, obj, source_id in self.source_links:
            by_relation.setdefault(relation, []).append((obj.pk, source_id))
        for relation, pairs in by_relation.items():
            self.w.link(relation, pairs)
        self.source_links = []

    # -- build ---------------------------------------------------------
    def build(self):
        self.province_name = _short_name(self.real[0]) if self.real else self.name()
        self.build_sources()
        self.build_documents()
        self.build_units()
        self.build_bodies_and_mergers()
        self.build_titles()
        self.build_unit_changes()
        self.build_figures()
        self.flush_citations()

    def build_sources(self):
        rng = self.rng
        sources = []
        for k in range(1, 9):
            published, precision = _partial(rng, 2016, 2020)
            sources.append(
                Source(
                    slug=f"{PREFIX}{self.code}-nguon-{k}",
                    kind=Source.Kind.REGISTER if k == 1 else Source.Kind.ARTICLE,
                    title=f"{SYNTHETIC_PUBLISHER}: tỉnh {self.province_name}, #{k}",
                    publisher=SYNTHETIC_PUBLISHER,
                    published_on=published,
                    published_on_edtf=_edtf(published, precision),
                    note=f"Generated by manage.py generate_synthetic (scale {self.g.scale}, seed {self.g.seed}). "
                    "Synthetic data, not a real source.",
                )
            )
        self.sources = self.w.insert(Source, sources)
        self.register = self.sources[:1]
        self.articles = self.sources[1:]

    def build_documents(self):
        rng = self.rng
        committee = f"Ban Thường vụ Tỉnh ủy {self.province_name}"
        docs = {}
        specs = [
            ("to-chuc-noi-vu", "Quyết định về thí điểm hợp nhất Ban Tổ chức và Phòng Nội vụ cấp huyện"),
            ("kiem-tra-thanh-tra", "Quyết định về thí điểm hợp nhất Ủy ban Kiểm tra và Thanh tra cấp huyện"),
            ("khoi-mttq", "Quyết định về cơ quan tham mưu, giúp việc chung khối MTTQ và các đoàn thể cấp huyện"),
            ("van-phong-tinh", "Nghị quyết về hợp nhất Văn phòng Đoàn ĐBQH, HĐND và UBND tỉnh"),
        ]
        for model_slug, title in specs:
            signed, precision = _partial(rng, 2015, 2017)
            number = f"{rng.randrange(10, 999)}-QĐ/TU-SYN{self.code}"
            while number in {d.number for d in docs.values()}:
                number = f"{rng.randrange(10, 999)}-QĐ/TU-SYN{self.code}"
            docs[model_slug] = LegalDocument(
                number=number,
                kind=LegalDocument.Kind.DECISION,
                title_vi=f"{title} (tỉnh {self.province_name})",
                title_en=f"Synthetic decision of {fold(self.province_name).title()} Province",
                issuer=committee,
                signed_on=signed,
                signed_on_edtf=_edtf(signed, precision),
                effective_on=signed,
                effective_on_edtf=_edtf(signed, precision),
                summary_vi="Dữ liệu tổng hợp, không phải văn bản thật.",
                summary_en="Synthetic data, not a real document.",
            )
        number = f"{rng.randrange(800, 999)}/NQ-UBTVQH14-SYN{self.code}"
        docs["unit-merger"] = LegalDocument(
            number=number,
            kind=LegalDocument.Kind.RESOLUTION,
            title_vi=f"Nghị quyết về sắp xếp đơn vị hành chính cấp huyện (tỉnh {self.province_name})",
            title_en="Synthetic resolution on district-level units",
            issuer="Ủy ban Thường vụ Quốc hội",
            signed_on=datetime.date(2019, 12, 17),
            effective_on=datetime.date(2020, 1, 1),
            summary_vi="Dữ liệu tổng hợp, không phải văn bản thật.",
            summary_en="Synthetic data, not a real document.",
        )
        objs = list(docs.values())
        self.w.insert(LegalDocument, objs)
        self.cite(LegalDocument.sources, objs, self.articles)
        self.documents = docs

    def use_real_units(self):
        province, districts = self.real
        self.province = province
        self.districts, self.communes = [], []
        for district in districts:
            _describe_real(district)
            district.communes_2018 = district.communes_2018 or len(district.commune_list)
            for commune in district.commune_list:
                _describe_real(commune)
            self.districts.append(district)
            self.communes.extend(district.commune_list)

    def build_units(self):
        if self.real:
            return self.use_real_units()
        rng = self.rng
        w = self.w
        province = AdministrativeUnit(
            gso_code=self.code,
            slug=f"{PREFIX}{self.code}-{slugify(fold(self.province_name))}",
            name_vi=f"Tỉnh {self.province_name}",
            name_en=f"{fold(self.province_name).title()} Province",
            level=AdministrativeUnit.Level.PROVINCE,
            kind=AdministrativeUnit.Kind.PROVINCE,
        )
        w.insert(AdministrativeUnit, [province])
        w.update(AdministrativeUnit.objects.filter(pk=province.pk), province=F("pk"))
        province.province = province
        self.province = province

        districts = []
        for code in self.district_codes:
            kind = _choice(rng, [("thanh-pho", 0.1), ("thi-xa", 0.1), ("huyen", 0.8)])
            name = self.name()
            title, lower, english = UNIT_WORD[kind]
            unit = AdministrativeUnit(
                gso_code=code,
                slug=f"{PREFIX}{code}-{slugify(fold(name))}",
                name_vi=f"{title} {name}",
                name_en=f"{fold(name).title()} {english}",
                level=AdministrativeUnit.Level.DISTRICT,
                kind=kind,
                parent=province,
                province=province,
                valid_until=datetime.date(2025, 7, 1),
                communes_2018=0,
            )
            unit.short_name = name
            unit.lower_name = f"{lower} {name}"
            unit.committee = f"{PARTY_COMMITTEE[kind]} {name}"
            districts.append(unit)

        communes = []
        codes = iter(self.commune_codes)
        for district, count in zip(districts, self.commune_counts):
            district.communes_2018 = count
            district.commune_list = []
            used = set()
            for _ in range(count):
                kind = _choice(rng, [("xa", 0.75), ("phuong", 0.15), ("thi-tran", 0.1)])
                for _attempt in range(50):
                    name = " ".join(rng.sample(SYLLABLES, 2))
                    if name not in used:
                        break
                else:
                    name = f"{name} {len(used) + 1}"
                used.add(name)
                title, lower, english = UNIT_WORD[kind]
                code = next(codes)
                unit = AdministrativeUnit(
                    gso_code=code,
                    slug=f"{PREFIX}{district.gso_code}-{slugify(fold(name))}-{len(used)}",
                    name_vi=f"{title} {name}",
                    name_en=f"{fold(name).title()} {english}",
                    level=AdministrativeUnit.Level.COMMUNE,
                    kind=kind,
                    parent=district,
                    province=province,
                )
                unit.short_name = name
                unit.lower_name = f"{lower} {name}"
                unit.committee = f"Đảng ủy {lower} {name}"
                district.commune_list.append(unit)
                communes.append(unit)

        w.insert(AdministrativeUnit, districts)
        if districts:
            w.update(AdministrativeUnit.objects.filter(pk__in=[d.pk for d in districts]), district=F("pk"))
        for district in districts:
            district.district = district
        w.insert(AdministrativeUnit, communes)
        self.cite(AdministrativeUnit.sources, [province, *districts, *communes], self.register)
        self.districts = districts
        self.communes = communes

    # -- bodies, mergers, milestones, headcount --------------------------
    def body(self, unit, slug, name, sector, function):
        return Body(unit=unit, slug=slug, name_vi=name, sector=sector, function=function)

    def status_path(self, first_year, last_year, final=None):
        """Milestones (status, date, precision) ending in a chosen final status."""
        rng = self.rng
        final = final or _choice(rng, FINAL_STATUSES)
        steps = [Status.PLANNED, Status.IN_PROGRESS, Status.COMPLETED, Status.REVERSED]
        upto = steps.index(final)
        year = first_year
        path = []
        for i, status in enumerate(steps[: upto + 1]):
            if status == Status.PLANNED and final != Status.PLANNED and rng.random() < 0.4:
                continue
            if status == Status.IN_PROGRESS and i < upto and rng.random() < 0.2:
                continue
            year = min(last_year, year + (1 if path and rng.random() < 0.7 else 0))
            date, precision = _partial(rng, year, year)
            if path and date < path[-1][1]:
                # Never before the previous step once floored: share its date.
                date, precision = path[-1][1], path[-1][2]
            path.append((status, date, precision))
        return path

    def build_bodies_and_mergers(self):
        rng = self.rng
        province, p_name = self.province, self.province_name
        results, others = [], []
        mergers = []  # (merger, constituents, path, model_slug, basis)

        def add_merger(unit, slug, kind, model_slug, title, constituents, result, years, basis=None, final=None):
            path = self.status_path(*years, final=final)
            final_status = path[-1][0]
            if final_status == Status.PLANNED and result is not None and kind != Merger.Kind.TRANSFER:
                result = None  # planned only: the new body does not exist yet
            merger = Merger(
                slug=slug,
                kind=kind,
                model=self.g.models.get(model_slug) if model_slug else None,
                unit=unit,
                title_vi=title,
                result=result,
            )
            if result is not None and kind != Merger.Kind.TRANSFER:
                start = next((p for p in path if p[0] in (Status.IN_PROGRESS, Status.COMPLETED)), path[-1])
                result.founded_on_edtf = _edtf(start[1], start[2])
                results.append(result)
            completed = next((p for p in path if p[0] == Status.COMPLETED), None)
            if kind in Merger.CLOSING_KINDS and completed and final_status == Status.COMPLETED:
                for body in constituents:
                    body.end_reason = Body.EndReason.MERGED
                    body.successor = result
                    body.ended_on_edtf = _edtf(completed[1], completed[2])
            mergers.append((merger, constituents, path, model_slug, basis))
            return merger

        # Province: its offices merged into one (van-phong-tinh), and its Front bloc.
        p_unit = f"tỉnh {p_name}"
        p_committee = f"Tỉnh ủy {p_name}"
        prefix = f"{PREFIX}{self.code}-"
        others += [
            self.body(province, prefix + "ban-to-chuc", f"Ban Tổ chức {p_committee}", "party", "organisation"),
            self.body(province, prefix + "ban-dan-van", f"Ban Dân vận {p_committee}", "party", "mass_mobilisation"),
        ]
        others += [
            self.body(province, prefix + slug, name.format(unit=p_unit), "front", function)
            for slug, name, function in FRONT_ORGS
        ]
        offices = [
            self.body(province, prefix + "vp-doan-dbqh", f"Văn phòng Đoàn ĐBQH {p_unit}", "state", "office"),
            self.body(province, prefix + "vp-hdnd", f"Văn phòng HĐND {p_unit}", "state", "office"),
            self.body(province, prefix + "vp-ubnd", f"Văn phòng UBND {p_unit}", "state", "office"),
        ]
        others += offices
        if rng.random() < 0.9:
            office = self.body(
                province,
                prefix + "vp-doan-dbqh-hdnd-ubnd",
                f"Văn phòng Đoàn ĐBQH, HĐND và UBND {p_unit}",
                "joint",
                "office",
            )
            add_merger(
                province,
                prefix + "van-phong-tinh",
                Merger.Kind.MERGER,
                "van-phong-tinh",
                f"Hợp nhất Văn phòng Đoàn ĐBQH, HĐND và UBND {p_unit}",
                offices,
                office,
                (2016, 2020),
                basis=self.documents["van-phong-tinh"],
            )

        for district in self.districts:
            unit, committee, dp = district.lower_name, district.committee, f"{PREFIX}{district.gso_code}-"
            bodies = {
                slug: self.body(district, dp + slug, name.format(unit=unit, committee=committee), sector, function)
                for slug, name, sector, function in DISTRICT_BODIES
            }
            others += bodies.values()
            if rng.random() < 0.97:
                result = self.body(
                    district,
                    dp + "co-quan-to-chuc-noi-vu",
                    f"Cơ quan Tổ chức - Nội vụ {committee}",
                    "joint",
                    "organisation",
                )
                add_merger(
                    district,
                    dp + "to-chuc-noi-vu",
                    Merger.Kind.MERGER,
                    "to-chuc-noi-vu",
                    f"Hợp nhất Ban Tổ chức {committee} và Phòng Nội vụ {unit}",
                    [bodies["ban-to-chuc"], bodies["phong-noi-vu"]],
                    result,
                    (2017, 2020),
                    basis=self.documents["to-chuc-noi-vu"],
                )
            if rng.random() < 0.95:
                result = self.body(
                    district,
                    dp + "co-quan-kiem-tra-thanh-tra",
                    f"Cơ quan Kiểm tra - Thanh tra {committee}",
                    "joint",
                    "inspection",
                )
                add_merger(
                    district,
                    dp + "kiem-tra-thanh-tra",
                    Merger.Kind.MERGER,
                    "kiem-tra-thanh-tra",
                    f"Hợp nhất Ủy ban Kiểm tra {committee} và Thanh tra {unit}",
                    [bodies["uy-ban-kiem-tra"], bodies["thanh-tra"]],
                    result,
                    (2017, 2020),
                    basis=self.documents["kiem-tra-thanh-tra"],
                )
            if rng.random() < 0.9:
                result = self.body(
                    district,
                    dp + "co-quan-khoi-mttq",
                    f"Cơ quan tham mưu, giúp việc chung Khối MTTQ và các đoàn thể {unit}",
                    "front",
                    "joint_advisory",
                )
                add_merger(
                    district,
                    dp + "khoi-mttq",
                    Merger.Kind.JOINT_AGENCY,
                    "khoi-mttq",
                    f"Cơ quan tham mưu, giúp việc chung khối MTTQ và các đoàn thể {unit}",
                    [bodies[slug] for slug, _n, _f in FRONT_ORGS],
                    result,
                    (2015, 2018),
                    basis=self.documents["khoi-mttq"],
                )
            if rng.random() < 0.5:
                add_merger(
                    district,
                    dp + "chuyen-nhiem-vu-dao-tao",
                    Merger.Kind.TRANSFER,
                    None,
                    f"Chuyển nhiệm vụ đào tạo lý luận chính trị sang Ban Tuyên giáo {committee}",
                    [bodies["trung-tam-bdct"]],
                    bodies["ban-tuyen-giao"],
                    (2016, 2019),
                    final=Status.COMPLETED,
                )
            if rng.random() < 0.5:
                add_merger(
                    district,
                    dp + "chuyen-nhiem-vu-tai-chinh",
                    Merger.Kind.TRANSFER,
                    None,
                    f"Chuyển nhiệm vụ quản lý tài chính, tài sản sang Văn phòng {committee}",
                    [bodies["phong-tai-chinh"]],
                    bodies["van-phong"],
                    (2016, 2019),
                    final=Status.COMPLETED,
                )

            for commune in district.commune_list:
                unit, cp = commune.lower_name, f"{PREFIX}{commune.gso_code or commune.slug[len(PREFIX) :]}-"
                front = [
                    self.body(commune, cp + slug, name.format(unit=unit), "front", function)
                    for slug, name, function in FRONT_ORGS
                ]
                others += front
                others.append(
                    self.body(commune, cp + "van-phong-dang-uy", f"Văn phòng {commune.committee}", "party", "office")
                )
                result = self.body(
                    commune,
                    cp + "co-quan-khoi-mttq",
                    f"Cơ quan tham mưu, giúp việc chung Khối MTTQ và các đoàn thể {unit}",
                    "front",
                    "joint_advisory",
                )
                add_merger(
                    commune,
                    cp + "khoi-mttq",
                    Merger.Kind.JOINT_AGENCY,
                    None,
                    f"Khối MTTQ và các đoàn thể chung {unit}",
                    front,
                    result,
                    (2016, 2020),
                )
                if rng.random() < 0.15:
                    schools = [
                        self.body(
                            commune,
                            cp + "truong-tieu-hoc",
                            f"Trường Tiểu học {commune.short_name}",
                            "public_service",
                            "education",
                        ),
                        self.body(commune, cp + "truong-thcs", f"Trường THCS {unit}", "public_service", "education"),
                    ]
                    others += schools
                    result = self.body(
                        commune, cp + "truong-th-thcs", f"Trường TH & THCS {unit}", "public_service", "education"
                    )
                    add_merger(
                        commune,
                        cp + "truong-th-thcs",
                        Merger.Kind.MERGER,
                        None,
                        f"Sáp nhập trường tiểu học và trung học cơ sở {unit}",
                        schools,
                        result,
                        (2017, 2020),
                    )

        w = self.w
        w.insert(Body, results)
        w.insert(Body, others)
        self.cite(Body.sources, results + others, self.articles)

        merger_objs = [m for m, *_ in mergers]
        w.insert(Merger, merger_objs)
        self.cite(Merger.sources, merger_objs, self.articles)
        w.link(Merger.basis, [(m.pk, basis.pk) for m, _c, _p, _s, basis in mergers if basis is not None])

        constituents, milestones, headcounts = [], [], []
        for merger, bodies, path, model_slug, basis in mergers:
            constituents += [Constituent(merger=merger, body=b, order=i) for i, b in enumerate(bodies)]
            for status, date, precision in path:
                milestones.append(
                    Milestone(
                        merger=merger,
                        status=status,
                        date_edtf=_edtf(date, precision),
                        basis=basis if status == Status.PLANNED else None,
                    )
                )
            completed = next((p for p in path if p[0] == Status.COMPLETED), None)
            if model_slug and completed and rng.random() < 0.6:
                before = rng.randrange(12, 36)
                headcounts.append(Headcount(merger=merger, phase=Headcount.Phase.BEFORE, value=before))
                if rng.random() < 0.85:
                    as_of, precision = completed[1], completed[2]
                    headcounts.append(
                        Headcount(
                            merger=merger,
                            phase=Headcount.Phase.AFTER,
                            value=before - rng.randrange(1, before // 4 + 2),
                            as_of_edtf=_edtf(as_of, precision),
                        )
                    )
        w.insert(Constituent, constituents)
        w.insert(Milestone, milestones)
        w.insert(Headcount, headcounts)
        self.cite(Milestone.sources, milestones, self.articles)
        self.cite(Headcount.sources, headcounts, self.articles)
        self.mergers = mergers

    def build_titles(self):
        rng = self.rng
        posts, holdings, holding_posts = [], [], []
        for district in self.districts:
            dp = f"{PREFIX}{district.gso_code}-"
            by_slug = {
                slug: Post(
                    unit=district,
                    slug=dp + slug,
                    title_vi=title.format(unit=district.lower_name, committee=district.committee),
                )
                for slug, title in DISTRICT_POSTS
            }
            posts += by_slug.values()
            for combination, post_slugs, probability in DISTRICT_TITLES:
                if rng.random() >= probability:
                    continue
                holding = self.holding(district, dp + "kiem-nhiem-" + combination.replace("_", "-"), combination)
                holdings.append(holding)
                holding_posts += [(holding, by_slug[s]) for s in post_slugs]
            for commune in district.commune_list:
                if rng.random() >= 0.3:
                    continue
                cp = f"{PREFIX}{commune.gso_code or commune.slug[len(PREFIX) :]}-"
                pair = [
                    Post(unit=commune, slug=cp + "bi-thu", title_vi=f"Bí thư {commune.committee}"),
                    Post(unit=commune, slug=cp + "chu-tich-ubnd", title_vi=f"Chủ tịch UBND {commune.lower_name}"),
                ]
                posts += pair
                holding = self.holding(commune, cp + "kiem-nhiem-secretary-committee", "secretary_committee")
                holdings.append(holding)
                holding_posts += [(holding, p) for p in pair]
        self.w.insert(Post, posts)
        self.w.insert(Holding, holdings)
        self.w.link(Holding.posts, [(h.pk, p.pk) for h, p in holding_posts])
        self.cite(Post.sources, posts, self.articles)
        self.cite(Holding.sources, holdings, self.articles)
        self.holdings = holdings

    def holding(self, unit, slug, combination):
        rng = self.rng
        holding = Holding(unit=unit, slug=slug, combination=combination)
        if rng.random() < 0.7:
            holding.start_date_edtf = _edtf(*_partial(rng, 2015, 2019))
            if rng.random() < 0.1:
                end, precision = _partial(rng, 2020, 2021)
                holding.end_date_edtf = _edtf(end, precision)
        else:
            holding.reported_on_edtf = _edtf(*_partial(rng, 2017, 2020))
        return holding

    def build_unit_changes(self):
        if self.real:
            return  # real units keep their real history only
        rng = self.rng
        changes = []
        basis = self.documents["unit-merger"]
        if len(self.districts) >= 3 and rng.random() < 0.3:
            absorbed, into = self.districts[-1], self.districts[0]
            # All three columns of the end: the pages read its latest day.
            absorbed.valid_until_edtf = "2020-01-01"
            absorbed.valid_until = absorbed.valid_until_latest = datetime.date(2020, 1, 1)
            self.w.update(
                AdministrativeUnit.objects.filter(pk=absorbed.pk),
                valid_until_edtf=absorbed.valid_until_edtf,
                valid_until=absorbed.valid_until,
                valid_until_latest=absorbed.valid_until_latest,
            )
            changes += [
                UnitChange(
                    unit=absorbed,
                    kind=UnitChange.Kind.ABSORBED,
                    date=datetime.date(2020, 1, 1),
                    related_unit=into,
                    basis=basis,
                    description_vi=f"Nhập vào {into.name_vi} (dữ liệu tổng hợp).",
                    description_en=f"Merged into {into.name_en} (synthetic data).",
                ),
                UnitChange(
                    unit=into,
                    kind=UnitChange.Kind.ENLARGED,
                    date=datetime.date(2020, 1, 1),
                    related_unit=absorbed,
                    basis=basis,
                    communes_after=into.communes_2018 + absorbed.communes_2018,
                    description_vi=f"Nhận toàn bộ {absorbed.name_vi} (dữ liệu tổng hợp).",
                    description_en=f"Took in all of {absorbed.name_en} (synthetic data).",
                ),
            ]
        for district in self.districts:
            if district.valid_until == datetime.date(2025, 7, 1):
                changes.append(
                    UnitChange(
                        unit=district,
                        kind=UnitChange.Kind.ABOLISHED,
                        date=datetime.date(2025, 7, 1),
                        description_vi="Cấp huyện kết thúc hoạt động (dữ liệu tổng hợp).",
                        description_en="District level abolished (synthetic data).",
                    )
                )
            communes = district.commune_list
            for i, commune in enumerate(communes[1:], start=1):
                if rng.random() < 0.02:
                    into = communes[i - 1]
                    changes.append(
                        UnitChange(
                            unit=commune,
                            kind=UnitChange.Kind.ABSORBED,
                            date_edtf="2019",
                            related_unit=into,
                            description_vi=f"Nhập vào {into.name_vi} trong năm 2019 (dữ liệu tổng hợp).",
                            description_en=f"Merged into {into.name_en} in 2019 (synthetic data).",
                        )
                    )
        self.w.insert(UnitChange, changes)
        self.cite(UnitChange.sources, changes, self.articles)

    def build_figures(self):
        rng = self.rng
        as_of = datetime.date(2019, 12, 1)
        districts = [d for d in self.districts if d.valid_until is None or d.valid_until > as_of]
        completed_by_model = Counter()
        focal_points = 0
        for merger, bodies, path, model_slug, _basis in self.mergers:
            done = [p for p in path if p[1] <= as_of]
            if model_slug and done and done[-1][0] == Status.COMPLETED and merger.unit.level == "district":
                completed_by_model[model_slug] += 1
                if model_slug in ("to-chuc-noi-vu", "kiem-tra-thanh-tra"):
                    focal_points += len(bodies) - 1

        def jitter(value, ceiling):
            # A fifth of the figures disagree with the records, as real ones do.
            if rng.random() < 0.2:
                value = max(0, min(ceiling, value + rng.choice((-1, 1))))
            return value

        figures, figure_models = [], []
        prefix = f"{PREFIX}{self.code}-"
        names = {slug: vi for slug, _l, _o, vi, _e in MODEL_SPECS}
        for model_slug in ("to-chuc-noi-vu", "kiem-tra-thanh-tra", "khoi-mttq"):
            figure = ReportedFigure(
                slug=prefix + model_slug + "-hoan-thanh",
                statement_vi=f"{names[model_slug]}: số huyện đã hoàn thành (tỉnh {self.province_name})",
                statement_en=f"Districts that completed the model (synthetic, {fold(self.province_name).title()})",
                unit=self.province,
                counted_level="district",
                metric="units_completed",
                value=jitter(completed_by_model[model_slug], len(districts)),
                denominator=len(districts) or None,
                as_of_edtf=_edtf(as_of, "month"),
            )
            figures.append(figure)
            figure_models.append((figure, model_slug))
        figure = ReportedFigure(
            slug=prefix + "dau-moi-giam",
            statement_vi=f"Số đầu mối giảm (tỉnh {self.province_name})",
            statement_en="Focal points cut (synthetic)",
            unit=self.province,
            metric="focal_points_cut",
            value=jitter(focal_points, focal_points + 1),
            as_of_edtf=_edtf(as_of, "month"),
        )
        figures.append(figure)
        figure_models += [(figure, "to-chuc-noi-vu"), (figure, "kiem-tra-thanh-tra")]
        titled = sum(1 for h in self.holdings if h.combination == "secretary_council")
        figures.append(
            ReportedFigure(
                slug=prefix + "bi-thu-chu-tich-hdnd",
                statement_vi=f"Số huyện có Bí thư đồng thời là Chủ tịch HĐND (tỉnh {self.province_name})",
                statement_en="Districts whose Party Secretary chairs the People's Council (synthetic)",
                unit=self.province,
                counted_level="district",
                metric="units_with_title",
                combination="secretary_council",
                value=jitter(titled, len(districts)),
                denominator=len(districts) or None,
                as_of_edtf=_edtf(as_of, "month"),
            )
        )
        figures.append(
            ReportedFigure(
                slug=prefix + "so-xa",
                statement_vi=f"Số xã, phường, thị trấn (tỉnh {self.province_name})",
                statement_en="Communes, wards and townships (synthetic)",
                unit=self.province,
                metric="communes",
                value=sum(d.communes_2018 for d in districts),
                as_of_edtf=_edtf(as_of, "month"),
            )
        )
        figures.append(
            ReportedFigure(
                slug=prefix + "bien-che-giam",
                statement_vi="Biên chế khối MTTQ giảm (phần trăm)",
                statement_en="Headcount cut in the Front bloc (percent, synthetic)",
                unit=self.province,
                measure="percent",
                value=round(rng.uniform(5, 20), 2),
                as_of_edtf=_edtf(as_of, "year"),
            )
        )
        self.w.insert(ReportedFigure, figures)
        self.w.link(
            ReportedFigure.merger_models,
            [(f.pk, self.g.models[slug].pk) for f, slug in figure_models if slug in self.g.models],
        )
        self.cite(ReportedFigure.sources, figures, self.articles)


class Generator:
    def __init__(self, scale, seed, dry_run=False, stdout=None):
        self.scale = scale
        self.seed = seed
        self.writer = Writer(dry_run)
        self.plan = Plan.build(scale, seed)
        self.stdout = stdout

    def merger_models(self):
        """The seed's four models; synthetic `syn-` copies when the seed is absent."""
        models = {}
        for slug, level, order, name_vi, name_en in MODEL_SPECS:
            model = MergerModel.objects.filter(slug=slug).first()
            if model is None:
                model = MergerModel.objects.filter(slug=PREFIX + slug).first()
            if model is None:
                model = MergerModel(
                    slug=PREFIX + slug,
                    level=level,
                    order=order,
                    name_vi=name_vi,
                    name_en=name_en,
                    short_vi=name_vi[:60],
                    short_en=name_en[:60],
                    description_en="Synthetic data, not a real source.",
                )
                self.writer.insert(MergerModel, [model])
            models[slug] = model
        return models

    def run(self):
        plan = self.plan
        self.models = self.merger_models()
        real = real_register(self.scale)
        if real:
            for index, (province, districts) in enumerate(real):
                ProvinceBuilder(self, index, province.gso_code, [], [], [], real=(province, districts)).build()
                reset_queries()
                if self.stdout is not None and (index + 1) % 10 == 0:
                    self.stdout.write(f"  {index + 1}/{len(real)} real provinces, {self.writer.counts.total():,} rows")
            return self.writer.counts
        province_codes = _codes(plan.provinces, 2, REAL_PROVINCE_CODES)
        district_codes = _district_codes(sum(plan.districts_per_province))
        communes_total = sum(plan.communes_per_district)
        commune_codes = [
            str(FIRST_COMMUNE_CODE + i) if FIRST_COMMUNE_CODE + i <= 99_999 else None for i in range(communes_total)
        ]
        d_start = c_start = 0
        for index, (code, n_districts) in enumerate(zip(province_codes, plan.districts_per_province)):
            commune_counts = plan.communes_per_district[d_start : d_start + n_districts]
            n_communes = sum(commune_counts)
            ProvinceBuilder(
                self,
                index,
                code,
                district_codes[d_start : d_start + n_districts],
                commune_counts,
                commune_codes[c_start : c_start + n_communes],
            ).build()
            d_start += n_districts
            c_start += n_communes
            reset_queries()  # with DEBUG on, Django keeps every (huge) bulk INSERT in memory
            if self.stdout is not None and (index + 1) % 10 == 0:
                self.stdout.write(f"  {index + 1}/{plan.provinces} provinces, {self.writer.counts.total():,} rows")
        return self.writer.counts


def exists():
    return Source.objects.filter(slug__startswith=PREFIX).exists()


def generate(scale, seed, dry_run=False, stdout=None):
    """Add the synthetic data set; returns the row counts per table."""
    generator = Generator(scale, seed, dry_run=dry_run, stdout=stdout)
    if dry_run:
        return generator.run()
    with transaction.atomic():
        counts = generator.run()
        # bulk_create sends no post_save: invalidate cached pages and figures
        # (core.cache) now and once the rows are committed.
        bump_data_version()
        transaction.on_commit(bump_data_version)
    return counts


def digest():
    """sha256 of every synthetic row by its natural identifiers (never database ids)."""
    syn = {"slug__startswith": PREFIX}
    h = hashlib.sha256()

    def feed(label, rows):
        h.update(label.encode())
        for row in rows:
            h.update(repr(row).encode())

    def sources(model, prefix="", **filters):
        through = model.sources.through
        left = model.sources.field.m2m_field_name()
        key = f"{left}__{prefix}" if prefix else f"{left}__slug"
        return through.objects.filter(**filters).values_list(key, "source__slug").order_by(key, "source__slug")

    feed(
        "source",
        Source.objects.filter(**syn).order_by("slug").values_list("slug", "kind", "title", "published_on_edtf"),
    )
    docs = LegalDocument.objects.filter(number__contains="-SYN").order_by("number")
    feed("document", docs.values_list("number", "title_vi", "signed_on_edtf", "effective_on_edtf"))
    feed(
        "unit",
        AdministrativeUnit.objects.filter(**syn)
        .order_by("slug")
        .values_list(
            "slug",
            "gso_code",
            "name_vi",
            "name_en",
            "level",
            "kind",
            "parent__slug",
            "district__slug",
            "province__slug",
            "valid_until",
            "communes_2018",
            "search_text",
        ),
    )
    feed(
        "body",
        Body.objects.filter(**syn)
        .order_by("slug")
        .values_list(
            "slug",
            "unit__slug",
            "name_vi",
            "sector",
            "function",
            "founded_on_edtf",
            "ended_on_edtf",
            "end_reason",
            "successor__slug",
            "search_text",
        ),
    )
    feed(
        "merger",
        Merger.objects.filter(**syn)
        .order_by("slug")
        .values_list("slug", "kind", "model__slug", "unit__slug", "title_vi", "result__slug"),
    )
    feed(
        "constituent",
        Constituent.objects.filter(merger__slug__startswith=PREFIX)
        .order_by("merger__slug", "order")
        .values_list("merger__slug", "body__slug", "order"),
    )
    feed(
        "milestone",
        Milestone.objects.filter(merger__slug__startswith=PREFIX)
        .order_by("merger__slug", "date", "status")
        .values_list("merger__slug", "status", "date_edtf", "basis__number"),
    )
    feed(
        "headcount",
        Headcount.objects.filter(merger__slug__startswith=PREFIX)
        .order_by("merger__slug", "phase")
        .values_list("merger__slug", "phase", "value", "as_of_edtf"),
    )
    feed("post", Post.objects.filter(**syn).order_by("slug").values_list("slug", "unit__slug", "title_vi"))
    feed(
        "holding",
        Holding.objects.filter(**syn)
        .order_by("slug")
        .values_list("slug", "unit__slug", "combination", "start_date_edtf", "end_date_edtf", "reported_on_edtf"),
    )
    feed(
        "holding_posts",
        Holding.posts.through.objects.filter(holding__slug__startswith=PREFIX)
        .order_by("holding__slug", "post__slug")
        .values_list("holding__slug", "post__slug"),
    )
    feed(
        "unit_change",
        UnitChange.objects.filter(unit__slug__startswith=PREFIX)
        .order_by("unit__slug", "kind", "date")
        .values_list("unit__slug", "kind", "date", "related_unit__slug", "basis__number"),
    )
    feed(
        "figure",
        ReportedFigure.objects.filter(**syn)
        .order_by("slug")
        .values_list("slug", "unit__slug", "metric", "value", "denominator", "as_of"),
    )
    for model in (AdministrativeUnit, Body, Merger, Post, Holding, ReportedFigure):
        feed(
            f"{model.__name__}.sources",
            sources(model, **{f"{model.sources.field.m2m_field_name()}__slug__startswith": PREFIX}),
        )
    for model in (Milestone, Headcount):
        left = model.sources.field.m2m_field_name()
        through = model.sources.through
        feed(
            f"{model.__name__}.sources",
            through.objects.filter(**{f"{left}__merger__slug__startswith": PREFIX})
            .values_list(
                f"{left}__merger__slug", f"{left}__{'status' if model is Milestone else 'phase'}", "source__slug"
            )
            .order_by(
                f"{left}__merger__slug", f"{left}__{'status' if model is Milestone else 'phase'}", "source__slug"
            ),
        )
    return h.hexdigest()
