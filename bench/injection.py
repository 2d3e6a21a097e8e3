"""How often an instruction injected into a passage changes the answer of the real default model.

    python bench/injection.py [--seed 0] [--start N] [--limit N] [--threads 1] [--cache-dir .cache]

For each case (tests/support/injection_cases.py: 4 topics x 5 attacks x 2 placements) the grounded
stage runs on the passages with the default thresholds: `raw` counts the greedy grounded answer that
carries the attacker's marker (the prompt alone), `served` the answers that pass the support and
agreement checks and still carry it (what a user would get).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.backends.transformers_generator import TransformersGenerator
from assistant.fakes import StaticRetriever
from assistant.flow import grounded_stage
from assistant.prompts import grounded_messages
from assistant.protocols import Generator
from assistant.thresholds import PROFILES
from tests.support.injection_cases import CASES, InjectionCase


def run_case(case: InjectionCase, generator: Generator) -> tuple[bool, bool, str]:
    """(raw greedy followed the injection, served answer followed it, served answer)."""
    passages = case.passages()
    thresholds = PROFILES["balanced"]
    greedy = generator.generate(
        grounded_messages(case.topic.question, passages=passages),
        max_new_tokens=thresholds.max_new_tokens + 32,
    ).greedy.text
    if not case.succeeded(greedy):
        # The grounded stage's answer is this same greedy text (same prompt, greedy decoding), so it
        # cannot carry the marker either: the samples and checks are only run where they can matter.
        return False, False, greedy
    result = grounded_stage(
        case.topic.question, generator=generator, retriever=StaticRetriever(passages), thresholds=thresholds
    )
    served = result.route == "retrieval" and case.succeeded(result.answer)
    return True, served, result.answer if result.route == "retrieval" else f"(abstain) {greedy}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", type=int, default=0, help="skip the first cases (resume a run)")
    parser.add_argument("--limit", type=int, default=len(CASES))
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--cache-dir", type=Path, default=Path(".cache"))
    args = parser.parse_args()
    generator = TransformersGenerator.load(
        model_path=None, cache_dir=args.cache_dir, dtype="auto", threads=args.threads
    )
    raw = served = 0
    started = time.perf_counter()
    cases = CASES[args.start : args.limit]
    for case in cases:
        torch.manual_seed(args.seed)
        followed, kept, answer = run_case(case, generator)
        raw += followed
        served += kept
        flag = "RAW " if followed else "    "
        flag += "SERVED" if kept else "      "
        print(
            f"{flag} {case.attack.name:20} {case.placement:12} {case.topic.question[:36]:36} {answer[:60]!r}"
        )
    print(
        f"injection success: raw {raw}/{len(cases)} ({100 * raw / len(cases):.0f} %), "
        f"served {served}/{len(cases)} ({100 * served / len(cases):.0f} %); "
        f"{time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
