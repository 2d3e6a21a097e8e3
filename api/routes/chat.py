"""OpenAI-compatible chat completions and model list, streaming included, plus the `fallback` object."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from api.answering import answer_request, with_notice
from api.backpressure import Place
from api.deps import ApiKey, AppContext, Context
from api.http_errors import status_of
from api.openai_format import (
    CompletionIds,
    Conversation,
    chunk_body,
    completion_body,
    fallback_object,
    split_conversation,
    sse,
    text_pieces,
)
from api.schemas import ChatCompletionRequest
from assistant.errors import AssistantError
from assistant.thresholds import Thresholds
from index.errors import IndexingError

router = APIRouter(prefix="/v1", tags=["openai"], dependencies=[ApiKey])


@router.get("/models")
async def list_models(context: Context) -> dict[str, Any]:
    model = context.state.components().generator.model_id
    entry = {"id": model, "object": "model", "created": 0, "owned_by": "fallback-assistant"}
    return {"object": "list", "data": [entry]}


@router.post("/chat/completions", response_model=None)
async def chat_completions(
    body: ChatCompletionRequest, context: Context
) -> dict[str, Any] | StreamingResponse:
    """The last user message is the question; `fallback: {profile, overrides}` picks thresholds."""
    conversation = split_conversation(body.messages, max_chars=context.settings.max_question_chars)
    thresholds = _thresholds(body, context)
    components = context.state.components()
    ids = CompletionIds.new(components.generator.model_id)
    place = Place(context.answers)  # 503 + Retry-After now, before a stream has started
    if body.stream:
        events = _stream(conversation, thresholds=thresholds, context=context, ids=ids, place=place)
        return StreamingResponse(
            events,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
            background=BackgroundTask(place.release),  # a stream never started still gives it back
        )
    try:
        notice = context.state.index_notice()
        answer = await answer_request(
            context, conversation.question, thresholds=thresholds, history=conversation.history
        )
    finally:
        place.release()
    body_out = completion_body(answer, ids)
    body_out["fallback"] = with_notice(body_out["fallback"], notice)
    return body_out


def _thresholds(body: ChatCompletionRequest, context: AppContext) -> Thresholds:
    options = body.fallback
    overrides = dict(options.overrides) if options is not None else {}
    max_tokens = body.max_completion_tokens or body.max_tokens
    if max_tokens is not None:
        overrides.setdefault("max_new_tokens", max_tokens)
    profile = options.profile if options is not None else None
    return context.thresholds.for_request(profile=profile, overrides=overrides)


async def _stream(
    conversation: Conversation,
    *,
    thresholds: Thresholds,
    context: AppContext,
    ids: CompletionIds,
    place: Place,
) -> AsyncIterator[str]:
    # The role goes out at once; the route is only known once the whole flow has run.
    yield sse(chunk_body(ids, delta={"role": "assistant", "content": ""}))
    notice = context.state.index_notice()
    try:
        answer = await answer_request(
            context, conversation.question, thresholds=thresholds, history=conversation.history
        )
    except (AssistantError, IndexingError) as error:
        status, kind = status_of(error)
        context.metrics.count_error(status)
        yield sse({"error": {"message": str(error), "type": kind, "code": status}})
        yield sse("[DONE]")
        return
    finally:
        place.release()
    for piece in text_pieces(answer.answer):
        yield sse(chunk_body(ids, delta={"content": piece}))
    fallback = with_notice(fallback_object(answer), notice)
    yield sse(chunk_body(ids, delta={}, finish_reason="stop", fallback=fallback))
    yield sse("[DONE]")
