"""Follow-up questions: carry what the earlier turns of a conversation were about into the next one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qa.answer import Answer
from qa.questions import clean_question


@dataclass(frozen=True)
class Turn:
    """One earlier turn: the question asked and the answer given ("" when there was none)."""

    question: str
    answer: str = ""
    article_id: str = ""


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
            article = item.citations[0].article_id if item.citations and not item.no_answer else ""
            turns.append(Turn(item.question, item.text, article))
        elif isinstance(item, str):
            if item.strip():
                turns.append(Turn(clean_question(item)))
        else:
            raise TypeError(
                f"history[{number}] is a {type(item).__name__}; each turn must be a question (str) or an Answer"
            )
    return turns
