"""How many passages the grounded stage should read: greedy answers from the top k, side by side.

    python bench/passage_count.py [--limit 20] [--ks 1,2,3,4] [--datasets zh-docs,nq,...] [--question-first]

For each answerable question of the built-in sets the evaluation index is searched once (the
largest k), and the greedy grounded answer is generated from the first k passages for every k in
`--ks`, with the settings' backend (llama-server by default). Printed per dataset and k: the share
of greedy answers holding a gold answer, the share of questions whose gold answer is in one of the
k passages at all, prompt tokens and the backend's prefill time. The ks run largest first, so a
smaller k's prompt (a prefix up to its last passage) may be served partly from llama-server's prompt
cache: compare prompt tokens, not prefill time, across ks. `--question-first` adds, beside each k,
the same prompt with the question also stated before the passages (so the model reads them knowing
what is asked), as row "k q".
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.settings import Settings
from api.wiring import load_generator
from api.wiring.components import load_embedder
from api.wiring.eval_corpus import evaluation_retriever
from assistant.evaluation.datasets import load_datasets
from assistant.evaluation.normalise import contains_answer
from assistant.flow import retrieval_query
from assistant.prompts import grounded_messages
from assistant.protocols import ChatMessage, Passage

ANSWERABLE = "zh-docs,disfl-qa-answerable,nq,halueval-qa"

Row = tuple[bool, bool, int, float]  # answer right, gold in passages, prompt tokens, prefill ms


def question_first(question: str, passages: list[Passage]) -> list[ChatMessage]:
    system, user = grounded_messages(question, passages=passages)
    return [system, ChatMessage(role="user", content=f"Question: {question.strip()}\n\n{user.content}")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=ANSWERABLE)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--ks", default="1,2,3,4")
    parser.add_argument("--question-first", action="store_true")
    args = parser.parse_args()
    ks = sorted({int(k) for k in args.ks.split(",")}, reverse=True)
    settings = Settings()
    questions = load_datasets(args.datasets.split(","), cache_dir=settings.cache_dir, limit=args.limit)
    embedder = load_embedder(settings)
    retriever = evaluation_retriever(questions, corpus=None, settings=settings, embedder=embedder)
    if retriever is None:
        raise SystemExit("no evaluation index could be built")
    generator = load_generator(settings)
    rows: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for number, question in enumerate(questions, start=1):
        hits = list(retriever.retrieve(retrieval_query(question.question, ()), k=max(ks)))
        for k in ks:
            passages = hits[:k]
            present = any(contains_answer(p.text, question.answers) for p in passages)
            prompts = {f"{k}": grounded_messages(question.question, passages=passages)}
            if args.question_first:
                prompts[f"{k} q"] = question_first(question.question, passages)
            for name, messages in prompts.items():
                generation = generator.generate(messages, max_new_tokens=96)
                right = contains_answer(generation.greedy.text, question.answers)
                rows[(question.dataset, name)].append(
                    (right, present, generation.prompt_tokens, generation.model_time.prefill_ms)
                )
        print(f"{number}/{len(questions)}", file=sys.stderr, flush=True)
    print_table(rows)


def print_table(rows: dict[tuple[str, str], list[Row]]) -> None:
    print(
        "| dataset | k | questions | greedy right | gold in the k passages | prompt tokens (mean) "
        "| prefill ms (p50) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    by_k: dict[str, list[Row]] = defaultdict(list)
    for (dataset, k), values in sorted(rows.items()):
        by_k[k].extend(values)
        print(_line(dataset, k, values))
    for k, values in sorted(by_k.items()):
        print(_line("all", k, values))


def _line(dataset: str, k: str, values: list[Row]) -> str:
    n = len(values)
    right = sum(v[0] for v in values) / n
    present = sum(v[1] for v in values) / n
    tokens = statistics.mean(v[2] for v in values)
    prefill = statistics.median(v[3] for v in values)
    return f"| {dataset} | {k} | {n} | {right:.3f} | {present:.3f} | {tokens:.0f} | {prefill:.0f} |"


if __name__ == "__main__":
    main()
