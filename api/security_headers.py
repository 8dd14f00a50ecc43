"""Security headers on every response, added as the response starts (pure ASGI: a
streamed body passes through untouched, nothing is buffered).

Every response: ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer``
(an API and its two small pages link nowhere that needs to know where the person came
from, so no address, which may carry a tracking number or payment id, ever leaves in a
Referer). HTML responses add a Content-Security-Policy and ``X-Frame-Options: DENY``;
production adds HSTS. A header a route set itself is kept."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

STRICT_CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

# Swagger UI and ReDoc (served offline under /docs/static) start from an inline <script>
# in their page and set inline styles (ReDoc's styled components, Swagger UI's style
# attributes); ReDoc also runs a worker from a blob: address and both draw data: images.
# These pages show only the OpenAPI document, never a person's data, so they alone get a
# policy allowing that; every other HTML page (the sandbox checkout) gets STRICT_CSP.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"

_ALWAYS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"))


class SecurityHeadersMiddleware:
    """Adds the headers above; ``docs_paths`` are the documentation pages' paths."""

    def __init__(self, app: ASGIApp, *, production: bool, docs_paths: frozenset[str]) -> None:
        self.app = app
        self.production = production
        self.docs_paths = docs_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                message = {**message, "headers": headers + self._missing(headers, path)}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _missing(self, headers: list[tuple[bytes, bytes]], path: str) -> list[tuple[bytes, bytes]]:
        present = {name.lower() for name, _ in headers}
        content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
        wanted = list(_ALWAYS)
        if content_type.lower().startswith(b"text/html"):
            csp = DOCS_CSP if path in self.docs_paths else STRICT_CSP
            wanted += [(b"content-security-policy", csp.encode()), (b"x-frame-options", b"DENY")]
        if self.production:
            wanted.append((b"strict-transport-security", HSTS.encode()))
        return [(name, value) for name, value in wanted if name not in present]
