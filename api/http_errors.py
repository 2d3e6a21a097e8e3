"""Domain errors become HTTP answers here, and only here: `{"error": {message, type, field?}}`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match, Route

from api.answering import QuestionRejected
from api.backpressure import Overloaded
from api.documents import DocumentError, DocumentNotFound, DocumentRefused, DocumentTooLarge
from api.jobs import BuildAlreadyRunning
from api.security import BodyTooLarge, Unauthorized
from api.state import NotReady
from assistant.errors import (
    AssistantError,
    BackendTimeout,
    BackendUnavailable,
    GenerationError,
    ModelLoadError,
    ThresholdError,
)
from index.errors import BuildLocked, EmbedderMismatch, IndexingError, IndexNotFound

# Most specific first: the first class an error is an instance of decides its status.
_STATUS: tuple[tuple[type[Exception], int, str], ...] = (
    (ThresholdError, 422, "invalid_threshold"),
    (QuestionRejected, 422, "invalid_question"),
    (BackendTimeout, 504, "backend_timeout"),
    (BackendUnavailable, 503, "backend_unavailable"),
    (ModelLoadError, 503, "model_unavailable"),
    (GenerationError, 502, "generation_failed"),
    (IndexNotFound, 503, "index_not_found"),
    (EmbedderMismatch, 409, "embedder_mismatch"),
    (BuildLocked, 409, "build_locked"),
    (BuildAlreadyRunning, 409, "build_running"),
    (IndexingError, 500, "index_error"),
    (DocumentTooLarge, 413, "document_too_large"),
    (DocumentNotFound, 404, "document_not_found"),
    (DocumentRefused, 422, "document_refused"),
    (DocumentError, 400, "invalid_document"),
    (BodyTooLarge, 413, "request_too_large"),
    (Unauthorized, 401, "unauthorized"),
    (NotReady, 503, "not_ready"),
    (Overloaded, 503, "overloaded"),
)


def error_response(
    status: int,
    message: str,
    *,
    kind: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The one error body of this API; the `error.message` field is what the openai client shows."""
    body: dict[str, Any] = {"message": message, "type": kind}
    if field is not None:
        body["field"] = field
    extra = dict(headers or {})
    if status == 401:
        extra["WWW-Authenticate"] = "Bearer"
    return JSONResponse({"error": body}, status_code=status, headers=extra or None)


def status_of(error: Exception) -> tuple[int, str]:
    for cls, status, kind in _STATUS:
        if isinstance(error, cls):
            return status, kind
    return 500, "internal_error"


def install_error_handlers(app: FastAPI) -> None:
    for cls in (AssistantError, IndexingError, QuestionRejected, DocumentError, BuildAlreadyRunning):
        app.add_exception_handler(cls, _domain_error)
    app.add_exception_handler(BodyTooLarge, _domain_error)
    app.add_exception_handler(Unauthorized, _domain_error)
    app.add_exception_handler(NotReady, _domain_error)
    app.add_exception_handler(Overloaded, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)


def _count(request: Request, status: int) -> None:
    request.app.state.context.metrics.count_error(status)


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    status, kind = status_of(error)
    _count(request, status)
    field = getattr(error, "field", None)
    if isinstance(error, ThresholdError):
        field = _threshold_field(str(error))
    headers = {"Retry-After": str(error.retry_after_s)} if isinstance(error, Overloaded) else None
    return error_response(status, str(error), kind=kind, field=field, headers=headers)


def _threshold_field(message: str) -> str:
    """ThresholdError messages start with the field they are about, or name an unknown profile."""
    prefix = message.split(":", 1)[0]
    return prefix if prefix.isidentifier() else "profile"


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    first = error.errors()[0]
    location = [str(part) for part in first.get("loc", ()) if part != "body"]
    field = ".".join(location) or "body"
    _count(request, 422)
    return error_response(422, f"{field}: {first.get('msg', 'invalid')}", kind="invalid_request", field=field)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    _count(request, error.status_code)
    headers = dict(error.headers) if error.headers else {}
    if error.status_code == 405:
        # Starlette's Allow names the methods of the first route on the path only; RFC 9110 wants all.
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return error_response(error.status_code, str(error.detail), kind="http_error", headers=headers or None)


def _allowed_methods(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in request.app.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE and isinstance(route, Route) and route.methods:
            methods |= route.methods
    return sorted(methods)
