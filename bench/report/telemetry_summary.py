#!/usr/bin/env python3
"""Summarise captured Application Insights envelopes the way the portal's Performance and
Failures views do, so a load test can check telemetry against the load generator's own counts.

Input: envelopes as stored by tools/appinsights-capture.py (GET /envelopes: one JSON object per
line) or JSON arrays as POSTed to /v2.1/track. Standard library only.

    telemetry_summary.py envelopes.jsonl [--expect-requests N] [--tolerance 0.01] [--json]

Exit status 1 if --expect-requests is given and the Request count differs by more than the
tolerance (a fraction), which means telemetry dropped or duplicated items.
"""

import argparse
import json
import sys
from collections import defaultdict
from datetime import datetime


def parse_duration(text):
    """'D.HH:MM:SS.ffffff' -> milliseconds."""
    days, _, clock = text.partition(".")
    hours, minutes, seconds = clock.split(":")
    return ((int(days) * 24 + int(hours)) * 60 + int(minutes)) * 60_000 + float(seconds) * 1000


def parse_time(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()


def read_envelopes(path):
    with open(path, encoding="utf-8") as source:
        text = source.read().strip()
    if not text:
        return []
    if text.startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summarise(envelopes):
    requests = [e for e in envelopes if e.get("data", {}).get("baseType") == "RequestData"]
    dependencies = [e for e in envelopes if e.get("data", {}).get("baseType") == "RemoteDependencyData"]
    by_route = defaultdict(list)
    failed = 0
    starts, ends = [], []
    for envelope in requests:
        base = envelope["data"]["baseData"]
        duration = parse_duration(base["duration"])
        by_route[base["name"]].append(duration)
        failed += 0 if base["success"] else 1
        start = parse_time(envelope["time"])
        starts.append(start)
        ends.append(start + duration / 1000)
    span = (max(ends) - min(starts)) if requests else 0.0
    all_durations = [d for durations in by_route.values() for d in durations]
    by_dependency = defaultdict(list)
    for envelope in dependencies:
        base = envelope["data"]["baseData"]
        by_dependency[(base["type"], base["name"])].append(parse_duration(base["duration"]))
    return {
        "requests": len(requests),
        "failed_requests": failed,
        "request_rate_per_s": len(requests) / span if span > 0 else 0.0,
        "average_duration_ms": sum(all_durations) / len(all_durations) if all_durations else 0.0,
        "p95_duration_ms": percentile(all_durations, 0.95),
        "operations": {
            route: {"count": len(d), "average_ms": sum(d) / len(d), "p95_ms": percentile(d, 0.95)}
            for route, d in sorted(by_route.items())
        },
        "slowest_dependencies": [
            {"type": kind, "name": name, "count": len(d), "average_ms": sum(d) / len(d),
             "p95_ms": percentile(d, 0.95)}
            for (kind, name), d in sorted(by_dependency.items(),
                                          key=lambda item: -sum(item[1]) / len(item[1]))[:10]
        ],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("envelopes")
    parser.add_argument("--expect-requests", type=int)
    parser.add_argument("--tolerance", type=float, default=0.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    summary = summarise(read_envelopes(args.envelopes))
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"requests {summary['requests']}  failed {summary['failed_requests']}  "
              f"rate {summary['request_rate_per_s']:.1f}/s  "
              f"avg {summary['average_duration_ms']:.2f} ms  p95 {summary['p95_duration_ms']:.2f} ms")
        for route, figures in summary["operations"].items():
            print(f"  {route:<32} {figures['count']:>8}  avg {figures['average_ms']:.2f} ms  "
                  f"p95 {figures['p95_ms']:.2f} ms")
        for dependency in summary["slowest_dependencies"]:
            print(f"  dep {dependency['type']}:{dependency['name']:<24} {dependency['count']:>8}  "
                  f"avg {dependency['average_ms']:.2f} ms")
    if args.expect_requests is not None:
        allowed = args.expect_requests * args.tolerance
        if abs(summary["requests"] - args.expect_requests) > allowed:
            print(f"MISMATCH: telemetry has {summary['requests']} requests, "
                  f"the load generator counted {args.expect_requests}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
