"""Sentence features of SQuAD questions, for fitting the sentence scorer and the confidence model.

Usage: python bench/fit/tune_dump.py SQUAD_JSON WORKDIR N_QUESTIONS OUT.npy [DROP]

Writes the SQuAD articles under WORKDIR (as ``qa eval --squad`` does), builds or reloads their
index in WORKDIR/index, samples N_QUESTIONS questions (numpy seed 0) and scores every sentence of
the top passages three ways: asked of the whole collection (mode 0), with the question's own
article removed (mode 1: unanswerable), and with only its own paragraph removed (mode 2: a near
miss). Each row: question number, mode, label (the sentence contains a gold answer), features.
OUT_kinds.npy holds each question's kind (0 none, 1 number, 2 date, 3 name, 4 reason, 5 role, 6 called).

DROP (0..1): share of each question's content words removed from its text (its vector is kept),
to imitate a paraphrase whose words differ from the article's while its meaning does not.
"""

import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

from index.build import open_index
from index.embedder import MiniLMEmbedder
from index.lexical import STOP_WORDS
from qa.config import Settings
from qa.evaluate import normalize_answer, squad_collection
from qa.extract import question_type, score_sentences
from qa.query import Query
from qa.questions import as_question
from qa.retrieve import retrieve
from qa.spelling import mend_spelling

KINDS = [None, "number", "date", "name", "reason", "role", "called"]
squad_json, workdir, n_questions, out = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
DROP = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0

emb = MiniLMEmbedder()
corpus, questions = squad_collection(squad_json, workdir)
ix = open_index(corpus, emb, workdir / "index", progress=False)
rng = np.random.default_rng(0)
sample = [questions[i] for i in rng.choice(len(questions), n_questions, replace=False)]
drop_rng = np.random.default_rng(1)


def paraphrased(question: str) -> str:
    if not DROP:
        return question
    kept = [w for w in question.split() if w.lower().strip("?,.") in STOP_WORDS or drop_rng.random() >= DROP]
    return " ".join(kept)


started = time.time()
# Each question as QA.ask reads it (pleasantries out, a "?" at its end, typos mended).
read = [mend_spelling(as_question(q.question), ix.word_counts(), ix.names()) for q in sample]
texts = [paraphrased(q) for q in read]
vectors = emb.encode(read)
print(f"encoded {len(sample)} questions in {time.time() - started:.0f} s")


def without(passages, removed):
    """The retrieved passages minus ``removed``, their BM25 evidence rescaled as a search without them would."""
    kept = [p for p in passages if not removed(ix.passages[p.position])]
    best = max((p.lexical for p in kept), default=0.0)
    best_article: dict[str, float] = {}
    for p in kept:
        article = ix.passages[p.position].article_id
        best_article[article] = max(best_article.get(article, 0.0), p.lexical)
    if best <= 0:
        return kept
    return [
        dataclasses.replace(
            p,
            lexical=p.lexical / best,
            article_lexical=best_article[ix.passages[p.position].article_id] / best,
        )
        for p in kept
    ]


settings = Settings()
rows, kinds, recall_at_5 = [], [], 0
for number, (item, text, vector) in enumerate(zip(sample, texts, vectors, strict=True)):
    query = Query(text, vector)
    passages = retrieve(ix, query, settings)
    start, end = item.span

    def in_paragraph(p, item=item, start=start, end=end):
        return p.article_id == item.article_id and p.start < end and p.end > start

    recall_at_5 += any(in_paragraph(ix.passages[p.position]) for p in passages[:5])
    golds = [normalize_answer(a) for a in item.answers]
    kinds.append(KINDS.index(question_type(read[number])))
    modes = (
        (0, passages),
        (1, without(passages, lambda p, item=item: p.article_id == item.article_id)),
        (2, without(passages, in_paragraph)),
    )
    for mode, candidates in modes:
        for scored in score_sentences(ix, query, candidates, settings):
            sentence = normalize_answer(ix.sentences[scored.position].text)
            label = int(mode == 0 and any(g in sentence for g in golds))
            rows.append((number, mode, label) + scored.features)
print("recall@5", recall_at_5 / len(sample))
np.save(out, np.array(rows, dtype=np.float64))
np.save(out.replace(".npy", "_kinds.npy"), np.array(kinds))
