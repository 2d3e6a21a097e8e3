"""The `assistant` console script: one argparse tree, each subcommand in its own module.

A command imports its heavy libraries (web framework, index, numpy) when it runs, not when the tree is
built: `assistant serve` starts the model first so that its loading overlaps those imports.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from api.cli import _ask, _config, _eval, _index, _serve
from api.cli._parser import CliError, OneLineParser
from api.settings import Settings
from assistant.errors import AssistantError

_COMMAND_MODULES = (_serve, _ask, _index, _config, _eval)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="assistant", description="A question-answering assistant that knows what it does not know."
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for module in _COMMAND_MODULES:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; domain errors become exit code 2 and one line on stderr."""
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
        code: int = args.run(args, settings)
    except ValidationError as exc:
        return _fail(f"invalid setting: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}")
    except (AssistantError, CliError) as exc:
        return _fail(str(exc))
    except Exception as exc:
        from index.errors import IndexingError  # imported once a command has failed: the index is heavy

        if not isinstance(exc, IndexingError):
            raise
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("interrupted")
    return code


def _fail(message: str) -> int:
    print(f"assistant: error: {message}", file=sys.stderr)
    return 2
