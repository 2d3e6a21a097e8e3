"""OpenAI-compatible chat completions and model list, streaming included, plus the `fallback` object."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from api.answering import Answered, answer_request, with_notice
from api.backpressure import Place
from api.deps import ApiKey, AppContext, Context
from api.http_errors import status_of
from api.live import StagedRun
from api.openai_format import (
    CompletionIds,
    Conversation,
    chunk_body,
    completion_body,
    fallback_object,
    split_conversation,
    sse,
    stage_chunk,
    text_pieces,
    usage_chunk,
)
from api.schemas import ChatCompletionRequest
from assistant.errors import AssistantError
from assistant.flow import StageListener
from assistant.thresholds import Thresholds
from index.errors import IndexingError

router = APIRouter(prefix="/v1", tags=["openai"], dependencies=[ApiKey])


@router.get("/models")
async def list_models(context: Context) -> dict[str, Any]:
    model = context.state.components().generator.model_id
    entry = {"id": model, "object": "model", "created": 0, "owned_by": "fallback-assistant"}
    return {"object": "list", "data": [entry]}


# With `stream: true` the answer comes as server-sent events; the schema says so, so that a client
# generated from it (and the schema conformance test) expects that media type too.
STREAMED: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The answer: JSON, or server-sent `chat.completion.chunk` events with `stream`.",
        "content": {"application/json": {}, "text/event-stream": {}},
    }
}


@router.post("/chat/completions", response_model=None, responses=STREAMED)
async def chat_completions(
    body: ChatCompletionRequest, context: Context
) -> dict[str, Any] | StreamingResponse:
    """The last user message is the question; `fallback: {profile, overrides}` picks thresholds."""
    conversation = split_conversation(body.messages, max_chars=context.settings.max_question_chars)
    thresholds = _thresholds(body, context)
    components = context.state.components()
    ids = CompletionIds.new(components.generator.model_id)
    place = Place(context.answers)  # 503 + Retry-After now, before a stream has started
    notice = context.state.index_notice()
    if body.stream:
        include_usage = body.stream_options is not None and body.stream_options.include_usage
        run = StagedRun(lambda on_stage: _answer(conversation, thresholds, context, on_stage))
        events = _stream(
            run, context=context, ids=ids, include_usage=include_usage, place=place, notice=notice
        )
        return StreamingResponse(
            events,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
            background=BackgroundTask(place.release),  # a stream never started still gives it back
        )
    try:
        answered = await _answer(conversation, thresholds, context, None)
    finally:
        place.release()
    body_out = completion_body(answered, ids)
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


async def _answer(
    conversation: Conversation,
    thresholds: Thresholds,
    context: AppContext,
    on_stage: StageListener | None,
) -> Answered:
    return await answer_request(
        context,
        conversation.question,
        thresholds=thresholds,
        history=conversation.history,
        on_stage=on_stage,
    )


async def _stream(
    run: StagedRun[Answered],
    *,
    context: AppContext,
    ids: CompletionIds,
    include_usage: bool,
    place: Place,
    notice: str | None,
) -> AsyncIterator[str]:
    # The role goes out at once, then each stage as the flow reaches it; the route is known at the end.
    yield sse(chunk_body(ids, delta={"role": "assistant", "content": ""}))
    async for stage in run.stages():
        yield sse(stage_chunk(ids, stage))
    try:
        answered = run.result()
    except (AssistantError, IndexingError) as error:
        status, kind = status_of(error)
        context.metrics.count_error(status)
        yield sse({"error": {"message": str(error), "type": kind, "code": status}})
        yield sse("[DONE]")
        return
    finally:
        place.release()
    for piece in text_pieces(answered.answer.answer):
        yield sse(chunk_body(ids, delta={"content": piece}))
    fallback = with_notice(fallback_object(answered), notice)
    yield sse(chunk_body(ids, delta={}, finish_reason="stop", fallback=fallback))
    if include_usage:
        yield sse(usage_chunk(ids, answered.usage))
    yield sse("[DONE]")
