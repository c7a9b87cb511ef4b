#!/usr/bin/env python3
"""Summarise captured Application Insights envelopes the way the portal's Performance and
Failures views do, so a load test can check telemetry against the load generator's own counts.

Input: envelopes as stored by tools/appinsights-capture.py (GET /envelopes: one JSON object per
line) or JSON arrays as POSTed to /v2.1/track. Standard library only.

    telemetry_summary.py envelopes.jsonl [--expect-requests N] [--tolerance 0.01] [--json]

Sampled telemetry is weighted as the portal weights it: an envelope with sampleRate r stands for
100/r items (its itemCount), so counts are sums of weights, averages and percentiles are
weighted, and `items` says how many envelopes there actually were.

Exit status 1 if --expect-requests is given and the (weighted) Request count differs by more than
the tolerance (a fraction): telemetry dropped or duplicated items, or sampling was not
representative.
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


def weight(envelope):
    """The number of items an envelope stands for: 100/sampleRate (1 when it was not sampled)."""
    rate = envelope.get("sampleRate", 100.0) or 100.0
    return 100.0 / float(rate)


def percentile(pairs, fraction):
    """The weighted percentile of (value, weight) pairs: the smallest value whose cumulative weight
    reaches `fraction` of the total. With equal weights it is the plain percentile."""
    ordered = sorted(pairs)
    if not ordered:
        return 0.0
    total = sum(w for _, w in ordered)
    # The same rank as ordered[int(fraction * n)] for equal weights.
    target, running = fraction * total, 0.0
    for value, w in ordered:
        running += w
        if running > target:
            return value
    return ordered[-1][0]


def figures(pairs):
    count = sum(w for _, w in pairs)
    return {"count": count, "items": len(pairs),
            "average_ms": sum(d * w for d, w in pairs) / count if count else 0.0,
            "p95_ms": percentile(pairs, 0.95)}


def summarise(envelopes):
    requests = [e for e in envelopes if e.get("data", {}).get("baseType") == "RequestData"]
    dependencies = [e for e in envelopes if e.get("data", {}).get("baseType") == "RemoteDependencyData"]
    by_route = defaultdict(list)
    catalog_by_cache = defaultdict(list)  # the workbook's first query (deploy/azure/workbook.json)
    failed = 0.0
    starts, ends = [], []
    for envelope in requests:
        base = envelope["data"]["baseData"]
        duration = parse_duration(base["duration"])
        by_route[base["name"]].append((duration, weight(envelope)))
        if base["name"] == "GET /catalog":
            catalog_by_cache[base.get("properties", {}).get("cache", "")].append((duration, weight(envelope)))
        failed += 0 if base["success"] else weight(envelope)
        start = parse_time(envelope["time"])
        starts.append(start)
        ends.append(start + duration / 1000)
    span = (max(ends) - min(starts)) if requests else 0.0
    everything = figures([pair for pairs in by_route.values() for pair in pairs])
    by_dependency = defaultdict(list)
    for envelope in dependencies:
        base = envelope["data"]["baseData"]
        by_dependency[(base["type"], base["name"])].append((parse_duration(base["duration"]), weight(envelope)))
    items_by_type = defaultdict(int)
    for envelope in envelopes:
        items_by_type[envelope.get("data", {}).get("baseType", "")] += 1
    dependency_figures = {key: figures(pairs) for key, pairs in by_dependency.items()}
    return {
        "requests": everything["count"],
        "request_items": len(requests),
        "failed_requests": failed,
        "request_rate_per_s": everything["count"] / span if span > 0 else 0.0,
        "average_duration_ms": everything["average_ms"],
        "p95_duration_ms": everything["p95_ms"],
        "items": len(envelopes),
        "items_by_type": dict(sorted(items_by_type.items())),
        "operations": {route: figures(pairs) for route, pairs in sorted(by_route.items())},
        # GET /catalog by the request's `cache` dimension, as the workbook's "catalog-by-cache"
        # query computes it: weighted count, average, p95, and the count per second of the span.
        "catalog_by_cache": {
            cache: {**figures(pairs), "per_second": sum(w for _, w in pairs) / span if span > 0 else 0.0}
            for cache, pairs in sorted(catalog_by_cache.items())
        },
        "slowest_dependencies": [
            {"type": kind, "name": name, **f}
            for (kind, name), f in sorted(dependency_figures.items(), key=lambda item: -item[1]["average_ms"])[:10]
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
        print(f"requests {summary['requests']:.0f} (from {summary['request_items']} envelopes)  "
              f"failed {summary['failed_requests']:.0f}  "
              f"rate {summary['request_rate_per_s']:.1f}/s  "
              f"avg {summary['average_duration_ms']:.2f} ms  p95 {summary['p95_duration_ms']:.2f} ms")
        for route, route_figures in summary["operations"].items():
            print(f"  {route:<32} {route_figures['count']:>8.0f}  avg {route_figures['average_ms']:.2f} ms  "
                  f"p95 {route_figures['p95_ms']:.2f} ms")
        for dependency in summary["slowest_dependencies"]:
            print(f"  dep {dependency['type']}:{dependency['name']:<24} {dependency['count']:>8.0f}  "
                  f"avg {dependency['average_ms']:.2f} ms")
    if args.expect_requests is not None:
        allowed = args.expect_requests * args.tolerance
        if abs(summary["requests"] - args.expect_requests) > allowed:
            print(f"MISMATCH: telemetry has {summary['requests']:.0f} requests, "
                  f"the load generator counted {args.expect_requests}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
