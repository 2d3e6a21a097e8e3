"""Prometheus metrics of one app: answers by route, sample agreement, confidence, and latency by stage."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from assistant.answer import Answer

CONTENT_TYPE = CONTENT_TYPE_LATEST
_STAGES = ("sampling", "retrieval", "grounded", "total")
_MODEL_STAGES = ("sampling", "grounded")
_PARTS = ("prefill", "decode", "wait")  # of a model stage; they add up to its stage_seconds
_LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 40.0, 80.0)
_AGREEMENT_BUCKETS = (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


class Metrics:
    """Counters and histograms in a registry of their own, so tests can build several apps."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.answers = Counter(
            "assistant_answers", "Answered questions by route.", ["route"], registry=self.registry
        )
        self.agreement = Histogram(
            "assistant_agreement",
            "Share of samples agreeing with the main answer.",
            buckets=_AGREEMENT_BUCKETS,
            registry=self.registry,
        )
        self.confidence = Histogram(
            "assistant_confidence",
            "Calibrated probability that the answer is right, by route.",
            ["route"],
            buckets=_AGREEMENT_BUCKETS,
            registry=self.registry,
        )
        self.stage_seconds = Histogram(
            "assistant_stage_seconds",
            "Time spent per stage of the fallback flow.",
            ["stage"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.stage_part_seconds = Histogram(
            "assistant_stage_part_seconds",
            "A model stage's time split into prompt evaluation, decoding, and waiting (lock, slot, network).",
            ["stage", "part"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "assistant_request_errors",
            "Requests answered with an error, by status.",
            ["status"],
            registry=self.registry,
        )
        for route in ("parametric", "retrieval", "abstain"):
            self.answers.labels(route=route)

    def observe(self, answer: Answer) -> None:
        self.answers.labels(route=answer.route).inc()
        self.agreement.observe(answer.agreement)
        self.confidence.labels(route=answer.route).observe(answer.confidence)
        timings = answer.timings_ms
        # Stages that did not run are left out rather than counted as instant.
        ran = {
            "sampling": True,
            "retrieval": answer.route != "parametric",
            "grounded": answer.grounded_support is not None,
            "total": True,
        }
        for stage in _STAGES:
            if ran[stage]:
                self.stage_seconds.labels(stage=stage).observe(getattr(timings, stage) / 1000.0)
        for stage in _MODEL_STAGES:
            if ran[stage]:
                for part in _PARTS:
                    seconds = getattr(timings, f"{stage}_{part}") / 1000.0
                    self.stage_part_seconds.labels(stage=stage, part=part).observe(seconds)

    def count_error(self, status: int) -> None:
        self.errors.labels(status=str(status)).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
