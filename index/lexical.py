"""Words and BM25: the lexical half of hybrid retrieval.

News questions hinge on names and numbers ("35 million", "Sberbank", "2019")
that dense vectors blur; BM25 over stemmed words catches them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
import snowballstemmer

BM25_K1 = 1.2
BM25_B = 0.75

_WORD = re.compile(r"\w+(?:[.,]\d+)*", re.UNICODE)
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are aren't as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he
    her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not
    now of off on once only or other our ours ourselves out over own same she should so some such than that the
    their theirs them themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves s t also ever
    according said says tell told much many""".split()
)


@functools.cache
def _stemmer():
    # snowballstemmer returns PyStemmer's C stemmer when it is installed (a dependency): the same stems.
    return snowballstemmer.stemmer("english")


def words(text: str) -> list[str]:
    """Lower-cased word tokens, keeping numbers like "35", "45.3" and "1,000" whole."""
    return [w.lower().replace(",", "") for w in _WORD.findall(text)]


def fold(text: str) -> str:
    """The text without accents: "Gospić" -> "Gospic", "Möngke" -> "Mongke"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


def terms(text: str) -> list[str]:
    """Stemmed content words: what BM25 and word overlap compare."""
    return [stem(w) for w in words(text) if w not in STOP_WORDS and w != "_"]


class BM25:
    """Okapi BM25 over a fixed list of documents, as a sparse matrix.

    Example:
        >>> bm25 = BM25(["Huawei invests in Paris", "Huawei in Russia"])
        >>> bm25.scores("investment in Paris").argmax()
        0
    """

    def __init__(self, documents: Sequence[str]) -> None:
        tokenized = [terms(d) for d in documents]
        self.vocabulary: dict[str, int] = {}
        rows, cols = [], []
        for row, tokens in enumerate(tokenized):
            for token in tokens:
                rows.append(row)
                cols.append(self.vocabulary.setdefault(token, len(self.vocabulary)))
        n_docs = len(tokenized)
        tf = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n_docs, max(len(self.vocabulary), 1))
        )
        tf.sum_duplicates()
        doc_freq = np.bincount(tf.indices, minlength=tf.shape[1]).astype(np.float32)
        self.idf = np.log(1.0 + (n_docs - doc_freq + 0.5) / (doc_freq + 0.5)).astype(np.float32)
        # An unseen word is as informative as the rarest word in the collection.
        self.unseen_idf = float(np.log(1.0 + (n_docs + 0.5) / 0.5))
        lengths = np.asarray(tf.sum(axis=1)).ravel()
        mean_length = float(lengths.mean()) if n_docs else 0.0
        norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths / max(mean_length, 1e-9))
        weights = tf.tocoo()
        data = weights.data * (BM25_K1 + 1) / (weights.data + norm[weights.row]) * self.idf[weights.col]
        self._weights = sp.csc_matrix((data, (weights.row, weights.col)), shape=tf.shape)
        self.n_docs = n_docs

    def term_idf(self, term: str) -> float:
        column = self.vocabulary.get(term)
        return self.unseen_idf if column is None else float(self.idf[column])

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for ``query`` (zeros when no word matches)."""
        columns = [self.vocabulary[t] for t in terms(query) if t in self.vocabulary]
        if not columns:
            return np.zeros(self.n_docs, dtype=np.float32)
        return np.asarray(self._weights[:, columns].sum(axis=1)).ravel()
