#!/usr/bin/env python3
"""deploy/azure/workbook.json, the Application Insights workbook deploy.sh deploys.

Azure is unreachable here, so its KQL cannot run; what is checked: the workbook is well formed
(parameters, one query item per question), docs/observability.md quotes every query exactly,
every query reads only what the server sends (the `cache` dimension and its values are the ones
api/observability.cpp sets), and the figures of the first query computed by
bench/report/telemetry_summary.py from envelopes shaped like the server's (sampled ones weighted
by itemCount = 100/sampleRate, as the KQL's sum(itemCount) does).

  python3 tests/deploy/workbook_test.py [REPO_ROOT]
"""
import json
import os
import re
import sys
import unittest

ROOT = os.path.abspath(sys.argv.pop(1) if len(sys.argv) > 1 and os.path.isdir(sys.argv[1])
                       else os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench", "report"))
import telemetry_summary  # noqa: E402


def read(*path):
    with open(os.path.join(ROOT, *path), encoding="utf-8") as f:
        return f.read()


WORKBOOK = json.loads(read("deploy", "azure", "workbook.json"))
QUERIES = {item["name"]: item["content"]["query"] for item in WORKBOOK["items"] if item["type"] == 3}


def request(start, duration, cache, sample_rate=100.0, name="GET /catalog"):
    return {"time": start, "sampleRate": sample_rate,
            "data": {"baseType": "RequestData",
                     "baseData": {"name": name, "duration": duration, "success": True,
                                  "properties": {"cache": cache}}}}


class WorkbookTest(unittest.TestCase):
    def test_the_workbook_answers_each_question(self):
        self.assertEqual(WORKBOOK["version"], "Notebook/1.0")
        self.assertEqual(sorted(QUERIES), ["before-after", "catalog-by-cache", "failures", "rate-by-cache",
                                           "slowest-dependencies"])
        (parameters,) = [item for item in WORKBOOK["items"] if item["type"] == 9]
        names = {p["name"] for p in parameters["content"]["parameters"]}
        self.assertEqual(names, {"TimeRange", "Before"})
        for name, query in QUERIES.items():
            used = set(re.findall(r"\{(\w+)(?::\w+)?\}", query))
            self.assertTrue(used <= names, f"{name} uses an undeclared parameter: {used - names}")
            self.assertIn("itemCount", query, f"{name} must weight sampled items")

    def test_the_docs_quote_every_query_exactly(self):
        doc = read("docs", "observability.md")
        blocks = re.findall(r"```kql\n(.*?)\n```", doc, re.S)
        for name, query in QUERIES.items():
            self.assertIn(query, blocks, f"docs/observability.md does not quote the workbook's {name} query")

    def test_the_queries_read_what_the_server_sends(self):
        observability = read("src", "vitrina", "api", "observability.cpp")
        self.assertIn('properties[property_count++] = {"cache", cache_result}', observability)
        sent = set(re.findall(r'cache_result = "(\w+)"', observability))
        for name, query in QUERIES.items():
            for value in re.findall(r'customDimensions\.cache\) == "(\w+)"', query):
                self.assertIn(value, sent, f"{name} filters on a cache result the server never sends")
            # A request's name is its method and route template ("GET /catalog").
            for route in re.findall(r'name == "([^"]+)"', query):
                method, _, template = route.partition(" ")
                self.assertIn(method, ("GET", "POST", "PUT", "DELETE"), name)
                self.assertIn(f'"{template}"', read("src", "vitrina", "api", "routes.cpp"), name)

    def test_the_first_query_computed_from_envelopes(self):
        envelopes = [
            request("2026-12-04T10:00:00.000000Z", "0.00:00:00.002000", "hit"),
            request("2026-12-04T10:00:01.000000Z", "0.00:00:00.004000", "hit", sample_rate=50.0),
            request("2026-12-04T10:00:02.000000Z", "0.00:00:00.250000", "miss"),
            request("2026-12-04T10:00:09.750000Z", "0.00:00:00.250000", "bypass"),
            request("2026-12-04T10:00:05.000000Z", "0.00:00:00.001000", "", name="GET /healthz"),
        ]
        figures = telemetry_summary.summarise(envelopes)["catalog_by_cache"]
        self.assertEqual(sorted(figures), ["bypass", "hit", "miss"])
        hit = figures["hit"]
        self.assertEqual(hit["count"], 3.0)  # 1 + 100/50: sum(itemCount)
        self.assertAlmostEqual(hit["average_ms"], (2 * 1 + 4 * 2) / 3)  # sum(itemCount * duration) / sum(itemCount)
        self.assertAlmostEqual(hit["per_second"], 3 / 10.0)  # 10 s from the first start to the last end
        self.assertEqual(figures["miss"]["count"], 1.0)
        self.assertAlmostEqual(figures["bypass"]["average_ms"], 250.0)


if __name__ == "__main__":
    unittest.main()
