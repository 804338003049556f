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
        retrieval_weights: Weights of a passage's dense cosine, best sentence cosine, BM25 and
            its article's best BM25 in the fused retrieval score (see ``qa.retrieve``).
        reader_passages: Top fused passages whose sentences compete for the answer.
        max_citations: Citations returned with an answer.
        weights: Weights of the sentence score's features, in the order of ``qa.extract.FEATURES``:
            fitted on SQuAD, except ``near_previous`` and ``byline`` (SQuAD has neither follow-ups
            nor bylines), which were chosen on the development sets (bench/fit/README.md), and
            ``year_missing``, which only the confidence uses (0).
        bias: Added to every sentence score.
        context_weight: How much a follow-up's earlier turns count next to its own words and vector.
        moved_on_share: The share of ``context_weight`` they count for when the follow-up has left
            the last answer's article ("And in Russia?" after an answer from an article that never
            names Russia; see ``qa.api._moved_on``): the conversation has moved on.
        confidence_model: Weights of the best sentence's score, its lead over the runner-up, its
            ``dense`` (or the cosine of its words outside quotation marks, when higher) and
            ``missing`` features, and the intercept, of the logistic model that gives the
            confidence (fitted on SQuAD).
        no_number_penalty: Log-odds taken off the confidence when a question asks for a number
            and the best sentence holds none (see ``qa.extract.confidence``).
        year_missing_penalty: Log-odds taken off the confidence when a year the question gives is
            nowhere in the best sentence's article.
        answer_threshold: Confidence below which the reply to a first question is "no answer".
        followup_threshold: The same for a follow-up (a question asked with ``history`` that refers
            back to it, see ``qa.conversation.leans_on_context``). The
            confidence model was fitted on standalone questions, and a follow-up's own words match
            less of its answer, so its confidence runs lower for the same chance of being right.
    """

    dense_candidates: int = 50
    lexical_candidates: int = 50
    retrieval_weights: tuple[float, float, float, float] = (2.0, 1.0, 1.0, 0.25)
    reader_passages: int = 8
    max_citations: int = 3
    # fmt: off
    weights: tuple[float, ...] = (
        3.171, 3.108, 4.164, 1.587, 0.21, 1.423, 1.815, -1.163, -0.731, -1.363, -0.342, 1.641, -0.032, 0.909, 1.0,
        10.0, 0.0,
    )
    # fmt: on
    bias: float = 0.0
    context_weight: float = 0.3
    moved_on_share: float = 0.4
    confidence_model: tuple[float, float, float, float, float] = (0.412, 0.549, 5.294, -1.409, -8.646)
    no_number_penalty: float = 8.0
    year_missing_penalty: float = 4.0
    answer_threshold: float = 0.125
    followup_threshold: float = 0.038


DEFAULT_SETTINGS = Settings()
