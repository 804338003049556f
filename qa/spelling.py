"""Words of a question typed wrong, mended to the articles' own words ("Huwaei" to "Huawei").

A typo in a question's rarest word costs the most: it is the word that finds the passage (BM25
sees nothing of "Sberbnak") and the name whose absence marks an article as not about it. So a word
that neither the articles nor English know, but that one slip (a letter dropped, added, changed or
two swapped) turns into a word of the articles, is read as that word. English words are never
changed, even when one slip away from an article's word ("boson" is not "Boston"), nor word forms
of an article's word ("smartphones", "Valdorian").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from index.lexical import stem

#: Shorter words are left alone: one slip turns most of them into another word.
MIN_LETTERS = 5
_WORD = re.compile(r"[^\W\d_]+")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def mend_spelling(question: str, counts: Mapping[str, int]) -> str:
    """``question`` with each word that is a slip from an article's word replaced by that word.

    Args:
        question: The question as the models read it.
        counts: How often each lower-cased word occurs in the articles (``CorpusIndex.word_counts``).

    A word is mended when it has at least ``MIN_LETTERS`` letters, is not a word of the articles
    nor of English, and one slip away from it lies a word of the articles that is not just another
    form of it; of several such words, the one the articles use most (none when two tie). The
    mended word keeps the typed word's capitals.

    Example:
        >>> mend_spelling("When did Huwaei partner with Sberbnak?", {"huawei": 9, "sberbank": 2})
        'When did Huawei partner with Sberbank?'
    """

    def mended(match: re.Match[str]) -> str:
        typed = match.group(0)
        word = typed.lower()
        if len(word) < MIN_LETTERS or word in counts or not word.isascii() or _is_english(word):
            return typed
        # Not "smartphone" for "smartphones", nor "valdoria" for "valdorian": forms of a word, not slips.
        forms = [c for c in _one_slip(word) if c in counts and not word.startswith(c) and stem(c) != stem(word)]
        candidates = sorted(((counts[c], c) for c in forms), reverse=True)
        if not candidates or (len(candidates) > 1 and candidates[0][0] == candidates[1][0]):
            return typed
        best = candidates[0][1]
        if typed.isupper():
            return best.upper()
        return best[0].upper() + best[1:] if typed[0].isupper() else best

    return _WORD.sub(mended, question)


def _one_slip(word: str) -> set[str]:
    """Every string one slip from ``word``: a letter dropped, two swapped, one changed or one added."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    dropped = {a + b[1:] for a, b in splits if b}
    swapped = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    changed = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    added = {a + c + b for a, b in splits for c in _LETTERS}
    return (dropped | swapped | changed | added) - {word}


def _is_english(word: str) -> bool:
    return word in _english()


@functools.cache
def _english():  # noqa: ANN202 (a spellchecker.SpellChecker, imported here: loading it takes 0.2 s)
    """pyspellchecker's English word list (about 160,000 words), loaded once, on first need."""
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1)
