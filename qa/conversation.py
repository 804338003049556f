"""Follow-up questions: carry what the earlier turns of a conversation were about into the next one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.embedder import Embedder
from qa.answer import Answer
from qa.query import Query
from qa.questions import clean_question, names_in


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


_CONNECTIVE = re.compile(r"^\W*(and|but|so|also|meanwhile|then|what about|how about)\b", re.I)
# Pronouns that stand for something named earlier wherever they are ("did it plan", "like that?") ...
_PRONOUN = re.compile(r"\b(it|they|them|he|him|she)\b|\b(this|that|these|those)\W*$", re.I)
# ... and words that do only before the question names anything ("its CEO", not "Huawei ... its lab").
_POSSESSIVE = re.compile(r"\b(its|their|his|her|this|that|these|those|there|the two|both)\b", re.I)
_NUMBER = re.compile(r"\b\d")


def leans_on_context(question: str) -> bool:
    """Whether a question refers back to the conversation rather than naming its own subject.

    It does when it opens with a connective ("And in Russia?"), names nothing of its own (no
    capitalised word after the first, no number: "Who made the announcement?"), has a pronoun that
    stands for something ("How many did it plan to train?"), or a possessive or demonstrative before
    any name of its own ("What did its CEO say?"; not "How much is Huawei putting into its lab?").
    """
    if _CONNECTIVE.search(question) or _PRONOUN.search(question):
        return True
    first_word = re.search(r"\w", question)
    numbers = [m for m in _NUMBER.finditer(question) if first_word is None or m.start() != first_word.start()]
    names = [m.start() for m in names_in(question) + numbers]
    if not names:
        return True
    possessive = _POSSESSIVE.search(question)
    return possessive is not None and possessive.start() < min(names)
