"""Does the closed-book answer's least likely *content* token separate right from wrong answers
better than its least likely token of all (the `logprob_min` the confidence model reads)?

    python bench/content_logprobs.py [--records R.jsonl ...] [--cache-dir .cache]

Re-asks the answerable questions of the recorded runs closed-book (greedy, the flow's own prompt)
through llama-server with per-token texts and the top two log-probabilities, grades each answer
against its gold answers, and prints the AUROC of each variant per split (the records' own
train/test split). Content tokens: not blank or punctuation, not a common function word, and not
a word (Latin) or characters (Han) of the question. The answers are today's, not the records'
(the build may round differently), so the AUROCs compare variants over the same answers only.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.backends.cpu_flags import available_cores
from assistant.backends.llama_server import LlamaServer, ServerOptions, default_binary
from assistant.evaluation.fitting import split_of
from assistant.evaluation.normalise import contains_answer
from assistant.evaluation.question_record import QuestionRecord, read_records
from assistant.evaluation.scores import auroc
from assistant.prompts import parametric_messages
from assistant.refusal import is_refusal
from bench.decode_rows import model_file

RECORDS = Path(__file__).resolve().parents[1] / "docs" / "results" / "records"
DEFAULT_RECORDS = (
    RECORDS / "builtin30-s10-llama-server-0.5b-q8_0.jsonl",
    RECORDS / "known-facts-s10-llama-server-0.5b-q8_0.jsonl",
)
_FUNCTION_WORDS = """the a an is are was were of in on at to and or by for with it its this that as be
has have had from which who what when where how did does do his her their there"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())
VARIANTS = ("all_min", "all_mean", "content_min", "content_mean", "first_content_margin")


def is_content(token: str, question: str) -> bool:
    text = token.strip().lower()
    if not text or all(unicodedata.category(ch)[0] in "PZS" for ch in text):
        return False
    if text in FUNCTION_WORDS:
        return False
    if re.fullmatch(r"[a-z]+", text):
        return text not in re.findall(r"[a-z]+", question.lower())
    return not (re.search(r"[\u4e00-\u9fff]", text) and all(ch in question for ch in text))


def token_scores(tokens: Sequence[dict[str, Any]], question: str) -> dict[str, float]:
    everything = [float(t["logprob"]) for t in tokens] or [-99.0]
    content = [t for t in tokens if is_content(str(t["token"]), question)]
    content_lps = [float(t["logprob"]) for t in content] or [0.0]
    margin = 0.0
    if content and len(content[0].get("top_logprobs", [])) >= 2:
        first, second = sorted((float(x["logprob"]) for x in content[0]["top_logprobs"]), reverse=True)[:2]
        margin = first - second
    return {
        "all_min": min(everything),
        "all_mean": sum(everything) / len(everything),
        "content_min": min(content_lps),
        "content_mean": sum(content_lps) / len(content_lps),
        "first_content_margin": margin,
    }


def ask(url: str, record: QuestionRecord) -> tuple[bool, dict[str, float]]:
    messages = [{"role": m.role, "content": m.content} for m in parametric_messages(record.question)]
    payload = {"messages": messages, "temperature": 0.0, "max_tokens": 64, "stop": ["\n"]}
    payload |= {"logprobs": True, "top_logprobs": 2}
    choice = httpx.post(f"{url}/chat/completions", json=payload, timeout=300).json()["choices"][0]
    text = choice["message"]["content"].strip()
    right = contains_answer(text, record.answers) and not is_refusal(text)
    return right, token_scores(choice["logprobs"]["content"], record.question)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=Path, action="append", help="eval records (default: session 10's)")
    parser.add_argument("--cache-dir", type=Path, default=Path(".cache"))
    args = parser.parse_args()
    records = [r for path in args.records or DEFAULT_RECORDS for r in read_records(path) if r.answers]
    weights = model_file("qwen0.5b-q8_0", args.cache_dir)
    server = LlamaServer(ServerOptions(default_binary(), weights, available_cores(), slots=1))
    url = server.start()
    try:
        graded = [(split_of(r), *ask(url, r)) for r in records]
    finally:
        server.stop()
    print("| split | answerable | right | " + " | ".join(VARIANTS) + " |")
    print("|---|---:|---:|" + "---:|" * len(VARIANTS))
    for split in ("train", "test", "all"):
        chosen = [(right, s) for part, right, s in graded if split in ("all", part)]
        right = [s for ok, s in chosen if ok]
        wrong = [s for ok, s in chosen if not ok]
        cells = [auroc([s[v] for s in right], [s[v] for s in wrong]) for v in VARIANTS]
        shown = " | ".join("-" if c is None else f"{c:.3f}" for c in cells)
        print(f"| {split} | {len(chosen)} | {len(right)} | {shown} |")


if __name__ == "__main__":
    main()
