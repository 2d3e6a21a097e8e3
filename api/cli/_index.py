"""`assistant index build|search|status`: build the document index, query it, and show what it holds."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.cli._parser import CliError
from api.settings import Settings

if TYPE_CHECKING:
    from index import BuildProgress, BuildReport


def register(commands: argparse._SubParsersAction[Any]) -> None:
    parser = commands.add_parser("index", help="Build, search and inspect the index of your documents.")
    actions = parser.add_subparsers(dest="index_command", required=True, parser_class=type(parser))
    build = actions.add_parser("build", help="Index a file or a folder (txt, md, html, pdf, docx, jsonl).")
    build.add_argument("--source", type=Path, required=True, help="A file or a folder, read recursively.")
    build.add_argument("--incremental", action="store_true", help="Re-embed only new or changed documents.")
    build.set_defaults(run=run_build)
    search = actions.add_parser("search", help="Show the passages the assistant would retrieve.")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=5, help="How many passages (default 5).")
    search.add_argument("--json", action="store_true", help="One JSON object per hit.")
    search.set_defaults(run=run_search)
    status = actions.add_parser("status", help="Documents, chunks, embedder, build time and version.")
    status.add_argument("--json", action="store_true", help="As a JSON object.")
    status.set_defaults(run=run_status)


def run_build(args: argparse.Namespace, settings: Settings) -> int:
    from api.wiring.components import index_options, load_embedder
    from index import build_index

    options = index_options(settings)
    if not args.source.exists():  # before loading a model, so the mistake is reported at once
        raise CliError(f"source not found: {args.source}")
    bars = _ProgressBars()
    try:
        report = build_index(
            source=args.source,
            index_dir=settings.index_dir,
            embedder=load_embedder(settings),
            options=options,
            incremental=args.incremental,
            progress=bars.update,
        )
    finally:
        bars.close()
    _print_build_report(report)
    return 0


def run_search(args: argparse.Namespace, settings: Settings) -> int:
    from api.wiring.components import load_embedder, open_retriever
    from index import index_status

    if args.k < 1:
        raise CliError(f"-k must be at least 1, got {args.k}")
    index_status(settings.index_dir)  # fails fast, before a model loads, when there is no index
    searcher = open_retriever(settings, load_embedder(settings))
    try:
        hits = searcher.retrieve(args.query, k=args.k)
    finally:
        searcher.close()
    for hit in hits:
        if args.json:
            record = {"rank": hit.rank, "score": round(hit.score, 4), "source": hit.source}
            record |= {"chunk_id": hit.chunk_id, "title": hit.title, "position": asdict(hit.position)}
            print(json.dumps(record | {"text": hit.text}, ensure_ascii=False))
        else:
            print(f"{hit.rank}. [{hit.score:.3f}] {hit.source} ({hit.position}) {hit.chunk_id}")
            print(f"   {' '.join(hit.text.split())[:300]}")
    return 0


def run_status(args: argparse.Namespace, settings: Settings) -> int:
    from index import index_status

    status = index_status(settings.index_dir)
    if args.json:
        print(json.dumps(asdict(status), ensure_ascii=False))
    else:
        for name, value in asdict(status).items():
            print(f"{name}: {value}")
    return 0


def _print_build_report(report: BuildReport) -> None:
    print(
        f"indexed {report.documents} documents, {report.chunks} chunks "
        f"({report.embedded_chunks} embedded) as version {report.version} in {report.seconds.total_s:.1f} s "
        f"(embedding {report.seconds.embedding_s:.1f} s)"
    )
    for path, reason in report.skipped:
        print(f"skipped {path}: {reason}")


class _ProgressBars:
    """One tqdm bar per build stage, on stderr."""

    def __init__(self) -> None:
        self._stage = ""
        self._bar: Any = None

    def update(self, progress: BuildProgress) -> None:
        from tqdm import tqdm

        if progress.stage != self._stage:
            self.close()
            self._stage = progress.stage
            self._bar = tqdm(total=progress.total, desc=progress.stage, unit="", file=sys.stderr, leave=False)
        self._bar.total = progress.total
        self._bar.n = progress.done
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
