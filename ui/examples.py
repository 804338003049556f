"""Example questions for the chat page, so that a first-time visitor sees it answer.

The built-in articles get questions written from their content (each answered
with a quote, checked by the browser test). A folder of one's own gets candidates built from
its articles' titles and metadata (what an article reports, who wrote it, when it was published);
the page offers those that are answered (``answered``, asked once the index is open by
``ui.loading``), never one it declines.
"""

from __future__ import annotations

from collections.abc import Sequence

from index.articles import Article
from qa.api import QA

#: Questions the built-in articles answer, one per article and topic.
BUILTIN_EXAMPLES = (
    "How much will Huawei invest in its Paris OpenLab?",
    "Where will Huawei open an AI cloud computing centre?",
    "Which Russian bank did Huawei partner with?",
    "When did Huawei open its Paris OpenLab?",
)
#: How many example questions the page offers at most.
MAX_EXAMPLES = 4

_MAX_TITLE_CHARS = 80


def candidate_questions(articles: Sequence[Article], limit: int = MAX_EXAMPLES) -> list[str]:
    """Questions built from the titles and metadata of the first ``limit`` articles: what each reports, then
    who wrote each, then when each was published (one kind across the articles before the next), no repeats.

    Example:
        >>> candidate_questions([Article("tram", "Tram vote passes", "", "Claire Hollis", "", "...", 0, "")])
        ['What does the article “Tram vote passes” report?', 'Who wrote the article “Tram vote passes”?']
    """
    titled = []
    for article in articles[:limit]:
        title = " ".join(article.title.split())
        if len(title) > _MAX_TITLE_CHARS:
            title = title[:_MAX_TITLE_CHARS].rsplit(" ", 1)[0] + "…"
        if title:
            titled.append((title, article))
    questions = [f"What does the article “{title}” report?" for title, _ in titled]
    questions += [f"Who wrote the article “{title}”?" for title, article in titled if article.author]
    questions += [f"When was the article “{title}” published?" for title, article in titled if article.date]
    return list(dict.fromkeys(questions))


def answered(bot: QA, questions: Sequence[str], limit: int = MAX_EXAMPLES) -> list[str]:
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
