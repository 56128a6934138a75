"""The fail-safe Redis cache: an unreachable Redis is a miss, never an error,
and nothing cached before an outage is trusted after it."""

import socket

import pytest
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError

from qnmerge.cache_backends import VERSION_KEY, FailSafeRedisCache

LOCAL_REDIS = "redis://127.0.0.1:6379/15"


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def local_redis_or_skip():
    with socket.socket() as sock:
        sock.settimeout(0.5)
        if sock.connect_ex(("127.0.0.1", 6379)) != 0:
            pytest.skip("no Redis at 127.0.0.1:6379 (the recovery test needs one)")


def test_unreachable_redis_is_a_miss_and_writes_are_dropped_without_error():
    cache = FailSafeRedisCache(f"redis://127.0.0.1:{closed_port()}/0", {})
    cache.set("page", "html")
    assert cache.get("page") is None
    assert cache.get("page", "fallback") == "fallback"
    assert cache.add("page", "html") is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.delete("page") is False


def test_after_an_outage_the_data_version_is_reset(monkeypatch):
    local_redis_or_skip()
    cache = FailSafeRedisCache(LOCAL_REDIS, {"KEY_PREFIX": "qnmerge-test"})
    cache.set(VERSION_KEY, "before-outage", None)
    cache.set("qnmerge:page:before-outage", "old page", None)

    real_get = RedisCache.get

    def down(self, *args, **kwargs):
        raise RedisConnectionError("refused")

    monkeypatch.setattr(RedisCache, "get", down)
    assert cache.get(VERSION_KEY) is None  # a miss, not an error
    monkeypatch.setattr(RedisCache, "get", real_get)
    cache._down_until = 0  # the retry pause is over

    # A write may have happened while Redis was unreachable: the old version,
    # and so every page cached under it, is never read again.
    assert cache.get(VERSION_KEY) is None
    assert cache.get(VERSION_KEY) is None
    cache.set(VERSION_KEY, "after-outage", None)
    assert cache.get(VERSION_KEY) == "after-outage"
    cache.clear()
