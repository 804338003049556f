"""Example questions for the chat page, so that a first-time visitor sees it answer.

The built-in articles get questions written from their content (each answered
with a quote, checked by the browser test). A folder of one's own gets candidates built from
each article's title and metadata (who wrote it, when it was published, what it reports); the
page offers those that are answered once the index is open (``answered``), never one it declines.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from index.articles import load_corpus
from qa.api import QA
from qa.config import BUILTIN_CORPUS

#: Questions the built-in articles answer, one per article and topic.
BUILTIN_EXAMPLES = (
    "How much will Huawei invest in its Paris OpenLab?",
    "Where will Huawei open an AI cloud computing centre?",
    "Which Russian bank did Huawei partner with?",
    "When did Huawei open its Paris OpenLab?",
)

_MAX_TITLE_CHARS = 80


def example_questions(folder: Path, limit: int = 4) -> list[str]:
    """The questions to offer for the articles in ``folder``: the built-in articles' own, or for a folder of
    one's own, candidates from the titles and metadata of its first ``limit`` articles (see ``answered``).

    Example:
        >>> example_questions(BUILTIN_CORPUS)[0]
        'How much will Huawei invest in its Paris OpenLab?'
    """
    if Path(folder).resolve() == BUILTIN_CORPUS.resolve():
        return list(BUILTIN_EXAMPLES[:limit])
    try:
        articles = load_corpus(folder, warn=False).articles  # the sync warns about skipped files
    except ValueError:  # no usable article: the page says so once the index fails to open
        return []
    questions = []
    for article in articles[:limit]:
        title = " ".join(article.title.split())
        if len(title) > _MAX_TITLE_CHARS:
            title = title[:_MAX_TITLE_CHARS].rsplit(" ", 1)[0] + "…"
        if not title:
            continue
        if article.author:
            questions.append(f"Who wrote the article “{title}”?")
        if article.date:
            questions.append(f"When was the article “{title}” published?")
        questions.append(f"What does the article “{title}” report?")
    return questions


def answered(bot: QA, questions: Sequence[str], limit: int = 4) -> list[str]:
    """The first ``limit`` of ``questions`` that ``bot`` answers rather than declines."""
    chosen = []
    for question in questions:
        if len(chosen) == limit:
            break
        try:
            if not bot.ask(question).no_answer:
                chosen.append(question)
        except (TypeError, ValueError):  # a title too long to ask about, say: not an example
            continue
    return chosen
