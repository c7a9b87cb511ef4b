#!/usr/bin/env python3
"""Turns bench/load/loadtest.py's results.json into docs/performance.md and PNG charts (gnuplot).

    performance_report.py results.json docs/performance.md docs/img

Every figure is the median over the runs; every ratio is computed within each run (cases of one run
are measured back to back) and then the median of those ratios is reported. Standard library only.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile

import micro_report  # same folder: the micro-benchmarks' figures

MIX_CASES = ["mix_nocache", "mix_cache", "mix_nginx", "mix_pgbench"]
FAIR_CASES = ["fair_nocache", "fair_cache", "fair_cache_memory", "fair_cache_redis", "fair_public", "fair_nginx"]
SHORT = {
    "mix_nocache": "API, cache off", "mix_cache": "API, cache on", "mix_nginx": "nginx (static)",
    "mix_pgbench": "pgbench (SQL)", "fair_nocache": "API, cache off", "fair_cache": "API, cache on, token",
    "fair_cache_redis": "API, cache on, token, body from Redis",
    "fair_cache_memory": "API, cache on, token, no sendfile", "fair_public": "API, cache on, no token", "fair_nginx": "nginx (static)",
    "mix_telemetry": "API, cache on, telemetry",
    "mix_telemetry_sampled": "API, cache on, telemetry sampled",
}
TELEMETRY_CASES = ["mix_telemetry", "mix_telemetry_sampled"]
CPU_GROUPS = ["vitrina", "postgres", "redis", "nginx", "telemetry capture", "load tool (wrk / pgbench)",
              "everything else on the machine"]


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def figure(results, case, key):
    return median(run[key] for run in results["cases"][case]["runs"])


def ratio(results, numerator, denominator, key="rps"):
    """Median of the per-run ratios."""
    pairs = zip(results["cases"][numerator]["runs"], results["cases"][denominator]["runs"])
    return median(a[key] / b[key] for a, b in pairs if b[key])


def per_run(results, numerator, denominator, key="rps"):
    """The ratio of every run, for the reader to see the spread: "0.78, 0.96, 1.21"."""
    pairs = zip(results["cases"][numerator]["runs"], results["cases"][denominator]["runs"])
    return ", ".join(f"{a[key] / b[key]:.2f}" for a, b in pairs if b[key])


def cpu(results, case):
    return {group: median(run["cpu_cores"].get(group, 0.0) for run in results["cases"][case]["runs"])
            for group in CPU_GROUPS}


def fmt(value, digits=1):
    if value is None:
        return "–"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def verdict(ok):
    return "**met**" if ok else "**not met**"


# Other processes using at most this much CPU (cores) in every case: the machine counts as quiet.
QUIET_OTHER_CORES = 0.1


def bottleneck(results, case):
    usage = cpu(results, case)
    cores = results["machine"]["cores"]
    machine = median(run["machine_cores"] for run in results["cases"][case]["runs"])
    ours = {g: v for g, v in usage.items() if g != "everything else on the machine"}
    top = max(ours, key=ours.get)
    return top, usage[top], machine, cores


def case_table(results, cases):
    lines = ["| case | requests/s | average ms | p50 ms | p95 ms | p99 ms | errors | answered as (X-Cache)¹ | runs |",
             "|---|---:|---:|---:|---:|---:|---:|---|---:|"]
    for case in cases:
        runs = results["cases"][case]["runs"]
        errors = sum(run["errors"] for run in runs)
        total = sum(run["requests"] for run in runs)
        lines.append(f"| {results['cases'][case]['label']} | {fmt(figure(results, case, 'rps'))} | "
                     f"{fmt(figure(results, case, 'mean_ms'), 2)} | {fmt(figure(results, case, 'p50_ms'), 2)} | "
                     f"{fmt(figure(results, case, 'p95_ms'), 2)} | {fmt(figure(results, case, 'p99_ms'), 2)} | "
                     f"{errors} of {total:,} | {x_cache(runs)} | {len(runs)} |")
    lines += ["", "¹ Counted in a 3-s pass right after each timed run, same server and paths (counting "
              "makes wrk hand every body to Lua, which slows wrk unevenly, so the timed runs do not count)."]
    return lines


def x_cache(runs):
    """Share of each X-Cache value over all runs of a case, e.g. "HIT 98%, BYPASS 2%"."""
    totals = {}
    for run in runs:
        for outcome, count in (run.get("x_cache") or {}).items():
            totals[outcome] = totals.get(outcome, 0) + count
    answered = sum(totals.values())
    if not answered:
        return "not counted"
    if set(totals) == {"none"}:
        return "(no header)"
    return ", ".join(f"{outcome} {count / answered:.0%}" for outcome, count in
                     sorted(totals.items(), key=lambda item: -item[1]))


def cpu_table(results, cases):
    lines = ["| case | " + " | ".join(CPU_GROUPS) + " | whole machine |",
             "|---|" + "---:|" * (len(CPU_GROUPS) + 1)]
    for case in cases:
        usage = cpu(results, case)
        machine = median(run["machine_cores"] for run in results["cases"][case]["runs"])
        lines.append(f"| {SHORT[case]} | " + " | ".join(f"{usage[g]:.2f}" for g in CPU_GROUPS) +
                     f" | {machine:.2f} of {results['machine']['cores']} |")
    return lines


# ----------------------------------------------------------------------------- charts

def gnuplot(script, data, png):
    with tempfile.TemporaryDirectory() as tmp:
        data_path = os.path.join(tmp, "data.tsv")
        with open(data_path, "w", encoding="utf-8") as target:
            target.write(data)
        header = (f'set terminal pngcairo size 900,480 font "sans,10"\nset output "{png}"\n'
                  f'set datafile separator "\\t"\nset style fill solid 0.85 border -1\n'
                  f'set grid ytics\nset key top left\n')
        subprocess.run(["gnuplot"], input=header + script.replace("DATA", data_path), text=True,
                       check=True)


def bar_chart(png, title, ylabel, rows, log_scale=False):
    """rows: [(label, value)]: one bar each, value printed above it."""
    data = "".join(f"{label}\t{value}\n" for label, value in rows)
    script = (f'set title "{title}"\nset ylabel "{ylabel}"\nset style data histograms\n'
              f'set boxwidth 0.6\nunset key\nset yrange [{"1" if log_scale else "0"}:*]\n'
              + ("set logscale y\n" if log_scale else "") +
              'plot "DATA" using 2:xtic(1) lc rgb "#4477aa", '
              '"" using 0:2:(sprintf("%.4g", $2)) with labels offset 0,0.8 notitle\n')
    gnuplot(script, data, png)


def grouped_chart(png, title, ylabel, series, groups, values, log_scale=False):
    """groups on the x axis, one bar per series in each; values[group][series]."""
    data = "group\t" + "\t".join(series) + "\n"
    for group in groups:
        data += group + "\t" + "\t".join(str(values[group][s]) for s in series) + "\n"
    colours = ["#cc6677", "#4477aa", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb"]
    plots = [f'"DATA" using {i + 2}:xtic(1) title "{s}" lc rgb "{colours[i % len(colours)]}"'
             for i, s in enumerate(series)]
    script = (f'set title "{title}"\nset ylabel "{ylabel}"\nset style data histograms\n'
              'set style histogram clustered gap 1\nset key autotitle columnhead\n'
              + ("set logscale y\n" if log_scale else "set yrange [0:*]\n") +
              "plot " + ", ".join(plots).replace('"DATA" using', '"DATA" using', 1) + "\n")
    gnuplot(script, data, png)


def stacked_cpu_chart(png, results, cases):
    data = ""  # no header row: the titles are given in the plot command
    for case in cases:
        usage = cpu(results, case)
        data += SHORT[case] + "\t" + "\t".join(f"{usage[g]:.3f}" for g in CPU_GROUPS) + "\n"
    colours = ["#4477aa", "#228833", "#cc6677", "#ccbb44", "#aa3377", "#66ccee", "#bbbbbb"]
    plots = [f'"DATA" using {i + 2}:xtic(1) title "{g}" lc rgb "{colours[i]}"' for i, g in enumerate(CPU_GROUPS)]
    script = ('set title "CPU used per process during each case (cores; this machine has '
              f'{results["machine"]["cores"]})"\nset ylabel "cores busy"\nset style data histograms\n'
              'set style histogram rowstacked\nset boxwidth 0.6\nset key outside right\n'
              f'set yrange [0:{results["machine"]["cores"] + 0.2}]\nset xtics rotate by -20\n'
              "plot " + ", ".join(plots) + "\n")
    gnuplot(script, data, png)


def charts(results, img_dir):
    os.makedirs(img_dir, exist_ok=True)
    made = {}
    made["throughput"] = "perf-mix-throughput.png"
    bar_chart(os.path.join(img_dir, made["throughput"]),
              "GET /catalog, realistic mix: requests per second (median of runs, higher is better)",
              "requests/s (log scale)", [(SHORT[c], round(figure(results, c, "rps"), 1)) for c in MIX_CASES],
              log_scale=True)
    made["latency"] = "perf-mix-latency.png"
    lat = {}
    for label, key in (("average", "mean_ms"), ("p50", "p50_ms"), ("p95", "p95_ms"), ("p99", "p99_ms")):
        lat[label] = {SHORT[c]: round(figure(results, c, key), 3) for c in MIX_CASES}
    grouped_chart(os.path.join(img_dir, made["latency"]),
                  "GET /catalog, realistic mix: latency under load (median of runs, lower is better)",
                  "milliseconds (log scale)", [SHORT[c] for c in MIX_CASES], list(lat), lat, log_scale=True)
    made["fair"] = "perf-fair-throughput.png"
    bar_chart(os.path.join(img_dir, made["fair"]),
              "GET /catalog?cut=Fair: requests per second (median of runs, higher is better)",
              "requests/s", [(SHORT[c], round(figure(results, c, "rps"), 1)) for c in FAIR_CASES])
    made["full"] = "perf-full-catalog-latency.png"
    full = results["full_catalog"]
    bars = [(label, median(r.get(key) for r in full)) for label, key in
            (("cache hit", "hit"), ("cache hit, body from Redis", "hit_redis"),
             ("cache miss (key deleted first)", "miss"))]
    bar_chart(os.path.join(img_dir, made["full"]),
              "Full catalog (all rows), one request at a time: median latency (lower is better)",
              "milliseconds (log scale)", [(label, round(v, 2)) for label, v in bars if v is not None],
              log_scale=True)
    made["cpu"] = "perf-cpu.png"
    stacked_cpu_chart(os.path.join(img_dir, made["cpu"]), results, MIX_CASES + FAIR_CASES)
    return made


# ----------------------------------------------------------------------------- the page

def present(results, cases):
    """The cases this results.json has (older ones have no sampled telemetry case)."""
    return [case for case in cases if case in results["cases"]]


def telemetry_runs(results, case):
    """The telemetry entries of one case, in run order. Entries of results written before sampling
    existed name no case: they are the 100 % case."""
    return [t for t in results["telemetry"] if t.get("case", "mix_telemetry") == case]


def catalog_operation(summary):
    return max((f for name, f in summary["operations"].items() if "/catalog" in name),
               key=lambda f: f["count"], default={"count": 0, "average_ms": 0, "items": 0})


def telemetry_cost_table(results):
    """Bytes and items per 1,000 requests, for each telemetry case of the run (pooled over runs)."""
    sampling = results["settings"].get("telemetry_sampling_percentage")
    lines = ["| case | sampling | items sent per 1,000 requests | bytes on the wire per 1,000 requests (gzip) "
             "| JSON bytes per 1,000 requests (what Application Insights bills) | throughput vs cache on, no telemetry |",
             "|---|---:|---:|---:|---:|---:|"]
    for case in present(results, TELEMETRY_CASES):
        runs = [t for t in telemetry_runs(results, case) if "capture" in t]
        if not runs:
            continue
        requests = sum(t["wrk"]["requests"] for t in runs)
        per_1000 = {k: sum(t["capture"][k] for t in runs) / requests * 1000 if requests else 0
                    for k in ("items", "wire_bytes", "json_bytes")}
        rate = "100 %" if case == "mix_telemetry" else (f"{sampling:g} %" if sampling else "production")
        lines.append(f"| {results['cases'][case]['label']} | {rate} | {per_1000['items']:,.1f} | "
                     f"{per_1000['wire_bytes']:,.0f} | {per_1000['json_bytes']:,.0f} | "
                     f"{ratio(results, case, 'mix_cache'):.2f}× ({per_run(results, case, 'mix_cache')}) |")
    return lines if len(lines) > 2 else []


def telemetry_section(results):
    lines = ["## What Application Insights shows for the same run", ""]
    captured = [t for t in results["telemetry"] if t["summary"]["requests"] > 0]
    if not captured:
        lines += [
            "**Pending.** `vitrina serve` on this build sends no telemetry yet (0 envelopes reached the "
            "capture server during the telemetry case), so the Application Insights figures cannot be "
            "computed from this run. The bench already runs that case (`API, cache on, telemetry "
            "exported` against the local ingestion endpoint, `tools/appinsights-capture.py`) and compares "
            "the captured Request count with wrk's; this section fills in once the exporter is in `serve`.",
            ""]
        return lines
    lines += [
        "During the telemetry cases the server sent its telemetry to the local ingestion endpoint: every "
        "operation in *API, cache on, telemetry*, and in *API, cache on, telemetry sampled* the share "
        "deploy/azure/deploy.sh sets for production (`TELEMETRY_SAMPLING_PERCENTAGE`), whose kept items carry "
        "`sampleRate` so that each stands for 100/sampleRate requests. `bench/report/telemetry_summary.py` "
        "reconstructs from those envelopes, weighted so, the figures the portal's Performance and Failures "
        "views show; wrk's own counts and the server's own (its request-duration histogram on `/metrics`, "
        "read before and after the run) are next to them. At 100 % a count that differs from wrk's by "
        "more than 1% would mean telemetry lost or duplicated items; sampled, the reconstruction also has "
        "the sampling error (binomial: about 1/sqrt(kept requests)).",
        "",
        "| case | run | wrk requests | reconstructed requests (from envelopes) | difference | server requests "
        "| wrk average ms | server average ms | reconstructed average ms | failed (telemetry) | errors (wrk) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    diffs = []
    for case in TELEMETRY_CASES:
        for index, entry in enumerate(telemetry_runs(results, case), 1):
            summary, wrk = entry["summary"], entry["wrk"]
            catalog = catalog_operation(summary)
            diff = (catalog["count"] - wrk["requests"]) / wrk["requests"] if wrk["requests"] else 0
            diffs.append((case, abs(diff)))
            server = entry.get("server")
            server_count = f"{server['requests']:,.0f}" if server else "–"
            server_avg = f"{server['sum_ms'] / server['requests']:.3f}" if server and server["requests"] else "–"
            envelopes = f" ({catalog['items']:,})" if "items" in catalog else ""
            lines.append(f"| {SHORT[case]} | {index} | {wrk['requests']:,} | {catalog['count']:,.0f}{envelopes} | "
                         f"{diff * 100:+.2f}% | {server_count} | {wrk['mean_ms']:.2f} | {server_avg} | "
                         f"{catalog['average_ms']:.3f} | {summary['failed_requests']:,.0f} | {wrk['errors']} |")
    full = [d for case, d in diffs if case == "mix_telemetry"]
    sampled = [d for case, d in diffs if case == "mix_telemetry_sampled"]
    lines += ["", f"At 100 %, telemetry and wrk agree within 1% in {sum(d <= 0.01 for d in full)} of {len(full)} runs "
              "(wrk stops with requests in flight, which the server may still complete and report)"
              + (f"; sampled, within 3% in {sum(d <= 0.03 for d in sampled)} of {len(sampled)} runs" if sampled else "")
              + ". The telemetry duration is measured inside the server, from the request read to the "
              "response written; wrk's latency also holds the time a request waits in socket queues and "
              "for a CPU on this shared machine, so it is higher."]
    cost = telemetry_cost_table(results)
    if cost:
        lines += ["", "What the telemetry cost, per 1,000 requests (`GET /stats` of the capture, per role instance; "
                  "Application Insights bills the uncompressed JSON it receives, so gzip cuts the bytes on the wire "
                  "but not the bill, and sampling cuts both):", ""] + cost
    last = captured[-1]["summary"]
    lines += ["", "Slowest dependencies (last run, as the portal's *Dependencies* tab ranks them):", "",
              "| type | name | calls | average ms | p95 ms |", "|---|---|---:|---:|---:|"]
    for dep in last["slowest_dependencies"]:
        lines.append(f"| {dep['type']} | {dep['name']} | {dep['count']:,.0f} | {dep['average_ms']:.3f} | "
                     f"{dep['p95_ms']:.3f} |")
    if not last["slowest_dependencies"]:
        lines.append("| – | no dependency telemetry captured | | | |")
    lines.append("")
    return lines


def rs256_check(page):
    """The micro-benchmark's median RS256 verification, from the results file next to the page."""
    results = micro_report.load(os.path.join(os.path.dirname(page), "results", "micro-benchmarks.json"))
    return micro_report.figure(results, "BM_VerifyRs256/real_time/threads:1")


def cpu_lines(cpu):
    """The CPU time per request of each process in the cached-gzip runs; nothing for older results."""
    if not cpu:
        return []
    def pair(name):
        return f"{cpu[name + '_user'] + cpu[name + '_system']:.1f} µs (user {cpu[name + '_user']}, system {cpu[name + '_system']})"
    return [f"- CPU per request in those runs (medians; the 2 cores are shared by all of them): Vitrina {pair('vitrina')} "
            f"and its Redis {pair('redis')}, wrk {pair('wrk_with_vitrina')}; nginx {pair('nginx')}, "
            f"wrk {pair('wrk_with_nginx')}."]


def compression_section(path):
    """Compression (issue #17), from bench/load/compression.sh's results file; nothing when absent."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as source:
        result = json.load(source)
    lines = ["## Compression", "",
             "Measured by `bench/load/compression.sh` (part of `make bench`; "
             "[results/compression.json](results/compression.json), [.txt](results/compression.txt)), "
             f"binary `{result.get('binary', '?')}` ({result.get('build_type', '?')} build)."]
    if result.get("build_type") != "Release":
        lines += ["", "**Not a release build**: the bytes on the wire do not depend on the build and stand; "
                  "the throughput ratio and the miss times do, so their verdicts wait for a release run."]
    lines += ["", "| answer | identity | gzip | br | target |", "|---|---:|---:|---:|---|"]
    targets = {"/catalog": lambda w: f"br ≤ 1/10: {verdict(w['br_fraction'] <= 0.1)}; "
                                     f"gzip ≤ 1/7: {verdict(w['gzip_fraction'] <= 1 / 7)}"}
    for answer, wire in result["bytes_on_wire"].items():
        target = targets.get(answer, lambda w: "")(wire)
        lines.append(f"| `{answer}` | {wire['identity']:,} B | {wire['gzip']:,} B ({wire['gzip_fraction']:.3f}) | "
                     f"{wire['br']:,} B ({wire['br_fraction']:.3f}) | {target} |")
    nginx = result["cached_fair_gzip_vs_nginx_gzip_static"]
    miss = result["full_catalog_miss_ms"]
    release = result.get("build_type") == "Release"
    lines += ["",
              f"- Cached `?cut=Fair` with `Accept-Encoding: gzip` vs nginx `gzip_static on` sending the same "
              f"pre-compressed file: {nginx['median_ratio']:.3f}× (median of {nginx['runs']} runs; target ≥ 0.9×"
              f"{': ' + verdict(nginx['median_ratio'] >= 0.9) if release else ', not established by this run'}).",
              f"- Full-catalog miss, compressed vs identity (medians): gzip {miss['gzip_over_identity']:.2f}×, "
              f"br {miss['br_over_identity']:.2f}× (target ≤ 1.3×"
              f"{': ' + verdict(max(miss['gzip_over_identity'], miss['br_over_identity']) <= 1.3) if release else ', not established by this run'}), "
              "on a server configured as served: the answer is compressed at the fast level (gzip 1, br 1) for the "
              "request, and each miss is timed only after the previous one's background recompression ended.",
              *cpu_lines(nginx.get("cpu_us_per_request")),
              "- Each coding of a stored entry is compressed once and kept beside it (docs/cache.md, \"Compression\"): "
              f"during the wrk runs the server compressed {nginx['compressions_during_runs']} answers, none of them a hit.",
              ""]
    return lines


def query_section(path):
    """Sorting, fields and totals (issue #17), from bench/catalog/query.sh's results file (its own
    run, in turns, medians); nothing when the file is absent."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as source:
        query = json.load(source)
    hits = query["hits"]
    ratio = hits["median_ratio"]
    rps = hits["median_rps"]
    runs = len(hits["runs_rps"])
    lines = ["## Sorting, fields and totals", "",
             f"Measured by `bench/catalog/query.sh` (part of `make bench`; "
             f"[results/catalog-query.json](results/catalog-query.json), "
             f"[.txt](results/catalog-query.txt)), on its own server, in turns, medians of {runs} runs, "
             f"binary `{query.get('binary', '?')}`."]
    if not query.get("binary", "").startswith("build/release"):
        lines += ["", "**Not a release build**: this run used a development (Debug) binary, so its absolute "
                  "figures are not comparable with the tables above, and its verdicts are indicative only; "
                  "`make bench` runs it on the release build."]
    if min(r["sorted"] / r["plain"] for r in hits["runs_rps"]) < 0.8 or \
            max(r["sorted"] / r["plain"] for r in hits["runs_rps"]) > 1.25:
        lines += ["", "**Noisy run**: the per-run ratios spread beyond ±20% (other jobs shared the cores), "
                  "so the medians cannot confirm or refute a 5% difference; run it again on a quiet machine."]
    lines += ["",
             "| cached hit (`X-Cache: HIT`) | requests/s | vs the plain page | target |", "|---|---|---|---|",
             f"| plain `{hits['paths']['plain']}` | {fmt(rps['plain'])} | 1 | |",
             f"| sorted `{hits['paths']['sorted']}` | {fmt(rps['sorted'])} | {ratio['sorted_vs_plain']:.3f} | "
             f"within 5%: {verdict(ratio['sorted_vs_plain'] >= 0.95)} |",
             f"| fields `{hits['paths']['fields']}` | {fmt(rps['fields'])} | {ratio['fields_vs_plain']:.3f} | "
             f"within 5% or faster: {verdict(ratio['fields_vs_plain'] >= 0.95)} |", "",
             "A hit sends stored bytes whatever the query, so sort and fields cost only their parsing; a "
             "field-selected page is also smaller. What a miss pays for `total` (the list statement alone, "
             "pgbench, one client, a page of 100):", "",
             "| page | no total | total: separate count (served) | total: window count(*) OVER () |",
             "|---|---|---|---|"]
    for name, case in query["total_cost"].items():
        median = case["median_ms"]
        lines.append(f"| {name} | {median['none']:.2f} ms | {median['count']:.2f} ms "
                     f"({median['count'] / median['none']:.2f}×) | {median['window']:.2f} ms "
                     f"({median['window'] / median['none']:.2f}×) |")
    lines += ["", "The separate count reads only what the filters need (an index for a category); the window "
              "makes PostgreSQL read every matching row with all its columns before the limit. See "
              "[api.md](api.md#pagination).", ""]
    return lines


def stream_section(path):
    """Unpaginated GET /catalog streamed from PostgreSQL (issue #21), from bench/catalog/stream.sh's
    results file (its own run, in turns, medians); nothing when the file is absent."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as source:
        stream = json.load(source)
    # A larger size run on its own (fewer runs, one batch size), beside the main file.
    extra_path = path.replace(".json", "-10m.json")
    headers = [stream.get("header", "")]
    extra_sizes = []
    if os.path.exists(extra_path):
        with open(extra_path, encoding="utf-8") as source:
            extra = json.load(source)
        extra_sizes = extra["sizes"]
        headers.append(extra.get("header", ""))
    lines = ["## Catalogs of any size: the unpaginated answer streamed", "",
             "Measured by `bench/catalog/stream.sh` ([results/catalog-stream.json](results/catalog-stream.json), "
             "[.txt](results/catalog-stream.txt), [results/catalog-stream-10m.json](results/catalog-stream-10m.json), "
             "[.txt](results/catalog-stream-10m.txt); not part of `make bench`) on generated diamonds-shaped "
             "catalogs (`bench/etl/generate.awk`), the server and `psql` in turns, medians, binary "
             f"`{stream.get('binary', '?')}`: " + "; ".join(f"`{h}`" for h in headers) + ". The times vary "
             "from run to run on this shared 2-core machine (each run's figures are in the .txt files); the "
             "memory figures do not."]
    if not stream.get("binary", "").startswith("build/release"):
        lines += ["", "**Not a release build**: this run used a development (Debug) binary, whose JSON and "
                  "socket work is several times slower than a release build's; the memory figures hold, the "
                  "throughput ratio is a lower bound."]
    lines += ["",
              "| rows | answer | time to first byte (target ≤ 200 ms) | full `GET /catalog` | `psql` COPY to /dev/null "
              "| throughput vs psql (target ≥ 0.8) | server peak RSS over idle (target ≤ 64 MB) | PostgreSQL backend peak RSS |",
              "|---|---|---|---|---|---|---|---|"]
    for size in stream["sizes"] + extra_sizes:
        ttfb = median(size["ttfb_s"])
        total = median(size["total_s"])
        psql = median(size["psql_s"])
        over = (median(size["server_peak_kb"]) - size["idle_kb"]) / 1024
        backend = median(size["backend_peak_kb"]) / 1024
        lines.append(f"| {size['rows']:,} | {size['bytes'] / 1e6:.0f} MB | {ttfb * 1000:.0f} ms {verdict(ttfb <= 0.2)} "
                     f"| {total:.2f} s ({size['bytes'] / total / 1e6:.0f} MB/s) | {psql:.2f} s "
                     f"({size['bytes'] / psql / 1e6:.0f} MB/s) | {psql / total:.2f} {verdict(psql / total >= 0.8)} "
                     f"| {over:.1f} MB {verdict(over <= 64)} | {backend:.0f} MB |")
    befores = [size for size in stream["sizes"] + extra_sizes if "before" in size]
    if befores:
        lines += ["", "The same runs with the build before the change (`SB_BEFORE`, served beside it and timed in "
                  "the same turns: before, after, psql), so that the comparison holds on a loaded machine. "
                  "(The build before streaming, which built each answer as one value, is not run here: at 1M rows "
                  "its first byte came after 7-11 s, against a 10 s request timeout, with up to 958 MB of server "
                  "memory: [results/catalog-stream-1m-whole-answer.txt](results/catalog-stream-1m-whole-answer.txt).)", "",
                  "| rows | build | time to first byte | full `GET /catalog` | throughput vs psql | server peak RSS over idle |",
                  "|---|---|---|---|---|---|"]
        for size in befores:
            psql = median(size["psql_s"])
            for name, case, idle in (("before: `" + size["before"]["binary"] + "`", size["before"],
                                      size["before"]["idle_kb"]),
                                     ("after: `" + stream.get("binary", "?") + "`", size, size["idle_kb"])):
                total = median(case["total_s"])
                over = (median(case["server_peak_kb"]) - idle) / 1024
                lines.append(f"| {size['rows']:,} | {name} | {median(case['ttfb_s']) * 1000:.0f} ms "
                             f"| {total:.2f} s | {psql / total:.2f} | {over:.1f} MB |")
    lines += ["", "Rows per FETCH (`CATALOG_STREAM_BATCH_ROWS`), full `GET /catalog`, median wall time:", "",
              "| rows | " + " | ".join(f"{b} per FETCH" for b in stream["sizes"][0]["batches"]) + " |",
              "|---|" + "---|" * len(stream["sizes"][0]["batches"])]
    for size in stream["sizes"]:
        lines.append(f"| {size['rows']:,} | " +
                     " | ".join(f"{case['median_s']:.2f} s" for case in size["batches"].values()) + " |")
    cached = [size for size in stream["sizes"] + extra_sizes if size.get("cached_vs_nginx")]
    if cached:
        lines += ["", "A cached full answer, on a server letting the cache store it (`CACHE_MAX_ENTRY_BYTES` and "
                  "`CACHE_LOCAL_MAX_BYTES` 400 MiB, Redis `maxmemory` 1 GB; [cache.md](cache.md#large-answers)), "
                  "one request at a time (curl to /dev/null) in turns with nginx sending the same file "
                  "(`sendfile on`), medians:", "",
                  "| rows | answer | vitrina, `X-Cache: HIT` (sendfile of the local copy) | nginx | vitrina / nginx throughput |",
                  "|---|---|---|---|---|"]
        for size in cached:
            api = median(size["cached_vs_nginx"]["vitrina_s"])
            nginx = median(size["cached_vs_nginx"]["nginx_s"])
            lines.append(f"| {size['rows']:,} | {size['bytes'] / 1e6:.0f} MB | {api * 1000:.0f} ms "
                         f"({size['bytes'] / api / 1e9:.2f} GB/s) | {nginx * 1000:.0f} ms "
                         f"({size['bytes'] / nginx / 1e9:.2f} GB/s) | {nginx / api:.2f} |")
    lines += ["", "The first request of each size is a MISS that keeps no copy for the cache: the planner "
              "expects it over 1.25 × `CACHE_MAX_ENTRY_BYTES` (64 MiB), so its key is marked too large as it "
              "starts; the runs above are the requests after it "
              "(`X-Cache: BYPASS`, `X-Cache-Bypass: too-large`). An answer known (marked too large) or "
              "expected (the planner's rows times the first batch's bytes per item over twice "
              "`CATALOG_STREAM_AFTER_BYTES`) to be large leaves with its first batch; before, the first 8 MiB "
              "were read first, which was the whole time to first byte. The FETCHes are pipelined (libpq "
              "pipeline mode, one always queued ahead): with one at a time PostgreSQL waited a round trip "
              "per batch, and the stream ran at the pace of psql's own FETCH loop. The backend's "
              "RSS counts the shared buffers it touched, not memory of the query's own: a cursor keeps one "
              "batch. See [api.md](api.md#streamed-answers) and [cache.md](cache.md#large-answers).", ""]
    return lines


def write_page(results, page, img_dir, made):
    rel = os.path.relpath(img_dir, os.path.dirname(page))
    cores = results["machine"]["cores"]
    s = results["settings"]
    mix_speedup = ratio(results, "mix_cache", "mix_nocache")
    mix_vs_nginx = ratio(results, "mix_cache", "mix_nginx")
    nocache_vs_pg = ratio(results, "mix_nocache", "mix_pgbench")
    fair_vs_nginx = ratio(results, "fair_cache", "fair_nginx")
    fair_speedup = ratio(results, "fair_cache", "fair_nocache")
    auth_ratio = ratio(results, "fair_cache", "fair_public")
    auth_cost = (1 - auth_ratio) * 100
    auth_runs = [a["rps"] / b["rps"] for a, b in zip(results["cases"]["fair_cache"]["runs"],
                                                     results["cases"]["fair_public"]["runs"]) if b["rps"]]
    auth_caveat = (" by the median, but the runs disagree (one over 10% slower, one faster): not "
                   "conclusive on this shared machine"
                   if min(auth_runs) < 0.9 and max(auth_runs) > 1.0 else "")
    full = results["full_catalog"]
    full_entry = next(m for m in results["mix"] if m["path"] == "/catalog")
    hit_ms, miss_ms = (median(r[k] for r in full) for k in ("hit", "miss"))
    hit_speedup = median(r["miss"] / r["hit"] for r in full if r["hit"] and r["miss"]) or 0.0
    hit_redis_ms = median(r.get("hit_redis") for r in full)
    unexpected = sum(len(r["hit_unexpected"]) + len(r.get("hit_redis_unexpected", [])) + len(r["miss_unexpected"])
                     for r in full)
    fair_redis_vs_nginx = ratio(results, "fair_cache_redis", "fair_nginx") if "fair_cache_redis" in results["cases"] else None
    loads = [run["load_average"][0] for c in results["cases"].values() for run in c["runs"]]
    mix_rows = sum(m["rows"] * m["weight"] for m in results["mix"]) / sum(m["weight"] for m in results["mix"])
    mix_bytes = sum(m["bytes"] * m["weight"] for m in results["mix"]) / sum(m["weight"] for m in results["mix"])

    out = []
    add = out.append
    add("# Performance: the catalog API under load, before and after the cache")
    add("")
    add("*Written by `make bench` (bench/load/run.sh) on " + results["started"] + "; do not edit by hand.*")
    add("")
    add("## In short")
    add("")
    add("Vitrina answers `GET /catalog` (the diamonds, filtered) for signed-in users. Without the cache, "
        "every request makes PostgreSQL find the rows and build the JSON. With the cache, the first "
        "request for a question stores the finished answer in Redis, and the following ones are sent "
        "from there: each instance keeps a copy of the answers it has read and asks Redis for the "
        "entry's 55-byte header; when Redis still holds exactly those bytes the copy is sent, and for "
        "a lease (`CACHE_LOCAL_LEASE_MS`, 50 ms) without asking again, otherwise the body is read from "
        "Redis again (or the query runs, if the key is gone). "
        "This page measures both with the same load, next to two references: "
        "**nginx** sending the very same bytes from files (about the fastest any server can hand out "
        "a ready answer) and **pgbench** running the same SQL directly on PostgreSQL (the most the "
        "database can do without any API in front).")
    add("")
    add(f"- With a realistic mix of queries, the API with the cache serves **{mix_speedup:.2f}×** the "
        f"requests per second of the API without it "
        f"({fmt(figure(results, 'mix_nocache', 'rps'))} → {fmt(figure(results, 'mix_cache', 'rps'))} "
        f"requests/s); median latency goes from {figure(results, 'mix_nocache', 'p50_ms'):.2f} ms to "
        f"{figure(results, 'mix_cache', 'p50_ms'):.2f} ms.")
    add(f"- With the cache, the API reaches **{mix_vs_nginx:.2f}×** nginx's throughput on the mix and "
        f"**{fair_vs_nginx:.2f}×** on `?cut=Fair`"
        + (f" ({fair_redis_vs_nginx:.2f}× when every hit reads the body from Redis, "
           "`CACHE_LOCAL_MAX_BYTES=0`)." if fair_redis_vs_nginx is not None else "."))
    add(f"- Asking for the whole catalog ({full_entry['rows']:,} rows) takes "
        f"**{fmt(hit_ms)} ms** from the cache and {fmt(miss_ms)} ms without it (**{hit_speedup:.0f}×**)"
        + (f"; {fmt(hit_redis_ms)} ms when the body is read from Redis." if hit_redis_ms else "."))
    add(f"- Requiring a token changes the throughput of a cached request by **{-auth_cost:+.1f}%** "
        f"({'slower' if auth_cost > 0 else 'faster'} with the token than without; see the targets "
        "table for the spread over the runs).")
    top, top_cores, machine, _ = bottleneck(results, "mix_nocache")
    top_c, top_c_cores, machine_c, _ = bottleneck(results, "mix_cache")
    add(f"- Bottleneck: without the cache, **{top}** uses the most CPU ({top_cores:.2f} of {cores} cores); "
        f"with the cache, **{top_c}** ({top_c_cores:.2f} cores). Details and evidence below.")
    others = max(cpu(results, case)["everything else on the machine"] for case in results["cases"])
    if others <= QUIET_OTHER_CORES:
        add(f"- The machine has {cores} cores and nothing else of note ran during the run (other "
            f"processes used at most {others:.2f} cores in any case; the load average of "
            f"{min(loads):.1f}–{max(loads):.1f} when the cases started is the bench's own: the server, "
            "its services and the load tool share the same cores). The ratios compare cases measured "
            "back to back and are the figures to rely on.")
    else:
        add(f"- The machine has {cores} cores and was **shared** with other work during the run (other "
            f"processes used up to {others:.2f} cores in a case; load average "
            f"{min(loads):.1f}–{max(loads):.1f} when the cases started; CPU used by other processes "
            "is shown in every CPU table). Absolute numbers are therefore lower than on an idle "
            "machine; the ratios compare cases measured back to back and are the figures to rely on.")
    add("")
    add("## Targets")
    add("")
    add("| what | measured | target | |")
    add("|---|---:|---:|---|")
    add(f"| cached `GET /catalog?cut=Fair` with a token, vs nginx serving the same body (requests/s) | "
        f"{fair_vs_nginx:.2f}× (runs: {per_run(results, 'fair_cache', 'fair_nginx')}) | ≥ 0.8× | "
        f"{verdict(fair_vs_nginx >= 0.8)} |")
    runs_full = ", ".join(f"{r['miss'] / r['hit']:.1f}" for r in full if r["hit"] and r["miss"])
    add(f"| full catalog: cache hit vs miss, median latency of sequential requests | {hit_speedup:.1f}× faster "
        f"(runs: {runs_full}) | "
        f"≥ 30× | {verdict(hit_speedup >= 30)} |")
    add(f"| throughput, cache on vs `CACHE_ENABLED=false` (mix) | {mix_speedup:.2f}× "
        f"(runs: {per_run(results, 'mix_cache', 'mix_nocache')}) | higher | "
        f"{verdict(mix_speedup > 1)} |")
    add(f"| authentication cost: token required vs `AUTH_PUBLIC_READS=true` (cached `?cut=Fair`) | "
        f"{-auth_cost:+.1f}% (ratios per run: {per_run(results, 'fair_cache', 'fair_public')}) | "
        f"at most 10% slower | {verdict(auth_cost <= 10)}{auth_caveat} |")
    add("")
    add("Each ratio is computed within each run (the cases of a run are measured one after the other, "
        "and the cases a target compares are neighbours: the cached `?cut=Fair` with a token is measured "
        "right after public reads and right before nginx) and the median over the runs is shown; the "
        "per-run values show how much the shared machine moved them.")
    add("")
    add("## How it was measured")
    add("")
    add("```sh")
    add("make bench                          # BENCH_PORTS=25700 (uses 25700..25715)")
    add("make bench BENCH_PORTS=29500 BENCH_DURATION=5 BENCH_RUNS=3")
    add("```")
    add("")
    add(f"- A release build of `vitrina serve`, its own PostgreSQL, Redis, Firebase Auth emulator and "
        "Application Insights capture server (`tools/services.sh`), all on this machine. The diamonds "
        "dataset is loaded with `vitrina etl run`. A new user signs up and logs in through the API "
        "(`POST /signup`, `POST /login`); every request below carries that user's Firebase ID token "
        "(`Authorization: Bearer …`) unless the case says otherwise.")
    add(f"- Load: `wrk -t{s['wrk_threads']} -c{s['connections']} -d{s['duration_s']}s` with "
        "`bench/load/mix.lua`, which picks each request's path at random by weight. "
        f"Every case runs {s['runs']} times, {s['duration_s']} s each; the cases are interleaved "
        "(run 1 of every case, then run 2, …). Figures are medians over the runs.")
    add(f"- Server: `THREADS={s['server_threads']}`, `DB_POOL_SIZE={s['db_pool']}`, "
        f"`CACHE_REDIS_TIMEOUT_MS={s['redis_timeout_ms']}` (an idle timeout: the 7 MB full-catalog answer "
        "may take longer to arrive while bytes keep coming, up to `CACHE_REDIS_TRANSFER_TIMEOUT_MS`), "
        "access log on (one JSON "
        f"line per request, as in production). nginx: {s['server_threads']} workers, access log on "
        "(buffered), `sendfile on`. pgbench: the server's own prepared statement (`vitrina serve --print-sql`) "
        f"with each mix query's parameters written in, `-M prepared -c {s['db_pool']}` (as many sessions as "
        "the API's pool), weighted like the mix; it is checked to find the same number of rows as the API.")
    add("- CPU per process: `/proc/PID/stat` (user + system time of each process tree, including exited "
        "children) read before and after each case, divided by the case's duration: 1.00 = one core busy. "
        "\"everything else\" is the machine's total (`/proc/stat`) minus the processes of the bench.")
    add(f"- Machine: {cores} cores, Linux {results['machine']['kernel']}; load average "
        f"{' / '.join(str(v) for v in results['machine']['load_average_before'])} (1/5/15 min) before, "
        f"{' / '.join(str(v) for v in results['machine']['load_average_after'])} after; the run ended "
        f"{results['finished']}.")
    add("")
    add("### The request mix")
    add("")
    add(f"On average a request of the mix returns {mix_rows:,.0f} rows, {mix_bytes / 1e3:,.0f} kB.")
    add("")
    add("| weight | path | rows | bytes |")
    add("|---:|---|---:|---:|")
    for entry in results["mix"]:
        add(f"| {entry['weight']} | `{entry['path']}` | {entry['rows']:,} | {entry['bytes']:,} |")
    add("")
    add("## Results: the realistic mix")
    add("")
    out.extend(case_table(results, MIX_CASES + present(results, TELEMETRY_CASES)))
    add("")
    add("One request in "
        f"{sum(m['weight'] for m in results['mix']) // full_entry['weight']} asks for the whole catalog "
        f"({full_entry['bytes'] / 1e6:.1f} MB): without the cache each of those costs PostgreSQL seconds of CPU "
        "(see the full-catalog section), so how many of them a 10-s run happens to draw moves the mix figures "
        "from run to run.")
    add("")
    add(f"Cache on vs off: **{mix_speedup:.2f}×** the requests/s. Cache on vs nginx: {mix_vs_nginx:.2f}×. "
        f"Cache off vs pgbench (the database alone): {nocache_vs_pg:.2f}×. Latencies are end to end as wrk "
        "sees them (for pgbench: per transaction, from its log).")
    add("")
    add(f"![requests per second]({rel}/{made['throughput']})")
    add("")
    add(f"![latency]({rel}/{made['latency']})")
    add("")
    add("## Results: one cached query, `GET /catalog?cut=Fair`")
    add("")
    add(f"{results['fair']['rows']:,} rows, {results['fair']['bytes']:,} bytes.")
    add("")
    out.extend(case_table(results, FAIR_CASES))
    add("")
    add(f"- Cached API vs nginx with the identical body: **{fair_vs_nginx:.2f}×** (target ≥ 0.8×).")
    add(f"- Cache on vs off for this query: {fair_speedup:.1f}×.")
    if "fair_cache_memory" in results["cases"] and results["cases"]["fair_cache_memory"]["runs"]:
        add(f"- Local copies sent from memory instead of with sendfile (`CACHE_SENDFILE_MIN_BYTES=0`): "
            f"{fmt(figure(results, 'fair_cache_memory', 'rps'))} requests/s, "
            f"{ratio(results, 'fair_cache_memory', 'fair_nginx'):.2f}× nginx; sendfile gives "
            f"{ratio(results, 'fair_cache', 'fair_cache_memory'):.2f}× that. With sendfile the kernel "
            "sends the pages of a sealed in-memory file instead of copying the 213 kB body out of "
            "the process on every request.")
    if fair_redis_vs_nginx is not None:
        add(f"- Every hit reading the body from Redis (`CACHE_LOCAL_MAX_BYTES=0`): "
            f"{fmt(figure(results, 'fair_cache_redis', 'rps'))} requests/s, {fair_redis_vs_nginx:.2f}× nginx. "
            "The difference is the body's trip from Redis into the API (Redis copies it into its socket, "
            "the API reads and parses it) on every request.")
    add(f"- Token required vs public reads: {auth_ratio:.3f}× the throughput ({-auth_cost:+.1f}%; target: "
        "at most 10% slower). A token is checked once and then remembered (at most "
        "`AUTH_TOKEN_CACHE_SECONDS`, never past its expiry; the bench's emulator tokens are unsigned, "
        f"real Firebase tokens cost an RS256 check of {rs256_check(page)} the first time: `make bench-micro`), "
        "and the user's status "
        "comes from the in-process user-status cache: no PostgreSQL query per request.")
    add("")
    add(f"![cut=Fair]({rel}/{made['fair']})")
    add("")
    add("## Results: the full catalog, hit vs miss")
    add("")
    add(f"`GET /catalog` without parameters ({full_entry['rows']:,} rows, "
        f"{full_entry['bytes'] / 1e6:.1f} MB), {s['sequential_requests']} requests one after "
        "the other (no concurrency), median per run, then the median of the runs. *Miss*: the key "
        "`catalog:all` is deleted before each request, so each one runs the query and stores the answer. "
        "*Hit*: the instance sends its copy (confirmed by a 55-byte `GETRANGE` less than a lease ago); "
        "*hit, body from Redis*: a server with `CACHE_LOCAL_MAX_BYTES=0` reads the 7 MB entry from Redis "
        "on every request. "
        "Only answers with the expected `X-Cache` (HIT, resp. MISS) are counted; "
        f"{unexpected} answers of another kind (e.g. BYPASS) were left out.")
    add("")
    add("| run | hit ms | hit ms, body from Redis | miss ms | miss / hit | other answers | load average |")
    add("|---|---:|---:|---:|---:|---|---:|")
    for index, r in enumerate(full, 1):
        speedup = f"{r['miss'] / r['hit']:.1f}×" if r["hit"] and r["miss"] else "–"
        other = ", ".join(r["hit_unexpected"] + r.get("hit_redis_unexpected", []) + r["miss_unexpected"]) or "none"
        add(f"| {index} | {fmt(r['hit'], 2)} | {fmt(r.get('hit_redis'), 2)} | {fmt(r['miss'], 2)} | {speedup} | {other} | "
            f"{r['load_average'][0]:.2f} |")
    add(f"| **median** | **{fmt(hit_ms, 2)}** | {fmt(hit_redis_ms, 2)} | **{fmt(miss_ms, 2)}** | **{hit_speedup:.1f}×** | | |")
    add("")
    add(f"![full catalog]({rel}/{made['full']})")
    add("")
    add("## Where the time goes (the bottleneck)")
    add("")
    out.extend(cpu_table(results, MIX_CASES + FAIR_CASES + present(results, TELEMETRY_CASES)))
    add("")
    for case in MIX_CASES[:2] + ["fair_cache"]:
        top, top_cores, machine, _ = bottleneck(results, case)
        usage = cpu(results, case)
        add(f"- **{results['cases'][case]['label']}**: {top} uses {top_cores:.2f} cores "
            f"(postgres {usage['postgres']:.2f}, redis {usage['redis']:.2f}, vitrina {usage['vitrina']:.2f}, "
            f"wrk {usage['load tool (wrk / pgbench)']:.2f}); the machine was {machine:.2f} of {cores} cores busy"
            + ((f", {usage['everything else on the machine']:.2f} of them by other jobs: the case was "
                "CPU-bound and got only what the other jobs left."
                if usage['everything else on the machine'] > QUIET_OTHER_CORES
                else ": the case was CPU-bound, the processes of the bench sharing the cores.")
               if machine >= cores * 0.9 else "."))
    add("")
    add("How to read this: a case is limited by the process that uses the most CPU when the machine is "
        "(nearly) saturated. PostgreSQL's share is the cost of finding the rows and building the JSON; "
        "vitrina's is HTTP, the token check and copying answers (from PostgreSQL or Redis); wrk shares the "
        "same cores. CPU taken by *everything else on the machine* (other jobs) is CPU the bench did not get.")
    add("")
    add(f"![cpu]({rel}/{made['cpu']})")
    add("")
    out.extend(telemetry_section(results))
    out.extend(query_section(os.path.join(os.path.dirname(page), "results", "catalog-query.json")))
    out.extend(compression_section(os.path.join(os.path.dirname(page), "results", "compression.json")))
    out.extend(stream_section(os.path.join(os.path.dirname(page), "results", "catalog-stream.json")))
    add("## Reproducing and raw data")
    add("")
    add("`make bench` rebuilds the release binary, starts everything in `.run/bench` (override with "
        "`BENCH_STATE`), and stops it all at the end. The raw output of the last run (wrk summaries, "
        "pgbench logs, captured envelopes, `results.json`) stays in `.run/bench/out/`; "
        "`docs/performance-results.json` is the copy this page was written from. Knobs: `BENCH_PORTS`, "
        "`BENCH_DURATION`, `BENCH_RUNS`, `BENCH_CONNECTIONS`, `BENCH_WRK_THREADS`, `BENCH_SERVER_THREADS`, "
        "`BENCH_DB_POOL`, `BENCH_SEQUENTIAL`; the mix is `bench/load/mix.txt`.")
    add("")
    with open(page, "w", encoding="utf-8") as target:
        target.write("\n".join(out))


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    results_path, page, img_dir = sys.argv[1:]
    with open(results_path, encoding="utf-8") as source:
        results = json.load(source)
    made = charts(results, img_dir)
    write_page(results, page, img_dir, made)
    with open(os.path.join(os.path.dirname(page), "performance-results.json"), "w", encoding="utf-8") as target:
        json.dump(results, target, indent=1)


if __name__ == "__main__":
    main()
