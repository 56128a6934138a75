"""The domain's own guard: a cited source cannot be deleted, whatever the
path (admin, shell, a cascade), because deleting it would silently remove
every citation of it. The guards of every write (NUL characters) and of
sessions live in `core.signals`."""

from django.db.models import ProtectedError
from django.db.models.signals import pre_delete
from django.utils.translation import gettext


def protect_cited_source(sender, instance, **kwargs):
    """Whatever the path (admin, shell, a cascade), a cited source stays."""
    citing = instance.citing_records(limit=10)
    if citing:
        raise ProtectedError(
            gettext("The source “%(source)s” is cited by %(records)s; remove those citations first.")
            % {"source": instance, "records": "; ".join(str(record) for record in citing)},
            set(citing),
        )


def connect():
    from .models import Source

    pre_delete.connect(protect_cited_source, sender=Source, dispatch_uid="qnmerge.protect_cited_source")
