"""docs/performance.md is what performance_report.py makes of the committed results, byte for byte."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


class CommittedPageTest(unittest.TestCase):
    def test_the_page_regenerates_from_the_committed_results(self):
        with tempfile.TemporaryDirectory() as scratch:
            docs = os.path.join(scratch, "docs")
            shutil.copytree(os.path.join(ROOT, "docs", "results"), os.path.join(docs, "results"))
            subprocess.run([sys.executable, os.path.join(HERE, "performance_report.py"),
                            os.path.join(ROOT, "docs", "performance-results.json"), os.path.join(docs, "performance.md"),
                            os.path.join(docs, "img")], check=True)
            with open(os.path.join(docs, "performance.md"), encoding="utf-8") as made, \
                    open(os.path.join(ROOT, "docs", "performance.md"), encoding="utf-8") as committed:
                self.assertEqual(made.read(), committed.read(),
                                 "docs/performance.md differs from what bench/report/performance_report.py makes "
                                 "of docs/performance-results.json: regenerate it")


if __name__ == "__main__":
    unittest.main()
