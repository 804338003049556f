"""Shared fixtures: a fast deterministic fake embedder, and the real model's QA over the built-in articles."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

REPO = Path(__file__).resolve().parents[1]


class FakeEmbedder:
    """Hashed bag of words: deterministic, instant, and similar texts get similar vectors."""

    name = "fake-bag-of-words"
    dimension = 64

    def __init__(self, fingerprint: str = "fake-v1") -> None:
        self._fingerprint = fingerprint
        self.encoded = 0  # texts encoded so far: lets tests tell a rebuild from a reload

    @property
    def fingerprint(self) -> str:
        return self._fingerprint

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        self.encoded += len(texts)
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                vectors[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def qa_over(tmp_path, fake_embedder):
    """Make a QA, with the fake embedder, over a new folder of the given articles ({file name: text})."""
    from qa import QA

    def make(articles: dict[str, str]) -> QA:
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        for name, text in articles.items():
            (corpus / name).write_text(text, "utf-8")
        return QA(corpus, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)

    return make


# --- A small folder of two made-up articles, for the index lifecycle and sync tests ---

LYON = (
    "Acme opens a lab in Lyon\n\n"
    "Acme will invest 10 million euros in its Lyon lab over five years. "
    "The lab will open in May 2024 and employ 40 engineers.\n\n"
    "The mayor of Lyon welcomed the investment. She said the city had courted Acme for two years.\n"
)
NANTES = (
    "Zed buys a bakery in Nantes\n\n"
    "Zed bought a family bakery in Nantes for 2 million euros on Tuesday. "
    "The bakery bakes 500 croissants a day and has 12 staff.\n"
)


@pytest.fixture
def folder(tmp_path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "lyon.txt").write_text(LYON, "utf-8")
    (corpus / "nantes.txt").write_text(NANTES, "utf-8")
    return corpus


@pytest.fixture
def index_dir(tmp_path) -> Path:
    return tmp_path / "index"


@pytest.fixture(scope="session")
def real_qa(tmp_path_factory):
    """QA over the built-in articles with the real MiniLM model, its index in a temporary folder."""
    from qa import QA

    bot = QA(index_dir=tmp_path_factory.mktemp("builtin-index"), progress=False)
    bot.index  # build once for the whole session
    return bot


# --- The chat page (tests/test_ui_*.py): Debian's chromium through Playwright, `qa chat` as a subprocess ---

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches Debian's chromium: browsers cannot be downloaded here."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail("chromium is not installed: run `make install` (it runs `apt-get install -y chromium`)")
    return {**browser_type_launch_args, "executable_path": chromium, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


@dataclass
class ChatServer:
    """A running `qa chat` and where to reach it."""

    url: str
    process: subprocess.Popen
    log: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serve_chat(*options: str, log: Path, timeout: float = 120.0):
    """Run `qa chat OPTIONS --port FREE` until the block ends; yields a ChatServer once the page answers HTTP."""
    port = free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    command = [sys.executable, "-m", "qa", "chat", *options, "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                pytest.fail(f"`qa chat` exited with {process.returncode}:\n{log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"`qa chat` did not serve {url} within {timeout:.0f} s:\n{log.read_text(errors='replace')}")
            time.sleep(0.25)
        yield ChatServer(url, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def chat_server(real_qa, tmp_path_factory):
    """`qa chat` on the built-in articles, sharing real_qa's index (so answers can be compared exactly)."""
    log = tmp_path_factory.mktemp("chat") / "qa-chat.log"
    with serve_chat("--index-dir", str(real_qa.index_dir), log=log) as server:
        yield server


def extraction_workers(parent: int) -> list[int]:
    """The ids of the running extraction workers (``index.isolation``) that the process ``parent`` started."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"index.isolation" in argv and argv[-2:-1] == [str(parent).encode()]:
            found.append(int(entry.name))
    return found
