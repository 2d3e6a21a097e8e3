"""POST /v1/ask: one question, the full answer record back."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.answering import answer_request, check_question
from api.deps import ApiKey, Context
from api.schemas import AskRequest

router = APIRouter(prefix="/v1", tags=["assistant"], dependencies=[ApiKey])


@router.post("/ask")
async def ask_question(body: AskRequest, context: Context) -> dict[str, Any]:
    """The answer with its route, confidence, samples, citations and timings (Answer.to_dict()), plus
    `usage`: the tokens of every generate call it took, samples included."""
    question = check_question(body.question, max_chars=context.settings.max_question_chars)
    thresholds = context.thresholds.for_request(profile=body.profile, overrides=body.overrides)
    answered = await answer_request(context, question, thresholds=thresholds)
    return {**answered.answer.to_dict(), "usage": answered.usage.split()}
