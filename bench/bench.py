#!/usr/bin/env python3
"""`make bench`: load benchmark of the portal at nationwide scale (N=1) and at seed size.

Steps (each printed as it runs):
1. PostgreSQL databases: `qn_scale` (seed + `load_vietnam_units`, the real
   country's units, + `generate_synthetic --scale 1 --seed 1` built on them)
   and `qn_scale_seed` (seed only) are created and loaded if absent; the load
   time of the synthetic set is printed.
2. gunicorn, 2 sync workers, DEBUG=false, a generated SECRET_KEY,
   ALLOWED_HOSTS=127.0.0.1, on 127.0.0.1:$BENCH_PORT.
3. Per page: the time of its first request (rendered: nothing is cached
   since the data version was bumped), then wrk (installed from Debian with
   apt-get when missing): $BENCH_CLIENTS connections for $BENCH_DURATION
   seconds; requests/s, p50/p95/p99 and errors; /healthz is the floor. The
   page cache serves the repeated requests, as it serves visitors between
   two writes; QNMERGE_PAGE_CACHE_SECONDS=0 measures every page rendered.
4. The same pages against the seed-only database; the p95 ratio N=1/seed.
5. CSV export of the largest report (bodies, nationwide) over HTTP: rows/s
   and the serving worker's peak RSS (VmHWM), beside psql `\\copy` of the same
   rows in the same run.
Results: a table on stdout, and var/bench/results.json + results.md.

Environment: BENCH_PG (postgres://postgres@127.0.0.1:5432), BENCH_DB (qn_scale),
BENCH_SEED_DB (qn_scale_seed), BENCH_SCALE (1), BENCH_PORT (8110),
BENCH_DURATION (10), BENCH_CLIENTS (16), BENCH_THREADS (1), BENCH_PAGES
(comma-separated labels to run a subset), BENCH_SKIP_SEED=1 (N=1 only),
BENCH_PGOPTIONS (libpq options for the server's connections, e.g. "-c jit=off").
"""

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
OUT = ROOT / "var" / "bench"

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DB = os.environ.get("BENCH_DB", "qn_scale")
SEED_DB = os.environ.get("BENCH_SEED_DB", "qn_scale_seed")
SCALE = os.environ.get("BENCH_SCALE", "1")
PORT = int(os.environ.get("BENCH_PORT", "8110"))
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
ONLY = {p.strip() for p in os.environ.get("BENCH_PAGES", "").split(",") if p.strip()}
SKIP_SEED = os.environ.get("BENCH_SKIP_SEED") == "1"

FLOOR = "floor (/healthz)"
# Pages in Quảng Ninh's scope (the default) and nationwide (?province=all).
PAGES = [
    (FLOOR, "/healthz"),
    ("dashboard", "/"),
    ("dashboard, nationwide", "/?province=all"),
    ("district page", "/districts/uong-bi/"),
    ("mergers, filtered, nationwide", "/mergers/?province=all&model=to-chuc-noi-vu&status=completed&sort=-date"),
    ("headcount", "/headcount/"),
    ("headcount, nationwide", "/headcount/?province=all"),
    ("timeline", "/timeline/"),
    ("timeline, nationwide", "/timeline/?province=all"),
    ("search", "/search/?q=to+chuc+noi+vu"),
    ("lookup, old to new", "/lookup/?q=ha+khanh"),
    ("province page, 54 new units", "/districts/quang-ninh/"),
]
# A page whose single request takes longer than this is not load-tested: 16
# clients would only queue behind it and keep both workers busy for minutes.
SLOW_LIMIT = float(os.environ.get("BENCH_SLOW_LIMIT", "2"))
CSV_URL = "/bodies/?province=all&format=csv"
# The rows of the bodies export, as the export builds them (portal/exports.py "bodies").
COPY_SQL = """
SELECT b.id, b.slug, b.name_vi, b.name_en, b.abbreviation, u.gso_code, u.slug, u.name_vi, d.gso_code,
       b.sector, b.function, b.founded_on_edtf, b.founded_on, b.founded_on_latest, b.ended_on_edtf, b.ended_on, b.ended_on_latest,
       b.end_reason, b.end_reason <> '', s.slug,
       (SELECT string_agg(src.slug, ';' ORDER BY src.slug) FROM agencies_body_sources bs
          JOIN agencies_source src ON src.id = bs.source_id WHERE bs.body_id = b.id)
FROM agencies_body b
JOIN agencies_administrativeunit u ON u.id = b.unit_id
LEFT JOIN agencies_administrativeunit d ON d.id = u.district_id
LEFT JOIN agencies_body s ON s.id = b.successor_id
ORDER BY u.gso_code, b.name_vi
"""

TARGET_P95_MS = 150
TARGET_FLOOR_SHARE = 0.25
TARGET_P95_RATIO = 1.5
TARGET_CSV_SHARE = 0.5
TARGET_RSS_MB = 200


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def env_for(db):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{PG}/{db}",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(OUT / "static"),
        LOG_LEVEL="ERROR",
    )
    if os.environ.get("BENCH_PGOPTIONS"):
        env["PGOPTIONS"] = os.environ["BENCH_PGOPTIONS"]  # e.g. "-c jit=off"
    return env


def manage(db, *args):
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env_for(db), check=True)


def psql(db, *args, **kwargs):
    return subprocess.run(["psql", f"{PG}/{db}", "-X", "-q", *args], check=True, **kwargs)


def database_exists(db):
    out = subprocess.run(
        ["psql", f"{PG}/postgres", "-X", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{db}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.strip() == "1"


def ensure_database(db, scale):
    """Create, migrate and load the database unless it is already complete."""
    if database_exists(db):
        found = subprocess.run(
            [
                "psql",
                f"{PG}/{db}",
                "-X",
                "-tAc",
                "SELECT count(*) FROM agencies_source WHERE slug = 'vov-2019-hop-nhat' OR slug LIKE 'syn-%'",
            ],
            capture_output=True,
            text=True,
        )
        real = subprocess.run(
            [
                "psql",
                f"{PG}/{db}",
                "-X",
                "-tAc",
                "SELECT count(*) FROM agencies_administrativeunit WHERE slug LIKE 'vn-%'",
            ],
            capture_output=True,
            text=True,
        )
        has_register = real.returncode == 0 and real.stdout.strip() not in ("", "0")
        if (
            found.returncode == 0
            and found.stdout.strip()
            and int(found.stdout) >= (2 if scale else 1)
            and (has_register or not scale)
        ):
            log(f"{db}: already loaded; applying any new migrations")
            manage(db, "migrate", "--noinput", "--verbosity", "0")
            psql(db, "-c", "ANALYZE")
            return None
        log(f"{db}: incomplete, recreating")
        psql("postgres", "-c", f'DROP DATABASE "{db}"')
    psql("postgres", "-c", f'CREATE DATABASE "{db}"')
    manage(db, "migrate", "--noinput", "--verbosity", "0")
    manage(db, "load_seed")
    if not scale:
        return None
    log(f"{db}: load_vietnam_units (the real provinces, districts and communes)")
    started = time.monotonic()
    manage(db, "load_vietnam_units")
    log(f"{db}: register loaded in {time.monotonic() - started:.1f} s")
    log(f"{db}: generate_synthetic --scale {scale} --seed 1 (on the real units)")
    started = time.monotonic()
    manage(db, "generate_synthetic", "--scale", scale, "--seed", "1")
    seconds = time.monotonic() - started
    psql(db, "-c", "VACUUM ANALYZE")
    log(f"{db}: synthetic set loaded in {seconds:.1f} s")
    return seconds


def ensure_wrk():
    if shutil.which("wrk"):
        return
    log("installing wrk from Debian (apt-get install wrk)")
    if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"]).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)


class Server:
    def __init__(self, db):
        self.db = db
        self.proc = None

    def __enter__(self):
        OUT.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [
                GUNICORN,
                "qnmerge.wsgi",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{PORT}",
                "--timeout",
                "600",
                "--log-level",
                "warning",
                "--error-logfile",
                str(OUT / f"gunicorn-{self.db}.log"),
            ],
            cwd=ROOT,
            env=env_for(self.db),
            start_new_session=True,
        )
        for _ in range(100):
            try:
                if fetch("/healthz")[0] == 200 and len(self.workers()) == 2:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not start; see " + str(OUT / f"gunicorn-{self.db}.log"))

    def __exit__(self, *exc):
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)

    def workers(self):
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def fetch(path):
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=300) as response:
        return response.status, response.read()


def rss_kb(pid, field="VmHWM"):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def timed_fetch(path):
    started = time.monotonic()
    status, _body = fetch(path)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}")
    return (time.monotonic() - started) * 1000


def wrk(path):
    fetch("/healthz")  # warm-up: the worker's imports and database connection
    # The first request renders the page (nothing cached since the version
    # bump in run_pages): what the first visitor after a write waits.
    first = timed_fetch(path)
    single = timed_fetch(path)
    if single > SLOW_LIMIT * 1000:
        return {
            "skipped": True,
            "single_ms": single,
            "first_ms": first,
            "rps": 0.0,
            "requests": 0,
            "p50": single,
            "p95": single,
            "p99": single,
            "errors": 0,
        }
    for _ in range(4):  # warm the other worker too
        fetch(path)
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(THREADS),
            "-c",
            str(CLIENTS),
            "-d",
            f"{DURATION}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "bench" / "report.lua"),
            f"http://127.0.0.1:{PORT}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    seconds = result["duration_us"] / 1e6
    errors = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "single_ms": single,
        "first_ms": first,
        "rps": result["requests"] / seconds,
        "requests": result["requests"],
        "p50": result["p50_us"] / 1000,
        "p95": result["p95_us"] / 1000,
        "p99": result["p99_us"] / 1000,
        "errors": errors,
    }


def run_pages(db):
    """Each page on a freshly started server, so no page waits behind the last one's queue."""
    results = {}
    # Start from an empty cache for this database (core.cache): the file
    # cache under var/ outlives servers and recreated databases.
    manage(db, "shell", "-c", "from core.cache import bump_data_version; bump_data_version()")
    for label, path in PAGES:
        if ONLY and label not in ONLY and label != FLOOR:
            continue
        log(f"{db}: {label} {path}")
        with Server(db):
            results[label] = wrk(path) | {"path": path}
    return results


def csv_export(db):
    """Download the bodies CSV from a fresh server; rows/s and the worker's peak RSS."""
    with Server(db) as server:
        baseline = {pid: rss_kb(pid, "VmRSS") for pid in server.workers()}
        started = time.monotonic()
        rows = -1  # header
        size = 0
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{CSV_URL}", timeout=600) as response:
            while chunk := response.read(1 << 16):
                rows += chunk.count(b"\n")
                size += len(chunk)
        seconds = time.monotonic() - started
        peaks = {pid: rss_kb(pid) for pid in server.workers()}
    worker = max(peaks, key=lambda pid: peaks[pid] - baseline.get(pid, 0))
    started = time.monotonic()
    copy = subprocess.run(
        ["psql", f"{PG}/{db}", "-X", "-q", "-c", f"\\copy ({' '.join(COPY_SQL.split())}) TO STDOUT CSV"],
        capture_output=True,
        check=True,
    )
    copy_seconds = time.monotonic() - started
    copy_rows = copy.stdout.count(b"\n")
    return {
        "url": CSV_URL,
        "rows": rows,
        "bytes": size,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "worker_rss_before_mb": baseline.get(worker, 0) / 1024,
        "worker_peak_rss_mb": peaks[worker] / 1024,
        "copy_rows": copy_rows,
        "copy_seconds": copy_seconds,
        "copy_rows_per_s": copy_rows / copy_seconds,
        "ratio": (rows / seconds) / (copy_rows / copy_seconds),
    }


def loadavg():
    return Path("/proc/loadavg").read_text().split()[0]


def table(scale_results, seed_results, csv, load_seconds, loads=("?", "?")):
    floor = scale_results[FLOOR]["rps"]
    lines = [
        f"N={SCALE} database {DB}, seed database {SEED_DB}; {CLIENTS} connections, {DURATION} s per page, "
        f"gunicorn 2 sync workers, DEBUG=false; {time.strftime('%Y-%m-%d %H:%M')}, "
        f"load average {loads[0]} at the start, {loads[1]} at the end",
        "",
        "| page | first request ms | req/s | p50 ms | p95 ms | p99 ms | errors | % of floor | seed p95 ms | p95 N/seed | targets |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, r in scale_results.items():
        seed = seed_results.get(label)
        ratio = r["p95"] / seed["p95"] if seed and seed["p95"] else None
        share = r["rps"] / floor
        if r.get("skipped"):
            seed_text = f"{seed['p95']:.1f}" if seed else "-"
            lines.append(
                f"| {label} | {r['first_ms']:.0f} | - | {r['single_ms']:.0f} (one request) | - | - | - | - | {seed_text} | "
                f"{r['single_ms'] / max(seed['p95'], 0.001):.0f}x |"
                if seed
                else f"| {label} | {r['first_ms']:.0f} | - | {r['single_ms']:.0f} (one request) | - | - | - | - | - | - |"
            )
            lines[-1] += f" missed: one request takes {r['single_ms'] / 1000:.1f} s, not load-tested |"
            continue
        missed = []
        if r["p95"] >= TARGET_P95_MS:
            missed.append("p95")
        if r["errors"]:
            missed.append("errors")
        if label != FLOOR and share < TARGET_FLOOR_SHARE:
            missed.append("throughput")
        if ratio is not None and ratio > TARGET_P95_RATIO:
            missed.append("N/seed")
        lines.append(
            f"| {label} | {r['first_ms']:.0f} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['errors']} | "
            f"{share:.0%} | {seed['p95']:.1f} | {ratio:.2f} | {'missed: ' + ', '.join(missed) if missed else 'met'} |"
            if seed and ratio is not None
            else f"| {label} | {r['first_ms']:.0f} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['errors']} | "
            f"{share:.0%} | - | - | {'missed: ' + ', '.join(missed) if missed else 'met'} |"
        )
    if csv:
        met = csv["ratio"] >= TARGET_CSV_SHARE and csv["worker_peak_rss_mb"] < TARGET_RSS_MB
        lines += [
            "",
            "| CSV export | rows | seconds | rows/s | worker RSS before → peak MB | psql \\copy rows/s | HTTP / \\copy | targets |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
            f"| `{csv['url']}` | {csv['rows']:,} | {csv['seconds']:.1f} | {csv['rows_per_s']:,.0f} | "
            f"{csv['worker_rss_before_mb']:.0f} → {csv['worker_peak_rss_mb']:.0f} | {csv['copy_rows_per_s']:,.0f} | "
            f"{csv['ratio']:.2f} | {'met' if met else 'missed'} |",
        ]
    if load_seconds is not None:
        lines += ["", f"generate_synthetic --scale {SCALE} loaded in {load_seconds:.1f} s"]
    return "\n".join(lines)


def main():
    os.chdir(ROOT)
    OUT.mkdir(parents=True, exist_ok=True)
    load_at_start = loadavg()
    ensure_wrk()
    subprocess.run([PY, "manage.py", "compile_catalogues"], cwd=ROOT, check=True, capture_output=True)
    load_seconds = ensure_database(DB, SCALE)
    if not SKIP_SEED:
        ensure_database(SEED_DB, None)
    manage(DB, "collectstatic", "--noinput", "--verbosity", "0")
    scale_results = run_pages(DB)
    seed_results = {} if SKIP_SEED else run_pages(SEED_DB)
    (OUT / "results.json").write_text(json.dumps({"pages": scale_results, "seed_pages": seed_results}, indent=2))
    csv = None if ONLY and "csv" not in ONLY else csv_export(DB)
    report = table(scale_results, seed_results, csv, load_seconds, (load_at_start, loadavg()))
    print()
    print(report)
    (OUT / "results.md").write_text(report + "\n")
    (OUT / "results.json").write_text(
        json.dumps(
            {
                "scale": SCALE,
                "pages": scale_results,
                "seed_pages": seed_results,
                "csv": csv,
                "load_seconds": load_seconds,
                "clients": CLIENTS,
                "duration": DURATION,
            },
            indent=2,
        )
    )
    log(f"written {OUT / 'results.md'} and results.json")


if __name__ == "__main__":
    sys.exit(main())
