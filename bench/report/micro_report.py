#!/usr/bin/env python3
"""The micro-benchmarks' figures, from Google Benchmark's JSON to the docs that quote them.

    micro_report.py collect OUT.json RAW.json...   medians of the raw runs -> docs/results/micro-benchmarks.json
    micro_report.py render RESULTS.json DOCS_DIR   rewrite every quoted figure in DOCS_DIR/*.md and README.md
    micro_report.py check RESULTS.json DOCS_DIR    exit 1 if a quoted figure differs from RESULTS.json

A doc quotes a figure as an HTML comment pair around its text, invisible once rendered:
    <!--micro BM_VerifyRs256/real_time/threads:1-->31.9 µs<!--/micro-->
(`:cpu` after the name quotes the CPU time instead of the wall time). `render` replaces the text
between the comments; `check` is what the `python_tools` test runs, so a doc cannot quote a figure
that the committed results do not contain. An unknown benchmark name is an error in both.
"""

import json
import os
import re
import statistics
import sys

FIGURE = re.compile(r"<!--micro ([^ >]+?)(:cpu)?-->(.*?)<!--/micro-->")
TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def collect(raw_runs):
    """Median wall and CPU time (ns) per benchmark run name, plus where and when they ran."""
    benchmarks, contexts = {}, []
    for raw in raw_runs:
        contexts.append(raw["context"])
        for entry in raw["benchmarks"]:
            if entry.get("run_type") != "aggregate" or entry.get("aggregate_name") != "median":
                continue
            scale = TO_NS[entry["time_unit"]]
            benchmarks[entry["run_name"]] = {
                "real_ns": round(entry["real_time"] * scale, 2),
                "cpu_ns": round(entry["cpu_time"] * scale, 2),
                "repetitions": entry["repetitions"],
            }
    if not benchmarks:
        raise ValueError("no median aggregates: run the benchmarks with --benchmark_repetitions > 1")
    first = contexts[0]
    return {
        "recorded": first["date"],
        "machine": {
            "cpus": first["num_cpus"],
            "mhz_per_cpu": first["mhz_per_cpu"],
            "load_average": [context.get("load_avg", []) for context in contexts],
        },
        "benchmarks": dict(sorted(benchmarks.items())),
    }


def format_ns(ns):
    """One decimal under 100, none above, in the unit that keeps the number under 1000."""
    for unit, scale in (("ns", 1.0), ("µs", 1e3), ("ms", 1e6)):
        value = ns / scale
        if value < 999.5 or unit == "ms":
            return f"{value:.1f} {unit}" if value < 99.95 else f"{value:.0f} {unit}"
    raise AssertionError("unreachable")


def figure(results, name, cpu=False):
    """The quoted text of one benchmark's median; KeyError names an unknown benchmark."""
    try:
        entry = results["benchmarks"][name]
    except KeyError:
        raise KeyError(f"no benchmark {name!r} in the results (known: {', '.join(results['benchmarks'])})") from None
    return format_ns(entry["cpu_ns"] if cpu else entry["real_ns"])


def render_text(results, text):
    return FIGURE.sub(lambda m: f"<!--micro {m[1]}{m[2] or ''}-->{figure(results, m[1], bool(m[2]))}<!--/micro-->",
                      text)


def documents(docs_dir):
    """DOCS_DIR/*.md and the README next to DOCS_DIR."""
    for name in sorted(os.listdir(docs_dir)):
        if name.endswith(".md"):
            yield os.path.join(docs_dir, name)
    readme = os.path.join(os.path.dirname(os.path.abspath(docs_dir)), "README.md")
    if os.path.exists(readme):
        yield readme


def render(results, docs_dir, write):
    """The docs whose quoted figures differ from the results; rewritten when `write`."""
    stale = []
    for path in documents(docs_dir):
        with open(path, encoding="utf-8") as source:
            text = source.read()
        updated = render_text(results, text)
        if updated != text:
            stale.append(path)
            if write:
                with open(path, "w", encoding="utf-8") as target:
                    target.write(updated)
    return stale


def load(path):
    with open(path, encoding="utf-8") as source:
        return json.load(source)


def main(argv):
    if len(argv) < 3 or argv[0] not in ("collect", "render", "check"):
        sys.exit(__doc__)
    command, target = argv[0], argv[1]
    if command == "collect":
        results = collect([load(raw) for raw in argv[2:]])
        with open(target, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=1, ensure_ascii=False)
            out.write("\n")
        print(f"{len(results['benchmarks'])} benchmarks -> {target}")
        return 0
    results = load(target)
    stale = render(results, argv[2], write=command == "render")
    if command == "check" and stale:
        print(f"figures differ from {target} in: {', '.join(stale)}; run bench/report/micro_report.py render")
        return 1
    if command == "render":
        print(f"updated: {', '.join(stale) or 'nothing'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
