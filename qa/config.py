"""Every tunable number of retrieval and answering, in one place.

The defaults were chosen from measurements (see bench/fit/README.md and training/); a user
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
    """Retrieval and answer settings.

    Attributes:
        dense_candidates: Passages taken from the vector index before fusion.
        lexical_candidates: Passages taken from BM25 before fusion.
        retrieval_weights: Weights of a passage's dense cosine, best sentence cosine, BM25 and
            its article's best BM25 in the fused retrieval score (see ``qa.retrieve``).
        reader_passages: Top fused passages the reader reads for the answer.
        max_citations: Citations returned with an answer.
        answer_model: Weights of a candidate span's evidence, in the order of ``qa.pick.FEATURES``,
            then the intercept, of the logistic model that gives its probability of answering
            (fitted by ``training/fit_answer_model.py``).
        followup_answer_model: The same for a follow-up (a question asked with ``history`` that refers back
            to it), fitted on the development conversations (``training/fit_followup_model.py``).
        context_weight: How much a follow-up's earlier turns count next to its own words and vector.
        moved_on_share: The share of ``context_weight`` they count for when the follow-up has left
            the last answer's article ("And in Russia?" after an answer from an article that never
            names Russia; see ``qa.api._moved_on``): the conversation has moved on.
        answer_threshold: Confidence below which the reply to a first question is "no answer".
        followup_threshold: The same for a follow-up (a question asked with ``history`` that refers
            back to it, see ``qa.conversation.leans_on_context``), whose confidence comes from
            ``followup_answer_model``: chosen on the development conversations.
        uncertain_below: Confidence below which an answer is shown as uncertain ("Not sure:" and muted
            on the chat page). On the held-out SQuAD questions, answers given
            0.50-0.90 were right about two times in three but answers given 0.25-0.50 only 52% of
            the time: below 0.5 an answer is close to a coin toss, and should look like one.
    """

    dense_candidates: int = 50
    lexical_candidates: int = 50
    retrieval_weights: tuple[float, float, float, float] = (2.0, 1.0, 1.0, 0.25)
    reader_passages: int = 5
    max_citations: int = 3
    answer_model: tuple[float, ...] = (0.176, 0.088, 0.369, 0.927, 0.387, -0.565, 0.0, 0.0, -3.244)
    followup_answer_model: tuple[float, ...] = (0.211, 0.071, 3.095, -0.288, 4.3, -1.278, 3.051, 0.036, -5.323)
    context_weight: float = 0.3
    moved_on_share: float = 0.4
    answer_threshold: float = 0.3
    followup_threshold: float = 0.32
    uncertain_below: float = 0.5


DEFAULT_SETTINGS = Settings()
