"""Would a grounded sample make a better answer than the greedy one? Replayed from recorded runs.

    python bench/grounded_choice.py --run RECORDS.jsonl DATASETS LIMIT [--run ...] [--corpus-run ...]

`--run` names a recorded `assistant eval` run with the datasets and --limit it was recorded with
(`--corpus-run` the same, for a run over api/sample_corpus without a limit: pass 0). The evaluation
index is rebuilt (cached), each record's passages are retrieved again and must match the recorded ids,
and every candidate (the greedy grounded answer and its samples) is read against them as the flow
reads an answer (citations, support, signals). A sample takes the greedy answer's place when it says
something else (it does not agree with the greedy answer) and its calibrated confidence, read
without token log-probabilities (samples carry none; the greedy answer is read without them too for
the comparison), is higher. Rules: `greedy` (today), `if-sampled` (only where the flow draws samples:
the greedy answer could still reach the level), `always` (samples drawn for every answer).
Per rule and split: grounded answers right, and those kept at the balanced level (right, unanswerable).
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from api.settings import Settings
from api.wiring.components import load_embedder
from api.wiring.eval_corpus import evaluation_retriever
from assistant.agreement import answers_agree
from assistant.confidence import Calibrator, default_calibrator
from assistant.evaluation.datasets import load_datasets
from assistant.evaluation.fitting import split_of
from assistant.evaluation.normalise import contains_answer
from assistant.evaluation.question_record import QuestionRecord, read_records
from assistant.grounded_reading import GroundedReading, read_grounded
from assistant.protocols import Completion
from assistant.thresholds import PROFILES

RULES = ("greedy", "if-sampled", "always")
TOKEN_SIGNALS = ("logprob_mean", "logprob_min")


@dataclass(frozen=True)
class Candidates:
    record: QuestionRecord
    readings: list[GroundedReading]  # the greedy answer first, then each sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--run", nargs=3, action="append", default=[], metavar=("RECORDS", "DATASETS", "LIMIT")
    )
    parser.add_argument(
        "--corpus-run", nargs=3, action="append", default=[], metavar=("RECORDS", "DATASETS", "_")
    )
    args = parser.parse_args()
    settings = Settings()
    runs: list[tuple[Path, str, int | None, Path | None]] = [
        (Path(r), d, int(n) or None, None) for r, d, n in args.run
    ]
    runs += [(Path(r), d, None, Path("api/sample_corpus")) for r, d, _ in args.corpus_run]
    found = [
        c for path, names, limit, corpus in runs for c in candidates(settings, path, names, limit, corpus)
    ]
    calibrator = default_calibrator()
    level = PROFILES["balanced"].min_confidence_grounded
    held = sum(
        any(contains_answer(r.text, c.record.answers) for r in c.readings)
        for c in found
        if c.record.answerable
    )
    print(f"{len(found)} grounded answers with samples; some candidate right for {held} answerable questions")
    print(f"balanced grounded level {level:.2f}\n")
    print("| rule | split | answerable | right | kept | kept right | unanswerable kept |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for rule in RULES:
        for split in ("train", "test", "all"):
            chosen = [c for c in found if split in ("all", split_of(c.record))]
            print(_row(rule, split, chosen, calibrator, level))


def candidates(
    settings: Settings, path: Path, names: str, limit: int | None, corpus: Path | None
) -> list[Candidates]:
    questions = load_datasets(names.split(","), cache_dir=settings.cache_dir, limit=limit)
    retriever = evaluation_retriever(
        questions, corpus=corpus, settings=settings, embedder=load_embedder(settings)
    )
    if retriever is None:
        raise SystemExit(f"no evaluation index for {path}")
    found = []
    for record in read_records(path):
        if not record.grounded_answer or not record.grounded_samples:
            continue
        question = record.understood or record.question
        passages = list(retriever.retrieve(question, k=len(record.passage_ids)))
        if [p.chunk_id for p in passages] != list(record.passage_ids):
            raise SystemExit(f"{path}: {record.id} retrieves other passages than were recorded")
        texts = [record.grounded_answer, *record.grounded_samples]
        found.append(Candidates(record, [read_grounded(question, Completion(t, 0), passages) for t in texts]))
    return found


def _row(rule: str, split: str, found: Sequence[Candidates], calibrator: Calibrator, level: float) -> str:
    counts: Counter[str] = Counter()
    for item in found:
        answer, confidence = choose(rule, item, calibrator, level)
        record = item.record
        right = record.answerable and contains_answer(answer, record.answers)
        counts["answerable"] += record.answerable
        counts["right"] += right
        if confidence >= level:
            counts["kept"] += 1
            counts["kept right"] += right
            counts["unanswerable kept"] += not record.answerable
    cells = " | ".join(
        str(counts[k]) for k in ("answerable", "right", "kept", "kept right", "unanswerable kept")
    )
    return f"| {rule} | {split} | {cells} |"


def choose(rule: str, item: Candidates, calibrator: Calibrator, level: float) -> tuple[str, float]:
    """The answer a rule gives, and its confidence (the greedy one's as recorded)."""
    record, readings = item.record, item.readings
    question = record.understood or record.question
    texts = [r.text for r in readings]

    def agreement_of(i: int) -> float:
        others = [t for j, t in enumerate(texts) if j != i]
        return sum(answers_agree(texts[i], t, question=question) for t in others) / len(others)

    def untimed(i: int) -> float:
        signals = readings[i].signals if i else record.grounded_signals
        bare = {k: v for k, v in signals.items() if k not in TOKEN_SIGNALS}
        return calibrator.confidence("grounded", bare | {"agreement": agreement_of(i)})

    greedy = calibrator.confidence("grounded", record.grounded_signals)
    reachable = calibrator.confidence("grounded", record.grounded_signals | {"agreement": 1.0}) >= level
    if rule == "greedy" or readings[0].refused or (rule == "if-sampled" and not reachable):
        return texts[0], greedy
    other = [
        i
        for i in range(1, len(texts))
        if not readings[i].refused and not answers_agree(texts[0], texts[i], question=question)
    ]
    best = max(other, key=untimed, default=0)
    if best and untimed(best) > untimed(0):
        return texts[best], untimed(best)
    return texts[0], greedy


if __name__ == "__main__":
    main()
