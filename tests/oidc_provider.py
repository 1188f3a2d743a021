"""A small, real OpenID Connect provider for the tests, run as its own process.

It speaks the authorization code flow as a relying party sees it: discovery, an authorize page
(a form where the test types which email signs in, or `login_hint` to skip the form), a token
endpoint (client_secret_post or client_secret_basic; the code is single use and bound to its
client, redirect_uri, nonce and PKCE challenge), userinfo and the JWKS. ID tokens are RS256,
signed with joserfc by a key made at start. Only the standard library serves it.

    python -m tests.oidc_provider --client-id ID --client-secret SECRET

prints `listening on http://127.0.0.1:PORT` once it listens; `running_provider` starts it for a
test and waits until it answers. `--unverified` marks every email
`email_verified: false`, for the refusal of unverified addresses; `--audience OTHER` issues ID
tokens meant for another client.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import html
import json
import secrets
import socketserver
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from joserfc import jwt
from joserfc.jwk import RSAKey

StartResponse = Callable[..., Any]


@dataclass
class Grant:
    """What one authorization code stands for until it is exchanged."""

    client_id: str
    redirect_uri: str
    nonce: str
    email: str
    expires: float
    code_challenge: str = ""


@dataclass
class Provider:
    """The provider's state: one client, its key, the codes and access tokens it has issued."""

    issuer: str
    client_id: str
    client_secret: str
    verified: bool = True
    # Set by --audience: the ID token names this client instead, as a token meant for another.
    audience: str = ""
    key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(
            2048, parameters={"kid": secrets.token_hex(8), "alg": "RS256", "use": "sig"}
        )
    )
    codes: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def claims_of(self, email: str) -> dict[str, Any]:
        """The person's claims: a subject that stays the same for the same address."""
        local = email.split("@", 1)[0]
        return {
            "sub": "sub-" + hashlib.sha256(email.lower().encode()).hexdigest()[:16],
            "email": email,
            "email_verified": self.verified,
            "name": local.replace(".", " ").title(),
            "given_name": local.split(".")[0].title(),
        }

    def discovery(self) -> dict[str, Any]:
        """The document at /.well-known/openid-configuration."""
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "scopes_supported": ["openid", "email", "profile"],
        }

    def authorize(self, params: dict[str, str], email: str) -> str:
        """Issue a code for `email` and return where the browser goes next."""
        code = secrets.token_urlsafe(24)
        self.codes[code] = Grant(
            client_id=params["client_id"],
            redirect_uri=params["redirect_uri"],
            nonce=params.get("nonce", ""),
            email=email,
            expires=time.time() + 60,
            code_challenge=params.get("code_challenge", ""),
        )
        query = urlencode({"code": code, "state": params.get("state", "")})
        return f"{params['redirect_uri']}?{query}"

    def exchange(self, form: dict[str, str], basic: tuple[str, str] | None) -> dict[str, Any]:
        """The token response for a code, or raise ValueError with the OAuth error."""
        client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        if client_id != self.client_id or not secrets.compare_digest(secret, self.client_secret):
            raise ValueError("invalid_client")
        if form.get("grant_type") != "authorization_code":
            raise ValueError("unsupported_grant_type")
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or grant.expires < time.time() or grant.client_id != client_id:
            raise ValueError("invalid_grant")
        if form.get("redirect_uri") != grant.redirect_uri:
            raise ValueError("invalid_grant")
        if grant.code_challenge and _s256(form.get("code_verifier", "")) != grant.code_challenge:
            raise ValueError("invalid_grant")
        access_token = secrets.token_urlsafe(24)
        self.tokens[access_token] = grant.email
        now = int(time.time())
        claims = {
            **self.claims_of(grant.email),
            "iss": self.issuer,
            "aud": self.audience or client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.nonce,
        }
        id_token = jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }


def _s256(verifier: str) -> str:
    """PKCE's S256 challenge of a verifier."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _json(start: StartResponse, body: dict[str, Any], status: str = "200 OK") -> list[bytes]:
    start(status, [("Content-Type", "application/json"), ("Cache-Control", "no-store")])
    return [json.dumps(body).encode()]


def _form(environ: dict[str, Any]) -> dict[str, str]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length).decode() if length else ""
    return {key: values[-1] for key, values in parse_qs(raw).items()}


def _basic(environ: dict[str, Any]) -> tuple[str, str] | None:
    header = environ.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Basic "):
        return None
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return user, password


LOGIN_PAGE = """<!doctype html><html lang="en"><head><title>Test provider</title></head>
<body><h1>Test provider sign-in</h1><form method="post" action="/authorize">{hidden}
<label for="email">Email</label><input id="email" name="email" type="email" required>
<button type="submit">Continue</button></form></body></html>"""


def app_for(provider: Provider) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The provider as a WSGI application."""

    def app(environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if path == "/.well-known/openid-configuration":
            return _json(start, provider.discovery())
        if path == "/jwks":
            return _json(start, {"keys": [provider.key.as_dict(private=False)]})
        if path == "/authorize":
            return _authorize(provider, environ, method, query, start)
        if path == "/token" and method == "POST":
            try:
                return _json(start, provider.exchange(_form(environ), _basic(environ)))
            except ValueError as error:
                return _json(start, {"error": str(error)}, "400 Bad Request")
        if path == "/userinfo":
            token = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
            email = provider.tokens.get(token)
            if email is None:
                return _json(start, {"error": "invalid_token"}, "401 Unauthorized")
            return _json(start, provider.claims_of(email))
        start("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return app


def _authorize(
    provider: Provider,
    environ: dict[str, Any],
    method: str,
    query: dict[str, str],
    start: StartResponse,
) -> Iterable[bytes]:
    params = _form(environ) if method == "POST" else query
    if params.get("client_id") != provider.client_id or params.get("response_type") != "code":
        return _json(start, {"error": "invalid_request"}, "400 Bad Request")
    if "openid" not in params.get("scope", "").split() or not params.get("redirect_uri"):
        return _json(start, {"error": "invalid_request"}, "400 Bad Request")
    email = params.get("email") or params.get("login_hint")
    if email:
        start("302 Found", [("Location", provider.authorize(params, email))])
        return [b""]
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in params.items()
    )
    start("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [LOGIN_PAGE.format(hidden=hidden).encode()]


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean."""


@contextlib.contextmanager
def running_provider(
    client_id: str, client_secret: str, *, unverified: bool = False, audience: str = ""
) -> Iterator[str]:
    """Run the provider in its own process on a free loopback port; yield its issuer URL."""
    command = [sys.executable, "-m", "tests.oidc_provider", "--client-id", client_id]
    command += ["--client-secret", client_secret] + (["--unverified"] if unverified else [])
    command += ["--audience", audience] if audience else []
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("listening on "):
            raise RuntimeError(f"the test OpenID Connect provider did not start: {line!r}")
        issuer = line.removeprefix("listening on ")
        _wait_until_it_answers(f"{issuer}/.well-known/openid-configuration")
        yield issuer
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_it_answers(url: str, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.05)


def main(argv: list[str] | None = None) -> None:
    """Serve on 127.0.0.1 (port 0 picks a free one) and print the address once listening."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--unverified", action="store_true")
    parser.add_argument("--audience", default="")
    args = parser.parse_args(argv)
    provider = Provider(issuer="", client_id=args.client_id, client_secret=args.client_secret)
    provider.verified = not args.unverified
    provider.audience = args.audience
    server = make_server(
        "127.0.0.1", args.port, app_for(provider), server_class=_Server, handler_class=_QuietHandler
    )
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    print(f"listening on {provider.issuer}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main(sys.argv[1:])
