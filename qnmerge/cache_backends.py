"""A Redis cache that several app servers share, and that never fails a page.

Django's own RedisCache raises when Redis cannot be reached. Here a read that
cannot reach Redis is a miss and a write is dropped, so pages are rendered
from the database instead. Nothing stale can be served afterwards: a server
that saw Redis unreachable deletes the data version when Redis answers again,
so every server moves to a new version (core.cache) and nothing cached
before the outage is read again, even if a write was made while Redis was down.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

try:  # the redis package is a dependency; guard only the import of its errors
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
except ImportError:  # pragma: no cover
    UNREACHABLE = (OSError,)

VERSION_KEY = "qnmerge:data-version"
LOG_EVERY = 60  # seconds between two warnings of one outage
RETRY_AFTER = 2.0  # seconds during which an unreachable Redis is not asked again


class FailSafeRedisCache(RedisCache):
    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        # Fail fast: a page waits at most this long for an absent Redis.
        options.setdefault("socket_connect_timeout", 0.25)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, params)
        self._outage = False
        self._down_until = 0.0
        self._logged = 0.0

    def _failed(self, error):
        self._outage = True
        now = time.monotonic()
        self._down_until = now + RETRY_AFTER
        if now - self._logged > LOG_EVERY:
            self._logged = now
            log.warning("Redis cache unreachable (%s): pages are rendered without it", error)

    def _call(self, method, default, *args, **kwargs):
        if self._outage and time.monotonic() < self._down_until:
            return default  # known down: a miss at once, not a timeout per call
        try:
            if self._outage:
                # Back after an outage: writes may have been missed, so no
                # version from before it may be trusted.
                super().delete(VERSION_KEY)
                self._outage = False
                log.warning("Redis cache reachable again: data version reset")
            return getattr(super(), method)(*args, **kwargs)
        except UNREACHABLE as error:
            self._failed(error)
            return default

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as error:
            self._failed(error)
            raise ValueError(f"Key '{key}' not found (cache unreachable)") from None

    def clear(self):
        return self._call("clear", False)
