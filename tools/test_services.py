"""tools/services.sh's choice of ports: a port held by any socket (a connection too, not only a
listener) is refused before a server is started on it, and every default port base stays below
Linux's ephemeral range, where outgoing connections take their local ports.

A CI run failed on the second: a Redis Cluster node's bus port was held by some connection."""

import glob
import os
import re
import socket
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVICES = os.path.join(ROOT, "tools", "services.sh")
EPHEMERAL_LOW = 32768


def ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range", encoding="ascii") as f:
            return int(f.read().split()[0])
    except OSError:
        return EPHEMERAL_LOW


def bound_port(sock):
    return sock.getsockname()[1]


class HeldPortTest(unittest.TestCase):
    def setUp(self):
        self.state = tempfile.TemporaryDirectory()
        self.addCleanup(self.state.cleanup)

    def start_redis(self, base):
        return subprocess.run(
            [SERVICES, "start", self.state.name, str(base), "redis"],
            capture_output=True,
            text=True,
            timeout=60,
        )

    def test_a_port_held_by_a_connection_is_refused_naming_the_socket(self):
        # A connection whose local port is base+1 (Redis's), with no listener on it: a check
        # that only tries to connect sees a free port, and redis-server's bind would fail.
        with socket.socket() as server, socket.socket() as client:
            server.bind(("127.0.0.1", 0))
            server.listen()
            client.bind(("127.0.0.1", 0))
            client.connect(server.getsockname())
            held = bound_port(client)
            accepted, _ = server.accept()
            with accepted:
                result = self.start_redis(held - 1)
        self.assertNotEqual(result.returncode, 0, result.stdout)
        self.assertIn(f"port {held} is already in use", result.stderr)
        self.assertIn("ESTAB", result.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.state.name, "redis", "redis.pid")))

    def test_a_listener_on_the_port_is_refused_too(self):
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            held = bound_port(listener)
            result = self.start_redis(held - 1)
        self.assertNotEqual(result.returncode, 0, result.stdout)
        self.assertIn(f"port {held} is already in use", result.stderr)
        self.assertIn("LISTEN", result.stderr)


class DefaultPortBasesTest(unittest.TestCase):
    # How far above its base each user of a base reaches (services +0..+9, the API and nginx of
    # the bench up to +17, the Redis Cluster at +20..+25).
    REACH = 30

    def defaults(self):
        found = {}
        with open(os.path.join(ROOT, "Makefile"), encoding="utf-8") as f:
            for name, value in re.findall(r"^(\w+_PORTS)\s*\?=\s*(\d+)", f.read(), re.M):
                found[f"Makefile {name}"] = int(value)
        # Every script of ours, so a new one is checked without being listed here.
        scripts = sorted(
            os.path.relpath(path, ROOT)
            for folder in ("tools", "bench", "deploy", "tests", ".ci")
            for path in glob.glob(os.path.join(ROOT, folder, "**", "*.sh"), recursive=True)
            if "node_modules" not in path
        )
        for script in scripts:
            with open(os.path.join(ROOT, script), encoding="utf-8") as f:
                text = f.read()
            for value in re.findall(r'(?im)^\s*\w*(?:port|base)\w*="?\$\{[^}]*:-(\d+)\}', text):
                found[f"{script} {value}"] = int(value)
        return found

    def test_every_default_base_is_below_the_ephemeral_range(self):
        found = self.defaults()
        self.assertIn("Makefile TEST_PORTS", found)
        self.assertIn("Makefile RUN_PORTS", found)
        self.assertGreaterEqual(len(found), 16, found)
        low = min(ephemeral_low(), EPHEMERAL_LOW)
        for where, base in found.items():
            self.assertLess(base + self.REACH, low, f"{where}: {base}")


if __name__ == "__main__":
    unittest.main()
