"""Irregular verbs: a question's "spoke" finds an article's "speaking", and "bought" finds "buy".

The stemmer strips regular endings ("announced", "announces" -> "announc") but leaves the
forms of an irregular verb apart ("speak", "spoke", "spoken"), so word overlap and BM25 see
them as unrelated words, though a question and its answer often use different forms of one
verb ("When did he speak?" against "Speaking at the conference, ..."). Verbs whose forms are
as often common words of another meaning are left out ("left", "found", "saw", "rose", "fell",
"felt"; "lead" and "led", "deal", "mean", "ring", "tear"), and so are "be", "have", "do" and
"say", whose forms are stop words.
"""

from __future__ import annotations

import functools

from index.lexical import STOP_WORDS, stem, terms

#: Common irregular verbs of news: the base form and its past forms.
IRREGULAR_VERBS = {
    "arise": "arose arisen",
    "become": "became",
    "begin": "began begun",
    "bind": "bound",
    "break": "broke broken",
    "bring": "brought",
    "build": "built",
    "buy": "bought",
    "catch": "caught",
    "choose": "chose chosen",
    "come": "came",
    "draw": "drew drawn",
    "drive": "drove driven",
    "eat": "ate eaten",
    "fight": "fought",
    "fly": "flew flown",
    "forbid": "forbade forbidden",
    "foresee": "foresaw foreseen",
    "forget": "forgot forgotten",
    "freeze": "froze frozen",
    "get": "got gotten",
    "give": "gave given",
    "go": "went gone",
    "grow": "grew grown",
    "hang": "hung",
    "hide": "hid hidden",
    "hold": "held",
    "keep": "kept",
    "know": "knew known",
    "lend": "lent",
    "lose": "lost",
    "make": "made",
    "meet": "met",
    "overcome": "overcame",
    "oversee": "oversaw overseen",
    "overtake": "overtook overtaken",
    "pay": "paid",
    "ride": "rode ridden",
    "run": "ran",
    "seek": "sought",
    "sell": "sold",
    "send": "sent",
    "shake": "shook shaken",
    "shine": "shone",
    "shoot": "shot",
    "show": "shown",
    "shrink": "shrank shrunk",
    "sing": "sang sung",
    "sink": "sank sunk",
    "sit": "sat",
    "speak": "spoke spoken",
    "spend": "spent",
    "stand": "stood",
    "steal": "stole stolen",
    "stick": "stuck",
    "strike": "struck stricken",
    "swear": "swore sworn",
    "swim": "swam swum",
    "take": "took taken",
    "teach": "taught",
    "tell": "told",
    "think": "thought",
    "throw": "threw thrown",
    "undergo": "underwent undergone",
    "understand": "understood",
    "undertake": "undertook undertaken",
    "wake": "woke woken",
    "wear": "wore worn",
    "win": "won",
    "withdraw": "withdrew withdrawn",
    "write": "wrote written",
}


@functools.cache
def _forms_of() -> dict[str, tuple[tuple[str, str], ...]]:
    """For each stemmed form of a verb, its other forms as (stem, word) pairs."""
    table: dict[str, tuple[tuple[str, str], ...]] = {}
    for base, past in IRREGULAR_VERBS.items():
        forms = {stem(w): w for w in (base, *past.split()) if w not in STOP_WORDS}
        for form in forms:
            table[form] = tuple((s, w) for s, w in forms.items() if s != form)
    return table


def other_forms(term: str) -> tuple[tuple[str, str], ...]:
    """The other forms, as (stem, word), of the verb whose stemmed form ``term`` is (empty if none).

    Example:
        >>> other_forms("spoke")
        (('speak', 'speak'), ('spoken', 'spoken'))
        >>> other_forms("chosen")
        (('choos', 'choose'), ('chose', 'chose'))
        >>> other_forms("announc")
        ()
    """
    return _forms_of().get(term, ())


def verb_forms(question: str) -> tuple[dict[str, list[tuple[str, ...]]], list[str]]:
    """The other forms of the question's irregular verbs: for each such stemmed term, the stems
    that count as it (each alone), and the other forms as words (for BM25).

    Example:
        >>> verb_forms("When did she speak?")
        ({'speak': [('spoke',), ('spoken',)]}, ['spoke', 'spoken'])
    """
    alternatives: dict[str, list[tuple[str, ...]]] = {}
    extra: list[str] = []
    for term in dict.fromkeys(terms(question)):
        forms = other_forms(term)
        if forms:
            alternatives[term] = [(form,) for form, _ in forms]
            extra.extend(word for _, word in forms)
    return alternatives, extra
