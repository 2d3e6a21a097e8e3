"""Sample seeds: a function of the run's seed and the prompt, random without a seed."""

from __future__ import annotations

from assistant.backends._seeding import prompt_seeds
from assistant.protocols import ChatMessage

QUESTION = [ChatMessage("user", "Who wrote Hamlet?")]


def test_the_same_prompt_and_seed_give_the_same_seeds() -> None:
    assert prompt_seeds(0, QUESTION, 5) == prompt_seeds(0, list(QUESTION), 5)


def test_seeds_are_distinct_within_a_call_and_fit_31_bits() -> None:
    seeds = prompt_seeds(0, QUESTION, 6)
    assert len(set(seeds)) == 6
    assert all(0 <= seed < 2**31 for seed in seeds)


def test_another_prompt_role_or_run_seed_changes_them() -> None:
    seeds = prompt_seeds(0, QUESTION, 3)
    assert prompt_seeds(1, QUESTION, 3) != seeds
    assert prompt_seeds(0, [ChatMessage("user", "Who wrote Macbeth?")], 3) != seeds
    assert prompt_seeds(0, [ChatMessage("system", "Who wrote Hamlet?")], 3) != seeds


def test_a_longer_call_starts_with_the_shorter_calls_seeds() -> None:
    assert prompt_seeds(0, QUESTION, 5)[:3] == prompt_seeds(0, QUESTION, 3)


def test_without_a_run_seed_they_are_random() -> None:
    assert prompt_seeds(None, QUESTION, 4) != prompt_seeds(None, QUESTION, 4)
    assert prompt_seeds(None, QUESTION, 0) == []
