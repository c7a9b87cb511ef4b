"""tools/services.sh's choice of ports: a port a server could not bind (a listener's, or one a
connection holds, which a connect-only check misses) is refused before a server is started on it,
one a stopped server of ours left closing is not, and every default port base stays below
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

    def test_what_a_stopped_server_left_on_its_port_does_not_keep_it_from_starting_again(self):
        # A server of ours died with clients connected: its side of each connection lingers
        # (FIN-WAIT-2 until the client closes). Its replacement binds with SO_REUSEADDR and
        # succeeds, so the check must let it: restarting PostgreSQL under a running API did.
        base = free_base_below_ephemeral()
        self.addCleanup(
            subprocess.run, [SERVICES, "stop", self.state.name], capture_output=True, timeout=60
        )
        with socket.socket() as client:
            with socket.socket() as server:
                server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                server.bind(("127.0.0.1", base + 1))
                server.listen()
                client.connect(("127.0.0.1", base + 1))
                accepted, _ = server.accept()
                accepted.close()
            result = self.start_redis(base)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_a_listener_on_the_port_is_refused_too(self):
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            held = bound_port(listener)
            result = self.start_redis(held - 1)
        self.assertNotEqual(result.returncode, 0, result.stdout)
        self.assertIn(f"port {held} is already in use", result.stderr)
        self.assertIn("LISTEN", result.stderr)


def free_base_below_ephemeral():
    """A base whose +1 (Redis's port) is free, below the ephemeral range."""
    for base in range(24000 + os.getpid() % 500 * 2, 25400, 2):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", base + 1))
            except OSError:
                continue
            return base
    raise RuntimeError("no free port in 24001-25399")


class EnvFileTest(unittest.TestCase):
    def test_a_restarted_service_keeps_the_lines_other_tools_wrote(self):
        # make run appends the demo admin (tools/demo-admin.sh); restarting Redis by hand after
        # an outage rewrote the file and dropped it, so the README's admin login found no email.
        state = tempfile.TemporaryDirectory()
        self.addCleanup(state.cleanup)
        env = os.path.join(state.name, "env")
        with open(env, "w", encoding="ascii") as f:
            f.write("REDIS_URL=redis://127.0.0.1:1\nDEMO_ADMIN_EMAIL=admin@vitrina.test\n")
        base = free_base_below_ephemeral()
        self.addCleanup(
            subprocess.run, [SERVICES, "stop", state.name], capture_output=True, timeout=60
        )
        result = subprocess.run(
            [SERVICES, "start", state.name, str(base), "redis"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        with open(env, encoding="ascii") as f:
            lines = f.read().splitlines()
        self.assertIn(f"REDIS_URL=redis://127.0.0.1:{base + 1}", lines)
        self.assertEqual([line for line in lines if line.startswith("REDIS_URL=")], [lines[0]])
        self.assertIn("DEMO_ADMIN_EMAIL=admin@vitrina.test", lines)

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
