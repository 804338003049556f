"""The folder is the source of truth: syncing a growing folder, surviving crashes, damage and concurrency.

Real files in temporary folders, a real index on disk, and the fake embedder (tests/conftest.py):
none of these promises depends on the model. Every test runs twice, with the passage vectors in
FAISS and in Milvus (milvus-lite in a temporary directory: the ``store`` fixture); the few that
cannot apply to milvus-lite say why in their parameters.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qa.api
from index import store as index_store
from index.build import CorpusIndex, SyncReport, load_index, open_index
from index.checksum import file_sha256
from index.passages import split_corpus
from index.vectors import FaissVectorStore
from qa.api import QA
from qa.cli import main
from tests.conftest import LYON, NANTES, REPO, FakeEmbedder
from tests.sync_child import STABLE_ANSWER, STABLE_QUESTION
from tests.test_passages import _articles

LYON_V2 = LYON.replace("10 million euros", "25 million euros").replace("40 engineers", "60 engineers")
BREST = (
    "Brest harbour gets a new crane\n\n"
    "The port of Brest installed a 90-metre crane on Monday. "
    "The crane cost 14 million euros and lifts 400 tonnes.\n"
)
BREST_ANSWER = "The crane cost 14 million euros and lifts 400 tonnes."
TOULON = "Toulon opens a museum\n\nThe navy museum of Toulon reopened on Sunday after two years of work.\n"


STORES = ["faiss", "milvus"]
_STORE = ["faiss"]  # the store of the running test (set by the store fixture), for _bot and the children


@pytest.fixture(autouse=True, params=STORES)
def store(request, tmp_path) -> str:
    """Where passage vectors live in this test: "faiss", or "milvus:<a milvus-lite directory>"."""
    _STORE[0] = "faiss" if request.param == "faiss" else f"milvus:{tmp_path / 'milvus'}"
    yield _STORE[0]
    _STORE[0] = "faiss"


def faiss_only(reason: str) -> list[str]:
    """The ``store`` parameter of a test that cannot apply to milvus-lite (``reason`` says why)."""
    return ["faiss"]


def _store_options() -> list[str]:
    return ["--store", _STORE[0]]


def _milvus_rows(index: CorpusIndex) -> int:
    """How many vectors the passages' store holds (a shared Milvus collection may hold other builds' too)."""
    return len(index.passage_vectors.store)


def _bot(folder: Path, index_dir: Path, embedder: FakeEmbedder | None = None) -> QA:
    return QA(folder, index_dir=index_dir, embedder=embedder or FakeEmbedder(), progress=False, store=_STORE[0])


def _texts_of(index: CorpusIndex, article_id: str) -> int:
    """How many texts (passages + sentences) an article has in the index: what embedding it costs."""
    return sum(p.article_id == article_id for p in index.passages) + sum(
        s.article_id == article_id for s in index.sentences
    )


def _ids_of(index_dir: Path, article_id: str) -> tuple[list[int], list[int]]:
    """The stable vector-store ids of an article's passages and sentences in the current build."""
    stored = index_store.load(index_dir)
    passages = zip(stored.passages, stored.passage_vectors.ids, strict=True)
    sentences = zip(stored.sentences, stored.sentence_ids, strict=True)
    return [int(i) for p, i in passages if p.article_id == article_id], [
        int(i) for s, i in sentences if s.article_id == article_id
    ]


def _article_vectors(index: CorpusIndex, article_id: str) -> tuple[np.ndarray, np.ndarray]:
    passages = [n for n, p in enumerate(index.passages) if p.article_id == article_id]
    sentences = [n for n, s in enumerate(index.sentences) if s.article_id == article_id]
    return np.vstack([index.passage_vectors.reconstruct(n) for n in passages]), index.sentence_vectors[sentences]


def _check_offsets(index: CorpusIndex) -> None:
    """Every passage and sentence quotes its article exactly, and the vectors match the tables."""
    for unit in (*index.passages, *index.sentences):
        assert index.articles[unit.article_id].text[unit.start : unit.end] == unit.text
    for p in index.passages:
        assert index.sentences[p.first_sentence].start == p.start
        assert index.sentences[p.last_sentence - 1].end == p.end
        assert {s.article_id for s in index.sentences[p.first_sentence : p.last_sentence]} == {p.article_id}
    assert index.passage_vectors.ntotal == len(index.passages)
    assert index.sentence_vectors.shape == (len(index.sentences), index.manifest.dimension)


def _assert_same_index(a: CorpusIndex, b: CorpusIndex) -> None:
    """Same articles, passages, sentences and vectors, position by position."""
    assert a.articles == b.articles
    assert a.passages == b.passages
    assert a.sentences == b.sentences
    np.testing.assert_array_equal(
        a.passage_vectors.reconstruct_n(0, a.passage_vectors.ntotal),
        b.passage_vectors.reconstruct_n(0, b.passage_vectors.ntotal),
    )
    np.testing.assert_array_equal(a.sentence_vectors, b.sentence_vectors)


def _full_build(folder: Path, tmp_path: Path) -> CorpusIndex:
    return open_index(folder, FakeEmbedder(), tmp_path / f"fresh-{time.monotonic_ns()}", progress=False)


def _check_answer(bot: QA, question: str, expected: str, article_id: str) -> None:
    answer = bot.ask(question)
    assert answer.no_answer is False
    assert answer.text == expected
    assert answer.citations[0].article_id == article_id
    for c in answer.citations:
        assert bot.get_article(c.article_id).text[c.start : c.end] == c.quote


# --- add, change, delete, re-sync -------------------------------------------------------------------


def test_first_sync_adds_every_article(folder, index_dir):
    fake = FakeEmbedder()
    bot = _bot(folder, index_dir, fake)

    report = bot.sync()

    assert report == SyncReport(added=2, updated=0, removed=0, unchanged=0, rebuilt=True)
    assert bot.index.how == "built"
    assert fake.encoded == 11


def test_sync_adds_changes_and_removes_with_exact_counts_and_embeds_only_what_changed(folder, index_dir, tmp_path):
    bot = _bot(folder, index_dir)
    (folder / "toulon.md").write_text(TOULON, "utf-8")
    bot.sync()
    (folder / "brest.txt").write_text(BREST, "utf-8")
    (folder / "lyon.txt").write_text(LYON_V2, "utf-8")
    (folder / "toulon.md").unlink()
    fake = FakeEmbedder()
    bot = _bot(folder, index_dir, fake)

    report = bot.sync()

    assert report == SyncReport(added=1, updated=1, removed=1, unchanged=1)
    index = bot.index
    assert index.how == "updated"
    assert sorted(index.articles) == ["brest", "lyon", "nantes"]
    assert fake.encoded == _texts_of(index, "brest") + _texts_of(index, "lyon")  # not nantes, unchanged
    _check_offsets(index)
    _assert_same_index(index, _full_build(folder, tmp_path))


def test_resync_of_an_unchanged_folder_embeds_nothing(folder, index_dir):
    _bot(folder, index_dir).sync()
    (folder / "brest.txt").write_text(BREST, "utf-8")
    _bot(folder, index_dir).sync()
    fake = FakeEmbedder()
    bot = _bot(folder, index_dir, fake)

    report = bot.sync()

    assert report == SyncReport(added=0, updated=0, removed=0, unchanged=3)
    assert bot.index.how == "loaded"
    assert fake.encoded == 0
    assert len(list(index_dir.glob("build-*"))) == 2  # nothing new published


def test_unchanged_articles_keep_their_ids_and_vectors_and_ids_are_never_reused(folder, index_dir):
    bot = _bot(folder, index_dir)
    bot.sync()
    first = bot.index
    nantes_before, lyon_before = _ids_of(index_dir, "nantes"), _ids_of(index_dir, "lyon")
    (folder / "lyon.txt").write_text(LYON_V2, "utf-8")
    (folder / "brest.txt").write_text(BREST, "utf-8")

    bot.sync()

    second = bot.index
    assert _ids_of(index_dir, "nantes") == nantes_before
    lyon_after, brest = _ids_of(index_dir, "lyon"), _ids_of(index_dir, "brest")
    for kind in (0, 1):  # passages, sentences: fresh ids above every earlier one, never an old one again
        assert min(lyon_after[kind] + brest[kind]) > max(nantes_before[kind] + lyon_before[kind])
    for before, after in zip(_article_vectors(first, "nantes"), _article_vectors(second, "nantes"), strict=True):
        np.testing.assert_array_equal(before, after)
    assert second.articles["nantes"] == first.articles["nantes"]
    (folder / "brest.txt").unlink()  # the article holding the highest ids goes...
    (folder / "toulon.md").write_text(TOULON, "utf-8")
    bot.sync()
    toulon = _ids_of(index_dir, "toulon")
    assert min(toulon[0]) > max(brest[0]) and min(toulon[1]) > max(brest[1])  # ...and its ids stay unused


def test_qa_on_first_use_brings_the_index_in_step_with_the_folder(folder, index_dir):
    _bot(folder, index_dir).sync()
    (folder / "brest.txt").write_text(BREST, "utf-8")
    (folder / "lyon.txt").unlink()
    fake = FakeEmbedder()
    bot = _bot(folder, index_dir, fake)

    _check_answer(
        bot, "How much did the Brest crane cost?", "The crane cost 14 million euros and lifts 400 tonnes.", "brest"
    )

    assert bot.index.report == SyncReport(added=1, updated=0, removed=1, unchanged=1)
    assert "lyon" not in bot.index.articles
    assert fake.encoded == _texts_of(bot.index, "brest") + 1  # the new article, and the question


def test_a_running_qa_picks_up_a_sync_made_elsewhere(folder, index_dir, monkeypatch):
    """The chat page's QA sees `qa index DIR` run by another process, without a restart."""
    clock = [1000.0]
    monkeypatch.setattr(qa.api.time, "monotonic", lambda: clock[0])
    running = _bot(folder, index_dir)
    running.ask("How much will Acme invest in its Lyon lab?")
    (folder / "brest.txt").write_text(BREST, "utf-8")
    assert _bot(folder, index_dir).sync().added == 1  # another QA (as another process would) syncs

    # Within a second of its last look the running QA does not look again ...
    clock[0] += 0.5
    assert "brest" not in running.ask("How much did the Brest crane cost?").citations[0].article_id
    # ... after it, the next question is answered from the new build.
    clock[0] += 1.0
    _check_answer(running, "How much did the Brest crane cost?", BREST_ANSWER, "brest")


def test_a_running_qa_keeps_its_index_when_the_newer_build_is_damaged(folder, index_dir, monkeypatch, caplog):
    running = _bot(folder, index_dir)
    running.ask("How much will Acme invest in its Lyon lab?")
    (folder / "brest.txt").write_text(BREST, "utf-8")
    _bot(folder, index_dir).sync()
    newest = index_store.current_build(index_dir)
    passage_file = index_store.load(index_dir).manifest.files[1]  # passages.faiss, or passages.milvus.json
    (newest / passage_file).write_bytes(b"not faiss")
    monkeypatch.setattr(qa.api.time, "monotonic", lambda: time.perf_counter() + 1e6)

    with caplog.at_level(logging.WARNING):
        _check_answer(
            running,
            "How much will Acme invest in its Lyon lab?",
            "Acme will invest 10 million euros in its Lyon lab over five years.",
            "lyon",
        )
    assert "kept the index in use" in caplog.text and passage_file in caplog.text


def test_answers_and_citations_stay_exact_across_syncs(folder, index_dir):
    bot = _bot(folder, index_dir)
    _check_answer(
        bot,
        "How much will Acme invest in its Lyon lab?",
        "Acme will invest 10 million euros in its Lyon lab over five years.",
        "lyon",
    )
    (folder / "lyon.txt").write_text(LYON_V2, "utf-8")
    (folder / "brest.txt").write_text(BREST, "utf-8")
    bot.sync()

    _check_answer(
        bot,
        "How much will Acme invest in its Lyon lab?",
        "Acme will invest 25 million euros in its Lyon lab over five years.",
        "lyon",
    )
    _check_answer(
        bot, "How much did the Brest crane cost?", "The crane cost 14 million euros and lifts 400 tonnes.", "brest"
    )
    _check_answer(
        bot,
        "How many croissants does the Zed bakery in Nantes bake a day?",
        "The bakery bakes 500 croissants a day and has 12 staff.",
        "nantes",
    )
    (folder / "brest.txt").unlink()
    bot.sync()
    answer = bot.ask("How much did the Brest crane cost?")
    assert all(c.article_id != "brest" for c in answer.citations)


def test_skipped_files_are_in_the_report_and_change_nothing(folder, index_dir):
    _bot(folder, index_dir).sync()
    (folder / "photo.txt").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    fake = FakeEmbedder()

    report = _bot(folder, index_dir, fake).sync()

    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, 2)
    assert [s.path for s in report.skipped] == ["photo.txt"]
    assert fake.encoded == 0


def test_rebuild_embeds_everything_and_reports_against_the_previous_build(folder, index_dir):
    _bot(folder, index_dir).sync()
    (folder / "brest.txt").write_text(BREST, "utf-8")
    fake = FakeEmbedder()
    bot = _bot(folder, index_dir, fake)

    report = bot.sync(rebuild=True)

    assert report == SyncReport(added=1, updated=0, removed=0, unchanged=2, rebuilt=True)
    assert bot.index.how == "built"
    assert fake.encoded == sum(_texts_of(bot.index, a) for a in bot.index.articles)


def test_cli_index_prints_the_report(folder, index_dir, capsys, monkeypatch):
    monkeypatch.setattr(qa.api, "_shared_embedder", lambda: FakeEmbedder())
    assert main(["index", str(folder), "--index-dir", str(index_dir), *_store_options()]) == 0
    capsys.readouterr()
    (folder / "brest.txt").write_text(BREST, "utf-8")
    (folder / "nantes.txt").unlink()

    assert main(["index", str(folder), "--index-dir", str(index_dir), *_store_options()]) == 0

    assert capsys.readouterr().out == (
        "Updated the index: 2 articles, 3 passages, 8 sentences (fake-bag-of-words)\n"
        "articles: 1 added, 0 updated, 1 removed, 1 unchanged\n"
    )


# --- crashes ----------------------------------------------------------------------------------------

POINTS = ["locked", "copied", "embedded", "written", "renamed", "published"]


def _start_child(*args: str | Path, pause_at: str | None = None, pause_seconds: float = 120) -> subprocess.Popen:
    gc.collect()  # QAs this process no longer uses let go of a milvus-lite directory, which the child opens
    env = {**os.environ, "PYTHONPATH": str(REPO), "QA_TEST_STORE": _STORE[0]}
    env.pop(index_store.PAUSE_ENV, None)
    if pause_at:
        env |= {index_store.PAUSE_ENV: pause_at, "QA_INDEX_PAUSE_SECONDS": str(pause_seconds)}
    command = [sys.executable, "-m", "tests.sync_child", *map(str, args)]
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for_pause(child: subprocess.Popen, point: str) -> None:
    seen = []
    for raw in child.stderr:
        line = raw.decode(errors="replace").strip()
        seen.append(line)
        if line == f"paused at {point}":
            return
    child.wait()
    pytest.fail(f"the child exited ({child.returncode}) without pausing at {point}:\n" + "\n".join(seen))


def _kill(child: subprocess.Popen) -> None:
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL


@pytest.mark.parametrize("point", POINTS)
def test_sync_killed_at_any_point_leaves_a_usable_index_and_the_next_sync_completes(folder, index_dir, tmp_path, point):
    _bot(folder, index_dir).sync()
    (folder / "brest.txt").write_text(BREST, "utf-8")
    (folder / "nantes.txt").unlink()
    child = _start_child("sync", folder, index_dir, pause_at=point)
    _wait_for_pause(child, point)
    _kill(child)

    survivor = load_index(index_dir)  # what a reader gets now: the old index, or the new one once published
    _check_offsets(survivor)
    assert sorted(survivor.articles) == (["brest", "lyon"] if point == "published" else ["lyon", "nantes"])
    if survivor.store.kind == "milvus" and point in ("written", "renamed", "published"):
        # The killed sync had inserted brest's vectors; if it published, it had not deleted nantes's yet.
        assert _milvus_rows(survivor) > len(survivor.passages)

    fake = FakeEmbedder()
    bot = _bot(folder, index_dir, fake)
    report = bot.sync()

    if point == "published":  # the killed sync had finished its work; only old builds were left to remove
        assert report == SyncReport(added=0, updated=0, removed=0, unchanged=2)
        assert fake.encoded == 0
    else:
        assert report == SyncReport(added=1, updated=0, removed=1, unchanged=1)
        assert fake.encoded == _texts_of(bot.index, "brest")
    assert not list(index_dir.glob(".tmp-*"))
    assert len(list(index_dir.glob("build-*"))) <= 2  # the current build and the one before it
    _assert_same_index(bot.index, _full_build(folder, tmp_path))
    _check_answer(
        bot, "How much did the Brest crane cost?", "The crane cost 14 million euros and lifts 400 tonnes.", "brest"
    )
    # Milvus: the vectors the killed sync added, or should have deleted, are gone (reconciled).
    assert _milvus_rows(bot.index) == len(bot.index.passages)


def test_a_sync_that_read_the_folder_before_another_published_never_publishes_its_older_view(folder, index_dir):
    _bot(folder, index_dir).sync()
    (folder / "brest.txt").write_text(BREST, "utf-8")
    child = _start_child("sync", folder, index_dir, pause_at="read", pause_seconds=8)
    _wait_for_pause(child, "read")  # it has read lyon, nantes and brest, and not yet taken the lock
    (folder / "nantes.txt").unlink()
    assert sorted(_bot(folder, index_dir).index.articles) == ["brest", "lyon"]  # published while it waits

    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err.decode()

    assert sorted(load_index(index_dir).articles) == ["brest", "lyon"]  # not the child's older view


def test_a_build_left_by_a_sync_killed_after_publishing_is_removed_by_the_next_load(folder, index_dir):
    _bot(folder, index_dir).sync()
    (folder / "brest.txt").write_text(BREST, "utf-8")
    _bot(folder, index_dir).sync()
    (folder / "nantes.txt").unlink()
    child = _start_child("sync", folder, index_dir, pause_at="published")
    _wait_for_pause(child, "published")
    _kill(child)
    assert len(list(index_dir.glob("build-*"))) == 3  # the killed sync did not remove the oldest

    bot = _bot(folder, index_dir)
    assert bot.index.how == "loaded"  # nothing to sync ...
    builds = {b.name for b in index_dir.glob("build-*")}
    assert len(builds) == 2 and (index_dir / "CURRENT").read_text("utf-8") in builds  # ... but tidied up
    assert sorted(bot.index.articles) == ["brest", "lyon"]


def test_an_unpublished_build_is_removed_and_the_one_before_the_current_kept(folder, index_dir):
    _bot(folder, index_dir).sync()
    first = (index_dir / "CURRENT").read_text("utf-8")
    (folder / "brest.txt").write_text(BREST, "utf-8")
    _bot(folder, index_dir).sync()
    current = (index_dir / "CURRENT").read_text("utf-8")
    unpublished = index_dir / "build-00000000dead"  # as a sync killed at "renamed" leaves it: written after
    shutil.copytree(index_dir / current, unpublished)
    later = (index_dir / current).stat().st_mtime_ns + 1_000_000_000
    os.utime(unpublished, ns=(later, later))

    index_store.remove_old_builds(index_dir)

    assert {b.name for b in index_dir.glob("build-*")} == {current, first}


def test_folders_beside_the_index_that_are_not_its_builds_are_never_removed(folder, tmp_path):
    index_dir = tmp_path / "projects"  # an index kept in a folder of the person's own
    own = {
        "build-scripts/deploy.sh": "make deploy\n",
        "build-2024/notes.txt": "Budget notes.\n",
        "build-0123456789ab/draft.txt": "Named like a build, but holds a file no build has.\n",
        ".tmp-build-0123456789ab/manifest.json/keep.txt": "A folder where a build has a file.\n",
    }
    for name, text in own.items():
        (index_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (index_dir / name).write_text(text, "utf-8")
    _bot(folder, index_dir).sync()
    (folder / "brest.txt").write_text(BREST, "utf-8")
    for _ in range(3):  # each sync publishes a build and removes those before the previous one
        _bot(folder, index_dir).sync(rebuild=True)

    for name, text in own.items():
        assert (index_dir / name).read_text("utf-8") == text
    ours = [b for b in index_dir.glob("build-*") if (b / "manifest.json").is_file()]
    assert len(ours) == 2 and (index_dir / "CURRENT").read_text("utf-8") in {b.name for b in ours}


def test_an_index_that_cannot_be_tidied_by_this_user_still_loads(folder, index_dir, monkeypatch):
    _bot(folder, index_dir).sync()
    current = (index_dir / "CURRENT").read_text("utf-8")
    for name in ("build-000000000001", "build-000000000002"):
        shutil.copytree(index_dir / current, index_dir / name)

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(index_dir / ".lock"))

    monkeypatch.setattr(index_store, "build_lock", read_only)

    bot = _bot(folder, index_dir)
    assert bot.index.how == "loaded"
    _check_answer(bot, STABLE_QUESTION, STABLE_ANSWER, "nantes")


def test_first_build_killed_leaves_no_index_and_the_next_sync_builds_it(folder, index_dir):
    child = _start_child("sync", folder, index_dir, pause_at="embedded")
    _wait_for_pause(child, "embedded")
    _kill(child)

    with pytest.raises(index_store.IndexCorruptError, match="no index in"):
        load_index(index_dir)
    report = _bot(folder, index_dir).sync()

    assert report == SyncReport(added=2, updated=0, removed=0, unchanged=0, rebuilt=True)
    assert not list(index_dir.glob(".tmp-*"))
    assert len(list(index_dir.glob("build-*"))) == 1
    index = load_index(index_dir)
    assert _milvus_rows(index) == len(index.passages)
    if index.store.kind == "milvus":  # the killed build's own collection was dropped
        assert [
            c
            for c in index.passage_vectors.store.collections()
            if c.startswith(index_store.collection_prefix(index_dir))
        ] == [index.manifest.vector_collection]


# --- damage -----------------------------------------------------------------------------------------


def _build_dir(index_dir: Path) -> Path:
    return index_store.current_build(index_dir)


def _reseal(build: Path, name: str) -> None:
    """Make the manifest's checksum agree with a file changed on purpose: only the consistency checks can tell."""
    manifest = json.loads((build / "manifest.json").read_text("utf-8"))
    manifest["sha256"][name] = file_sha256(build / name)
    (build / "manifest.json").write_text(json.dumps(manifest), "utf-8")


def _drop_one_vector(path: Path) -> None:
    vectors = FaissVectorStore.load(path)
    vectors.remove(vectors.ids()[:1])
    vectors.save(path)


def _drop_one_sentence_row(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM sentences WHERE id = (SELECT max(id) FROM sentences)")
    db.close()


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flip_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for i in range(len(data) // 2, len(data) // 2 + 8):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _drop_one_milvus_vector(pointer: Path) -> None:
    passage_store = index_store.load_build(pointer.parent).passage_vectors.store
    passage_store.remove(passage_store.ids()[:1])
    passage_store.flush()


DAMAGE = {
    "truncated passages.faiss": ("passages.faiss", _truncate, False, "checksum"),
    "flipped sentences.faiss": ("sentences.faiss", _flip_bytes, False, "checksum"),
    "truncated index.sqlite": ("index.sqlite", _truncate, False, "checksum"),
    "flipped index.sqlite": ("index.sqlite", _flip_bytes, False, "checksum"),
    "passages.faiss one vector short of the passage table": ("passages.faiss", _drop_one_vector, True, "inconsistent"),
    "index.sqlite one sentence row short of the vectors": (
        "index.sqlite",
        _drop_one_sentence_row,
        True,
        "inconsistent",
    ),
    "truncated passages.faiss, checksum resealed": ("passages.faiss", _truncate, True, "unreadable"),
    "truncated passages.milvus.json": ("passages.milvus.json", _truncate, False, "checksum"),
    "passages.milvus.json, resealed, naming no collection": (
        "passages.milvus.json",
        lambda path: path.write_text("{}", "utf-8"),
        True,
        "disagrees",
    ),
    "one vector deleted from the Milvus collection": (
        "passages.milvus.json",
        _drop_one_milvus_vector,
        False,
        "inconsistent",
    ),
}


def _damage_params() -> list:
    """Every damage with each store it can happen to (passages.faiss is not there when vectors are in Milvus)."""
    params = []
    for name, (file, *_) in DAMAGE.items():
        for kind in STORES:
            if file != {"faiss": "passages.milvus.json", "milvus": "passages.faiss"}[kind]:
                params.append(pytest.param(name, kind, id=f"{name}-{kind}"))
    return params


@pytest.mark.parametrize("damage, store", _damage_params(), indirect=["store"])
def test_damage_is_detected_with_a_warning_naming_the_file_and_the_index_rebuilt(folder, index_dir, caplog, damage):
    _bot(folder, index_dir).sync()
    name, spoil, reseal, word = DAMAGE[damage]
    build = _build_dir(index_dir)
    spoil(build / name)
    if reseal:
        _reseal(build, name)
    fake = FakeEmbedder()
    bot = _bot(folder, index_dir, fake)

    with caplog.at_level(logging.WARNING, logger="index"):
        _check_answer(
            bot,
            "How much will Acme invest in its Lyon lab?",
            "Acme will invest 10 million euros in its Lyon lab over five years.",
            "lyon",
        )

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and r.name.startswith("index")]
    assert len(warnings) == 1, warnings
    assert str(build / name) in warnings[0] and word in warnings[0] and "rebuilding" in warnings[0]
    assert bot.index.how == "built"
    assert bot.index.report.rebuilt
    assert fake.encoded == 11 + 1  # every article afresh, and the question
    _check_offsets(bot.index)
    assert index_store.load(index_dir).manifest.n_passages == 3


def test_damaged_index_met_by_an_incremental_sync_is_rebuilt_whole(folder, index_dir, caplog):
    _bot(folder, index_dir).sync()
    _flip_bytes(_build_dir(index_dir) / "sentences.faiss")
    (folder / "brest.txt").write_text(BREST, "utf-8")

    with caplog.at_level(logging.WARNING, logger="index"):
        report = _bot(folder, index_dir).sync()

    assert report == SyncReport(added=3, updated=0, removed=0, unchanged=0, rebuilt=True)
    assert any("sentences.faiss" in r.getMessage() for r in caplog.records)
    _check_offsets(load_index(index_dir))


def test_index_folder_holds_no_pickle_or_numpy_file(folder, index_dir):
    bot = _bot(folder, index_dir)
    bot.sync()
    (folder / "brest.txt").write_text(BREST, "utf-8")
    bot.sync()

    names = {p.name for p in index_dir.rglob("*") if p.is_file()}
    passages = "passages.faiss" if _STORE[0] == "faiss" else "passages.milvus.json"
    # With Milvus, .store-id holds the random tag of this folder's collection names.
    extra = {".store-id"} if _STORE[0] != "faiss" else set()
    assert names == {"CURRENT", ".lock", "manifest.json", "index.sqlite", passages, "sentences.faiss"} | extra


# --- concurrency ------------------------------------------------------------------------------------


@pytest.mark.parametrize("store", faiss_only("one process at a time may open its directory"), indirect=True)
def test_readers_in_other_processes_answer_exactly_while_syncs_run(folder, index_dir):
    """Two reader processes reload the index and ask, in a loop, while this process syncs again and again."""
    _bot(folder, index_dir).sync()
    readers = [_start_child("read", folder, index_dir, 8) for _ in range(2)]
    bot = _bot(folder, index_dir)
    syncs = 0
    while any(r.poll() is None for r in readers):
        (folder / "lyon.txt").write_text(LYON_V2 if syncs % 2 == 0 else LYON, "utf-8")
        if syncs % 3 == 0:
            (folder / "brest.txt").write_text(BREST, "utf-8")
        elif syncs % 3 == 1:
            (folder / "brest.txt").unlink()
        bot.sync()
        syncs += 1
        time.sleep(0.05)

    for reader in readers:
        out, err = reader.communicate()
        assert reader.returncode == 0, err.decode()
        result = json.loads(out)
        assert result["answers"] > 0
        assert result["versions"] >= 2  # it did load builds that the syncs published while it ran
    assert syncs >= 5
    _check_offsets(load_index(index_dir))


@pytest.mark.parametrize("store", ["milvus"], indirect=True)
def test_a_second_process_is_told_milvus_lite_is_in_use_and_what_to_do(folder, index_dir):
    """milvus-lite locks its directory to one process: `qa index` next to a running QA says so, without a traceback."""
    running = _bot(folder, index_dir)
    running.ask("How much will Acme invest in its Lyon lab?")  # holds the milvus-lite directory
    (folder / "brest.txt").write_text(BREST, "utf-8")
    command = [sys.executable, "-m", "qa", "index", str(folder), "--index-dir", str(index_dir), *_store_options()]

    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)

    assert done.returncode == 1
    assert "is open in another process" in done.stderr and "--store http://HOST:19530" in done.stderr
    assert "Traceback" not in done.stderr
    running.close()  # lets go of the directory: now the other process can sync
    child = _start_child("sync", folder, index_dir)
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err.decode()
    assert json.loads(out)["added"] == 1


def test_two_syncs_at_once_are_serialised(folder, index_dir, tmp_path):
    _bot(folder, index_dir).sync()
    (folder / "brest.txt").write_text(BREST, "utf-8")
    (folder / "lyon.txt").write_text(LYON_V2, "utf-8")
    first = _start_child("sync", folder, index_dir, pause_at="embedded", pause_seconds=3)
    _wait_for_pause(first, "embedded")  # it holds the lock now, for about 3 seconds more
    paused = time.time()
    second = _start_child("sync", folder, index_dir)

    outputs = []
    for child in (first, second):
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err.decode()
        outputs.append(json.loads(out))

    done_first, done_second = outputs
    assert (done_first["added"], done_first["updated"], done_first["removed"]) == (1, 1, 0)
    # The second waited for the lock, then found the work done.
    assert (done_second["added"], done_second["updated"], done_second["unchanged"]) == (0, 0, 3)
    # It finished only after the first let go of the lock. (Not "after the first finished": the first notes
    # its time after letting go, and under load the second can finish in between.)
    assert done_second["finished"] >= paused + 2
    assert len(list(index_dir.glob("build-*"))) == 2
    _assert_same_index(load_index(index_dir), _full_build(folder, tmp_path))


# --- offsets, whatever the text and however the folder grows ----------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(_articles(), min_size=1, max_size=6), data=st.data())
def test_offsets_are_exact_after_any_sequence_of_syncs(texts, data):
    """Random texts, synced in random batches (some changed, some removed): every offset quotes its article."""
    first = data.draw(st.sets(st.integers(0, len(texts) - 1)), label="in the first sync")
    removed = data.draw(st.sets(st.sampled_from(sorted(first))) if first else st.just(set()), label="removed later")
    with tempfile.TemporaryDirectory() as tmp:
        folder, index_dir = Path(tmp) / "corpus", Path(tmp) / "index"
        folder.mkdir()
        (folder / "anchor.txt").write_text(NANTES, "utf-8")  # a folder needs one readable article
        bot = _bot(folder, index_dir)
        for n in first:
            (folder / f"a{n}.md").write_bytes(texts[n].text.encode())
        bot.sync()
        for n in range(len(texts)):
            if n in removed:
                (folder / f"a{n}.md").unlink()
            else:
                (folder / f"a{n}.md").write_bytes((texts[n].text + ("\nMore news." if n in first else "")).encode())
        bot.sync()

        index = bot.index
        _check_offsets(index)
        for article_id, article in index.articles.items():
            suffix = "txt" if article_id == "anchor" else "md"
            assert article.text == (folder / f"{article_id}.{suffix}").read_bytes().decode("utf-8")
        sentences, passages = split_corpus(index.articles.values())
        assert tuple(sentences) == index.sentences
        assert tuple(passages) == index.passages
        if index.sentences:
            quote = data.draw(st.sampled_from(index.sentences), label="asked about")
            answer = bot.ask(quote.text[:200] or "what?")
            for c in answer.citations:
                assert bot.get_article(c.article_id).text[c.start : c.end] == c.quote


# --- one new article in a thousand ------------------------------------------------------------------


class TimedFakeEmbedder(FakeEmbedder):
    """The fake embedder, costing a fixed 1 ms per text (a sleep), like a model does.

    The real MiniLM costs about 20 ms per passage on these 2 cores, so this
    understates the saving; it keeps the test fast while making the build time
    scale with the number of texts embedded, which is what is measured.
    """

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        time.sleep(0.001 * len(texts))
        return super().encode(texts, progress=progress)


@pytest.mark.parametrize("store", faiss_only("a wall-clock ratio: milvus-lite's fixed costs dominate"), indirect=True)
def test_adding_one_article_to_a_thousand_embeds_only_it_in_a_fraction_of_the_time(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for n in range(1000):
        (folder / f"{n:04d}.txt").write_text(
            f"Town {n} opens a library\n\n"
            f"The town of Ville{n} opened a library on Monday. It holds {n * 7} books and {n % 13} computers. "
            f"The mayor said it cost {n % 90 + 1} million euros. Volunteers from {n % 40} schools helped.\n",
            "utf-8",
        )
    full_embedder = TimedFakeEmbedder()
    started = time.perf_counter()
    first = _bot(folder, tmp_path / "index", full_embedder).sync()
    full_seconds = time.perf_counter() - started
    (folder / "new.txt").write_text(BREST, "utf-8")
    fake = TimedFakeEmbedder()
    bot = _bot(folder, tmp_path / "index", fake)

    started = time.perf_counter()
    report = bot.sync()
    incremental_seconds = time.perf_counter() - started

    assert first == SyncReport(added=1000, updated=0, removed=0, unchanged=0, rebuilt=True)
    assert report == SyncReport(added=1, updated=0, removed=0, unchanged=1000)
    assert fake.encoded == _texts_of(bot.index, "new")
    assert full_embedder.encoded > 5000
    ratio = incremental_seconds / full_seconds
    print(f"full {full_seconds:.2f} s, incremental {incremental_seconds:.2f} s, ratio {ratio:.3f}")
    assert ratio < 0.2


def test_index_of_the_previous_format_is_rebuilt_without_a_warning(folder, index_dir, caplog):
    old = index_dir / "build-0123456789ab"
    old.mkdir(parents=True)
    manifest = {  # what format 1 wrote, next to articles.json, passages.json, passages.faiss and sentences.npy
        "format_version": 1,
        "model_name": "fake-bag-of-words",
        "model_fingerprint": "fake-v1",
        "dimension": 64,
        "corpus_folder": str(folder),
        "corpus_fingerprint": "0" * 64,
        "segmentation_version": "1",
        "n_articles": 2,
        "n_passages": 3,
        "n_sentences": 8,
    }
    (old / "manifest.json").write_text(json.dumps({"manifest": manifest, "sha256": {}}), "utf-8")
    (old / "sentences.npy").write_bytes(b"\x93NUMPY")
    (index_dir / "CURRENT").write_text(old.name, "utf-8")

    with caplog.at_level(logging.WARNING, logger="index"):
        report = _bot(folder, index_dir).sync()

    assert report == SyncReport(added=2, updated=0, removed=0, unchanged=0, rebuilt=True)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    _bot(folder, index_dir).sync(rebuild=True)  # the old build goes once it is no longer the previous one
    assert not old.exists()


def test_corpus_moved_to_another_folder_keeps_its_vectors(folder, index_dir, tmp_path):
    _bot(folder, index_dir).sync()
    moved = folder.rename(tmp_path / "moved")
    fake = FakeEmbedder()
    bot = _bot(moved, index_dir, fake)

    report = bot.sync()

    assert report == SyncReport(added=0, updated=0, removed=0, unchanged=2)
    assert fake.encoded == 0
    assert _bot(moved, index_dir).index.how == "loaded"
