"""A child process for tests/test_sync.py: syncs an index, or reads it in a loop, with the fake embedder.

python -m tests.sync_child sync FOLDER INDEX_DIR            sync once; print the report as JSON
python -m tests.sync_child read FOLDER INDEX_DIR SECONDS    reload the saved index and ask, until SECONDS pass

A test kills ``sync`` at a named point with ``QA_INDEX_PAUSE_AT`` (see ``index.store.checkpoint``).
``read`` checks every answer it gets (citations quote their article exactly, the stable question
gets its exact answer) and exits 1 with the traceback on the first failure.
``$QA_TEST_STORE`` names the vector store (as ``QA(store=...)``; FAISS when unset).
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict

from qa.api import QA
from tests.conftest import FakeEmbedder

STORE = os.environ.get("QA_TEST_STORE") or None
STABLE_QUESTION = "How many croissants does the Zed bakery in Nantes bake a day?"
STABLE_ANSWER = "The bakery bakes 500 croissants a day and has 12 staff."
QUESTIONS = (STABLE_QUESTION, "How much will Acme invest in its Lyon lab?", "What did the mayor of Lyon say?")


def sync(folder: str, index_dir: str) -> int:
    bot = QA(folder, index_dir=index_dir, embedder=FakeEmbedder(), progress=False, store=STORE)
    report = bot.sync()
    bot.close()  # a milvus-lite directory is free for the next process as soon as we are done
    print(json.dumps({**asdict(report), "skipped": len(report.skipped), "finished": time.time()}), flush=True)
    return 0


def read(folder: str, index_dir: str, seconds: float) -> int:
    bot = QA(folder, index_dir=index_dir, embedder=FakeEmbedder(), progress=False, store=STORE)
    loads = answers = 0
    builds = set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        index = bot.reload()
        loads += 1
        builds.add(index.manifest.corpus_fingerprint)
        assert index.passage_vectors.ntotal == len(index.passages)
        assert len(index.sentence_vectors) == len(index.sentences)
        for question in QUESTIONS:
            answer = bot.ask(question)
            answers += 1
            for c in answer.citations:
                assert bot.get_article(c.article_id).text[c.start : c.end] == c.quote, c
            if question == STABLE_QUESTION:
                assert answer.text == STABLE_ANSWER, answer
    print(json.dumps({"loads": loads, "answers": answers, "versions": len(builds)}), flush=True)
    return 0


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "sync":
        sys.exit(sync(*args))
    sys.exit(read(args[0], args[1], float(args[2])))
