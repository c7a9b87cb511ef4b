#!/usr/bin/env python3
"""Unit tests for telemetry_summary.py: python3 -m unittest bench/report/test_telemetry_summary.py"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import telemetry_summary as summary  # noqa: E402


def request(name, start, duration, success=True):
    return {"name": "Microsoft.ApplicationInsights.Request", "time": start,
            "data": {"baseType": "RequestData",
                     "baseData": {"name": name, "duration": duration, "success": success}}}


def dependency(kind, name, duration):
    return {"name": "Microsoft.ApplicationInsights.RemoteDependency", "time": "2024-05-01T00:00:00.000000Z",
            "data": {"baseType": "RemoteDependencyData",
                     "baseData": {"type": kind, "name": name, "duration": duration}}}


class SummaryTest(unittest.TestCase):
    def test_duration_parses_days_hours_and_microseconds(self):
        self.assertAlmostEqual(summary.parse_duration("0.00:00:00.001500"), 1.5)
        self.assertAlmostEqual(summary.parse_duration("1.01:00:00.000000"), 25 * 3_600_000)

    def test_figures_match_the_performance_view(self):
        envelopes = [
            request("GET /catalog", "2024-05-01T00:00:00.000000Z", "0.00:00:00.002000"),
            request("GET /catalog", "2024-05-01T00:00:00.500000Z", "0.00:00:00.004000"),
            request("GET /health", "2024-05-01T00:00:00.998000Z", "0.00:00:00.002000", False),
            dependency("postgresql", "kSelectCatalogPage", "0.00:00:00.003000"),
            dependency("redis", "GET", "0.00:00:00.000500"),
        ]
        result = summary.summarise(envelopes)
        self.assertEqual(result["requests"], 3)
        self.assertEqual(result["failed_requests"], 1)
        self.assertAlmostEqual(result["request_rate_per_s"], 3.0)
        self.assertAlmostEqual(result["average_duration_ms"], 8 / 3)
        self.assertEqual(result["operations"]["GET /catalog"]["count"], 2)
        self.assertEqual(result["slowest_dependencies"][0]["name"], "kSelectCatalogPage")


if __name__ == "__main__":
    unittest.main()
