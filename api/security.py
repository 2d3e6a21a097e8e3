"""API and admin keys, request-size limits, and the loopback-only rule for servers without a key."""

from __future__ import annotations

import hmac
import ipaddress

from pydantic import SecretStr
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.settings import Settings


class Unauthorized(Exception):
    """A missing or wrong bearer key."""


class BodyTooLarge(HTTPException):
    """Raised while a body streams in; an HTTPException so FastAPI's body parsing lets it through."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than the limit of {limit} bytes")
        self.limit = limit

    def __str__(self) -> str:
        return self.detail


def bearer_matches(authorization: str | None, key: SecretStr) -> bool:
    """True when the Authorization header is `Bearer <key>` (compared in constant time)."""
    scheme, _, token = (authorization or "").partition(" ")
    expected = key.get_secret_value().encode()
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), expected)


def check_bearer(authorization: str | None, *, key: SecretStr | None, what: str) -> None:
    """Pass when no key is configured or the header carries it; raise Unauthorized otherwise."""
    if key is not None and not bearer_matches(authorization, key):
        raise Unauthorized(f"this endpoint needs `Authorization: Bearer <{what}>`")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind_address(settings: Settings, host: str) -> str | None:
    """None when serving on `host` is safe; otherwise why not. Without an API key only loopback is."""
    if settings.api_key is None and not is_loopback(host):
        return (
            f"refusing to serve on {host} without an API key: set ASSISTANT_API_KEY "
            "(and ASSISTANT_ADMIN_KEY for document and config changes), or use --host 127.0.0.1"
        )
    return None


def body_limit(settings: Settings, path: str) -> int:
    """Uploads may carry one document plus the multipart framing; every other body is JSON."""
    if path.rstrip("/") == "/v1/documents":
        return settings.max_upload_bytes + 64 * 1024
    return settings.max_body_bytes


class BodySizeLimit:
    """ASGI middleware that answers 413 once a body passes its limit, declared or streamed."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(self.settings, scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_413(send, limit)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited_receive, send)


async def _send_413(send: Send, limit: int) -> None:
    body = (
        b'{"error": {"message": "request body larger than the limit of '
        + str(limit).encode()
        + b' bytes", "type": "request_too_large"}}'
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
