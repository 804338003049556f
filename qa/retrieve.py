"""Hybrid retrieval: dense vectors (FAISS or Milvus, whichever the index uses) and BM25, fused by a weighted sum.

Candidates are the union of the dense and the BM25 top lists. Each is scored on
four kinds of evidence (weights fitted on SQuAD, see bench/fit/README.md):
the passage's cosine to the question, its best sentence's cosine (a passage
that holds one sentence on the topic beats one that is vaguely about it), its
BM25 score, and the best BM25 score of any passage of its article (questions
are about an article's subject, which a single passage may not name).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.build import CorpusIndex
from qa.config import Settings
from qa.query import Query


@dataclass(frozen=True)
class RetrievedPassage:
    """A passage of the index with its retrieval evidence.

    Attributes:
        position: Position in ``CorpusIndex.passages``.
        fused: The weighted sum of the evidence below: the ranking key.
        dense: Cosine similarity of the passage to the question.
        sentence_dense: Cosine of its most similar sentence to the question.
        lexical: BM25 score of the question's words (a follow-up's last questions and answer
            included, at ``Query.context_weight``)
            divided by the best BM25 score for this query (0..1).
        article_lexical: The best ``lexical`` of any passage of the same article.
    """

    position: int
    fused: float
    dense: float
    sentence_dense: float
    lexical: float
    article_lexical: float


def retrieve(index: CorpusIndex, query: Query, settings: Settings) -> list[RetrievedPassage]:
    """Passages most likely to answer the query's question, best first.

    Args:
        index: The loaded index.
        query: The question, its vector, and the conversation's context if any.
        settings: Candidate counts and the fusion weights.
    """
    question_vector = query.vector if query.passage_vector is None else query.passage_vector
    n = len(index.passages)
    if n == 0:
        return []
    k_dense = min(settings.dense_candidates, n)
    _, dense_ids = index.passage_vectors.search(question_vector.reshape(1, -1).astype(np.float32), k_dense)
    bm25 = index.bm25.scores(query.question)
    if query.context:
        bm25 = bm25 + query.context_weight * index.bm25.scores(query.context)
    best_bm25 = float(bm25.max())
    lexical = bm25 / best_bm25 if best_bm25 > 0 else bm25
    k_lex = min(settings.lexical_candidates, n)
    lexical_ids = np.argpartition(-lexical, k_lex - 1)[:k_lex] if k_lex < n else np.arange(n)
    candidates = sorted({int(i) for i in dense_ids[0] if i >= 0} | {int(i) for i in lexical_ids if lexical[i] > 0})

    article_best = np.zeros(len(index.articles), dtype=np.float32)
    np.maximum.at(article_best, index.passage_article, lexical)

    vectors = index.passage_vectors.at(np.asarray(candidates, dtype=np.int64))
    dense = (vectors @ question_vector).tolist()
    w_dense, w_sentence, w_lexical, w_article = settings.retrieval_weights
    retrieved = []
    for position, cosine in zip(candidates, dense, strict=True):
        passage = index.passages[position]
        sentence_dense = float(
            (index.sentence_vectors[passage.first_sentence : passage.last_sentence] @ question_vector).max()
        )
        article_lexical = float(article_best[index.passage_article[position]])
        fused = (
            w_dense * cosine
            + w_sentence * sentence_dense
            + w_lexical * float(lexical[position])
            + w_article * article_lexical
        )
        retrieved.append(
            RetrievedPassage(position, fused, cosine, sentence_dense, float(lexical[position]), article_lexical)
        )
    retrieved.sort(key=lambda r: (-r.fused, r.position))
    return retrieved
