#!/usr/bin/env python3
"""`make bench-rendered`: every page of the registry rendered, with the page cache off.

In-process with Django's test client (DEBUG=false, QNMERGE_PAGE_CACHE_SECONDS=0),
against the N=1 database (`qn_scale`) and the seed-only one (`qn_scale_seed`),
which bench/bench.py's `ensure_database` builds when absent. For every page of
`portal.pages.PAGES` (province-wide and, where the page reads a province,
nationwide with `?province=all`; one record of each detail page, picked from the
database by its seed key): one warm-up request, then K timed requests (median
and p90 server time in ms), then one more request counting its SQL queries and
their time. Every page must answer 200: a broken page fails the run, it is not
timed. Target: median at most 30 ms at N=1, 20 ms at seed size (issue 14).

Each database runs in its own child process (Django binds one database at
start-up). Results: a markdown table on stdout and in var/bench/rendered.md,
the numbers in var/bench/rendered.json.

Environment: BENCH_PG, BENCH_DB, BENCH_SEED_DB, BENCH_SCALE as bench/bench.py;
BENCH_RENDERED_REPEAT (15) timed requests per page; BENCH_PAGES (comma-separated
page names of the registry, or addresses, to run a subset); BENCH_SKIP_SEED=1.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
REPEAT = int(os.environ.get("BENCH_RENDERED_REPEAT", "15"))
ONLY = {p.strip() for p in os.environ.get("BENCH_PAGES", "").split(",") if p.strip()}
TARGET_MS = {"scale": 30.0, "seed": 20.0}

# Query strings a page needs to show anything (an empty search shows a form).
QUERIES = {"search": "q=to+chuc+noi+vu", "lookup": "q=ha+khanh"}
ALL = "province=all"


def records():
    """{page name: [addresses]} of the detail pages, each from a seed record
    (present in both databases), else the first record of its kind."""
    from agencies.models import Body, Event, LegalDocument, Source
    from mergers.models import Merger, MergerModel

    def one(model, **key):
        return model.objects.filter(**key).first() or model.objects.order_by("pk").first()

    model = one(MergerModel, slug="to-chuc-noi-vu").get_absolute_url()
    return {
        "district": ["/districts/uong-bi/", "/districts/quang-ninh/"],
        "model": [model, f"{model}?{ALL}"],
        "merger": [one(Merger, slug="uong-bi-to-chuc-noi-vu").get_absolute_url()],
        "body": [one(Body, slug="uong-bi-ban-to-chuc").get_absolute_url()],
        "event": [one(Event, slug="hoi-nghi-so-ket-2-nam-quyet-dinh-44-qd-tu").get_absolute_url()],
        "document": [one(LegalDocument, number="44-QĐ/TU").get_absolute_url()],
        "source": [one(Source, slug="vov-2019-hop-nhat").get_absolute_url()],
    }


def addresses():
    """(page name, address) of every page of the registry."""
    from django.urls import reverse

    from portal import pages

    detail = records()
    for page in pages.PAGES:
        if "<" in page.route:
            if page.name not in detail:
                raise SystemExit(f"bench/rendered.py: the detail page {page.name!r} has no record: add it to records()")
            urls = detail[page.name]
        else:
            url = reverse(f"portal:{page.name}")
            query = QUERIES.get(page.name)
            url = f"{url}?{query}" if query else url
            urls = [url, f"{url}{'&' if query else '?'}{ALL}"] if page.scoped else [url]
        for url in urls:
            if not ONLY or page.name in ONLY or url in ONLY:
                yield page.name, url


def measure(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"bench/rendered.py: {url} answered {response.status_code}, not 200")
        return response

    get()  # warm-up
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = get()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        get()
    times.sort()
    return {
        "median": statistics.median(times),
        "p90": times[min(len(times) - 1, round(0.9 * (len(times) - 1)))],
        "queries": len(queries),
        "sql_ms": sum(float(q["time"]) for q in queries.captured_queries) * 1000,
        "bytes": len(response.content),
    }


def worker():
    """In the child: measure every page against DATABASE_URL; JSON on stdout."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qnmerge.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.test import Client

    results = []
    client = Client()
    for name, url in addresses():
        if name == "quality":  # for staff: a user who exists only for this request
            with transaction.atomic():
                staff = get_user_model().objects.create_user("bench-rendered-staff", is_staff=True)
                staff_client = Client()
                staff_client.force_login(staff)
                result = measure(staff_client, url)
                transaction.set_rollback(True)
        else:
            result = measure(client, url)
        results.append({"page": name, "url": url, **result})
        print(f"  {url}: {result['median']:.1f} ms", file=sys.stderr, flush=True)
    print(json.dumps(results))


def run(db, scale):
    sys.path.insert(0, str(ROOT / "bench"))
    import bench  # bench/bench.py: the databases and their environment

    bench.ensure_database(db, scale)
    bench.manage(db, "collectstatic", "--noinput", "--verbosity", "0")  # DEBUG=false reads the manifest
    env = bench.env_for(db) | {"QNMERGE_PAGE_CACHE_SECONDS": "0", "ALLOWED_HOSTS": "testserver"}
    bench.log(f"{db}: every page rendered, {REPEAT} requests each")
    out = subprocess.run(
        [sys.executable, __file__, "--worker"], cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE
    ).stdout
    return json.loads(out.decode().strip().splitlines()[-1])


def cells(result, target):
    if result is None:
        return "- | - | - | - | -"
    met = "met" if result["median"] <= target else "**missed**"
    return f"{result['median']:.1f} | {result['p90']:.1f} | {result['queries']} | {result['sql_ms']:.1f} | {met}"


def table(scale, seed, db, seed_db):
    by_url = {r["url"]: r for r in seed}
    lines = [
        f"Every page rendered (QNMERGE_PAGE_CACHE_SECONDS=0), in-process test client, DEBUG=false; "
        f"{REPEAT} requests after one warm-up; N=1 database {db}, seed database {seed_db}; "
        f"{time.strftime('%Y-%m-%d %H:%M')}, load average {Path('/proc/loadavg').read_text().split()[0]}. "
        f"Target: median at most {TARGET_MS['scale']:.0f} ms at N=1, {TARGET_MS['seed']:.0f} ms at seed size.",
        "",
        "| page | address | N=1 median ms | p90 ms | queries | SQL ms | N=1 target "
        "| seed median ms | p90 ms | queries | SQL ms | seed target |",
        "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in scale:
        lines.append(
            f"| {r['page']} | `{r['url']}` | {cells(r, TARGET_MS['scale'])} | "
            f"{cells(by_url.get(r['url']), TARGET_MS['seed'])} |"
        )
    missed = [r["url"] for r in scale if r["median"] > TARGET_MS["scale"]]
    missed += [r["url"] + " (seed)" for r in seed if r["median"] > TARGET_MS["seed"]]
    lines += ["", f"Missed: {', '.join(missed)}" if missed else "Every page meets its target."]
    return "\n".join(lines)


def main():
    if "--worker" in sys.argv:
        return worker()
    sys.path.insert(0, str(ROOT / "bench"))
    import bench

    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run([bench.PY, "manage.py", "compile_catalogues"], cwd=ROOT, check=True, capture_output=True)
    scale = run(bench.DB, bench.SCALE)
    seed = [] if bench.SKIP_SEED else run(bench.SEED_DB, None)
    report = table(scale, seed, bench.DB, bench.SEED_DB)
    (OUT / "rendered.json").write_text(json.dumps({"repeat": REPEAT, "scale": scale, "seed": seed}, indent=2))
    (OUT / "rendered.md").write_text(report + "\n")
    print()
    print(report)
    bench.log(f"written {OUT / 'rendered.md'} and rendered.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
