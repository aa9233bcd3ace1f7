"""Who may call the server and what it accepts.

- **Loopback by default.** Bound to loopback, the server answers only requests whose Host header
  is a loopback name (no DNS rebinding). Bound elsewhere it needs a token
  (:func:`reeflow.web.settings.make_settings`) and checks it on every request except
  ``/api/health`` and the static files: ``Authorization: Bearer TOKEN`` for tools, or a cookie
  set by ``/login`` (an HMAC of the token under the server's secret) for browsers.
- **CSRF.** Forms and htmx calls (``/ui/*``, ``/login``) carry a token equal to the
  ``reeflow_csrf`` cookie (double submit; the cookie is SameSite=Strict). The JSON API accepts
  bodies only as ``application/json``, which a cross-site form cannot send without a CORS
  pre-flight that the server never grants.
- **Size limits.** Request bodies above ``max_body_bytes`` are refused with 413, whether they
  announce their length or stream it.
- **Headers.** nosniff, no referrer, a Content-Security-Policy on every HTML page (scripts only
  from the server itself), and the study report served in a sandbox.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException

__all__ = ["BodyLimit", "HostCheck", "SecurityHeaders", "TokenGate", "load_secret", "auth_cookie_value",
           "csrf_ok", "CSRF_COOKIE", "AUTH_COOKIE", "PAGE_CSP", "REPORT_CSP"]

CSRF_COOKIE = "reeflow_csrf"
AUTH_COOKIE = "reeflow_auth"
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
            "frame-src 'self'; frame-ancestors 'self'; object-src 'none'; base-uri 'none'; "
            "form-action 'self'")
#: The report is reeflow's own self-contained HTML (inline plotly): it runs in an opaque origin,
#: so even a defect in its escaping could not reach the app's cookies or API.
REPORT_CSP = "sandbox allow-scripts allow-popups allow-downloads; frame-ancestors 'self'"

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def load_secret(data_dir: Path) -> bytes:
    """The server's secret (32 random bytes in ``DATA/secret.key``, mode 0600, made once)."""
    path = Path(data_dir) / "secret.key"
    if path.is_file():
        raw = path.read_bytes()
        if len(raw) >= 32:
            return raw[:32]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".secret.key.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, secrets.token_bytes(32))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # first writer wins; a concurrent start reads the same secret
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_bytes()[:32]


def auth_cookie_value(secret: bytes, token: str) -> str:
    return hmac.new(secret, b"auth:" + token.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_ok(cookie: str | None, supplied: str | None) -> bool:
    """Double-submit check: the supplied token equals the cookie (constant time)."""
    return bool(cookie) and bool(supplied) and hmac.compare_digest(str(cookie), str(supplied))


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", []):
        if k == name:
            return str(v.decode("latin-1"))
    return None


def _cookies(scope: Scope) -> dict[str, str]:
    out: dict[str, str] = {}
    raw = _header(scope, b"cookie") or ""
    for part in raw.split(";"):
        k, _, v = part.strip().partition("=")
        if k:
            out[k] = v
    return out


async def _json(send: Send, status: int, body: dict[str, Any],
                headers: list[tuple[bytes, bytes]] | None = None) -> None:
    data = json.dumps(body).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(data)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": data})


class _TooLargeError(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit (FastAPI re-raises
    HTTPExceptions met while reading a body, so the client gets this 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body too large: at most {limit // 1024} KiB")


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` (413), announced or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, int(max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _header(scope, b"content-length")
        limit = {"detail": f"request body too large: at most {self.max_bytes // 1024} KiB"}
        if length is not None:
            try:
                too_big = int(length) > self.max_bytes
            except ValueError:
                await _json(send, 400, {"detail": "bad Content-Length header"})
                return
            if too_big:
                await _json(send, 413, limit)
                return
        seen = 0
        started = False

        async def counted() -> dict[str, Any]:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLargeError(self.max_bytes)
            return msg

        async def tracked(msg: dict[str, Any]) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, counted, tracked)
        except _TooLargeError:
            if not started:
                await _json(send, 413, limit)


class TokenGate:
    """With a token configured, every request but health/static/login must present it."""

    OPEN = ("/api/health", "/static/", "/login", "/favicon.ico")

    def __init__(self, app: ASGIApp, token: str | None, secret: bytes) -> None:
        self.app, self.token, self.secret = app, token, secret
        self.cookie = auth_cookie_value(secret, token) if token else ""

    def allowed(self, scope: Scope) -> bool:
        auth = _header(scope, b"authorization") or ""
        if auth.lower().startswith("bearer ") and self.token and \
                hmac.compare_digest(auth[7:].strip().encode(), self.token.encode()):
            return True
        got = _cookies(scope).get(AUTH_COOKIE, "")
        return bool(got) and hmac.compare_digest(got, self.cookie)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.token:
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if any(path == p or (p.endswith("/") and path.startswith(p)) for p in self.OPEN) \
                or self.allowed(scope):
            await self.app(scope, receive, send)
            return
        if path.startswith("/api/") or path.startswith("/openapi") or path.startswith("/docs"):
            await _json(send, 401, {"detail": "a token is required: send 'Authorization: Bearer "
                                              "TOKEN' (the server's --token)"},
                        [(b"www-authenticate", b"Bearer")])
            return
        await send({"type": "http.response.start", "status": 303,
                    "headers": [(b"location", b"/login"), (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})


class SecurityHeaders:
    """nosniff, no referrer, and the page CSP on HTML responses that set none."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(msg: dict[str, Any]) -> None:
            if msg["type"] == "http.response.start":
                headers = list(msg.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"no-referrer"))
                ctype = dict(headers).get(b"content-type", b"")
                if ctype.startswith(b"text/html") and b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", PAGE_CSP.encode()))
                if b"x-frame-options" not in names:
                    headers.append((b"x-frame-options", b"SAMEORIGIN"))
                msg = {**msg, "headers": headers}
            await send(msg)

        await self.app(scope, receive, with_headers)


def _host_only(value: str) -> str:
    v = value.strip().lower()
    if v.startswith("["):
        return v[: v.find("]") + 1] if "]" in v else v
    return v.rsplit(":", 1)[0] if v.count(":") == 1 else v


class HostCheck:
    """Answer only requests whose Host header names this server (DNS-rebinding guard)."""

    def __init__(self, app: ASGIApp, allowed: list[str]) -> None:
        self.app = app
        self.any = "*" in allowed
        self.allowed = {_host_only(h) for h in allowed} | {f"[{h}]" for h in allowed if ":" in h}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.any:
            await self.app(scope, receive, send)
            return
        host = _host_only(_header(scope, b"host") or "")
        if host in self.allowed:
            await self.app(scope, receive, send)
            return
        await _json(send, 400, {"detail": "unexpected Host header: this server answers only "
                                          "loopback names (start it with --host and --token "
                                          "to serve others)"})
