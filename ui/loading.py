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
    ``examples`` (the built-in articles have their own).

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
            self.articles = len(self.bot.index.articles)
            self.bot.embedder.encode(["warm up the model before the first question"])
            if not self.bot.builtin:
                self.examples = self._answered_examples()
        except CorpusError as error:  # the person's folder: one line here, the same on the page
            logger.warning("could not open the articles: %s", error)
            self.error = str(error)
        except Exception as error:  # shown on the page; the CLI keeps serving so the person can read it
            logger.exception("opening the index failed")
            self.error = f"{type(error).__name__}: {error}"
        finally:
            logger.info("model and index ready in %.1f s", time.monotonic() - began)
            self._done.set()

    def _answered_examples(self) -> list[str]:
        """The candidate example questions the folder answers (asking them also loads the reader); none when
        asking fails: the page then offers no examples, and works."""
        try:
            return answered(self.bot, candidate_questions(list(self.bot.index.articles.values())))
        except Exception:
            logger.exception("asking the example questions failed")
            return []
