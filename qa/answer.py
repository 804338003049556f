"""What ``ask`` returns: an answer quoted from an article, and where it comes from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Citation:
    """A verbatim quote and its exact place in an article.

    ``get_article(article_id).text[start:end] == quote`` always holds.

    Attributes:
        article_id: Id of the article (see ``get_article``).
        title: The article's title.
        source: Its publisher.
        date: Its date, as the article gives it ("" when it gives none).
        quote: The quoted text, exactly as it stands in the article.
        start: Offset of the quote's first character in the article text.
        end: Offset just past the quote's last character.
        score: How strongly this passage supports the answer (higher is better; comparable within one answer).
    """

    article_id: str
    title: str
    source: str
    date: str
    quote: str
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class Answer:
    """The reply to one question.

    Attributes:
        question: The question as asked (after validation).
        text: The answer, a verbatim span of one article; "" when ``no_answer``.
        no_answer: True when the articles do not answer the question.
        confidence: Estimated probability, in [0, 1], that ``text`` answers the question
            (calibrated on SQuAD); below ``Settings.answer_threshold`` (0.125; for a
            follow-up ``Settings.followup_threshold``, 0.038) the reply is ``no_answer``.
        citations: Best first; ``citations[0]`` is where ``text`` comes from. When
            ``no_answer``, these are the closest passages, not answers.
        read_as: The question as it was read when a word of it was taken for a typo of the
            articles' word ("Where is Huwaei based?" for "Where is Huawei based?"); "" otherwise.
    """

    question: str
    text: str
    no_answer: bool
    confidence: float
    citations: list[Citation] = field(default_factory=list)
    read_as: str = ""

    def to_dict(self) -> dict:
        """A JSON-ready dict with the same fields."""
        return asdict(self)
