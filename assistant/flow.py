"""The fallback flow: S2A, closed-book answer and its confidence, grounded answer, or abstention."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from time import perf_counter
from typing import Literal

from assistant.abstention import abstention_text
from assistant.agreement import agreement
from assistant.answer import Answer
from assistant.confidence import Calibrator, default_calibrator
from assistant.drawing import agreement_could_move, draw
from assistant.grounded_reading import GroundedReading, read_grounded
from assistant.prompts import grounded_messages, parametric_messages, shorten
from assistant.protocols import ChatMessage, Completion, Generation, Generator, ModelTime, Retriever
from assistant.refusal import is_refusal
from assistant.s2a import understand
from assistant.signals import closed_signals
from assistant.stage_results import GroundedResult, Measured, ParametricResult, citation, to_answer
from assistant.support import bracket_citations
from assistant.thresholds import Thresholds

# A grounded answer repeats names and numbers from the passages and adds "[1]" markers (about
# three tokens each), so it gets this many tokens on top of thresholds.max_new_tokens.
GROUNDED_TOKEN_ALLOWANCE = 32
MAX_TOKEN_BUDGET = 1024  # the largest max_new_tokens a Thresholds accepts
# A follow-up ("and when was she born?") retrieves poorly alone; the previous question gives it a subject.
QUERY_CONTEXT_CHARS = 200

# What the flow is doing now, for live progress (the web page, the streaming endpoint).
Stage = Literal["answering", "checking_agreement", "searching", "answering_from_passages", "verifying"]
StageListener = Callable[[Stage], None]
StopIf = Callable[[Completion], bool]


def _silent(stage: Stage) -> None:
    """The default listener: progress is not reported."""


def answer_question(
    question: str,
    *,
    generator: Generator,
    retriever: Retriever | None,
    thresholds: Thresholds,
    history: Sequence[ChatMessage] = (),
    on_stage: StageListener | None = None,
    calibrator: Calibrator | None = None,
) -> Answer:
    """The full flow: parametric answer if confident, else grounded answer, else abstention.

    A closed-book answer kept below `check_parametric_below` is checked against the documents: the
    grounded answer replaces it when its confidence is higher (both are calibrated probabilities of
    being right). `on_stage` is told each stage as it starts (see `Stage`); `calibrator` turns each
    stage's signals into its confidence (default: the packaged model).
    """
    started = perf_counter()
    listener = on_stage or _silent
    model = calibrator or default_calibrator()
    understood = understand(question, mode=thresholds.s2a, generator=generator)
    s2a_ms = _ms_since(started)
    question = understood.question
    closed = parametric_stage(
        question,
        generator=generator,
        thresholds=thresholds,
        history=history,
        on_stage=listener,
        calibrator=model,
        skip_decided_samples=thresholds.skip_decided_samples,
    )
    record = functools.partial(to_answer, model=generator.model_id, understood=understood, s2a_ms=s2a_ms)
    kept = closed.confident(thresholds)
    if kept and closed.confidence >= thresholds.check_parametric_below:
        return record(closed, None, total_ms=_ms_since(started))
    grounded = grounded_stage(
        question,
        generator=generator,
        retriever=retriever,
        thresholds=thresholds,
        history=history,
        on_stage=listener,
        calibrator=model,
        skip_decided_samples=thresholds.skip_decided_samples,
    )
    closed_stands = kept and (
        grounded.route != "retrieval" or (grounded.confidence or 0.0) <= closed.confidence
    )
    return record(closed, grounded, total_ms=_ms_since(started), closed_kept=closed_stands)


def parametric_stage(
    question: str,
    *,
    generator: Generator,
    thresholds: Thresholds,
    history: Sequence[ChatMessage] = (),
    on_stage: StageListener = _silent,
    calibrator: Calibrator | None = None,
    skip_decided_samples: bool = True,
) -> ParametricResult:
    """The greedy answer, then n_samples samples unless they cannot change the decision.

    With `skip_decided_samples`, the greedy answer comes first, alone; when its confidence stays on
    one side of `min_confidence_parametric` whatever the samples' agreement turns out to be (a sure
    answer, or one hopeless even at full agreement), no samples are drawn, and the confidence is
    read at the fitted mean agreement. Otherwise (and always without it: evaluation records every
    sample) one call gives the greedy answer and the samples. A refusal is never sampled.
    """
    started = perf_counter()
    on_stage("answering")
    model = calibrator or default_calibrator()
    messages = parametric_messages(question, history=history)

    def generate(n_samples: int, known_greedy: Completion | None, stop_if: StopIf | None) -> Generation:
        return generator.generate(
            messages,
            n_samples=n_samples,
            temperature=thresholds.sample_temperature,
            max_new_tokens=thresholds.max_new_tokens,
            stop_sampling_if=_refused_or(stop_if),
            known_greedy=known_greedy,
        )

    def needs_samples(greedy: Completion) -> bool:
        return not is_refusal(greedy.text) and samples_can_decide(question, greedy, model, thresholds)

    drawn = draw(
        generate,
        n_samples=thresholds.n_samples,
        skip_decided=skip_decided_samples,
        needs_samples=needs_samples,
    )
    greedy = drawn.greedy
    refused = is_refusal(greedy.text)
    on_stage("checking_agreement")
    samples = tuple(s.text for s in drawn.samples)
    score = 0.0 if refused or drawn.decided else agreement(greedy.text, samples, question=question)
    signals = closed_signals(question, greedy, agreement=score, samples=len(samples), refused=refused)
    if drawn.decided:
        del signals["agreement"]  # not measured: the model reads its fitted mean, on the same side
    return ParametricResult(
        answer=greedy.text,
        samples=samples,
        agreement=score,
        refused=refused,
        elapsed_ms=_ms_since(started),
        signals=signals,
        confidence=model.confidence("parametric", signals),
        model_time=drawn.model_time,
    )


def samples_can_decide(question: str, greedy: Completion, model: Calibrator, thresholds: Thresholds) -> bool:
    """Whether the samples' agreement could still move the closed-book answer across its level."""
    signals = closed_signals(question, greedy, agreement=0.0, samples=thresholds.n_samples, refused=False)
    return agreement_could_move("parametric", signals, model, thresholds)


def grounded_stage(
    question: str,
    *,
    generator: Generator,
    retriever: Retriever | None,
    thresholds: Thresholds,
    history: Sequence[ChatMessage] = (),
    on_stage: StageListener = _silent,
    calibrator: Calibrator | None = None,
    skip_decided_samples: bool = True,
) -> GroundedResult:
    """Retrieve, answer from the numbered passages, keep the answer only if it is supported and repeatable.

    The grounded answer is sampled like the closed-book one: a model that reads its answer in the
    passages gives it again, while one that pieces an answer together from passages that do not hold
    it (an unanswerable question) scatters. Agreement, support, retrieval scores and token certainty
    are combined into one calibrated confidence, which must reach `min_confidence_grounded`. Every
    retrieved passage reaches the model: a low cosine is evidence, not a cut-off (unless an expert
    sets `min_retrieval_score`). With `skip_decided_samples`, as in `parametric_stage`, the samples
    are drawn only when their agreement could move the confidence across `min_confidence_grounded`.
    """
    if retriever is None:
        return _abstain(question, support=None, retrieval_ms=0.0, grounded_ms=0.0)
    started = perf_counter()
    on_stage("searching")
    hits = retriever.retrieve(retrieval_query(question, history), k=thresholds.retrieval_top_k)
    passages = list(hits)
    retrieval_ms = _ms_since(started)
    if not passages or max(p.score for p in passages) < thresholds.min_retrieval_score:
        return _abstain(question, support=None, retrieval_ms=retrieval_ms, grounded_ms=0.0)
    started = perf_counter()
    on_stage("answering_from_passages")
    model = calibrator or default_calibrator()
    messages = grounded_messages(question, passages=passages, history=history)

    def generate(n_samples: int, known_greedy: Completion | None, stop_if: StopIf | None) -> Generation:
        return generator.generate(
            messages,
            n_samples=n_samples,
            temperature=thresholds.sample_temperature,
            max_new_tokens=min(thresholds.max_new_tokens + GROUNDED_TOKEN_ALLOWANCE, MAX_TOKEN_BUDGET),
            stop_sampling_if=_refused_or(stop_if),
            known_greedy=known_greedy,
        )

    @functools.cache  # the greedy answer is checked once, whether or not its samples follow
    def read(greedy: Completion) -> GroundedReading:
        return read_grounded(question, greedy, passages)

    def needs_samples(greedy: Completion) -> bool:
        reading = read(greedy)
        return not reading.refused and agreement_could_move("grounded", reading.signals, model, thresholds)

    # Most grounded answers kept from passages need their samples (docs/results/sample-skip.md), so
    # they decode beside the greedy answer and stop when it decides alone (see `draw`).
    drawn = draw(
        generate,
        n_samples=thresholds.n_samples,
        skip_decided=skip_decided_samples,
        needs_samples=needs_samples,
        together=thresholds.grounded_samples_together != "off",  # "auto" is the server's to resolve
    )
    on_stage("verifying")
    reading = read(drawn.greedy)
    text, support, signals = reading.text, reading.support, reading.signals
    samples = tuple(bracket_citations(s.text) for s in drawn.samples)
    agreed = 0.0 if reading.refused or drawn.decided else agreement(text, samples, question=question)
    if not drawn.decided:
        signals = signals | {"agreement": agreed, "samples": float(len(samples))}
    confidence = model.confidence("grounded", signals)
    grounded_ms = _ms_since(started)
    passes = (
        confidence >= thresholds.min_confidence_grounded
        and support >= thresholds.support_threshold
        and agreed >= thresholds.agreement_threshold
    )
    if not passes:
        return _abstain(
            question,
            support=support,
            retrieval_ms=retrieval_ms,
            grounded_ms=grounded_ms,
            measured=Measured(
                "" if reading.refused else text, agreed, samples, signals, confidence, drawn.model_time
            ),
        )
    citations = tuple(citation(n, passages[n - 1]) for n in reading.cited)
    return GroundedResult(
        answer=text,
        route="retrieval",
        support=support,
        agreement=agreed,
        samples=samples,
        citations=citations,
        retrieval_ms=retrieval_ms,
        grounded_ms=grounded_ms,
        signals=signals,
        confidence=confidence,
        model_time=drawn.model_time,
    )


def retrieval_query(question: str, history: Sequence[ChatMessage]) -> str:
    previous = [m.content for m in history if m.role == "user"]
    if not previous:
        return question
    return f"{shorten(previous[-1], QUERY_CONTEXT_CHARS)} {question}"


def _abstain(
    question: str,
    *,
    support: float | None,
    retrieval_ms: float,
    grounded_ms: float,
    measured: Measured | None = None,
) -> GroundedResult:
    """`measured`: what the grounded answer scored, when one was generated and withheld."""
    return GroundedResult(
        answer=abstention_text(question),
        route="abstain",
        support=support,
        agreement=measured.agreement if measured else None,
        samples=measured.samples if measured else (),
        citations=(),
        retrieval_ms=retrieval_ms,
        grounded_ms=grounded_ms,
        signals=measured.signals if measured else {},
        confidence=measured.confidence if measured else None,
        model_time=measured.model_time if measured else ModelTime(),
        withheld=measured.answer if measured else "",
    )


def _refused_or(stop_if: StopIf | None) -> StopIf:
    """A refusal is never sampled; `stop_if` may stop the samples of other answers too."""
    return lambda greedy: is_refusal(greedy.text) or (stop_if is not None and stop_if(greedy))


def _ms_since(started: float) -> float:
    return (perf_counter() - started) * 1000.0
