"""Liveness, readiness and Prometheus metrics (no key needed: these are for the orchestrator)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from api.deps import Context
from api.prometheus import CONTENT_TYPE
from api.schemas import ReadinessBody

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Answers while the process runs, even during model loading or a long generation."""
    return {"status": "ok"}


@router.get("/readyz", response_model=ReadinessBody, responses={503: {"model": ReadinessBody}})
async def readyz(context: Context) -> JSONResponse:
    """200 once the models are loaded and the index is open or not built yet; 503 with the reason else.

    `index` is "ready", "none" (answers come from the model alone, or abstain), "failed" (an index on
    disk could not be opened: not ready) or "loading".
    """
    readiness = context.state.readiness()
    body = {"status": readiness.status, "index": readiness.index, "detail": readiness.detail}
    return JSONResponse(body, status_code=200 if readiness.ready else 503)


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def metrics(context: Context) -> Response:
    return Response(context.metrics.render(), media_type=CONTENT_TYPE)
