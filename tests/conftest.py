"""Shared fixtures: a fast deterministic fake embedder, and the real model's QA over the built-in articles."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

REPO = Path(__file__).resolve().parents[1]
SHARED_CORPUS = REPO.parent / "shared" / "corpus"


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


@pytest.fixture(scope="session")
def real_qa(tmp_path_factory):
    """QA over the built-in articles with the real MiniLM model, its index in a temporary folder."""
    from qa import QA

    bot = QA(index_dir=tmp_path_factory.mktemp("builtin-index"), progress=False)
    bot.index  # build once for the whole session
    return bot
