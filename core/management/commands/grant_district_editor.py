from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agencies.models import AdministrativeUnit, DistrictEditor
from core.apps import sync_roles
from core.scope import DISTRICT_EDITOR_GROUP


class Command(BaseCommand):
    help = (
        "Let a user edit the records of the given districts in admin (creating the user "
        "if missing), or with --revoke take districts away (all of them when none is given)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("districts", nargs="*", metavar="DISTRICT_SLUG", help="e.g. ha-long uong-bi")
        parser.add_argument("--revoke", action="store_true", help="Remove these districts (all when none is given).")
        parser.add_argument("--dry-run", action="store_true", help="Say what would change, write nothing.")

    def handle(self, username, districts, revoke=False, dry_run=False, **options):
        units = self.districts(districts)
        if not revoke and not units:
            raise CommandError("Name at least one district slug to grant, e.g. ha-long.")
        with transaction.atomic():
            if revoke:
                message = self.revoke(username, units)
            else:
                message = self.grant(username, units)
            if dry_run:
                transaction.set_rollback(True)
                message = f"Dry run, nothing written. Would have: {message}"
        self.stdout.write(self.style.SUCCESS(message))

    def districts(self, slugs):
        slugs = list(dict.fromkeys(slugs))
        units = list(AdministrativeUnit.objects.districts().filter(slug__in=slugs).order_by("slug"))
        unknown = sorted(set(slugs) - {unit.slug for unit in units})
        if unknown:
            known = ", ".join(AdministrativeUnit.objects.districts().order_by("slug").values_list("slug", flat=True))
            raise CommandError(
                f"Unknown district slug(s): {', '.join(unknown)}. Known districts: {known or '(none loaded)'}. Nothing was changed."
            )
        return units

    def grant(self, username, units):
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
        if created:
            user.set_unusable_password()
            user.save()
            self.stdout.write(
                f"Created staff user {username!r} without a password; set one with: "
                f"python manage.py changepassword {username}"
            )
        elif not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        group = Group.objects.filter(name=DISTRICT_EDITOR_GROUP).first()
        if group is None:
            sync_roles()
            group = Group.objects.get(name=DISTRICT_EDITOR_GROUP)
        user.groups.add(group)
        scope, _created = DistrictEditor.objects.get_or_create(user=user)
        scope.districts.add(*units)
        names = ", ".join(str(unit) for unit in scope.districts.order_by("slug"))
        return f"{username} may now edit: {names}."

    def revoke(self, username, units):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}. Nothing was changed.")
        scope = DistrictEditor.objects.filter(user=user).first()
        if scope is not None:
            if units:
                scope.districts.remove(*units)
            else:
                scope.districts.clear()
        remaining = list(scope.districts.order_by("slug")) if scope is not None else []
        if not remaining:
            user.groups.remove(*Group.objects.filter(name=DISTRICT_EDITOR_GROUP))
            return f"{username} may no longer edit any district (removed from the {DISTRICT_EDITOR_GROUP} group)."
        return f"{username} may now edit: {', '.join(str(unit) for unit in remaining)}."
