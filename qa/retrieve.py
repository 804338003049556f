"""Hybrid retrieval: dense vectors (FAISS) and BM25, fused by reciprocal rank."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.build import CorpusIndex
from qa.config import Settings


@dataclass(frozen=True)
class RetrievedPassage:
    """A passage of the index with its retrieval scores.

    Attributes:
        position: Position in ``CorpusIndex.passages``.
        fused: Reciprocal-rank-fusion score, the ranking key.
        dense: Cosine similarity of the passage to the question.
        lexical: BM25 score divided by the best BM25 score for this question (0..1).
    """

    position: int
    fused: float
    dense: float
    lexical: float


def retrieve(
    index: CorpusIndex, question: str, question_vector: np.ndarray, settings: Settings
) -> list[RetrievedPassage]:
    """Passages most likely to answer ``question``, best first.

    Args:
        index: The loaded index.
        question: The question text (for BM25).
        question_vector: Its unit-length embedding, shape (dimension,).
        settings: Candidate counts and the fusion constant.
    """
    n = len(index.passages)
    if n == 0:
        return []
    k_dense = min(settings.dense_candidates, n)
    dense_scores, dense_ids = index.passage_vectors.search(question_vector.reshape(1, -1).astype(np.float32), k_dense)
    dense = {int(i): float(s) for i, s in zip(dense_ids[0], dense_scores[0], strict=True) if i >= 0}

    bm25 = index.bm25.scores(question)
    k_lex = min(settings.lexical_candidates, n)
    lexical_ids = np.argsort(-bm25, kind="stable")[:k_lex]
    lexical_ids = [int(i) for i in lexical_ids if bm25[i] > 0]
    best_bm25 = float(bm25.max()) if n else 0.0

    fused: dict[int, float] = {}
    for rank, position in enumerate(sorted(dense, key=dense.get, reverse=True)):
        fused[position] = fused.get(position, 0.0) + 1.0 / (settings.rrf_k + rank + 1)
    for rank, position in enumerate(lexical_ids):
        fused[position] = fused.get(position, 0.0) + 1.0 / (settings.rrf_k + rank + 1)

    missing = [p for p in fused if p not in dense]
    if missing:
        vectors = np.vstack([index.passage_vectors.reconstruct(p) for p in missing])
        dense.update(zip(missing, (vectors @ question_vector).tolist(), strict=True))
    ranked = sorted(fused, key=lambda p: (-fused[p], p))
    return [
        RetrievedPassage(p, fused[p], dense[p], float(bm25[p]) / best_bm25 if best_bm25 > 0 else 0.0) for p in ranked
    ]
