#!/usr/bin/env python3
"""Unit tests for telemetry_summary.py: python3 -m unittest bench/report/test_telemetry_summary.py"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import telemetry_summary as summary  # noqa: E402


def request(name, start, duration, success=True, sample_rate=100.0):
    return {"name": "Microsoft.ApplicationInsights.Request", "time": start, "sampleRate": sample_rate,
            "data": {"baseType": "RequestData",
                     "baseData": {"name": name, "duration": duration, "success": success}}}


def dependency(kind, name, duration, sample_rate=100.0):
    return {"name": "Microsoft.ApplicationInsights.RemoteDependency", "time": "2024-05-01T00:00:00.000000Z",
            "sampleRate": sample_rate,
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
        self.assertEqual(result["items"], 5)
        self.assertEqual(result["items_by_type"], {"RemoteDependencyData": 2, "RequestData": 3})

    def test_sampled_envelopes_count_as_100_over_their_sample_rate(self):
        # Sampling at 10 % kept two successful requests; a failure is always kept, at 100.
        envelopes = [
            request("GET /catalog", "2024-05-01T00:00:00.000000Z", "0.00:00:00.001000", sample_rate=10.0),
            request("GET /catalog", "2024-05-01T00:00:01.000000Z", "0.00:00:00.003000", sample_rate=10.0),
            request("GET /catalog", "2024-05-01T00:00:01.990000Z", "0.00:00:00.010000", False),
            dependency("redis", "GET", "0.00:00:00.000500", sample_rate=10.0),
        ]
        result = summary.summarise(envelopes)
        self.assertAlmostEqual(result["requests"], 21)
        self.assertEqual(result["request_items"], 3)
        self.assertAlmostEqual(result["failed_requests"], 1)
        self.assertAlmostEqual(result["request_rate_per_s"], 21 / 2.0)
        # (10 x 1 + 10 x 3 + 1 x 10) / 21: the failure weighs as one request, not as ten.
        self.assertAlmostEqual(result["average_duration_ms"], 50 / 21)
        self.assertAlmostEqual(result["operations"]["GET /catalog"]["count"], 21)
        self.assertAlmostEqual(result["slowest_dependencies"][0]["count"], 10)

    def test_weighted_percentile_is_the_plain_one_when_weights_are_equal(self):
        values = [(float(v), 10.0) for v in range(1, 101)]
        self.assertEqual(summary.percentile(values, 0.95), 96.0)
        self.assertEqual(summary.percentile([(v, 1.0) for v, _ in values], 0.95), 96.0)
        # A value weighing half the total is the median.
        self.assertEqual(summary.percentile([(1.0, 1.0), (2.0, 2.0), (3.0, 1.0)], 0.5), 2.0)


if __name__ == "__main__":
    unittest.main()
