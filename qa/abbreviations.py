"""Abbreviations: a question's "chief executive" finds an article's "CEO", and "LLM" finds "large language model".

Word overlap and BM25 see "CEO" and "chief executive" as unrelated words, and
news writes either. A question's abbreviation is matched by its spelled-out
words, and a spelled-out phrase (or two or more consecutive words of it, as in
"language model") by its abbreviation. ``expand`` also gives the other forms of a
question's irregular verbs ("spoke": "speak", "spoken"; see ``qa.verb_forms``) and of its
durations ("twelve months": "one year"; see ``qa.durations``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from index.lexical import stem, terms
from qa.durations import durations_in
from qa.verb_forms import other_forms

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


@dataclass(frozen=True)
class Expansion:
    """What a question's abbreviations and spelled-out phrases also match.

    Attributes:
        alternatives: For a stemmed question term, groups of stemmed terms that count as the term
            when a sentence has all of a group (read-only).
        words: The other forms as text, added to the question's words for BM25.
    """

    alternatives: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=lambda: MappingProxyType({}))
    words: str = ""

    def matches(self, term: str, found: set[str] | frozenset[str]) -> bool:
        """Whether a text whose stemmed terms are ``found`` has ``term`` or one of its other forms."""
        return term in found or any(all(t in found for t in group) for group in self.alternatives.get(term, ()))


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


@functools.lru_cache(maxsize=1024)
def expand(question: str) -> Expansion:
    """The other forms of the abbreviations and spelled-out phrases in ``question``.

    Example:
        >>> expand("Who is Huawei's chief executive?").alternatives["execut"]
        (('ceo',),)
        >>> expand("Which industries use large language models?").alternatives["model"]
        (('llm',), ('llms',))
        >>> expand("Who is Huawei's chief executive?").words
        'CEO'
        >>> expand("What did the CEO say?").alternatives["ceo"]
        (('chief', 'execut'),)
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
    for duration in durations_in(question):  # "twelve months" also matches "one year"
        groups = [tuple(terms(form)) for form in duration.other_forms]
        for term in terms(duration.words):
            alternatives.setdefault(term, []).extend(groups)
        extra.extend(duration.other_forms)
    for term in dict.fromkeys(asked):
        forms = other_forms(term)  # "spoke" also matches "speak" and "spoken"
        if forms:
            alternatives.setdefault(term, []).extend((form,) for form, _ in forms)
            extra.extend(word for _, word in forms)
    return Expansion(MappingProxyType({t: tuple(groups) for t, groups in alternatives.items()}), " ".join(extra))


def _has_run(asked: list[str], phrase: tuple[str, ...]) -> bool:
    """Whether ``asked`` holds the whole phrase (a one-word phrase) or two or more of its words in a row."""
    if len(phrase) == 1:
        return phrase[0] in asked
    pairs = set(zip(asked, asked[1:], strict=False))
    return any(pair in pairs for pair in zip(phrase, phrase[1:], strict=False))
