"""POST /v1/ask: one question, the full answer record back."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from api.answering import ask, check_question
from api.deps import ApiKey, AppContext, Context
from api.schemas import AskRequest
from assistant.record import Answer
from assistant.thresholds import Thresholds

router = APIRouter(prefix="/v1", tags=["assistant"], dependencies=[ApiKey])


@router.post("/ask")
async def ask_question(body: AskRequest, context: Context) -> dict[str, Any]:
    """The answer with its route, confidence, samples, citations and timings (Answer.to_dict())."""
    question = check_question(body.question, max_chars=context.settings.max_question_chars)
    thresholds = context.thresholds.for_request(profile=body.profile, overrides=body.overrides)
    context.state.components()
    context.state.retriever()
    answer = await run_in_threadpool(_answer, question, thresholds, context)
    return answer.to_dict()


def _answer(question: str, thresholds: Thresholds, context: AppContext) -> Answer:
    answer = ask(
        question,
        generator=context.state.components().generator,
        retriever=context.state.retriever(),
        thresholds=thresholds,
    )
    context.metrics.observe(answer)
    return answer
