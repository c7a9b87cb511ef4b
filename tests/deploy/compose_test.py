#!/usr/bin/env python3
"""compose.yaml, read without an engine: what deploy/docker/compose-smoke.sh relies on and what
would silently break it elsewhere. Every service is built here (nothing pulled from a registry but
the debian:bookworm-slim base), uses the host's network (published ports reach nothing where
Docker has no bridge network), listens on a port that is a variable, and the emulators' npm
versions are tools/node/package.json's. The stack itself runs in compose-smoke.sh (Docker is not
part of `make test`).

  python3 tests/deploy/compose_test.py [REPO_ROOT]
"""
import glob
import json
import os
import re
import sys
import unittest

import yaml

ROOT = os.path.abspath(sys.argv.pop(1) if len(sys.argv) > 1 and os.path.isdir(sys.argv[1])
                       else os.path.join(os.path.dirname(__file__), "..", ".."))


def read(*path):
    with open(os.path.join(ROOT, *path), encoding="utf-8") as f:
        return f.read()


class ComposeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.text = read("compose.yaml")
        cls.compose = yaml.safe_load(cls.text)
        cls.services = cls.compose["services"]

    def test_the_stack(self):
        self.assertEqual(set(self.services),
                         {"postgres", "redis", "azurite", "firebase", "etl", "api"})

    def test_every_image_is_built_here_with_the_hosts_network(self):
        for name, service in self.services.items():
            build = service.get("build")
            self.assertIsInstance(build, dict, f"{name}: no build")
            self.assertEqual(build.get("network"), "host", name)
            self.assertEqual(service.get("network_mode"), "host", name)
            self.assertNotIn("ports", service, f"{name}: published ports reach nothing here")
            dockerfile = os.path.join(ROOT, build["context"], build.get("dockerfile", "Dockerfile"))
            with open(dockerfile, encoding="utf-8") as f:
                bases = re.findall(r"^FROM\s+(\S+)", f.read(), re.M)
            for base in bases:
                self.assertEqual(base, "debian:bookworm-slim", f"{name}: FROM {base}")

    def test_ports_are_variables(self):
        for variable in ("VITRINA_PG_PORT", "VITRINA_REDIS_PORT", "VITRINA_AZURITE_PORT",
                         "VITRINA_FIREBASE_AUTH_PORT", "VITRINA_API_PORT"):
            self.assertRegex(self.text, r"\$\{" + variable + r":-\d+\}")
        smoke = read("deploy", "docker", "compose-smoke.sh")
        for variable in set(re.findall(r"\$\{(VITRINA_[A-Z_]+_PORT):-", self.text)):
            self.assertTrue(variable in smoke, f"compose-smoke.sh does not move {variable}")

    def test_the_etl_runs_once_before_the_api(self):
        self.assertEqual(self.services["etl"]["restart"], "no")
        self.assertEqual(self.services["api"]["depends_on"]["etl"]["condition"],
                         "service_completed_successfully")
        self.assertIn("az://", self.services["etl"]["command"][0])

    def test_cors_origins_pass_through_unset_by_default(self):
        env = self.services["api"]["environment"]
        self.assertIn("CORS_ALLOWED_ORIGINS", env)
        self.assertIsNone(env["CORS_ALLOWED_ORIGINS"])

    def test_emulator_versions_are_the_pinned_ones(self):
        pinned = json.loads(read("tools", "node", "package.json"))["dependencies"]
        dockerfile = read("deploy", "compose", "emulators", "Dockerfile")
        self.assertIn(f"ARG AZURITE_VERSION={pinned['azurite']}\n", dockerfile)
        self.assertIn(f"ARG FIREBASE_TOOLS_VERSION={pinned['firebase-tools']}\n", dockerfile)

    def test_helper_scripts_are_executable(self):
        for script in glob.glob(os.path.join(ROOT, "deploy", "compose", "*", "*.sh")):
            self.assertTrue(os.access(script, os.X_OK), script)


if __name__ == "__main__":
    unittest.main()
