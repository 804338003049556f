"""A question before it reaches the index: checked (types, length, control characters), read as the
models learnt to read questions (``as_question``), and the names it gives."""

from __future__ import annotations

import re
import unicodedata

from index.lexical import words

MAX_QUESTION_CHARS = 1000
#: A capitalised word: a name ("Huawei", "Paris") or an abbreviation ("CEO"), or a sentence's first word.
CAPITALIZED = re.compile(r"\b[A-Z][\w’'&.-]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
_ENDS_ASKING = re.compile(r"[?？؟‽⸮]\W*$")
_ASKING_WORD = r"(?:who|whom|whose|what|which|when|where|why|how|if|whether)\b"
_THANKS = r"(?:thanks|thank you|thx|ty|cheers)(?: (?:a lot|so much|very much|in advance))?"
# Pleasantries before a question, each up to where the question (or the next pleasantry) starts:
# - a greeting or thanks followed by punctuation ("Hi!", "Thanks a lot.") or by the question's first
#   word ("OK so who ...", "hi, and in Russia?"), not by a name ("OK Group", "Hello Kitty");
# - a word of assent followed by punctuation ("Great.", "Right,"); "Nice" is left, being a city;
# - a request wrapping the question, before its asking word or a colon ("can you tell me who ...",
#   "Please tell me: And ..."); "Tell me about the lab" stays;
# - "please" before the question's asking word.
# A hyphen counts as punctuation only between spaces: "Hi-Tech Park", "Right-wing parties".
_PUNCTUATION = r"(?:[,.!:;…。！]|\s[–—-]\s|\s*:?[)(]+)+\s*"
_LEADING_CHATTER = re.compile(
    rf"\W*(?:(?:hi|hello|hey|ok|okay|good (?:morning|afternoon|evening)|{_THANKS})(?: there| again)?"
    rf"(?:{_PUNCTUATION}|\s+(?={_ASKING_WORD}|(?:and|so|but|then|also)\b))"
    rf"|(?:great|cool|good|perfect|alright|all right|got it|i see|interesting|wow|sure|right|yes|well|hmm+)"
    rf"{_PUNCTUATION}"
    r"|(?:(?:please|pls|plz)\s+)?(?:(?:can|could|would) you(?: please)? (?:tell me|say|let me know)"
    r"|do you (?:happen to )?know|tell me(?: please)?|i(?:'d| would) like to know|i want to know|i wonder"
    r"|let me know|any idea)"
    rf"(?:\s*[:–—]\s*|\s+-\s+|[\s,]+(?={_ASKING_WORD}))"
    rf"|(?:please|pls|plz)[\s,:]+(?={_ASKING_WORD}))",
    re.IGNORECASE,
)
# ... and thanks after it, after punctuation ("When was that? Thanks a lot!"): not "Who sang Thank You".
_TRAILING_CHATTER = re.compile(
    rf"(?<=[\w?？)\]\"”'’])\s*[,.!?？]+\s*(?:(?:{_THANKS}|please|pls|plz)\W*)+$", re.IGNORECASE
)
# ... and "please" at its end, but after "they", "to" and the like it is the verb ("did they please").
_TRAILING_PLEASE = re.compile(r"\b(\w+)\s+(?:please|pls|plz)\W*$", re.IGNORECASE)
_PLEASED = frozenset({"to", "they", "we", "you", "i", "he", "she", "would", "will", "can", "could", "may", "might"})
_TAIL_CHARS = 60


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
        raise ValueError("question is empty; type a question about the articles, like 'What did the council decide?'")
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
    them). Text that is nothing but pleasantries or punctuation is left as it is.

    Example:
        >>> as_question("Thanks! And who announced it")
        'And who announced it?'
        >>> as_question("can you tell me who runs the lab, please.")
        'who runs the lab?'
        >>> as_question('Who designed the "50?"')
        'Who designed the "50?"'
    """
    bare = question
    while (lead := _LEADING_CHATTER.match(bare)) and lead.end():
        bare = bare[lead.end() :]
    # Only the end can hold a trailing thanks: searching there alone keeps a long question fast.
    tail = max(0, len(bare) - _TAIL_CHARS)
    if trail := _TRAILING_CHATTER.search(bare, tail):
        bare = bare[: trail.start()]
    elif (please := _TRAILING_PLEASE.search(bare, tail)) and please.group(1).lower() not in _PLEASED:
        bare = bare[: please.end(1)]  # "Who runs the lab please", not "Who did they please"
    if not re.search(r"\w", bare):
        return question
    if _ENDS_ASKING.search(bare):
        return bare
    return bare.rstrip(" .!…。！．") + "?"


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
