"""The FastAPI app: `create_app(settings, components=None)`; models load in the lifespan, off the loop."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.backpressure import AnswerQueue
from api.components import Components, IndexService
from api.deps import AppContext
from api.documents import DocumentStore
from api.http_errors import install_error_handlers
from api.jobs import BuildJobs
from api.prometheus import Metrics
from api.routes import ask, chat, config, documents, health, index, page
from api.schemas import ERROR_RESPONSES
from api.security import BodySizeLimit
from api.settings import Settings
from api.state import ServerState
from api.wiring.components import load_confidence, threshold_store
from assistant.errors import AssistantError
from index.errors import IndexingError, IndexNotFound

Loader = Callable[[Settings], Components]
_LOG = logging.getLogger(__name__)


def create_app(
    settings: Settings, *, components: Components | None = None, loader: Loader | None = None
) -> FastAPI:
    """An app serving `components`, or loading them with `loader` (default: api.wiring) at start-up.

    Nothing heavy happens here: loading runs in a background thread once the server starts, so
    /healthz answers at once and /readyz says 503 until the models are in (with no index built,
    the server is ready and answers without documents).
    """
    context = _build_context(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if components is not None:
            _install(context, lambda: components)
        else:
            chosen = loader if loader is not None else _default_loader
            threading.Thread(
                target=_install, args=(context, lambda: chosen(settings)), name="load-models", daemon=True
            ).start()
        yield
        context.state.close()

    app = FastAPI(
        title="fallback-assistant",
        summary="A question-answering assistant that knows what it does not know.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.context = context
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(page.router)
    for module in (chat, ask, documents, index, config):
        app.include_router(module.router, responses=ERROR_RESPONSES)
    app.mount("/static", page.static_files(), name="static")
    app.add_middleware(BodySizeLimit, settings=settings)
    return app


def _build_context(settings: Settings) -> AppContext:
    state = ServerState()

    def index_service() -> IndexService:
        return state.components().index

    return AppContext(
        settings=settings,
        state=state,
        thresholds=threshold_store(settings),
        documents=DocumentStore(settings.documents_dir, max_bytes=settings.max_upload_bytes),
        jobs=BuildJobs(index=index_service, source=settings.documents_dir, on_success=state.swap_retriever),
        metrics=Metrics(),
        confidence=load_confidence(settings),
        answers=AnswerQueue(limit=settings.max_queued),
    )


def _install(context: AppContext, load: Callable[[], Components]) -> None:
    """Load the components, then open the index; a failure is reported by /readyz, not raised."""
    try:
        _load_and_open(context.state, load)
    finally:
        # An unexpected error must not leave /readyz saying "loading" for ever.
        if context.state.readiness().status == "loading":
            context.state.set_failure("loading stopped unexpectedly; see the server log")


def _load_and_open(state: ServerState, load: Callable[[], Components]) -> None:
    try:
        loaded = load()
    except (AssistantError, IndexingError, OSError) as error:
        _LOG.error("loading the models failed: %s", error)
        state.set_failure(f"{type(error).__name__}: {error}")
        return
    try:
        state.swap_retriever(loaded.index.open())
    except IndexNotFound:
        _LOG.info("no index is built yet; questions are answered without documents")
    except (IndexingError, OSError) as error:
        # A truncated or corrupt index: not ready, with the reason; a rebuild replaces it.
        _LOG.error("opening the index failed: %s", error)
        state.set_index_failure(f"{type(error).__name__}: {error}")
    # Last: until the index is open (or known to be missing), /readyz says "loading", not "ready".
    state.set_components(loaded)


def _default_loader(settings: Settings) -> Components:
    from api.wiring.components import load_components

    return load_components(settings)
