"""Measure answer quality: run a question set against a collection and score the replies.

Two kinds of question set:

- the project's gold format, a JSON list of ``{"id", "question", "article", "answers"}``
  (``answers`` empty for a question the articles do not answer), asked of a folder;
- SQuAD v1.1 (``dev-v1.1.json``): its articles become a folder of articles
  (title, blank line, paragraphs) and every question is asked of the whole
  collection; the question's own paragraph is known, so passage recall is too.

An answer is right when its text contains a gold answer after SQuAD's
normalisation (lower case, no punctuation, no articles, single spaces).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import statistics
import string
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from qa.api import QA

RECALL_AT = (1, 5, 20)


@dataclass(frozen=True)
class EvalQuestion:
    """One question of a set.

    Attributes:
        id: Its id in the set.
        question: The question text.
        answers: Accepted answer strings; empty when the articles do not answer it.
        article_id: The article that answers it ("" when unknown or unanswerable).
        span: ``(start, end)`` of the paragraph holding the answer in that article, when known.
    """

    id: str
    question: str
    answers: tuple[str, ...]
    article_id: str = ""
    span: tuple[int, int] | None = None


@dataclass
class EvalReport:
    """The measurements of one run (see ``format_report`` for their meaning)."""

    name: str
    questions: int
    answerable: int
    unanswerable: int
    metrics: dict[str, float | None]
    seconds: float
    misses: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


_ASCII_PUNCTUATION = frozenset(string.punctuation)  # includes symbols such as $ and +, as SQuAD's script does


def normalize_answer(text: str) -> str:
    """SQuAD's answer normalisation, with all Unicode punctuation removed (news uses curly quotes).

    Example:
        >>> normalize_answer("The  Denver Broncos!")
        'denver broncos'
        >>> normalize_answer("“to accelerate intelligence.”")
        'to accelerate intelligence'
    """
    text = "".join(
        c for c in text.lower() if c not in _ASCII_PUNCTUATION and not unicodedata.category(c).startswith("P")
    )
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def contains_answer(text: str, answers: Sequence[str]) -> bool:
    """Whether ``text`` contains any of ``answers``, compared after :func:`normalize_answer`."""
    normalized = f" {normalize_answer(text)} "
    return any(f" {normalize_answer(a)} " in normalized for a in answers if normalize_answer(a))


def span_scores(span: str, answers: Sequence[str]) -> tuple[float, float]:
    """SQuAD's exact match and F1 of a short answer against the gold answers (the best over them).

    Example:
        >>> span_scores("the Denver Broncos", ["Denver Broncos"])
        (1.0, 1.0)
        >>> span_scores("Broncos", ["Denver Broncos"])
        (0.0, 0.6666666666666666)
    """
    predicted = normalize_answer(span).split()
    best_exact = best_f1 = 0.0
    for answer in answers:
        gold = normalize_answer(answer).split()
        best_exact = max(best_exact, float(predicted == gold))
        common = sum((Counter(predicted) & Counter(gold)).values())
        if common:
            precision, recall = common / len(predicted), common / len(gold)
            best_f1 = max(best_f1, 2 * precision * recall / (precision + recall))
    return best_exact, best_f1


def load_gold(path: str | Path) -> list[EvalQuestion]:
    """A question set in the project's gold format."""
    items = json.loads(Path(path).read_text("utf-8"))
    return [EvalQuestion(g["id"], g["question"], tuple(g["answers"]), g.get("article", "")) for g in items]


def squad_collection(
    squad_json: str | Path, workdir: str | Path, max_articles: int | None = None
) -> tuple[Path, list[EvalQuestion]]:
    """Write SQuAD's articles as a folder of .txt files and return it with the questions.

    Each article is its title, a blank line, then its paragraphs separated by blank
    lines; each question records its paragraph's offsets in that text. The folder is
    rewritten only when its content would change, so its index stays current.

    Args:
        squad_json: Path of a SQuAD v1.1 JSON file.
        workdir: Where the ``corpus`` folder goes.
        max_articles: Only the first this many articles (and their questions).
    """
    data = json.loads(Path(squad_json).read_text("utf-8"))["data"]
    if max_articles is not None:
        data = data[:max_articles]
    corpus = Path(workdir) / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    questions: list[EvalQuestion] = []
    wanted: set[str] = set()
    for number, article in enumerate(data):
        article_id = f"{number:02d}_{re.sub(r'[^A-Za-z0-9]+', '_', article['title'])}"
        text = article["title"].replace("_", " ") + "\n\n"
        for paragraph in article["paragraphs"]:
            start = len(text)
            text += paragraph["context"].strip() + "\n\n"
            span = (start, start + len(paragraph["context"].strip()))
            for qa in paragraph["qas"]:
                answers = tuple(a["text"] for a in qa["answers"])
                questions.append(EvalQuestion(qa["id"], qa["question"], answers, article_id, span))
        path = corpus / f"{article_id}.txt"
        wanted.add(path.name)
        if not path.exists() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")
    for stale in corpus.glob("*.txt"):
        if stale.name not in wanted:
            stale.unlink()
    return corpus, questions


def default_squad_workdir(squad_json: str | Path, max_articles: int | None) -> Path:
    """A work folder per SQuAD file and article limit, under the index home's parent."""
    from index.build import default_index_home

    resolved = str(Path(squad_json).expanduser().resolve())
    tag = hashlib.sha256(f"{resolved}:{max_articles}".encode()).hexdigest()[:12]
    return default_index_home().parent / "eval" / f"squad-{tag}"


def evaluate(
    bot: QA,
    questions: Sequence[EvalQuestion],
    name: str,
    progress: Callable[[int, int], None] | None = None,
    keep_misses: int = 50,
) -> EvalReport:
    """Ask every question and measure the replies.

    Metrics (``None`` where the set cannot measure them):

    - ``recall@k``: a retrieved passage among the top k overlaps the question's paragraph;
    - ``article@1``: the first citation is from the question's article;
    - ``accuracy``: answerable questions whose answer contains a gold answer (a
      ``no_answer`` reply counts as wrong);
    - ``top_sentence_accuracy``: the same for the first citation, even when the
      reply was ``no_answer`` (what the threshold costs);
    - ``answered``: answerable questions given an answer;
    - ``span_exact_match`` / ``span_f1``: SQuAD's exact match and F1 of the short answer, over the
      answerable questions (a ``no_answer`` reply scores 0);
    - ``no_answer_precision`` / ``no_answer_recall``: of the ``no_answer`` replies,
      the share to unanswerable questions; of the unanswerable questions, the share
      given ``no_answer``;
    - ``answer_words``: mean length of the given answers in words;
    - ``answer_sentences_max``: the most sentences any answer spans (one by construction; checked);
    - ``latency_p50_ms`` / ``latency_p95_ms``: time per question.
    """
    bot.index  # open (or build) the index before the clock starts
    sentence_spans = _sentence_spans(bot)
    started = time.perf_counter()
    latencies: list[float] = []
    hits = {k: 0 for k in RECALL_AT}
    with_span = right = top_right = answered = right_article = with_article = 0
    exact = f1 = 0.0
    no_answer_right = no_answer_total = unanswerable_rejected = 0
    words: list[int] = []
    max_sentences = 0
    misses: list[dict] = []
    answerable = [q for q in questions if q.answers]
    for number, item in enumerate(questions):
        tick = time.perf_counter()
        answer, trace = bot.ask_traced(item.question)
        passages = trace.passages
        latencies.append(time.perf_counter() - tick)
        if progress:
            progress(number + 1, len(questions))
        if item.span is not None:
            with_span += 1
            start, end = item.span
            own = [
                rank
                for rank, retrieved in enumerate(passages[: max(RECALL_AT)])
                if (p := bot.index.passages[retrieved.position]).article_id == item.article_id
                and p.start < end
                and p.end > start
            ]
            for k in RECALL_AT:
                hits[k] += bool(own) and own[0] < k
        if answer.no_answer:
            no_answer_total += 1
            no_answer_right += not item.answers
        else:
            words.append(len(answer.text.split()))
            c = answer.citations[0]
            spanned = sum(1 for s, e in sentence_spans[c.article_id] if s < c.end and e > c.start)
            max_sentences = max(max_sentences, spanned)
        if not item.answers:
            unanswerable_rejected += answer.no_answer
            if not answer.no_answer and len(misses) < keep_misses:
                misses.append({"id": item.id, "question": item.question, "answer": answer.text, "expected": None})
            continue
        answered += not answer.no_answer
        is_right = not answer.no_answer and contains_answer(answer.text, item.answers)
        right += is_right
        if not answer.no_answer:
            span_exact, span_f1 = span_scores(answer.short_answer, item.answers)
            exact += span_exact
            f1 += span_f1
        top = answer.citations[0].quote if answer.citations else ""
        top_right += contains_answer(top, item.answers)
        if item.article_id:
            with_article += 1
            right_article += bool(answer.citations) and answer.citations[0].article_id == item.article_id
        if not is_right and len(misses) < keep_misses:
            shown = answer.text or f"(no answer) {top}"
            misses.append({"id": item.id, "question": item.question, "answer": shown, "expected": list(item.answers)})
    seconds = time.perf_counter() - started
    unanswerable = len(questions) - len(answerable)
    ms = sorted(x * 1000 for x in latencies)
    metrics: dict[str, float | None] = {
        **{f"recall@{k}": hits[k] / with_span if with_span else None for k in RECALL_AT},
        "article@1": right_article / with_article if with_article else None,
        "accuracy": right / len(answerable) if answerable else None,
        "top_sentence_accuracy": top_right / len(answerable) if answerable else None,
        "answered": answered / len(answerable) if answerable else None,
        "span_exact_match": exact / len(answerable) if answerable else None,
        "span_f1": f1 / len(answerable) if answerable else None,
        "no_answer_precision": no_answer_right / no_answer_total if unanswerable and no_answer_total else None,
        "no_answer_recall": unanswerable_rejected / unanswerable if unanswerable else None,
        "answer_words": statistics.fmean(words) if words else None,
        "answer_sentences_max": float(max_sentences),
        "latency_p50_ms": percentile(ms, 50),
        "latency_p95_ms": percentile(ms, 95),
    }
    return EvalReport(name, len(questions), len(answerable), unanswerable, metrics, seconds, misses)


def format_report(report: EvalReport) -> str:
    """The report as a Markdown table."""
    lines = [
        f"{report.name}: {report.questions:,} questions ({report.answerable:,} answerable, "
        f"{report.unanswerable:,} unanswerable) in {report.seconds:.0f} s",
        "",
        "| metric | value |",
        "|---|---|",
    ]
    for key, value in report.metrics.items():
        if value is None:
            continue
        shown = f"{value:.1f}" if key.endswith("_ms") or key == "answer_words" else f"{value:.3f}"
        if key == "answer_sentences_max":
            shown = f"{value:.0f}"
        lines.append(f"| {key} | {shown} |")
    return "\n".join(lines)


def print_progress(done: int, total: int) -> None:
    """A one-line progress counter on stderr."""
    if done == total or done % 50 == 0:
        print(f"\r{done:,}/{total:,} questions", end="\n" if done == total else "", file=sys.stderr, flush=True)


def _sentence_spans(bot: QA) -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = {a: [] for a in bot.index.articles}
    for s in bot.index.sentences:
        spans[s.article_id].append((s.start, s.end))
    return spans


def percentile(sorted_values: Sequence[float], percent: float) -> float | None:
    """The nearest-rank percentile: the smallest value with ``percent``% of the values at or below it.

    Example:
        >>> percentile([10.0, 20.0, 30.0, 40.0], 50), percentile([10.0, 20.0, 30.0, 40.0], 95)
        (20.0, 40.0)
    """
    if not sorted_values:
        return None
    rank = max(1, math.ceil(percent / 100 * len(sorted_values)))
    return sorted_values[rank - 1]
