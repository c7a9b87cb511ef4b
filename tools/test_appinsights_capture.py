#!/usr/bin/env python3
"""Tests of the capture server (appinsights-capture.py), run in this process on a port the kernel
picks: python3 -m unittest tools/test_appinsights_capture.py (ctest runs it as a unit test)."""

import gzip
import importlib.util
import json
import os
import tempfile
import threading
import unittest
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("capture", os.path.join(HERE, "appinsights-capture.py"))
capture = importlib.util.module_from_spec(spec)
spec.loader.exec_module(capture)


def envelope(instance, index, base_type="RequestData"):
    return {"name": "Microsoft.ApplicationInsights.Request", "sampleRate": 10.0,
            "tags": {"ai.cloud.roleInstance": instance},
            "data": {"baseType": base_type, "baseData": {"index": index, "padding": "x" * 100}}}


class CaptureTest(unittest.TestCase):
    def start(self, max_bytes):
        self.folder = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.folder.name, "envelopes.jsonl")

        class Handler(capture.Handler):
            pass

        Handler.capture = capture.Capture(self.path, max_bytes)
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

    def track(self, envelopes, gzip_it):
        body = json.dumps(envelopes).encode()
        headers = {"Content-Type": "application/json"}
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


if __name__ == "__main__":
    unittest.main()
