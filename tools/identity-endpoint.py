#!/usr/bin/env python3
"""A local stand-in for the managed-identity endpoint of Azure Container Apps / App Service.

Speaks the protocol the platform offers a process through IDENTITY_ENDPOINT and IDENTITY_HEADER
(api-version 2019-08-01):

    GET /msi/token?api-version=2019-08-01&resource=<audience>[&client_id=<id>]
        header X-IDENTITY-HEADER: <the secret given with --header>
        -> 200 {"access_token", "expires_on" (epoch seconds, a string), "resource",
                "token_type": "Bearer", "client_id"}
        400 without api-version or resource, 401 with a wrong or missing header.
    GET /issued     every token issued so far, one JSON object per line (for tests)
    POST /control   {"fail_next": N, "status": 500}: the next N token requests fail;
                    {"claims": {...}}: tokens issued from now on carry these claims instead of
                    the usual ones (e.g. "exp" in the past, another "aud" or "iss"), so a test can
                    hand out a token its service must refuse; {"claims": {}} goes back to normal.
                    The response's expires_on stays the real one, as a client cannot see inside.
    GET /health     200 "ok"

Tokens are JWTs shaped like Entra ID's (iss https://sts.windows.net/<tenant>/, aud = the
resource, oid, tid, iat, nbf, exp) but unsigned: the local services that accept them check
their claims, never a signature (Azurite's --oauth basic does exactly that). Like the real
endpoint, it hands out the same token for a resource until half its lifetime (--lifetime,
seconds) has passed, then a new one. Standard library only.
"""

import argparse
import base64
import json
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Issuer:
    def __init__(self, lifetime, object_id, tenant_id):
        self.lifetime = lifetime
        self.object_id = object_id
        self.tenant_id = tenant_id
        self.lock = threading.Lock()
        self.current = {}  # (resource, client_id) -> (issued_at, token, expires_on)
        self.issued = []
        self.fail_next = 0
        self.fail_status = 500
        self.claims = {}  # overrides of the claims of tokens issued from now on

    def token_for(self, resource, client_id):
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return None
            now = int(time.time())
            key = (resource, client_id)
            held = self.current.get(key)
            if held and now - held[0] < self.lifetime / 2:
                return held
            expires_on = now + self.lifetime
            claims = {
                "aud": resource,
                "iss": f"https://sts.windows.net/{self.tenant_id}/",
                "iat": now, "nbf": now, "exp": expires_on,
                "oid": self.object_id, "sub": self.object_id, "tid": self.tenant_id,
                "appid": client_id or self.object_id,
                "uti": secrets.token_urlsafe(12),  # a new token each time, as Entra's are
            }
            claims.update(self.claims)
            token = ".".join([b64url(b'{"alg":"none","typ":"JWT"}'),
                              b64url(json.dumps(claims, separators=(",", ":")).encode()),
                              b64url(secrets.token_bytes(32))])
            held = (now, token, expires_on)
            self.current[key] = held
            self.issued.append({"resource": resource, "client_id": client_id,
                                "access_token": token, "expires_on": expires_on})
            return held


class Handler(BaseHTTPRequestHandler):
    server_version = "identity-endpoint/1"
    protocol_version = "HTTP/1.1"
    issuer: Issuer = None
    secret = ""
    quiet = False

    def log_message(self, fmt, *args):
        if not self.quiet:
            sys.stderr.write("%s %s\n" % (self.log_date_time_string(), fmt % args))

    def send(self, status, payload, content_type="application/json"):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/health":
            self.send(200, b"ok\n", "text/plain")
            return
        if url.path == "/issued":
            with self.issuer.lock:
                lines = "".join(json.dumps(t) + "\n" for t in self.issuer.issued)
            self.send(200, lines.encode(), "application/x-ndjson")
            return
        if url.path != "/msi/token":
            self.send(404, {"error": "not found"})
            return
        if self.headers.get("X-IDENTITY-HEADER") != self.secret:
            self.send(401, {"error": "invalid_request",
                            "error_description": "X-IDENTITY-HEADER is missing or wrong"})
            return
        query = urllib.parse.parse_qs(url.query)
        if query.get("api-version", [""])[0] != "2019-08-01" or not query.get("resource"):
            self.send(400, {"error": "invalid_request",
                            "error_description": "api-version=2019-08-01 and resource are required"})
            return
        resource = query["resource"][0]
        client_id = query.get("client_id", [""])[0]
        held = self.issuer.token_for(resource, client_id)
        if held is None:
            self.send(self.issuer.fail_status, {"error": "temporarily_unavailable",
                                                "error_description": "injected failure"})
            return
        _, token, expires_on = held
        self.send(200, {"access_token": token, "expires_on": str(expires_on),
                        "resource": resource, "token_type": "Bearer",
                        "client_id": client_id or self.issuer.object_id})

    def do_POST(self):
        if urllib.parse.urlsplit(self.path).path != "/control":
            self.send(404, {"error": "not found"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            command = json.loads(self.rfile.read(length) or b"{}")
            claims = command.get("claims")
            if claims is not None and not isinstance(claims, dict):
                raise ValueError("claims must be an object")
            with self.issuer.lock:
                self.issuer.fail_next = max(0, int(command.get("fail_next", 0)))
                self.issuer.fail_status = int(command.get("status", 500))
                if claims is not None:
                    self.issuer.claims = claims
                    self.issuer.current = {}  # the next request gets a token with the new claims
        except (ValueError, TypeError, AttributeError) as e:
            self.send(400, {"error": str(e)})
            return
        self.send(200, {"fail_next": self.issuer.fail_next, "claims": self.issuer.claims})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--header", required=True, help="the secret X-IDENTITY-HEADER value")
    parser.add_argument("--lifetime", type=int, default=3600, help="token lifetime in seconds")
    parser.add_argument("--object-id", default="6c1f0a52-3f2e-4b7a-9d55-5a1e2f0c9b11")
    parser.add_argument("--tenant-id", default="72f988bf-86f1-41af-91ab-2d7cd011db47")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    Handler.issuer = Issuer(args.lifetime, args.object_id, args.tenant_id)
    Handler.secret = args.header
    Handler.quiet = args.quiet
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    print(f"identity endpoint on http://{args.host}:{args.port}/msi/token", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
