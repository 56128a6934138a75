"""The agencies' import and export resources: which columns of which model.

The machinery (strict cells, natural keys, all-or-nothing, district scope,
bulk writes) is `core.resources.QnResource` and `core.bulk_import`; this
module only declares each model's columns, its natural key and its export
order, plus the widgets and columns that name the agencies' own records
(a unit by GSO code or slug, the sources a row cites).
"""

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext as _

from core.resources import (
    AMBIGUOUS,
    MISSING,
    KeyWidget,
    QnField,
    QnResource,
    col_date,
    col_key,
    col_keys,
    col_text,
    col_whole,
)

from .models import AdministrativeUnit, Body, Event, EventParticipant, Holding, LegalDocument, Post, Source, UnitChange


class UnitWidget(KeyWidget):
    """A unit by GSO code (all digits) or slug; written out as the slug.

    A code given to two units (one before and one from the 2025
    reorganisation) is ambiguous: the row must name the unit by its slug."""

    def __init__(self, **kwargs):
        super().__init__(AdministrativeUnit, field="slug", **kwargs)

    def lookup(self, text):
        return {"gso_code": text} if text.isdigit() else {"slug": text}

    def key_label(self, text):
        return _("GSO code") if text.isdigit() else _("slug")

    def fetch(self, texts):
        found = dict.fromkeys(texts, MISSING)
        codes = [text for text in texts if text.isdigit()]
        slugs = [text for text in texts if not text.isdigit()]
        if not texts:
            return found
        for unit in AdministrativeUnit.objects.filter(Q(gso_code__in=codes) | Q(slug__in=slugs)):
            if unit.slug in found and not unit.slug.isdigit():
                found[unit.slug] = unit
            if unit.gso_code in found:
                found[unit.gso_code] = unit if found[unit.gso_code] is MISSING else AMBIGUOUS
        return found

    def remember(self, obj):
        self.remember_keys(obj, (obj.slug, obj.gso_code))

    def names(self, keys):
        names = {}
        for unit in AdministrativeUnit.objects.filter(Q(slug__in=keys) | Q(gso_code__in=keys)):
            names[unit.slug] = str(unit)
            if unit.gso_code:
                names[unit.gso_code] = str(unit)
        return names


def col_unit(name="unit"):
    return QnField(attribute=name, column_name=name, widget=UnitWidget())


def col_sources():
    return col_keys("sources", Source)


LEVEL_ORDER = Case(
    *(When(level=level, then=Value(i)) for i, level in enumerate(AdministrativeUnit.Level.values)),
    output_field=IntegerField(),
)


# -- the resources ---------------------------------------------------------------


class SourceResource(QnResource):
    slug = col_text("slug")
    kind = col_text("kind")
    title = col_text("title")
    publisher = col_text("publisher")
    author = col_text("author")
    published_on = col_date("published_on")
    date_note = col_text("date_note")
    url = col_text("url")
    seed_file = col_text("seed_file")
    note = col_text("note")

    class Meta:
        model = Source
        fields = (
            "slug",
            "kind",
            "title",
            "publisher",
            "author",
            "published_on",
            "date_note",
            "url",
            "seed_file",
            "note",
        )
        import_id_fields = ("slug",)

    def export_queryset(self):
        return Source.objects.order_by("slug")


class LegalDocumentResource(QnResource):
    number = col_text("number")
    kind = col_text("kind")
    title_vi = col_text("title_vi")
    title_en = col_text("title_en")
    issuer = col_text("issuer")
    signed_on = col_date("signed_on")
    effective_on = col_date("effective_on")
    summary_vi = col_text("summary_vi")
    summary_en = col_text("summary_en")
    sources = col_sources()

    class Meta:
        model = LegalDocument
        fields = (
            "number",
            "kind",
            "title_vi",
            "title_en",
            "issuer",
            "signed_on",
            "effective_on",
            "summary_vi",
            "summary_en",
            "sources",
        )
        import_id_fields = ("number",)

    def export_queryset(self):
        return LegalDocument.objects.order_by("number").prefetch_related("sources")


class AdministrativeUnitResource(QnResource):
    slug = col_text("slug")
    gso_code = col_text("gso_code", null=True)
    name_vi = col_text("name_vi")
    name_en = col_text("name_en")
    level = col_text("level")
    kind = col_text("kind")
    parent = col_unit("parent")
    valid_from = col_date("valid_from")
    valid_until = col_date("valid_until")
    communes_2018 = col_whole("communes_2018")
    sources = col_sources()
    scope_column = "slug"

    class Meta:
        model = AdministrativeUnit
        fields = (
            "slug",
            "gso_code",
            "name_vi",
            "name_en",
            "level",
            "kind",
            "parent",
            "valid_from",
            "valid_until",
            "communes_2018",
            "sources",
        )
        import_id_fields = ("slug",)

    def export_queryset(self):
        # Parents before children: provinces, districts, communes, villages.
        return (
            AdministrativeUnit.objects.select_related("parent")
            .prefetch_related("sources")
            .order_by(LEVEL_ORDER, "gso_code", "slug")
        )


class UnitChangeResource(QnResource):
    unit = col_unit()
    kind = col_text("kind")
    date = col_date("date")
    related_unit = col_unit("related_unit")
    new_kind = col_text("new_kind")
    communes_after = col_whole("communes_after")
    description_vi = col_text("description_vi")
    description_en = col_text("description_en")
    basis = col_key("basis", LegalDocument, field="number")
    sources = col_sources()

    class Meta:
        model = UnitChange
        fields = (
            "unit",
            "kind",
            "date",
            "related_unit",
            "new_kind",
            "communes_after",
            "description_vi",
            "description_en",
            "basis",
            "sources",
        )
        import_id_fields = ("unit", "kind", "date")

    def export_queryset(self):
        return (
            UnitChange.objects.select_related("unit", "related_unit", "basis")
            .prefetch_related("sources")
            .order_by("date", "unit__slug", "kind")
        )


def successors_first(bodies):
    """Bodies ordered so that a body's successor always comes before it."""
    bodies = list(bodies)
    by_pk = {body.pk: body for body in bodies}

    def depth(body):
        seen, steps = set(), 0
        while body.successor_id and body.successor_id in by_pk and body.pk not in seen:
            seen.add(body.pk)
            body = by_pk[body.successor_id]
            steps += 1
        return steps

    return sorted(bodies, key=lambda body: (depth(body), body.slug))


class BodyResource(QnResource):
    slug = col_text("slug")
    unit = col_unit()
    name_vi = col_text("name_vi")
    name_en = col_text("name_en")
    abbreviation = col_text("abbreviation")
    sector = col_text("sector")
    function = col_text("function")
    founded_on = col_date("founded_on")
    ended_on = col_date("ended_on")
    end_reason = col_text("end_reason")
    successor = col_key("successor", Body)
    note = col_text("note")
    sources = col_sources()

    class Meta:
        model = Body
        fields = (
            "slug",
            "unit",
            "name_vi",
            "name_en",
            "abbreviation",
            "sector",
            "function",
            "founded_on",
            "ended_on",
            "end_reason",
            "successor",
            "note",
            "sources",
        )
        import_id_fields = ("slug",)

    def export_queryset(self):
        return successors_first(Body.objects.select_related("unit", "successor").prefetch_related("sources"))


class PostResource(QnResource):
    slug = col_text("slug")
    unit = col_unit()
    body = col_key("body", Body)
    title_vi = col_text("title_vi")
    title_en = col_text("title_en")
    sources = col_sources()

    class Meta:
        model = Post
        fields = ("slug", "unit", "body", "title_vi", "title_en", "sources")
        import_id_fields = ("slug",)

    def export_queryset(self):
        return Post.objects.select_related("unit", "body").prefetch_related("sources").order_by("slug")


class HoldingResource(QnResource):
    slug = col_text("slug")
    unit = col_unit()
    combination = col_text("combination")
    posts = col_keys("posts", Post)
    holder_name = col_text("holder_name")
    start_date = col_date("start_date")
    end_date = col_date("end_date")
    reported_on = col_date("reported_on")
    note = col_text("note")
    sources = col_sources()

    class Meta:
        model = Holding
        fields = (
            "slug",
            "unit",
            "combination",
            "posts",
            "holder_name",
            "start_date",
            "end_date",
            "reported_on",
            "note",
            "sources",
        )
        import_id_fields = ("slug",)

    def export_queryset(self):
        return Holding.objects.select_related("unit").prefetch_related("posts", "sources").order_by("slug")


class EventResource(QnResource):
    slug = col_text("slug")
    kind = col_text("kind")
    title_vi = col_text("title_vi")
    title_en = col_text("title_en")
    date = col_date("date")
    unit = col_unit()
    place = col_text("place")
    description_vi = col_text("description_vi")
    description_en = col_text("description_en")
    documents = col_keys("documents", LegalDocument, field="number")
    sources = col_sources()

    class Meta:
        model = Event
        fields = (
            "slug",
            "kind",
            "title_vi",
            "title_en",
            "date",
            "unit",
            "place",
            "description_vi",
            "description_en",
            "documents",
            "sources",
        )
        import_id_fields = ("slug",)

    def export_queryset(self):
        return Event.objects.select_related("unit").prefetch_related("documents", "sources").order_by("slug")


class EventParticipantResource(QnResource):
    event = col_key("event", Event)
    name = col_text("name")
    role_vi = col_text("role_vi")
    role_en = col_text("role_en")
    part_vi = col_text("part_vi")
    part_en = col_text("part_en")
    order = col_whole("order")
    sources = col_sources()
    scope_column = "event"

    class Meta:
        model = EventParticipant
        fields = ("event", "name", "role_vi", "role_en", "part_vi", "part_en", "order", "sources")
        import_id_fields = ("event", "name")

    def export_queryset(self):
        return (
            EventParticipant.objects.select_related("event")
            .prefetch_related("sources")
            .order_by("event__slug", "order", "name")
        )


# The models a file can be imported into (core.resources.declared_resources).
RESOURCES = [
    SourceResource,
    LegalDocumentResource,
    AdministrativeUnitResource,
    UnitChangeResource,
    BodyResource,
    PostResource,
    HoldingResource,
    EventResource,
    EventParticipantResource,
]
