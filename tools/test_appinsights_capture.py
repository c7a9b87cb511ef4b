#!/usr/bin/env python3
"""Tests of the capture server (appinsights-capture.py), run in this process on a port the kernel
picks: python3 -m unittest tools/test_appinsights_capture.py (ctest runs it as a unit test)."""

import base64
import gzip
import importlib.util
import json
import os
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name, file_name):
    module_spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, file_name))
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


capture = load("capture", "appinsights-capture.py")
identity = load("identity", "identity-endpoint.py")
MONITOR = "https://monitor.azure.com/"


def jwt(**overrides):
    """An unsigned Entra-shaped token for ingestion, valid for an hour unless overridden."""
    now = int(time.time())
    claims = {"aud": MONITOR, "iss": "https://sts.windows.net/tenant/", "nbf": now, "exp": now + 3600}
    claims.update(overrides)
    parts = [b'{"alg":"none"}', json.dumps(claims).encode(), b"sig"]
    return ".".join(base64.urlsafe_b64encode(part).rstrip(b"=").decode() for part in parts)


def envelope(instance, index, base_type="RequestData"):
    return {"name": "Microsoft.ApplicationInsights.Request", "sampleRate": 10.0,
            "tags": {"ai.cloud.roleInstance": instance},
            "data": {"baseType": base_type, "baseData": {"index": index, "padding": "x" * 100}}}


class CaptureTest(unittest.TestCase):
    def start(self, max_bytes, bearer=None):
        self.folder = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.folder.name, "envelopes.jsonl")

        class Handler(capture.Handler):
            pass

        Handler.capture = capture.Capture(self.path, max_bytes)
        Handler.bearer = bearer
        Handler.quiet = True
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()
        self.folder.cleanup()

    def call(self, method, path, body=None, headers=None):
        request = urllib.request.Request(self.url + path, data=body, headers=headers or {}, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read()

    def track(self, envelopes, gzip_it, authorization=None):
        body = json.dumps(envelopes).encode()
        headers = {"Content-Type": "application/json"}
        if authorization is not None:
            headers["Authorization"] = authorization
        if gzip_it:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        return json.loads(self.call("POST", "/v2.1/track", body, headers)), len(body)

    def lines(self, path="/envelopes"):
        return [json.loads(line) for line in self.call("GET", path).decode().splitlines() if line]

    def test_gzip_and_plain_batches_are_stored_and_counted_per_role_instance(self):
        self.start(64 * 1024 * 1024)
        answer, zipped = self.track([envelope("a", 0), envelope("a", 1, "RemoteDependencyData")], True)
        self.assertEqual(answer, {"itemsReceived": 2, "itemsAccepted": 2, "errors": []})
        _, plain = self.track([envelope("b", 2)], False)
        self.assertEqual([e["data"]["baseData"]["index"] for e in self.lines()], [0, 1, 2])
        self.assertEqual([e["data"]["baseData"]["index"] for e in self.lines("/envelopes?role_instance=a")], [0, 1])
        stats = json.loads(self.call("GET", "/stats"))
        a, b = stats["by_role_instance"]["a"], stats["by_role_instance"]["b"]
        self.assertEqual((a["posts"], a["gzip_posts"], a["wire_bytes"], a["items"]), (1, 1, zipped, 2))
        self.assertEqual(a["items_by_type"], {"RequestData": 1, "RemoteDependencyData": 1})
        self.assertGreater(a["json_bytes"], a["wire_bytes"])
        self.assertEqual((b["posts"], b["gzip_posts"], b["wire_bytes"], b["json_bytes"]), (1, 0, plain, plain))
        self.assertEqual(stats["total"]["items"], 3)

    def test_the_window_is_bounded_and_keeps_the_newest_envelopes(self):
        self.start(4096)
        for index in range(40):
            self.track([envelope("a", index)], index % 2 == 0)
        kept = [e["data"]["baseData"]["index"] for e in self.lines()]
        stats = json.loads(self.call("GET", "/stats"))
        window = stats["window"]
        on_disk = sum(os.path.getsize(p) for p in (self.path, self.path + ".1") if os.path.exists(p))
        self.assertLessEqual(on_disk, 4096)
        self.assertEqual(window["bytes"], on_disk)
        self.assertGreater(window["rotations"], 0)
        # The newest ones, in order, and every envelope is either kept or counted as rotated out.
        self.assertEqual(kept, list(range(40 - len(kept), 40)))
        self.assertGreaterEqual(len(kept), 10)
        self.assertEqual(window["items"], len(kept))
        self.assertEqual(window["rotated_out_items"] + len(kept), 40)
        self.assertEqual(stats["total"]["items"], 40)

    def test_delete_forgets_the_window_and_the_counters(self):
        self.start(4096)
        for index in range(40):
            self.track([envelope("a", index)], False)
        self.call("DELETE", "/envelopes")
        self.assertEqual(self.lines(), [])
        stats = json.loads(self.call("GET", "/stats"))
        self.assertEqual(stats["total"]["items"], 0)
        self.assertEqual(stats["window"], {"max_bytes": 4096, "bytes": 0, "items": 0, "rotations": 0,
                                           "rotated_out_items": 0})

    def test_a_corrupt_gzip_body_is_a_400(self):
        self.start(4096)
        request = urllib.request.Request(self.url + "/v2.1/track", data=b"\x1f\x8bnot gzip",
                                         headers={"Content-Encoding": "gzip"}, method="POST")
        with self.assertRaises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request, timeout=10)
        self.assertEqual(raised.exception.code, 400)

    def track_status(self, authorization):
        try:
            self.track([envelope("a", 0)], False, authorization)
            return 200
        except urllib.error.HTTPError as e:
            return e.code

    def test_with_a_required_bearer_only_valid_entra_tokens_for_the_audience_are_accepted(self):
        self.start(4096, capture.BearerCheck(MONITOR))
        refused = {
            None: "no Authorization header",
            "Basic dXNlcjpwYXNz": "the Authorization scheme is not Bearer",
            "Bearer not-a-jwt": "the bearer token is not a JWT",
            "Bearer " + jwt(aud="https://storage.azure.com/"): "the token's audience is",
            "Bearer " + jwt(iss="https://login.example.com/"): "is not a Microsoft Entra tenant",
            "Bearer " + jwt(exp=int(time.time()) - 10): "the token expired",
            "Bearer " + jwt(nbf=int(time.time()) + 600): "the token is not valid yet",
        }
        for authorization in refused:
            self.assertEqual(self.track_status(authorization), 401, authorization)
        self.assertEqual(self.lines(), [])
        good = "Bearer " + jwt(aud=MONITOR.rstrip("/"))
        self.assertEqual(self.track_status(good), 200)
        self.assertEqual(len(self.lines()), 1)
        batches = self.lines("/batches")
        self.assertEqual([b["authorization"] for b in batches], list(refused) + [good])
        for batch, reason in zip(batches, refused.values()):
            self.assertEqual((batch["status"], batch["items"]), (401, 0))
            self.assertIn(reason, batch["reason"])
        self.assertEqual(batches[-1], {"status": 200, "items": 1, "authorization": good, "reason": ""})

    def test_with_an_issued_url_the_token_must_come_from_the_identity_endpoint(self):
        class IdentityHandler(identity.Handler):
            pass

        IdentityHandler.issuer = identity.Issuer(3600, "object", "tenant")
        IdentityHandler.secret = "secret"
        IdentityHandler.quiet = True
        endpoint = ThreadingHTTPServer(("127.0.0.1", 0), IdentityHandler)
        threading.Thread(target=endpoint.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{endpoint.server_address[1]}"
        try:
            self.start(4096, capture.BearerCheck(MONITOR, base + "/issued"))
            request = urllib.request.Request(
                base + "/msi/token?api-version=2019-08-01&resource=" + MONITOR,
                headers={"X-IDENTITY-HEADER": "secret"})
            with urllib.request.urlopen(request, timeout=10) as response:
                issued = json.loads(response.read())["access_token"]
            self.assertEqual(self.track_status("Bearer " + issued), 200)
            self.assertEqual(self.track_status("Bearer " + jwt()), 401)
            self.assertEqual(self.lines("/batches")[-1]["reason"],
                             "the token was not issued by the identity endpoint")
        finally:
            endpoint.shutdown()
            endpoint.server_close()


if __name__ == "__main__":
    unittest.main()
