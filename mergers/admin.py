"""Admin for mergers and what hangs off them.

A merger's change page answers at once: what merged into what ("A + B ->
C"), its current status and since when (from its latest milestone), on what
basis and from which sources. Its constituents, milestones and headcount
are edited inline; the constituent inline checks the same rules as
`Constituent.clean()` even while the merger is being created.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_base import QnAdmin, QnStackedInline, QnTabularInline, citation_inline, uncertain_date
from core.stale import StaleCheckInlineFormSet

from .models import (
    NO_STATUS,
    Constituent,
    Headcount,
    HeadcountCitation,
    Merger,
    MergerCitation,
    MergerModel,
    MergerModelCitation,
    Milestone,
    MilestoneCitation,
    ReportedFigure,
    ReportedFigureCitation,
    Status,
    describe_status,
)
from .resources import (
    ConstituentResource,
    HeadcountResource,
    MergerModelResource,
    MergerResource,
    MilestoneResource,
    ReportedFigureResource,
)


class ConstituentFormSet(StaleCheckInlineFormSet):
    """The constituents of the merger being saved (new or changed): each a
    different body of the merger's unit, not its result, not already merged
    into another body; at least two for a merger, one otherwise."""

    def clean(self):
        super().clean()
        merger = self.instance
        kept = []
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or self._should_delete_form(form):
                continue
            body = form.cleaned_data.get("body")
            if body is None:
                continue
            kept.append((form, body))
        seen = set()
        for form, body in kept:
            if form.errors:
                continue
            if body.pk in seen:
                form.add_error("body", _("This body is listed twice."))
            elif merger.result_id and body.pk == merger.result_id:
                form.add_error("body", _("A body cannot be merged into itself."))
            elif merger.unit_id and body.unit_id != merger.unit_id:
                form.add_error(
                    "body",
                    _("A constituent must belong to the merger's unit (%(unit)s).") % {"unit": merger.unit},
                )
            seen.add(body.pk)
        if merger.kind in Merger.CLOSING_KINDS and kept:
            elsewhere = Constituent.objects.filter(
                body__in=[body for _form, body in kept], merger__kind__in=Merger.CLOSING_KINDS
            )
            if merger.pk:
                elsewhere = elsewhere.exclude(merger_id=merger.pk)
            if merger.result_id:
                elsewhere = elsewhere.exclude(merger__result_id=merger.result_id)
            taken = set(elsewhere.values_list("body_id", flat=True))
            for form, body in kept:
                if body.pk in taken and not form.errors:
                    form.add_error("body", _("This body is already merged into another body."))
        minimum = 2 if merger.kind == Merger.Kind.MERGER else 1
        if len(kept) < minimum:
            raise ValidationError(
                ngettext(
                    "Name at least %(count)d constituent body.",
                    "Name at least %(count)d constituent bodies: a merger joins two or more bodies.",
                    minimum,
                )
                % {"count": minimum}
            )


class ConstituentInline(QnTabularInline):
    model = Constituent
    formset = ConstituentFormSet
    fields = ["body", "order"]
    autocomplete_fields = ["body"]
    min_num = 1
    extra = 1


class MilestoneInline(QnStackedInline):
    model = Milestone
    fields = [("status", "date_edtf"), "basis", "note_vi", "note_en"]
    autocomplete_fields = ["basis"]
    classes = []


class HeadcountInline(QnTabularInline):
    model = Headcount
    fields = ["phase", "value", "as_of_edtf", "note"]
    max_num = 2


class StatusFilter(admin.SimpleListFilter):
    title = _("current status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*Status.choices, (NO_STATUS, _("No milestone yet"))]

    def queryset(self, request, queryset):
        if self.value() in {*Status.values, NO_STATUS}:
            return queryset.filter(status=self.value())
        return queryset


@admin.register(Merger)
class MergerAdmin(QnAdmin):
    resource_classes = [MergerResource]
    list_display = ["title_vi", "unit", "model", "kind_short", "current_status", "result"]
    list_filter = [StatusFilter, "kind", "model", ("unit", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["unit", "model", "result"]
    search_fields = ["search_text", "title_vi", "title_en", "unit__search_text", "result__search_text"]
    autocomplete_fields = ["unit", "result", "basis"]
    readonly_fields = ["merger_summary", "status_summary"]
    prepopulated_fields = {"slug": ["title_vi"]}
    inlines = [ConstituentInline, MilestoneInline, HeadcountInline, citation_inline(MergerCitation)]
    fieldsets = [
        (
            _("What merged into what"),
            {"fields": ["merger_summary", "status_summary", "kind", "model", "unit", "result"]},
        ),
        (_("Title"), {"fields": ["title_vi", "title_en", "slug"]}),
        (_("Legal basis and sources"), {"fields": ["basis"]}),
        (_("Notes"), {"fields": ["note_vi", "note_en"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_status()

    @admin.display(description=_("kind"), ordering="kind")
    def kind_short(self, obj):
        """ "Hợp nhất", not the whole explanation in brackets: one line per merger."""
        return str(obj.get_kind_display()).split(" (")[0]

    @admin.display(description=_("current status"), ordering="status_date")
    def current_status(self, obj):
        return describe_status(obj)

    @admin.display(description=_("constituents → result"))
    def merger_summary(self, obj):
        if obj is None or obj.pk is None:
            return _("Saved with its constituents below.")
        names = " + ".join(str(link.body) for link in obj.constituent_links.select_related("body"))
        result = str(obj.result) if obj.result_id else _("(resulting body not formed yet)")
        basis = ", ".join(str(document) for document in obj.basis.all())
        line = f"{names or _('(no constituents)')} → {result}"
        return format_html("{}<br>{}: {}", line, _("legal basis"), basis or "—")

    @admin.display(description=_("current status"))
    def status_summary(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        milestone = None
        if getattr(obj, "status_milestone_id", None):
            milestone = (
                Milestone.objects.prefetch_related("sources").select_related("basis").get(pk=obj.status_milestone_id)
            )
        text = describe_status(obj)
        if milestone is None:
            return text
        sources = "; ".join(str(source) for source in milestone.sources.all())
        basis = str(milestone.basis) if milestone.basis_id else "—"
        return format_html("{}<br>{}: {}<br>{}: {}", text, _("legal basis"), basis, _("sources"), sources or "—")


@admin.register(MergerModel)
class MergerModelAdmin(QnAdmin):
    resource_classes = [MergerModelResource]
    inlines = [citation_inline(MergerModelCitation)]
    list_display = ["short_vi", "name_vi", "level", "order", "merger_count"]
    list_filter = ["level"]
    search_fields = ["slug", "short_vi", "short_en", "name_vi", "name_en"]
    autocomplete_fields = ["basis"]
    fieldsets = [
        (None, {"fields": ["short_vi", "short_en", "name_vi", "name_en", "slug", "level", "order"]}),
        (_("Description"), {"fields": ["description_vi", "description_en"]}),
        (_("Legal basis and sources"), {"fields": ["basis"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(merger_total=Count("mergers"))

    @admin.display(description=_("mergers"), ordering="merger_total")
    def merger_count(self, obj):
        return obj.merger_total


@admin.register(Constituent)
class ConstituentAdmin(QnAdmin):
    """Constituents are edited on their merger; this list serves search and import/export."""

    resource_classes = [ConstituentResource]
    list_display = ["body", "merger", "order"]
    list_select_related = ["body", "merger", "merger__unit"]
    search_fields = ["body__search_text", "merger__search_text"]
    autocomplete_fields = ["merger", "body"]
    fields = ["merger", "body", "order"]


@admin.register(Milestone)
class MilestoneAdmin(QnAdmin):
    resource_classes = [MilestoneResource]
    inlines = [citation_inline(MilestoneCitation)]
    list_display = ["merger", "status", uncertain_date("date", _("date")), "basis", "merger_unit"]
    list_filter = ["status", "merger__model"]
    list_select_related = ["merger", "merger__unit", "basis"]
    search_fields = ["merger__search_text", "merger__unit__search_text", "note_vi", "note_en", "basis__number"]
    autocomplete_fields = ["merger", "basis"]
    fields = ["merger", ("status", "date_edtf"), "basis", "note_vi", "note_en"]

    @admin.display(description=_("unit"), ordering="merger__unit__gso_code")
    def merger_unit(self, obj):
        return obj.merger.unit


@admin.register(Headcount)
class HeadcountAdmin(QnAdmin):
    resource_classes = [HeadcountResource]
    inlines = [citation_inline(HeadcountCitation)]
    list_display = ["merger", "phase", "value", uncertain_date("as_of", _("as of"))]
    list_filter = ["phase"]
    list_select_related = ["merger"]
    search_fields = ["merger__search_text", "merger__unit__search_text", "note"]
    autocomplete_fields = ["merger"]
    fields = ["merger", "phase", "value", "as_of_edtf", "note"]


@admin.register(ReportedFigure)
class ReportedFigureAdmin(QnAdmin):
    resource_classes = [ReportedFigureResource]
    inlines = [citation_inline(ReportedFigureCitation)]
    list_display = [
        "statement_vi",
        "unit",
        "value",
        "denominator",
        "measure",
        uncertain_date("as_of", _("as of")),
        "metric",
    ]
    list_filter = ["measure", "metric", "counted_level"]
    list_select_related = ["unit"]
    search_fields = ["slug", "statement_vi", "statement_en", "unit__search_text"]
    autocomplete_fields = ["unit", "merger_models"]
    fieldsets = [
        (None, {"fields": ["statement_vi", "statement_en", "slug", "unit"]}),
        (_("Figure"), {"fields": ["value", "denominator", "measure", "as_of_edtf"]}),
        (_("Computed from the records as"), {"fields": ["metric", "counted_level", "merger_models", "combination"]}),
        (_("Notes and sources"), {"fields": ["note_vi", "note_en"]}),
    ]
