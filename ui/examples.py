"""Example questions for the chat page, so that a first-time visitor sees it answer.

The built-in articles get questions written from their content (each answered
with a quote, checked by the browser test); a folder of one's own gets one question
per article, built from its title.
"""

from __future__ import annotations

from pathlib import Path

from index.articles import load_corpus
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
    """Up to ``limit`` questions to offer for the articles in ``folder``.

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
        if title:
            questions.append(f"What does the article “{title}” report?")
    return questions
