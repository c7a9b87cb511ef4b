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
    GET    /batches      one JSON object per track request, oldest first: {"status", "items",
                         "authorization" (the header as received, or null), "reason" (why it
                         was refused, or "")}; DELETE /envelopes forgets them too
    GET    /health       200 "ok"

With --require-bearer-audience AUD the endpoint behaves like ingestion with local authentication
disabled: a track request needs "Authorization: Bearer <token>", where the token is a JWT shaped
like Microsoft Entra ID's whose aud is AUD (a trailing '/' aside), whose iss is an Entra tenant
(https://sts.windows.net/...) and which is within its nbf..exp; otherwise 401, nothing stored.
The tokens of tools/identity-endpoint.py are unsigned, so the signature check of the real service
is stood in for by --bearer-issued-url (that endpoint's /issued): the token must be one it issued.

Standard library only.
"""

import argparse
import base64
import gzip
import json
import os
import sys
import threading
import time
import urllib.parse
import urllib.request
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
        self.batches = []  # one record per track request, for /batches
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

    def note_batch(self, status, items, authorization, reason=""):
        with self.lock:
            self.batches.append({"status": status, "items": items,
                                 "authorization": authorization, "reason": reason})

    def batch_log(self):
        with self.lock:
            return "".join(json.dumps(b) + "\n" for b in self.batches).encode()

    def clear(self):
        with self.lock:
            self.batches = []
            open(self.path, "w").close()
            if os.path.exists(self.previous):
                os.remove(self.previous)
            self.size = self.lines = 0
            self.reset_stats()


ENTRA_ISSUER = "https://sts.windows.net/"


class BearerCheck:
    """What ingestion with local authentication disabled asks of a request's Authorization."""

    def __init__(self, audience, issued_url=None):
        self.audience = audience.rstrip("/")
        self.issued_url = issued_url
        self.lock = threading.Lock()
        self.issued = set()  # tokens the identity endpoint listed, fetched again on a miss

    def refusal(self, authorization):
        """The reason to answer 401, or "" when the header carries a valid token."""
        if not authorization:
            return "no Authorization header"
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return "the Authorization scheme is not Bearer"
        claims = decode_jwt(token.strip())
        if claims is None:
            return "the bearer token is not a JWT"
        now = time.time()
        if str(claims.get("aud", "")).rstrip("/") != self.audience:
            return "the token's audience is %r, not %s" % (claims.get("aud"), self.audience)
        if not str(claims.get("iss", "")).startswith(ENTRA_ISSUER):
            return "the token's issuer %r is not a Microsoft Entra tenant" % claims.get("iss")
        try:
            nbf, exp = float(claims["nbf"]), float(claims["exp"])
        except (KeyError, TypeError, ValueError):
            return "the token has no nbf/exp"
        if now < nbf:
            return "the token is not valid yet"
        if now >= exp:
            return "the token expired"
        if self.issued_url and not self.was_issued(token.strip()):
            return "the token was not issued by the identity endpoint"
        return ""

    def was_issued(self, token):
        with self.lock:
            if token in self.issued:
                return True
            try:
                with urllib.request.urlopen(self.issued_url, timeout=5) as response:
                    lines = response.read().decode().splitlines()
            except OSError:
                return False
            self.issued = {json.loads(line)["access_token"] for line in lines if line.strip()}
            return token in self.issued


def decode_jwt(token):
    """The claims of a header.payload.signature token, without checking the signature, or None."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


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
    bearer: BearerCheck = None  # set in main() with --require-bearer-audience
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
        elif path == "/batches":
            self.send(200, self.capture.batch_log(), "application/x-ndjson")
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
        authorization = self.headers.get("Authorization")
        if self.bearer is not None:
            reason = self.bearer.refusal(authorization)
            if reason:
                self.capture.note_batch(401, 0, authorization, reason)
                self.send(401, {"itemsReceived": 0, "itemsAccepted": 0,
                                "errors": [{"index": 0, "statusCode": 401,
                                            "message": "Unauthorized: " + reason}]})
                return
        status, retry_after = self.capture.take_failure()
        if status is not None:
            self.capture.note_batch(status, 0, authorization, "injected failure")
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            self.send(status, {"itemsReceived": 0, "itemsAccepted": 0,
                               "errors": [{"index": 0, "statusCode": status,
                                           "message": "injected failure"}]},
                      headers=headers)
            return
        try:
            envelopes = parse_envelopes(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            self.capture.note_batch(400, 0, authorization, str(e))
            self.send(400, {"itemsReceived": 0, "itemsAccepted": 0,
                            "errors": [{"index": 0, "statusCode": 400, "message": str(e)}]})
            return
        self.capture.append(envelopes, wire, len(body), gzip_encoded)
        n = len(envelopes)
        self.capture.note_batch(200, n, authorization)
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
    parser.add_argument("--require-bearer-audience", metavar="AUD",
                        help="answer 401 to track requests without a valid Entra bearer token for "
                             "this audience (e.g. https://monitor.azure.com/)")
    parser.add_argument("--bearer-issued-url", metavar="URL",
                        help="with --require-bearer-audience: the token must also be listed by "
                             "this URL (tools/identity-endpoint.py's /issued)")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args()
    if args.bearer_issued_url and not args.require_bearer_audience:
        parser.error("--bearer-issued-url needs --require-bearer-audience")

    if args.max_bytes < 2 * 1024:
        parser.error("--max-bytes must be at least 2048")
    Handler.capture = Capture(args.out, args.max_bytes, args.fail_next, args.fail_status)
    if args.require_bearer_audience:
        Handler.bearer = BearerCheck(args.require_bearer_audience, args.bearer_issued_url)
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
