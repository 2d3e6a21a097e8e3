"""A fake BIG-bench cache: tiny `task.json` files of the tasks the built-in loaders read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

NQ_TASK: dict[str, Any] = {
    "examples": [
        {
            "input": "\nQuestion: who founded acme?\nContext: Acme was founded by Zed Fake in 1987 .",
            "target": "Zed Fake",
            "target_scores": {"Zed Fake": 1, "Ada Lind": 0},
        },
        {  # the same question again: kept once
            "input": "\nQuestion: who founded acme?\nContext: Acme was founded by Yan Fake .",
            "target": "Yan Fake",
            "target_scores": {"Yan Fake": 1, "Ada Lind": 0},
        },
        {  # the fake entity is not in the passage: cannot be restored
            "input": "\nQuestion: where is acme?\nContext: Acme is in Tallinn .",
            "target": "Riga",
            "target_scores": {"Riga": 1, "Tallinn": 0},
        },
    ]
}
DISFL_TASK: dict[str, Any] = {
    "examples": [
        {
            "input": "Who no what founded Acme ?  \ncontext: Acme was founded by Ada Lind .",
            "target": "Ada Lind",
        },
        {"input": "When did Acme close no open ?  \ncontext: Acme sells robots .", "target": "unknown"},
    ]
}

GENERAL_TASK: dict[str, Any] = {
    "examples": [
        {"input": "How many legs do horses have?", "target_scores": {"two": 0, "four": 1}},
        {"input": "What is the capital of Spain?", "target_scores": {"Madrid": 1, "Paris": 0}},
    ]
}
KNOWN_UNKNOWNS_TASK: dict[str, Any] = {
    "examples": [
        {"input": "What did Ada Lind eat yesterday?", "target_scores": {"Unknown": 1, "Toast": 0}},
        {"input": "When was Abraham Lincoln born?", "target_scores": {"Unknown": 0, "1809": 1}},
    ]
}
TASKS = {
    "contextual_parametric_knowledge_conflicts": NQ_TASK,
    "disfl_qa": DISFL_TASK,
    "general_knowledge": GENERAL_TASK,
    "known_unknowns": KNOWN_UNKNOWNS_TASK,
}


def cache_with_tasks(root: Path) -> Path:
    """`root` laid out as the loaders' cache (`bigbench-1.0.0/<task>/task.json`); returns `root`."""
    for task, data in TASKS.items():
        folder = root / "bigbench-1.0.0" / task
        folder.mkdir(parents=True)
        (folder / "task.json").write_text(json.dumps(data), encoding="utf-8")
    return root
