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
        context: What a follow-up leans on: the last questions and the last answer, whose words
            locate the conversation's place in the articles ("" for a first question).
        context_weight: How much the context's words count next to the question's (0 without context).
        passage_vector: Vector for finding passages (``vector`` when there is no context).
        previous_answer: ``(article_id, start)`` of the last answer's quote, when there was one.
        previous_question: The last question of the conversation ("" for a first question).
    """

    question: str
    vector: np.ndarray
    context: str = ""
    context_weight: float = 0.0
    passage_vector: np.ndarray | None = None
    previous_answer: tuple[str, int] | None = None
    previous_question: str = ""
