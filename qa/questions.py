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
    """The question as the models read it: without the pleasantries around it, ending in a question mark.

    Typed in a chat, a question often comes with a greeting, a thanks or a "can you tell me"
    ("Thanks! And who announced it?"), and often without its "?". The embedder and the scorer
    learnt from bare questions that end in one. Around a question, such words move its vector and
    take its words' place, and the follow-up's "And" or "it" is no longer where it is looked for;
    without the "?", the confidence drops (on the blind news questions, 0.144 to 0.075 for one of
    them). A question that is nothing but pleasantries is left as it is.

    Example:
        >>> as_question("Thanks! And who announced it")
        'And who announced it?'
        >>> as_question("can you tell me who runs the lab, please.")
        'who runs the lab?'
        >>> as_question('Who designed the "50?"')
        'Who designed the "50?"'
    """
    bare = question
    while True:
        stripped = _TRAILING_CHATTER.sub("", _LEADING_CHATTER.sub("", bare))
        if stripped == bare:
            break
        bare = stripped
    if not re.search(r"\w", bare):
        bare = question
    if _ENDS_ASKING.search(bare):
        return bare
    return bare.rstrip(" .!…,;:") + "?"


_ENDS_ASKING = re.compile(r"\?\W*$")
# Interjections before a question: "Hi!", "Great.", "OK, and ..."; those that can also be a name or
# an adjective ("Nice", "Good", "Sure") only when punctuation follows. A request ("can you tell me",
# "do you know") only before the asking word it wraps or a colon: "Tell me about the lab" stays.
_LEADING_CHATTER = re.compile(
    r"^\W*(?:(?:hi|hello|hey|ok|okay|thanks|thank you|thx)\b(?: there| so)?[\s,.!:;–—-]*"
    r"|(?:great|cool|nice|good|perfect|alright|all right|got it|i see|interesting|wow|sure|right)[,.!:;–—-]+\s*"
    r"|(?:please\s+)?(?:(?:can|could|would) you(?: please)? (?:tell me|say|let me know)|do you know|tell me"
    r"|i(?:'d| would) like to know|i want to know|i wonder|let me know)"
    r"(?:\s*[:–—-]\s*|[\s,]+(?=(?:who|whom|whose|what|which|when|where|why|how|if|whether)\b))"
    r"|please\b[\s,:]*)",
    re.IGNORECASE,
)
# ... and thanks or a "please" after it: "Who runs the lab, please?", "When was that? Thanks!" (not the
# verb: "Who did they please?").
_TRAILING_CHATTER = re.compile(
    r"(?<=\w|\?)(?:[\s,.!?]*\b(?:thanks|thank you|thx|cheers)|\s*[,.!?]+\s*please)\W*$", re.IGNORECASE
)


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
