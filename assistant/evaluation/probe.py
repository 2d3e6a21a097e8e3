"""Knowledge probing on the user's documents, after the Llama 3 factuality recipe.

For each passage the model writes a factual question with a short answer found in the passage; it is
then asked the question closed-book (greedy plus k samples); each answer is judged against the
passage; the question is labelled known (consistently correct) or unknown (wrong and consistent, or
scattered). The labelled records feed `assistant calibrate`; known and unknown items, mixed 1:1,
become a fine-tuning set that teaches the model to refuse what it does not know.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

from assistant.abstention import abstention_text
from assistant.evaluation.normalise import contains_answer, normalise_answer
from assistant.evaluation.question_record import QuestionRecord
from assistant.evaluation.questions import EvalQuestion
from assistant.evaluation.recorder import record_question
from assistant.language import detect_language
from assistant.protocols import ChatMessage, Generator, Retriever
from assistant.refusal import is_refusal
from assistant.thresholds import Thresholds

Label = Literal["known", "unknown", "mixed"]
Judge = Callable[[str, "ProbeQuestion"], bool]

KNOWN_MIN_CORRECT = 0.75  # share of greedy + samples that must be correct for "known"
UNKNOWN_MAX_CORRECT = 0.25  # at most this share correct (with a wrong main answer) is "unknown"
SCATTERED_AGREEMENT = 0.5  # samples agreeing less than this with a wrong main answer: "unknown"
MAX_ANSWER_WORDS = 8
# Words that never start or end a short answer ("is Vellmar Robotics" -> "Vellmar Robotics").
_EDGE_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "in",
        "on",
        "at",
        "of",
        "by",
        "and",
        "or",
        "it",
        "its",
        "to",
        "for",
        "from",
        "as",
        "with",
    ]
)
MIN_QUESTION_CHARS = 8
MAX_QUESTION_CHARS = 300
PASSAGE_CHARS = 1500

_WRITE = {
    "en": (
        "Passage:\n{passage}\n\nWrite one question about a specific fact stated in this passage (a name, a "
        "date, a number or a place). The question must make sense on its own, without the passage: name "
        "its subject. Reply with the question only, on one line."
    ),
    "zh": (
        "资料：\n{passage}\n\n根据这段资料中的一个具体事实（人名、日期、数字或地点）写一个问题。"
        "问题要能单独看懂，写出它的主语。只回答问题本身，写在一行。"
    ),
}
_ANSWER = {
    "en": (
        "Passage:\n{passage}\n\nQuestion: {question}\nAnswer with the shortest exact phrase from the passage."
    ),
    "zh": "资料：\n{passage}\n\n问题：{question}\n用资料中最短的原文短语回答。",
}
_JUDGE = {
    "en": (
        "Passage:\n{passage}\n\nQuestion: {question}\nCorrect answer: {gold}\nProposed answer: {answer}\n"
        "According to the passage, is the proposed answer correct? Reply yes or no."
    ),
    "zh": (
        "资料：\n{passage}\n\n问题：{question}\n正确答案：{gold}\n待判答案：{answer}\n"
        "根据资料，待判答案正确吗？回答“是”或“否”。"
    ),
}


class SourceText(Protocol):
    """A piece of the user's documents: an index chunk or a retrieved passage."""

    @property
    def text(self) -> str: ...

    @property
    def source(self) -> str: ...

    @property
    def chunk_id(self) -> str: ...


@dataclass(frozen=True)
class ProbeQuestion:
    """A question the model wrote from one passage, with the short answer it found there."""

    id: str
    question: str
    answer: str
    passage: str
    source: str
    chunk_id: str


@dataclass(frozen=True)
class ProbeResult:
    item: ProbeQuestion
    record: QuestionRecord  # closed-book answer, samples and grounded stage; `label` set
    correct: tuple[bool, ...]  # greedy first, then each sample

    @property
    def label(self) -> Label:
        return label_for(self.correct, agreement=self.record.agreement)


def write_question(passage: SourceText, *, generator: Generator) -> ProbeQuestion | None:
    """Have the model write a question and find its answer in `passage`; None if either is unusable."""
    text = passage.text[:PASSAGE_CHARS]
    language = detect_language(text)
    question = _ask(generator, _WRITE[language].format(passage=text)).removeprefix("Question:").strip()
    if not _usable_question(question):
        return None
    reply = _ask(generator, _ANSWER[language].format(passage=text, question=question))
    answer = short_answer(reply.removeprefix("Answer:"), passage=text, question=question)
    if answer is None:
        return None
    key = hashlib.sha256(f"{passage.chunk_id}\0{question}".encode()).hexdigest()[:12]
    return ProbeQuestion(f"probe-{key}", question, answer, text, passage.source, passage.chunk_id)


def containment_judge(answer: str, item: ProbeQuestion) -> bool:
    return contains_answer(answer, [item.answer])


def model_judge(generator: Generator) -> Judge:
    """Containment first; otherwise the model decides against the passage (catches paraphrases)."""

    def judge(answer: str, item: ProbeQuestion) -> bool:
        if is_refusal(answer):
            return False
        if containment_judge(answer, item):
            return True
        language = detect_language(item.question)
        prompt = _JUDGE[language].format(
            passage=item.passage, question=item.question, gold=item.answer, answer=answer
        )
        verdict = normalise_answer(_ask(generator, prompt))
        return verdict.startswith(("yes", "是", "正确"))

    return judge


def probe_question(
    item: ProbeQuestion,
    *,
    generator: Generator,
    retriever: Retriever | None,
    thresholds: Thresholds,
    judge: Judge = containment_judge,
) -> ProbeResult:
    """Ask closed-book (greedy + `thresholds.n_samples` samples), judge each answer, label the question."""
    question = EvalQuestion(item.id, item.question, (item.answer,), (item.passage,), dataset="probe")
    record = record_question(question, generator=generator, retriever=retriever, thresholds=thresholds)
    answers = (record.parametric_answer, *record.samples)
    correct = tuple(judge(answer, item) for answer in answers)
    label = label_for(correct, agreement=record.agreement)
    return ProbeResult(item, replace(record, label=label), correct)


def label_for(correct: Sequence[bool], *, agreement: float) -> Label:
    """known: the main answer and most samples right; unknown: the main answer wrong and few samples
    right (consistently wrong), or the samples scattered; mixed otherwise (kept out of fine-tuning)."""
    share = sum(correct) / len(correct)
    if correct[0] and share >= KNOWN_MIN_CORRECT:
        return "known"
    if not correct[0] and (share <= UNKNOWN_MAX_CORRECT or agreement < SCATTERED_AGREEMENT):
        return "unknown"
    return "mixed"


def finetune_rows(results: Sequence[ProbeResult]) -> list[dict[str, Any]]:
    """Known and unknown items 1:1 (the larger group cut, in a fixed order), as chat messages.

    Known items keep the model's own main answer; unknown items get a refusal in the question's language.
    """
    known = sorted((r for r in results if r.label == "known"), key=lambda r: r.item.id)
    unknown = sorted((r for r in results if r.label == "unknown"), key=lambda r: r.item.id)
    size = min(len(known), len(unknown))
    rows = []
    for kept, refused in zip(known[:size], unknown[:size], strict=True):
        rows.append(_row(kept, kept.record.parametric_answer))
        rows.append(_row(refused, abstention_text(refused.item.question)))
    return rows


def probe_row(result: ProbeResult) -> dict[str, Any]:
    """One line of the labelled set: the question, its passage, every answer and how it was judged."""
    return {
        "id": result.item.id,
        "question": result.item.question,
        "answer": result.item.answer,
        "label": result.label,
        "source": result.item.source,
        "chunk_id": result.item.chunk_id,
        "passage": result.item.passage,
        "model_answer": result.record.parametric_answer,
        "samples": list(result.record.samples),
        "correct": list(result.correct),
        "agreement": result.record.agreement,
    }


def _row(result: ProbeResult, reply: str) -> dict[str, Any]:
    return {
        "messages": [
            {"role": "user", "content": result.item.question},
            {"role": "assistant", "content": reply},
        ],
        "label": result.label,
        "id": result.item.id,
    }


def _ask(generator: Generator, prompt: str) -> str:
    generation = generator.generate([ChatMessage(role="user", content=prompt)], max_new_tokens=64)
    return generation.greedy.text.strip()


def _usable_question(question: str) -> bool:
    return (
        MIN_QUESTION_CHARS <= len(question) <= MAX_QUESTION_CHARS
        and question.endswith(("?", "？"))
        and not is_refusal(question)
    )


def short_answer(reply: str, *, passage: str, question: str) -> str | None:
    """The longest run of the reply's words that the passage contains and the question does not.

    Small models answer "The company that builds robots is Vellmar Robotics." when asked for a span;
    the run found in the passage but not in the question ("Vellmar Robotics") is the answer. Chinese
    has no spaces: there the whole reply must occur in the passage.
    """
    reply = reply.strip().rstrip(".。")
    if not reply or is_refusal(reply):
        return None
    if detect_language(reply) == "zh":
        return reply if _new_in_passage(reply, passage=passage, question=question) else None
    words = [w.strip(",;:\"'“”()") for w in reply.split()]
    best: list[str] = []
    for start in range(len(words)):
        for end in range(start + 1, min(len(words), start + MAX_ANSWER_WORDS) + 1):
            span = _trimmed(words[start:end])
            if len(span) > len(best) and _new_in_passage(" ".join(span), passage=passage, question=question):
                best = span
    return " ".join(best) or None


def _trimmed(words: list[str]) -> list[str]:
    while words and words[0].lower() in _EDGE_WORDS:
        words = words[1:]
    while words and words[-1].lower() in _EDGE_WORDS:
        words = words[:-1]
    return words


def _new_in_passage(span: str, *, passage: str, question: str) -> bool:
    return contains_answer(passage, [span]) and not contains_answer(question, [span])
