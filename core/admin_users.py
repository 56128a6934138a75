"""Users set up entirely in the admin by a provincial admin: one form for the
name, the password, the role and the districts; staff status and the group
follow from the role (core.roles.assign_role).

A provincial admin who is not a superuser sees and changes only accounts that
are not superusers, and never edits raw permissions or groups.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.contrib.auth.models import Group, Permission, User
from django.utils.translation import gettext_lazy as _

from agencies.models import AdministrativeUnit, DistrictEditor

from .roles import ROLE_CHOICES, assign_role, role_of
from .scope import DISTRICT_EDITOR_GROUP


class RoleFieldsMixin:
    """The role and district fields, and the rule that keeps every account
    able to log in and do its job."""

    def add_role_fields(self, user=None):
        if user is not None and user.pk:
            self.fields["role"].initial = role_of(user) or DISTRICT_EDITOR_GROUP
            scope = DistrictEditor.objects.filter(user=user).first()
            self.fields["districts"].initial = list(scope.districts.all()) if scope else []

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == DISTRICT_EDITOR_GROUP and not cleaned.get("districts"):
            self.add_error(
                "districts",
                _("Tick at least one district: a district editor without a district could log in but change nothing."),
            )
        if cleaned.get("is_active") is False and self.instance.pk is None:
            self.add_error("is_active", _("A new account must be active, or it cannot log in."))
        return cleaned


def role_field():
    return forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, initial=DISTRICT_EDITOR_GROUP)


class DistrictsField(forms.ModelMultipleChoiceField):
    """A posted id no database integer can hold is an invalid choice, not a
    server error (SQLite raises OverflowError on it)."""

    def _check_values(self, value):
        for pk in value or ():
            try:
                if abs(int(str(pk))) >= 2**63:
                    raise forms.ValidationError(
                        self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                    )
            except ValueError:
                pass  # not a number: the parent refuses it
        return super()._check_values(value)


def districts_field():
    return DistrictsField(
        label=_("Districts they may edit"),
        queryset=AdministrativeUnit.objects.districts().order_by("name_vi"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Needed for a district editor; ignored for the other roles."),
    )


class EditorCreationForm(RoleFieldsMixin, UserCreationForm):
    """Username, password twice, role and districts: always a password, so the
    account can log in."""

    role = role_field()
    districts = districts_field()

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "last_name", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("usable_password", None)
        self.add_role_fields()


class EditorChangeForm(RoleFieldsMixin, UserChangeForm):
    role = role_field()
    districts = districts_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_role_fields(self.instance)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_active") and not self.instance.has_usable_password():
            self.add_error(
                None,
                _("This account has no password yet, so it cannot log in: set one with the password link below."),
            )
        return cleaned


def grantable_permissions():
    """Raw permissions (superusers only) without the history tables' own:
    nobody grants "can add historical …" by hand."""
    return Permission.objects.exclude(content_type__model__startswith="historical").select_related("content_type")


admin.site.unregister(Group)


@admin.register(Group)
class QnGroupAdmin(GroupAdmin):
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "permissions":
            kwargs["queryset"] = grantable_permissions()
        return super().formfield_for_manytomany(db_field, request, **kwargs)


admin.site.unregister(User)


@admin.register(User)
class QnUserAdmin(UserAdmin):
    add_form = EditorCreationForm
    form = EditorChangeForm
    list_display = ["username", "full_name", "role_name", "district_names", "is_active", "last_login"]
    list_filter = ["is_active", "groups"]
    add_fieldsets = [
        (None, {"fields": ["username", "password1", "password2"]}),
        (_("Name"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Role and districts"), {"fields": ["role", "districts"]}),
    ]
    provincial_fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Name"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Role and districts"), {"fields": ["role", "districts", "is_active"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "user_permissions":
            kwargs["queryset"] = grantable_permissions()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("groups", "district_scope__districts")
        if not request.user.is_superuser:
            queryset = queryset.filter(is_superuser=False)
        return queryset

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        if request.user.is_superuser:
            fieldsets = list(super().get_fieldsets(request, obj))
            return fieldsets + [(_("Role and districts"), {"fields": ["role", "districts"]})]
        return self.provincial_fieldsets

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if "role" in form.cleaned_data:
            assign_role(form.instance, form.cleaned_data["role"], form.cleaned_data.get("districts") or [])

    @admin.display(description=_("name"))
    def full_name(self, obj):
        return obj.get_full_name()

    @admin.display(description=_("role"))
    def role_name(self, obj):
        names = {group.name for group in obj.groups.all()}
        return next((str(label) for value, label in ROLE_CHOICES if value in names), "—").split(":")[0]

    @admin.display(description=_("districts"))
    def district_names(self, obj):
        scope = getattr(obj, "district_scope", None) if hasattr(obj, "district_scope") else None
        return ", ".join(str(unit) for unit in scope.districts.all()) if scope else "—"
