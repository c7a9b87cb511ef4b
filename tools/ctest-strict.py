#!/usr/bin/env python3
"""Runs ctest and fails when any test was skipped (make unit / make integration).

  tools/ctest-strict.py BUILD_DIR [CTEST_ARGS...]

A skipped test is a test that did not test: under CI (CI=true) any skip fails the run. Run by
hand, the tests named in tests/allowed-skips.txt (one CTest name per line, # comments) may skip,
e.g. a browser test on a machine without Chromium; they are still listed. Prints the count either
way. Skips are read from ctest's JUnit report (GTEST_SKIP and exit code 77 both count).
"""
import os
import pathlib
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree

ROOT = pathlib.Path(__file__).resolve().parents[1]


def allowed_skips():
    if os.environ.get("CI") == "true":
        return set()
    path = ROOT / "tests" / "allowed-skips.txt"
    if not path.exists():
        return set()
    names = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(line)
    return names


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    build_dir, ctest_args = sys.argv[1], sys.argv[2:]
    with tempfile.TemporaryDirectory() as temporary:
        report = pathlib.Path(temporary) / "junit.xml"
        status = subprocess.run(["ctest", "--test-dir", build_dir, "--output-junit", str(report),
                                 *ctest_args]).returncode
        if not report.exists():
            print("ctest-strict: ctest wrote no report", file=sys.stderr)
            return status or 1
        cases = ElementTree.parse(report).getroot().iter("testcase")
        skipped = [case.get("name") for case in cases if case.find("skipped") is not None]
    allowed = allowed_skips()
    refused = [name for name in skipped if name not in allowed]
    print(f"ctest-strict: {len(skipped)} skipped", end="")
    print(f" ({len(skipped) - len(refused)} allowed by tests/allowed-skips.txt)" if allowed else "")
    for name in skipped:
        print(f"  skipped: {name}{'' if name in refused else ' (allowed locally)'}")
    if refused:
        print(f"ctest-strict: {len(refused)} test(s) skipped: a skip is not a pass "
              "(start the services with tools/with-services.sh, or see tests/allowed-skips.txt)",
              file=sys.stderr)
        return status or 1
    return status


if __name__ == "__main__":
    sys.exit(main())
