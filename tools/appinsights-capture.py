#!/usr/bin/env python3
"""A local stand-in for the Application Insights ingestion endpoint.

Accepts what the SDKs send to {IngestionEndpoint}/v2.1/track (a JSON array of
envelopes, or newline-delimited JSON, optionally gzip-encoded) and keeps every
envelope as one JSON line in a file, so tests can check what was exported.

    POST   /v2.1/track   (also /v2/track) ingest; 200 {"itemsReceived","itemsAccepted","errors"}
    GET    /envelopes    the stored envelopes, one JSON object per line
    DELETE /envelopes    forget them
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
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TRACK_PATHS = {"/v2.1/track", "/v2/track", "/v2.1/track/", "/v2/track/"}
MAX_BODY = 64 * 1024 * 1024


class Capture:
    """The envelope file and the injected-failure state, shared by all threads."""

    def __init__(self, path, fail_next=0, fail_status=503):
        self.path = path
        self.lock = threading.Lock()
        self.fail_next = fail_next
        self.fail_status = fail_status
        self.retry_after = None
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        open(path, "a").close()

    def take_failure(self):
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return self.fail_status, self.retry_after
            return None, None

    def append(self, envelopes):
        lines = "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in envelopes)
        with self.lock, open(self.path, "a", encoding="utf-8") as f:
            f.write(lines)

    def read(self):
        with self.lock, open(self.path, "rb") as f:
            return f.read()

    def clear(self):
        with self.lock:
            open(self.path, "w").close()


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
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("body too large")
        body = self.rfile.read(length) if length else b""
        encoding = (self.headers.get("Content-Encoding") or "").strip().lower()
        if encoding in ("gzip", "x-gzip"):
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding not in ("", "identity"):
            raise ValueError("unsupported Content-Encoding: " + encoding)
        return body

    def path_only(self):
        return self.path.split("?", 1)[0]

    def do_GET(self):
        path = self.path_only()
        if path == "/envelopes":
            self.send(200, self.capture.read(), "application/x-ndjson")
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
            body = self.read_body()
        except (ValueError, OSError, zlib.error) as e:
            self.send(400, {"error": str(e)})
            return
        if path in TRACK_PATHS:
            self.track(body)
        elif path == "/control":
            self.control(body)
        else:
            self.send(404, {"error": "not found"})

    def track(self, body):
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
        self.capture.append(envelopes)
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
    parser.add_argument("--pidfile")
    parser.add_argument("--fail-next", type=int, default=int(os.environ.get("APPINSIGHTS_FAIL_NEXT", "0")),
                        help="fail the first N track requests (env APPINSIGHTS_FAIL_NEXT)")
    parser.add_argument("--fail-status", type=int, default=int(os.environ.get("APPINSIGHTS_FAIL_STATUS", "503")),
                        help="status for injected failures (env APPINSIGHTS_FAIL_STATUS)")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args()

    Handler.capture = Capture(args.out, args.fail_next, args.fail_status)
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
