#!/usr/bin/env python3
"""A local stand-in for the Application Insights ingestion endpoint.

Accepts what the SDKs send to {IngestionEndpoint}/v2.1/track (a JSON array of
envelopes, or newline-delimited JSON, optionally gzip- or deflate-encoded) and
keeps the envelopes as JSON lines in a file, so tests and the bench can check
what was exported.

The file is a bounded window: when it reaches half of --max-bytes it becomes
OUT.1 (replacing the previous OUT.1) and a new OUT starts, so the disk holds at
most --max-bytes (plus one batch) and GET /envelopes returns the most recent
half to whole of it. /stats counts what was rotated out, so a reader can tell
whether the window still holds everything it needs.

    POST   /v2.1/track   (also /v2/track) ingest; 200 {"itemsReceived","itemsAccepted","errors"}
    GET    /envelopes    the envelopes in the window, oldest first, one JSON object per line;
                         ?role_instance=NAME keeps only that ai.cloud.roleInstance's
    DELETE /envelopes    forget them, and reset /stats
    GET    /stats        {"total": {...}, "by_role_instance": {NAME: {...}}, "window": {...}}:
                         posts, gzip_posts, wire_bytes (the bodies as received, compressed or
                         not), json_bytes (after decoding), items, items by baseType; a POST's
                         posts and bytes count for the role instance of its first envelope
    POST   /control      {"fail_next": N, "status": 503} makes the next N track
                         requests fail with that status (429, 500, 503 ...), with
                         an optional "retry_after" seconds header; {"fail_next": 0}
                         cancels
    GET    /health       200 "ok"

Standard library only.
"""

import argparse
import gzip
import json
import os
import sys
import threading
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TRACK_PATHS = {"/v2.1/track", "/v2/track", "/v2.1/track/", "/v2/track/"}
MAX_BODY = 64 * 1024 * 1024


def new_counts():
    return {"posts": 0, "gzip_posts": 0, "wire_bytes": 0, "json_bytes": 0, "items": 0,
            "items_by_type": {}}


class Capture:
    """The envelope window, the counters and the injected-failure state, shared by all threads."""

    def __init__(self, path, max_bytes, fail_next=0, fail_status=503):
        self.path = path
        self.previous = path + ".1"
        self.max_bytes = max_bytes
        self.lock = threading.Lock()
        self.fail_next = fail_next
        self.fail_status = fail_status
        self.retry_after = None
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        open(path, "a").close()
        self.size = os.path.getsize(path)
        self.lines = self.count_lines(path)
        self.reset_stats()

    @staticmethod
    def count_lines(path):
        with open(path, "rb") as f:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))

    def reset_stats(self):
        self.total = new_counts()
        self.by_instance = {}
        self.rotations = 0
        self.rotated_out_items = 0
        self.previous_lines = self.count_lines(self.previous) if os.path.exists(self.previous) else 0

    def take_failure(self):
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return self.fail_status, self.retry_after
            return None, None

    def append(self, envelopes, wire_bytes, json_bytes, gzip_encoded):
        lines = "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in envelopes).encode()
        first = None
        by_instance = {}
        for envelope in envelopes:
            instance = instance_of(envelope)
            first = instance if first is None else first
            base_type = (envelope.get("data") or {}).get("baseType", "") if isinstance(envelope, dict) else ""
            by_instance.setdefault(instance, {}).setdefault(base_type, 0)
            by_instance[instance][base_type] += 1
        with self.lock:
            if self.size > 0 and self.size + len(lines) > self.max_bytes // 2:
                self.rotate()
            with open(self.path, "ab") as f:
                f.write(lines)
            self.size += len(lines)
            self.lines += len(envelopes)
            targets = [self.total]
            if first is not None:
                targets.append(self.by_instance.setdefault(first, new_counts()))
            for counts in targets:
                counts["posts"] += 1
                counts["gzip_posts"] += 1 if gzip_encoded else 0
                counts["wire_bytes"] += wire_bytes
                counts["json_bytes"] += json_bytes
            for instance, types in by_instance.items():
                counted = [self.total, self.by_instance.setdefault(instance, new_counts())]
                for counts in counted:
                    for base_type, n in types.items():
                        counts["items"] += n
                        counts["items_by_type"][base_type] = counts["items_by_type"].get(base_type, 0) + n

    def rotate(self):
        """Called with the lock held: OUT becomes OUT.1, whose old lines leave the window."""
        self.rotated_out_items += self.previous_lines
        os.replace(self.path, self.previous)
        open(self.path, "w").close()
        self.previous_lines, self.lines, self.size = self.lines, 0, 0
        self.rotations += 1

    def read(self, role_instance=None):
        with self.lock:
            parts = []
            for path in (self.previous, self.path):
                if os.path.exists(path):
                    with open(path, "rb") as f:
                        parts.append(f.read())
        data = b"".join(parts)
        if role_instance is None:
            return data
        needle = json.dumps({"ai.cloud.roleInstance": role_instance}, separators=(",", ":"))[1:-1].encode()
        return b"".join(line + b"\n" for line in data.split(b"\n") if needle in line)

    def stats(self):
        with self.lock:
            return {"total": json.loads(json.dumps(self.total)),
                    "by_role_instance": json.loads(json.dumps(self.by_instance)),
                    "window": {"max_bytes": self.max_bytes, "bytes": self.size + self.previous_size(),
                               "items": self.lines + self.previous_lines, "rotations": self.rotations,
                               "rotated_out_items": self.rotated_out_items}}

    def previous_size(self):
        return os.path.getsize(self.previous) if os.path.exists(self.previous) else 0

    def clear(self):
        with self.lock:
            open(self.path, "w").close()
            if os.path.exists(self.previous):
                os.remove(self.previous)
            self.size = self.lines = 0
            self.reset_stats()


def instance_of(envelope):
    tags = envelope.get("tags") if isinstance(envelope, dict) else None
    return tags.get("ai.cloud.roleInstance", "") if isinstance(tags, dict) else ""


def parse_envelopes(body):
    """A JSON array, a single object, or newline-delimited JSON."""
    text = body.decode("utf-8").strip()
    if not text:
        return []
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return parsed if isinstance(parsed, list) else [parsed]


class Handler(BaseHTTPRequestHandler):
    server_version = "appinsights-capture/1"
    protocol_version = "HTTP/1.1"
    capture: Capture = None  # set in main()
    quiet = False

    def log_message(self, fmt, *args):
        if not self.quiet:
            sys.stderr.write("%s %s\n" % (self.log_date_time_string(), fmt % args))

    def send(self, status, payload=None, content_type="application/json", headers=None):
        if payload is None:
            body = b""
        elif isinstance(payload, bytes):
            body = payload
        else:
            body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self):
        """(decoded body, bytes on the wire, whether it was gzip)."""
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("body too large")
        body = self.rfile.read(length) if length else b""
        wire = len(body)
        encoding = (self.headers.get("Content-Encoding") or "").strip().lower()
        if encoding in ("gzip", "x-gzip"):
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding not in ("", "identity"):
            raise ValueError("unsupported Content-Encoding: " + encoding)
        if len(body) > MAX_BODY:
            raise ValueError("decoded body too large")
        return body, wire, encoding in ("gzip", "x-gzip")

    def path_only(self):
        return self.path.split("?", 1)[0]

    def query(self):
        return urllib.parse.parse_qs(self.path.split("?", 1)[1]) if "?" in self.path else {}

    def do_GET(self):
        path = self.path_only()
        if path == "/envelopes":
            instance = self.query().get("role_instance", [None])[0]
            self.send(200, self.capture.read(instance), "application/x-ndjson")
        elif path == "/stats":
            self.send(200, self.capture.stats())
        elif path in ("/", "/health"):
            self.send(200, b"ok\n", "text/plain")
        else:
            self.send(404, {"error": "not found"})

    do_HEAD = do_GET

    def do_DELETE(self):
        if self.path_only() == "/envelopes":
            self.capture.clear()
            self.send(204)
        else:
            self.send(404, {"error": "not found"})

    def do_POST(self):
        path = self.path_only()
        try:
            body, wire, gzip_encoded = self.read_body()
        except (ValueError, OSError, EOFError, zlib.error) as e:
            self.send(400, {"error": str(e)})
            return
        if path in TRACK_PATHS:
            self.track(body, wire, gzip_encoded)
        elif path == "/control":
            self.control(body)
        else:
            self.send(404, {"error": "not found"})

    def track(self, body, wire, gzip_encoded):
        status, retry_after = self.capture.take_failure()
        if status is not None:
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            self.send(status, {"itemsReceived": 0, "itemsAccepted": 0,
                               "errors": [{"index": 0, "statusCode": status,
                                           "message": "injected failure"}]},
                      headers=headers)
            return
        try:
            envelopes = parse_envelopes(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            self.send(400, {"itemsReceived": 0, "itemsAccepted": 0,
                            "errors": [{"index": 0, "statusCode": 400, "message": str(e)}]})
            return
        self.capture.append(envelopes, wire, len(body), gzip_encoded)
        n = len(envelopes)
        self.send(200, {"itemsReceived": n, "itemsAccepted": n, "errors": []})

    def control(self, body):
        try:
            cmd = json.loads(body or b"{}")
            fail_next = int(cmd.get("fail_next", 0))
            status = int(cmd.get("status", 503))
            retry_after = cmd.get("retry_after")
        except (ValueError, TypeError, AttributeError) as e:
            self.send(400, {"error": str(e)})
            return
        with self.capture.lock:
            self.capture.fail_next = max(0, fail_next)
            self.capture.fail_status = status
            self.capture.retry_after = retry_after
        self.send(200, {"fail_next": max(0, fail_next), "status": status})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True, help="envelopes.jsonl to append to")
    parser.add_argument("--max-bytes", type=int,
                        default=int(os.environ.get("APPINSIGHTS_CAPTURE_MAX_BYTES", str(64 * 1024 * 1024))),
                        help="disk bound of the window: OUT and OUT.1 together "
                             "(env APPINSIGHTS_CAPTURE_MAX_BYTES; 64 MiB)")
    parser.add_argument("--pidfile")
    parser.add_argument("--fail-next", type=int, default=int(os.environ.get("APPINSIGHTS_FAIL_NEXT", "0")),
                        help="fail the first N track requests (env APPINSIGHTS_FAIL_NEXT)")
    parser.add_argument("--fail-status", type=int, default=int(os.environ.get("APPINSIGHTS_FAIL_STATUS", "503")),
                        help="status for injected failures (env APPINSIGHTS_FAIL_STATUS)")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args()

    if args.max_bytes < 2 * 1024:
        parser.error("--max-bytes must be at least 2048")
    Handler.capture = Capture(args.out, args.max_bytes, args.fail_next, args.fail_status)
    Handler.quiet = args.quiet
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    sys.stderr.write("appinsights-capture listening on http://%s:%d/\n" % (args.host, args.port))
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
