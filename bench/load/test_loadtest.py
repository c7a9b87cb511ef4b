"""The pgbench half of `make bench` (bench/load/loadtest.py): each path of the mix becomes the
server's own catalog statement with the path's parameters written in as literals. When the
statement gained a parameter (the total flag, issue #17) the binding left it as `$20` and the
bench stopped at its first psql check; nothing else runs this code outside `make bench`. Here the
statement comes from the built server (`vitrina serve --print-sql`, VITRINA_BINARY), so a new
parameter fails this test instead. No database: PostgreSQL checks the row counts in the bench.

    VITRINA_BINARY=build/dev/src/vitrina python3 -m unittest bench/load/test_loadtest.py
"""
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loadtest  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def mix_paths():
    with open(os.path.join(ROOT, "bench", "load", "mix.txt"), encoding="ascii") as source:
        return [line.split()[1] for line in source if line.strip() and not line.startswith("#")]


class PgbenchStatements(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        binary = os.environ.get("VITRINA_BINARY")
        if not binary:
            raise RuntimeError("VITRINA_BINARY is not set: the test needs the built server")
        env = dict(os.environ, DATASET_SPEC=os.path.join(ROOT, "datasets", "diamonds.yaml"))
        printed = subprocess.run([binary, "serve", "--print-sql"], check=True, capture_output=True,
                                 text=True, env=env, cwd=ROOT).stdout
        with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as target:
            target.write(printed)
        try:
            cls.sql = loadtest.catalog_list_sql(target.name)
        finally:
            os.unlink(target.name)
        cls.names = loadtest.parameter_names(cls.sql)

    def test_every_parameter_of_the_statement_has_a_name(self):
        numbers = {int(n) for n in re.findall(r"\$(\d+)", self.sql)}
        self.assertEqual(numbers, set(self.names), "a parameter the pgbench scripts cannot bind")

    def test_every_mix_path_binds_every_parameter(self):
        for path in mix_paths():
            with self.subTest(path=path):
                statement = loadtest.sql_for_path(self.sql, self.names, path)
                self.assertIsNone(re.search(r"\$\d+", statement), statement)

    def test_a_paginated_path_asks_for_its_total_and_an_unpaginated_one_does_not(self):
        paged = loadtest.sql_for_path(self.sql, self.names, "/catalog?cut=Fair&limit=50")
        whole = loadtest.sql_for_path(self.sql, self.names, "/catalog?cut=Fair")
        self.assertIn("CASE WHEN true THEN", paged)
        self.assertIn("CASE WHEN false THEN", whole)
        self.assertIn("'50'::bigint", paged)

    def test_a_parameter_the_statement_does_not_bind_is_refused(self):
        with self.assertRaises(ValueError):
            loadtest.sql_for_path(self.sql, self.names, "/catalog?total=1")
        with self.assertRaises(ValueError):
            loadtest.sql_for_path(self.sql, self.names, "/catalog?bogus=1")


if __name__ == "__main__":
    unittest.main()
