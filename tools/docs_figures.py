#!/usr/bin/env python3
"""The figures the diagrams and the deck quote, computed from the committed result files.

    docs_figures.py fill SOURCE TARGET    replace every @NAME@ in SOURCE, write TARGET
    docs_figures.py list                  print every NAME and its value
    docs_figures.py epoch                 the newest result's time, in seconds (SOURCE_DATE_EPOCH)

Sources: docs/performance-results.json (make bench; ratios computed exactly as
bench/report/performance_report.py computes them for docs/performance.md, by importing it),
docs/results/etl-run.json and docs/results/cache-demo.json (tools/record-runs.sh),
docs/results/telemetry-sampling.json (bench/telemetry/sampling.py), and the deployment defaults
in deploy/azure/deploy.sh. Nothing here is typed in: a new `make bench` or
`make record-runs` changes the figures, `make diagrams slides` puts them in the pictures and the
deck. An @NAME@ that is not a figure stops the fill, so a typo cannot reach the deck. A name that
ends in _TABLE or _SLIDES is a block of Markdown lines (a table, or a list). Standard library only.
"""

import datetime
import glob
import html
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench", "report"))
import performance_report as perf  # noqa: E402  (the one place the bench's ratios are defined)

PLACEHOLDER = re.compile(r"@([A-Z][A-Z0-9_]*)@")


def load(path):
    try:
        with open(os.path.join(ROOT, path), encoding="utf-8") as source:
            return json.load(source)
    except FileNotFoundError:
        maker = ("make bench" if "performance" in path else
                 "bench/telemetry/sampling.py" if "sampling" in path else "make record-runs")
        sys.exit(f"docs_figures: {path} is missing: {maker} writes it")


def num(value, digits=1):
    """Thousands separated, `digits` decimals below 100 (as docs/performance.md writes them)."""
    return perf.fmt(value, digits)


def table(header, rows, align):
    """A Markdown pipe table; align is l or r per column. (Pandoc 2.17 gives every column of a
    PowerPoint table the same width, so tables for the deck keep few, short columns.)"""
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def bench_figures(results):
    """docs/performance-results.json: the headline ratios and the charts' context."""
    f = {}
    ratio, figure, median = perf.ratio, perf.figure, perf.median
    f["BENCH_DATE"] = results["started"]
    f["BENCH_CORES"] = str(results["machine"]["cores"])
    s = results["settings"]
    f["MIX_QUERIES"] = str(len(results["mix"]))
    f["BENCH_LOAD"] = f"wrk -c{s['connections']}, {s['runs']} runs of {s['duration_s']} s"
    f["MIX_SPEEDUP"] = f"{ratio(results, 'mix_cache', 'mix_nocache'):.1f}"
    f["MIX_RPS_NOCACHE"] = num(figure(results, "mix_nocache", "rps"))
    f["MIX_RPS_CACHE"] = num(figure(results, "mix_cache", "rps"))
    f["MIX_P50_NOCACHE"] = num(figure(results, "mix_nocache", "p50_ms"))
    f["MIX_P50_CACHE"] = num(figure(results, "mix_cache", "p50_ms"), 2)
    f["MIX_VS_NGINX"] = f"{ratio(results, 'mix_cache', 'mix_nginx'):.2f}"
    f["FAIR_VS_NGINX"] = f"{ratio(results, 'fair_cache', 'fair_nginx'):.2f}"
    f["FAIR_SPEEDUP"] = f"{ratio(results, 'fair_cache', 'fair_nocache'):.1f}"
    f["FAIR_RPS_CACHE"] = num(figure(results, "fair_cache", "rps"))
    f["FAIR_RPS_NOCACHE"] = num(figure(results, "fair_nocache", "rps"))
    f["FAIR_P50_CACHE"] = num(figure(results, "fair_cache", "p50_ms"), 2)
    f["FAIR_P50_NOCACHE"] = num(figure(results, "fair_nocache", "p50_ms"))
    f["FAIR_P50_REDIS"] = num(figure(results, "fair_cache_redis", "p50_ms"), 2)
    f["FAIR_REDIS_VS_NGINX"] = f"{ratio(results, 'fair_cache_redis', 'fair_nginx'):.2f}"
    f["FAIR_ROWS"] = f"{results['fair']['rows']:,}"
    f["FAIR_KB"] = f"{results['fair']['bytes'] / 1e3:,.0f}"
    f["SENDFILE_GAIN"] = f"{ratio(results, 'fair_cache', 'fair_cache_memory'):.2f}"
    auth = ratio(results, "fair_cache", "fair_public")
    f["AUTH_COST"] = f"{(auth - 1) * 100:+.1f}"
    full = results["full_catalog"]
    whole = next(m for m in results["mix"] if m["path"] == "/catalog")
    f["FULL_ROWS"] = f"{whole['rows']:,}"
    f["FULL_MB"] = f"{whole['bytes'] / 1e6:.1f}"
    f["FULL_HIT_MS"] = num(median(r["hit"] for r in full), 2)
    f["FULL_HIT_REDIS_MS"] = num(median(r.get("hit_redis") for r in full))
    f["FULL_MISS_MS"] = num(median(r["miss"] for r in full))
    f["FULL_SPEEDUP"] = f"{median(r['miss'] / r['hit'] for r in full if r['hit'] and r['miss']):.0f}"
    for case, name in (("mix_nocache", "NOCACHE"), ("mix_cache", "CACHE")):
        top, cores, _, _ = perf.bottleneck(results, case)
        f[f"BOTTLENECK_{name}"] = top
        f[f"BOTTLENECK_{name}_CORES"] = f"{cores:.2f}"
    f.update(telemetry_figures(results))
    return f


def telemetry_figures(results):
    """The monitoring view: what the captured Application Insights envelopes say (last run)."""
    f = {}
    rows = []
    # The 100 % case: every request has its envelope (the sampled case is in docs/performance.md).
    for index, entry in enumerate(perf.telemetry_runs(results, "mix_telemetry"), 1):
        summary, wrk = entry["summary"], entry["wrk"]
        catalog = perf.catalog_operation(summary)
        diff = (catalog["count"] - wrk["requests"]) / wrk["requests"] * 100 if wrk["requests"] else 0
        rows.append([index, f"{wrk['requests']:,}", f"{catalog['count']:,.0f}", f"{diff:+.2f}%",
                     num(summary["request_rate_per_s"]), f"{catalog['average_ms']:.2f}",
                     f"{wrk['mean_ms']:.2f}", f"{summary['failed_requests']:,.0f}"])
    f["TELEMETRY_TABLE"] = table(
        ["run", "requests (wrk)", "requests (telemetry)", "difference", "telemetry req/s",
         "server avg ms", "wrk avg ms", "failed"], rows, "rrrrrrrr")
    last = [t for t in perf.telemetry_runs(results, "mix_telemetry") if t["summary"]["requests"] > 0][-1]["summary"]
    f["DEPENDENCY_TABLE"] = table(
        ["type", "name", "calls", "average ms", "p95 ms"],
        [[d["type"], d["name"], f"{d['count']:,.0f}", f"{d['average_ms']:.3f}", f"{d['p95_ms']:.3f}"]
         for d in last["slowest_dependencies"]], "llrrr")
    getrange = next(d for d in last["slowest_dependencies"] if d["name"] == "GETRANGE")
    f["GETRANGE_AVG_MS"] = f"{getrange['average_ms']:.2f}"
    return f


def etl_figures(etl):
    """docs/results/etl-run.json: one real run of the bundled diamonds from Blob Storage."""
    run = etl["run"]
    f = {
        "ETL_RECORDED": etl["recorded"],
        "ETL_RUN_ID": str(run["id"]),
        "ETL_SOURCE": run["source"],
        "ETL_ROWS_READ": f"{run['rows_read']:,}",
        "ETL_ROWS_LOADED": f"{run['rows_loaded']:,}",
        "ETL_ROWS_REJECTED": f"{run['rows_rejected']:,}",
        "ETL_REJECT_PCT": f"{run['rows_rejected'] / run['rows_read'] * 100:.3f}",
        "ETL_SECONDS": f"{etl['seconds']:.2f}",
        "ETL_MB": f"{run['size_bytes'] / 1e6:.1f}",
        # The rate the run itself printed (its clock is finer than the summary's 0.01 s).
        "ETL_ROWS_PER_S": f"{int(re.search(r'[(]([0-9]+) rows/s', etl['summary'][0]).group(1)):,}",
    }
    phases = etl.get("phases_s") or {}
    f["ETL_COPY_S"] = f"{phases.get('extract_validate_copy', 0):.2f}"
    f["ETL_INDEX_S"] = f"{phases.get('indexes', 0):.2f}"
    f["ETL_SWAP_S"] = f"{phases.get('swap_commit', 0):.2f}"
    # Escaped: it goes into a Graphviz HTML label too.
    f["ETL_TOP_REASON"] = html.escape(etl["reject_reasons"][0]["reason"], quote=False) \
        if etl["reject_reasons"] else "none"
    f["ETL_REASONS_TABLE"] = "\n".join(f"- {r['count']:,} × `{r['reason']}`" for r in etl["reject_reasons"][:5])
    f["ETL_EXAMPLES_TABLE"] = table(
        ["line", "reason", "the record as stored"],
        [[e["line_number"], e["reason"], f"`{e['raw_record']}`"] for e in etl["reject_examples"][:5]], "rll")
    return f


def demo_figures(demo):
    """docs/results/cache-demo.json: `vitrina demo cache` and the Server-Timing of hits and misses."""
    steps = demo["steps"]
    f = {"DEMO_RECORDED": demo["recorded"], "DEMO_VERDICT": demo["verdict"]}

    def dash(value):
        return "–" if value is None else value

    def answer(step):
        if step["status"] is None:  # a Redis step: its integer reply
            return f"reply {dash(step['rows'])}"
        parts = [str(step["status"])] + [step["x_cache"]] * bool(step["x_cache"])
        return " ".join(parts) + (f", {step['rows']:,} rows" if step["rows"] is not None else "")

    # The demo's own steps (numbered); its login is how it gets a token, not a step of the flow.
    f["DEMO_TABLE"] = table(
        ["step", "request", "answer", "ms"],
        [[s["step"], s["request"], answer(s), dash(None if s["time_ms"] is None else f"{s['time_ms']:.1f}")]
         for s in steps if s["step"][:1].isdigit()], "lllr")

    def find(prefix):
        return next(s for s in steps if s["step"].startswith(prefix))

    cold, warm, post, exists, after = (find(p) for p in ("1 ", "2 ", "4 ", "5 ", "6 "))
    f["DEMO_MISS_MS"] = f"{cold['time_ms']:.1f}"
    f["DEMO_HIT_MS"] = f"{warm['time_ms']:.1f}"
    f["DEMO_SPEEDUP"] = f"{cold['time_ms'] / warm['time_ms']:.1f}"
    f["DEMO_POST_MS"] = f"{post['time_ms']:.1f}"
    f["DEMO_EXISTS"] = str(exists["rows"])
    f["DEMO_ROWS_BEFORE"] = f"{cold['rows']:,}"
    f["DEMO_ROWS_AFTER"] = f"{after['rows']:,}"
    f["DEMO_AFTER_MS"] = f"{after['time_ms']:.1f}"
    timing = demo["server_timing"]
    for kind in ("miss", "hit"):
        medians = timing[kind]["median_ms"]
        for phase in ("auth", "cache", "db", "total", "client"):
            f[f"ST_{kind.upper()}_{phase.upper()}_MS"] = f"{medians.get(phase, 0.0):.2f}"
        f[f"ST_{kind.upper()}_N"] = str(timing[kind]["counted"])
    return f


def sampling_figures(results):
    """docs/results/telemetry-sampling.json: what telemetry costs at 100 %, gzip and sampled."""
    f = {}
    s = results["summary"]
    names = {"plain_100": "100 %, plain JSON (before)", "gzip_100": "100 %, gzip",
             "sampled": f"{results['settings']['sampled_percentage']:g} %, gzip"}
    rows = []
    for name, label in names.items():
        case = s[name]
        # Application Insights bills the JSON it ingests, not the compressed bytes.
        gb_per_million = case["json_bytes_per_1000_requests"] * 1000 / 1e9
        rows.append([label, f"{case['items_per_1000_requests']:,.0f}",
                     f"{perf.fmt(case['wire_bytes_per_1000_requests'] / 1000, 1)} KB",
                     f"{gb_per_million:.2f} GB", f"{case['rps_vs_off_median']:.2f}×",
                     f"{case['count_error_vs_wrk_pct']:+.1f} %"])
    f["SAMPLING_TABLE"] = table(
        ["telemetry", "items / 1,000 req", "sent / 1,000 req", "billed / million req",
         "throughput vs off", "reconstructed count vs wrk"], rows, "lrrrrr")
    t = results["targets"]
    f["SAMPLING_WIRE_FRACTION"] = f"1/{1 / t['sampled_wire_bytes_vs_plain_100']:.0f}"
    f["SAMPLING_PERCENTAGE"] = f"{results['settings']['sampled_percentage']:g}"
    return f


def deploy_figures():
    """Scaling defaults of deploy/azure/deploy.sh (`NAME=${NAME:-value}` lines)."""
    text = open(os.path.join(ROOT, "deploy", "azure", "deploy.sh"), encoding="utf-8").read()
    f = {}
    for name in ("MIN_REPLICAS", "MAX_REPLICAS", "HTTP_CONCURRENCY", "DB_POOL_SIZE",
                 "TELEMETRY_SAMPLING_PERCENTAGE"):
        match = re.search(rf"^{name}=\$\{{{name}:-([0-9]+)\}}", text, re.M)
        if not match:
            sys.exit(f"docs_figures: deploy/azure/deploy.sh has no default for {name}")
        f[f"DEPLOY_{name}"] = match.group(1)
    return f


def optional_slides():
    """Slides that exist only when their material does: the web console's screenshots, CI/CD."""
    f = {}
    shots = sorted(glob.glob(os.path.join(ROOT, "docs", "img", "console-*.png")))
    slides = []
    for shot in shots:
        name = os.path.splitext(os.path.basename(shot))[0][len("console-"):].replace("-", " ")
        slides.append(f"# The web console: {name}\n\n![](img/{os.path.basename(shot)})\n")
    f["CONSOLE_SLIDES"] = "\n".join(slides)
    workflows = sorted(glob.glob(os.path.join(ROOT, ".github", "workflows", "*.y*ml")))
    if workflows:
        f["CICD_TABLE"] = "- CD pipelines: " + ", ".join(
            f"`{os.path.relpath(w, ROOT)}`" for w in workflows)
    else:
        f["CICD_TABLE"] = "- CD: none yet; `deploy/azure/deploy.sh` is run by hand"
    return f


def figures():
    f = {}
    f.update(bench_figures(load("docs/performance-results.json")))
    f.update(etl_figures(load("docs/results/etl-run.json")))
    f.update(demo_figures(load("docs/results/cache-demo.json")))
    f.update(sampling_figures(load("docs/results/telemetry-sampling.json")))
    f.update(deploy_figures())
    f.update(optional_slides())
    return f


def newest_epoch():
    """When the newest figures were measured: what the deck's own timestamps say."""
    stamps = [load("docs/performance-results.json")["started"], load("docs/results/etl-run.json")["recorded"],
              load("docs/results/cache-demo.json")["recorded"],
              load("docs/results/telemetry-sampling.json")["started"]]
    return max(int(datetime.datetime.strptime(s, "%Y-%m-%d %H:%M:%S UTC")
                   .replace(tzinfo=datetime.timezone.utc).timestamp()) for s in stamps)


def fill(text, values):
    unknown = sorted(set(PLACEHOLDER.findall(text)) - set(values))
    if unknown:
        sys.exit("docs_figures: unknown figure(s): " + ", ".join("@" + u + "@" for u in unknown))
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "fill":
        with open(sys.argv[2], encoding="utf-8") as source:
            text = fill(source.read(), figures())
        with open(sys.argv[3], "w", encoding="utf-8") as target:
            target.write(text)
    elif len(sys.argv) == 2 and sys.argv[1] == "epoch":
        print(newest_epoch())
    elif len(sys.argv) == 2 and sys.argv[1] == "list":
        for name, value in sorted(figures().items()):
            print(f"{name} = {value}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
