"""What routes depend on: the app's context, and the API / admin key checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from api.backpressure import AnswerQueue
from api.documents import DocumentStore
from api.jobs import BuildJobs
from api.prometheus import Metrics
from api.runtime_config import ThresholdStore
from api.security import bearer_matches, check_bearer
from api.settings import Settings
from api.state import ServerState
from assistant.confidence import Calibrator


@dataclass(frozen=True)
class AppContext:
    """Everything one app instance owns; kept on `app.state.context`."""

    settings: Settings
    state: ServerState
    thresholds: ThresholdStore
    documents: DocumentStore
    jobs: BuildJobs
    metrics: Metrics
    confidence: Calibrator
    answers: AnswerQueue


def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


Context = Annotated[AppContext, Depends(get_context)]


def require_api_key(context: Context, authorization: Annotated[str | None, Header()] = None) -> None:
    """Every /v1 route: the API key when one is set; the admin key opens these routes too."""
    settings = context.settings
    if settings.admin_key is not None and bearer_matches(authorization, settings.admin_key):
        return
    check_bearer(authorization, key=settings.api_key, what="ASSISTANT_API_KEY")


def require_admin_key(context: Context, authorization: Annotated[str | None, Header()] = None) -> None:
    """Document, rebuild and config-write routes: the admin key when one is set, else the API key."""
    settings = context.settings
    if settings.admin_key is not None:
        check_bearer(authorization, key=settings.admin_key, what="ASSISTANT_ADMIN_KEY")
    else:
        check_bearer(authorization, key=settings.api_key, what="ASSISTANT_API_KEY")


ApiKey = Depends(require_api_key)
AdminKey = Depends(require_admin_key)
