"""Latency of /lookup/ at N concurrent clients (no wrk needed).

    python bench/lookup_latency.py http://127.0.0.1:8120 [clients] [seconds]

Each client cycles through old and new names (with and without diacritics)
and codes; prints requests, errors and p50/p95/p99 in milliseconds. Run the
server with QNMERGE_PAGE_CACHE_SECONDS=0 to measure the queries, not the cache.
"""

import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request

QUERIES = [
    "ha khanh",
    "Phường Cao Xanh",
    "cao xanh",
    "06649",
    "06658",
    "tuan chau",
    "ha khau",
    "hoanh bo",
    "ba dinh",
    "Hoàn Kiếm",
    "ben thanh",
    "hai chau",
    "ninh kieu",
    "xa tan lap",
    "thuy nguyen",
    "22",
    "mong cai",
    "van don",
    "co to",
    "binh lieu",
    "dong trieu",
    "quang yen",
    "thanh xuan",
    "ngoc ha",
]


def run(base, clients=16, seconds=20):
    timings, errors, stop = [], [0], time.monotonic() + seconds
    lock = threading.Lock()

    def client(offset):
        i = offset
        while time.monotonic() < stop:
            url = f"{base}/lookup/?{urllib.parse.urlencode({'q': QUERIES[i % len(QUERIES)]})}"
            i += 1
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    response.read()
                    ok = response.status == 200
            except OSError:
                ok = False
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                (timings.append(elapsed) if ok else errors.__setitem__(0, errors[0] + 1))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    q = statistics.quantiles(timings, n=100)
    print(
        f"{clients} clients, {seconds} s: {len(timings)} requests ({len(timings) / seconds:.0f}/s), "
        f"{errors[0]} errors; p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, p99 {q[98]:.1f} ms"
    )


if __name__ == "__main__":
    run(sys.argv[1], *(int(a) for a in sys.argv[2:4]))
