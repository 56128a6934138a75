"""Caching of expensive, rarely changing results, invalidated on every write.

Every cached value is stored under a key that includes the current data
version; any save, delete or many-to-many change to a model of a data app
(`settings.QNMERGE_DATA_APPS`: admin, import, shell, fixtures) bumps the version, so a page never
shows data older than the last write. Writes that bypass signals
(`bulk_create`, `QuerySet.update`) must call `bump_data_version()` themselves,
as `generate_synthetic` does.

The default cache is a file cache under var/, shared by every worker process
of one server, so a write seen by one worker invalidates all of them.
"""

import contextlib
import threading
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "qnmerge:data-version"
TIMEOUT = 60 * 60


def data_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, timeout=None)
        version = cache.get(VERSION_KEY, version)
    return version


def bump_data_version():
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def versioned_key(key):
    """The cache key of `key` under the current data version: a write makes
    every such key new, so what was stored under the old ones is never read."""
    return f"qnmerge:{key}:{data_version()}"


def cached(key, compute, timeout=TIMEOUT):
    """`compute()`, remembered until the next write to the data."""
    full_key = versioned_key(key)
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, timeout)
    return value


_batched = threading.local()


@contextlib.contextmanager
def writes_batched():
    """Bump the data version once for a batch of writes (an import of
    thousands of rows), not on each of them: each bump writes the cache."""
    depth = getattr(_batched, "depth", 0)
    _batched.depth = depth + 1
    try:
        yield
    finally:
        _batched.depth = depth
        if depth == 0:
            bump_data_version()
            if transaction.get_connection().in_atomic_block:
                transaction.on_commit(bump_data_version)


def _on_write(sender, **kwargs):
    if getattr(_batched, "depth", 0):
        return  # writes_batched() bumps when the batch ends
    if sender._meta.app_label in settings.QNMERGE_DATA_APPS:
        # Bump now and again after commit, so no reader can cache the state
        # between the write and its commit under the new version.
        bump_data_version()
        transaction.on_commit(bump_data_version)


def connect_signals():
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_on_write, dispatch_uid=f"qnmerge-cache-{signal!r}")
