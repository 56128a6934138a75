"""Admin for units, bodies, posts, holdings, documents and sources.

Every class builds on `QnAdmin` (district scope, import/export, history):
see core/admin_base.py.
"""

from django.contrib import admin
from django.db.models import Prefetch
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.admin_base import QnAdmin, QnTabularInline, ScopeMixin, citation_inline, uncertain_date

from .models import (
    AdministrativeUnit,
    AdministrativeUnitCitation,
    Body,
    BodyCitation,
    DistrictEditor,
    Event,
    EventCitation,
    EventParticipant,
    EventParticipantCitation,
    Holding,
    HoldingCitation,
    LegalDocument,
    LegalDocumentCitation,
    Post,
    PostCitation,
    Source,
    UnitChange,
    UnitChangeCitation,
)
from .resources import (
    AdministrativeUnitResource,
    BodyResource,
    EventParticipantResource,
    EventResource,
    HoldingResource,
    LegalDocumentResource,
    PostResource,
    SourceResource,
    UnitChangeResource,
)


@admin.register(Source)
class SourceAdmin(QnAdmin):
    resource_classes = [SourceResource]
    list_display = ["title", "publisher", "kind", uncertain_date("published_on", _("published")), "seed_file"]
    list_filter = ["kind", "publisher"]
    search_fields = ["search_text", "title", "publisher", "author", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["kind", "title", "publisher", "author", "url", "slug"]}),
        (_("Date"), {"fields": ["published_on_edtf", "date_note"]}),
        (_("Archive and note"), {"fields": ["seed_file", "note"]}),
    ]

    def get_deleted_objects(self, objs, request):
        """A cited source is protected: the delete page (and the "delete
        selected" action) names the records citing it and deletes nothing."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = list(protected)
        for source in objs:
            for record in source.citing_records():
                protected.append(
                    _("%(kind)s “%(record)s” cites “%(source)s”")
                    % {"kind": capfirst(record._meta.verbose_name), "record": record, "source": source}
                )
        return deleted, model_count, perms_needed, protected


@admin.register(LegalDocument)
class LegalDocumentAdmin(QnAdmin):
    resource_classes = [LegalDocumentResource]
    inlines = [citation_inline(LegalDocumentCitation)]
    list_display = [
        "number",
        "kind",
        "title_vi",
        "issuer",
        uncertain_date("signed_on", _("signed")),
        uncertain_date("effective_on", _("effective")),
    ]
    list_filter = ["kind", "issuer"]
    search_fields = ["search_text", "number", "title_vi", "title_en", "issuer"]
    fieldsets = [
        (None, {"fields": ["number", "kind", "issuer", "title_vi", "title_en"]}),
        (_("Dates"), {"fields": ["signed_on_edtf", "effective_on_edtf"]}),
        (_("What it did"), {"fields": ["summary_vi", "summary_en"]}),
    ]


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(QnAdmin):
    resource_classes = [AdministrativeUnitResource]
    inlines = [citation_inline(AdministrativeUnitCitation)]
    list_display = [
        "name_vi",
        "gso_code",
        "level",
        "kind",
        "parent",
        uncertain_date("valid_from", _("exists from")),
        uncertain_date("valid_until", _("ended on")),
        "communes_2018",
    ]
    list_filter = ["level", "kind"]
    list_select_related = ["parent"]
    search_fields = ["search_text", "name_vi", "name_en", "gso_code", "slug"]
    autocomplete_fields = ["parent"]
    fieldsets = [
        (None, {"fields": ["name_vi", "name_en", "level", "kind", "parent", "gso_code", "slug"]}),
        (_("Validity"), {"fields": ["valid_from_edtf", "valid_until_edtf"]}),
        (_("Figures and sources"), {"fields": ["communes_2018"]}),
    ]


@admin.register(UnitChange)
class UnitChangeAdmin(QnAdmin):
    resource_classes = [UnitChangeResource]
    inlines = [citation_inline(UnitChangeCitation)]
    list_display = [
        "unit",
        "kind",
        uncertain_date("date", _("effective")),
        "related_unit",
        "communes_after",
        "basis",
    ]
    list_filter = ["kind"]
    list_select_related = ["unit", "related_unit", "basis"]
    search_fields = [
        "unit__search_text",
        "related_unit__search_text",
        "description_vi",
        "description_en",
        "basis__number",
    ]
    autocomplete_fields = ["unit", "related_unit", "basis"]
    # The other unit may be a neighbouring district (Hoành Bồ into Hạ Long).
    unscoped_choice_fields = UnitChange.unscoped_choice_fields
    fieldsets = [
        (None, {"fields": ["unit", "kind", "date_edtf", "related_unit", "new_kind", "communes_after"]}),
        (_("Description"), {"fields": ["description_vi", "description_en"]}),
        (_("Basis and sources"), {"fields": ["basis"]}),
    ]


@admin.register(Body)
class BodyAdmin(QnAdmin):
    resource_classes = [BodyResource]
    inlines = [citation_inline(BodyCitation)]
    list_display = [
        "name_vi",
        "abbreviation",
        "unit",
        "sector",
        "function",
        uncertain_date("founded_on", _("founded")),
        uncertain_date("ended_on", _("ended")),
        "end_reason",
        "successor",
    ]
    list_filter = ["sector", "function", "end_reason", ("unit", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["unit", "successor"]
    search_fields = ["search_text", "name_vi", "name_en", "abbreviation", "unit__search_text"]
    autocomplete_fields = ["unit", "successor"]
    prepopulated_fields = {"slug": ["name_vi"]}
    fieldsets = [
        (None, {"fields": ["unit", "name_vi", "name_en", "abbreviation", "slug", "sector", "function"]}),
        (
            _("Founded and ended"),
            {"fields": ["founded_on_edtf", "ended_on_edtf", "end_reason", "successor"]},
        ),
        (_("Sources"), {"fields": ["note"]}),
    ]


@admin.register(Post)
class PostAdmin(QnAdmin):
    resource_classes = [PostResource]
    inlines = [citation_inline(PostCitation)]
    list_display = ["title_vi", "unit", "body"]
    list_select_related = ["unit", "body"]
    list_filter = [("unit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["search_text", "title_vi", "title_en", "unit__search_text"]
    autocomplete_fields = ["unit", "body"]
    prepopulated_fields = {"slug": ["title_vi"]}
    fields = ["unit", "body", "title_vi", "title_en", "slug"]


@admin.register(Holding)
class HoldingAdmin(QnAdmin):
    resource_classes = [HoldingResource]
    inlines = [citation_inline(HoldingCitation)]
    list_display = [
        "slug",
        "unit",
        "combination",
        "post_titles",
        "holder_name",
        uncertain_date("start_date", _("from")),
        uncertain_date("end_date", _("until")),
        uncertain_date("reported_on", _("reported held on")),
    ]
    list_filter = ["combination", ("unit", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["unit"]
    search_fields = ["slug", "holder_name", "unit__search_text", "posts__search_text"]
    autocomplete_fields = ["unit", "posts"]
    fieldsets = [
        (None, {"fields": ["unit", "combination", "posts", "holder_name", "slug"]}),
        (
            _("Dates"),
            {"fields": ["start_date_edtf", "end_date_edtf", "reported_on_edtf"]},
        ),
        (_("Sources"), {"fields": ["note"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("posts", queryset=Post.objects.order_by("title_vi")))
        )

    @admin.display(description=_("posts"))
    def post_titles(self, obj):
        return " + ".join(post.title_vi for post in obj.posts.all())


class EventParticipantInline(QnTabularInline):
    """The people named at the event; each one's passage is edited on its own page."""

    model = EventParticipant
    fields = ["name", "role_vi", "role_en", "part_vi", "part_en", "order"]
    show_change_link = True


@admin.register(Event)
class EventAdmin(QnAdmin):
    resource_classes = [EventResource]
    inlines = [citation_inline(EventCitation), EventParticipantInline]
    list_display = ["title_vi", "kind", uncertain_date("date", _("date")), "unit", "place"]
    list_filter = ["kind", ("unit", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["unit"]
    search_fields = ["search_text", "title_vi", "title_en", "participants__search_text", "unit__search_text"]
    autocomplete_fields = ["unit", "documents"]
    prepopulated_fields = {"slug": ["title_vi"]}
    fieldsets = [
        (None, {"fields": ["kind", "title_vi", "title_en", "slug", "date_edtf", "unit", "place"]}),
        (_("What happened"), {"fields": ["description_vi", "description_en", "documents"]}),
    ]


@admin.register(EventParticipant)
class EventParticipantAdmin(QnAdmin):
    resource_classes = [EventParticipantResource]
    inlines = [citation_inline(EventParticipantCitation)]
    list_display = ["name", "role_vi", "part_vi", "event"]
    list_select_related = ["event"]
    list_filter = [("event", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["search_text", "name", "role_vi", "event__search_text"]
    autocomplete_fields = ["event"]
    fields = ["event", "name", "role_vi", "role_en", "part_vi", "part_en", "order"]


@admin.register(DistrictEditor)
class DistrictEditorAdmin(ScopeMixin, admin.ModelAdmin):
    """Who may edit which districts; only provincial admins have permissions here.

    No history or import/export: the model keeps no historical table.
    Django's own log (LogEntry) records changes made here.
    """

    list_display = ["user", "district_names"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "districts__search_text"]
    autocomplete_fields = ["user", "districts"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("districts")

    @admin.display(description=_("districts"))
    def district_names(self, obj):
        return ", ".join(str(unit) for unit in obj.districts.all())
