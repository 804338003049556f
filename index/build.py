"""Build an index for a corpus folder, or reload the saved one while it is still current.

The saved index is reused only when its manifest matches the articles on disk
(corpus fingerprint), the embedding model (weights fingerprint) and this
code's segmentation; otherwise it is rebuilt. A damaged index is rebuilt from
the articles, with a warning, rather than trusted.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np

from index import store
from index.articles import Article, Corpus, SkippedFile, load_corpus
from index.embedder import Embedder
from index.lexical import BM25, terms, words
from index.passages import SEGMENTATION_VERSION, Passage, Sentence, split_corpus
from index.store import IndexCorruptError, Manifest, StoredIndex

logger = logging.getLogger(__name__)
_DOTTED_ACRONYM = re.compile(r"\b(?:[A-Za-z]\.){2,}")


@dataclass
class CorpusIndex:
    """A loaded index: articles, sentences, passages, their vectors and BM25.

    ``how`` says how it was obtained: "built" or "loaded".
    """

    manifest: Manifest
    articles: dict[str, Article]
    sentences: tuple[Sentence, ...]
    passages: tuple[Passage, ...]
    passage_vectors: faiss.Index
    sentence_vectors: np.ndarray
    how: str
    skipped: tuple[SkippedFile, ...] = ()
    bm25: BM25 = field(init=False)

    def __post_init__(self) -> None:
        self.bm25 = BM25([f"{self.articles[p.article_id].title}\n{p.text}" for p in self.passages])
        ordinal = {article_id: n for n, article_id in enumerate(self.articles)}
        #: For each passage, the ordinal of its article (for article-level retrieval evidence).
        self.passage_article = np.fromiter((ordinal[p.article_id] for p in self.passages), np.int64, len(self.passages))
        self._vocabularies: dict[str, frozenset[str]] = {}
        self._sentence_starts: dict[tuple[str, int], int] | None = None

    def sentence_at(self, article_id: str, start: int) -> int | None:
        """Position in ``sentences`` of the sentence of ``article_id`` that starts at ``start``, if any."""
        if self._sentence_starts is None:
            self._sentence_starts = {(s.article_id, s.start): n for n, s in enumerate(self.sentences)}
        return self._sentence_starts.get((article_id, start))

    def article_vocabulary(self, article_id: str) -> frozenset[str]:
        """Every word and stemmed term of an article (computed once per article)."""
        vocabulary = self._vocabularies.get(article_id)
        if vocabulary is None:
            text = self.articles[article_id].text
            # "U.S." also counts as the word "us", so a question about the "US" finds it.
            acronyms = {m.group(0).replace(".", "").lower() for m in _DOTTED_ACRONYM.finditer(text)}
            vocabulary = frozenset(terms(text)) | frozenset(words(text)) | acronyms
            self._vocabularies[article_id] = vocabulary
        return vocabulary


def default_index_home() -> Path:
    """Where indexes live unless told otherwise: $QA_INDEX_HOME, else the user's cache folder."""
    if os.environ.get("QA_INDEX_HOME"):
        return Path(os.environ["QA_INDEX_HOME"]).expanduser()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "news-qa" / "indexes"


def index_dir_for(folder: Path) -> Path:
    """The index folder for a corpus folder: one per resolved path, under :func:`default_index_home`."""
    resolved = folder.expanduser().resolve()
    tag = hashlib.sha256(str(resolved).encode()).hexdigest()[:16]
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in resolved.name)[:40] or "corpus"
    return default_index_home() / f"{name}-{tag}"


def open_index(
    folder: str | Path,
    embedder: Embedder,
    index_dir: str | Path | None = None,
    *,
    progress: bool = True,
    rebuild: bool = False,
) -> CorpusIndex:
    """Load the saved index for ``folder`` if it is current, else build and save it.

    Args:
        folder: Folder of .txt/.md articles.
        embedder: The model that embeds passages and sentences.
        index_dir: Where the index is saved; defaults to :func:`index_dir_for` the folder.
        progress: Show a progress bar while embedding.
        rebuild: Build even if the saved index is current.
    """
    corpus = load_corpus(folder)
    target = Path(index_dir) if index_dir else index_dir_for(corpus.folder)
    wanted = _wanted_manifest(corpus, embedder)
    if not rebuild:
        loaded = _load_if_current(target, wanted, corpus)
        if loaded:
            return loaded
    with store.build_lock(target):
        # Another process may have finished the same build while we waited.
        if not rebuild:
            loaded = _load_if_current(target, wanted, corpus, quiet=True)
            if loaded:
                return loaded
        stored = _build(corpus, embedder, wanted, progress=progress)
        store.save(stored, target)
    return _as_corpus_index(stored, "built", corpus.skipped)


def _wanted_manifest(corpus: Corpus, embedder: Embedder) -> dict:
    return {
        "format_version": store.FORMAT_VERSION,
        "model_name": embedder.name,
        "model_fingerprint": embedder.fingerprint,
        "dimension": embedder.dimension,
        "corpus_fingerprint": corpus.fingerprint,
        "segmentation_version": SEGMENTATION_VERSION,
    }


def _load_if_current(target: Path, wanted: dict, corpus: Corpus, quiet: bool = False) -> CorpusIndex | None:
    manifest = store.read_manifest(target)
    if manifest is None:
        return None
    stale = [key for key, value in wanted.items() if getattr(manifest, key) != value]
    if stale:
        logger.info("index in %s is out of date (%s changed); rebuilding", target, ", ".join(stale))
        return None
    try:
        return _as_corpus_index(store.load(target), "loaded", corpus.skipped)
    except IndexCorruptError as error:
        if not quiet:
            logger.warning("%s; rebuilding the index from the articles", error)
        return None


def _build(corpus: Corpus, embedder: Embedder, wanted: dict, *, progress: bool) -> StoredIndex:
    started = time.perf_counter()
    sentences, passages = split_corpus(corpus.articles)
    titles = {a.id: a.title for a in corpus.articles}
    if progress:
        print(
            f"Indexing {len(corpus.articles)} articles from {corpus.folder}: "
            f"{len(passages)} passages, {len(sentences)} sentences",
            file=sys.stderr,
        )
    # One encode call for both kinds of text keeps the model's batches full.
    texts = [f"{titles[p.article_id]}. {p.text}" for p in passages] + [s.text for s in sentences]
    vectors = embedder.encode(texts, progress=progress)
    passage_vectors = faiss.IndexFlatIP(embedder.dimension)
    if passages:
        passage_vectors.add(vectors[: len(passages)])
    manifest = Manifest(
        corpus_folder=str(corpus.folder),
        n_articles=len(corpus.articles),
        n_passages=len(passages),
        n_sentences=len(sentences),
        **wanted,
    )
    if progress:
        print(f"Indexed in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return StoredIndex(
        manifest, corpus.articles, tuple(sentences), tuple(passages), passage_vectors, vectors[len(passages) :]
    )


def _as_corpus_index(stored: StoredIndex, how: str, skipped: tuple[SkippedFile, ...]) -> CorpusIndex:
    return CorpusIndex(
        manifest=stored.manifest,
        articles={a.id: a for a in stored.articles},
        sentences=stored.sentences,
        passages=stored.passages,
        passage_vectors=stored.passage_vectors,
        sentence_vectors=stored.sentence_vectors,
        how=how,
        skipped=skipped,
    )
