"""Does the model's own yes/no, asked whether the passages state its grounded answer, tell right from wrong?

    python bench/grounded_judge.py [--limit 40] [--out docs/results/grounded-judge.md]

The issue on confidence suggests reading the probability of "yes" when the model is asked whether
passage n states the answer. Here the question goes after the grounded answer, in the same
conversation, so llama-server answers it from its prompt cache (one token, about 0.35 s for the
0.5B). For the first --limit questions of zh-docs and halueval-qa and the documents trial's
unplanted questions (over the trial's documents), the greedy grounded answer is labelled right or
wrong and scored three ways: the packaged confidence (without samples), and p(yes) under two
wordings of the check. Prints AUROC per set (an answer refused is left out).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "bench"))

from documents_trial import QUESTIONS, write_documents  # noqa: E402

from api.settings import Settings  # noqa: E402
from api.wiring import load_generator  # noqa: E402
from api.wiring.components import load_embedder  # noqa: E402
from api.wiring.eval_corpus import evaluation_retriever  # noqa: E402
from assistant.confidence import default_calibrator  # noqa: E402
from assistant.evaluation.datasets import load_datasets  # noqa: E402
from assistant.evaluation.normalise import contains_answer  # noqa: E402
from assistant.evaluation.questions import EvalQuestion  # noqa: E402
from assistant.evaluation.scores import auroc  # noqa: E402
from assistant.grounded_reading import read_grounded  # noqa: E402
from assistant.language import detect_language  # noqa: E402
from assistant.prompts import grounded_messages  # noqa: E402
from assistant.protocols import ChatMessage, Generator, Retriever  # noqa: E402

CHECKS = {
    "plain": {
        "en": "Is your answer stated in the passages above? Reply Yes or No.",
        "zh": "上面的资料中写明了你的答案吗？只回答“是”或“否”。",
    },
    "strict": {
        "en": (
            "Check: do the passages say exactly this, and does it answer the question asked? Reply Yes or No."
        ),
        "zh": "检查：资料里确实这样写，并且回答了所问的问题吗？只回答“是”或“否”。",
    },
}
PLANTED = re.compile(r"I think|I'm pretty sure|我觉得")


def p_yes(generator: Generator, messages: list[ChatMessage], answer: str, check: str) -> float:
    """The probability of "yes" from the first token's log-probability (0.5 when it is neither)."""
    asked = [*messages, ChatMessage("assistant", answer), ChatMessage("user", check)]
    first = generator.generate(asked, n_samples=0, max_new_tokens=1).greedy
    word = first.text.strip().lower()
    probability = math.exp(first.logprobs[0]) if first.logprobs else 0.5
    if word.startswith(("yes", "是", "对")):
        return probability
    if word.startswith(("no", "否", "不")):
        return 1.0 - probability
    return 0.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=40, help="questions per built-in set")
    parser.add_argument("--out", type=Path, help="Also write the table here (Markdown).")
    args = parser.parse_args()
    settings = Settings()
    questions = load_datasets(["zh-docs", "halueval-qa"], cache_dir=settings.cache_dir, limit=args.limit)
    questions += [
        EvalQuestion(id=f"trial-{n}", question=q, answers=(gold,) if gold else (), dataset="trial")
        for n, (q, gold) in enumerate(QUESTIONS)
        if not PLANTED.search(q)
    ]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        write_documents(Path(folder))
        retriever = evaluation_retriever(
            questions, corpus=Path(folder), settings=settings, embedder=load_embedder(settings)
        )
        generator = load_generator(settings)
        for question in questions:
            rows.append(_scored(question, retriever=retriever, generator=generator))
    table = _table(rows)
    print(table)
    if args.out is not None:
        args.out.write_text(table, encoding="utf-8")


def _scored(question: EvalQuestion, *, retriever: Retriever | None, generator: Generator) -> dict[str, Any]:
    passages = retriever.retrieve(question.question, k=3) if retriever is not None else []
    messages = grounded_messages(question.question, passages=passages)
    greedy = generator.generate(messages, n_samples=0, max_new_tokens=96).greedy
    reading = read_grounded(question.question, greedy, passages)
    if question.dataset == "trial":
        right = bool(question.answers) and re.search(question.answers[0], reading.text) is not None
    else:
        right = question.answerable and contains_answer(reading.text, question.answers)
    language = detect_language(question.question)
    row: dict[str, Any] = {
        "dataset": question.dataset,
        "right": right,
        "refused": reading.refused,
        "confidence": default_calibrator().confidence("grounded", reading.signals),
    }
    for name, wording in CHECKS.items():
        row[name] = p_yes(generator, messages, reading.text, wording[language])
    print(json.dumps(row), file=sys.stderr, flush=True)
    return row


def _table(rows: list[dict[str, Any]]) -> str:
    lines = ["| set | right | wrong | AUROC confidence | AUROC p(yes), plain | AUROC p(yes), strict |"]
    lines.append("|---|---:|---:|---:|---:|---:|")
    for name in ("zh-docs", "halueval-qa", "trial", "all"):
        chosen = [r for r in rows if not r["refused"] and name in ("all", r["dataset"])]
        cells = [name, str(sum(bool(r["right"]) for r in chosen)), str(sum(not r["right"] for r in chosen))]
        for key in ("confidence", *CHECKS):
            right = [float(r[key]) for r in chosen if r["right"]]
            wrong = [float(r[key]) for r in chosen if not r["right"]]
            value = auroc(right, wrong)
            cells.append("-" if value is None else f"{value:.3f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
