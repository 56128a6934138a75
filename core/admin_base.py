"""What every admin class of `agencies` and `mergers` shares.

`QnAdmin` = district scope + import/export + history. The scope rules live
in `core.scope`; this module applies them on every admin path:

- changelist, change, delete, history and revert views: a district editor
  sees only records of the districts granted (viewers and provincial admins
  see all); a record of another district answers 403, not the "does not
  exist" redirect;
- forms: foreign-key and many-to-many choices are limited to what the user
  may pick, so a posted out-of-scope id fails as "Select a valid choice";
- autocomplete and raw-id popups: the same limits;
- import and export: the export queryset is scoped, and the resources get
  `user=request.user` to check imported rows;
- models without a district (sources, documents, units, merger models,
  reported figures) are read-only for district editors.
"""

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import IS_POPUP_VAR
from django.contrib.admin.widgets import AdminURLFieldWidget, AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from agencies.dates import describe
from agencies.text import fold, slugify_vi

from .admin_imports import attachment, export_filename, preview_rows, template_dataset
from .history import links_of_version, restore_citations
from .import_files import ImportLimitError, PendingImportStorage, QnCSV, QnXLSX
from .import_forms import QnImportForm
from .resources import describe_errors
from .scope import (
    addable_by_district_editors,
    district_id_of,
    district_ids_for,
    in_scope,
    is_unscoped_choice,
    record_scope_path,
    scope_choices,
    scope_records,
    visible_district_ids,
)
from .stale import (
    OPENED_VERSION,
    StaleCheckForm,
    StaleCheckInlineForm,
    StaleCheckInlineFormSet,
    latest_version,  # noqa: F401 - the newest version of a record, for callers of this module
)

CHANGE_REASON = "change_reason"


def uncertain_date(name, description):
    """A list_display column saying a date as the source gives it ("đầu năm 2018")."""

    @admin.display(description=description, ordering=name)
    def column(obj):
        return describe(getattr(obj, f"{name}_edtf"))

    column.__name__ = f"{name}_as_given"
    return column


def is_valid_key(model_field, value):
    """Whether `value` can be looked up in `model_field` without a database
    error: "2018-01-01" or 10**30 posted as an id must be a form error."""
    try:
        python = model_field.to_python(value)
    except ValidationError:
        return False
    if isinstance(python, int):
        low, high = connection.ops.integer_field_range(model_field.get_internal_type())
        return (low is None or python >= low) and (high is None or python <= high)
    return True


class SafeAutocompleteMixin:
    """Django's autocomplete widgets look up the posted ids again to re-render
    a form with errors; an id that is not one (a date, a 30-digit number)
    would end in a 500 there. Drop such values: the field reports them."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        key = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
        return super().optgroups(name, [v for v in value if is_valid_key(key, v)], attr)


class SafeAutocompleteSelect(SafeAutocompleteMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(SafeAutocompleteMixin, AutocompleteSelectMultiple):
    pass


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids out of the column's range before the `__in` query that
    Django does not guard (SQLite raises OverflowError, PostgreSQL DataError)."""

    def _check_values(self, value):
        opts = self.queryset.model._meta
        key = opts.get_field(self.to_field_name) if self.to_field_name else opts.pk
        for pk in value:
            if not is_valid_key(key, pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class HistoryReasonForm(StaleCheckForm):
    """Every admin form: the model's fields plus why the change was made, and
    the version it was opened on (two admins, one record: core.stale)."""

    change_reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=100,
        required=False,
        help_text=_("Kept with this version in the record's history, e.g. the article that corrects it."),
    )
    # {identifier field: [fields it is made from]}, set by the admin class.
    prepopulated = {}
    # Reverting to an earlier version must say why (the history keeps it).
    reason_required = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.reason_required and CHANGE_REASON in self.fields:
            field = self.fields[CHANGE_REASON]
            field.required = True
            field.label = _("Reason for reverting")
            field.help_text = _("Say why this earlier version is put back; the history keeps it.")

    def clean(self):
        cleaned = super().clean()
        # An identifier left empty is made from its title, as the browser does.
        for target, sources in self.prepopulated.items():
            if target not in self.fields or cleaned.get(target) or target in self.errors:
                continue
            text = " ".join(str(cleaned.get(name) or "") for name in sources).strip()
            max_length = self._meta.model._meta.get_field(target).max_length
            if text and slugify_vi(text, max_length):
                cleaned[target] = slugify_vi(text, max_length)
            else:
                self.add_error(target, forms.Field.default_error_messages["required"])
        return cleaned


class ReadableHistoryHelper(HistoricalRecordContextHelper):
    """The history's old and new values as a reader says them: a choice by
    its label ("Hoàn thành", not "completed"), an empty value as "—", a
    related record by its name."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if value is None or value == "" or value == []:
            return "—"
        if getattr(field, "choices", None) and not isinstance(value, list):
            return dict(field.flatchoices).get(value, value)
        return value


class ScopeMixin:
    """District scope for admin classes and inlines."""

    # Foreign keys whose choices stay province-wide (e.g. the other unit of
    # a unit change, which may be a neighbouring district).
    unscoped_choice_fields = ()

    def district_ids(self, request):
        """Districts the user may edit: None for all, else the set granted (cached per request)."""
        if not hasattr(request, "_qnmerge_district_ids"):
            request._qnmerge_district_ids = district_ids_for(request.user)
        return request._qnmerge_district_ids

    def visible_ids(self, request):
        """Districts the user may see: all for viewers, else as for editing."""
        if not hasattr(request, "_qnmerge_visible_ids"):
            request._qnmerge_visible_ids = visible_district_ids(request.user)
        return request._qnmerge_visible_ids

    def get_queryset(self, request):
        queryset = scope_records(super().get_queryset(request), self.visible_ids(request))
        if IS_POPUP_VAR in request.GET:  # raw-id lookup: offer only what the user may pick
            queryset = scope_choices(queryset, self.district_ids(request))
        return queryset

    def may_edit(self, request, obj=None):
        """Scope part of add/change/delete: provincial admins anything, district
        editors in-scope records of district models only."""
        ids = self.district_ids(request)
        if ids is None:
            return True
        if record_scope_path(self.model) is None:
            return False
        return obj is None or in_scope(obj, ids)

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        ids = self.visible_ids(request)
        if obj is None or ids is None or record_scope_path(self.model) is None:
            return True
        return in_scope(obj, ids)

    def has_add_permission(self, request, *args):
        # Inlines receive the parent object: it must be in scope too.
        parent = args[0] if args else None
        if not super().has_add_permission(request, *args):
            return False
        opts = self.model._meta
        if not args and (opts.app_label, opts.model_name) in addable_by_district_editors():
            return True  # a shared record any editor may add (a source to cite)
        return self.may_edit(request, parent)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_edit(request, obj)

    def scope_formfield(self, db_field, request, field):
        unscoped = db_field.name in self.unscoped_choice_fields or is_unscoped_choice(db_field.model, db_field.name)
        if field is not None and hasattr(field, "queryset") and not unscoped:
            field.queryset = scope_choices(field.queryset, self.district_ids(request))
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return self.scope_formfield(db_field, request, super().formfield_for_foreignkey(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
        return self.scope_formfield(db_field, request, super().formfield_for_manytomany(db_field, request, **kwargs))


class ScopedAdminMixin(ScopeMixin):
    """Scope on the views, search, autocomplete, import and export of a ModelAdmin."""

    # -- views ---------------------------------------------------------------
    def refuse_out_of_scope(self, request, object_id):
        """403 for an existing record of a district the user may not see."""
        ids = self.visible_ids(request)
        if ids is None or record_scope_path(self.model) is None or object_id is None:
            return
        try:
            pk = self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            return  # not an id: Django answers "does not exist"
        manager = self.model._default_manager
        allowed = scope_records(manager.all(), ids).values("pk")
        refused = manager.filter(pk=pk).exclude(pk__in=allowed).first()
        if refused is not None:
            raise PermissionDenied(self.refusal_message(refused))

    @staticmethod
    def refusal_message(obj):
        """Why a district editor may not open a record: whose district it is."""
        from agencies.models import AdministrativeUnit

        district = AdministrativeUnit.objects.filter(pk=district_id_of(obj)).first()
        if district is None:
            return _("This record belongs to no district you edit.")
        return _("This record belongs to %(district)s, which you do not edit.") % {"district": district}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self.refuse_out_of_scope(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self.refuse_out_of_scope(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self.require_valid_ids(object_id)
        self.refuse_out_of_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.require_valid_ids(object_id, version_id)
        self.refuse_out_of_scope(request, object_id)
        request._qnmerge_reverting = True
        if request.method == "GET":
            # The revert form shows the version's links (its sources...), not
            # today's: saving it restores them (core.history).
            record = self.model.history.filter(
                **{self.model._meta.pk.attname: unquote(object_id)}, history_id=version_id
            ).first()
            if record is not None:
                request._qnmerge_version_links = links_of_version(record)
        response = super().history_form_view(request, object_id, version_id, extra_context)
        if request.method == "POST" and response.status_code == 302:
            # Saved: the version's citations (source, quote, reasoning) come back too.
            record = self.model.history.filter(history_id=version_id).first()
            instance = self.model._default_manager.filter(pk=unquote(object_id)).first()
            if record is not None and instance is not None:
                restore_citations(instance, record.history_date)
        return response

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryHelper(self.model, historical_record)

    def require_valid_ids(self, object_id, version_id=None):
        """django-simple-history looks ids up unchecked: "abc" would be a 500."""
        valid = is_valid_key(self.model._meta.pk, unquote(object_id))
        if version_id is not None:
            history_id = self.model.history.model._meta.get_field("history_id")
            valid = valid and is_valid_key(history_id, version_id)
        if not valid:
            raise Http404(_("No such record or version."))

    # -- forms: why the change was made, kept in history ---------------------
    form = HistoryReasonForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.prepopulated = dict(self.get_prepopulated_fields(request, obj))
        form.reason_required = getattr(request, "_qnmerge_reverting", False)
        links = getattr(request, "_qnmerge_version_links", None)
        if not links:
            return form

        class VersionForm(form):
            """The revert form shows the version's many-to-many links."""

            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, **form_kwargs)
                if not self.is_bound:
                    self.initial.update({name: pks for name, pks in links.items() if name in self.fields})

        return VersionForm

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in self.get_prepopulated_fields(request):
            field.required = False  # made from the title when left empty (HistoryReasonForm.clean)
        return field

    def may_save(self, request, obj):
        return self.has_change_permission(request, obj) if obj is not None else self.has_add_permission(request)

    def get_fields(self, request, obj=None):
        fields = [name for name in super().get_fields(request, obj) if name not in (CHANGE_REASON, OPENED_VERSION)]
        if self.may_save(request, obj):
            fields += [CHANGE_REASON, OPENED_VERSION]
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if self.fieldsets and self.may_save(request, obj):
            fieldsets.append((_("History"), {"fields": [CHANGE_REASON, OPENED_VERSION]}))
        return fieldsets

    def save_model(self, request, obj, form, change):
        reason = getattr(form, "cleaned_data", {}).get(CHANGE_REASON)
        if reason:
            obj._change_reason = reason
        super().save_model(request, obj, form, change)

    # -- search: without diacritics, and scoped in autocomplete --------------
    def get_search_results(self, request, queryset, search_term):
        if self.is_autocomplete(request):
            queryset = self.scope_autocomplete(request, queryset)
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        folded = fold(search_term)
        if folded and folded != search_term:
            # "Ha Long" and "Hạ Long" find the same rows through search_text.
            more, more_duplicates = super().get_search_results(request, queryset, folded)
            results = results | more
            may_have_duplicates = may_have_duplicates or more_duplicates
        return results, may_have_duplicates

    @staticmethod
    def is_autocomplete(request):
        match = getattr(request, "resolver_match", None)
        return match is not None and match.url_name == "autocomplete"

    def scope_autocomplete(self, request, queryset):
        """Limit autocomplete to what the referring field may hold (Django has
        already validated the app_label/model_name/field_name parameters)."""
        try:
            source_model = apps.get_model(request.GET["app_label"], request.GET["model_name"])
        except (KeyError, LookupError):
            return queryset.none()
        field_name = request.GET.get("field_name", "")
        for candidate in self.admin_site._registry.values():
            exempt = field_name in getattr(candidate, "unscoped_choice_fields", ())
            if candidate.model is source_model and exempt:
                return queryset
        return scope_choices(queryset, self.district_ids(request))

    # -- import and export ----------------------------------------------------
    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_valid_export_item_pks(self, request):
        # Ids an export started from the changelist's action may name.
        return self.get_queryset(request).values_list("pk", flat=True)

    def get_export_queryset(self, request):
        return scope_records(super().get_export_queryset(request), self.visible_ids(request))

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    # -- files people open in Excel ---------------------------------------------
    # CSV with a byte-order mark: Excel then reads it as UTF-8, Vietnamese intact.
    to_encoding = "utf-8-sig"

    def get_export_filename(self, request, queryset, file_format):
        return export_filename(self.model, file_format.get_extension())

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        response = super()._do_file_export(file_format, request, queryset, export_form=export_form)
        response["Content-Disposition"] = attachment(self.get_export_filename(request, queryset, file_format))
        return response

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/template.<str:extension>",
                self.admin_site.admin_view(self.import_template_view),
                name="%s_%s_import_template" % info,
            ),
            *super().get_urls(),
        ]

    def import_template_view(self, request, extension):
        """An empty file to fill in: the columns' headings and one example row
        (a record the user may edit, as stored: importing it changes nothing)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        formats = {fmt().get_extension(): fmt() for fmt in self.get_import_formats()}
        if extension not in formats:
            raise Http404(_("No such template format."))
        file_format = formats[extension]
        resource_class = self.get_import_resource_classes(request)[0]
        resource = resource_class(**self.get_import_resource_kwargs(request))
        example = scope_records(self.model._default_manager.order_by("pk"), self.district_ids(request)).first()
        content = file_format.export_data(template_dataset(resource, example))
        if not file_format.is_binary():
            content = content.encode("utf-8-sig")
        response = HttpResponse(content, content_type=file_format.get_content_type())
        response["Content-Disposition"] = attachment(
            export_filename(self.model, extension, prefix=_("Import template") + " - ")
        )
        return response

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        if isinstance(response, TemplateResponse) and response.context_data is not None:
            context = response.context_data
            context["template_links"] = [
                (fmt().get_extension().upper(), f"template.{fmt().get_extension()}")
                for fmt in self.get_import_formats()
            ]
            resource_class = self.get_import_resource_classes(request)[0]
            # The columns by their headings ("Tiêu đề (tiếng Việt)"), as in the templates.
            context["fields_list"] = [
                (name, list(resource_class.column_labels().values()))
                for name, _columns in context.get("fields_list", [])
            ]
            result = context.get("result")
            if result is not None and not result.has_errors():
                context["preview"] = preview_rows(resource_class(**self.get_import_resource_kwargs(request)), result)
        return response


class QnAdmin(ScopedAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    """The base of every admin class: scope, import/export, history and revert."""

    class Media:
        # After Django's URLify: identifiers keep a Vietnamese title's letters.
        js = ["admin/js/urlify.js", "js/urlify_vi.js"]

    list_per_page = 50
    # Who made each version, kept as a name after the account is deleted.
    history_list_display = ["author"]
    # Refuses oversized, empty and non-UTF-8 uploads before they are parsed.
    import_form_class = QnImportForm
    # The two formats admins and analysts use; imports read them within
    # QNMERGE_IMPORT_MAX_ROWS / _CELLS (core.import_files).
    import_formats = [QnCSV, QnXLSX]
    export_formats = [CSV, XLSX]
    # A pending import is kept under a signed token, never a file name a form
    # could change (core.import_files.PendingImportStorage).
    tmp_storage_class = PendingImportStorage

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        # Refused by the dry run (no confirm step): the upload is not kept.
        context = getattr(response, "context_data", None) or {}
        name = getattr(request.FILES.get("import_file"), "tmp_storage_name", None)
        if name and not context.get("confirm_form"):
            PendingImportStorage(name=name).remove()
        return response

    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        name = request.POST.get("import_file_name", "")
        if not PendingImportStorage.is_valid_name(name):
            messages.error(
                request,
                gettext(
                    "This import is no longer pending (already imported, or older than allowed). Upload the file again."
                ),
            )
            return HttpResponseRedirect(
                reverse(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_import")
            )
        try:
            return super().process_import(request, **kwargs)
        finally:
            PendingImportStorage(name=name).remove()

    def process_result(self, result, request):
        """The confirm step: a file that fails now (a record changed since the
        preview) wrote nothing; say why instead of "Import finished"."""
        if result.has_errors() or result.has_validation_errors():
            lines = describe_errors(result)
            messages.error(
                request,
                gettext("The file cannot be imported: nothing was imported. %(errors)s")
                % {"errors": " ".join(lines[:10]) + (" …" if len(lines) > 10 else "")},
            )
            return HttpResponseRedirect(
                reverse(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_import")
            )
        return super().process_result(result, request)

    def add_data_read_fail_error_to_form(self, form, e):
        """Say what is wrong with the file, not which Python exception it raised."""
        if isinstance(e, ImportLimitError):
            message = str(e)
        else:
            message = gettext(
                "The file cannot be read as the chosen format: check that it is a CSV (UTF-8) or XLSX file "
                "with the column names in its first row."
            )
        form.add_error("import_file", message)

    # An address typed without a scheme is taken as https (Django 6's default,
    # asked for now so its deprecation warning goes away).
    formfield_overrides = {
        models.URLField: {"widget": AdminURLFieldWidget, "assume_scheme": "https"},
    }


class StaleCheckInlineMixin:
    """Each row of an inline carries the version it was opened on: two admins
    editing the same merger's milestones do not overwrite each other (core.stale)."""

    form = StaleCheckInlineForm
    formset = StaleCheckInlineFormSet
    # At most this many rows of one inline in one form (the seed's largest has
    # 6). Above it the form says "submit 100 or fewer" and nothing is saved.
    # Django's own cap is max_num + 1,000: a POST claiming millions of rows
    # (its TOTAL_FORMS) had every admin form build 1,000 and more of them,
    # seconds of a server's time for one request.
    max_num = 100

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", self.get_max_num(request, obj, **kwargs) or self.max_num)
        return super().get_formset(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        fields = [name for name in super().get_fields(request, obj) if name != OPENED_VERSION]
        if self.has_change_permission(request, obj) and hasattr(self.model, "history"):
            fields.append(OPENED_VERSION)
        return fields


class QnTabularInline(StaleCheckInlineMixin, ScopeMixin, admin.TabularInline):
    extra = 0
    show_change_link = False


class QnStackedInline(StaleCheckInlineMixin, ScopeMixin, admin.StackedInline):
    extra = 0


def citation_inline(citation_model):
    """The inline where a record's citations are edited: source, quote, reasoning."""
    return type(
        f"{citation_model.__name__}Inline",
        (QnTabularInline,),
        {
            "model": citation_model,
            "fields": ["source", "quote", "reasoning"],
            "autocomplete_fields": ["source"],
            "verbose_name": _("citation"),
            "verbose_name_plural": _("citations: the passage each source gives"),
        },
    )
