"""Guards every write of the project's records, whatever the path (admin,
import, shell, loaddata), and ends the sessions of users losing their role.

- NUL characters: SQLite stores them, PostgreSQL refuses them, so a backup
  made on SQLite would not restore into PostgreSQL. Forms refuse them
  already (Django's ProhibitNullCharactersValidator) and imports refuse them
  per cell; this refuses them for every other path too.
- Sessions: a user stripped of staff status, deactivated, or losing a role
  (group) or a granted district keeps no session: every session of theirs is
  deleted at once, so the private portal and the admin ask for a login again.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from agencies.text import null_character_message, text_fields_with_nul


def guarded_apps():
    return settings.QNMERGE_DATA_APPS


def refuse_null_characters(sender, instance, raw=False, **kwargs):
    if sender._meta.app_label not in guarded_apps():
        return
    fields = text_fields_with_nul(instance)
    if fields:
        raise ValidationError({name: null_character_message() for name in fields})


def end_sessions(user_ids):
    """Delete every live session of these users (the session table is scanned
    once; sessions are few: staff only)."""
    user_ids = {str(pk) for pk in user_ids if pk is not None}
    if not user_ids or "django.contrib.sessions" not in settings.INSTALLED_APPS:
        return
    stale = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) in user_ids
    ]
    Session.objects.filter(pk__in=stale).delete()


def remember_access(sender, instance, **kwargs):
    """Before a user is saved: what gave them access, to compare afterwards."""
    if instance.pk is None:
        return
    old = sender._default_manager.filter(pk=instance.pk).values("is_staff", "is_active", "is_superuser").first()
    instance._qnmerge_access_before = old


def end_sessions_on_lost_access(sender, instance, created=False, **kwargs):
    old = getattr(instance, "_qnmerge_access_before", None)
    if created or not old:
        return
    if any(old[name] and not getattr(instance, name) for name in ("is_staff", "is_active", "is_superuser")):
        end_sessions([instance.pk])


def end_sessions_on_lost_group(sender, instance, action, reverse, pk_set, **kwargs):
    """A user leaves a group (role), or a group is removed from users."""
    if action not in ("post_remove", "pre_clear"):
        return
    if not reverse:  # user.groups.remove(...) / clear()
        end_sessions([instance.pk])
    elif action == "post_remove":  # group.user_set.remove(...)
        end_sessions(pk_set or ())
    else:
        end_sessions(instance.user_set.values_list("pk", flat=True))


def end_sessions_on_lost_district(sender, instance, action, reverse, pk_set, **kwargs):
    """A district editor loses a district (or the whole grant)."""
    if action not in ("post_remove", "pre_clear"):
        return
    if not reverse:
        end_sessions([instance.user_id])
    elif action == "post_remove":
        from agencies.models import DistrictEditor

        end_sessions(DistrictEditor.objects.filter(pk__in=pk_set or ()).values_list("user_id", flat=True))
    else:
        end_sessions(instance.editors.values_list("user_id", flat=True))


def end_sessions_on_removed_grant(sender, instance, **kwargs):
    end_sessions([instance.user_id])


def connect():
    from agencies.models import DistrictEditor

    User = get_user_model()
    pre_save.connect(refuse_null_characters, dispatch_uid="qnmerge.refuse_null_characters")
    pre_save.connect(remember_access, sender=User, dispatch_uid="qnmerge.remember_access")
    post_save.connect(end_sessions_on_lost_access, sender=User, dispatch_uid="qnmerge.end_sessions_access")
    m2m_changed.connect(
        end_sessions_on_lost_group, sender=User.groups.through, dispatch_uid="qnmerge.end_sessions_group"
    )
    m2m_changed.connect(
        end_sessions_on_lost_district,
        sender=DistrictEditor.districts.through,
        dispatch_uid="qnmerge.end_sessions_district",
    )
    post_delete.connect(end_sessions_on_removed_grant, sender=DistrictEditor, dispatch_uid="qnmerge.end_sessions_grant")
