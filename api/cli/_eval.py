"""`assistant eval`, `assistant calibrate` and `assistant probe`: measure, tune and probe the thresholds."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.cli._parser import CliError
from api.settings import Settings
from api.wiring import for_records, load_generator
from assistant.evaluation.datasets import DATASETS
from assistant.evaluation.modes import DEFAULT_MODES
from assistant.evaluation.planted import PLANTED_SUFFIX, with_planted

if TYPE_CHECKING:
    from assistant.confidence import Calibrator
    from assistant.evaluation.question_record import QuestionRecord
    from assistant.evaluation.sweep import Target


def register(commands: argparse._SubParsersAction[Any]) -> None:
    _register_eval(commands)
    _register_calibrate(commands)
    _register_probe(commands)


def _register_eval(commands: argparse._SubParsersAction[Any]) -> None:
    parser = commands.add_parser("eval", help="Compare closed-book, rag and fallback on a question set.")
    parser.add_argument("--questions", type=Path, help="JSONL: question, answers (empty = should abstain).")
    clean = [name for name in DATASETS if not name.endswith(PLANTED_SUFFIX)]
    parser.add_argument(
        "--dataset", action="append", default=[], help=f"Built-in set, repeatable: {', '.join(clean)}."
    )
    parser.add_argument(
        "--planted",
        action="store_true",
        help="Also run each chosen set's planted-opinion variant (NAME-planted, also a --dataset name).",
    )
    parser.add_argument("--corpus", type=Path, help="Your documents, indexed with the questions' passages.")
    parser.add_argument(
        "--modes", default=",".join(DEFAULT_MODES), help="Comma-separated: closed, rag, fallback[-PROFILE]."
    )
    parser.add_argument("--limit", type=_positive, help="At most N questions of each source (fixed seed).")
    parser.add_argument("--records", type=Path, help="Replay a recorded records.jsonl; no generation.")
    parser.add_argument("--out", type=Path, required=True, help="Folder for report.json, report.md, plot.")
    parser.set_defaults(run=run_eval)


def _register_calibrate(commands: argparse._SubParsersAction[Any]) -> None:
    parser = commands.add_parser(
        "calibrate", help="Fit the confidence model and/or choose the confidence levels from recordings."
    )
    parser.add_argument(
        "records", type=Path, nargs="+", help="records.jsonl files written by `eval` or `probe`."
    )
    parser.add_argument(
        "--fit",
        action="store_true",
        help="Fit the confidence model on the train split; report the test split.",
    )
    parser.add_argument("--model-out", type=Path, help="Write the fitted model here (default: the home).")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--target-precision", type=_rate, help="Reach this precision, answer most.")
    target.add_argument("--target-answer-rate", type=_rate, help="Answer this share, most precisely.")
    parser.add_argument("--dry-run", action="store_true", help="Print the values; do not save them.")
    parser.add_argument("--plot", type=Path, help="Also draw the curve and the chosen point (PNG).")
    parser.set_defaults(run=run_calibrate)


def _register_probe(commands: argparse._SubParsersAction[Any]) -> None:
    parser = commands.add_parser("probe", help="Find what the model knows about your indexed documents.")
    parser.add_argument("--questions", type=_positive, default=50, help="Questions to write (default 50).")
    parser.add_argument("--samples", type=_positive, default=5, help="Closed-book samples each (default 5).")
    parser.add_argument("--judge", action="store_true", help="Let the model judge answers not contained.")
    parser.add_argument("--out", type=Path, required=True, help="Folder for probe, records, finetune JSONL.")
    parser.set_defaults(run=run_probe)


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    if args.records is None and args.questions is None and not args.dataset:
        raise CliError("give --questions FILE.jsonl, --dataset NAME or --records FILE")
    from api.wiring.components import load_confidence, load_embedder, threshold_store
    from api.wiring.eval_corpus import evaluation_retriever
    from assistant.evaluation.report import metrics_table
    from assistant.evaluation.run import EvalRequest
    from assistant.evaluation.run import run_eval as evaluate

    if args.records is not None and (args.questions is not None or args.dataset or args.corpus):
        raise CliError("--records replays a finished run: give it without --questions, --dataset, --corpus")
    for path in (args.questions, args.corpus, args.records):
        if path is not None and not path.exists():
            raise CliError(f"not found: {path}")
    if args.records is not None:
        settings = _for_records(settings, [args.records])
    request = EvalRequest(
        out=args.out,
        questions_file=args.questions,
        datasets=_dataset_names(args),
        corpus=args.corpus,
        modes=tuple(name for name in args.modes.split(",") if name.strip()),
        limit=args.limit,
        records_file=args.records,
    )
    metrics = evaluate(
        request,
        thresholds=threshold_store(settings).current(),
        cache_dir=settings.cache_dir,
        load_generator=lambda: load_generator(settings),
        calibrator=load_confidence(settings),
        retriever_for=lambda questions, corpus: evaluation_retriever(
            questions, corpus=corpus, settings=settings, embedder=load_embedder(settings)
        ),
    )
    print(metrics_table(metrics))
    print(f"wrote {args.out}/report.md, report.json, risk_coverage.png, records.jsonl")
    return 0


def run_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    if not args.fit and args.target_precision is None and args.target_answer_rate is None:
        raise CliError("give --fit, --target-precision P or --target-answer-rate R")
    from api.wiring.components import load_confidence
    from assistant.evaluation.question_record import read_records

    for path in args.records:
        if not path.is_file():
            raise CliError(f"not found: {path}")
    records = [record for path in args.records for record in read_records(path)]
    settings = for_records(settings, (record.model for record in records))
    confidence = _fit(args, records, settings) if args.fit else load_confidence(settings)
    if args.target_precision is None and args.target_answer_rate is None:
        return 0
    return _choose_levels(args, records, settings, confidence)


def _fit(args: argparse.Namespace, records: list[QuestionRecord], settings: Settings) -> Calibrator:
    from api.wiring.components import load_confidence
    from assistant.confidence import save_calibrator
    from assistant.evaluation.fitting import fit_calibrator
    from assistant.evaluation.signal_report import report_table, stage_reports

    names = ", ".join(sorted({r.dataset for r in records}))
    fitted = fit_calibrator(
        records, fitted_on=f"{len(records)} records ({names}), train split", base=load_confidence(settings)
    )
    print(report_table(stage_reports(records, fitted)))
    target = args.model_out or settings.confidence_model_path
    if args.dry_run:
        print("dry run: the confidence model is not saved")
    else:
        save_calibrator(fitted, target)
        print(f"confidence model saved to {target}")
    return fitted


def _choose_levels(
    args: argparse.Namespace, records: list[QuestionRecord], settings: Settings, confidence: Calibrator
) -> int:
    from api.wiring.components import threshold_store
    from assistant.evaluation.calibration import calibrate
    from assistant.evaluation.report import curve_table

    target: Target = "precision" if args.target_precision is not None else "answer_rate"
    value: float = args.target_precision if target == "precision" else args.target_answer_rate
    store = threshold_store(settings)
    result = calibrate(
        records, target=target, value=value, base=store.current(), calibrator=confidence, plot=args.plot
    )
    point = result.choice.point
    print(curve_table(result.curve, chosen=point))
    values = ", ".join(f"{name}={level:g}" for name, level in result.chosen_values.items())
    if not result.choice.met:
        raise CliError(f"no thresholds reach {target.replace('_', ' ')} {value:g}; closest: {values}")
    print(f"chosen: {values} (answer rate {point.answer_rate:.3f}, precision {point.precision or 0:.3f})")
    if args.dry_run:
        print("dry run: nothing saved")
    else:
        store.update(result.chosen_values)
        print(f"saved to {store.path}")
    return 0


def run_probe(args: argparse.Namespace, settings: Settings) -> int:
    from api.wiring.components import load_embedder, open_retriever, threshold_store
    from api.wiring.eval_corpus import probe_passages
    from assistant.evaluation.probing import run_probe as probe
    from index import index_status

    index_status(settings.index_dir)  # a missing index is reported before any model loads
    retriever = open_retriever(settings, load_embedder(settings))
    summary = probe(
        passages=probe_passages(settings.index_dir),
        generator=load_generator(settings),
        retriever=retriever,
        thresholds=threshold_store(settings).current(),
        out=args.out,
        questions=args.questions,
        samples=args.samples,
        judge_with_model=args.judge,
    )
    labels = ", ".join(f"{name} {count}" for name, count in sorted(summary.labels.items())) or "none"
    print(f"probed {sum(summary.labels.values())} questions from {summary.passages_tried} passages: {labels}")
    print(f"wrote {args.out}/probe.jsonl, records.jsonl (for calibrate), finetune.jsonl")
    print(f"fine-tuning rows: {summary.finetune_rows} (known and unknown 1:1)")
    print(
        f"agreement AUROC: known vs unknown {_shown(summary.auroc_known)}, "
        f"right vs wrong main answer {_shown(summary.auroc_correct)}"
    )

    return 0


def _dataset_names(args: argparse.Namespace) -> tuple[str, ...]:
    names = tuple(name for value in args.dataset for name in value.split(",") if name)
    if not args.planted:
        return names
    if not names:
        raise CliError("--planted adds the planted variant of each --dataset: give --dataset NAME")
    return with_planted(names)


def _shown(value: float | None) -> str:
    return "undefined (one side is empty)" if value is None else f"{value:.3f}"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from error
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from error
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {value:g}")
    return value


def _for_records(settings: Settings, paths: list[Path]) -> Settings:
    """`settings` with `auto` made the model that recorded the replayed records (`for_records`)."""
    from assistant.evaluation.question_record import read_records

    return for_records(settings, (record.model for path in paths for record in read_records(path)))
