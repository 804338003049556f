"""Whether an article mentions what a question names: a question about "Brazil" is not answered by an article
that never names it.

Used twice: as evidence for the answer (the share of the question's names and numbers an
answer's article lacks, ``missing_share``) and to tell when a follow-up has left the last
answer's article (``lacks_a_name``).
"""

from __future__ import annotations

import re

from index.build import CorpusIndex
from index.lexical import fold, stem
from qa.demonyms import place_forms
from qa.questions import names_and_numbers


def missing_share(index: CorpusIndex, article_id: str, question: str) -> float:
    """The share of the question's names and numbers that the article never mentions (0 when it names none)."""
    names = names_and_numbers(question)
    if not names or article_id not in index.articles:
        return 0.0
    vocabulary = index.article_vocabulary(article_id)
    return len(unmentioned(names, vocabulary, index.names())) / len(names)


def lacks_a_name(index: CorpusIndex, article_id: str, question: str) -> bool:
    """Whether the article never mentions one of the question's names or numbers.

    False for an article the index no longer has (a conversation may outlive it).
    """
    return missing_share(index, article_id, question) > 0


def unmentioned(names: set[str], vocabulary: frozenset[str], known: frozenset[str] = frozenset()) -> list[str]:
    """The names (and numbers) that an article whose words and terms are ``vocabulary`` never mentions."""
    return [n for n in names if not mentioned(n, vocabulary, known)]


def mentioned(name: str, vocabulary: frozenset[str], known: frozenset[str] = frozenset()) -> bool:
    """Whether an article whose words and terms are ``vocabulary`` mentions a question's name or number.

    As the article may write it: stemmed ("Germans": "German"), without accents ("Gospic":
    "Gospić"), as a place or its adjective ("Valdorian": "Valdoria", see ``qa.demonyms``; only a
    form among ``known``, the names the articles capitalise, so that "Julian" is not "July" nor
    "Sean" "sea"), or in parts ("V&A", "U.S.", "NP-complete", "Super Bowl-related").
    """
    if name in vocabulary or stem(name) in vocabulary:
        return True
    if any(form in vocabulary and form in known for form in place_forms(name)):
        return True
    parts = [p for p in re.split(r"\W+", fold(name)) if p]
    return bool(parts) and all(p in vocabulary or stem(p) in vocabulary for p in parts)
