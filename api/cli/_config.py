"""`assistant config show|set KEY VALUE`: the run-time thresholds, through the same store as the API."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from api.cli._parser import OneLineParser
from api.settings import Settings

if TYPE_CHECKING:
    from api.runtime_config import ThresholdStore


def register(commands: argparse._SubParsersAction[Any]) -> None:
    parser = commands.add_parser("config", help="show or change the confidence thresholds")
    actions = parser.add_subparsers(dest="action", required=True, parser_class=OneLineParser)
    show = actions.add_parser("show", help="print the thresholds in force")
    show.add_argument("--json", action="store_true", help="print them as JSON")
    show.set_defaults(run=run_show)
    change = actions.add_parser("set", help="change one threshold ('profile NAME' resets all to a profile)")
    change.add_argument("key", help="a threshold name, or 'profile'")
    change.add_argument("value", help="the new value")
    change.set_defaults(run=run_set)


def run_show(args: argparse.Namespace, settings: Settings) -> int:
    values = _store(settings).current().model_dump()
    if args.json:
        print(json.dumps(values, indent=2))
        return 0
    from api.runtime_config import threshold_fields

    fields = threshold_fields()
    width = max(len(name) for name in values)
    for name, value in values.items():
        print(f"{name:<{width}}  {value!s:<6}  {fields[name]}")
    return 0


def run_set(args: argparse.Namespace, settings: Settings) -> int:
    store = _store(settings)
    updated = store.update({args.key: args.value}).model_dump()
    changed = [args.key] if args.key in updated else list(updated)
    for name in changed:
        print(f"{name} = {updated[name]}")
    print(f"saved to {store.path}")
    return 0


def _store(settings: Settings) -> ThresholdStore:
    from api.wiring.components import threshold_store

    return threshold_store(settings)
