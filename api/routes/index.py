"""The index over HTTP: its status, background rebuilds (202 + job id), and the jobs' progress."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import AdminKey, ApiKey, Context
from api.http_errors import error_response
from api.schemas import RebuildRequest

router = APIRouter(prefix="/v1/index", tags=["index"])


@router.get("", dependencies=[ApiKey])
async def index_status(context: Context) -> dict[str, Any]:
    """The index on disk (raises 503 when none is built)."""
    return dict(context.state.components().index.status())


# OpenAPI links: what a client (and schemathesis's stateful mode) can call next with this answer.
_REBUILD_LINKS = {
    "GetJob": {"operationId": "job_status", "parameters": {"job_id": "$response.body#/job_id"}},
}
_JOB_LINKS = {"Ask": {"operationId": "ask_question"}, "Rebuild": {"operationId": "rebuild"}}


@router.post(
    "/rebuild",
    status_code=202,
    dependencies=[AdminKey],
    operation_id="rebuild",
    responses={202: {"description": "The build started", "links": _REBUILD_LINKS}},
)
async def rebuild(context: Context, body: RebuildRequest | None = None) -> dict[str, Any]:
    """Build from the document store in the background; the current index serves until it succeeds."""
    incremental = body.incremental if body is not None else False
    job = context.jobs.start(incremental=incremental)
    return {"job_id": job.id, "status": job.state, "location": f"/v1/index/jobs/{job.id}"}


@router.get(
    "/jobs/{job_id}",
    dependencies=[ApiKey],
    response_model=None,
    operation_id="job_status",
    responses={200: {"description": "The job", "links": _JOB_LINKS}},
)
async def job_status(job_id: str, context: Context) -> dict[str, Any] | JSONResponse:
    job = context.jobs.get(job_id)
    if job is None:
        return error_response(404, f"no index job {job_id!r}", kind="job_not_found")
    return job.to_dict()
