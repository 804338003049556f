"""Every tunable number of retrieval and answer extraction, in one place.

The defaults were chosen from measurements (see docs/EVALUATION.md once it
exists); a user never needs to touch them.
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
    reader_passages: int = 5
    max_citations: int = 3
    weights: tuple[float, ...] = (0.45, 0.30, 0.10, 0.05, 0.05, 0.0, 0.10, -0.30, 0.0)
    bias: float = 0.0
    answer_threshold: Sentence score below which the reply is "no answer".
        confidence_scale: Width of the logistic that turns score - threshold into confidence.
    """

    dense_candidates: int = 50
    lexical_candidates: int = 50
    rrf_k: int = 60
    reader_passages: int = 5
    max_citations: int = 3
    weight_dense: float = 0.45
    weight_overlap: float = 0.30
    weight_context: float = 0.10
    weight_passage: float = 0.10
    weight_type: float = 0.10
    weight_missing: float = 0.30
    answer_threshold: float = 0.45
    confidence_scale: float = 0.05


DEFAULT_SETTINGS = Settings()
