"""Keep a folder's index in step with the folder, and load it.

The folder is the source of truth. :func:`open_index` reuses the saved index
when its manifest still matches the folder (corpus fingerprint), the model
(weights fingerprint) and this code's segmentation; otherwise it syncs: under
the index folder's lock, it compares each article's fingerprint with the saved
build's and makes the next build from the previous one, embedding only new and
changed articles (removed and changed articles lose their rows and vectors;
unchanged ones keep theirs and their ids). A new model or segmentation, a
damaged index or ``rebuild=True`` embeds everything afresh. How builds are
written and published atomically is in :mod:`index.store`.

Passage vectors live where ``store`` says (``index.vectors.parse_store``): FAISS in
the build folder by default, or Milvus. An index is reused only with the store it
was built for; asked for another, it is rebuilt there (with a warning). With no
store given, an existing index keeps whichever it has.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index import store
from index import store as index_store  # for functions whose `store` argument is a vector store
from index.articles import Article, Corpus, FileNote, SkippedFile, folder_signature, load_corpus
from index.embedder import Embedder
from index.lexical import BM25, STOP_WORDS, fold, terms, words
from index.passages import SEGMENTATION_VERSION, Passage, Sentence, split_article
from index.store import IndexCorruptError, Manifest, StoredIndex
from index.vectors import FAISS, PositionalVectors, StoreSpec, parse_store

logger = logging.getLogger(__name__)
_DOTTED_ACRONYM = re.compile(r"\b(?:[A-Za-z]\.){2,}")
_WORD_IN_TEXT = re.compile(r"[^\W\d_][\w&-]*")
_LETTERS = re.compile(r"[^\W\d_]+")


def _initials(publisher: str) -> list[str]:
    """The initials a publisher goes by: "South China Morning Post" is "SCMP", "The New York Times"
    "NYT", "Agence France-Presse" "AFP"; none for a name written in capitals ("BBC News"), or of
    one word."""
    found = []
    for name in re.split(r"[(),;/]", publisher):
        letters = [w for w in _LETTERS.findall(name) if w.lower() not in STOP_WORDS]
        if any(w.isupper() and len(w) > 1 for w in letters):
            continue
        initials = "".join(w[0] for w in letters if w[0].isupper())
        if len(initials) >= 2:
            found.append(initials)
    return found


@dataclass
class CorpusIndex:
    """A loaded index: articles, sentences, passages, their vectors and BM25.

    ``passages`` and ``sentences`` are addressed by position (articles in id order,
    then text order); ``passage_vectors`` searches and reconstructs by position
    whatever vector store holds them, and ``sentence_vectors[position]`` is a
    sentence's vector. ``how`` says how it was obtained: "built" (every article
    embedded), "updated" (only new and changed articles embedded) or "loaded";
    ``report`` says what the sync that produced it changed (None for :func:`load_index`).
    """

    manifest: Manifest
    articles: dict[str, Article]
    sentences: tuple[Sentence, ...]
    passages: tuple[Passage, ...]
    passage_vectors: PositionalVectors
    sentence_vectors: np.ndarray
    how: str
    skipped: tuple[SkippedFile, ...] = ()
    report: SyncReport | None = None
    build: str = ""  # the build folder's name: tells a newer build (another process synced) from this one
    bm25: BM25 = field(init=False)

    def __post_init__(self) -> None:
        self._labels: dict[str, str] = {}
        self.bm25 = BM25([f"{self.label(p.article_id)}\n{p.text}" for p in self.passages])
        ordinal = {article_id: n for n, article_id in enumerate(self.articles)}
        #: For each passage, the ordinal of its article (for article-level retrieval evidence).
        self.passage_article = np.fromiter((ordinal[p.article_id] for p in self.passages), np.int64, len(self.passages))
        self._vocabularies: dict[str, frozenset[str]] = {}
        self._terms: dict[int, tuple[tuple[str, ...], frozenset[str]]] = {}
        self._label_terms: dict[str, frozenset[str]] = {}
        self._sentence_starts: dict[tuple[str, int], int] | None = None
        self._names: frozenset[str] | None = None
        self._word_counts: dict[str, int] | None = None
        self._article_sentences: dict[str, range] | None = None

    @property
    def store(self) -> StoreSpec:
        """Where the passage vectors are (FAISS in the build folder, or Milvus)."""
        return self.manifest.store

    def close(self) -> None:
        """Let go of the vector store (a milvus-lite directory is then free for another process)."""
        close = getattr(self.passage_vectors.store, "close", None)
        if close is not None:
            close()

    def sentence_at(self, article_id: str, start: int) -> int | None:
        """Position in ``sentences`` of the sentence of ``article_id`` that starts at ``start``, if any."""
        if self._sentence_starts is None:
            self._sentence_starts = {(s.article_id, s.start): n for n, s in enumerate(self.sentences)}
        return self._sentence_starts.get((article_id, start))

    def article_sentences(self, article_id: str) -> range:
        """Positions in ``sentences`` of one article's sentences, in reading order (empty for an unknown id)."""
        if self._article_sentences is None:
            spans: dict[str, list[int]] = {}
            for n, sentence in enumerate(self.sentences):
                spans.setdefault(sentence.article_id, [n, n])[1] = n + 1
            self._article_sentences = {a: range(lo, hi) for a, (lo, hi) in spans.items()}
        return self._article_sentences.get(article_id, range(0))

    def sentence_terms(self, position: int) -> tuple[tuple[str, ...], frozenset[str]]:
        """The stemmed content words of the sentence at ``position``, in order and as a set (computed once)."""
        found = self._terms.get(position)
        if found is None:
            listed = tuple(terms(self.sentences[position].text))
            found = self._terms[position] = (listed, frozenset(listed))
        return found

    def label(self, article_id: str) -> str:
        """What names an article besides its text: its title, publisher and author, and the publisher's initials
        (computed once)."""
        label = self._labels.get(article_id)
        if label is None:
            article = self.articles[article_id]
            initials = [i for i in _initials(article.source) if i not in _LETTERS.findall(article.source)]
            parts = [article.title, article.source, article.author, *initials]
            label = self._labels[article_id] = "\n".join(p for p in parts if p)
        return label

    def label_terms(self, article_id: str) -> frozenset[str]:
        """The stemmed content words of an article's label: title, publisher, author (computed once)."""
        found = self._label_terms.get(article_id)
        if found is None:
            found = self._label_terms[article_id] = frozenset(terms(self.label(article_id)))
        return found

    def names(self) -> frozenset[str]:
        """Lower-cased words the articles write only with a capital, and not only first in a sentence:
        the names they use ("huawei", "sberbank"), so that a question typed in lower case still names
        them (computed once)."""
        if self._names is None:
            capitalized: set[str] = set()
            lower: set[str] = set()
            for sentence in self.sentences:
                for n, word in enumerate(_WORD_IN_TEXT.findall(sentence.text)):
                    if word[0].isupper():
                        if n > 0:
                            capitalized.add(word.lower())
                    elif word[0].isalpha():
                        lower.add(word)
            self._names = frozenset(w for w in capitalized - lower if len(w) > 1 and w not in STOP_WORDS)
        return self._names

    def word_counts(self) -> Mapping[str, int]:
        """How often each lower-cased word (letters only) occurs in the sentences and labels, a word with
        accents counting under its unaccented form too ("hervé" and "herve"; computed once)."""
        if self._word_counts is None:
            counts: Counter[str] = Counter()
            for text in [s.text for s in self.sentences] + [self.label(a) for a in self.articles]:
                counts.update(w.lower() for w in _LETTERS.findall(text))
            for word, count in list(counts.items()):
                if (folded := fold(word)) != word:
                    counts[folded] += count
            self._word_counts = dict(counts)
        return self._word_counts

    def article_vocabulary(self, article_id: str) -> frozenset[str]:
        """Every word (also without accents) and stemmed term of an article and its label (computed once)."""
        vocabulary = self._vocabularies.get(article_id)
        if vocabulary is None:
            # The label too: a question may name the article by its publisher ("the SCMP piece") or
            # author, which its text need not print. (A publisher's words then count as mentioned by
            # each of its articles: "Japan" by one from the Japan Times.)
            text = f"{self.label(article_id)}\n{self.articles[article_id].text}"
            # "U.S." also counts as the word "us", so a question about the "US" finds it.
            acronyms = {m.group(0).replace(".", "").lower() for m in _DOTTED_ACRONYM.finditer(text)}
            found = words(text)
            # Unaccented forms too, so that a question's "Gospic" finds "Gospić".
            vocabulary = frozenset(terms(text)) | frozenset(found) | {fold(w) for w in found} | acronyms
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


@dataclass(frozen=True)
class SyncReport:
    """What a sync did to the index, article by article, compared with the previous build.

    Attributes:
        added: Articles new in the folder.
        updated: Articles whose file (or metadata) changed: re-split and re-embedded.
        removed: Articles no longer in the folder: their passages and vectors are gone.
        unchanged: Articles kept as they were, vectors and ids included.
        skipped: Files of the folder that are not articles, and why.
        notes: How some articles were read, where a person should know (a text file's legacy encoding).
        rebuilt: Every article was embedded afresh (first build, a new model or segmentation,
            a damaged index, or ``rebuild=True``); the counts still compare with the previous build
            when it was readable.

    Example:
        >>> str(SyncReport(added=1, updated=0, removed=2, unchanged=997))
        '1 added, 0 updated, 2 removed, 997 unchanged'
    """

    added: int
    updated: int
    removed: int
    unchanged: int
    skipped: tuple[SkippedFile, ...] = ()
    rebuilt: bool = False
    notes: tuple[FileNote, ...] = ()

    def __str__(self) -> str:
        counts = f"{self.added} added, {self.updated} updated, {self.removed} removed, {self.unchanged} unchanged"
        return counts + (" (all embedded afresh)" if self.rebuilt and self.unchanged else "")


def open_index(
    folder: str | Path,
    embedder: Embedder,
    index_dir: str | Path | None = None,
    *,
    progress: bool = True,
    rebuild: bool = False,
    store: str | StoreSpec | None = None,
) -> CorpusIndex:
    """Load the saved index for ``folder`` if it is in step with the folder, else sync it first.

    Args:
        folder: Folder of articles.
        embedder: The model that embeds passages and sentences.
        index_dir: Where the index is saved; defaults to :func:`index_dir_for` the folder.
        progress: Show a progress bar while embedding.
        rebuild: Embed every article afresh even if the saved index is current.
        store: Where passage vectors live: "faiss", "milvus:DIR" or "http://host:19530"
            (see ``index.vectors.parse_store``); None keeps the saved index's (FAISS for a new one).

    Returns:
        The index; its ``report`` says what the sync changed and ``how`` is "loaded"
        (nothing to do), "updated" (only new and changed articles embedded) or "built".

    Raises:
        ValueError: if ``index_dir`` is the articles folder itself, or a file.
        CorpusError: if the folder holds no readable article.
    """
    target = Path(index_dir) if index_dir else index_dir_for(Path(folder))
    if target.expanduser().resolve() == Path(folder).expanduser().resolve():
        raise ValueError(
            f"the index folder {str(target)!r} is the articles folder itself; give the index a folder of its own "
            "(--index-dir), a subfolder of the articles folder if you like"
        )
    if target.exists() and not target.is_dir():
        raise ValueError(f"the index folder {str(target)!r} is a file; give the index a folder (--index-dir)")
    spec = parse_store(store) if store is not None else saved_store(target)
    corpus = load_corpus(folder, exclude=[target])  # an index kept inside the folder is not an article
    index_store.checkpoint("read")
    wanted = _wanted_manifest(corpus, embedder, spec)
    if not rebuild:
        loaded = _load_if_current(target, wanted, corpus)
        if loaded:
            return loaded
    with index_store.build_lock(target):
        if folder_signature(folder, exclude=[target]) != corpus.signature:
            # The folder changed since it was read, and another sync may have published what it
            # holds now: read it again, so that an older view never replaces a newer one.
            corpus = load_corpus(folder, exclude=[target])
            wanted = _wanted_manifest(corpus, embedder, spec)
        return _sync(corpus, embedder, target, wanted, progress=progress, rebuild=rebuild)


def saved_store(index_dir: str | Path) -> StoreSpec:
    """Where the saved index in ``index_dir`` keeps its passage vectors (FAISS when there is none yet)."""
    manifest = index_store.read_manifest(Path(index_dir))
    return manifest.store if manifest is not None else FAISS


def load_index(index_dir: str | Path, *, store: str | StoreSpec | None = None) -> CorpusIndex:
    """The index saved in ``index_dir`` as it is, without looking at its folder (e.g. after another process synced).

    Args:
        index_dir: The index folder.
        store: The vector store the caller expects (None: whichever the index has).

    Raises:
        IndexCorruptError: if there is no index there, it is damaged, or its vectors are in another store.
    """
    stored = _load(Path(index_dir), store)
    return _as_corpus_index(stored, "loaded", None)


def _load(target: Path, wanted_store: str | StoreSpec | None) -> StoredIndex:
    if wanted_store is not None:
        manifest = index_store.read_manifest(target)
        spec = parse_store(wanted_store)
        if manifest is not None and manifest.store != spec:
            raise IndexCorruptError(
                f"the index in {target} keeps its passage vectors in {manifest.store}, not {spec}: "
                f"run `qa index DIR --index-dir {target} --store {spec}` to build it there"
            )
    return store.load(target)


def _wanted_manifest(corpus: Corpus, embedder: Embedder, spec: StoreSpec = FAISS) -> dict:
    return {
        "format_version": store.FORMAT_VERSION,
        "model_name": embedder.name,
        "model_fingerprint": embedder.fingerprint,
        "dimension": embedder.dimension,
        "corpus_fingerprint": corpus.fingerprint,
        "segmentation_version": SEGMENTATION_VERSION,
        "vector_store": spec.kind,
        "vector_uri": spec.uri,
    }


def _load_if_current(target: Path, wanted: dict, corpus: Corpus) -> CorpusIndex | None:
    manifest = store.read_manifest(target)
    if manifest is None:
        return None
    stale = [key for key, value in wanted.items() if getattr(manifest, key) != value]
    if stale:
        logger.info("index in %s is out of date (%s changed); syncing", target, ", ".join(stale))
        return None
    try:
        stored = store.load(target)
    except IndexCorruptError:
        return None  # the sync that follows, under the lock, says what is wrong and rebuilds
    if any(getattr(stored.manifest, key) != value for key, value in wanted.items()):
        return None  # another process published a build between reading the manifest and loading
    if not store.shared_store_is_tidy(stored) or store.old_builds(target):
        # A killed sync left vectors to delete or an old build: tidy up now, unless a sync is running (it
        # will), or the index is not ours to change (read-only: it answers as it is).
        try:
            with store.build_lock(target, wait=False) as locked:
                if locked:
                    store.reconcile(target)
                    store.remove_old_builds(target)
        except OSError as error:
            logger.info("left the index in %s untidied: %s", target, error)
    report = SyncReport(0, 0, 0, len(stored.articles), corpus.skipped, notes=corpus.notes)
    return _as_corpus_index(stored, "loaded", report)


def _sync(corpus: Corpus, embedder: Embedder, target: Path, wanted: dict, *, progress: bool, rebuild: bool):
    """Bring the index in ``target`` in step with ``corpus``; the caller holds the build lock."""
    store.checkpoint("locked")
    spec = StoreSpec(wanted["vector_store"], wanted["vector_uri"])
    if saved_store(target) == spec:
        store.reconcile(target)  # what a killed sync left in a shared store
    base, extendable = _previous_build(target, wanted)
    full = rebuild or not extendable
    old = {a.id: a.fingerprint for a in base.articles} if base else {}
    new = {a.id: a for a in corpus.articles}
    added = [i for i in new if i not in old]
    updated = [i for i in new if i in old and old[i] != new[i].fingerprint]
    removed = [i for i in old if i not in new]
    report = SyncReport(
        len(added),
        len(updated),
        len(removed),
        len(new) - len(added) - len(updated),
        corpus.skipped,
        rebuilt=full,
        notes=corpus.notes,
    )
    if not full and not (added or updated or removed):
        # Another process synced while we waited for the lock, or only skipped files changed. (When
        # just the manifest's note of the folder is out of date, a copy with a fresh manifest follows.)
        if all(getattr(base.manifest, key) == value for key, value in wanted.items()):
            return _as_corpus_index(base, "loaded", report)

    started = time.perf_counter()
    changed = set(added) | set(updated)
    to_embed = list(corpus.articles) if full else [a for a in corpus.articles if a.id in changed]
    draft = store.Draft(target, embedder.dimension, base=None if full else base.build, store=spec)
    try:
        store.checkpoint("copied")
        if not full:
            draft.remove_articles(removed + updated)
        pieces = [(article, *split_article(article)) for article in to_embed]
        n_passages = sum(len(p) for _, _, p in pieces)
        n_sentences = sum(len(s) for _, s, _ in pieces)
        if progress and pieces:
            n = len(corpus.articles) if full else len(to_embed)
            what = f"{n} {'' if full else 'new or changed '}article{'s' if n != 1 else ''}"
            print(
                f"Indexing {what} from {corpus.folder}: {n_passages} passages, {n_sentences} sentences",
                file=sys.stderr,
            )
        # One encode call for both kinds of text keeps the model's batches full.
        texts = [f"{a.title}. {p.text}" for a, _, passages in pieces for p in passages]
        texts += [s.text for _, sentences, _ in pieces for s in sentences]
        vectors = embedder.encode(texts, progress=progress) if texts else np.zeros((0, embedder.dimension), np.float32)
        store.checkpoint("embedded")
        passage_at, sentence_at = 0, n_passages
        for article, sentences, passages in pieces:
            draft.add_article(
                article,
                sentences,
                passages,
                vectors[sentence_at : sentence_at + len(sentences)],
                vectors[passage_at : passage_at + len(passages)],
            )
            passage_at += len(passages)
            sentence_at += len(sentences)
        n_articles, n_passages, n_sentences = draft.counts()
        manifest = Manifest(
            corpus_folder=str(corpus.folder),
            n_articles=n_articles,
            n_passages=n_passages,
            n_sentences=n_sentences,
            **wanted,
        )
        build = draft.publish(manifest)
    except BaseException:
        draft.discard()
        raise
    if progress:
        print(f"Indexed in {time.perf_counter() - started:.1f} s ({report})", file=sys.stderr)
    return _as_corpus_index(store.load_build(build, verify=False), "built" if full else "updated", report)


def _previous_build(target: Path, wanted: dict) -> tuple[StoredIndex | None, bool]:
    """The current build (None if there is none or it is damaged), and whether it can be extended."""
    store.remove_stale_temporaries(target)  # left by a writer that died; we hold the lock
    store.remove_old_builds(target)
    if not (target / "CURRENT").exists():
        return None, False
    manifest = store.read_manifest(target)
    if manifest is not None and manifest.format_version != store.FORMAT_VERSION:
        logger.info(
            "index in %s has format %s, not %s; rebuilding", target, manifest.format_version, store.FORMAT_VERSION
        )
        return None, False
    try:
        base = store.load(target)
    except IndexCorruptError as error:
        logger.warning("%s; rebuilding the index from the articles", error)
        return None, False
    stale = [
        k
        for k in ("model_name", "model_fingerprint", "dimension", "segmentation_version")
        if getattr(base.manifest, k) != wanted[k]
    ]
    if stale:
        logger.info("index in %s was made with another %s; rebuilding", target, " and ".join(stale))
        return base, False
    wanted_store = StoreSpec(wanted["vector_store"], wanted["vector_uri"])
    if base.manifest.store != wanted_store:
        logger.warning(
            "index in %s keeps its passage vectors in %s, not %s; embedding every article again into %s",
            target,
            base.manifest.store,
            wanted_store,
            wanted_store,
        )
        return base, False
    return base, True


def _as_corpus_index(stored: StoredIndex, how: str, report: SyncReport | None) -> CorpusIndex:
    return CorpusIndex(
        manifest=stored.manifest,
        articles={a.id: a for a in stored.articles},
        sentences=stored.sentences,
        passages=stored.passages,
        passage_vectors=stored.passage_vectors,
        sentence_vectors=stored.sentence_vectors,
        how=how,
        skipped=report.skipped if report else (),
        report=report,
        build=stored.build.name,
    )
