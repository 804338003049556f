"""Grid-search the retrieval weights (``Settings.retrieval_weights``) on SQuAD.

Usage: python bench/fit/fit_retrieval.py SQUAD_JSON WORKDIR N_QUESTIONS

Scores every passage for N sampled questions (numpy seed 0) on the four kinds of evidence that
``qa.retrieve`` weighs (passage cosine, best sentence cosine, BM25 over the best BM25, the
article's best BM25), picks the weights with the best recall@5 on even-numbered questions and
reports them on the odd-numbered ones.
"""

import itertools
import sys
from pathlib import Path

import numpy as np

from index.build import open_index
from index.embedder import MiniLMEmbedder
from qa.evaluate import squad_collection
from qa.questions import as_question
from qa.spelling import mend_spelling

squad_json, workdir, n_questions = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
embedder = MiniLMEmbedder()
corpus, questions = squad_collection(squad_json, workdir)
ix = open_index(corpus, embedder, workdir / "index", progress=False)
rng = np.random.default_rng(0)
sample = [questions[i] for i in rng.choice(len(questions), n_questions, replace=False)]

# Each question as QA.ask reads it (pleasantries out, a "?" at its end, typos mended).
read = [mend_spelling(as_question(q.question), ix.word_counts(), ix.names()) for q in sample]
Q = embedder.encode(read)
P = np.vstack([ix.passage_vectors.reconstruct(i) for i in range(len(ix.passages))])
dense = Q @ P.T
sentence_dense = Q @ ix.sentence_vectors.T
best_sentence = np.stack([sentence_dense[:, p.first_sentence : p.last_sentence].max(axis=1) for p in ix.passages], 1)
bm25 = np.vstack([ix.bm25.scores(q) for q in read])
lexical = bm25 / np.maximum(bm25.max(axis=1, keepdims=True), 1e-9)
article_best = np.zeros((len(sample), len(ix.articles)))
for a in range(len(ix.articles)):
    article_best[:, a] = lexical[:, ix.passage_article == a].max(axis=1)
article_lexical = article_best[:, ix.passage_article]
gold = np.array(
    [[p.article_id == q.article_id and p.start < q.span[1] and p.end > q.span[0] for p in ix.passages] for q in sample]
)
even = np.arange(len(sample)) % 2 == 0


def recall(score: np.ndarray, k: int, rows=slice(None)) -> float:
    top = np.argsort(-score, axis=1)[:, :k]
    return float(np.take_along_axis(gold, top, 1).any(axis=1)[rows].mean())


grid = itertools.product((1, 1.5, 2, 2.5, 3), (0, 0.5, 1, 1.5), (0.5, 0.75, 1, 1.5), (0, 0.25, 0.5, 0.75))


def fused(w) -> np.ndarray:
    return w[0] * dense + w[1] * best_sentence + w[2] * lexical + w[3] * article_lexical


best = max(grid, key=lambda w: recall(fused(w), 5, even))
score = fused(best)
print("weights (dense, best sentence, lexical, article lexical):", best)
print("recall@5 fitting half", recall(score, 5, even), "held-out half", recall(score, 5, ~even))
print("dense alone", recall(dense, 5), "BM25 alone", recall(lexical, 5))
