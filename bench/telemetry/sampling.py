#!/usr/bin/env python3
"""What telemetry costs at production volume, and whether sampled telemetry still counts right.

    bench/telemetry/sampling.py VITRINA_BINARY STATE_DIR PORT_BASE [--out results.json]

Starts its own PostgreSQL, Redis and Application Insights capture (tools/services.sh, ports
PORT_BASE..+9), loads the diamonds, and serves the same binary four times (public reads, cache
on, ports PORT_BASE+10..+13):

    off        no APPLICATIONINSIGHTS_CONNECTION_STRING
    plain_100  every operation, uncompressed batches: what the exporter sent before sampling
               and gzip (TELEMETRY_SAMPLING_PERCENTAGE=100, TELEMETRY_GZIP_LEVEL=0)
    gzip_100   every operation, gzip batches (the local default)
    sampled    --percentage (10, deploy/azure/deploy.sh's value), gzip batches

Then, --runs times, each server in turn gets the same wrk load (bench/load/mix.lua over
bench/load/mix.txt, all cached after the warm-up) for --duration seconds. Per run and server it
records wrk's count, rate and mean latency, the server's own count and mean duration of
GET /catalog (the request-duration histogram of /metrics, before and after), CPU per process
group, and what reached the capture for that server's role instance: POSTs, bytes on the wire,
decoded JSON bytes, items, and the envelopes themselves, from which bench/report/
telemetry_summary.py reconstructs the request count and average duration (100/sampleRate
weights) as the portal would.

Writes the figures as JSON (--out) and prints a summary. Standard library only; wrk does the
requests. Runs for about (runs x 4 x (duration + ~5 s)) plus set-up: ~2 minutes by default.
"""

import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timezone

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench", "load"))
sys.path.insert(0, os.path.join(ROOT, "bench", "report"))
import loadtest  # noqa: E402  (CpuSampler, wrk_case, child_cpu_seconds)
import telemetry_summary  # noqa: E402

SERVERS = ["off", "plain_100", "gzip_100", "sampled"]
ROUTE = "GET /catalog"


def log(message):
    print(f"sampling-bench: {message}", flush=True)


def read_env(path):
    env = {}
    with open(path, encoding="utf-8") as source:
        for line in source:
            if "=" in line:
                key, value = line.rstrip("\n").split("=", 1)
                env[key] = shlex.split(value)[0] if value else ""
    return env


def get(url, method="GET"):
    request = urllib.request.Request(url, method=method)
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


def server_figures(port):
    """(count, sum in ms) of GET /catalog in the server's request-duration histogram, and its
    telemetry item counters by outcome (sent, dropped_*, sampled_out)."""
    text = get(f"http://127.0.0.1:{port}/metrics").decode()
    outcomes = {name: float(value) for name, value in
                re.findall(r'vitrina_telemetry_items_total\{outcome="(\w+)"\} (\S+)', text)}
    count = total = 0.0
    pattern = r'vitrina_http_request_duration_seconds_(count|sum)\{route="GET /catalog",status="\d+"\} (\S+)'
    for kind, value in re.findall(pattern, text):
        if kind == "count":
            count += float(value)
        else:
            total += float(value) * 1000
    return count, total, outcomes


def instance_counts(capture, instance):
    stats = json.loads(get(f"{capture}/stats"))
    counts = stats["by_role_instance"].get(instance)
    return counts or {"posts": 0, "gzip_posts": 0, "wire_bytes": 0, "json_bytes": 0, "items": 0,
                      "items_by_type": {}}, stats["window"]


def wait_for_flush(capture, instance, quiet_seconds=2.5, limit=30):
    """Until the instance's item count has not moved for quiet_seconds (the exporter flushes a
    partial batch within TELEMETRY_FLUSH_INTERVAL_MS, 1.5 s)."""
    previous, since = -1, time.monotonic()
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        counts, window = instance_counts(capture, instance)
        if counts["items"] != previous:
            previous, since = counts["items"], time.monotonic()
        elif time.monotonic() - since >= quiet_seconds:
            break
        time.sleep(0.25)
    return counts, window


def start_services(state, base):
    env = dict(os.environ, APPINSIGHTS_CAPTURE_MAX_BYTES=str(2 * 1024 ** 3))
    subprocess.run([os.path.join(ROOT, "tools", "services.sh"), "start", state, str(base),
                    "postgres", "redis", "appinsights"], check=True, env=env, stdout=subprocess.DEVNULL)
    return read_env(os.path.join(state, "env"))


def load_dataset(binary, env, state):
    env = {k: v for k, v in env.items() if k != "APPLICATIONINSIGHTS_CONNECTION_STRING"}
    with open(os.path.join(state, "etl.log"), "w", encoding="utf-8") as out:
        subprocess.run([binary, "migrate"], check=True, env=env, stdout=out, stderr=out)
        subprocess.run([binary, "etl", "run", "--spec", "datasets/diamonds.yaml", "--if-changed",
                        "datasets/diamonds.csv.gz"], check=True, env=env, stdout=out, stderr=out)
    subprocess.run(["psql", env["DATABASE_URL"], "-XqAc", "VACUUM ANALYZE"], check=True, env=env)


def serve(binary, name, port, env, state, extra):
    server_env = dict(env, PORT=str(port), HOST="127.0.0.1", THREADS=str(os.cpu_count()),
                      DB_POOL_SIZE="8", CACHE_TTL_SECONDS="3600", CACHE_CLIENT_MISSES_PER_MINUTE="0",
                      AUTH_PUBLIC_READS="true", TELEMETRY_CLOUD_ROLE_INSTANCE=f"bench-{name}")
    server_env.pop("APPLICATIONINSIGHTS_CONNECTION_STRING", None)
    server_env.update(extra)
    log_file = open(os.path.join(state, f"serve-{name}.log"), "w", encoding="utf-8")
    process = subprocess.Popen([binary, "serve"], env=server_env, stdout=log_file, stderr=log_file)
    for _ in range(300):
        try:
            get(f"http://127.0.0.1:{port}/readyz")
            return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not start on port {port} (see {state}/serve-{name}.log)")


def pooled(entries, numerator, denominator):
    total = sum(e[denominator] for e in entries)
    return sum(e[numerator] for e in entries) / total if total else None


def summarise_case(runs, off_runs):
    wrk_requests = sum(r["wrk"]["requests"] for r in runs)
    wire = sum(r["capture"]["wire_bytes"] for r in runs)
    decoded = sum(r["capture"]["json_bytes"] for r in runs)
    items = sum(r["capture"]["items"] for r in runs)
    out = {
        "rps_median": statistics.median(r["wrk"]["rps"] for r in runs),
        "rps_vs_off_per_run": [round(r["wrk"]["rps"] / o["wrk"]["rps"], 4) for r, o in zip(runs, off_runs)],
        "server_cpu_us_per_request": statistics.median(
            r["cpu_cores"]["vitrina"] / r["wrk"]["rps"] * 1e6 for r in runs),
        "capture_cpu_cores": statistics.median(r["cpu_cores"]["telemetry capture"] for r in runs),
        "wire_bytes_per_1000_requests": wire / wrk_requests * 1000,
        "json_bytes_per_1000_requests": decoded / wrk_requests * 1000,
        "items_per_1000_requests": items / wrk_requests * 1000,
        "posts": sum(r["capture"]["posts"] for r in runs),
        "gzip_posts": sum(r["capture"]["gzip_posts"] for r in runs),
        "exporter_items": {k: sum(r["server"]["telemetry_items"].get(k, 0) for r in runs)
                           for k in runs[0]["server"]["telemetry_items"]},
    }
    out["rps_vs_off_median"] = statistics.median(out["rps_vs_off_per_run"])
    if runs[0].get("reconstructed"):
        rec = [r["reconstructed"] for r in runs]
        out["reconstructed_requests"] = sum(x["requests"] for x in rec)
        out["wrk_requests"] = wrk_requests
        out["server_requests"] = sum(r["server"]["requests"] for r in runs)
        out["request_envelopes"] = sum(x["request_items"] for x in rec)
        out["count_error_vs_wrk_per_run_pct"] = [
            round((x["requests"] / r["wrk"]["requests"] - 1) * 100, 3) for x, r in zip(rec, runs)]
        out["count_error_vs_wrk_pct"] = (out["reconstructed_requests"] / wrk_requests - 1) * 100
        out["count_error_vs_server_pct"] = (out["reconstructed_requests"] / out["server_requests"] - 1) * 100
        weighted = sum(x["requests"] * x["average_ms"] for x in rec)
        out["reconstructed_average_ms"] = weighted / out["reconstructed_requests"]
        out["server_average_ms"] = sum(r["server"]["sum_ms"] for r in runs) / out["server_requests"]
        out["average_error_vs_server_pct"] = (out["reconstructed_average_ms"] / out["server_average_ms"] - 1) * 100
        out["wrk_mean_latency_ms"] = statistics.median(r["wrk"]["mean_ms"] for r in runs)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("state")
    parser.add_argument("port_base", type=int)
    parser.add_argument("--percentage", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=6)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--out")
    args = parser.parse_args()
    os.chdir(ROOT)
    binary = os.path.abspath(args.binary)
    os.makedirs(args.state, exist_ok=True)
    state = os.path.abspath(args.state)
    base = args.port_base

    processes = {}
    try:
        log(f"services in {state} (ports {base}..{base + 9})")
        env = start_services(state, base)
        capture = env["APPINSIGHTS_CAPTURE_URL"]
        connection = f"InstrumentationKey=bench;IngestionEndpoint={capture}"
        load_dataset(binary, env, state)
        telemetry = {
            "off": {},
            "plain_100": {"APPLICATIONINSIGHTS_CONNECTION_STRING": connection,
                          "TELEMETRY_SAMPLING_PERCENTAGE": "100", "TELEMETRY_GZIP_LEVEL": "0"},
            "gzip_100": {"APPLICATIONINSIGHTS_CONNECTION_STRING": connection,
                         "TELEMETRY_SAMPLING_PERCENTAGE": "100"},
            "sampled": {"APPLICATIONINSIGHTS_CONNECTION_STRING": connection,
                        "TELEMETRY_SAMPLING_PERCENTAGE": f"{args.percentage:g}"},
        }
        ports = {name: base + 10 + index for index, name in enumerate(SERVERS)}
        for name in SERVERS:
            processes[name] = serve(binary, name, ports[name], env, state, telemetry[name])

        paths = os.path.join(state, "mix-api.txt")
        with open(os.path.join(ROOT, "bench", "load", "mix.txt"), encoding="utf-8") as source, \
                open(paths, "w", encoding="utf-8") as target:
            target.writelines(line for line in source if line.strip() and not line.lstrip().startswith("#"))
        groups = {"vitrina": [], "postgres": [int(open(os.path.join(state, "pg", "data", "postmaster.pid")).readline())],
                  "redis": [int(open(os.path.join(state, "redis", "redis.pid")).readline())],
                  "telemetry capture": [int(open(os.path.join(state, "pids", "appinsights.pid")).readline())]}
        wrk_args = argparse.Namespace(wrk_threads=args.wrk_threads, connections=args.connections,
                                      duration=args.duration)
        warm = argparse.Namespace(wrk_threads=args.wrk_threads, connections=args.connections, duration=2)

        log("warming up: every path on every server, then 2 s of wrk each")
        loadtest.child_cpu_seconds()
        for name in SERVERS:
            groups["vitrina"] = [processes[name].pid]
            loadtest.wrk_case(warm, ports[name], paths, None, loadtest.CpuSampler(groups))
        time.sleep(3)

        results = {"started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
                   "machine": {"cores": os.cpu_count(), "load_average_before": loadtest.load_average()},
                   "settings": {"runs": args.runs, "duration_s": args.duration, "connections": args.connections,
                                "wrk_threads": args.wrk_threads, "sampled_percentage": args.percentage,
                                "paths": "bench/load/mix.txt (public reads, all cache hits after warm-up)",
                                "servers": {name: {k: v for k, v in telemetry[name].items()
                                                   if k != "APPLICATIONINSIGHTS_CONNECTION_STRING"}
                                            for name in SERVERS}},
                   "runs": {name: [] for name in SERVERS}}
        for run in range(1, args.runs + 1):
            # In turns, and the order rotates, so that drift and position affect every server alike.
            order = SERVERS[run - 1:] + SERVERS[:run - 1]
            for name in order:
                instance = f"bench-{name}"
                groups["vitrina"] = [processes[name].pid]
                before_count, before_sum, before_items = server_figures(ports[name])
                get(f"{capture}/envelopes", "DELETE")
                load = loadtest.load_average()
                figures = loadtest.wrk_case(wrk_args, ports[name], paths, None, loadtest.CpuSampler(groups))
                counts, window = wait_for_flush(capture, instance)
                envelopes = [json.loads(line) for line in
                             get(f"{capture}/envelopes?role_instance={instance}").decode().splitlines() if line]
                after_count, after_sum, after_items = server_figures(ports[name])
                entry = {
                    "load_average": load,
                    "wrk": {k: figures[k] for k in ("requests", "rps", "mean_ms", "p50_ms", "p99_ms", "errors")},
                    "cpu_cores": figures["cpu_cores"], "machine_cores": figures["machine_cores"],
                    "server": {"requests": after_count - before_count, "sum_ms": after_sum - before_sum,
                               "telemetry_items": {k: after_items[k] - before_items.get(k, 0)
                                                   for k in after_items}},
                    "capture": {k: counts[k] for k in ("posts", "gzip_posts", "wire_bytes", "json_bytes", "items",
                                                       "items_by_type")},
                    "window_rotated_out": window["rotated_out_items"],
                }
                if name != "off":
                    if window["rotated_out_items"]:
                        raise RuntimeError("the capture window rotated envelopes out: raise APPINSIGHTS_CAPTURE_MAX_BYTES")
                    summary = telemetry_summary.summarise(envelopes)
                    operation = summary["operations"].get(ROUTE, {"count": 0, "items": 0, "average_ms": 0.0})
                    entry["reconstructed"] = {"requests": operation["count"], "request_items": operation["items"],
                                              "average_ms": operation["average_ms"],
                                              "failed_requests": summary["failed_requests"]}
                results["runs"][name].append(entry)
                rec = entry.get("reconstructed")
                log(f"run {run}/{args.runs} {name:<9} {figures['rps']:8.0f} req/s  wrk {figures['requests']:>7}"
                    f"  server {entry['server']['requests']:>7.0f}"
                    + (f"  reconstructed {rec['requests']:>9.1f} from {rec['request_items']:>6} envelopes"
                       f"  {counts['wire_bytes'] / figures['requests'] * 1000:>9.0f} B/1000 on the wire"
                       if rec else "")
                    + f"  load {load[0]:.2f}")

        results["finished"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        results["machine"]["load_average_after"] = loadtest.load_average()
        off_runs = results["runs"]["off"]
        results["summary"] = {name: summarise_case(results["runs"][name], off_runs) for name in SERVERS}
        s = results["summary"]
        plain = s["plain_100"]["wire_bytes_per_1000_requests"]
        results["targets"] = {
            "sampled_wire_bytes_vs_plain_100": s["sampled"]["wire_bytes_per_1000_requests"] / plain,
            "sampled_wire_bytes_at_most_1_25_of_plain_100":
                s["sampled"]["wire_bytes_per_1000_requests"] <= plain / 25,
            "sampled_billed_bytes_vs_plain_100": s["sampled"]["json_bytes_per_1000_requests"]
            / s["plain_100"]["json_bytes_per_1000_requests"],
            "sampled_count_within_3pct_of_wrk": abs(s["sampled"]["count_error_vs_wrk_pct"]) <= 3,
            "sampled_throughput_vs_off": s["sampled"]["rps_vs_off_median"],
            "sampled_throughput_within_5pct_of_off": s["sampled"]["rps_vs_off_median"] >= 0.95,
        }
        print(json.dumps({"summary": results["summary"], "targets": results["targets"]}, indent=1))
        if args.out:
            with open(args.out, "w", encoding="utf-8") as target:
                json.dump(results, target, indent=1)
                target.write("\n")
            log(f"wrote {args.out}")
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        subprocess.run([os.path.join(ROOT, "tools", "services.sh"), "stop", state], check=False,
                       stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
