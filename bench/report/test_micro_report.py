"""Tests of micro_report.py, and the check that the docs quote the committed micro-benchmarks."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import micro_report  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def raw_run(name, real, cpu, unit="ns", aggregate="median"):
    return {"name": f"{name}_{aggregate}", "run_name": name, "run_type": "aggregate", "aggregate_name": aggregate,
            "repetitions": 5, "real_time": real, "cpu_time": cpu, "time_unit": unit}


CONTEXT = {"date": "2026-12-04T18:00:00+00:00", "num_cpus": 2, "mhz_per_cpu": 2096, "load_avg": [1.0, 0.5, 0.2]}


class CollectTest(unittest.TestCase):
    def test_keeps_the_medians_in_nanoseconds(self):
        results = micro_report.collect([{"context": CONTEXT, "benchmarks": [
            raw_run("BM_A", 10.0, 9.0, aggregate="mean"), raw_run("BM_A", 12.0, 11.0),
            raw_run("BM_B", 31.9, 30.0, unit="us")]}])
        self.assertEqual(results["benchmarks"]["BM_A"]["real_ns"], 12.0)
        self.assertEqual(results["benchmarks"]["BM_B"]["cpu_ns"], 30000.0)
        self.assertEqual(results["machine"]["load_average"], [[1.0, 0.5, 0.2]])

    def test_runs_without_repetitions_are_refused(self):
        with self.assertRaises(ValueError):
            micro_report.collect([{"context": CONTEXT, "benchmarks": [
                {"run_name": "BM_A", "run_type": "iteration", "real_time": 1, "cpu_time": 1, "time_unit": "ns"}]}])


class FormatTest(unittest.TestCase):
    def test_units_and_digits(self):
        self.assertEqual(micro_report.format_ns(5.61), "5.6 ns")
        self.assertEqual(micro_report.format_ns(196.4), "196 ns")
        self.assertEqual(micro_report.format_ns(999.7), "1.0 µs")
        self.assertEqual(micro_report.format_ns(31_940), "31.9 µs")
        self.assertEqual(micro_report.format_ns(1_200_000), "1.2 ms")


class RenderTest(unittest.TestCase):
    RESULTS = {"benchmarks": {"BM_A": {"real_ns": 290.0, "cpu_ns": 194.0}}}

    def test_replaces_only_the_quoted_text(self):
        text = "line <!--micro BM_A-->old<!--/micro-->, cpu <!--micro BM_A:cpu-->?<!--/micro-->."
        self.assertEqual(micro_report.render_text(self.RESULTS, text),
                         "line <!--micro BM_A-->290 ns<!--/micro-->, cpu <!--micro BM_A:cpu-->194 ns<!--/micro-->.")

    def test_an_unknown_benchmark_is_an_error(self):
        with self.assertRaisesRegex(KeyError, "BM_Gone"):
            micro_report.render_text(self.RESULTS, "<!--micro BM_Gone-->1 ns<!--/micro-->")


class CommittedDocsTest(unittest.TestCase):
    def test_the_docs_quote_the_committed_results(self):
        results = micro_report.load(os.path.join(ROOT, "docs", "results", "micro-benchmarks.json"))
        stale = micro_report.render(results, os.path.join(ROOT, "docs"), write=False)
        self.assertEqual(stale, [], "run bench/report/micro_report.py render docs/results/micro-benchmarks.json docs")

    def test_the_docs_quote_some_figures(self):
        quoted = 0
        for path in micro_report.documents(os.path.join(ROOT, "docs")):
            with open(path, encoding="utf-8") as source:
                quoted += len(micro_report.FIGURE.findall(source.read()))
        self.assertGreater(quoted, 20)


if __name__ == "__main__":
    unittest.main()
