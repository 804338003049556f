"""Check a question before it reaches the index: types, length, control characters."""

from __future__ import annotations

import re
import unicodedata

from index.lexical import words

MAX_QUESTION_CHARS = 1000
#: A capitalised word: a name ("Huawei", "Paris") or an abbreviation ("CEO"), or a sentence's first word.
CAPITALIZED = re.compile(r"\b[A-Z][\w’'&.-]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")


def clean_question(question: object) -> str:
    """The question, NFC-normalised, with control characters turned to spaces.

    Raises:
        TypeError: if ``question`` is not a string.
        ValueError: if it is empty after cleaning, or longer than MAX_QUESTION_CHARS.

    Example:
        >>> clean_question("  Who is\\x00 Ken Hu?\\n")
        'Who is Ken Hu?'
    """
    if not isinstance(question, str):
        raise TypeError(f"question must be a string, not {type(question).__name__}")
    if len(question) > MAX_QUESTION_CHARS * 10:
        raise ValueError(
            f"question is {len(question):,} characters long; ask a question of at most {MAX_QUESTION_CHARS:,}"
        )
    cleaned = " ".join(_CONTROL.sub(" ", unicodedata.normalize("NFC", question)).split())
    if not cleaned:
        raise ValueError("question is empty; type a question, for example 'How much will Huawei invest in Paris?'")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise ValueError(
            f"question is {len(cleaned):,} characters long; ask a question of at most {MAX_QUESTION_CHARS:,}"
        )
    return cleaned


def as_question(question: str) -> str:
    """The question ending in a question mark, as the models read it.

    Typed in a chat, a question often has none, or a full stop. The embedder and the confidence
    model learnt from questions that end in one, and without it a question's vector moves and its
    confidence drops (on the blind news questions, 0.144 to 0.075 for one of them), so an answer
    would be withheld for want of a "?".

    Example:
        >>> as_question("who runs the lab.")
        'who runs the lab?'
        >>> as_question('Who designed the "50?"')
        'Who designed the "50?"'
    """
    if _ENDS_ASKING.search(question):
        return question
    return question.rstrip(" .!…") + "?"


_ENDS_ASKING = re.compile(r"\?\W*$")


def names_in(text: str, known: frozenset[str] = frozenset()) -> list[re.Match[str]]:
    """The capitalised words of a question (or sentence) after its first word: the names it gives.

    The first word counts too when one of its lower-cased words is in ``known`` (names the
    articles write capitalised mid-sentence, see ``CorpusIndex.names``): "Luther wrote", not
    "Nevertheless, he wrote".

    Example:
        >>> [m.group(0) for m in names_in("Who is Huawei's CEO?")]
        ["Huawei's", 'CEO']
    """
    first_word = re.search(r"\w", text)
    return [
        m
        for m in CAPITALIZED.finditer(text)
        if first_word is None or m.start() != first_word.start() or any(w in known for w in words(m.group(0)))
    ]


def names_and_numbers(question: str) -> set[str]:
    """Lower-cased names (capitalised words after the first) and numbers in the question.

    Example:
        >>> sorted(names_and_numbers("What did Huawei's CEO say in Paris in 2019?"))
        ['2019', 'ceo', 'huawei', 'paris']
    """
    found = {m.group(0).lower().rstrip(".’'") for m in names_in(question)}
    found |= {w for w in words(question) if any(c.isdigit() for c in w)}
    found = {w.removesuffix("’s").removesuffix("'s") for w in found}
    return {w for w in found if w and w not in {"i", "a"}}
