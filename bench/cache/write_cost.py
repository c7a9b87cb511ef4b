#!/usr/bin/env python3
"""Admin write latency against the number of registered cache keys it cannot affect (#16).

  bench/cache/write_cost.py --port API_PORT --redis-port PORT --token TOKEN [--writes 200]
                            [--sizes 0,10000,100000] [--ttl 600]

For each size: flushes Redis, registers that many junk keys the way the cache does (in the
registry buckets a writer reads, in the indexed format and in the previous release's single set,
so an older binary can be measured the same way), then times sequential POST /catalog of an item
(cut=Fair, price=5000) over one keep-alive connection. The junk is what one user can create and
no such write can change: other categories (cut=Ideal), lower bounds above the price, upper bounds
below it. Each size is measured --rounds times, the sizes taking turns (this machine's speed
drifts), after a few unmeasured writes; prints the medians of p50 and p99 per size and p99 / p99
of the empty registry (target <= 2).
"""
import argparse
import http.client
import json
import statistics
import subprocess
import time

ITEM = json.dumps({"carat": 1.1, "cut": "Fair", "color": "J", "clarity": "VS1", "depth": 61.7,
                   "table": 56, "price": 5000, "x": 6.9, "y": 6.95, "z": 4.28})


def resp(*args):
    """One command in the Redis protocol."""
    out = f"*{len(args)}\r\n"
    for arg in args:
        data = str(arg)
        out += f"${len(data.encode())}\r\n{data}\r\n"
    return out


def register_junk(redis_port, count, ttl):
    now_bucket = int(time.time()) // ttl
    commands = [resp("FLUSHALL")]
    for bucket in (now_bucket - 1, now_bucket):
        manifest = f"vitrina:catalog-index:{bucket}"
        commands += [resp("SADD", manifest, "c:cut=Ideal", "min:price", "max:price", "*")]
        commands.append(resp("SADD", f"{manifest}:*", "catalog:all"))
    for i in range(count):
        bucket = now_bucket - (i % 2)
        manifest = f"vitrina:catalog-index:{bucket}"
        kind = i % 3
        if kind == 0:
            key = f"catalog:cut=Ideal&price_min={i}"
            commands.append(resp("SADD", f"{manifest}:c:cut=Ideal", key))
        elif kind == 1:
            key = f"catalog:limit=1&price_min={100000 + i}"
            commands.append(resp("ZADD", f"{manifest}:min:price", 100000 + i, key))
        else:
            key = f"catalog:limit=1&price_max={i % 4000}"
            commands.append(resp("ZADD", f"{manifest}:max:price", i % 4000, key))
        commands.append(resp("SADD", f"vitrina:catalog-keys:{bucket}", key))  # previous format
    subprocess.run(["redis-cli", "-p", str(redis_port), "--pipe"], input="".join(commands),
                   text=True, check=True, stdout=subprocess.DEVNULL)


def time_writes(port, token, writes):
    connection = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    latencies = []
    for _ in range(writes):
        start = time.perf_counter()
        connection.request("POST", "/catalog", body=ITEM, headers=headers)
        response = connection.getresponse()
        response.read()
        latencies.append((time.perf_counter() - start) * 1000)
        if response.status != 201:
            raise SystemExit(f"POST /catalog answered {response.status}")
    connection.close()
    return latencies


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis-port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--sizes", default="0,10000,100000")
    parser.add_argument("--ttl", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    runs = {size: [] for size in sizes}
    for _ in range(args.rounds):
        for size in sizes:
            register_junk(args.redis_port, size, args.ttl)
            time_writes(args.port, args.token, 20)  # connections, statements, pages warm
            latencies = time_writes(args.port, args.token, args.writes)
            runs[size].append((statistics.median(latencies), percentile(latencies, 0.99)))
    results = []
    for size in sizes:
        results.append({"registered": size,
                        "p50_ms": statistics.median(run[0] for run in runs[size]),
                        "p99_ms": statistics.median(run[1] for run in runs[size]),
                        "p99_runs_ms": [round(run[1], 2) for run in runs[size]]})
    base = results[0]["p99_ms"]
    print(f"{'registered keys':>16} {'p50 ms':>8} {'p99 ms':>8} {'p99 / empty':>12}")
    for row in results:
        row["p99_ratio"] = row["p99_ms"] / base
        print(f"{row['registered']:>16,} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} "
              f"{row['p99_ratio']:>12.2f}   p99 of each round: {row['p99_runs_ms']}")
    worst = max(row["p99_ratio"] for row in results)
    print(f"target: p99 <= 2x the empty registry: {'met' if worst <= 2 else 'NOT met'} "
          f"(worst {worst:.2f}x)")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
