"""Every tunable number of retrieval and answer extraction, in one place.

The defaults were chosen from measurements (see bench/fit/README.md); a user
never needs to touch them.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

#: The three Huawei articles that ship inside the package.
BUILTIN_CORPUS = Path(str(files("qa") / "articles"))


@dataclass(frozen=True)
class Settings:
    """Retrieval and extraction settings.

    Attributes:
        dense_candidates: Passages taken from the vector index before fusion.
        lexical_candidates: Passages taken from BM25 before fusion.
        rrf_k: Reciprocal-rank-fusion constant.
        reader_passages: Top fused passages whose sentences compete for the answer.
        max_citations: Citations returned with an answer.
        weights: Weights of the sentence score's features, in the order of ``qa.extract.FEATURES``.
        bias: Added to every sentence score.
        confidence_model: tuple[float, float, float] = (0.768, -0.123, -9.778)
        answer_threshold: Confidence below which the reply is "no answer".
    """

    dense_candidates: int = 50
    lexical_candidates: int = 50
    rrf_k: int = 60
    reader_passages: int = 8
    max_citations: int = 3
    weights: tuple[float, ...] = (3.907, 3.543, 4.271, 2.855, 1.992, 0.782, 1.786, -1.12, -0.463, -1.119)
    bias: float = 0.0
    confidence_model: tuple[float, float, float] = (0.768, -0.123, -9.778)
    answer_threshold: float = 0.15


DEFAULT_SETTINGS = Settings()
