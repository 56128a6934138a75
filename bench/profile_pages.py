#!/usr/bin/env python3
"""Why a page is slow: its SQL (timed, with EXPLAIN ANALYZE of the slowest) and a cProfile.

Usage (against the N=1 database that `make bench` builds):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qn_scale \\
        .venv/bin/python bench/profile_pages.py [URL ...] [--explain N] [--profile N]
Writes var/bench/profile.md (one section per URL) and prints it.
"""

import argparse
import cProfile
import io
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qnmerge.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(60))  # the settings refuse a key that is not random
os.environ.setdefault("QNMERGE_PAGE_CACHE_SECONDS", "0")  # every request rendered
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("STATIC_ROOT", str(ROOT / "var" / "bench" / "static"))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

DEFAULT_URLS = [
    "/?province=all",
    "/districts/uong-bi/",
    "/mergers/?province=all&model=to-chuc-noi-vu&status=completed&sort=-date",
    "/headcount/?province=all",
    "/timeline/?province=all",
    "/search/?q=to+chuc+noi+vu",
    "/bodies/?province=all&q=ban+to+chuc",
]


def shorten(text, limit):
    return text if len(text) <= limit else text[:limit] + " ..."


def profile(url, explain, top, client=None, sort="cumulative"):
    client = client or Client()
    client.get(url)  # warm-up
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        total = time.perf_counter() - started
    sql_seconds = sum(float(q["time"]) for q in queries.captured_queries)
    out = [
        f"## `{url}`",
        "",
        f"status {response.status_code}, {len(response.content):,} bytes, {total * 1000:.0f} ms in all, "
        f"{len(queries)} queries taking {sql_seconds * 1000:.0f} ms "
        f"({sql_seconds / total:.0%} of the time; the rest is Python: ORM rows, template rendering).",
        "",
    ]
    slowest = sorted(queries.captured_queries, key=lambda q: float(q["time"]), reverse=True)[:explain]
    for i, query in enumerate(slowest, 1):
        sql = query["sql"]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(shorten(row[0], 220) for row in cursor.fetchall())
        short = shorten(sql, 1200)
        out += [
            f"### query {i}: {float(query['time']) * 1000:.0f} ms",
            "",
            "```sql",
            short,
            "```",
            "",
            "```",
            plan,
            "```",
            "",
        ]
    if top:
        profiler = cProfile.Profile()
        profiler.enable()
        client.get(url)
        profiler.disable()
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats(sort).print_stats(top)
        text = "\n".join(shorten(line, 220) for line in buffer.getvalue().splitlines() if line.strip())
        out += [f"### cProfile ({sort})", "", "```", text, "```", ""]
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="*", default=DEFAULT_URLS)
    parser.add_argument("--explain", type=int, default=2, help="EXPLAIN ANALYZE the N slowest queries per page")
    parser.add_argument("--profile", type=int, default=25, help="lines of cProfile output (0: none)")
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative, tottime, ...")
    parser.add_argument("--staff", action="store_true", help="request as a staff user (the quality page)")
    args = parser.parse_args()
    if args.staff:  # a staff user who exists only for this run (the quality page)
        from django.contrib.auth import get_user_model
        from django.db import transaction

        with transaction.atomic():
            client = Client()
            client.force_login(get_user_model().objects.create_user("profile-pages-staff", is_staff=True))
            report = "\n".join(profile(url, args.explain, args.profile, client, args.sort) for url in args.urls)
            transaction.set_rollback(True)
    else:
        report = "\n".join(profile(url, args.explain, args.profile, sort=args.sort) for url in args.urls)
    out = ROOT / "var" / "bench" / "profile.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
