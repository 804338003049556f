"""The public API: ``ask``, ``get_article`` and ``QA`` for a folder of one's own articles."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import store
from index.articles import Article, CorpusError, SkippedFile, load_corpus, other_files
from index.build import CorpusIndex, SyncReport, index_dir_for, load_index, open_index
from index.embedder import Embedder, MiniLMEmbedder
from index.vectors import VectorStoreUnavailableError, parse_store
from qa.answer import Answer, Citation
from qa.byline import byline_field, byline_sentence
from qa.config import BUILTIN_CORPUS, DEFAULT_SETTINGS, Settings
from qa.conversation import Turn, build_query, earlier_turns, last_answered, leans_on_context, subject_names
from qa.mentions import lacks_a_name, missing_share
from qa.pick import Candidate, candidates
from qa.query import Query
from qa.questions import as_question, clean_question
from qa.reader import Reader
from qa.retrieve import RetrievedPassage, retrieve
from qa.spelling import mend_spelling

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Trace:
    """How an answer was found.

    Attributes:
        passages: The retrieved passages, best first.
        candidates: The reader's spans in the passages it read, most probable first (empty for an
            answer from an article's metadata).
    """

    passages: list[RetrievedPassage]
    candidates: list[Candidate]


class QA:
    """Question answering over one folder of articles.

    Construction is cheap: on the first question the index is brought in step with
    the folder (new and changed articles embedded, removed ones dropped) and loaded.
    Later, a newer build published by another process (``qa index DIR``) is picked
    up before the next answer; :meth:`sync` looks at the folder again.

    Args:
        folder: Folder of .txt, .md, .html, .pdf, .docx, .odt and .rtf articles (.markdown, .htm and web pages
            saved as one file too); the built-in Huawei articles when None.
        index_dir: Where to keep the index; by default a folder under the user's cache.
        embedder: The embedding model; all-MiniLM-L6-v2 by default, shared by every QA.
        reader: The span reader; the trained one shipped in the package by default, shared by every QA.
        settings: Retrieval and extraction settings.
        progress: Show progress while building the index.
        store: Where the passage vectors live: "faiss" (a file in the index, the default for a new
            index), "milvus:DIR" (a milvus-lite directory, one process at a time) or
            "http://host:19530" (a Milvus server). None keeps whichever the saved index has.

    Example:
        >>> bot = QA()  # the built-in articles; QA("path/to/folder") for your own
        >>> bot.ask("Which Russian bank did Huawei partner with?").text[:60]
        'In March, Huawei also partnered with Sberbank, a Russian sta'
        >>> QA("path/to/folder", store="milvus:./vectors").ask("Who founded the company?")  # same, on Milvus
    """

    def __init__(
        self,
        folder: str | Path | None = None,
        *,
        index_dir: str | Path | None = None,
        embedder: Embedder | None = None,
        reader: Reader | None = None,
        settings: Settings = DEFAULT_SETTINGS,
        progress: bool = True,
        store: str | None = None,
    ) -> None:
        self.folder = Path(folder) if folder is not None else BUILTIN_CORPUS
        self.index_dir = Path(index_dir) if index_dir is not None else None
        self.store = parse_store(store) if store is not None else None  # a bad setting fails here, not later
        self.embedder = embedder or _shared_embedder()
        self.reader = reader or Reader()
        self.settings = settings
        self.progress = progress
        self._index: CorpusIndex | None = None
        self._lock = threading.Lock()
        self._checked_at = time.monotonic()
        self._unloadable = ""
        self._skipped: tuple[str, tuple[SkippedFile, ...]] | None = None  # (build, its skipped files)

    @property
    def builtin(self) -> bool:
        """Whether this asks the built-in articles, which live inside the installed package and never change."""
        return self.folder.resolve() == BUILTIN_CORPUS.resolve()

    @property
    def index(self) -> CorpusIndex:
        """The opened index (on first use: synced with the folder, then loaded)."""
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = open_index(
                        self.folder, self.embedder, self.index_dir, progress=self.progress, store=self.store
                    )
        return self._index

    def sync(self, *, rebuild: bool = False) -> SyncReport:
        """Bring the index in step with the folder now: embed new and changed articles, drop removed ones.

        Args:
            rebuild: Embed every article afresh, even unchanged ones.

        Returns:
            How many articles were added, updated, removed and left unchanged, and the skipped files.

        Example:
            >>> bot = QA("path/to/folder")
            >>> print(bot.sync())  # after adding one article to a folder of three
            1 added, 0 updated, 0 removed, 3 unchanged
        """
        return self.refresh(rebuild=rebuild).report

    def refresh(self, *, rebuild: bool = False) -> CorpusIndex:
        """:meth:`sync`, returning the new index (its ``report`` is what ``sync`` returns)."""
        with self._lock:
            self._index = open_index(
                self.folder, self.embedder, self.index_dir, progress=self.progress, rebuild=rebuild, store=self.store
            )
        return self._index

    def reload(self) -> CorpusIndex:
        """Load the index as saved now, without looking at the folder.

        For a long-running process (the chat page) after another process synced the folder.

        Raises:
            index.store.IndexCorruptError: if there is no saved index yet, or it is damaged.
        """
        index = load_index(self.index_dir or index_dir_for(self.folder), store=self.store)
        with self._lock:
            self._index = index
        return index

    @property
    def skipped(self) -> tuple[SkippedFile, ...]:
        """The files of the folder that are not articles, and why, as of the index in use.

        The sync that made the index knows them; after :meth:`reload` (another process synced)
        the folder is read once more, without warning again.
        """
        index = self.index
        if index.report is not None:
            return index.report.skipped
        if self._skipped is None or self._skipped[0] != index.build:
            exclude = [self.index_dir or index_dir_for(self.folder)]
            try:
                skipped = load_corpus(self.folder, exclude=exclude, warn=False).skipped
            except CorpusError:  # the folder has emptied since that build: nothing to list as skipped
                skipped = ()
            self._skipped = (index.build, skipped)
        return self._skipped[1]

    def other_files(self) -> list[str]:
        """The folder's files not read because of their type (``story.pages``), as paths relative to it."""
        return other_files(self.folder, exclude=[self.index_dir or index_dir_for(self.folder)])

    def close(self) -> None:
        """Let go of the index and its vector store; the next question opens them again.

        Needed only with a milvus-lite store, which one process at a time may open: after
        ``close()`` another process (``qa index``) can use its directory.
        """
        with self._lock:
            index, self._index = self._index, None
        if index is not None:
            index.close()

    def get_article(self, article_id: str) -> Article:
        """The article with this id, its text exactly as in its file.

        Raises:
            KeyError: if no article has this id.
        """
        if not isinstance(article_id, str):
            raise TypeError(f"article_id must be a string, not {type(article_id).__name__}")
        try:
            return self.index.articles[article_id]
        except KeyError:
            known = ", ".join(sorted(self.index.articles)[:5])
            raise KeyError(f"no article with id {article_id!r} in {self.folder} (ids look like: {known})") from None

    def context(self, citation: Citation) -> tuple[str, str]:
        """The sentences just before and just after a citation's quote, in its article ("" at an edge)."""
        index = self.index
        position = index.sentence_at(citation.article_id, citation.start)
        if position is None:  # not one of our sentences: look through the article's
            sentences = [s for s in index.sentences if s.article_id == citation.article_id]
            before = [s.text for s in sentences if s.end <= citation.start]
            after = [s.text for s in sentences if s.start >= citation.end]
            return (before[-1] if before else "", after[0] if after else "")
        last = position
        while last + 1 < len(index.sentences) and index.sentences[last].end < citation.end:
            last += 1  # a quote may span several sentences

        def text_at(n: int) -> str:
            inside = 0 <= n < len(index.sentences) and index.sentences[n].article_id == citation.article_id
            return index.sentences[n].text if inside else ""

        return text_at(position - 1), text_at(last + 1)

    def ask(self, question: str, history: Sequence[str | Answer] | None = None) -> Answer:
        """Answer ``question`` with a verbatim quote from one article, or say there is no answer.

        Args:
            question: The question, in plain English.
            history: Earlier turns of the same conversation, oldest first: the
                ``Answer`` objects returned for them (or just their questions), so
                that a follow-up such as "Who announced it?" is understood. A question
                that names its own subject and does not refer back ("Who founded
                Sberbank?") is answered as if asked alone (see ``leans_on_context``).

        Raises:
            TypeError: if ``question`` is not a string.
            ValueError: if it is empty or too long.
        """
        return self.ask_traced(question, history)[0]

    def ask_traced(self, question: str, history: Sequence[str | Answer] | None = None) -> tuple[Answer, Trace]:
        """``ask``, also returning how the answer was found (for evaluation, fitting and debugging)."""
        typed = clean_question(question)
        turns = earlier_turns(history)  # checked even when not used
        index = self.latest_index()
        # What the models read; the answer keeps the question as typed, and says how it was read
        # when a word was taken for a typo.
        counts, names = index.word_counts(), index.names()
        asked = as_question(typed)
        question = mend_spelling(asked, counts, names)
        read_as = question if question != asked else ""
        turns = [dataclasses.replace(t, question=mend_spelling(t.question, counts, names)) for t in turns]
        if turns and not leans_on_context(question, names):
            # A question that names its own subject and does not refer back starts afresh: the
            # conversation's words would only pull it towards the last answer's article.
            turns = []
        question_vector = self.embedder.encode([question])[0]
        weight = self.settings.context_weight
        if turns and _moved_on(index, last_answered(turns), question, question_vector, self.settings):
            # "And in Russia, how large is the market?" after an answer from an article that never
            # mentions Russia: the conversation has moved on, and its words count less.
            weight *= self.settings.moved_on_share
        query = build_query(question, question_vector, turns, self.embedder, weight)
        passages = retrieve(index, query, self.settings)
        threshold = self.settings.followup_threshold if turns else self.settings.answer_threshold
        field = byline_field(question, in_conversation=bool(turns))
        if field is not None:
            byline = _byline_answer(index, question, passages[: self.settings.reader_passages], field)
            if byline is not None:
                return dataclasses.replace(byline, question=typed, read_as=read_as), Trace(passages, [])
        found = candidates(index, query, passages, self.reader, self.settings)
        trace = Trace(passages, found)
        if not found:
            return Answer(typed, "", True, 0.0, [], read_as=read_as), trace
        citations = [_citation(index, c) for c in _distinct(found, self.settings.max_citations)]
        sure = round(found[0].probability, 4)
        if sure < threshold:
            return Answer(typed, "", True, sure, citations, read_as=read_as), trace
        best = citations[0]
        return Answer(typed, best.quote, False, sure, citations, best.short_answer, read_as), trace

    def latest_index(self) -> CorpusIndex:
        """The index, reloaded first if another process has published a newer build (checked once a second).

        A chat page left running picks up ``qa index DIR`` run elsewhere without a restart;
        if the new build cannot be loaded, the one in use keeps answering.
        """
        index = self.index
        now = time.monotonic()
        if now - self._checked_at < 1.0:
            return index
        self._checked_at = now
        newest = store.current_build(self.index_dir or index_dir_for(self.folder))
        if newest is None or newest.name in (index.build, self._unloadable):
            return index
        try:
            return self.reload()
        except (store.IndexCorruptError, VectorStoreUnavailableError) as error:
            self._unloadable = newest.name  # warned once; tried again only when yet another build appears
            logger.warning("kept the index in use: the newer build could not be loaded (%s)", error)
            return index


def _moved_on(
    index: CorpusIndex, last: Turn | None, question: str, question_vector: np.ndarray, settings: Settings
) -> bool:
    """Whether a follow-up has left the article of the last answer (``last``) for another.

    It has when it names something that article never mentions ("And in Russia?" after an
    answer from an article without Russia), or when it gives a name or a number of its own (not
    a role or a technology, see ``subject_names``) and, asked alone, finds another article first:
    "And what did it do in Paris in 2019?" after an answer from an article that names Paris only
    in a photo caption. The earlier turns' words then point to the article the conversation left.
    """
    if last is None or last.article_id not in index.articles:
        return False
    if lacks_a_name(index, last.article_id, question):
        return True
    if not subject_names(question):
        return False
    found = retrieve(index, Query(question, question_vector), settings)
    return bool(found) and index.passages[found[0].position].article_id != last.article_id


def _citation(index: CorpusIndex, candidate: Candidate) -> Citation:
    first = index.sentences[candidate.first_sentence]
    last = index.sentences[candidate.last_sentence]
    article = index.articles[first.article_id]
    return Citation(
        article_id=article.id,
        title=article.title,
        source=article.source,
        date=article.date,
        quote=article.text[first.start : last.end],
        start=first.start,
        end=last.end,
        score=round(candidate.probability, 4),
        answer_start=candidate.start,
        answer_end=candidate.end,
    )


def _distinct(found: list[Candidate], limit: int) -> list[Candidate]:
    """The best candidates, at most one per sentence, so citations point to different places."""
    chosen: list[Candidate] = []
    sentences: set[int] = set()
    for candidate in found:
        if candidate.first_sentence in sentences:
            continue
        chosen.append(candidate)
        sentences.add(candidate.first_sentence)
        if len(chosen) == limit:
            break
    return chosen


def _byline_answer(index: CorpusIndex, question: str, passages: list[RetrievedPassage], field: str) -> Answer | None:
    """The answer to a question about an article itself (who wrote it, when, which outlet), from its metadata.

    The article meant is the first of the retrieved passages' articles that mentions every name the
    question gives ("the CFR piece on Huawei in Russia"); None when none does, or when it does not print the
    asked-for value (an author only in a web page's metadata): another article's byline is not its answer.
    """
    for retrieved in passages:
        article_id = index.passages[retrieved.position].article_id
        if missing_share(index, article_id, question) > 0:
            continue
        found = byline_sentence(index, article_id, field)
        if found is None:
            return None
        position, start, end = found
        sentence = index.sentences[position]
        article = index.articles[article_id]
        citation = Citation(
            article.id,
            article.title,
            article.source,
            article.date,
            sentence.text,
            sentence.start,
            sentence.end,
            1.0,
            start,
            end,
        )
        # The metadata states the value; what is uncertain is only whether this is the article meant.
        return Answer(question, sentence.text, False, 1.0, [citation], citation.short_answer)
    return None


_default_lock = threading.Lock()
_default_qa: QA | None = None
_embedder: MiniLMEmbedder | None = None


def _shared_embedder() -> MiniLMEmbedder:
    global _embedder
    if _embedder is None:
        _embedder = MiniLMEmbedder()
    return _embedder


def default_qa() -> QA:
    """The shared QA over the built-in articles."""
    global _default_qa
    with _default_lock:
        if _default_qa is None:
            _default_qa = QA()
        return _default_qa


def ask(question: str, history: Sequence[str | Answer] | None = None) -> Answer:
    """Answer a question from the built-in articles (``history``: earlier turns, see ``QA.ask``).

    Example:
        >>> a = ask("How much will Huawei invest in its Paris OpenLab?")
        >>> a.text
        'Huawei said it will invest 35 million Euros in its Paris OpenLab over five years.'
        >>> a.short_answer
        '35 million Euros'
    """
    return default_qa().ask(question, history)


def get_article(article_id: str) -> Article:
    """The built-in article with this id (see ``Citation.article_id``)."""
    return default_qa().get_article(article_id)
