"""What else a question's words match: abbreviations, irregular verbs and durations.

Word overlap and BM25 compare stemmed words, so they see "CEO" and "chief executive",
"spoke" and "speaking", "twelve months" and "one year" as unrelated. ``expand`` gathers the
other forms of a question's words from ``qa.abbreviations``, ``qa.verb_forms`` and
``qa.durations``, once per question, for retrieval (extra BM25 words) and answer
extraction (a sentence that has another form has the word).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from qa.abbreviations import abbreviation_forms
from qa.durations import duration_forms
from qa.verb_forms import verb_forms


@dataclass(frozen=True)
class Expansion:
    """What a question's words also match.

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


@functools.lru_cache(maxsize=1024)
def expand(question: str) -> Expansion:
    """The other forms of the abbreviations, spelled-out phrases, irregular verbs and durations in ``question``.

    Example:
        >>> expand("Who is Huawei's chief executive?").alternatives["execut"]
        (('ceo',),)
        >>> expand("Which industries use large language models?").alternatives["model"]
        (('llm',), ('llms',))
        >>> expand("Who is Huawei's chief executive?").words
        'CEO'
        >>> expand("When did Hu speak in Paris?").alternatives["speak"]
        (('spoke',), ('spoken',))
    """
    alternatives: dict[str, list[tuple[str, ...]]] = {}
    extra: list[str] = []
    for forms in (abbreviation_forms, duration_forms, verb_forms):
        found, words = forms(question)
        for term, groups in found.items():
            alternatives.setdefault(term, []).extend(groups)
        extra.extend(words)
    return Expansion(MappingProxyType({t: tuple(groups) for t, groups in alternatives.items()}), " ".join(extra))
