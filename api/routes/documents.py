"""The document store over HTTP: upload (multipart), list, delete."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, File, Path, UploadFile
from starlette.concurrency import run_in_threadpool

from api.deps import AdminKey, ApiKey, AppContext, Context
from api.documents import MAX_NAME_CHARS, NAME_PATTERN, DocumentTooLarge, check_name

router = APIRouter(prefix="/v1/documents", tags=["documents"])


@router.get("", dependencies=[ApiKey])
async def list_documents(context: Context) -> dict[str, Any]:
    return {"documents": [dataclasses.asdict(d) for d in context.documents.list()]}


@router.post(
    "",
    status_code=201,
    dependencies=[AdminKey],
    responses={
        201: {
            "description": "The stored documents",
            "links": {
                "Rebuild": {"operationId": "rebuild"},
                "Delete": {
                    "operationId": "delete_document",
                    "parameters": {"document_id": "$response.body#/documents/0/id"},
                },
            },
        }
    },
)
async def upload_documents(
    files: Annotated[list[UploadFile], File(description="One or more documents.")], context: Context
) -> dict[str, Any]:
    """Store the files (replacing same-named ones): all of them, or none when one is refused."""
    for upload in files:
        _check(upload, context)
    named = [(upload.filename or "", upload.file) for upload in files]
    stored = await run_in_threadpool(context.documents.save_all, named)
    return {"documents": [dataclasses.asdict(d) for d in stored]}


DocumentId = Annotated[str, Path(pattern=NAME_PATTERN, max_length=MAX_NAME_CHARS)]


@router.delete("/{document_id}", dependencies=[AdminKey], operation_id="delete_document")
async def delete_document(document_id: DocumentId, context: Context) -> dict[str, str]:
    """Remove a stored document; the index keeps it until the next rebuild."""
    context.documents.delete(document_id)
    return {"deleted": document_id}


def _check(upload: UploadFile, context: AppContext) -> None:
    check_name(upload.filename or "")
    limit = context.settings.max_upload_bytes
    if upload.size is not None and upload.size > limit:
        raise DocumentTooLarge(f"{upload.filename}: larger than the limit of {limit} bytes")
