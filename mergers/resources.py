"""The mergers' import and export resources: which columns of which model.

The machinery (strict cells, natural keys, all-or-nothing, district scope,
bulk writes) is `core.resources.QnResource` and `core.bulk_import`; see there.
Units and sources are named as the agencies' resources name them
(`col_unit`, `col_sources`).
"""

from django.utils.translation import gettext as _

from agencies.models import Body, LegalDocument
from agencies.resources import col_sources, col_unit
from core.resources import QnResource, col_date, col_key, col_keys, col_number, col_text, col_whole

from .models import Constituent, Headcount, Merger, MergerModel, Milestone, ReportedFigure


class MergerModelResource(QnResource):
    slug = col_text("slug")
    name_vi = col_text("name_vi")
    name_en = col_text("name_en")
    short_vi = col_text("short_vi")
    short_en = col_text("short_en")
    level = col_text("level")
    description_vi = col_text("description_vi")
    description_en = col_text("description_en")
    order = col_whole("order")
    basis = col_keys("basis", LegalDocument, field="number")
    sources = col_sources()

    class Meta:
        model = MergerModel
        fields = (
            "slug",
            "name_vi",
            "name_en",
            "short_vi",
            "short_en",
            "level",
            "description_vi",
            "description_en",
            "order",
            "basis",
            "sources",
        )
        import_id_fields = ("slug",)

    def export_queryset(self):
        return MergerModel.objects.prefetch_related("basis", "sources").order_by("order", "slug")


class MergerResource(QnResource):
    slug = col_text("slug")
    kind = col_text("kind")
    model = col_key("model", MergerModel)
    unit = col_unit()
    title_vi = col_text("title_vi")
    title_en = col_text("title_en")
    result = col_key("result", Body)
    basis = col_keys("basis", LegalDocument, field="number")
    note_vi = col_text("note_vi")
    note_en = col_text("note_en")
    sources = col_sources()

    class Meta:
        model = Merger
        fields = (
            "slug",
            "kind",
            "model",
            "unit",
            "title_vi",
            "title_en",
            "result",
            "basis",
            "note_vi",
            "note_en",
            "sources",
        )
        import_id_fields = ("slug",)

    def export_queryset(self):
        return (
            Merger.objects.select_related("model", "unit", "result")
            .prefetch_related("basis", "sources")
            .order_by("slug")
        )


class MergerChildResource(QnResource):
    """Rows that belong to a merger: scoped by the merger's district."""

    scope_column = "merger"

    def scope_label(self, instance):
        merger = getattr(instance, "merger", None)
        return str(merger.unit) if merger is not None else _("(none)")


class ConstituentResource(MergerChildResource):
    merger = col_key("merger", Merger)
    body = col_key("body", Body)
    order = col_whole("order")

    class Meta:
        model = Constituent
        fields = ("merger", "body", "order")
        import_id_fields = ("merger", "body")

    def export_queryset(self):
        return Constituent.objects.select_related("merger", "body").order_by("merger__slug", "order", "body__slug")


class MilestoneResource(MergerChildResource):
    merger = col_key("merger", Merger)
    status = col_text("status")
    date = col_date("date")
    basis = col_key("basis", LegalDocument, field="number")
    note_vi = col_text("note_vi")
    note_en = col_text("note_en")
    sources = col_sources()

    class Meta:
        model = Milestone
        fields = ("merger", "status", "date", "basis", "note_vi", "note_en", "sources")
        import_id_fields = ("merger", "status", "date")

    def export_queryset(self):
        return (
            Milestone.objects.select_related("merger", "basis")
            .prefetch_related("sources")
            .order_by("merger__slug", "date", "status")
        )


class HeadcountResource(MergerChildResource):
    merger = col_key("merger", Merger)
    phase = col_text("phase")
    value = col_whole("value")
    as_of = col_date("as_of")
    note = col_text("note")
    sources = col_sources()

    class Meta:
        model = Headcount
        fields = ("merger", "phase", "value", "as_of", "note", "sources")
        import_id_fields = ("merger", "phase")

    def export_queryset(self):
        return Headcount.objects.select_related("merger").prefetch_related("sources").order_by("merger__slug", "phase")


class ReportedFigureResource(QnResource):
    slug = col_text("slug")
    statement_vi = col_text("statement_vi")
    statement_en = col_text("statement_en")
    unit = col_unit()
    counted_level = col_text("counted_level")
    metric = col_text("metric")
    merger_models = col_keys("merger_models", MergerModel)
    combination = col_text("combination")
    value = col_number("value")
    denominator = col_number("denominator")
    measure = col_text("measure")
    as_of = col_date("as_of")
    note_vi = col_text("note_vi")
    note_en = col_text("note_en")
    sources = col_sources()

    class Meta:
        model = ReportedFigure
        fields = (
            "slug",
            "statement_vi",
            "statement_en",
            "unit",
            "counted_level",
            "metric",
            "merger_models",
            "combination",
            "value",
            "denominator",
            "measure",
            "as_of",
            "note_vi",
            "note_en",
            "sources",
        )
        import_id_fields = ("slug",)

    def export_queryset(self):
        return (
            ReportedFigure.objects.select_related("unit").prefetch_related("merger_models", "sources").order_by("slug")
        )


# The models a file can be imported into (core.resources.declared_resources).
RESOURCES = [
    MergerModelResource,
    MergerResource,
    ConstituentResource,
    MilestoneResource,
    HeadcountResource,
    ReportedFigureResource,
]
