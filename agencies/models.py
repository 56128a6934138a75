"""Places, bodies, posts and the sources that every record cites.

This app builds on `core` (the shared infrastructure) only: the apps that
build on it import it, never the other way round.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.history import QnHistoricalRecords as HistoricalRecords

from .dates import (
    UncertainDatesMixin,
    UncertainDatesQuerySet,
    date_field,
    edtf_field,
    not_reached_by_q,
    reached_by,
    reached_by_q,
)
from .text import SearchableMixin, fold, search_q

GSO_CODE_PATTERN = r"^[0-9]{2,5}$"
# The national reorganisation of 01/07/2025: the district level ended, 63
# provinces became 34 and the communes became 3,321 with codes of their own,
# many reusing a predecessor's code. Codes are unique within each side of it.
REORGANISATION_2025 = datetime.date(2025, 7, 1)
_BEFORE_2025 = Q(valid_from__isnull=True) | Q(valid_from__lt=REORGANISATION_2025)
# "Phường Hà Khánh" -> "ha khanh": the folded name without its kind, so a
# lookup typed without the kind or the diacritics finds it by index.
_KIND_WORDS = ("thanh pho", "thi tran", "thi xa", "dac khu", "phuong", "huyen", "quan", "tinh", "xa", "khu", "thon")


def folded_name(name):
    text = fold(name)
    for word in _KIND_WORDS:
        if text.startswith(word + " "):
            return text[len(word) + 1 :]
    return text


def localized(obj, field):
    """The Vietnamese or English value of a bilingual field, by active language."""
    if (get_language() or "vi").startswith("en"):
        return getattr(obj, f"{field}_en") or getattr(obj, f"{field}_vi")
    return getattr(obj, f"{field}_vi")


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Source(UncertainDatesMixin, SearchableMixin, models.Model):
    """An article or official register that records are taken from."""

    district_editor_access = "add"  # a district editor may add an article to cite (core.scope)

    class Kind(models.TextChoices):
        ARTICLE = "article", _("News article")
        REGISTER = "register", _("Official register")
        LEGAL_DOCUMENT = "legal_document", _("Legal document (resolution, decision)")

    slug = models.SlugField(_("identifier"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.ARTICLE)
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200)
    author = models.CharField(_("author"), max_length=200, blank=True)
    published_on_edtf = edtf_field(_("published"))
    published_on = date_field(_("earliest day"))
    published_on_latest = date_field(_("latest day"))
    date_note = models.CharField(
        _("note on the date"),
        max_length=300,
        blank=True,
        help_text=_("How the date was established when the source does not print it."),
    )
    url = models.URLField(_("address"), max_length=500, blank=True)
    seed_file = models.CharField(
        _("archived copy"), max_length=100, blank=True, help_text=_("File name of the verbatim copy in shared/seeds.")
    )
    note = models.TextField(_("note"), blank=True)
    search_text = models.TextField(editable=False, blank=True, default="")

    objects = SlugManager()
    history = HistoricalRecords(excluded_fields=["search_text"])

    uncertain_dates = ("published_on",)
    search_source = ("slug", "title", "publisher", "author")

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["published_on", "slug"]

    def __str__(self):
        date = self.format_date("published_on")
        return f"{self.publisher}: {self.title}" + (f" ({date})" if date else "")

    def natural_key(self):
        return (self.slug,)

    def citing_records(self, limit=50):
        """Records that cite this source (every many-to-many link to it), at
        most `limit` per kind. A cited source cannot be deleted: deleting it
        would silently remove every citation (agencies.signals)."""
        records = []
        for relation in self._meta.related_objects:
            if relation.many_to_many:
                records += list(getattr(self, relation.get_accessor_name()).all()[:limit])
        return records


class CitationManager(models.Manager):
    def get_by_natural_key(self, *key):
        """The owner's natural key followed by the source's slug."""
        owner_model = self.model._meta.get_field(self.model.owner_field).related_model
        owner = owner_model._default_manager.get_by_natural_key(*key[:-1])
        return self.get(**{self.model.owner_field: owner, "source__slug": key[-1]})


class Citation(models.Model):
    """One record citing one source, with the passage it rests on.

    `quote` is the source's own words (one or two sentences); `reasoning`
    says in plain words how the record follows when no sentence states it
    outright. Each citing model has its own concrete citation table (the
    through table of its `sources`), made by `citation_model`.
    """

    # A cited source cannot be deleted: agencies.signals.protect_cited_source
    # refuses it, naming the records citing it.
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="+")
    quote = models.TextField(
        _("quote"),
        blank=True,
        help_text=_("The passage the record rests on, in the source's own words (one or two sentences)."),
    )
    reasoning = models.TextField(
        _("reasoning"),
        blank=True,
        help_text=_("When the record rests on reasoning rather than on one sentence: how it follows, in plain words."),
    )

    objects = CitationManager()
    owner_field = ""

    class Meta:
        abstract = True

    def __str__(self):
        return str(self.source)

    @property
    def owner(self):
        return getattr(self, self.owner_field)


def citation_model(owner):
    """The citation (through) model of `owner.sources`, on the table the plain
    many-to-many link used, so existing links stay as they are."""
    field_name = owner._meta.model_name
    meta = type(
        "Meta",
        (),
        {
            "db_table": f"{owner._meta.db_table}_sources",
            "unique_together": [(field_name, "source")],
            "verbose_name": _("citation"),
            "verbose_name_plural": _("citations"),
        },
    )

    def natural_key(self):
        return (*getattr(self, field_name).natural_key(), self.source.slug)

    natural_key.dependencies = [owner._meta.label_lower, "agencies.source"]
    return type(
        f"{owner.__name__}Citation",
        (Citation,),
        {
            "__module__": owner.__module__,
            field_name: models.ForeignKey(
                owner, verbose_name=owner._meta.verbose_name, on_delete=models.CASCADE, related_name="citations"
            ),
            "owner_field": field_name,
            # A citation follows its record's scope (core.scope).
            "district_path": f"{field_name}__{owner.district_path}" if getattr(owner, "district_path", None) else None,
            "district_editor_access": "view" if getattr(owner, "district_editor_access", None) else None,
            "natural_key": natural_key,
            "Meta": meta,
            # Citations have their own history (who added or changed a quote,
            # when), from which a revert of the record puts them back.
            "history": HistoricalRecords(),
        },
    )


class LegalDocumentQuerySet(UncertainDatesQuerySet):
    """A document has no unit: it lies where the records it is the legal
    basis of lie. Those are the records of every relation named `basis` to
    documents whose model's QuerySet has the rule asked for (`in_province`,
    `in_district`, `of_model`): unit changes here; mergers and their
    milestones in the app built on this one, which this one never names."""

    def _records(self, rule):
        """The records of each relation named `basis` to documents whose
        model's QuerySet has `rule`."""
        for relation in self.model._meta.related_objects:
            records = relation.related_model._default_manager.all()
            if relation.field.name == "basis" and hasattr(records, rule):
                yield records

    def _basis_of(self, rule, *args):
        """A condition: the document is the basis of a record that `rule`
        (the records' QuerySet method, given `args`) keeps; with no `args`,
        of any record that has the rule."""
        condition = Q(pk__in=[])  # none
        for records in self._records(rule):
            kept = getattr(records, rule)(*args) if args else records
            condition |= Exists(kept.filter(basis=OuterRef("pk")))
        return condition

    def in_province(self, province):
        """As a province's timeline shows them: the basis of a record in the
        province, and the documents that are the basis of no record with a
        unit (national resolutions)."""
        return self.filter(self._basis_of("in_province", province) | ~self._basis_of("in_province"))

    def in_district(self, district):
        """The basis of a record in the district or below it."""
        return self.filter(self._basis_of("in_district", district))

    def of_model(self, model):
        """The basis a merger model names (`model.basis`) and the basis of
        every record of that model."""
        return self.filter(Q(pk__in=model.basis.values("pk")) | self._basis_of("of_model", model))

    def matching(self, text):
        """Documents whose number, title or issuer holds every word searched."""
        return self.filter(search_q(text))


class LegalDocumentManager(models.Manager.from_queryset(LegalDocumentQuerySet)):
    def get_by_natural_key(self, number):
        return self.get(number=number)


class LegalDocument(UncertainDatesMixin, SearchableMixin, models.Model):
    """A decision, resolution or official letter: the legal basis of a change."""

    district_editor_access = "view"  # reference data for district editors (core.scope)

    class Kind(models.TextChoices):
        RESOLUTION = "resolution", _("Resolution (Nghị quyết)")
        DECISION = "decision", _("Decision (Quyết định)")
        LETTER = "letter", _("Official letter (Văn bản)")

    number = models.CharField(
        _("number"), max_length=60, unique=True, help_text=_('The document\'s số hiệu, e.g. "44-QĐ/TU".')
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=400)
    title_en = models.CharField(_("title (English)"), max_length=400, blank=True)
    issuer = models.CharField(_("issuer"), max_length=200)
    signed_on_edtf = edtf_field(_("signed"))
    signed_on = date_field(_("earliest day"))
    signed_on_latest = date_field(_("latest day"))
    effective_on_edtf = edtf_field(_("effective"))
    effective_on = date_field(_("earliest day"))
    effective_on_latest = date_field(_("latest day"))
    summary_vi = models.TextField(_("what it did (Vietnamese)"), blank=True)
    summary_en = models.TextField(_("what it did (English)"), blank=True)
    sources = models.ManyToManyField(
        Source,
        verbose_name=_("sources"),
        blank=True,
        related_name="documents",
        through="LegalDocumentCitation",
        help_text=_("Articles that report this document."),
    )
    search_text = models.TextField(editable=False, blank=True, default="")

    objects = LegalDocumentManager()
    history = HistoricalRecords(excluded_fields=["search_text"])

    uncertain_dates = ("signed_on", "effective_on")
    search_source = ("number", "title_vi", "title_en", "issuer")

    class Meta:
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        ordering = ["signed_on", "number"]
        indexes = [models.Index(fields=["signed_on"], name="agencies_document_signed_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_on_latest__isnull=True)
                | Q(signed_on__isnull=True)
                | Q(effective_on_latest__gte=F("signed_on")),
                name="agencies_legaldocument_effective_after_signed",
                violation_error_message=_("A document cannot take effect before it is signed."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display().split(' (')[0]} {self.number}"

    @property
    def title(self):
        return localized(self, "title")

    @property
    def summary(self):
        return localized(self, "summary")

    @property
    def date(self):
        """The date the timeline files it under: signed, else effective."""
        return self.signed_on or self.effective_on

    def natural_key(self):
        return (self.number,)


LegalDocumentCitation = citation_model(LegalDocument)


class UnitQuerySet(models.QuerySet):
    def districts(self):
        return self.filter(level=AdministrativeUnit.Level.DISTRICT)

    def provinces(self):
        return self.filter(level=AdministrativeUnit.Level.PROVINCE)

    def in_province(self, province):
        return self.filter(province=province)

    def matching_name_or_code(self, text):
        """Units whose GSO code is `text`, or whose name (without its kind,
        accents or case) starts with it: "ha khanh", "Phường Hà Khánh", "06649".
        Both filters use an index (gso_code, name_folded)."""
        text = (text or "").strip()
        if text.isdigit():
            codes = {text, text.zfill(2), text.zfill(3), text.zfill(5)}
            return self.filter(gso_code__in=codes)
        name = folded_name(text)
        if not name:
            return self.none()
        return self.filter(name_folded__startswith=name)

    def existing_on(self, date):
        """Units that existed on this date (started before it, not yet ended
        by it: see `ended_by`). `date` may be an expression (OuterRef)."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=date),
            not_reached_by_q("valid_until", date),
        )

    def ended_by(self, date):
        """Units that had certainly ended by this date: the latest day their
        end can mean is on or before it (AdministrativeUnit.ended_by)."""
        return self.filter(reached_by_q("valid_until", date))


class UnitManager(models.Manager.from_queryset(UnitQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def fill_folded_names(self):
        """Derive `name_folded` where a raw load (fixtures) left it empty."""
        units = list(self.filter(name_folded="").only("pk", "name_vi"))
        for unit in units:
            unit.name_folded = folded_name(unit.name_vi)
        self.bulk_update(units, ["name_folded"], batch_size=1000)
        return len(units)


# Vietnamese words naming a unit's kind at the start of its name.
KIND_WORDS = {"tỉnh", "huyện", "xã", "phường", "khu", "thôn", "bản"}


class AdministrativeUnit(UncertainDatesMixin, SearchableMixin, models.Model):
    """A province, district-level unit, commune-level unit or village."""

    district_editor_access = "view"  # reference data for district editors (core.scope)
    choice_district_path = "district"  # they may pick the units of their own districts

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        DISTRICT = "district", _("District")
        COMMUNE = "commune", _("Commune")
        VILLAGE = "village", _("Village / quarter")

    class Kind(models.TextChoices):
        PROVINCE = "tinh", _("Province (tỉnh)")
        CITY = "thanh-pho", _("City (thành phố)")
        TOWN = "thi-xa", _("Town (thị xã)")
        RURAL_DISTRICT = "huyen", _("Rural district (huyện)")
        URBAN_DISTRICT = "quan", _("Urban district (quận)")
        WARD = "phuong", _("Ward (phường)")
        COMMUNE = "xa", _("Commune (xã)")
        TOWNSHIP = "thi-tran", _("Township (thị trấn)")
        SPECIAL_ZONE = "dac-khu", _("Special zone (đặc khu)")
        QUARTER = "khu", _("Quarter (khu)")
        VILLAGE = "thon", _("Village (thôn)")

    gso_code = models.CharField(  # noqa: DJ001 - NULL, not "", so that unique codes allow units without one
        _("GSO code"),
        max_length=5,
        null=True,
        blank=True,
        help_text=_(
            "Official code of the General Statistics Office: 2 digits for a province, 3 for a district, "
            "5 for a commune. Unique among units before 01/07/2025 and among units from that day."
        ),
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Derived from `parent` on save: the unit's district and province, so that
    # scoping and per-province pages need one join, not a walk up the tree.
    district = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )
    valid_from_edtf = edtf_field(_("exists from"))
    valid_from = date_field(_("earliest day"))
    valid_from_latest = date_field(_("latest day"))
    valid_until_edtf = edtf_field(_("ended on"), help_text=_("First day on which the unit no longer existed."))
    valid_until = date_field(_("earliest day"))
    valid_until_latest = date_field(_("latest day"))
    communes_2018 = models.PositiveIntegerField(
        _("communes in 2018"), null=True, blank=True, help_text=_("Number of commune-level units in 2018.")
    )
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), blank=True, related_name="units", through="AdministrativeUnitCitation"
    )
    search_text = models.TextField(editable=False, blank=True, default="")
    name_folded = models.CharField(max_length=200, editable=False, blank=True, default="")

    objects = UnitManager()
    history = HistoricalRecords(excluded_fields=["search_text", "name_folded", "district", "province"])

    uncertain_dates = ("valid_from", "valid_until")
    search_source = ("name_vi", "name_en", "slug", "gso_code")

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["gso_code", "name_vi"]
        indexes = [
            models.Index(fields=["level", "province", "gso_code"], name="agencies_unit_level_prov_idx"),
            models.Index(fields=["gso_code"], name="agencies_unit_gso_code_idx"),
            # varchar_pattern_ops (PostgreSQL only; ignored elsewhere): the
            # lookup's "starts with" uses the index whatever the collation.
            models.Index(
                fields=["name_folded"], name="agencies_unit_name_folded_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["gso_code"],
                condition=_BEFORE_2025,
                name="agencies_unit_gso_code_unique_before_2025",
                violation_error_message=_("Another unit before 01/07/2025 has this GSO code."),
            ),
            models.UniqueConstraint(
                fields=["gso_code"],
                condition=Q(valid_from__gte=REORGANISATION_2025),
                name="agencies_unit_gso_code_unique_from_2025",
                violation_error_message=_("Another unit from 01/07/2025 has this GSO code."),
            ),
            models.CheckConstraint(
                condition=Q(gso_code__isnull=True) | Q(gso_code__regex=GSO_CODE_PATTERN),
                name="agencies_unit_gso_code_digits",
                violation_error_message=_("A GSO code is 2 to 5 digits."),
            ),
            models.CheckConstraint(
                condition=Q(level__in=["commune", "village"]) | Q(gso_code__isnull=False),
                name="agencies_unit_gso_code_required",
                violation_error_message=_("A province or district must have its GSO code."),
            ),
            models.CheckConstraint(
                condition=Q(level="province") | Q(parent__isnull=False),
                name="agencies_unit_parent_required",
                violation_error_message=_("Only a province has no parent unit."),
            ),
            models.CheckConstraint(
                condition=Q(valid_until_latest__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until_latest__gt=F("valid_from")),
                name="agencies_unit_ends_after_start",
                violation_error_message=_("A unit cannot end before it begins."),
            ),
        ]

    def __str__(self):
        return localized(self, "name")

    @property
    def name(self):
        return localized(self, "name")

    @property
    def name_in_sentence(self):
        """The name as written inside a Vietnamese sentence: the kind word in
        lower case ("sáp nhập vào phường Trưng Vương", not "Phường")."""
        name = self.name
        first, _sep, rest = name.partition(" ")
        if rest and first.lower() in KIND_WORDS:
            return first.lower() + " " + rest
        if rest and name.lower().startswith(("thành phố ", "thị xã ", "thị trấn ")):
            return name[0].lower() + name[1:]
        return name

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        super().clean()
        if self.gso_code == "":
            self.gso_code = None
        expected_parent = {
            self.Level.DISTRICT: self.Level.PROVINCE,
            # From 01/07/2025 there are no districts: a commune sits in its province.
            self.Level.COMMUNE: self.Level.PROVINCE
            if self.valid_from and self.valid_from >= REORGANISATION_2025
            else self.Level.DISTRICT,
            self.Level.VILLAGE: self.Level.COMMUNE,
        }.get(self.level)
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A unit cannot be its own parent.")})
        if expected_parent and self.parent and self.parent.level != expected_parent:
            raise ValidationError(
                {
                    "parent": _("The parent of a %(level)s must be a %(parent)s.")
                    % {
                        "level": self.get_level_display().lower(),
                        "parent": self.Level(expected_parent).label.lower(),
                    }
                }
            )

    def ancestors_for_scope(self):
        """(district, province) of this unit, from its parent chain."""
        district = province = None
        unit = self
        while unit is not None:
            if unit.level == self.Level.DISTRICT:
                district = unit
            if unit.level == self.Level.PROVINCE:
                province = unit
            unit = unit.parent
        return district, province

    def _derive_scope(self):
        """The derived fields of a unit; its own district or province (itself)
        are returned, since a unit can point at itself only once it has a key."""
        if self.gso_code == "":
            self.gso_code = None
        self.name_folded = folded_name(self.name_vi)
        district, province = self.ancestors_for_scope()
        self.district = None if district is self else district
        self.province = None if province is self else province
        return district, province

    def derive_fields(self):
        """What save() derives, for bulk_create (SearchableMixin.derive_fields).
        A district or province inserted in bulk points at itself afterwards
        (an update by primary key)."""
        super().derive_fields()
        self._derive_scope()

    def save(self, *args, **kwargs):
        # A unit that is its own district or province can point at itself only
        # once it has a primary key: set those after the first write.
        district, province = self._derive_scope()
        super().save(*args, **kwargs)
        own = {name: self for name, unit in (("district", district), ("province", province)) if unit is self}
        if own:
            for name, value in own.items():
                setattr(self, name, value)
            type(self).objects.filter(pk=self.pk).update(**own)

    def subtree_q(self, path="unit"):
        """A filter for records whose unit (at `path`) is this unit or below it:
        the one rule for "in the scope of a unit" (pages, CSV, figures).

        Uses the derived district/province columns, never an OR across a join,
        so PostgreSQL can use their indexes.
        """
        return self.within_q(self, path)

    @classmethod
    def within_q(cls, unit, path="unit"):
        """Records whose unit (at `path`) is `unit` or below it.

        `unit` is a unit, or an expression for one (OuterRef("unit") in a
        figure's subquery), whose level is then known only to the database:
        the same rule, written as the OR of the levels.
        """
        if not isinstance(unit, cls):
            # The units in scope first (by the indexes of the four columns),
            # then the records of those units: not every record of the table
            # tested against an OR across the join.
            ref = OuterRef(unit)  # one query level deeper than the caller's
            units = cls.objects.filter(Q(pk=ref) | Q(parent=ref) | Q(district=ref) | Q(province=ref))
            return Q(**{f"{path}__in": units.values("pk")})
        if unit.level == cls.Level.PROVINCE:
            return Q(**{f"{path}__province": unit})
        if unit.level == cls.Level.DISTRICT:
            return Q(**{f"{path}__district": unit})
        if unit.level == cls.Level.COMMUNE:
            return Q(**{path: unit}) | Q(**{f"{path}__parent": unit})
        return Q(**{path: unit})

    def ended_by(self, date):
        """Whether the unit had certainly ended by this date: the one rule
        (UnitQuerySet.ended_by, existing_on, Body.with_end). An end given as
        a year or "on or before" counts only from its latest possible day."""
        return reached_by(self.valid_until, self.valid_until_latest, date)


AdministrativeUnitCitation = citation_model(AdministrativeUnit)


class UnitChangeQuerySet(UncertainDatesQuerySet):
    def in_province(self, province):
        return self.filter(province.subtree_q("unit"))

    def in_district(self, district):
        return self.filter(unit__district=district)

    def matching(self, text):
        """Changes of a unit whose name holds every word searched."""
        return self.filter(search_q(text, lambda phrase: Q(unit__search_text__contains=phrase)))

    def concerning(self, unit):
        """Changes to this unit or a unit below it, or naming one of them as
        the other unit (Hạ Long's page shows Hoành Bồ joining it; Uông Bí's
        page shows its communes and quarters merging)."""
        return self.filter(unit.subtree_q("unit") | unit.subtree_q("related_unit"))


class UnitChangeManager(models.Manager.from_queryset(UnitChangeQuerySet)):
    def get_by_natural_key(self, unit_slug, kind, date_edtf):
        return self.get(unit__slug=unit_slug, kind=kind, date_edtf=date_edtf)


def seen_from(changes, unit):
    """The changes as `unit`'s page tells them, each event once.

    A merger of two units is often stored twice, once from each side
    (Hoành Bồ "absorbed" into Hạ Long, Hạ Long "enlarged" by Hoành Bồ):
    the page keeps the record told from its own unit's side, or the
    "absorbed" one when neither side is the page's unit. Each change gets
    `viewpoint`: "own" (a change of this unit), "took_in" (another unit
    joined this one), "joined" (this unit joined another) or "below" (a
    change of a unit below this one).
    """
    changes = list(changes)
    mirror_kinds = {
        UnitChange.Kind.ABSORBED: UnitChange.Kind.ENLARGED,
        UnitChange.Kind.ENLARGED: UnitChange.Kind.ABSORBED,
    }
    keys = {(c.unit_id, c.related_unit_id, c.kind, c.date_edtf) for c in changes}
    shown = []
    for change in changes:
        mirror_kind = mirror_kinds.get(change.kind)
        has_mirror = (
            mirror_kind is not None and (change.related_unit_id, change.unit_id, mirror_kind, change.date_edtf) in keys
        )
        if has_mirror:
            mirror_is_own = change.related_unit_id == unit.pk
            if mirror_is_own or (change.unit_id != unit.pk and change.kind != UnitChange.Kind.ABSORBED):
                continue
        if change.unit_id == unit.pk:
            change.viewpoint = "own"
        elif change.related_unit_id == unit.pk:
            change.viewpoint = {UnitChange.Kind.ABSORBED: "took_in", UnitChange.Kind.ENLARGED: "joined"}.get(
                change.kind, "below"
            )
        else:
            change.viewpoint = "below"
        shown.append(change)
    return shown


class UnitChange(UncertainDatesMixin, models.Model):
    """A dated change to a unit: absorbed, enlarged, reclassified, abolished."""

    district_path = "unit__district"  # its district, for district editors (core.scope)
    # The other unit may be a neighbouring district (Hoành Bồ into Hạ Long).
    unscoped_choice_fields = ("related_unit",)

    class Kind(models.TextChoices):
        ABSORBED = "absorbed", _("Merged into another unit")
        ENLARGED = "enlarged", _("Took in another unit")
        RECLASSIFIED = "reclassified", _("Changed kind")
        ABOLISHED = "abolished", _("Level abolished")

    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="changes"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    date_edtf = edtf_field(_("effective"))
    date = date_field(_("earliest day"))
    date_latest = date_field(_("latest day"))
    related_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("other unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="related_changes",
        help_text=_("The unit it merged into, or the unit it took in."),
    )
    new_kind = models.CharField(_("new kind"), max_length=10, choices=AdministrativeUnit.Kind, blank=True)
    communes_after = models.PositiveIntegerField(_("communes after"), null=True, blank=True)
    description_vi = models.TextField(_("description (Vietnamese)"))
    description_en = models.TextField(_("description (English)"), blank=True)
    basis = models.ForeignKey(
        LegalDocument,
        verbose_name=_("legal basis"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unit_changes",
    )
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), blank=True, related_name="unit_changes", through="UnitChangeCitation"
    )

    objects = UnitChangeManager()
    history = HistoricalRecords()
    uncertain_dates = ("date",)

    class Meta:
        verbose_name = _("unit change")
        verbose_name_plural = _("unit changes")
        ordering = ["date", "unit__gso_code"]
        indexes = [models.Index(fields=["date"], name="agencies_unitchange_date_idx")]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "date_edtf"], name="agencies_unitchange_unique"),
            models.CheckConstraint(
                condition=~Q(related_unit=F("unit")),
                name="agencies_unitchange_other_unit",
                violation_error_message=_("A unit cannot merge into itself."),
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["absorbed", "enlarged"]) | Q(related_unit__isnull=False),
                name="agencies_unitchange_related_required",
                violation_error_message=_("Name the other unit of a merger."),
            ),
        ]

    def __str__(self):
        return f"{self.unit}: {self.get_kind_display()} ({self.format_date('date')})"

    @property
    def description(self):
        return localized(self, "description")

    def natural_key(self):
        return (self.unit.slug, self.kind, self.date_edtf)

    natural_key.dependencies = ["agencies.administrativeunit"]


UnitChangeCitation = citation_model(UnitChange)


class UnitSuccessionQuerySet(models.QuerySet):
    def with_units(self):
        return self.select_related("predecessor", "predecessor__parent", "successor", "successor__parent", "basis")

    def around(self, unit):
        """What a unit's page shows of the reorganisation, in one query: a
        district, what its communes became; a province, how its units from
        2025 (and itself, if it is new) came about; a commune, both ways."""
        if unit.level == AdministrativeUnit.Level.DISTRICT:
            rows = self.filter(predecessor__parent=unit)
        elif unit.level == AdministrativeUnit.Level.PROVINCE:
            # The province's units first (by index), not an OR across the join
            # that scans every succession of the country.
            units = AdministrativeUnit.objects.filter(Q(parent=unit) | Q(pk=unit.pk))
            rows = self.filter(successor__in=units.values("pk"))
        else:
            rows = self.filter(Q(predecessor=unit) | Q(successor=unit))
        return rows.listed()

    def listed(self):
        """With their units and legal basis, by the later unit's name, then the earlier one's."""
        return self.with_units().order_by("successor__name_folded", "predecessor__name_folded")


class UnitSuccession(UncertainDatesMixin, models.Model):
    """One old unit (wholly or partly) merged into one new unit.

    The 2025 reorganisation is many-to-many: a new commune takes in several
    old ones and an old commune split between several new ones is "partly"
    merged into each of them. A unit change (one row per unit, kind and day)
    cannot say that, so each pair is a row here.
    """

    predecessor = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("earlier unit"), on_delete=models.CASCADE, related_name="successions"
    )
    successor = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("later unit"), on_delete=models.CASCADE, related_name="predecessions"
    )
    partly = models.BooleanField(
        _("partly"), default=False, help_text=_("Only part of the earlier unit went into the later one.")
    )
    date_edtf = edtf_field(_("effective"))
    date = date_field(_("earliest day"))
    date_latest = date_field(_("latest day"))
    basis = models.ForeignKey(
        LegalDocument,
        verbose_name=_("legal basis"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unit_successions",
    )
    note_vi = models.TextField(_("note (Vietnamese)"), blank=True, help_text=_("As the data source words it."))
    # The data packages it comes from, each citation saying so (reasoning).
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), blank=True, related_name="unit_successions", through="UnitSuccessionCitation"
    )

    objects = UnitSuccessionQuerySet.as_manager()
    uncertain_dates = ("date",)

    class Meta:
        verbose_name = _("unit succession")
        verbose_name_plural = _("unit successions")
        ordering = ["date", "successor__gso_code", "predecessor__gso_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor", "date_edtf"], name="agencies_unitsuccession_unique"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=F("successor")),
                name="agencies_unitsuccession_other_unit",
                violation_error_message=_("A unit cannot succeed itself."),
            ),
        ]

    def __str__(self):
        return f"{self.predecessor} → {self.successor} ({self.format_date('date')})"


UnitSuccessionCitation = citation_model(UnitSuccession)


class BodyQuerySet(models.QuerySet):
    def in_district(self, district):
        return self.filter(unit__district=district)

    def in_province(self, province):
        return self.filter(province.subtree_q())

    def with_end(self, as_of=None):
        """Annotate when and why each body ended, its unit's end included.

        A body ends by its own record (merged, absorbed, ...) or, failing
        that, with its unit: Hoành Bồ's bodies ended on 01/01/2020 when the
        district merged into Hạ Long, every district's on 01/07/2025 when the
        district level was abolished. `effective_end_reason` is the body's
        own reason, "unit_ended", or "" for a body still open on `as_of`
        (today by default); `effective_end_edtf` its date as the sources give it.
        The one rule for pages, filters and CSV files.

        An end counts only from its latest possible day, as a merger's status
        does (agencies.dates.reached_by): a body merged "in 2018" is still
        open on 01/06/2018. A body whose record gives a reason but no date
        has ended on every day.
        """
        day = as_of or timezone.localdate()
        own = ~Q(end_reason="") & (Q(ended_on_edtf="") | reached_by_q("ended_on", day))
        unit_gone = reached_by_q("unit__valid_until", day)  # AdministrativeUnit.ended_by
        district_gone = reached_by_q("unit__district__valid_until", day)
        return self.annotate(
            effective_end_reason=Case(
                When(own, then=F("end_reason")),
                When(unit_gone | district_gone, then=Value(self.model.UNIT_ENDED)),
                default=Value(""),
                output_field=models.CharField(),
            ),
            effective_end_edtf=Case(
                When(own, then=F("ended_on_edtf")),
                When(unit_gone, then=F("unit__valid_until_edtf")),
                When(district_gone, then=F("unit__district__valid_until_edtf")),
                default=Value(""),
                output_field=models.CharField(),
            ),
        )

    def open(self, as_of=None):
        return self.with_end(as_of).filter(effective_end_reason="")

    def closed(self, as_of=None):
        return self.with_end(as_of).exclude(effective_end_reason="")


class BodyManager(models.Manager.from_queryset(BodyQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Body(UncertainDatesMixin, SearchableMixin, models.Model):
    """A Party, State or Front agency of a unit. Never deleted when merged: closed."""

    district_path = "unit__district"  # its district, for district editors (core.scope)

    class Sector(models.TextChoices):
        PARTY = "party", _("Party")
        STATE = "state", _("State")
        FRONT = "front", _("Fatherland Front and mass organisations")
        JOINT = "joint", _("Party and State (merged)")
        PUBLIC_SERVICE = "public_service", _("Public service unit")

    class Function(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation and personnel")
        HOME_AFFAIRS = "home_affairs", _("Home affairs")
        INSPECTION = "inspection", _("Inspection")
        MASS_MOBILISATION = "mass_mobilisation", _("Mass mobilisation")
        PROPAGANDA = "propaganda", _("Propaganda and education")
        OFFICE = "office", _("Office")
        TRAINING = "training", _("Political training")
        FRONT = "front", _("Fatherland Front")
        WOMEN = "women", _("Women's union")
        YOUTH = "youth", _("Youth union")
        FARMERS = "farmers", _("Farmers' union")
        VETERANS = "veterans", _("Veterans' association")
        LABOUR = "labour", _("Labour federation")
        JOINT_ADVISORY = "joint_advisory", _("Joint advisory agency")
        EDUCATION = "education", _("Education")
        OTHER = "other", _("Other")

    class EndReason(models.TextChoices):
        MERGED = "merged", _("Merged")
        ABSORBED = "absorbed", _("Absorbed")
        RENAMED = "renamed", _("Renamed")
        SPLIT = "split", _("Split")
        ABOLISHED = "abolished", _("Abolished")

    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="bodies"
    )
    slug = models.SlugField(_("identifier"), max_length=120, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=40, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector)
    function = models.CharField(_("function"), max_length=30, choices=Function)
    founded_on_edtf = edtf_field(_("founded"))
    founded_on = date_field(_("earliest day"))
    founded_on_latest = date_field(_("latest day"))
    ended_on_edtf = edtf_field(_("ended"))
    ended_on = date_field(_("earliest day"))
    ended_on_latest = date_field(_("latest day"))
    end_reason = models.CharField(_("why it ended"), max_length=20, choices=EndReason, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        help_text=_("The body it merged or was absorbed into."),
    )
    note = models.TextField(_("note"), blank=True)
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), blank=True, related_name="bodies", through="BodyCitation"
    )
    search_text = models.TextField(editable=False, blank=True, default="")

    objects = BodyManager()
    history = HistoricalRecords(excluded_fields=["search_text"])

    uncertain_dates = ("founded_on", "ended_on")
    search_source = ("name_vi", "name_en", "abbreviation", "slug")

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["unit__gso_code", "name_vi"]
        indexes = [
            models.Index(fields=["sector", "function"], name="agencies_body_sector_fn_idx"),
            models.Index(fields=["end_reason"], name="agencies_body_end_reason_idx"),
            models.Index(fields=["name_vi"], name="agencies_body_name_idx"),
            models.Index(fields=["ended_on"], name="agencies_body_ended_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name_vi"], name="agencies_body_unique_name_in_unit"),
            models.CheckConstraint(
                condition=~Q(successor=F("id")),
                name="agencies_body_not_own_successor",
                violation_error_message=_("A body cannot be its own successor."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on_latest__isnull=True)
                | Q(founded_on__isnull=True)
                | Q(ended_on_latest__gte=F("founded_on")),
                name="agencies_body_ends_after_founding",
                violation_error_message=_("A body cannot end before it was founded."),
            ),
            models.CheckConstraint(
                condition=Q(successor__isnull=True, ended_on_edtf="") | ~Q(end_reason=""),
                name="agencies_body_end_needs_reason",
                violation_error_message=_("A body with an end date or a successor must say why it ended."),
            ),
        ]

    def __str__(self):
        return localized(self, "name")

    @property
    def name(self):
        return localized(self, "name")

    # `effective_end_reason` of a body that ended because its unit did.
    UNIT_ENDED = "unit_ended"

    @property
    def is_closed(self):
        """Ended by its own record or with its unit (needs with_end() for the latter)."""
        return bool(getattr(self, "effective_end_reason", self.end_reason))

    @property
    def ended_with_unit(self):
        return getattr(self, "effective_end_reason", "") == self.UNIT_ENDED

    @property
    def end_reason_display(self):
        if self.ended_with_unit:
            return _("Ended with its unit")
        return self.get_end_reason_display()

    @property
    def end_edtf(self):
        """The end date as the sources give it, the unit's end included."""
        return getattr(self, "effective_end_edtf", self.ended_on_edtf)

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["agencies.administrativeunit"]

    def clean(self):
        super().clean()
        if self.successor_id and self.successor_id == self.pk:
            raise ValidationError({"successor": _("A body cannot be its own successor.")})
        if (self.ended_on_edtf or self.successor_id) and not self.end_reason:
            raise ValidationError({"end_reason": _("A body with an end date or a successor must say why it ended.")})
        if self.ended_on_latest and self.founded_on and self.ended_on_latest < self.founded_on:
            raise ValidationError({"ended_on_edtf": _("A body cannot end before it was founded.")})


BodyCitation = citation_model(Body)


class PostManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Post(SearchableMixin, models.Model):
    """A leadership post, independent of who holds it: "Bí thư Thành ủy Uông Bí"."""

    district_path = "unit__district"  # its district, for district editors (core.scope)

    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="posts")
    body = models.ForeignKey(
        Body, verbose_name=_("body"), null=True, blank=True, on_delete=models.PROTECT, related_name="posts"
    )
    slug = models.SlugField(_("identifier"), max_length=120, unique=True)
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), blank=True, related_name="posts", through="PostCitation"
    )
    search_text = models.TextField(editable=False, blank=True, default="")

    objects = PostManager()
    history = HistoricalRecords(excluded_fields=["search_text"])
    search_source = ("title_vi", "title_en")

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["unit__gso_code", "title_vi"]
        constraints = [models.UniqueConstraint(fields=["unit", "title_vi"], name="agencies_post_unique_title_in_unit")]

    def __str__(self):
        return localized(self, "title")

    @property
    def title(self):
        return localized(self, "title")

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["agencies.administrativeunit", "agencies.body"]

    def clean(self):
        super().clean()
        if self.body_id and self.unit_id and self.body.unit_id != self.unit_id:
            raise ValidationError({"body": _("The body must belong to the post's unit.")})


PostCitation = citation_model(Post)


class HoldingQuerySet(UncertainDatesQuerySet):
    def unified(self):
        return self.exclude(combination="")

    def in_province(self, province):
        return self.filter(province.subtree_q("unit"))

    def in_district(self, district):
        return self.filter(unit__district=district)

    def matching(self, text):
        """Holdings of a post or in a unit whose name holds the folded text,
        or whose holder's name holds the text as typed."""

        def in_post_or_unit(phrase):
            posts = Post.objects.filter(holdings=OuterRef("pk"), search_text__contains=phrase)
            return Q(Exists(posts)) | Q(unit__search_text__contains=phrase)

        return self.filter(search_q(text, in_post_or_unit) | Q(holder_name__icontains=text))

    def held_on(self, date):
        """Holdings known to be held on a date: certainly started (or reported) by then, not ended."""
        return self.filter(Holding.held_on_q(date))


class HoldingManager(models.Manager.from_queryset(HoldingQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Holding(UncertainDatesMixin, SearchableMixin, models.Model):
    """One person (named or not) holding one post, or two or more posts at once.

    Holding two or more posts at once is a unified leadership title
    (nhất thể hóa chức danh); `combination` says which kind.
    """

    district_path = "unit__district"  # its district, for district editors (core.scope)

    class Combination(models.TextChoices):
        SECRETARY_COUNCIL = "secretary_council", _("Party Secretary and People's Council Chair")
        SECRETARY_COMMITTEE = "secretary_committee", _("Party Secretary and People's Committee Chair")
        ORGANISATION_HOME_AFFAIRS = "organisation_home_affairs", _("Organisation Board and Home Affairs heads")
        INSPECTION_INSPECTORATE = "inspection_inspectorate", _("Inspection Committee and Inspectorate heads")
        MOBILISATION_FRONT = "mobilisation_front", _("Mass Mobilisation Board head and Fatherland Front Chair")
        PROPAGANDA_TRAINING = "propaganda_training", _("Propaganda Board head and Political Training Centre director")
        CELL_SECRETARY_VILLAGE_HEAD = "cell_village", _("Party cell secretary and village head")

    slug = models.SlugField(_("identifier"), max_length=120, unique=True)
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="holdings"
    )
    combination = models.CharField(
        _("unified title"),
        max_length=30,
        choices=Combination,
        blank=True,
        help_text=_("Empty for a single post; the kind of unified title when two or more posts are held at once."),
    )
    posts = models.ManyToManyField(Post, verbose_name=_("posts"), related_name="holdings")
    holder_name = models.CharField(_("holder"), max_length=200, blank=True)
    start_date_edtf = edtf_field(_("from"))
    start_date = date_field(_("earliest day"))
    start_date_latest = date_field(_("latest day"))
    end_date_edtf = edtf_field(_("until"))
    end_date = date_field(_("earliest day"))
    end_date_latest = date_field(_("latest day"))
    reported_on_edtf = edtf_field(_("reported held on"), help_text=_("A date on which the source says it was held."))
    reported_on = date_field(_("earliest day"))
    reported_on_latest = date_field(_("latest day"))
    note = models.TextField(_("note"), blank=True)
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), blank=True, related_name="holdings", through="HoldingCitation"
    )
    search_text = models.TextField(editable=False, blank=True, default="")

    objects = HoldingManager()
    history = HistoricalRecords(excluded_fields=["search_text"])

    uncertain_dates = ("start_date", "end_date", "reported_on")
    # People are found by name ("Nguyễn Hữu Thọ", "nguyen huu tho").
    search_source = ("holder_name",)

    class Meta:
        verbose_name = _("post holding")
        verbose_name_plural = _("post holdings and unified titles")
        ordering = ["unit__gso_code", "slug"]
        indexes = [models.Index(fields=["combination"], name="agencies_holding_combo_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date_latest__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date_latest__gte=F("start_date")),
                name="agencies_holding_ends_after_start",
                violation_error_message=_("A holding cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(start_date_edtf="") | ~Q(reported_on_edtf=""),
                name="agencies_holding_dated",
                violation_error_message=_("Give the start date or a date on which the source reports it held."),
            ),
        ]

    def __str__(self):
        if self.pk is None:  # posts cannot be read before the first save
            return self.slug or self.holder_name
        posts = " + ".join(str(p) for p in self.posts.all())
        return f"{posts} ({self.holder_name})" if self.holder_name else posts or self.slug

    @property
    def date(self):
        return self.start_date or self.reported_on

    @staticmethod
    def held_on_q(date):
        """Certainly started (or reported held) by `date` and not certainly ended by then."""
        started = Q(start_date_latest__lte=date) | Q(start_date_edtf="", reported_on_latest__lte=date)
        return started & (Q(end_date__isnull=True) | Q(end_date__gt=date))

    @property
    def date_edtf(self):
        return self.start_date_edtf if self.start_date_edtf else self.reported_on_edtf

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["agencies.post"]

    def clean(self):
        super().clean()
        if self.end_date_latest and self.start_date and self.end_date_latest < self.start_date:
            raise ValidationError({"end_date_edtf": _("A holding cannot end before it starts.")})
        if not self.start_date_edtf and not self.reported_on_edtf:
            raise ValidationError(_("Give the start date or a date on which the source reports it held."))


HoldingCitation = citation_model(Holding)


class EventQuerySet(UncertainDatesQuerySet):
    def in_province(self, province):
        """As a province's timeline shows them: its own and its units', and
        those tied to no unit (a national workshop)."""
        return self.filter(province.subtree_q("unit") | Q(unit__isnull=True))

    def in_district(self, district):
        return self.filter(unit__district=district)

    def of_model(self, model):
        """Events about a document a merger model names as its basis
        (`model.basis`)."""
        documents = self.model.documents.through.objects.filter(legaldocument__in=model.basis.values("pk"))
        return self.filter(pk__in=documents.values("event"))

    def matching(self, text):
        """Events whose title or place, a participant's name or role, or
        their unit's name holds the folded text."""

        def anywhere(phrase):
            people = EventParticipant.objects.filter(search_text__contains=phrase).values("event")
            return Q(search_text__contains=phrase) | Q(pk__in=people) | Q(unit__search_text__contains=phrase)

        return self.filter(search_q(text, anywhere))

    def concerning(self, unit):
        """Events of this unit or of a unit below it: a province's page lists
        its own, a district's its own and its communes'."""
        return self.filter(unit.subtree_q("unit"))

    def with_people(self):
        """Each event with its participants (and their citations) and its own
        citations, in the order the pages list them."""
        participants = EventParticipant.objects.prefetch_related(
            models.Prefetch(
                "citations",
                queryset=EventParticipantCitation.objects.select_related("source").order_by(
                    "source__published_on", "source__slug"
                ),
                to_attr="source_list",
            )
        ).order_by("order", "pk")
        return self.select_related("unit").prefetch_related(
            models.Prefetch("participants", queryset=participants, to_attr="participant_list"),
            models.Prefetch(
                "citations",
                queryset=EventCitation.objects.select_related("source").order_by(
                    "source__published_on", "source__slug"
                ),
                to_attr="source_list",
            ),
        )


class EventManager(models.Manager.from_queryset(EventQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Event(UncertainDatesMixin, SearchableMixin, models.Model):
    """A dated occurrence the sources report: a conference reviewing a scheme,
    an inspection, a workshop, a visit. Not a change of any body or unit
    (those are mergers and unit changes): what was said and found there, by
    whom, and when."""

    class Kind(models.TextChoices):
        CONFERENCE = "conference", _("Conference")
        REVIEW = "review", _("Review")
        INSPECTION = "inspection", pgettext_lazy("event kind", "Inspection")
        WORKSHOP = "workshop", _("Workshop")
        VISIT = "visit", _("Visit")

    slug = models.SlugField(_("identifier"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=400)
    title_en = models.CharField(_("title (English)"), max_length=400, blank=True)
    date_edtf = edtf_field(_("date"))
    date = date_field(_("earliest day"))
    date_latest = date_field(_("latest day"))
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("unit concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        help_text=_("The province, district or commune the event concerns; empty for a national event."),
    )
    place = models.CharField(_("place"), max_length=300, blank=True, help_text=_("As the source names it."))
    description_vi = models.TextField(_("what happened (Vietnamese)"), blank=True)
    description_en = models.TextField(_("what happened (English)"), blank=True)
    documents = models.ManyToManyField(
        LegalDocument,
        verbose_name=_("documents concerned"),
        blank=True,
        related_name="events",
        help_text=_("Decisions or resolutions the event reviewed or checked."),
    )
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), blank=True, related_name="events", through="EventCitation"
    )
    search_text = models.TextField(editable=False, blank=True, default="")

    objects = EventManager()
    history = HistoricalRecords(excluded_fields=["search_text"])

    uncertain_dates = ("date",)
    search_source = ("title_vi", "title_en", "place", "slug")
    # its district, for district editors (core.scope); a province's or a
    # national event is for provincial admins
    district_path = "unit__district"

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["date", "slug"]
        indexes = [models.Index(fields=["date"], name="agencies_event_date_idx")]

    def __str__(self):
        return localized(self, "title")

    @property
    def title(self):
        return localized(self, "title")

    @property
    def description(self):
        return localized(self, "description")

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["agencies.administrativeunit", "agencies.legaldocument"]

    # get_absolute_url: settings.ABSOLUTE_URL_OVERRIDES (the portal's page).


EventCitation = citation_model(Event)


class EventParticipantManager(models.Manager):
    def get_by_natural_key(self, event_slug, name):
        return self.get(event__slug=event_slug, name=name)


class EventParticipant(SearchableMixin, models.Model):
    """A person the source names at an event, with the role it gives them.

    Central delegates and the head of a Politburo inspection team hold no
    post of a unit stored here: their role is kept as the source words it."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="participants")
    name = models.CharField(_("name"), max_length=200)
    role_vi = models.CharField(
        _("role (Vietnamese)"), max_length=300, help_text=_("The person's post, as the source gives it.")
    )
    role_en = models.CharField(_("role (English)"), max_length=300, blank=True)
    part_vi = models.CharField(
        _("part in the event (Vietnamese)"),
        max_length=300,
        blank=True,
        help_text=_('What the source says they did there: "chaired", "led the inspection team".'),
    )
    part_en = models.CharField(_("part in the event (English)"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    sources = models.ManyToManyField(
        Source,
        verbose_name=_("sources"),
        blank=True,
        related_name="event_participants",
        through="EventParticipantCitation",
    )
    search_text = models.TextField(editable=False, blank=True, default="")

    objects = EventParticipantManager()
    history = HistoricalRecords(excluded_fields=["search_text"])
    # People are found by name ("Nguyễn Văn Hùng", "nguyen van hung") or role.
    search_source = ("name", "role_vi", "role_en")
    district_path = "event__unit__district"  # its event's district (core.scope)

    class Meta:
        verbose_name = _("event participant")
        verbose_name_plural = _("event participants")
        ordering = ["event", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="agencies_eventparticipant_unique_name"),
        ]

    def __str__(self):
        return f"{self.name} ({self.role})" if self.role else self.name

    @property
    def role(self):
        return localized(self, "role")

    @property
    def part(self):
        return localized(self, "part")

    def natural_key(self):
        return (self.event.slug, self.name)

    natural_key.dependencies = ["agencies.event"]

    def get_absolute_url(self):
        return f"{self.event.get_absolute_url()}#participant-{self.pk}"


EventParticipantCitation = citation_model(EventParticipant)


class DistrictEditor(models.Model):
    """The districts an editor may change in admin. Provincial admins need none."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="district_scope"
    )
    districts = models.ManyToManyField(
        AdministrativeUnit,
        verbose_name=_("districts"),
        limit_choices_to={"level": "district"},
        related_name="editors",
    )

    class Meta:
        verbose_name = _("district editor")
        verbose_name_plural = _("district editors")

    def __str__(self):
        return str(self.user)
