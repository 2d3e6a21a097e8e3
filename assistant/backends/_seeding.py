"""Sample seeds that depend on the run's seed and the prompt alone.

A seeded stream (one seed per call, in call order) makes a question's samples depend on which
questions came before it: the same question asked after a planted opinion was stripped, or asked
twice, drew other samples, so the agreement and the decision could change while the prompt did not.
Hashing the prompt keeps the answer a function of what was asked.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence

from assistant.protocols import ChatMessage


def prompt_seeds(seed: int | None, messages: Sequence[ChatMessage], count: int) -> list[int]:
    """`count` 31-bit seeds for one call; without a run seed they are fresh random ones."""
    if seed is None:
        draw = random.Random()  # seeded from the OS: unseeded runs stay random
    else:
        chat = json.dumps([[m.role, m.content] for m in messages], ensure_ascii=False)
        draw = random.Random(hashlib.sha256(f"{seed}\0{chat}".encode()).digest())
    return [draw.getrandbits(31) for _ in range(count)]
