"""What retrieval and extraction look for: the question, and what the conversation was about."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Query:
    """A question ready for retrieval.

    Attributes:
        question: The question as asked; its wording decides the kind of answer wanted.
        vector: Unit-length embedding of the question, blended with the context's when there is one.
        context: Text of the earlier turns that a follow-up leans on ("" for a first question).
        context_weight: How much the context's words count next to the question's (0 without context).
        passage_context: Context for finding passages: the earlier questions and the last answer,
            which locate the conversation's place in the articles ("" for a first question).
        passage_vector: Vector for finding passages (``vector`` when there is no context).
        previous_answer: ``(article_id, start)`` of the last answer's quote, when there was one.
    """

    question: str
    vector: np.ndarray
    context: str = ""
    context_weight: float = 0.0
    passage_context: str = ""
    passage_vector: np.ndarray | None = None
    previous_answer: tuple[str, int] | None = None
