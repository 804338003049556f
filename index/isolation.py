"""Turn HTML, PDF, Word, OpenDocument and RTF files into text in a worker process, each file within a time budget.

A parser can take minutes on a pathological file (a PDF whose pages share one huge content
stream, a page of 100,000 nested tags) or crash the process it runs in. Run in a worker, such a
file costs at most ``budget`` seconds and is then skipped with a reason; the worker is killed
and a fresh one serves the next file. Everything else about reading a file (links, sizes,
metadata files) stays in the calling process; one worker serves a whole folder, started only
when the folder holds a file that needs it (bench/RESULTS.md, "One bad file", gives the cost).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO

from index.articles import ArticleFileError, extract_document

#: Seconds one file may take to extract.
DEFAULT_BUDGET = 30.0
#: Seconds the worker may take to start (an interpreter and the module), before any file is sent.
STARTUP_SECONDS = 60.0
# The libraries ``extract_document`` imports for each kind of file.
_PARSERS = ("lxml.html", "trafilatura", "pypdf", "docx", "striprtf.striprtf")


class IsolatedExtractor:
    """Runs :func:`index.articles.extract_document` in a worker process.

    Use as a context manager; the worker starts on the first :meth:`extract` and stops on exit.

    Args:
        budget: Seconds one file may take before it is skipped (``DEFAULT_BUDGET`` if None).
    """

    def __init__(self, budget: float | None = None) -> None:
        self.budget = DEFAULT_BUDGET if budget is None else budget
        self._process: subprocess.Popen | None = None
        self._connection: tuple[Connection, Connection] | None = None
        self._errors: IO[bytes] | None = None
        self._broken = ""  # why the worker cannot start, once it has failed to

    def __enter__(self) -> IsolatedExtractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def extract(self, suffix: str, data: bytes) -> tuple[str, dict[str, str], bytes]:
        """What ``extract_document(suffix, data)`` returns, computed in the worker.

        Raises:
            ArticleFileError: if the file holds no article, extraction fails in any way, it takes
                longer than the budget, or the worker cannot start.
        """
        requests, replies = self._start()
        try:
            requests.send((suffix, data))
            if not replies.poll(self.budget):
                self._stop()
                raise ArticleFileError(
                    f"reading it took longer than {self.budget:g} s (a damaged or pathological file?); not indexed"
                )
            kind, value = replies.recv()
        except (EOFError, OSError):
            why = self._last_error()
            self._stop()
            raise ArticleFileError(f"the process reading it died{why}; not indexed") from None
        if kind == "error":
            raise ArticleFileError(value)
        return value

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(OSError):
                self._connection[0].send(None)
        self._stop(wait=True)

    def _start(self) -> tuple[Connection, Connection]:
        if self._broken:
            raise ArticleFileError(self._broken)
        if self._process is not None and self._process.poll() is None:
            return self._connection
        self._stop()
        # A fresh interpreter, not multiprocessing: a forked child would inherit the caller's model
        # threads, and a spawned one would run the caller's main script again. -P: modules in the
        # current directory (an ``index.py`` of the user's) are not imported in place of ours.
        to_worker, from_us = os.pipe()
        from_worker, to_us = os.pipe()
        here = str(Path(__file__).resolve().parents[1])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))}
        self._errors = tempfile.TemporaryFile()
        command = [sys.executable, "-P", "-m", "index.isolation", str(to_worker), str(to_us), str(os.getpid())]
        try:
            self._process = subprocess.Popen(
                command,
                pass_fds=(to_worker, to_us),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._errors,
                env=env,
            )
        except OSError as error:
            self._broken = f"the process that reads pages cannot start ({error}); not indexed"
            raise ArticleFileError(self._broken) from None
        finally:
            os.close(to_worker)
            os.close(to_us)
        self._connection = (Connection(from_us, readable=False), Connection(from_worker, writable=False))
        replies = self._connection[1]
        try:  # the budget counts from here: the worker says when it is ready
            ready = replies.poll(STARTUP_SECONDS) and replies.recv() == ("ready", None)
        except (EOFError, OSError):
            ready = False
        if not ready:
            self._broken = f"the process that reads pages did not start{self._last_error()}; not indexed"
            self._stop()
            raise ArticleFileError(self._broken)
        return self._connection

    def _last_error(self) -> str:
        """The last line the worker wrote to its standard error, as ": LINE" ("" if none)."""
        if self._process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=1)
        if self._errors is None:
            return ""
        self._errors.seek(0, os.SEEK_END)
        self._errors.seek(max(0, self._errors.tell() - 2000))
        lines = self._errors.read().decode("utf-8", "replace").strip().splitlines()
        return f": {lines[-1].strip()[:200]}" if lines else ""

    def _stop(self, wait: bool = False) -> None:
        process, self._process = self._process, None
        connection, self._connection = self._connection, None
        errors, self._errors = self._errors, None
        if connection is not None:
            for end in connection:
                end.close()
        if process is not None:
            if wait:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=2)
            if process.poll() is None:
                process.kill()
            process.wait()
        if errors is not None:
            errors.close()


def _serve(requests: Connection, replies: Connection, parent: int) -> None:
    """The worker: extract each file it is sent; reply ("ok", result) or ("error", one-line reason).

    It exits when the process that started it is gone (killed even), not only when told to.
    """
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    for parser in _PARSERS:  # imported before "ready": a file's budget is for reading it only
        with contextlib.suppress(ImportError):
            importlib.import_module(parser)
    replies.send(("ready", None))
    while True:
        try:
            task = requests.recv()
        except EOFError:
            return
        if task is None:
            return
        try:
            reply = ("ok", extract_document(*task))
        except ArticleFileError as error:
            reply = ("error", str(error))
        except Exception as error:  # noqa: BLE001 - any failure of one file is a skip, never a failed sync
            reply = ("error", unexpected_failure(error))
        replies.send(reply)


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def unexpected_failure(error: BaseException) -> str:
    """A one-line skip reason for a failure no check foresaw (a parser's own error, a recursion too deep)."""
    message = " ".join(str(error).split())[:200]
    return f"could not be read ({type(error).__name__}{': ' + message if message else ''}); not indexed"


if __name__ == "__main__":
    _serve(Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False), int(sys.argv[3]))
