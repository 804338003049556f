"""Save and load a built index: FAISS vectors, the article/passage table and a manifest.

Layout of an index folder::

    CURRENT                 name of the build readers should use (replaced atomically)
    build-<id>/manifest.json    model, corpus fingerprint, counts, sha256 of every file
    build-<id>/articles.json    articles with their text and metadata
    build-<id>/passages.json    sentence and passage offsets
    build-<id>/passages.faiss   passage vectors (inner product on unit vectors)
    build-<id>/sentences.npy    sentence vectors (float32, loaded with allow_pickle=False)

A build is written to a temporary folder and published by replacing CURRENT,
so a reader sees the old index or the new one, never a mix. Nothing here is a
pickle: loading an index never executes code from the index folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np

from index.articles import Article
from index.passages import Passage, Sentence

FORMAT_VERSION = 1
_FILES = ("articles.json", "passages.json", "passages.faiss", "sentences.npy")


class IndexCorruptError(RuntimeError):
    """A saved index that cannot be trusted: missing, truncated or inconsistent files."""


@dataclass(frozen=True)
class Manifest:
    """What a saved index was built from; an index is reused only when all of it still holds."""

    format_version: int
    model_name: str
    model_fingerprint: str
    dimension: int
    corpus_folder: str
    corpus_fingerprint: str
    segmentation_version: str
    n_articles: int
    n_passages: int
    n_sentences: int


@dataclass(frozen=True)
class StoredIndex:
    """Everything a saved index holds, loaded and checked."""

    manifest: Manifest
    articles: tuple[Article, ...]
    sentences: tuple[Sentence, ...]
    passages: tuple[Passage, ...]
    passage_vectors: faiss.Index
    sentence_vectors: np.ndarray


def read_manifest(index_dir: Path) -> Manifest | None:
    """The manifest of the current build, or None when there is no usable build."""
    build = _current_build(index_dir)
    if build is None:
        return None
    try:
        raw = json.loads((build / "manifest.json").read_text("utf-8"))
        return Manifest(**raw["manifest"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save(index: StoredIndex, index_dir: Path) -> Path:
    """Write ``index`` as a new build and publish it atomically. Returns the build folder."""
    index_dir.mkdir(parents=True, exist_ok=True)
    build_id = f"build-{uuid.uuid4().hex[:12]}"
    tmp = index_dir / f".tmp-{build_id}"
    tmp.mkdir()
    try:
        article_ids = {a.id: i for i, a in enumerate(index.articles)}
        _write_bytes(
            tmp / "articles.json", json.dumps([asdict(a) for a in index.articles], ensure_ascii=False).encode()
        )
        table = {
            "sentences": [[article_ids[s.article_id], s.start, s.end] for s in index.sentences],
            "passages": [
                [article_ids[p.article_id], p.start, p.end, p.first_sentence, p.last_sentence] for p in index.passages
            ],
        }
        _write_bytes(tmp / "passages.json", json.dumps(table).encode())
        _write_bytes(tmp / "passages.faiss", faiss.serialize_index(index.passage_vectors).tobytes())
        with (tmp / "sentences.npy").open("wb") as handle:
            np.save(handle, np.ascontiguousarray(index.sentence_vectors, dtype=np.float32), allow_pickle=False)
            handle.flush()
            os.fsync(handle.fileno())
        checksums = {name: _sha256(tmp / name) for name in _FILES}
        manifest = {"manifest": asdict(index.manifest), "sha256": checksums}
        _write_bytes(tmp / "manifest.json", json.dumps(manifest, indent=2).encode())
        final = index_dir / build_id
        os.replace(tmp, final)
        _write_bytes(index_dir / ".CURRENT.tmp", build_id.encode())
        os.replace(index_dir / ".CURRENT.tmp", index_dir / "CURRENT")
        _fsync_dir(index_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _remove_old_builds(index_dir, keep={build_id})
    return final


def load(index_dir: Path) -> StoredIndex:
    """Load and verify the current build.

    Raises:
        IndexCorruptError: if files are missing, fail their checksum, or disagree with each other.
    """
    build = _current_build(index_dir)
    if build is None:
        raise IndexCorruptError(f"no index in {index_dir}")
    try:
        raw = json.loads((build / "manifest.json").read_text("utf-8"))
        manifest = Manifest(**raw["manifest"])
        expected = raw["sha256"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise IndexCorruptError(f"index manifest {build / 'manifest.json'} is unreadable: {error}") from None
    for name in _FILES:
        path = build / name
        if not path.is_file() or _sha256(path) != expected.get(name):
            raise IndexCorruptError(f"index file {path} is missing or damaged (checksum mismatch)")
    try:
        articles = tuple(Article(**a) for a in json.loads((build / "articles.json").read_text("utf-8")))
        table = json.loads((build / "passages.json").read_text("utf-8"))
        sentences = tuple(Sentence(articles[a].id, s, e, articles[a].text[s:e]) for a, s, e in table["sentences"])
        passages = tuple(
            Passage(articles[a].id, s, e, articles[a].text[s:e], fs, ls) for a, s, e, fs, ls in table["passages"]
        )
        passage_vectors = faiss.deserialize_index(np.fromfile(build / "passages.faiss", dtype=np.uint8))
        sentence_vectors = np.load(build / "sentences.npy", allow_pickle=False)
    except (OSError, ValueError, KeyError, TypeError, IndexError, RuntimeError) as error:
        raise IndexCorruptError(f"index in {build} is unreadable: {error}") from None
    if (
        passage_vectors.ntotal != len(passages)
        or passage_vectors.d != manifest.dimension
        or sentence_vectors.shape != (len(sentences), manifest.dimension)
        or (len(articles), len(passages), len(sentences))
        != (manifest.n_articles, manifest.n_passages, manifest.n_sentences)
    ):
        raise IndexCorruptError(
            f"index in {build} is inconsistent: {passage_vectors.ntotal} passage vectors for {len(passages)} passages, "
            f"{sentence_vectors.shape[0]} sentence vectors for {len(sentences)} sentences"
        )
    return StoredIndex(manifest, articles, sentences, passages, passage_vectors, sentence_vectors)


@contextlib.contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Serialise builds of one index folder across processes."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".lock").open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _current_build(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / "CURRENT").read_text("utf-8").strip()
    except OSError:
        return None
    build = index_dir / name
    return build if name.startswith("build-") and "/" not in name and build.is_dir() else None


def _remove_old_builds(index_dir: Path, keep: set[str]) -> None:
    # Keep the newest previous build too: a reader that read CURRENT just before
    # it changed may still be opening that build's files.
    builds = sorted(
        (p for p in index_dir.glob("build-*") if p.is_dir() and p.name not in keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in builds[1:]:
        shutil.rmtree(old, ignore_errors=True)
    for stale in index_dir.glob(".tmp-build-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _write_bytes(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
