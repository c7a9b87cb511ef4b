#!/usr/bin/env python3
"""The measuring part of `make bench` (bench/load/run.sh starts the servers, then calls this).

Runs every case BENCH_RUNS times, interleaved (run 1 of every case, then run 2, ...), so that the
ratios compare cases measured minutes apart at most, under the same machine load. While each case
runs it samples the CPU time of every process group involved (/proc/PID/stat: utime + stime of the
group's processes, plus cutime + cstime for its exited children) and of the whole machine
(/proc/stat), so the report can name the bottleneck. Writes OUT/results.json.

Standard library only; wrk, pgbench, curl and redis-cli do the requests.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "report"))
import telemetry_summary  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
LOAD_TOOL = "load tool (wrk / pgbench)"

# name, what it is, tool, server (see run.sh), paths file, send the token. The order is the order
# of measurement within a run: the cases a target compares are neighbours (the cached `?cut=Fair`
# with a token sits between public reads and nginx), so the machine's drift between them is small.
CASES = [
    ("mix_nocache", "API, cache off (CACHE_ENABLED=false)", "wrk", "nocache", "mix-api.txt", True),
    ("mix_cache", "API, cache on", "wrk", "cache", "mix-api.txt", True),
    ("mix_nginx", "nginx serving the same bodies as static files", "wrk", "nginx", "mix-nginx.txt", True),
    ("mix_pgbench", "pgbench running the same SQL (the database alone)", "pgbench", None, None, None),
    ("fair_nocache", "API, cache off", "wrk", "nocache", "fair-api.txt", True),
    ("fair_public", "API, cache on, AUTH_PUBLIC_READS=true, no token", "wrk", "public", "fair-api.txt", False),
    ("fair_cache", "API, cache on, token required", "wrk", "cache", "fair-api.txt", True),
    ("fair_nginx", "nginx serving the same body as a static file", "wrk", "nginx", "fair-nginx.txt", True),
    ("fair_cache_memory", "API, cache on, token required, local copies sent from memory, not with "
     "sendfile (CACHE_SENDFILE_MIN_BYTES=0)", "wrk", "memory", "fair-api.txt", True),
    ("fair_cache_redis", "API, cache on, token required, every hit reads the body from Redis "
     "(CACHE_LOCAL_MAX_BYTES=0)", "wrk", "redis", "fair-api.txt", True),
    ("mix_telemetry", "API, cache on, telemetry exported to the capture server", "wrk", "telemetry",
     "mix-api.txt", True),
    ("mix_telemetry_sampled", "API, cache on, telemetry sampled at the production setting "
     "(deploy/azure/deploy.sh) and exported to the capture server", "wrk", "telemetry_sampled",
     "mix-api.txt", True),
]
# The telemetry cases: their envelopes and the capture's counters are collected after each run.
TELEMETRY_CASES = {"mix_telemetry": "bench-telemetry", "mix_telemetry_sampled": "bench-telemetry-sampled"}


def log(message):
    print(f"bench: {message}", flush=True)


def load_average():
    with open("/proc/loadavg", encoding="ascii") as source:
        return [float(value) for value in source.read().split()[:3]]


# ----------------------------------------------------------------------------- CPU accounting

def read_processes():
    """{pid: (ppid, own cpu ticks, reaped children's cpu ticks)} for every process."""
    processes = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as source:
                text = source.read()
        except OSError:
            continue
        fields = text[text.rfind(")") + 2:].split()
        processes[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]),
                                 int(fields[13]) + int(fields[14]))
    return processes


def machine_busy_ticks():
    with open("/proc/stat", encoding="ascii") as source:
        values = [int(v) for v in source.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values[:8]) - idle


def group_ticks(processes, roots):
    """CPU ticks of the process trees under roots: live processes, plus what their parents reaped."""
    children = {}
    for pid, (ppid, _, _) in processes.items():
        children.setdefault(ppid, []).append(pid)
    total, stack, seen = 0, [r for r in roots if r in processes], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        _, own, reaped = processes[pid]
        total += own + reaped
        stack.extend(children.get(pid, []))
    return total


class CpuSampler:
    """CPU used by named process groups between start() and stop(), in cores (1.0 = one core busy)."""

    def __init__(self, groups):
        self.groups = groups  # name -> [root pids]

    def start(self):
        processes = read_processes()
        self.before = {name: group_ticks(processes, roots) for name, roots in self.groups.items()}
        self.machine_before = machine_busy_ticks()
        self.t0 = time.monotonic()

    def stop(self, tool_seconds):
        elapsed = time.monotonic() - self.t0
        processes = read_processes()
        cores = {}
        for name, roots in self.groups.items():
            cores[name] = (group_ticks(processes, roots) - self.before[name]) / CLOCK_TICKS / elapsed
        cores[LOAD_TOOL] = tool_seconds / elapsed
        machine = (machine_busy_ticks() - self.machine_before) / CLOCK_TICKS / elapsed
        cores["everything else on the machine"] = max(0.0, machine - sum(cores.values()))
        return {name: round(value, 3) for name, value in cores.items()}, round(machine, 3)


def run_measured(command, sampler, env=None):
    """Runs command; returns (stdout, cpu per group, machine cores, wall seconds)."""
    sampler.start()
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                               text=True)
    stdout, stderr = process.communicate()
    wall = time.monotonic() - started
    # The load tool's own CPU: the kernel's accounting of reaped children (communicate() reaped it).
    tool_seconds = child_cpu_seconds()
    cpu, machine = sampler.stop(tool_seconds)
    if process.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({process.returncode}): {stderr.strip()[-500:]}")
    return stdout, cpu, machine, wall


_children_seen = 0.0


def child_cpu_seconds():
    """CPU seconds of children reaped since the previous call (wrk or pgbench, one at a time)."""
    global _children_seen
    times = os.times()
    total = times.children_user + times.children_system
    delta, _children_seen = total - _children_seen, total
    return delta


# ----------------------------------------------------------------------------- the cases

def wrk_case(args, port, paths_file, token, sampler, count_cache=False):
    env = dict(os.environ, BENCH_PATHS=paths_file, BENCH_TOKEN=token or "",
               BENCH_COUNT_CACHE="1" if count_cache else "0")
    command = ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{args.duration}s",
               "--timeout", "10s", "-s", "bench/load/mix.lua", f"http://127.0.0.1:{port}"]
    stdout, cpu, machine, wall = run_measured(command, sampler, env)
    summary = json.loads(stdout.strip().splitlines()[-1])
    seconds = summary["duration_us"] / 1e6
    lat = summary["latency_us"]
    return {
        "requests": summary["requests"],
        "rps": summary["requests"] / seconds,
        "mb_per_s": summary["bytes"] / seconds / 1e6,
        "mean_ms": lat["mean"] / 1000, "p50_ms": lat["p50"] / 1000, "p95_ms": lat["p95"] / 1000,
        "p99_ms": lat["p99"] / 1000, "max_ms": lat["max"] / 1000,
        "errors": sum(summary["errors"].values()), "error_detail": summary["errors"],
        "x_cache": summary.get("x_cache", {}),
        "cpu_cores": cpu, "machine_cores": machine, "wall_s": wall,
    }


def pgbench_case(args, scripts, sampler, run_dir):
    os.makedirs(run_dir, exist_ok=True)
    command = ["pgbench", "-n", "-M", "prepared", f"-c{args.db_pool}", f"-j{min(args.db_pool, 2)}",
               f"-T{args.duration}", "-l", f"--log-prefix={run_dir}/tx"]
    for path, weight in scripts:
        command += ["-f", f"{path}@{weight}"]
    command.append(args.database_url)
    stdout, cpu, machine, wall = run_measured(command, sampler)
    latencies = []
    for name in os.listdir(run_dir):
        with open(os.path.join(run_dir, name), encoding="ascii") as source:
            latencies += [int(line.split()[2]) / 1000 for line in source if line.strip()]
    failed = int(re.search(r"number of failed transactions: (\d+)", stdout).group(1)) \
        if "failed transactions" in stdout else 0
    latencies.sort()
    tps = float(re.search(r"^tps = ([\d.]+)", stdout, re.M).group(1))

    def pct(fraction):
        return latencies[min(len(latencies) - 1, int(fraction * len(latencies)))] if latencies else 0

    return {
        "requests": len(latencies), "rps": tps, "mb_per_s": None,
        "mean_ms": statistics.fmean(latencies) if latencies else 0,
        "p50_ms": pct(0.5), "p95_ms": pct(0.95), "p99_ms": pct(0.99), "max_ms": latencies[-1] if latencies else 0,
        "errors": failed, "error_detail": {"failed_transactions": failed},
        "cpu_cores": cpu, "machine_cores": machine, "wall_s": wall,
    }


# ----------------------------------------------------------------------------- pgbench scripts

def catalog_list_sql(statements_file):
    text = open(statements_file, encoding="utf-8").read()
    match = re.search(r"^-- catalog_list\n(.*?);$", text, re.M | re.S)
    return match.group(1)


def parameter_names(sql):
    """$N -> the query parameter it binds, read from the statement itself (no spec knowledge)."""
    names = {}
    for pattern, suffix in ((r'"(\w+)" >= \$(\d+)', "_min"), (r'"(\w+)" <= \$(\d+)', "_max"),
                            (r'"(\w+)" = ANY\(\$(\d+)', "")):
        for column, number in re.findall(pattern, sql):
            names[int(number)] = column + suffix
    names[int(re.search(r"id > \$(\d+)", sql).group(1))] = "cursor"
    names[int(re.search(r"LIMIT \$(\d+)", sql).group(1))] = "limit"
    names[int(re.search(r"CASE WHEN \$(\d+)::boolean", sql).group(1))] = "total"
    return names


def sql_for_path(sql, names, path):
    """The statement with the path's parameters written in as literals, absent ones as NULL."""
    query = {}
    for name, value in urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query):
        query.setdefault(name, []).append(value)
    unknown = set(query) - (set(names.values()) - {"total"})
    if unknown:
        raise ValueError(f"{path}: parameters the statement does not bind: {unknown}")

    def literal(match):
        number, sql_type = int(match.group(1)), match.group(2)
        name = names[number]
        values = query.get(name)
        if name == "limit" and not values:
            values = [str(2**63 - 2)]  # what the server binds without a limit
        if name == "total":  # a paginated answer carries its total (CatalogQuery::HasTotal)
            return "true" if "limit" in query else "false"
        if not values:
            return f"NULL::{sql_type}"
        if sql_type == "text[]":
            quoted = ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
            return "'{" + quoted.replace("'", "''") + "}'::text[]"
        return f"'{values[0]}'::{sql_type}"

    return re.sub(r"\$(\d+)::(text\[\]|double precision|bigint|text|boolean)", literal, sql)


def write_pgbench_scripts(args, mix):
    sql = catalog_list_sql(os.path.join(args.out, "statements.sql"))
    names = parameter_names(sql)
    scripts = []
    for index, entry in enumerate(mix):
        path = os.path.join(args.out, f"pgbench-{index}.sql")
        statement = sql_for_path(sql, names, entry["path"])
        with open(path, "w", encoding="utf-8") as target:
            target.write(statement + ";\n")
        # The same SQL must find the rows the API returned.
        count = subprocess.run(["psql", args.database_url, "-XAtc", f"SELECT item_count FROM ({statement}) s"],
                               check=True, capture_output=True, text=True).stdout.strip()
        if int(count) != entry["rows"]:
            raise RuntimeError(f"{entry['path']}: SQL finds {count} rows, the API returned {entry['rows']}")
        scripts.append((path, entry["weight"]))
    return scripts


# ----------------------------------------------------------------------------- sequential latency

def curl_times(url, token, count, before_each=None):
    """Sequential GETs on one connection (or one each with before_each): (seconds, X-Cache) pairs."""
    base = ["curl", "-s", "-H", f"Authorization: Bearer {token}",
            "-w", "%{time_total} %{http_code} %header{x-cache}\\n"]
    if before_each is None:
        command = list(base)
        for _ in range(count):
            command += [url, "-o", "/dev/null"]
        lines = subprocess.run(command, check=True, capture_output=True, text=True).stdout.splitlines()
    else:
        lines = []
        for _ in range(count):
            before_each()
            lines += subprocess.run(base + [url, "-o", "/dev/null"], check=True, capture_output=True,
                                    text=True).stdout.splitlines()
    results = []
    for line in lines:
        seconds, status, *cache = line.split()
        if status != "200":
            raise RuntimeError(f"{url}: HTTP {status}")
        results.append((float(seconds) * 1000, cache[0] if cache else ""))
    return results


def sequential_full_catalog(args, token, ports):
    """The full catalog, one request at a time: hit (from the local copy Redis confirmed, and from
    Redis itself on the server without local copies), then miss (the key deleted before each request)."""
    path = "/catalog"
    key = "catalog:all"
    hit_url = f"http://127.0.0.1:{ports['cache']}{path}"
    redis_url = f"http://127.0.0.1:{ports['redis']}{path}"

    def delete_key():
        subprocess.run(["redis-cli", "-p", str(args.port_base + 1), "DEL", key], check=True,
                       capture_output=True)
        # A DEL is no invalidation: a copy the hits confirmed may still be sent for its lease
        # (CACHE_LOCAL_LEASE_MS, 50 ms by default; docs/cache.md, "Leases").
        time.sleep(0.06)

    curl_times(hit_url, token, 1)  # make sure it is cached
    figures = {}
    for label, url, before, expected in (("hit", hit_url, None, "HIT"),
                                         ("hit_redis", redis_url, None, "HIT"),
                                         ("miss", hit_url, delete_key, "MISS")):
        samples = curl_times(url, token, args.sequential, before)
        matching = [ms for ms, outcome in samples if outcome == expected]
        # Only answers of the kind being measured count; others (e.g. BYPASS) are reported.
        figures[label] = statistics.median(matching) if matching else None
        figures[label + "_unexpected"] = [outcome for _, outcome in samples if outcome != expected]
    curl_times(hit_url, token, 1)  # leave it cached for the next run
    return figures


# ----------------------------------------------------------------------------- telemetry

def capture(args, method, path="/envelopes"):
    request = urllib.request.Request(f"{args.capture_url}{path}", method=method)
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read().decode()


def route_histogram(port, token):
    """(count, sum in ms) of GET /catalog in the server's request-duration histogram (/metrics):
    the server's own figures, against which the sampled telemetry's reconstruction is checked."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read().decode()
    count = total = 0.0
    pattern = r'vitrina_http_request_duration_seconds_(count|sum)\{route="GET /catalog",status="\d+"\} (\S+)'
    for kind, value in re.findall(pattern, text):
        if kind == "count":
            count += float(value)
        else:
            total += float(value) * 1000
    return count, total


def collect_envelopes(args, path, instance):
    """Waits until the exporter has flushed (the instance's item count stops growing), stores its
    envelopes, and returns their summary and what the capture counted for the instance (POSTs,
    bytes on the wire, decoded JSON bytes, items)."""
    previous, stable_since = -1, time.monotonic()
    deadline = time.monotonic() + 30
    counts, window = {}, {}
    while time.monotonic() < deadline:
        stats = json.loads(capture(args, "GET", "/stats"))
        counts = stats["by_role_instance"].get(instance, {"items": 0})
        window = stats["window"]
        if counts["items"] != previous:
            previous, stable_since = counts["items"], time.monotonic()
        elif time.monotonic() - stable_since >= 3:
            break
        time.sleep(0.5)
    text = capture(args, "GET", f"/envelopes?role_instance={instance}")
    with open(path, "w", encoding="utf-8") as target:
        target.write(text)
    if window.get("rotated_out_items"):
        log(f"WARNING: the capture window rotated {window['rotated_out_items']} envelopes out; "
            "the telemetry figures of this run are incomplete (raise APPINSIGHTS_CAPTURE_MAX_BYTES)")
    return telemetry_summary.summarise(telemetry_summary.read_envelopes(path)), counts, window


# ----------------------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--port-base", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-pidfile", required=True)
    parser.add_argument("--postgres-pidfile", required=True)
    parser.add_argument("--capture-pidfile", required=True)
    parser.add_argument("--capture-url", required=True)
    parser.add_argument("--nginx-pid", type=int, required=True)
    parser.add_argument("--db-pool", type=int, required=True)
    parser.add_argument("--server-threads", type=int, required=True)
    parser.add_argument("--redis-timeout-ms", type=int, required=True)
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 10)))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 3)))
    parser.add_argument("--connections", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", 32)))
    parser.add_argument("--wrk-threads", type=int, default=int(os.environ.get("BENCH_WRK_THREADS", 2)))
    parser.add_argument("--sequential", type=int, default=int(os.environ.get("BENCH_SEQUENTIAL", 20)))
    args = parser.parse_args()
    token = os.environ["BENCH_TOKEN"]

    servers = {}
    with open(os.path.join(args.out, "servers.txt"), encoding="ascii") as source:
        for line in source:
            name, pid, port = line.split()
            servers[name] = (int(pid), int(port))
    ports = {name: port for name, (_, port) in servers.items()}
    ports["nginx"] = args.port_base + 14

    def first_line(path):
        return int(open(path, encoding="ascii").readline())

    groups = {
        "vitrina": [pid for pid, _ in servers.values()],
        "postgres": [first_line(args.postgres_pidfile)],
        "redis": [first_line(args.redis_pidfile)],
        "nginx": [args.nginx_pid],
        "telemetry capture": [first_line(args.capture_pidfile)],
    }
    sampler = CpuSampler(groups)

    mix = []
    with open(os.path.join(args.out, "mix-api.txt"), encoding="ascii") as source:
        for index, line in enumerate(source):
            weight, path = line.split()
            body = json.load(open(os.path.join(args.out, "static", f"{index}.json"), encoding="utf-8"))
            size = os.path.getsize(os.path.join(args.out, "static", f"{index}.json"))
            mix.append({"weight": int(weight), "path": path, "rows": body["count"], "bytes": size})
    scripts = write_pgbench_scripts(args, mix)
    fair_bytes = os.path.getsize(os.path.join(args.out, "static", "fair.json"))
    fair_rows = json.load(open(os.path.join(args.out, "static", "fair.json"), encoding="utf-8"))["count"]

    log("warming up (every server once, 2 s each; fills the cache)")
    child_cpu_seconds()
    warm = argparse.Namespace(**{**vars(args), "duration": 2})
    for name in ("nocache", "cache", "public", "telemetry", "telemetry_sampled", "redis", "memory", "nginx"):
        paths = "mix-nginx.txt" if name == "nginx" else "mix-api.txt"
        wrk_case(warm, ports[name], os.path.join(args.out, paths), token, sampler)
    wrk_case(warm, ports["public"], os.path.join(args.out, "fair-api.txt"), None, sampler)

    results = {
        "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "machine": {"cores": os.cpu_count(), "load_average_before": load_average(),
                    "kernel": os.uname().release},
        "settings": {"duration_s": args.duration, "runs": args.runs, "connections": args.connections,
                     "telemetry_sampling_percentage": float(os.environ["BENCH_SAMPLING_PERCENTAGE"])
                     if os.environ.get("BENCH_SAMPLING_PERCENTAGE") else None,
                     "wrk_threads": args.wrk_threads, "server_threads": args.server_threads,
                     "db_pool": args.db_pool, "sequential_requests": args.sequential,
                     "redis_timeout_ms": args.redis_timeout_ms},
        "mix": mix, "fair": {"path": "/catalog?cut=Fair", "rows": fair_rows, "bytes": fair_bytes},
        "cases": {name: {"label": label, "runs": []} for name, label, *_ in CASES},
        "full_catalog": [], "telemetry": [],
    }
    for run in range(1, args.runs + 1):
        for name, label, tool, server, paths, send_token in CASES:
            if name in TELEMETRY_CASES:
                histogram_before = route_histogram(ports[server], token)
                capture(args, "DELETE")
            load = load_average()
            if tool == "wrk":
                figures = wrk_case(args, ports[server], os.path.join(args.out, paths),
                                   token if send_token else None, sampler)
            else:
                figures = pgbench_case(args, scripts, sampler, os.path.join(args.out, f"pgbench-run{run}"))
            figures["load_average"] = load
            # Not on the telemetry server: its envelopes must hold the timed run's requests only.
            if tool == "wrk" and server in ("cache", "public", "redis", "memory"):
                # How the server answered: a short second pass that counts X-Cache (counting slows wrk,
                # so the timed pass above does not count).
                check = argparse.Namespace(**{**vars(args), "duration": 3})
                figures["x_cache"] = wrk_case(check, ports[server], os.path.join(args.out, paths),
                                              token if send_token else None, sampler, count_cache=True)["x_cache"]
            results["cases"][name]["runs"].append(figures)
            log(f"run {run}/{args.runs} {name:<14} {figures['rps']:9.0f} req/s  p50 {figures['p50_ms']:7.2f} ms"
                f"  p99 {figures['p99_ms']:7.2f} ms  errors {figures['errors']}  load {load[0]:.2f}"
                f"  X-Cache {figures.get('x_cache', '')}")
            if name in TELEMETRY_CASES:
                summary, counts, window = collect_envelopes(
                    args, os.path.join(args.out, f"envelopes-{name}-run{run}.jsonl"), TELEMETRY_CASES[name])
                count, total_ms = route_histogram(ports[server], token)
                results["telemetry"].append({
                    "case": name, "run": run,
                    "wrk": {k: figures[k] for k in ("requests", "rps", "mean_ms", "errors")},
                    "server": {"requests": count - histogram_before[0], "sum_ms": total_ms - histogram_before[1]},
                    "capture": {k: counts.get(k, 0) for k in ("posts", "gzip_posts", "wire_bytes", "json_bytes",
                                                              "items")},
                    "window_rotated_out": window.get("rotated_out_items", 0),
                    "summary": summary})
                log(f"run {run}/{args.runs} {name}: {summary['requests']:.0f} requests reconstructed from "
                    f"{summary['request_items']} envelopes, wrk counted {figures['requests']}, "
                    f"{counts.get('wire_bytes', 0) / max(1, figures['requests']) * 1000:.0f} bytes per 1,000 "
                    f"requests on the wire")
        seq = sequential_full_catalog(args, token, ports)
        seq["load_average"] = load_average()
        results["full_catalog"].append(seq)
        log(f"run {run}/{args.runs} full catalog, sequential medians (ms): {seq}")
    results["machine"]["load_average_after"] = load_average()
    results["finished"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    with open(os.path.join(args.out, "results.json"), "w", encoding="utf-8") as target:
        json.dump(results, target, indent=1)


if __name__ == "__main__":
    main()
