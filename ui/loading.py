"""Open a QA's index and load its models in the background, so the page comes up at once; then choose the
example questions a folder of one's own answers."""

from __future__ import annotations

import logging
import threading
import time

from index.articles import CorpusError
from qa.api import QA
from qa.wording import count
from ui.examples import answered, candidate_questions

logger = logging.getLogger(__name__)


class IndexLoader:
    """Opens ``bot.index`` (building it the first time) and loads the models, in a thread; for a folder of
    one's own, then asks the candidate example questions (``ui.examples``) and keeps those answered in
    ``examples``, chosen for the index build ``examples_build`` (the built-in articles have their own).

    Questions asked meanwhile simply wait for ``QA``'s own lock; the loader only lets the
    page say what is happening.

    Example:
        >>> loader = IndexLoader(QA()).start()
        >>> loader.wait(60), loader.status()
        (True, 'Ready: 3 articles. Every answer is quoted from one of them.')
    """

    def __init__(self, bot: QA) -> None:
        self.bot = bot
        self.error: str | None = None
        self.articles = 0
        self.examples: list[str] = []
        self.examples_build = ""
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> IndexLoader:
        """Start loading (once); returns self."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._load, name="qa-index-loader", daemon=True)
            self._thread.start()
        return self

    @property
    def done(self) -> bool:
        """True once loading finished, well or not."""
        return self._done.is_set()

    @property
    def ready(self) -> bool:
        """True once the index and the model are loaded."""
        return self.done and self.error is None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until loading finished; True if it finished well."""
        self._done.wait(timeout)
        return self.ready

    def status(self) -> str:
        """One line for the page: loading, ready, or what went wrong.

        Once ready it counts the articles of the index in use now: after an upload, a re-scan, or
        ``qa index`` run in another process (``QA.latest_index`` picks up the newer build).
        """
        if not self.done:
            return "Loading the model and index… (the first start builds the index; questions wait for it)"
        if self.error is not None:
            return f"Could not open the articles: {self.error}"
        self.articles = len(self.bot.latest_index().articles)
        return f"Ready: {count(self.articles, 'article')}. Every answer is quoted from one of them."

    def _load(self) -> None:
        began = time.monotonic()
        try:
            if self._open() and not self.bot.builtin:
                self.choose_examples()
        finally:
            logger.info("model and index ready in %.1f s", time.monotonic() - began)
            self._done.set()

    def reopen(self) -> None:
        """After the page synced the folder (an upload, a re-scan): ready once the index is open, even where
        the first opening failed (a folder with no article in it yet), and for a folder of one's own, the
        example questions chosen anew for the articles now in it."""
        self.wait()  # an upload made while loading: the loader's own run first
        if self._open() and not self.bot.builtin:
            self.choose_examples()

    def _open(self) -> bool:
        """Open the index (on the first call: sync and load it) and load the model; False, with ``error`` set,
        when that fails."""
        try:
            self.articles = len(self.bot.index.articles)
            self.bot.embedder.encode(["warm up the model before the first question"])
        except CorpusError as error:  # the person's folder: one line here, the same on the page
            logger.warning("could not open the articles: %s", error)
            self.error = str(error)
            return False
        except Exception as error:  # shown on the page; the CLI keeps serving so the person can read it
            logger.exception("opening the index failed")
            self.error = f"{type(error).__name__}: {error}"
            return False
        self.error = None
        return True

    def choose_examples(self) -> None:
        """Keep the candidate example questions the index now in use answers (asking them also loads the
        reader): after loading, and again after an upload or a re-scan changed the articles. None when asking
        fails: the page then offers no examples, and works."""
        try:
            index = self.bot.index
            if index.build == self.examples_build:
                return
            examples = answered(self.bot, candidate_questions(list(index.articles.values())))
        except Exception:
            logger.exception("asking the example questions failed")
            self.examples, self.examples_build = [], ""
            return
        if self.bot.index is index:  # else a sync meanwhile made a newer index, whose examples follow
            self.examples, self.examples_build = examples, index.build
