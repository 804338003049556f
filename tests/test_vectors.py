"""The passage vectors' FAISS layout: exact while the collection is small, IVF above EXACT_LIMIT."""

from __future__ import annotations

import numpy as np
import pytest

from index import vectors
from index.store import read_manifest
from index.vectors import FaissVectorStore, ivf_parameters, layout_for
from qa import QA


def unit_vectors(n: int, dimension: int = 32, seed: int = 0) -> np.ndarray:
    found = np.random.default_rng(seed).normal(size=(n, dimension)).astype(np.float32)
    return found / np.linalg.norm(found, axis=1, keepdims=True)


def test_layout_follows_size():
    assert layout_for(10) == layout_for(vectors.EXACT_LIMIT) == "flat"
    assert layout_for(vectors.EXACT_LIMIT + 1) == f"ivf{ivf_parameters(vectors.EXACT_LIMIT + 1)[0]}"
    assert layout_for(1_000_000) == "ivf4096"
    assert ivf_parameters(1_000_000) == (4096, 409)


def test_relaying_out_keeps_ids_and_vectors(tmp_path):
    data = unit_vectors(3000)
    ids = np.arange(3000, dtype=np.int64) * 5 + 11
    store = FaissVectorStore.empty(32)
    store.add(ids, data)

    assert store.fit_layout("ivf64") and store.layout == "ivf64"
    assert not store.fit_layout("ivf64")
    assert np.array_equal(np.sort(store.ids()), ids)
    assert np.allclose(store.get(ids[[5, 0, 2999]]), data[[5, 0, 2999]])
    # A stored vector finds itself first.
    _, found = store.search(data[:50], 1)
    assert (found[:, 0] == ids[:50]).mean() >= 0.95

    assert store.remove(ids[:10]) == 10 and len(store) == 2990
    store.add(np.array([7], dtype=np.int64), data[:1])
    store.save(tmp_path / "v.faiss")
    loaded = FaissVectorStore.load(tmp_path / "v.faiss")
    assert loaded.layout == "ivf64" and len(loaded) == 2991
    assert np.allclose(loaded.get(np.array([7])), data[:1])

    assert loaded.fit_layout("flat") and loaded.layout == "flat"
    assert np.array_equal(np.sort(loaded.ids()), np.sort(np.r_[ids[10:], 7]))


def test_an_unknown_layout_is_refused():
    with pytest.raises(ValueError, match="layout"):
        FaissVectorStore.empty(4).fit_layout("hnsw32")


def test_a_large_collection_gets_ivf_and_a_shrinking_one_flat_again(tmp_path, fake_embedder, monkeypatch):
    """EXACT_LIMIT lowered so a small folder counts as large: the sync lays the vectors out as IVF."""
    monkeypatch.setattr(vectors, "EXACT_LIMIT", 50)
    folder = tmp_path / "corpus"
    folder.mkdir()
    rng = np.random.default_rng(1)
    words = [f"w{n}" for n in range(400)]
    for n in range(40):
        paragraphs = [" ".join(rng.choice(words, 60)) + "." for _ in range(4)]
        (folder / f"a{n:02d}.txt").write_text(f"Article {n}\n\n" + "\n\n".join(paragraphs), "utf-8")
    index_dir = tmp_path / "index"
    bot = QA(folder, index_dir=index_dir, embedder=fake_embedder, progress=False)
    n_passages = len(bot.index.passages)
    assert n_passages > 64
    assert read_manifest(index_dir).vector_layout == layout_for(n_passages) != "flat"

    answer = bot.ask("w1 w2 w3 w4?")
    for c in answer.citations:
        assert bot.get_article(c.article_id).text[c.start : c.end] == c.quote
    reloaded = QA(folder, index_dir=index_dir, embedder=fake_embedder, progress=False)
    assert reloaded.index.how == "loaded" and reloaded.ask("w1 w2 w3 w4?") == answer

    for path in sorted(folder.glob("*.txt"))[5:]:
        path.unlink()
    report = QA(folder, index_dir=index_dir, embedder=fake_embedder, progress=False).sync()
    assert (report.removed, report.unchanged) == (35, 5)
    assert read_manifest(index_dir).vector_layout == "flat"


# --- the Milvus store (milvus-lite in a temporary directory) -----------------------------------------


def test_parse_store_reads_the_three_kinds_and_refuses_others(tmp_path, monkeypatch):
    from index.vectors import FAISS, StoreSpec, parse_store

    monkeypatch.chdir(tmp_path)
    assert parse_store(None) == parse_store("faiss") == FAISS
    assert parse_store("milvus:./vectors") == StoreSpec("milvus", str(tmp_path / "vectors"))
    assert str(parse_store("milvus:./vectors")) == f"milvus:{tmp_path / 'vectors'}"
    assert parse_store("http://milvus.internal:19530/") == StoreSpec("milvus", "http://milvus.internal:19530")
    assert not parse_store("http://milvus.internal:19530").is_lite
    for bad in ("milvus:", "qdrant://x", "./vectors"):
        with pytest.raises(ValueError, match="faiss|milvus"):
            parse_store(bad)


def test_milvus_store_keeps_vectors_under_their_ids_like_faiss(tmp_path):
    from index.milvus import MilvusVectorStore, connections
    from index.vectors import parse_store

    spec = parse_store(f"milvus:{tmp_path / 'milvus'}")
    data = unit_vectors(300)
    ids = np.arange(300, dtype=np.int64) * 3 + 5
    milvus = MilvusVectorStore.create(spec, "c", 32)
    milvus.add(ids, data)
    reference = FaissVectorStore.empty(32)
    reference.add(ids, data)

    assert len(milvus) == 300 and sorted(milvus.ids().tolist()) == sorted(ids.tolist())
    np.testing.assert_array_equal(milvus.get(ids[[7, 3, 7]]), data[[7, 3, 7]])
    scores, found = milvus.search(data[:4], 5)
    expected_scores, expected = reference.search(data[:4], 5)
    np.testing.assert_array_equal(found, expected)
    np.testing.assert_allclose(scores, expected_scores, atol=1e-5)
    assert milvus.remove(ids[:10]) == 10 and len(milvus) == 290
    np.testing.assert_array_equal(milvus.get(ids[:1]), np.zeros((1, 32), np.float32))  # gone: a zero row
    assert milvus.fit_layout("ivf64") and milvus.layout == "ivf64"
    assert milvus.search(data[20:21], 1)[1].tolist() == [[ids[20]]]
    milvus.close()
    assert connections.users(spec) == 0  # the milvus-lite directory is free for another process
    reopened = MilvusVectorStore.open(spec, "c", 32)
    assert len(reopened) == 290 and reopened.layout == "ivf64"
    reopened.close()


def test_a_milvus_collection_left_without_its_index_opens_with_exact_search(tmp_path):
    """A sync killed while re-laying the collection out (index dropped, new one not built yet)."""
    from index.milvus import VECTOR_FIELD, MilvusVectorStore
    from index.vectors import parse_store

    spec = parse_store(f"milvus:{tmp_path / 'milvus'}")
    data = unit_vectors(100)
    ids = np.arange(100, dtype=np.int64) + 1
    milvus = MilvusVectorStore.create(spec, "c", 32)
    milvus.add(ids, data)
    milvus.flush()
    milvus._client.release_collection("c")
    milvus._client.drop_index("c", VECTOR_FIELD)
    milvus.close()

    reopened = MilvusVectorStore.open(spec, "c", 32)
    # A server refuses to load a collection without an index (milvus-lite falls back to brute force).
    assert reopened._client.describe_index("c", VECTOR_FIELD)
    assert reopened.layout == "flat" and len(reopened) == 100
    assert reopened.search(data[5:6], 1)[1].tolist() == [[ids[5]]]
    reopened.close()


def test_search_skips_vectors_of_other_builds_in_a_shared_store_and_still_returns_k(tmp_path):
    """A sync in progress adds vectors this build does not know, nearest to the query: they are skipped."""
    from index.milvus import MilvusVectorStore
    from index.vectors import PositionalVectors, parse_store

    data = unit_vectors(20)
    own = np.arange(20, dtype=np.int64) + 1
    milvus = MilvusVectorStore.create(parse_store(f"milvus:{tmp_path / 'milvus'}"), "shared", 32)
    milvus.add(own, data)
    query = data[:1]
    milvus.add(np.arange(1000, 1100, dtype=np.int64), np.repeat(query, 100, axis=0))  # 100 foreign exact hits
    view = PositionalVectors(milvus, own)

    scores, positions = view.search(query, 5)

    assert positions.shape == (1, 5) and (positions >= 0).all()
    assert positions[0, 0] == 0 and abs(scores[0, 0] - 1.0) < 1e-5
    np.testing.assert_array_equal(view.at(positions[0]), data[positions[0]])
    milvus.close()


def test_collection_prefix_is_random_per_index_folder_and_stable(tmp_path):
    """Not a hash of the path: two machines with index folders at the same path share no collections."""
    from index.store import collection_prefix

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = collection_prefix(tmp_path / "a")
    assert collection_prefix(tmp_path / "a") == first
    assert collection_prefix(tmp_path / "b") != first
    (tmp_path / "a" / ".store-id").unlink()  # the same path elsewhere, without this folder's marker
    assert collection_prefix(tmp_path / "a") != first
