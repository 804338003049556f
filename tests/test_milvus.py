"""The same chatbot on Milvus: answers, follow-ups and the chat page match the FAISS index, with the real model.

The Milvus side is milvus-lite in a temporary directory (``store="milvus:DIR"``), built from the
built-in articles by the same model. Both stores search exactly (FLAT) with inner products on the
same vectors and share the BM25 over the SQLite passages, so the answers are expected to be
identical; the tests allow one question to differ (a tie in scores broken the other way), and print it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.vectors import parse_store
from qa.answer import Answer
from tests.conftest import serve_chat

pytestmark = pytest.mark.model

DATA = Path(__file__).parent / "data"
GOLD = json.loads((DATA / "gold.json").read_text("utf-8"))
CONVERSATIONS = json.loads((DATA / "conversations.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def milvus_qa(tmp_path_factory):
    """QA over the built-in articles with its passage vectors in milvus-lite."""
    from qa import QA

    where = tmp_path_factory.mktemp("milvus-builtin")
    bot = QA(index_dir=where / "index", store=f"milvus:{where / 'milvus'}", progress=False)
    bot.index  # build once for the module
    yield bot
    bot.close()


def _same(a: Answer, b: Answer) -> bool:
    """Same quote, same citations at the same offsets, confidence within rounding."""
    left, right = a.to_dict(), b.to_dict()
    for reply in (left, right):
        reply["confidence"] = round(reply["confidence"], 3)
        for citation in reply["citations"]:
            citation["score"] = round(citation["score"], 3)
    return left == right


def test_milvus_index_keeps_passage_vectors_in_milvus_and_the_same_vectors(milvus_qa, real_qa):
    index, reference = milvus_qa.index, real_qa.index
    assert index.manifest.vector_store == "milvus" and reference.manifest.vector_store == "faiss"
    assert index.build and (Path(milvus_qa.index_dir) / index.build / "passages.milvus.json").is_file()
    assert index.passages == reference.passages
    assert len(index.passage_vectors.store) == len(index.passages)
    np.testing.assert_allclose(
        index.passage_vectors.reconstruct_n(0, index.passage_vectors.ntotal),
        reference.passage_vectors.reconstruct_n(0, reference.passage_vectors.ntotal),
        atol=1e-5,
    )


def test_gold_questions_get_the_same_answers_on_both_stores(milvus_qa, real_qa):
    differ = [
        (g["question"], real_qa.ask(g["question"]).text[:60], milvus_qa.ask(g["question"]).text[:60])
        for g in GOLD
        if not _same(real_qa.ask(g["question"]), milvus_qa.ask(g["question"]))
    ]
    print(f"{len(GOLD) - len(differ)} of {len(GOLD)} gold answers identical; differing: {differ}")
    assert len(differ) <= 1, differ


def test_conversations_get_the_same_answers_at_every_turn_on_both_stores(milvus_qa, real_qa):
    differ, turns = [], 0
    for conversation in CONVERSATIONS:
        faiss_history: list[Answer] = []
        milvus_history: list[Answer] = []
        for turn in conversation["turns"]:
            faiss_history.append(real_qa.ask(turn["question"], history=faiss_history))
            milvus_history.append(milvus_qa.ask(turn["question"], history=milvus_history))
            turns += 1
            if not _same(faiss_history[-1], milvus_history[-1]):
                differ.append((conversation["id"], turn["question"]))
    print(f"{turns - len(differ)} of {turns} conversation turns identical; differing: {differ}")
    assert len(differ) <= 1, differ


def test_milvus_citations_quote_their_article_exactly(milvus_qa):
    for g in GOLD:
        for c in milvus_qa.ask(g["question"]).citations:
            assert milvus_qa.get_article(c.article_id).text[c.start : c.end] == c.quote


def test_asking_for_another_store_than_the_index_has_rebuilds_it_there_with_a_warning(tmp_path, caplog, real_qa):
    from qa import QA

    bot = QA(index_dir=tmp_path / "index", store="faiss", embedder=real_qa.embedder, progress=False)
    bot.index
    moved = QA(index_dir=tmp_path / "index", store=f"milvus:{tmp_path / 'milvus'}", embedder=real_qa.embedder)
    with caplog.at_level("WARNING", logger="index"):
        assert moved.sync().rebuilt
    assert "not milvus:" in caplog.text and "embedding every article again" in caplog.text
    assert moved.index.store == parse_store(f"milvus:{tmp_path / 'milvus'}")
    # A QA without a store setting uses the index as it is, wherever its vectors are.
    moved.close()
    again = QA(index_dir=tmp_path / "index", embedder=real_qa.embedder)
    assert again.index.how == "loaded"
    again.close()


def test_chat_page_on_milvus_serves_and_answers(real_qa, tmp_path):
    """`qa chat --store milvus:DIR` in its own process answers /ask exactly as the FAISS index does."""
    from gradio_client import Client

    options = ("--index-dir", str(tmp_path / "index"), "--store", f"milvus:{tmp_path / 'milvus'}")
    with serve_chat(*options, log=tmp_path / "qa-chat.log", timeout=240) as server:
        client = Client(server.url, verbose=False)
        for question in ("Which Russian bank did Huawei partner with?", "Who won the 2018 FIFA World Cup?"):
            reply = client.predict(question, api_name="/ask")
            assert reply == real_qa.ask(question).to_dict()
