"""POST /v1/ask: one question, the full answer record back."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.answering import answer_request, check_question, with_notice
from api.deps import ApiKey, Context
from api.schemas import AskRequest

router = APIRouter(prefix="/v1", tags=["assistant"], dependencies=[ApiKey])


@router.post("/ask", operation_id="ask_question")
async def ask_question(body: AskRequest, context: Context) -> dict[str, Any]:
    """The answer with its route, confidence, samples, citations and timings (Answer.to_dict()), plus
    `usage`: the tokens of every generate call it took, samples included.

    With no index built, a `notice` says so and the answer comes from the model alone, or abstains.
    """
    question = check_question(body.question, max_chars=context.settings.max_question_chars)
    thresholds = context.thresholds.for_request(profile=body.profile, overrides=body.overrides)
    context.state.components()
    with context.answers.place():
        notice = context.state.index_notice()
        answered = await answer_request(context, question, thresholds=thresholds)
    return with_notice({**answered.answer.to_dict(), "usage": answered.usage.split()}, notice)
