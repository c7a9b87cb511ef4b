#!/usr/bin/env python3
"""What GET /catalog's "total" costs a miss (issue #17), measured on the list statement itself.

    total_cost.py --sql statements.sql --database-url URL [--runs 5] [--seconds 3]

Reads the server's prepared `catalog_list` (from `vitrina serve --print-sql`), binds literal
parameters for a few diamonds pages of 100 items, and times three variants with pgbench (one
client, simple protocol, so each is parsed and planned alike), in turns, `--runs` times:
  none   - the statement with its total switched off (the flag parameter false)
  count  - the statement as served: the total as a separate count(*) of the filters
  window - the alternative: count(*) OVER () in the page's CTE instead of the separate count
Prints one line per run and the medians; --json writes them.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

CASES = {
    # name: {param name in the SQL: literal}
    "all items, limit 100": {},
    "cut=Ideal, limit 100": {"cut": "'{\"Ideal\"}'"},
    "price_min=15000, limit 100": {"price_min": "'15000'"},
}


def list_sql(path):
    text = open(path, encoding="utf-8").read()
    match = re.search(r"-- catalog_list\n(.*?);\n(--|\Z)", text, re.S)
    if not match:
        sys.exit("total_cost: no catalog_list statement in " + path)
    return match.group(1)


def bind(sql, case, total):
    """Replaces every $n::type by a literal: the case's filter values, NULL otherwise, the limit
    100 and the total flag."""
    numbers = sorted({int(n) for n in re.findall(r"\$(\d+)::", sql)})
    limit, flag = numbers[-2], numbers[-1]
    named = {}
    for column, n in re.findall(r'"(\w+)" = ANY\(\$(\d+)::', sql):
        named[column] = int(n)
    for column, n in re.findall(r'"(\w+)" >= \$(\d+)::', sql):
        named.setdefault(column + "_min", int(n))
    values = {n: "NULL" for n in numbers}
    for name, literal in case.items():
        values[named[name]] = literal
    values[limit] = "'100'"
    values[flag] = "'true'" if total else "'false'"
    return re.sub(r"\$(\d+)::", lambda m: values[int(m.group(1))] + "::", sql)


def window(sql):
    """The count(*) OVER () alternative: the window in the matched CTE, the total read from it."""
    sql = sql.replace("WITH matched AS (SELECT id, ", "WITH matched AS (SELECT count(*) OVER () AS window_total, id, ", 1)
    sql = re.sub(r"CASE WHEN \S+::boolean THEN \(SELECT count\(\*\) FROM .*\) END AS total$",
                 "(SELECT max(window_total) FROM matched) AS total", sql, flags=re.S)
    if "window_total" not in sql or "CASE WHEN" in sql:
        sys.exit("total_cost: the list statement no longer has the expected shape")
    return sql


def latency_ms(database_url, sql, seconds):
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(sql.replace("\n", " ") + ";\n")
    try:
        out = subprocess.run(["pgbench", "-n", "-M", "simple", "-c", "1", "-T", str(seconds), "-f",
                              script.name, database_url], check=True, capture_output=True,
                             text=True).stdout
    finally:
        os.unlink(script.name)
    return float(re.search(r"latency average = ([\d.]+) ms", out).group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sql", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args()
    base = list_sql(args.sql)
    results = {}
    for name, case in CASES.items():
        variants = {"none": bind(base, case, False), "count": bind(base, case, True),
                    "window": window(bind(base, case, True))}
        runs = {variant: [] for variant in variants}
        for run in range(1, args.runs + 1):
            for variant, sql in variants.items():
                runs[variant].append(latency_ms(args.database_url, sql, args.seconds))
            print(f"{name} run {run}: " + ", ".join(f"{v} {runs[v][-1]:.2f} ms" for v in variants),
                  flush=True)
        medians = {variant: statistics.median(values) for variant, values in runs.items()}
        print(f"{name}: median none {medians['none']:.2f} ms, count {medians['count']:.2f} ms "
              f"({medians['count'] / medians['none']:.2f}x), window {medians['window']:.2f} ms "
              f"({medians['window'] / medians['none']:.2f}x)", flush=True)
        results[name] = {"runs_ms": runs, "median_ms": medians}
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
