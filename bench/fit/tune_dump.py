"""Sentence features of SQuAD questions, with and without their own article, for fitting the scorer.

Usage: python bench/fit/tune_dump.py WORKDIR N_QUESTIONS OUT.npy [DROP]   (after squad_corpus.py)

DROP (0..1): share of each question's content words removed from its text (its vector is
kept), to imitate a paraphrase whose words differ from the article's while its meaning does not.
"""

import json
import re
import string
import sys
import time

import numpy as np

from index.build import open_index
from index.embedder import MiniLMEmbedder
from qa.config import Settings
from qa.extract import question_type, score_sentences
from qa.query import Query
from qa.retrieve import retrieve


def norm(s):
    s = s.lower()
    s = "".join(c for c in s if c not in set(string.punctuation))
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


emb = MiniLMEmbedder()
ix = open_index(sys.argv[1] + "/corpus", emb, sys.argv[1] + "/index", progress=False)
qs = json.load(open(sys.argv[1] + "/questions.json"))
rng = np.random.default_rng(0)
sel = rng.choice(len(qs), int(sys.argv[2]), replace=False)
qs = [qs[i] for i in sel]
t = time.time()
V = emb.encode([q["question"] for q in qs])
print("enc", time.time() - t)
st = Settings(reader_passages=8)
rows = []
U = []
KINDS = [None, "number", "date", "name", "reason"]

DROP = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
drop_rng = np.random.default_rng(1)
STOP = __import__("index.lexical", fromlist=["STOP_WORDS"]).STOP_WORDS


def paraphrased(question):
    if not DROP:
        return question
    kept = [w for w in question.split() if w.lower().strip("?,.") in STOP or drop_rng.random() >= DROP]
    return " ".join(kept)


r5 = 0
for qi, (q, v) in enumerate(zip(qs, V)):
    query = Query(paraphrased(q["question"]), v)
    ps = retrieve(ix, query, st)
    a, b = q["para"]
    own = [
        p
        for p in ps[:5]
        if ix.passages[p.position].article_id == q["article"]
        and ix.passages[p.position].start < b
        and ix.passages[p.position].end > a
    ]
    r5 += bool(own)
    golds = [norm(x) for x in q["answers"]]
    U.append(KINDS.index(question_type(q["question"])))
    elsewhere = [p for p in ps if ix.passages[p.position].article_id != q["article"]]
    # Its own paragraph removed but its article kept: the question asks for a detail the
    # collection does not give about a subject it does discuss (a near miss).
    near_miss = [
        p
        for p in ps
        if not (
            ix.passages[p.position].article_id == q["article"]
            and ix.passages[p.position].start < b
            and ix.passages[p.position].end > a
        )
    ]
    for mode, plist in ((0, ps), (1, elsewhere), (2, near_miss)):
        for s in score_sentences(ix, query, plist, st):
            sent = ix.sentences[s.position]
            lab = int(any(g in norm(sent.text) for g in golds)) if mode == 0 else 0
            rows.append((qi, mode, lab) + s.features)
print("R@5", r5 / len(qs))
np.save(sys.argv[3], np.array(rows, dtype=np.float64))
np.save(sys.argv[3].replace(".npy", "_kinds.npy"), np.array(U))
