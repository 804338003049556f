"""Every tunable number of retrieval and answer extraction, in one place.

The defaults were chosen from measurements (see docs/EVALUATION.md); a user
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
        answer_threshold: Sentence score below which the reply is "no answer".
        confidence_scale: Width of the logistic that turns score - threshold into confidence.
    """

    dense_candidates: int = 50
    lexical_candidates: int = 50
    rrf_k: int = 60
    reader_passages: int = 8
    max_citations: int = 3
    weights: tuple[float, ...] = (3.829, 3.915, 3.896, 2.345, 1.749, 0.781, 1.895, -1.089, -0.307)
    bias: float = 0.0
    answer_threshold: float = 9.8
    confidence_scale: float = 1.0


DEFAULT_SETTINGS = Settings()
