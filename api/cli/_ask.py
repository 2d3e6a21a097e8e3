"""`assistant ask "QUESTION" [--profile P] [--json]`: one answer, with its route, confidence and sources."""

from __future__ import annotations

import argparse
import json
from typing import Any

from api.cli._parser import CliError
from api.settings import Settings


def register(commands: argparse._SubParsersAction[Any]) -> None:
    parser = commands.add_parser("ask", help="answer one question")
    parser.add_argument("question", help="the question")
    parser.add_argument("--profile", help="threshold profile: strict, balanced or chatty")
    parser.add_argument(
        "--s2a", choices=("auto", "on", "off"), help="set the user's opinions aside: auto, on or off"
    )
    parser.add_argument("--json", action="store_true", help="print the full answer record as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from api.answering import QuestionRejected, answer, check_question
    from api.wiring import load_generator
    from api.wiring.components import load_confidence, load_embedder, open_retriever, threshold_store
    from assistant.render import render_answer_text
    from index import index_status

    try:
        question = check_question(args.question, max_chars=settings.max_question_chars)
    except QuestionRejected as error:
        raise CliError(str(error)) from error
    store = threshold_store(settings)
    overrides = {"s2a": args.s2a} if args.s2a else None
    thresholds = store.for_request(profile=args.profile, overrides=overrides)
    # A missing index is reported before any model loads.
    index_status(settings.index_dir)
    retriever = open_retriever(settings, load_embedder(settings))
    result = answer(
        question,
        generator=load_generator(settings),
        retriever=retriever,
        thresholds=thresholds,
        confidence=load_confidence(settings),
    )
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(render_answer_text(result))
    return 0
