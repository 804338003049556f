"""Abbreviations: a question's "chief executive" finds an article's "CEO", and "LLM" finds "large language model".

Word overlap and BM25 see "CEO" and "chief executive" as unrelated words, and
news writes either. A question's abbreviation is matched by its spelled-out
words, and a spelled-out phrase (or two or more consecutive words of it, as in
"language model") by its abbreviation (see ``qa.word_forms``, which gathers
these with the other forms of a question's words).
"""

from __future__ import annotations

import functools
import re

from index.lexical import stem, terms

#: Abbreviations common in news, and the words they stand for. An abbreviation is recognised in a
#: question only when written in capitals ("US", not "us").
ABBREVIATIONS = {
    "AI": "artificial intelligence",
    "AR": "augmented reality",
    "CEO": "chief executive",
    "CFO": "chief financial officer",
    "COO": "chief operating officer",
    "CTO": "chief technology officer",
    "EU": "European Union",
    "EV": "electric vehicle",
    "GDP": "gross domestic product",
    "HQ": "headquarters",
    "ICT": "information and communications technology",
    "IoT": "internet of things",
    "IPO": "initial public offering",
    "LLM": "large language model",
    "NGO": "non-governmental organisation",
    "SME": "small and medium-sized enterprise",
    "UAE": "United Arab Emirates",
    "UK": "United Kingdom",
    "UN": "United Nations",
    "US": "United States",
    "VC": "venture capital",
    "VR": "virtual reality",
    "WTO": "World Trade Organization",
}


@functools.cache
def _table() -> tuple[tuple[str, tuple[str, ...], re.Pattern[str], tuple[str, ...]], ...]:
    """Each abbreviation, its stems (singular and plural: "llm", "llms"), the pattern that finds it
    in capitals, and its phrase's stems."""
    return tuple(
        (
            short,
            tuple(dict.fromkeys((stem(short.lower()), stem(short.lower() + "s")))),
            re.compile(rf"\b{re.escape(short)}s?\b"),
            tuple(terms(long)),
        )
        for short, long in ABBREVIATIONS.items()
    )


def abbreviation_forms(question: str) -> tuple[dict[str, list[tuple[str, ...]]], list[str]]:
    """The other forms of the question's abbreviations and spelled-out phrases.

    Returns:
        For each stemmed question term, the groups of stemmed terms that count as it, and the
        other forms as words (for BM25).

    Example:
        >>> abbreviation_forms("Who is Huawei's chief executive?")
        ({'chief': [('ceo',)], 'execut': [('ceo',)]}, ['CEO'])
        >>> abbreviation_forms("What did the CEO say?")
        ({'ceo': [('chief', 'execut')]}, ['chief executive'])
    """
    asked = terms(question)
    alternatives: dict[str, list[tuple[str, ...]]] = {}
    extra: list[str] = []
    for short, short_stems, pattern, phrase in _table():
        if pattern.search(question):
            for short_stem in short_stems:
                alternatives.setdefault(short_stem, []).append(phrase)
            extra.append(ABBREVIATIONS[short])
        elif _has_run(asked, phrase):
            for term in phrase:
                if term in asked:
                    alternatives.setdefault(term, []).extend((short_stem,) for short_stem in short_stems)
            extra.append(short)
    return alternatives, extra


def _has_run(asked: list[str], phrase: tuple[str, ...]) -> bool:
    """Whether ``asked`` holds the whole phrase (a one-word phrase) or two or more of its words in a row."""
    if len(phrase) == 1:
        return phrase[0] in asked
    pairs = set(zip(asked, asked[1:], strict=False))
    return any(pair in pairs for pair in zip(phrase, phrase[1:], strict=False))
