"""The embedding model: the ONNX runtime gives the torch model's vectors, and a damaged export is remade."""

from __future__ import annotations

import numpy as np
import pytest

from index import embedder as embedder_module
from index.embedder import MiniLMEmbedder

TEXTS = [
    "Huawei said it will invest 35 million Euros in its Paris OpenLab over five years.",
    "How much will Huawei invest in its Paris OpenLab?",
    "Who announced it?",
    "Ça coûte 35 millions d’euros — “quotes”, emoji 🙂 and numbers 1,000,000.",
    "word " * 400,  # longer than the model's 256 tokens: both runtimes truncate alike
    "",
]


@pytest.fixture
def own_model_cache(tmp_path, monkeypatch):
    """A fresh cache folder, and no backend loaded from an earlier test."""
    monkeypatch.setenv("QA_MODEL_CACHE", str(tmp_path))
    monkeypatch.setattr(embedder_module, "_backends", {})
    return tmp_path


@pytest.mark.model
def test_onnx_vectors_match_torch_vectors(own_model_cache):
    onnx = MiniLMEmbedder(runtime="onnx")
    torch = MiniLMEmbedder(runtime="torch")
    got, expected = onnx.encode(TEXTS), torch.encode(TEXTS)
    assert onnx.backend == "onnx" and torch.backend == "torch"
    assert got.shape == expected.shape == (len(TEXTS), 384)
    assert got.dtype == np.float32
    cosines = (got * expected).sum(axis=1)
    assert cosines.min() >= 0.999, cosines
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)
    assert onnx.fingerprint == torch.fingerprint  # an index serves both runtimes
    assert list(own_model_cache.glob("minilm-*.onnx"))


@pytest.mark.model
def test_a_damaged_onnx_file_is_made_again(own_model_cache):
    expected = MiniLMEmbedder(runtime="onnx").encode(TEXTS[:2])
    (damaged,) = own_model_cache.glob("minilm-*.onnx")
    damaged.write_bytes(damaged.read_bytes()[:1000])
    embedder_module._backends.clear()
    again = MiniLMEmbedder(runtime="onnx").encode(TEXTS[:2])
    assert (again * expected).sum(axis=1).min() >= 0.9999
    assert damaged.stat().st_size > 1_000_000


@pytest.mark.model
@pytest.mark.parametrize("damage", ["flipped", "checksum-lost"])
def test_an_onnx_file_that_fails_its_checksum_is_made_again(own_model_cache, caplog, damage):
    expected = MiniLMEmbedder(runtime="onnx").encode(TEXTS[:2])
    (model_file,) = own_model_cache.glob("minilm-*.onnx")
    if damage == "flipped":
        data = bytearray(model_file.read_bytes())
        for n in range(100):  # 100 flipped bytes in the weights still load, and give wrong vectors
            data[len(data) // 3 + n * 997] ^= 0xFF
        model_file.write_bytes(bytes(data))
    else:
        model_file.with_name(model_file.name + ".sha256").unlink()
    embedder_module._backends.clear()
    again = MiniLMEmbedder(runtime="onnx").encode(TEXTS[:2])
    assert (again * expected).sum(axis=1).min() >= 0.9999
    assert "does not match its checksum" in caplog.text


def test_an_unknown_runtime_is_refused():
    with pytest.raises(ValueError, match="runtime"):
        MiniLMEmbedder(runtime="tensorflow")
