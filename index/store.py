"""The saved index: immutable builds in SQLite and a vector store, published by an atomic pointer.

Layout of an index folder::

    CURRENT                        name of the build readers use (replaced atomically)
    .lock                          fcntl lock: one writer at a time (see build_lock)
    build-<id>/index.sqlite        articles (text, metadata, fingerprint), sentences and passages
                                   with their offsets; sentence and passage ids never reused
    build-<id>/passages.faiss      passage vectors under the passage ids (FaissVectorStore), or
    build-<id>/passages.milvus.json  where they are instead: a Milvus collection (MilvusVectorStore)
    build-<id>/sentences.faiss     sentence vectors under the sentence ids (FaissVectorStore)
    build-<id>/manifest.json       model, segmentation and format versions, counts, and the
                                   sha256 of the three files above
    .tmp-build-<id>/               a build being written (removed if its writer died)

Why this is safe:

* A build folder is never changed once published. A writer (holding the lock)
  makes the next build in a temporary folder: it copies the previous build's
  SQLite file with the sqlite3 backup API and its vector stores, applies the
  difference (drops the rows and vectors of removed and changed articles, adds
  the new ones under fresh ids), writes and fsyncs every file and the manifest,
  renames the folder to ``build-<id>`` and only then replaces CURRENT
  (``os.replace``, atomic). A reader reads CURRENT once and loads that build
  whole, so it sees the old index or the new one, never a mix.
* A writer killed at any point leaves CURRENT naming the previous, complete
  build; the next writer removes the dead one's temporary folder and redoes the
  work from the previous build and the folder.
* Loading checks every file against the manifest's sha256 and the tables
  against the vector stores (same ids, same counts, offsets inside the text),
  and raises :class:`IndexCorruptError` naming the file otherwise.
* Publishing keeps the previous build for readers that read CURRENT just
  before it changed; a reader whose build vanished under it reads CURRENT again.
* Nothing here is a pickle: SQLite, FAISS and JSON only, so loading an index
  never executes code from the index folder.

With passage vectors in Milvus (``store="milvus:DIR"`` or a server's URL), the
build folders stay here and remain the truth about which passages a build has;
the collection is shared by the builds since the last full rebuild. Passage ids
are never reused, so a sync inserts its new vectors before it publishes (readers
of the old build do not know those ids and ignore them) and deletes the vectors
of removed and changed articles only after publishing. A sync killed in between
leaves ids in the collection that the current build does not have, or lacks
deletes it should have made: :func:`reconcile`, run when a sync starts (under the
lock), deletes every id the current build does not hold. Sentence vectors stay in
``sentences.faiss`` in the build folder either way: they are only fetched by id,
all of them when a build is loaded, never searched.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import shutil
import sqlite3
import sys
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import numpy as np

from index.articles import Article
from index.checksum import file_sha256
from index.passages import Passage, Sentence
from index.vectors import (
    FAISS,
    FaissVectorStore,
    PositionalVectors,
    StoreSpec,
    VectorStore,
    VectorStoreError,
)

logger = logging.getLogger(__name__)

FORMAT_VERSION = 2
DATABASE = "index.sqlite"
PASSAGE_VECTORS = "passages.faiss"
MILVUS_POINTER = "passages.milvus.json"
SENTENCE_VECTORS = "sentences.faiss"
MANIFEST = "manifest.json"
#: Test hook: a writer stops at the named point (see :func:`checkpoint`) so tests can kill it there.
PAUSE_ENV = "QA_INDEX_PAUSE_AT"

_SCHEMA = """
CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    text TEXT NOT NULL,
    record TEXT NOT NULL  -- JSON: the Article's other fields
);
CREATE TABLE sentences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL REFERENCES articles(id),
    start_offset INTEGER NOT NULL,
    end_offset INTEGER NOT NULL
);
CREATE INDEX sentences_by_article ON sentences(article_id);
CREATE TABLE passages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL REFERENCES articles(id),
    start_offset INTEGER NOT NULL,
    end_offset INTEGER NOT NULL,
    first_sentence INTEGER NOT NULL,  -- sentence ids, both inclusive
    last_sentence INTEGER NOT NULL
);
CREATE INDEX passages_by_article ON passages(article_id);
"""


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
    #: Where the passage vectors are: "faiss" (a file in the build folder) or "milvus" (``vector_uri``).
    vector_store: str = FaissVectorStore.kind
    #: The passage vectors' search structure: "flat" (exact) or "ivf<nlist>" (see ``index.vectors.layout_for``).
    vector_layout: str = "flat"
    #: For Milvus: the milvus-lite directory or the server's URL, and the collection holding the vectors.
    vector_uri: str = ""
    vector_collection: str = ""

    @property
    def store(self) -> StoreSpec:
        """Where this build's passage vectors are."""
        return StoreSpec(self.vector_store, self.vector_uri)

    @property
    def files(self) -> tuple[str, ...]:
        """The build folder's files that the manifest's checksums cover."""
        passages = PASSAGE_VECTORS if self.vector_store == FaissVectorStore.kind else MILVUS_POINTER
        return (DATABASE, passages, SENTENCE_VECTORS)


@dataclass(frozen=True)
class StoredIndex:
    """One build, loaded and checked, in dense positions.

    Articles are ordered by id; sentences and passages by article, then by id
    (which is text order within an article). ``Passage.first_sentence`` and
    ``last_sentence`` are positions in ``sentences``.
    """

    manifest: Manifest
    build: Path
    articles: tuple[Article, ...]
    sentences: tuple[Sentence, ...]
    passages: tuple[Passage, ...]
    passage_vectors: PositionalVectors
    sentence_vectors: np.ndarray
    sentence_ids: np.ndarray


def checkpoint(name: str) -> None:
    """Stop here when ``$QA_INDEX_PAUSE_AT`` names this point: a test kills the process while it waits.

    Points, in the order a sync passes them: ``locked``, ``copied``, ``embedded``,
    ``written`` (new files complete, folder not yet renamed), ``renamed`` (build
    folder in place, CURRENT not yet replaced), ``published`` (CURRENT replaced,
    old builds not yet removed).
    """
    if os.environ.get(PAUSE_ENV) == name:
        print(f"paused at {name}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("QA_INDEX_PAUSE_SECONDS", "3600")))


def read_manifest(index_dir: Path) -> Manifest | None:
    """The manifest of the current build, or None when there is no usable build."""
    build = current_build(index_dir)
    if build is None:
        return None
    try:
        return _read_manifest_file(build)[0]
    except IndexCorruptError:
        return None


def current_build(index_dir: Path) -> Path | None:
    """The build folder CURRENT names, or None when there is none (or CURRENT is damaged: not a build's name,
    not text, not a folder's name at all); the next sync then builds afresh and rewrites it."""
    try:
        name = (index_dir / "CURRENT").read_text("utf-8").strip()
        build = index_dir / name
        ok = name.startswith("build-") and "/" not in name and "\0" not in name and build.is_dir()
    except (OSError, ValueError):  # UnicodeDecodeError is a ValueError
        return None
    return build if ok else None


def load(index_dir: Path, *, attempts: int = 3) -> StoredIndex:
    """Load and verify the current build.

    A reader racing a writer may find its build removed (two syncs published
    meanwhile): it then reads CURRENT again.

    Raises:
        IndexCorruptError: if files are missing, fail their checksum, or disagree with each other.
    """
    for attempt in range(attempts):
        build = current_build(index_dir)
        if build is None:
            raise IndexCorruptError(f"no index in {index_dir}")
        try:
            return load_build(build)
        except IndexCorruptError:
            if attempt + 1 == attempts or current_build(index_dir) == build:
                raise
    raise AssertionError("unreachable")


def load_build(build: Path, *, verify: bool = True) -> StoredIndex:
    """Load one build folder; ``verify`` checks the files against the manifest's sha256 first."""
    manifest, expected = _read_manifest_file(build)
    if verify:
        for name in manifest.files:
            path = build / name
            if not path.is_file() or file_sha256(path) != expected.get(name):
                raise IndexCorruptError(f"index file {path} is missing or damaged (checksum mismatch)")
    if manifest.vector_store not in (FaissVectorStore.kind, "milvus"):
        raise IndexCorruptError(f"index in {build} uses vector store {manifest.vector_store!r}, not faiss or milvus")
    try:
        with contextlib.closing(_connect_read_only(build / DATABASE)) as db:
            articles, sentences, passages, sentence_ids, passage_ids = _read_tables(db)
    except _Inconsistent as error:
        raise IndexCorruptError(f"index file {build / DATABASE} is inconsistent: {error}") from None
    except (sqlite3.DatabaseError, ValueError, TypeError, KeyError) as error:
        raise IndexCorruptError(f"index file {build / DATABASE} is unreadable: {error}") from None
    try:
        sentence_store = FaissVectorStore.load(build / SENTENCE_VECTORS)
    except VectorStoreError as error:
        raise IndexCorruptError(f"index file {build / SENTENCE_VECTORS} is unreadable: {error}") from None
    passage_store = _open_passage_store(build, manifest)
    passage_name = manifest.files[1]
    if passage_store.kind == FaissVectorStore.kind and passage_store.layout != manifest.vector_layout:
        raise IndexCorruptError(
            f"index file {build / PASSAGE_VECTORS} is laid out as {passage_store.layout}, "
            f"but the manifest says {manifest.vector_layout}"
        )
    passage_vectors = PositionalVectors(passage_store, passage_ids)
    sentence_view = PositionalVectors(sentence_store, sentence_ids)
    for name, view, count in (
        (passage_name, passage_vectors, len(passages)),
        (SENTENCE_VECTORS, sentence_view, len(sentences)),
    ):
        stored_ids = view.store.ids()
        if view.store.shared:  # other builds' vectors may be there too; every one of ours must be
            missing = len(np.setdiff1d(view.ids, stored_ids))
            if missing or view.store.dimension != manifest.dimension:
                raise IndexCorruptError(
                    f"index file {build / name} is inconsistent with {build / DATABASE}: {missing} of the "
                    f"{count} passages have no vector in {view.store!r}"
                )
        elif (
            len(view.store) != count
            or view.store.dimension != manifest.dimension
            or not np.array_equal(np.sort(stored_ids), np.sort(view.ids))
        ):
            raise IndexCorruptError(
                f"index file {build / name} is inconsistent with {build / DATABASE}: "
                f"{len(view.store)} vectors of dimension {view.store.dimension} for {count} rows "
                f"of dimension {manifest.dimension}"
            )
    if (len(articles), len(passages), len(sentences)) != (
        manifest.n_articles,
        manifest.n_passages,
        manifest.n_sentences,
    ):
        raise IndexCorruptError(
            f"index file {build / DATABASE} holds {len(articles)} articles, {len(passages)} passages and "
            f"{len(sentences)} sentences; {build / MANIFEST} says {manifest.n_articles}, {manifest.n_passages} "
            f"and {manifest.n_sentences}"
        )
    sentence_vectors = sentence_view.store.get(sentence_ids)
    return StoredIndex(manifest, build, articles, sentences, passages, passage_vectors, sentence_vectors, sentence_ids)


def _open_passage_store(build: Path, manifest: Manifest, *, spec: StoreSpec | None = None) -> VectorStore:
    """The build's passage vectors: its FAISS file, or the Milvus collection its pointer file names.

    Raises:
        IndexCorruptError: if the file is unreadable, or names a collection that is not there.
        VectorStoreUnavailableError: if Milvus cannot be reached or opened (the index may be fine).
    """
    if manifest.vector_store == FaissVectorStore.kind:
        try:
            return FaissVectorStore.load(build / PASSAGE_VECTORS)
        except VectorStoreError as error:
            raise IndexCorruptError(f"index file {build / PASSAGE_VECTORS} is unreadable: {error}") from None
    from index.milvus import MilvusVectorStore

    pointer = build / MILVUS_POINTER
    try:
        noted = json.loads(pointer.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise IndexCorruptError(f"index file {pointer} is unreadable: {error}") from None
    if not isinstance(noted, dict) or noted.get("collection") != manifest.vector_collection:
        raise IndexCorruptError(f"index file {pointer} disagrees with {build / MANIFEST} about the collection")
    try:
        return MilvusVectorStore.open(spec or manifest.store, manifest.vector_collection, manifest.dimension)
    except VectorStoreError as error:
        raise IndexCorruptError(f"index file {pointer} names vectors that are not there: {error}") from None


class _Inconsistent(ValueError):
    """Tables that contradict each other (a row naming a missing article or sentence, offsets off the text)."""


def _read_tables(db: sqlite3.Connection):
    articles = []
    for article_id, fingerprint, text, record in db.execute("SELECT id, fingerprint, text, record FROM articles"):
        articles.append(Article(**{**json.loads(record), "id": article_id, "text": text, "fingerprint": fingerprint}))
    articles.sort(key=lambda a: a.id)
    order = {a.id: n for n, a in enumerate(articles)}
    texts = {a.id: a.text for a in articles}

    def checked(table: str, row_id: int, article_id: str, start: int, end: int) -> tuple[str, int, int]:
        if article_id not in texts:
            raise _Inconsistent(f"{table} row {row_id} names article {article_id!r}, which is not in the table")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(texts[article_id])):
            raise _Inconsistent(f"{table} row {row_id} has offsets [{start}, {end}) outside article {article_id!r}")
        return article_id, start, end

    sentence_rows = sorted(
        (
            (*checked("sentences", i, a, s, e), i)
            for a, i, s, e in db.execute("SELECT article_id, id, start_offset, end_offset FROM sentences")
        ),
        key=lambda r: (order[r[0]], r[3]),
    )
    sentences = tuple(Sentence(a, s, e, texts[a][s:e]) for a, s, e, _ in sentence_rows)
    sentence_ids = np.fromiter((r[3] for r in sentence_rows), np.int64, len(sentence_rows))
    position = {r[3]: n for n, r in enumerate(sentence_rows)}
    passage_rows = sorted(
        (
            (*checked("passages", i, a, s, e), i, first, last)
            for a, i, s, e, first, last in db.execute(
                "SELECT article_id, id, start_offset, end_offset, first_sentence, last_sentence FROM passages"
            )
        ),
        key=lambda r: (order[r[0]], r[3]),
    )
    passages = []
    for a, s, e, passage_id, first, last in passage_rows:
        if first not in position or last not in position:
            raise _Inconsistent(f"passages row {passage_id} names sentences {first}-{last}, missing from the table")
        lo, hi = position[first], position[last] + 1
        if not (lo < hi and sentences[lo].article_id == sentences[hi - 1].article_id == a):
            raise _Inconsistent(f"passages row {passage_id} names sentences of another article")
        passages.append(Passage(a, s, e, texts[a][s:e], lo, hi))
    passage_ids = np.fromiter((r[3] for r in passage_rows), np.int64, len(passage_rows))
    return tuple(articles), sentences, tuple(passages), sentence_ids, passage_ids


def _read_manifest_file(build: Path) -> tuple[Manifest, dict[str, str]]:
    path = build / MANIFEST
    try:
        raw = json.loads(path.read_text("utf-8"))
        return Manifest(**raw["manifest"]), dict(raw["sha256"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise IndexCorruptError(f"index manifest {path} is unreadable: {error}") from None


def _connect_read_only(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise sqlite3.DatabaseError(f"{path} is missing")
    # immutable=1: a published build never changes, so SQLite may skip locking and never writes.
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)


class Draft:
    """The next build, prepared in a temporary folder and published by :meth:`publish`.

    Only a writer holding :func:`build_lock` may make one.

    Args:
        index_dir: The index folder.
        dimension: Vector dimension.
        base: The build to start from (its tables and vectors are copied); None for an empty one.
        store: Where the passage vectors go. A Milvus draft extends ``base``'s collection (which
            must be at the same place); an empty one gets a new collection.
    """

    def __init__(self, index_dir: Path, dimension: int, base: Path | None = None, store: StoreSpec = FAISS) -> None:
        index_dir.mkdir(parents=True, exist_ok=True)
        self.index_dir = index_dir
        self.base = base
        self.store = store
        self.build_id = f"build-{uuid.uuid4().hex[:12]}"
        self.folder = index_dir / f".tmp-{self.build_id}"
        self.folder.mkdir()
        self.db = sqlite3.connect(self.folder / DATABASE, isolation_level=None)
        self.passage_store: VectorStore | None = None
        self._created_collection = False
        self._added_passages: list[np.ndarray] = []
        self._deferred_removals: list[np.ndarray] = []  # shared store: deleted once the build is published
        self._published = False
        try:
            if base is None:
                self.db.executescript(_SCHEMA)
                self.sentence_store = FaissVectorStore.empty(dimension)
                if store.kind == FaissVectorStore.kind:
                    self.passage_store = FaissVectorStore.empty(dimension)
                else:
                    from index.milvus import MilvusVectorStore

                    name = f"{collection_prefix(index_dir)}{self.build_id[len('build-') :]}"
                    self.passage_store = MilvusVectorStore.create(store, name, dimension)
                    self._created_collection = True
            else:
                with contextlib.closing(_connect_read_only(base / DATABASE)) as source:
                    source.backup(self.db)
                manifest = _read_manifest_file(base)[0]
                if manifest.store != store:
                    raise ValueError(f"cannot extend {base}: its vectors are in {manifest.store}, not {store}")
                self.passage_store = _open_passage_store(base, manifest)
                self.sentence_store = FaissVectorStore.load(base / SENTENCE_VECTORS)
            # The draft is thrown away on any failure, so it needs no journal; files are fsynced on publish.
            self.db.execute("PRAGMA journal_mode=OFF")
            self.db.execute("PRAGMA synchronous=OFF")
            self.db.execute("BEGIN")
        except BaseException:
            self.discard()
            raise

    def article_fingerprints(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT id, fingerprint FROM articles"))

    def stable_ids(self, article_ids: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """The passage ids and sentence ids of these articles."""
        wanted = sorted(set(article_ids))
        passages, sentences = [], []
        for chunk in (wanted[i : i + 500] for i in range(0, len(wanted), 500)):
            marks = ",".join("?" * len(chunk))
            passages += [r[0] for r in self.db.execute(f"SELECT id FROM passages WHERE article_id IN ({marks})", chunk)]
            sentences += [
                r[0] for r in self.db.execute(f"SELECT id FROM sentences WHERE article_id IN ({marks})", chunk)
            ]
        return np.array(passages, dtype=np.int64), np.array(sentences, dtype=np.int64)

    def remove_articles(self, article_ids: Sequence[str]) -> None:
        """Drop these articles, their rows and their vectors."""
        if not article_ids:
            return
        passage_ids, sentence_ids = self.stable_ids(article_ids)
        if self.passage_store.shared:
            self._deferred_removals.append(passage_ids)  # readers of the current build still search them
        else:
            self.passage_store.remove(passage_ids)
        self.sentence_store.remove(sentence_ids)
        for chunk in (list(article_ids)[i : i + 500] for i in range(0, len(article_ids), 500)):
            marks = ",".join("?" * len(chunk))
            for table, column in (("passages", "article_id"), ("sentences", "article_id"), ("articles", "id")):
                self.db.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", chunk)

    def add_article(
        self,
        article: Article,
        sentences: Sequence[Sentence],
        passages: Sequence[Passage],
        sentence_vectors: np.ndarray,
        passage_vectors: np.ndarray,
    ) -> None:
        """Add one article; ``passages`` name sentences by their index in ``sentences``."""
        record = {
            f.name: getattr(article, f.name) for f in fields(article) if f.name not in ("id", "text", "fingerprint")
        }
        self.db.execute(
            "INSERT INTO articles (id, fingerprint, text, record) VALUES (?, ?, ?, ?)",
            (article.id, article.fingerprint, article.text, json.dumps(record, ensure_ascii=False)),
        )
        sentence_ids = [
            self.db.execute(
                "INSERT INTO sentences (article_id, start_offset, end_offset) VALUES (?, ?, ?)",
                (article.id, s.start, s.end),
            ).lastrowid
            for s in sentences
        ]
        passage_ids = [
            self.db.execute(
                "INSERT INTO passages (article_id, start_offset, end_offset, first_sentence, last_sentence)"
                " VALUES (?, ?, ?, ?, ?)",
                (article.id, p.start, p.end, sentence_ids[p.first_sentence], sentence_ids[p.last_sentence - 1]),
            ).lastrowid
            for p in passages
        ]
        self.sentence_store.add(np.array(sentence_ids, dtype=np.int64), sentence_vectors)
        self.passage_store.add(np.array(passage_ids, dtype=np.int64), passage_vectors)
        if self.passage_store.shared:
            self._added_passages.append(np.array(passage_ids, dtype=np.int64))

    def counts(self) -> tuple[int, int, int]:
        """Articles, passages, sentences in the draft."""
        return tuple(
            self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("articles", "passages", "sentences")
        )

    def publish(self, manifest: Manifest) -> Path:
        """Write every file, fsync, and make this build the one readers use. Returns its folder."""
        self.db.execute("COMMIT")
        self.db.close()
        # The collection's size picks the search structure (exact while small); sentence vectors
        # are only ever fetched by id, never searched, so they stay flat.
        self.passage_store.fit_layout()
        manifest = replace(
            manifest,
            vector_layout=self.passage_store.layout,
            vector_store=self.store.kind,
            vector_uri=self.store.uri,
            vector_collection=getattr(self.passage_store, "collection", ""),
        )
        self.passage_store.save(self.folder / manifest.files[1])
        self.sentence_store.save(self.folder / SENTENCE_VECTORS)
        _fsync_file(self.folder / DATABASE)
        checksums = {name: file_sha256(self.folder / name) for name in manifest.files}
        _write_bytes(
            self.folder / MANIFEST, json.dumps({"manifest": asdict(manifest), "sha256": checksums}, indent=2).encode()
        )
        _fsync_dir(self.folder)
        checkpoint("written")
        previous = current_build(self.index_dir)
        final = self.index_dir / self.build_id
        os.replace(self.folder, final)
        _fsync_dir(self.index_dir)
        checkpoint("renamed")
        _write_bytes(self.index_dir / ".CURRENT.tmp", self.build_id.encode())
        os.replace(self.index_dir / ".CURRENT.tmp", self.index_dir / "CURRENT")
        _fsync_dir(self.index_dir)
        self._published = True  # from here on, discard() must leave the vectors alone
        checkpoint("published")
        remove_stale(self.index_dir, keep={final.name} | ({previous.name} if previous else set()))
        if self.passage_store.shared:
            # Readers of the previous build lose these now; they load the new one within a second.
            if self._deferred_removals:
                self.passage_store.remove(np.concatenate(self._deferred_removals))
                self.passage_store.flush()
            drop_unused_collections(self.index_dir, self.passage_store)
        self.passage_store.close()
        return final

    def discard(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.close()
        shutil.rmtree(self.folder, ignore_errors=True)
        store, self.passage_store = self.passage_store, None
        if store is not None and store.shared and not self._published:
            with contextlib.suppress(Exception):  # best effort: the next sync's reconcile catches what is left
                if self._created_collection:
                    store.drop_collection(store.collection)
                elif self._added_passages:
                    store.remove(np.concatenate(self._added_passages))
                    store.flush()
        if store is not None:
            store.close()


def collection_prefix(index_dir: Path) -> str:
    """The start of the names of an index folder's Milvus collections: one per full build, ``<prefix><build>``.

    The tag is random, made once per index folder and kept in its ``.store-id`` file (not a hash of
    the folder's path): two machines sharing a Milvus server with index folders at the same path
    must never take each other's collections for their own.
    """
    marker = index_dir / ".store-id"
    try:
        tag = marker.read_text("ascii").strip()
    except OSError:
        tag = ""
    if not (len(tag) == 12 and tag.isalnum()):
        tag = uuid.uuid4().hex[:12]
        _write_bytes(marker.with_name(".store-id.tmp"), tag.encode())
        os.replace(marker.with_name(".store-id.tmp"), marker)
    return f"qa_{tag}_"


def reconcile(index_dir: Path) -> int:
    """Make a shared store hold exactly the current build's passages; returns how many vectors were deleted.

    Call under :func:`build_lock`, when a sync starts. A sync killed after inserting its
    vectors (before publishing) leaves ids no build has; one killed after publishing,
    before deleting what it replaced, leaves ids only the previous build has. Both are
    deleted here. Collections of this index folder that no build on disk uses (left by
    a full rebuild) are dropped. A FAISS index, or a build that cannot be read, is left alone.
    """
    build = current_build(index_dir)
    if build is None:
        return 0
    try:
        manifest = _read_manifest_file(build)[0]
        if manifest.vector_store == FaissVectorStore.kind:
            return 0
        with contextlib.closing(_connect_read_only(build / DATABASE)) as db:
            ids = np.fromiter((r[0] for r in db.execute("SELECT id FROM passages")), np.int64)
        passage_store = _open_passage_store(build, manifest)
    except (IndexCorruptError, sqlite3.DatabaseError):
        return 0  # the sync that follows rebuilds it
    try:
        extra = np.setdiff1d(passage_store.ids(), ids)
        if len(extra):
            logger.info("deleting %d passage vectors of unfinished syncs from %r", len(extra), passage_store)
            passage_store.remove(extra)
            passage_store.flush()
        drop_unused_collections(index_dir, passage_store)
        return len(extra)
    finally:
        passage_store.close()


def drop_unused_collections(index_dir: Path, passage_store) -> None:
    """Drop this index folder's collections at the store's place that no build on disk names (call under the lock)."""
    used = set()
    for build in index_dir.glob("build-*"):
        with contextlib.suppress(IndexCorruptError):
            used.add(_read_manifest_file(build)[0].vector_collection)
    prefix = collection_prefix(index_dir)
    for name in passage_store.collections():
        if name.startswith(prefix) and name not in used:
            logger.info("dropping Milvus collection %s: no build uses it any more", name)
            passage_store.drop_collection(name)


def shared_store_is_tidy(stored: StoredIndex) -> bool:
    """Whether a build's shared store holds just its passages (False: an unfinished sync left some to reconcile)."""
    passage_store = stored.passage_vectors.store
    return not passage_store.shared or len(passage_store) == stored.passage_vectors.ntotal


@contextlib.contextmanager
def build_lock(index_dir: Path, *, wait: bool = True) -> Iterator[bool]:
    """Serialise writers of one index folder across processes (readers never wait for it).

    Yields True once the lock is held; with ``wait=False`` it yields False at once if another writer holds it.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".lock").open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# What a build folder holds (also the files of the format before SQLite, which a sync replaces).
_BUILD_FILES = {DATABASE, PASSAGE_VECTORS, MILVUS_POINTER, SENTENCE_VECTORS, MANIFEST}
_BUILD_FILES |= {f"{DATABASE}-journal", f"{DATABASE}-wal", f"{DATABASE}-shm"}
_BUILD_FILES |= {"articles.json", "passages.json", "sentences.npy"}
_BUILD_NAME = re.compile(r"(\.tmp-)?build-[0-9a-f]{12}")


def _builds(index_dir: Path, *, temporary: bool = False) -> list[Path]:
    """The build folders in ``index_dir`` (with ``temporary``, those being written), only folders this module
    made: named as it names them and holding only a build's files. Anything else is left alone, whatever its
    name: an index folder may sit beside a person's own folders ("build-2024", "build-scripts")."""
    builds = []
    for path in index_dir.glob(".tmp-build-*" if temporary else "build-*"):
        try:
            ours = (
                _BUILD_NAME.fullmatch(path.name) is not None
                and path.is_dir()
                and not path.is_symlink()
                and all(entry.is_file() and entry.name in _BUILD_FILES for entry in path.iterdir())
            )
        except OSError:
            ours = False
        if ours:
            builds.append(path)
        else:
            logger.debug("left %s alone: not a build of this index", path)
    return builds


def remove_stale(index_dir: Path, keep: set[str]) -> None:
    """Remove temporary folders of dead writers and every build not in ``keep`` (call under the lock).

    ``keep`` holds the current build and the one before it: a reader that read
    CURRENT just before it changed may still be opening the previous build.
    """
    remove_stale_temporaries(index_dir)
    for old in _builds(index_dir):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def remove_old_builds(index_dir: Path) -> None:
    """Remove every build but the current one and the one before it (call under the lock).

    A sync killed after publishing leaves the build before the previous one, and one killed just
    before publishing a build never used: the next sync or load removes them. The one before the
    current (the newest build written before it) stays for a reader that read CURRENT just before it changed.
    """
    current = current_build(index_dir)
    if current is None:
        return  # a damaged or missing CURRENT: the sync that follows rebuilds and tidies up
    written = current.stat().st_mtime_ns
    older = sorted(
        (b for b in _builds(index_dir) if b.name != current.name and b.stat().st_mtime_ns <= written),
        key=lambda b: b.stat().st_mtime_ns,
    )
    remove_stale(index_dir, keep={current.name} | ({older[-1].name} if older else set()))


def old_builds(index_dir: Path) -> bool:
    """Whether more builds lie in ``index_dir`` than the current one and the one before it."""
    return len(_builds(index_dir)) > 2


def remove_stale_temporaries(index_dir: Path) -> None:
    """Remove what writers that died left behind: temporary build folders (call under the lock)."""
    for stale in _builds(index_dir, temporary=True):
        shutil.rmtree(stale, ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        (index_dir / ".CURRENT.tmp").unlink()


def _write_bytes(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
