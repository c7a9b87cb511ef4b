#!/usr/bin/env python3
"""Turns the live runs of tools/record-runs.sh into the JSON files the deck and diagrams read.

    record_runs.py etl   ETL_STDOUT OUT.json          (needs DATABASE_URL; psql)
    record_runs.py cache DEMO_STDOUT BASE_URL OUT.json (needs REDIS_URL, DEMO_ADMIN_EMAIL/_PASSWORD)

etl: the run's etl_runs row and its reject reasons, read back from PostgreSQL (not from the
summary, so the file shows what the tables hold), plus the summary's own lines and phase times.
cache: the table `vitrina demo cache` printed, parsed into steps, plus the server's own
Server-Timing of a few misses and hits of the same key, which says where a request's time goes.
Standard library only.
"""

import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request

# Misses cost a query each (~0.1-0.3 s here); hits are cheap. Enough for a median, little CPU.
MISSES = 7
HITS = 31
KEY_PATH = "/catalog?cut=Fair"
KEY = "catalog:cut=Fair"


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def write(path, document):
    with open(path, "w", encoding="utf-8") as target:
        json.dump(document, target, indent=1, ensure_ascii=False)
        target.write("\n")


def psql_json(sql):
    """One JSON value computed by PostgreSQL itself."""
    text = subprocess.run(["psql", os.environ["DATABASE_URL"], "-XqtA", "-v", "ON_ERROR_STOP=1", "-c", sql],
                          check=True, capture_output=True, text=True).stdout
    return json.loads(text)


def record_etl(stdout_path, out_path):
    lines = [line.rstrip("\n") for line in open(stdout_path, encoding="utf-8") if line.strip()]
    # The summary starts at "run N succeeded" (log lines may come before it on stdout).
    start = next((i for i, line in enumerate(lines) if re.match(r"run \d+ succeeded: ", line)), None)
    if start is None:
        sys.exit(f"record_runs: {stdout_path} has no succeeded run's summary")
    lines = lines[start:]
    head = re.match(r"run (\d+) succeeded: .* in ([0-9.]+) s", lines[0])
    run_id = int(head.group(1))
    phases = re.match(r"time: ([0-9.]+) s extract, validate and COPY; ([0-9.]+) s indexes; "
                      r"([0-9.]+) s swap and commit", lines[1])
    run = psql_json(f"""
        SELECT json_build_object(
          'run', (SELECT row_to_json(r) FROM (
                    SELECT id, dataset, target_table, source, size_bytes, checksum, started_at, finished_at,
                           rows_read, rows_loaded, rows_rejected, status, error,
                           extract(epoch FROM finished_at - started_at)::float8 AS seconds
                    FROM etl_runs WHERE id = {run_id}) r),
          'reject_reasons', (SELECT coalesce(json_agg(x ORDER BY x.count DESC, x.reason), '[]') FROM (
                    SELECT reason, count(*) AS count FROM etl_rejects WHERE run_id = {run_id} GROUP BY reason) x),
          'reject_examples', (SELECT coalesce(json_agg(x ORDER BY x.line_number), '[]') FROM (
                    SELECT line_number, reason, raw_record FROM etl_rejects WHERE run_id = {run_id}
                    ORDER BY line_number LIMIT 5) x))""")
    if run["run"] is None or run["run"]["status"] != "succeeded":
        sys.exit(f"record_runs: etl_runs has no succeeded run {run_id}")
    document = {
        "recorded": now(),
        "command": "vitrina etl run --spec datasets/diamonds.yaml az://datasets/diamonds.csv",
        "source": "datasets/diamonds.csv.gz, uploaded to Blob Storage (Azurite) by vitrina etl upload",
        "summary": lines,
        "phases_s": {"extract_validate_copy": float(phases.group(1)), "indexes": float(phases.group(2)),
                     "swap_commit": float(phases.group(3))} if phases else None,
        "seconds": float(head.group(2)),
        **run,
    }
    write(out_path, document)


def parse_demo_table(text):
    """The rows of FormatDemoTable's table: step | request | status | X-Cache | time ms | rows | note."""
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("step"))
    names = ["step", "request", "status", "x_cache", "time_ms", "rows", "note"]
    steps = []
    for line in lines[header + 2:]:
        if "|" not in line:
            break
        cells = [cell.strip() for cell in line.split("|", len(names) - 1)]
        step = dict(zip(names, cells))
        for key, kind in (("status", int), ("time_ms", float), ("rows", int)):
            step[key] = kind(step[key]) if step[key] not in ("", "-") else None
        step["x_cache"] = step["x_cache"] if step["x_cache"] not in ("", "-") else None
        steps.append(step)
    verdict = next((line for line in lines if line.startswith("all expectations met")
                    or "expectation(s) failed" in line), None)
    return steps, verdict


def server_timing(header):
    """'auth;dur=0.01, cache;dur=0.30, db;dur=4.10, total;dur=4.50' -> {name: ms}."""
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"([a-z]+);dur=([0-9.]+)", header or "")}


def login(base_url, email, password):
    body = json.dumps({"email": email, "password": password}).encode()
    request = urllib.request.Request(base_url + "/login", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["access_token"]


def timed_get(base_url, token):
    request = urllib.request.Request(base_url + KEY_PATH, headers={"Authorization": "Bearer " + token})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        return {"x_cache": response.headers.get("X-Cache"), "client_ms": elapsed, "bytes": len(body),
                **{k + "_ms": v for k, v in server_timing(response.headers.get("Server-Timing")).items()}}


def summarize(samples, expected):
    kept = [s for s in samples if s["x_cache"] == expected]
    keys = sorted({k for s in kept for k in s if k.endswith("_ms")})
    return {"x_cache": expected, "requests": len(samples), "counted": len(kept),
            "bytes": kept[0]["bytes"] if kept else None,
            "median_ms": {k[:-3]: round(statistics.median(s[k] for s in kept if k in s), 3) for k in keys}}


def record_cache(stdout_path, base_url, out_path):
    text = open(stdout_path, encoding="utf-8").read()
    steps, verdict = parse_demo_table(text)
    if verdict != "all expectations met":
        sys.exit(f"record_runs: the demo did not pass ({verdict!r}); nothing recorded")
    token = login(base_url, os.environ["DEMO_ADMIN_EMAIL"], os.environ["DEMO_ADMIN_PASSWORD"])
    redis = ["redis-cli", "-u", os.environ["REDIS_URL"]]
    misses = []
    for _ in range(MISSES):
        subprocess.run(redis + ["DEL", KEY], check=True, capture_output=True)
        misses.append(timed_get(base_url, token))
    timed_get(base_url, token)  # the first hit after a miss may still be the stored copy's first use
    hits = [timed_get(base_url, token) for _ in range(HITS)]
    document = {
        "recorded": now(),
        "command": "vitrina demo cache --url " + base_url,
        "server": "vitrina serve, release build, default settings, the diamonds catalog loaded by the ETL",
        "steps": steps,
        "verdict": verdict,
        "table": text.rstrip("\n").split("\n"),
        "server_timing": {
            "path": KEY_PATH,
            "how": f"{MISSES} requests after DEL {KEY} (misses) and {HITS} repeated requests (hits), one at a "
                   "time; medians of the Server-Timing header (auth, cache, db, total: inside the server) and "
                   "of the time the client saw",
            "miss": summarize(misses, "MISS"),
            "hit": summarize(hits, "HIT"),
        },
    }
    write(out_path, document)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "etl":
        record_etl(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "cache":
        record_cache(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
