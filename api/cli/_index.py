"""Placeholder until its owner lands it: registers nothing."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: argparse._SubParsersAction[Any]) -> None:
    return None
