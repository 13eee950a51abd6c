"""Who may talk to the screening page: the reviewer's own machine, through the page itself.

Checked on every request, before any route runs:

- the peer is this machine (127.0.0.1 or ::1), unless the page was told to listen on another
  interface (``--host`` with ``--allow-remote``); then every request must carry the access
  token printed when the page started (in the link, kept afterwards in a same-site cookie);
- on this computer, the ``Host`` header names this page (a web site visited meanwhile cannot
  reach it through a name that resolves to 127.0.0.1);
- a request that changes a file carries the page's own token (a header only the page's script
  sends) and, when the browser says where it comes from, the page's own origin, so another
  site's form or script cannot decide in the reviewer's name.

Every answer says: no caching, no framing, scripts and styles from the page only.
"""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
ACCESS_COOKIE = "slrflow_access"  # the name of the cookie, not a secret
PAGE_HEADER = "x-slrflow-page"

SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     b"connect-src 'self'; frame-src 'self'; object-src 'self'; base-uri 'none'; "
     b"form-action 'none'; frame-ancestors 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]  # fmt: skip


def is_loopback(host: str) -> bool:
    """Whether ``host`` is an address of this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Access:
    """The page's rules: the port it answers on, whether other machines may reach it (then
    ``access_token`` is required), the host name it listens under, and ``page_token``, which
    the page's script sends with every change."""

    port: int
    page_token: str
    remote: bool = False
    access_token: str = ""
    host: str = "127.0.0.1"

    def allowed_hosts(self) -> set[str]:
        names = set(LOOPBACK_NAMES)
        if self.remote:
            names.add(self.host)
        return {f"{n}:{self.port}" for n in names}


class Guard:
    """ASGI middleware enforcing :class:`Access` (see the module docstring)."""

    def __init__(self, app, *, access: Access) -> None:
        self.app = app
        self.access = access

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        refusal, set_cookie = self._check(scope)
        if refusal is not None:
            return await _plain(send, 403, refusal)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + SECURITY_HEADERS
                if set_cookie:
                    headers.append((b"set-cookie", set_cookie))
                message = dict(message, headers=headers)
            await send(message)

        return await self.app(scope, receive, send_with_headers)

    def _check(self, scope) -> tuple[str | None, bytes | None]:
        access = self.access
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        peer = (scope.get("client") or ("", 0))[0]
        if not access.remote and not is_loopback(peer):
            return "This screening page answers this computer only.", None
        host = headers.get("host", "")
        # On this computer only: the host name must be this page's (no DNS rebinding). Reached
        # from other computers, under whatever name they use, the access token guards it.
        if not access.remote and host not in access.allowed_hosts():
            return "Unknown host name: open the page through the link it printed.", None
        set_cookie = None
        if access.remote:
            given = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [""])[0]
            cookie = SimpleCookie(headers.get("cookie", ""))
            kept = cookie[ACCESS_COOKIE].value if ACCESS_COOKIE in cookie else ""
            if hmac.compare_digest(given, access.access_token):
                set_cookie = (
                    f"{ACCESS_COOKIE}={access.access_token}; HttpOnly; SameSite=Strict; Path=/"
                ).encode()
            elif not hmac.compare_digest(kept, access.access_token):
                return "This page needs its access token: open the link it printed.", None
        if scope["method"] not in ("GET", "HEAD"):
            origin = headers.get("origin")
            if origin is not None and origin.split("://", 1)[-1] != host:
                return "Changes come from the screening page only.", None
            if not hmac.compare_digest(headers.get(PAGE_HEADER, ""), access.page_token):
                return "Changes come from the screening page only.", None
        return None, set_cookie


async def _plain(send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
