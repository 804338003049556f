"""Building, reloading, rebuilding and recovering a saved index (with the fake embedder)."""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path

import numpy as np
import pytest

from index import store
from index.build import SyncReport, open_index
from index.vectors import FaissVectorStore
from qa.api import QA
from tests.conftest import LYON, FakeEmbedder


def _build_dir(index_dir: Path) -> Path:
    return index_dir / (index_dir / "CURRENT").read_text("utf-8").strip()


def _vectors(index) -> np.ndarray:
    return index.passage_vectors.reconstruct_n(0, index.passage_vectors.ntotal)


# --- build, reload, rebuild ---------------------------------------------------------------------


def test_first_open_builds_and_encodes_every_passage_and_sentence(folder, index_dir):
    fake = FakeEmbedder()

    index = open_index(folder, fake, index_dir, progress=False)

    assert index.how == "built"
    assert sorted(index.articles) == ["lyon", "nantes"]
    assert (len(index.passages), len(index.sentences)) == (3, 8)
    assert fake.encoded == len(index.passages) + len(index.sentences) == 11
    assert index.manifest.n_articles == 2
    assert index.manifest.corpus_folder == str(folder.resolve())


def test_reload_does_not_rebuild(folder, index_dir):
    built = open_index(folder, FakeEmbedder(), index_dir, progress=False)
    fresh = FakeEmbedder()

    loaded = open_index(folder, fresh, index_dir, progress=False)

    assert loaded.how == "loaded"
    assert fresh.encoded == 0
    assert loaded.passages == built.passages
    assert loaded.sentences == built.sentences
    assert loaded.articles == built.articles
    assert loaded.manifest == built.manifest
    np.testing.assert_array_equal(_vectors(loaded), _vectors(built))
    np.testing.assert_array_equal(loaded.sentence_vectors, built.sentence_vectors)


def test_rebuild_flag_builds_even_when_current(folder, index_dir):
    open_index(folder, FakeEmbedder(), index_dir, progress=False)
    fake = FakeEmbedder()

    index = open_index(folder, fake, index_dir, progress=False, rebuild=True)

    assert index.how == "built"
    assert fake.encoded == 11


def test_changed_article_text_rebuilds_with_the_new_text(folder, index_dir):
    open_index(folder, FakeEmbedder(), index_dir, progress=False)
    new_text = LYON.replace("10 million euros", "25 million euros").replace("Lyon lab", "Grenoble lab")
    (folder / "lyon.txt").write_text(new_text, "utf-8")
    fake = FakeEmbedder()

    index = open_index(folder, fake, index_dir, progress=False)

    assert index.how == "updated"
    assert index.report == SyncReport(added=0, updated=1, removed=0, unchanged=1)
    lyon = [p for p in index.passages if p.article_id == "lyon"], [s for s in index.sentences if s.article_id == "lyon"]
    assert fake.encoded == len(lyon[0]) + len(lyon[1]) == 7  # only the changed article
    assert index.articles["lyon"].text == new_text
    assert any("25 million euros in its Grenoble lab" in p.text for p in index.passages)
    assert not any("10 million euros" in s.text for s in index.sentences)
    assert open_index(folder, FakeEmbedder(), index_dir, progress=False).how == "loaded"


def test_added_file_rebuilds(folder, index_dir):
    open_index(folder, FakeEmbedder(), index_dir, progress=False)
    (folder / "extra.md").write_text("# Extra news\n\nSomething else happened in Brest.\n", "utf-8")
    fake = FakeEmbedder()

    index = open_index(folder, fake, index_dir, progress=False)

    assert index.how == "updated"
    assert index.report == SyncReport(added=1, updated=0, removed=0, unchanged=2)
    extra = (
        [p for p in index.passages if p.article_id == "extra"],
        [s for s in index.sentences if s.article_id == "extra"],
    )
    # The new article only: its one sentence and one passage (its "# Extra news" heading is furniture).
    assert fake.encoded == len(extra[0]) + len(extra[1]) == 2
    assert sorted(index.articles) == ["extra", "lyon", "nantes"]
    assert index.articles["extra"].title == "Extra news"


def test_removed_file_rebuilds(folder, index_dir):
    open_index(folder, FakeEmbedder(), index_dir, progress=False)
    (folder / "nantes.txt").unlink()
    fake = FakeEmbedder()

    index = open_index(folder, fake, index_dir, progress=False)

    assert index.how == "updated"
    assert index.report == SyncReport(added=0, updated=0, removed=1, unchanged=1)
    assert fake.encoded == 0
    assert sorted(index.articles) == ["lyon"]
    assert (index.passage_vectors.ntotal, len(index.sentence_vectors)) == (len(index.passages), len(index.sentences))
    assert {p.article_id for p in index.passages} == {"lyon"}


def test_changed_sidecar_metadata_rebuilds(folder, index_dir):
    open_index(folder, FakeEmbedder(), index_dir, progress=False)
    (folder / "lyon.meta.json").write_text(json.dumps({"title": "Acme bets on Lyon", "publisher": "Wire"}), "utf-8")

    index = open_index(folder, FakeEmbedder(), index_dir, progress=False)

    assert index.how == "updated"
    assert index.report == SyncReport(added=0, updated=1, removed=0, unchanged=1)
    assert (index.articles["lyon"].title, index.articles["lyon"].source) == ("Acme bets on Lyon", "Wire")


def test_new_unreadable_file_does_not_rebuild_but_is_reported(folder, index_dir):
    open_index(folder, FakeEmbedder(), index_dir, progress=False)
    (folder / "photo.txt").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    fake = FakeEmbedder()

    index = open_index(folder, fake, index_dir, progress=False)

    assert index.how == "loaded"
    assert fake.encoded == 0
    assert [s.path for s in index.skipped] == ["photo.txt"]
    assert "binary" in index.skipped[0].reason


def test_different_embedder_fingerprint_rebuilds(folder, index_dir):
    open_index(folder, FakeEmbedder(), index_dir, progress=False)
    other = FakeEmbedder("fake-v2")

    index = open_index(folder, other, index_dir, progress=False)

    assert index.how == "built"
    assert index.report == SyncReport(added=0, updated=0, removed=0, unchanged=2, rebuilt=True)
    assert other.encoded == 11
    assert index.manifest.model_fingerprint == "fake-v2"
    assert open_index(folder, FakeEmbedder("fake-v2"), index_dir, progress=False).how == "loaded"
    assert open_index(folder, FakeEmbedder("fake-v1"), index_dir, progress=False).how == "built"


def test_progress_messages_go_to_stderr(folder, index_dir, capsys):
    open_index(folder, FakeEmbedder(), index_dir, progress=True)

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Indexing 2 articles" in captured.err
    assert "3 passages, 8 sentences" in captured.err


# --- what is on disk ----------------------------------------------------------------------------


def test_index_folder_holds_no_pickles_and_current_names_a_build(folder, index_dir):
    open_index(folder, FakeEmbedder(), index_dir, progress=False)

    files = sorted(p.relative_to(index_dir).as_posix() for p in index_dir.rglob("*") if p.is_file())
    build = _build_dir(index_dir)
    assert build.is_dir()
    assert build.name.startswith("build-")
    assert files == sorted(
        ["CURRENT", ".lock"]
        + [f"{build.name}/{name}" for name in ("manifest.json", "index.sqlite", "passages.faiss", "sentences.faiss")]
    )
    assert not [p for p in index_dir.rglob("*") if p.suffix in (".pkl", ".pickle", ".joblib", ".npy")]
    sentences = FaissVectorStore.load(build / "sentences.faiss")
    assert (len(sentences), sentences.dimension) == (8, 64)
    assert sentences.get(sentences.ids()[:1]).dtype == np.float32


def test_rebuilds_keep_only_the_current_and_one_previous_build(folder, index_dir):
    for version in range(4):
        open_index(folder, FakeEmbedder(f"fake-v{version}"), index_dir, progress=False)

    builds = sorted(p.name for p in index_dir.glob("build-*"))
    assert len(builds) == 2
    assert _build_dir(index_dir).name in builds
    assert not list(index_dir.glob(".tmp-*"))


# --- damaged indexes ----------------------------------------------------------------------------


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flip_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    for i in range(middle, middle + 8):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


DAMAGE = {
    "truncated passages.faiss": ("passages.faiss", _truncate),
    "flipped passages.faiss": ("passages.faiss", _flip_bytes),
    "truncated index.sqlite": ("index.sqlite", _truncate),
    "flipped index.sqlite": ("index.sqlite", _flip_bytes),
    "deleted sentences.faiss": ("sentences.faiss", Path.unlink),
    "flipped sentences.faiss": ("sentences.faiss", _flip_bytes),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_index_is_rebuilt_with_a_warning(folder, index_dir, caplog, damage):
    open_index(folder, FakeEmbedder(), index_dir, progress=False)
    name, spoil = DAMAGE[damage]
    damaged = _build_dir(index_dir) / name
    spoil(damaged)
    fake = FakeEmbedder()

    with caplog.at_level(logging.WARNING, logger="index.build"):
        index = open_index(folder, fake, index_dir, progress=False)

    assert index.how == "built"
    assert fake.encoded == 11
    logged = [r.getMessage() for r in caplog.records if r.name == "index.build" and r.levelno == logging.WARNING]
    assert logged
    for warning in logged:
        assert str(damaged) in warning
        assert "rebuilding" in warning
    assert open_index(folder, FakeEmbedder(), index_dir, progress=False).how == "loaded"


def test_damaged_index_warning_is_logged_once(folder, index_dir, caplog):
    open_index(folder, FakeEmbedder(), index_dir, progress=False)
    _truncate(_build_dir(index_dir) / "passages.faiss")

    with caplog.at_level(logging.WARNING, logger="index.build"):
        open_index(folder, FakeEmbedder(), index_dir, progress=False)

    logged = [r.getMessage() for r in caplog.records if r.name == "index.build" and r.levelno == logging.WARNING]
    assert len(logged) == 1, logged


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_store_load_of_damaged_build_raises_index_corrupt_error_naming_the_file(folder, index_dir, damage):
    open_index(folder, FakeEmbedder(), index_dir, progress=False)
    name, spoil = DAMAGE[damage]
    damaged = _build_dir(index_dir) / name
    spoil(damaged)

    with pytest.raises(store.IndexCorruptError) as raised:
        store.load(index_dir)

    assert str(damaged) in str(raised.value)


def test_store_load_of_unreadable_manifest_raises_index_corrupt_error(folder, index_dir):
    open_index(folder, FakeEmbedder(), index_dir, progress=False)
    manifest = _build_dir(index_dir) / "manifest.json"
    manifest.write_text("{", "utf-8")

    with pytest.raises(store.IndexCorruptError) as raised:
        store.load(index_dir)

    assert str(manifest) in str(raised.value)
    assert open_index(folder, FakeEmbedder(), index_dir, progress=False).how == "built"


def test_store_load_of_empty_folder_raises_index_corrupt_error(tmp_path):
    with pytest.raises(store.IndexCorruptError, match="no index in"):
        store.load(tmp_path / "nothing-here")


def test_current_naming_a_missing_build_rebuilds(folder, index_dir):
    open_index(folder, FakeEmbedder(), index_dir, progress=False)
    (index_dir / "CURRENT").write_text("build-000000000000", "utf-8")
    fake = FakeEmbedder()

    index = open_index(folder, fake, index_dir, progress=False)

    assert index.how == "built"
    assert fake.encoded == 11
    assert _build_dir(index_dir).is_dir()


@pytest.mark.parametrize(
    "damage",
    [b"\xff", b"\x00", b"/../../etc", b"\n\nbuild-x"],
    ids=["not-utf8", "nul", "path", "garbage"],
)
def test_a_damaged_current_file_is_rebuilt_by_the_next_sync(folder, index_dir, damage):
    open_index(folder, FakeEmbedder(), index_dir, progress=False)
    current = index_dir / "CURRENT"
    current.write_bytes(current.read_bytes() + damage)

    index = open_index(folder, FakeEmbedder(), index_dir, progress=False)

    assert index.how == "built"
    assert _build_dir(index_dir).is_dir()  # CURRENT names a build again
    assert open_index(folder, FakeEmbedder(), index_dir, progress=False).how == "loaded"


def test_answers_are_right_after_a_damaged_index_is_rebuilt(folder, index_dir, caplog):
    open_index(folder, FakeEmbedder(), index_dir, progress=False)
    _flip_bytes(_build_dir(index_dir) / "passages.faiss")
    bot = QA(folder, index_dir=index_dir, embedder=FakeEmbedder(), progress=False)

    with caplog.at_level(logging.WARNING, logger="index.build"):
        answer = bot.ask("How much will Acme invest in its Lyon lab?")

    assert bot.index.how == "built"
    assert any("passages.faiss" in r.getMessage() for r in caplog.records)
    assert answer.no_answer is False
    assert answer.text == "Acme will invest 10 million euros in its Lyon lab over five years."
    citation = answer.citations[0]
    assert citation.article_id == "lyon"
    assert LYON[citation.start : citation.end] == citation.quote == answer.text


# --- QA over a folder ---------------------------------------------------------------------------


def test_qa_answer_citation_points_at_the_exact_text(folder, index_dir, fake_embedder):
    bot = QA(folder, index_dir=index_dir, embedder=fake_embedder, progress=False)

    answer = bot.ask("How many croissants does the Zed bakery in Nantes bake a day?")

    assert answer.no_answer is False
    assert answer.text == "The bakery bakes 500 croissants a day and has 12 staff."
    assert 0.5 <= answer.confidence <= 1.0
    assert answer.citations
    for c in answer.citations:
        assert bot.get_article(c.article_id).text[c.start : c.end] == c.quote
    first = answer.citations[0]
    assert (first.article_id, first.title, first.start, first.end) == ("nantes", "Zed buys a bakery in Nantes", 98, 153)
    assert not list(Path(index_dir).glob("*.pkl"))


def test_qa_reuses_the_index_built_by_an_earlier_qa(folder, index_dir):
    QA(folder, index_dir=index_dir, embedder=FakeEmbedder(), progress=False).index
    fake = FakeEmbedder()
    bot = QA(folder, index_dir=index_dir, embedder=fake, progress=False)

    bot.ask("Where is the Acme lab?")

    assert bot.index.how == "loaded"
    assert fake.encoded == 1  # only the question


def test_article_of_only_furniture_gives_an_empty_index_and_no_answer(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ad.txt").write_text("Advertisement\n\nAdvertisement\n", "utf-8")
    bot = QA(corpus, index_dir=tmp_path / "index", embedder=FakeEmbedder(), progress=False)

    answer = bot.ask("Who is the CEO?")

    assert (len(bot.index.passages), len(bot.index.sentences)) == (0, 0)
    assert (answer.no_answer, answer.text, answer.confidence, answer.citations) == (True, "", 0.0, [])
    reloaded = open_index(corpus, FakeEmbedder(), tmp_path / "index", progress=False)
    assert (reloaded.how, len(reloaded.passages)) == ("loaded", 0)


def test_empty_index_builds_and_answers_without_runtime_warnings(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ad.txt").write_text("Advertisement\n", "utf-8")
    bot = QA(corpus, index_dir=tmp_path / "index", embedder=FakeEmbedder(), progress=False)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        answer = bot.ask("Who is the CEO?")

    assert answer.no_answer is True
