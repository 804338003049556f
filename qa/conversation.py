"""Follow-up questions: carry what the earlier turns of a conversation were about into the next one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.embedder import Embedder
from qa.answer import Answer
from qa.query import Query
from qa.questions import clean_question


@dataclass(frozen=True)
class Turn:
    """One earlier turn: the question asked and the answer given ("" when there was none)."""

    question: str
    answer: str = ""
    article_id: str = ""
    start: int = -1


def earlier_turns(history: Sequence[str | Answer] | None) -> list[Turn]:
    """The conversation so far, oldest first, from questions (str) or ``Answer`` objects.

    Raises:
        TypeError: if ``history`` is not a list of strings or ``Answer`` objects.
    """
    if history is None:
        return []
    if isinstance(history, str | bytes) or not isinstance(history, Sequence):
        raise TypeError("history must be a list of earlier questions (str) or Answer objects, oldest first")
    turns = []
    for number, item in enumerate(history):
        if isinstance(item, Answer):
            if item.citations and not item.no_answer:
                cited = item.citations[0]
                turns.append(Turn(item.question, item.text, cited.article_id, cited.start))
            else:
                turns.append(Turn(item.question))
        elif isinstance(item, str):
            if item.strip():
                turns.append(Turn(clean_question(item)))
        else:
            raise TypeError(
                f"history[{number}] is a {type(item).__name__}; each turn must be a question (str) or an Answer"
            )
    return turns


def build_query(question: str, turns: list[Turn], embedder: Embedder, weight: float) -> Query:
    """The query for ``question``, leaning on the last turns when there are any.

    A follow-up ("Who announced it?") names little itself; the previous question
    and its answer say what "it" is. Their words join the question's at
    ``weight``, and the question's vector is blended with theirs, so a
    follow-up that names a new subject ("And in Russia?") still steers by its own words.
    """
    recent = turns[-2:]
    asked = " ".join(t.question for t in recent)
    if not asked:
        return Query(question, embedder.encode([question])[0])
    answered = " ".join([asked, recent[-1].answer]).strip()
    question_vector, asked_vector, answered_vector = embedder.encode([question, asked, answered])

    def blend(context_vector: np.ndarray) -> np.ndarray:
        blended = question_vector + weight * context_vector
        return blended / np.linalg.norm(blended)

    last = recent[-1]
    previous = (last.article_id, last.start) if last.article_id else None
    return Query(question, blend(asked_vector), answered, weight, blend(answered_vector), previous)
