"""`assistant serve [--host H] [--port P] [--prepare]`: the HTTP API on uvicorn."""

from __future__ import annotations

import argparse
import socket
import sys
from concurrent.futures import Future
from typing import Any

from api.cli._parser import CliError
from api.security import check_bind_address
from api.settings import Settings
from api.wiring import embedded_model, load_generator, prepare_model, start_loading
from assistant.protocols import Generator


def register(commands: argparse._SubParsersAction[Any]) -> None:
    parser = commands.add_parser("serve", help="serve the HTTP API (OpenAPI docs at /docs)")
    parser.add_argument("--host", help="address to bind (default: ASSISTANT_HOST, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: ASSISTANT_PORT, 8000)")
    parser.add_argument(
        "--prepare",
        action="store_true",
        help="first assemble the model and, if no index exists, build one from the sample corpus",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    host = args.host or settings.host
    port = args.port if args.port is not None else settings.port
    if not 1 <= port <= 65535:
        raise CliError(f"--port must be in 1-65535, got {port}")
    problem = check_bind_address(settings, host)
    if problem is not None:
        raise CliError(problem)
    _check_can_listen(host, port)
    if settings.api_key is None:
        _echo(f"no ASSISTANT_API_KEY set: serving on loopback ({host}) only, without authentication")
    if settings.model == "auto" and settings.model_path is None and settings.backend != "openai":
        _echo(f"model auto: {embedded_model(settings)} (ASSISTANT_MODEL picks another)")
    if args.prepare and (model_file := prepare_model(settings)) is not None:
        _echo(f"model: {model_file}")
    # The model starts before the app's libraries are imported, so the two overlap (warm start).
    generator = start_loading(lambda: load_generator(settings), name="load-generator")
    _serve(args, settings, host, port, generator)
    return 0


def _serve(
    args: argparse.Namespace, settings: Settings, host: str, port: int, generator: Future[Generator]
) -> None:
    import uvicorn

    from api.app import create_app
    from api.prepare import prepare_index
    from api.wiring.components import load_components

    if args.prepare:
        prepare_index(settings, echo=_echo)
    _echo(f"serving on http://{host}:{port} (API docs at /docs); the models load in the background")
    app = create_app(settings, loader=lambda chosen: load_components(chosen, generator=generator.result()))
    uvicorn.run(app, host=host, port=port, log_level="info")


def _check_can_listen(host: str, port: int) -> None:
    """Fail before the slow start-up when the address is taken or invalid (uvicorn would exit 1 later)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            # As uvicorn does, so a port left in TIME_WAIT is not reported as taken.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as error:
        raise CliError(f"cannot listen on {host}:{port}: {error.strerror or error}") from error


def _echo(message: str) -> None:
    print(f"assistant: {message}", file=sys.stderr, flush=True)
