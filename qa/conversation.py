"""Follow-up questions: carry what the earlier turns of a conversation were about into the next one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.embedder import Embedder
from qa.answer import Answer
from qa.query import Query
from qa.questions import CAPITALIZED, as_question, clean_question, names_and_numbers


@dataclass(frozen=True)
class Turn:
    """One earlier turn: the question asked and the answer given ("" when there was none, or it is not known:
    ``declined`` says which)."""

    question: str
    answer: str = ""
    article_id: str = ""
    start: int = -1
    declined: bool = False


def earlier_turns(history: Sequence[str | Answer] | None) -> list[Turn]:
    """The conversation so far, oldest first, from questions (str) or ``Answer`` objects.

    Raises:
        TypeError: if ``history`` is not a list of strings or ``Answer`` objects.
        ValueError: if a question in it is too long to be one.
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
                turns.append(Turn(as_question(item.question), item.text, cited.article_id, cited.start))
            else:
                turns.append(Turn(as_question(item.question), declined=True))
        elif isinstance(item, str):
            if item.strip():
                try:
                    turns.append(Turn(as_question(clean_question(item))))
                except ValueError as error:  # said of the earlier turn, not of the question asked now
                    raise ValueError(f"history[{number}]: {error}") from None
        else:
            raise TypeError(
                f"history[{number}] is a {type(item).__name__}; each turn must be a question (str) or an Answer"
            )
    return turns


def last_answered(turns: list[Turn]) -> Turn | None:
    """The last turn's answer, or when that turn got none, the one before: a declined turn leaves the
    conversation where the answer before it was ("What did it achieve?", declined, then "Which sectors did
    that work target?"). None when neither was answered, or the last turn is a question alone (its answer
    is not known).
    """
    for turn in reversed(turns[-2:]):
        if turn.article_id:
            return turn
        if not turn.declined:
            return None
    return None


def build_query(
    question: str, question_vector: np.ndarray, turns: list[Turn], embedder: Embedder, weight: float
) -> Query:
    """The query for ``question`` (embedded as ``question_vector``), leaning on the last turns when there are any.

    A follow-up ("Who announced it?") names little itself; the previous question
    and its answer say what "it" is. Their words join the question's at
    ``weight``, and the question's vector is blended with theirs, so a
    follow-up that names a new subject ("And in Russia?") still steers by its own words.
    """
    recent = turns[-2:]
    asked = " ".join(t.question for t in recent)
    if not asked:
        return Query(question, question_vector)
    last_answer = last_answered(turns) or Turn("")
    answered = " ".join([asked, last_answer.answer]).strip()
    asked_vector, answered_vector = embedder.encode([asked, answered])

    def blend(context_vector: np.ndarray) -> np.ndarray:
        blended = question_vector + weight * context_vector
        return blended / np.linalg.norm(blended)

    previous = (last_answer.article_id, last_answer.start) if last_answer.article_id else None
    return Query(question, blend(asked_vector), answered, weight, blend(answered_vector), previous, recent[-1].question)


def subject_names(question: str) -> set[str]:
    """The names and numbers a question gives, lower-cased (see ``names_and_numbers``), but not roles or technologies.

    "CEO", "CEOs" and "AI" name no subject of their own ("Ars Technica" does). Names typed in
    lower case are not seen: a word the articles capitalise only inside a longer name ("List" in
    "Entity List") would be taken for one.

    Example:
        >>> sorted(subject_names("And what did its CEOs say about AI in Paris in 2019?"))
        ['2019', 'paris']
    """
    plurals = {m.group(1).lower() + "s" for m in _ABBREVIATION_PLURAL.finditer(question) if m.group(1) in _GENERIC}
    return {n for n in names_and_numbers(question) if n not in _GENERIC_LOWER and n not in plurals}


_CONNECTIVE = re.compile(r"^\W*(and|but|or|so|also|meanwhile|then|what about|how about)\b", re.I)
# Words that stand for something said earlier wherever they are ("did it plan", "who else") or at the
# end ("like that?", "hire her?", "do so?") ...
_PRONOUN = re.compile(r"\b(it|they|them|he|him|she|else)\b|\b(this|that|these|those|there|her|so|the same)\W*$", re.I)
# ... and words that do only before the question names anything ("its CEO", not "Huawei ... its lab").
_POSSESSIVE = re.compile(r"\b(its|their|his|her|this|that|these|those|there|the two|both)\b", re.I)
# Not back-references: "is there", "this year", "both Huawei and ...", "the startup that Huawei bought".
_NOT_REFERRING = re.compile(
    r"\b(?i:is|are|was|were) (?i:there)\b|\b(?i:this|that|these|those|both)\s+([A-Z]|(?i:year|month|week|time)\b)"
)
_WH_WORD = re.compile(
    r"^\W*(who|whom|whose|what|which|when|where|why|how|is|are|was|were|do|does|did|can|will)\b", re.I
)
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)\W*(\w+)")
#: Abbreviations that name a role or a technology, not a subject of their own ("Who is the CEO?").
_GENERIC = frozenset(
    {"AI", "AR", "CEO", "CFO", "COO", "CTO", "EV", "GDP", "HQ", "ICT", "IoT", "IPO", "LLM", "NGO", "SME", "VC", "VR"}
    | {"I"}
)
_GENERIC_LOWER = frozenset(a.lower() for a in _GENERIC)
_ABBREVIATION_PLURAL = re.compile(r"\b([A-Z]{2,})s\b")  # "CEOs", not "Ars"


def leans_on_context(question: str, known_names: frozenset[str] = frozenset()) -> bool:
    """Whether a question refers back to the conversation rather than naming its own subject.

    It does when it opens with a connective ("And in Russia?", "Or in Russia?"); is short and
    elliptical ("In Russia?"); has a word that stands for something said before ("did it plan",
    "who else", "like that?"); names nothing of its own; or has a possessive or demonstrative
    before its first name ("What did its CEO say?"; not "How much is Huawei putting into its lab?").
    A name is a capitalised word that does not start a sentence (not "I", nor a role or technology
    such as "CEO" or "AI"), or any word in ``known_names``, the names the articles use in lower
    case ("huawei"), so that a question typed in lower case still names its subject.
    """
    if _CONNECTIVE.search(question) or _PRONOUN.search(question):
        return True
    if len(question.split()) <= 4 and not _WH_WORD.search(question):
        return True
    starts = {m.start(1) for m in _SENTENCE_START.finditer(question)}
    names = [
        m.start()
        for m in CAPITALIZED.finditer(question)
        if m.start() not in starts and m.group(0).rstrip(".’'s") not in _GENERIC and m.group(0) not in _GENERIC
    ]
    names += [
        m.start()
        for m in re.finditer(r"[\w&-]+", question)
        if m.group(0).lower() in known_names and m.group(0).lower().rstrip("s") not in _GENERIC_LOWER
    ]
    if not names:
        return True
    referring = [m for m in _POSSESSIVE.finditer(question) if not _refers_to_nothing(question, m)]
    return bool(referring) and referring[0].start() < min(names)


def _refers_to_nothing(question: str, match: re.Match[str]) -> bool:
    """Whether a possessive or demonstrative is one of the uses that refer to nothing said before."""
    return bool(
        _NOT_REFERRING.search(question[max(0, match.start() - 5) : match.end()])
        or _NOT_REFERRING.match(question, match.start())
    )
