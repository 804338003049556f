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
        score: The probability that this quote answers the question (see ``Answer.confidence``).
        answer_start: Offset of the short answer's first character in the article; it lies inside the quote:
            ``start <= answer_start < answer_end <= end``.
        answer_end: Offset just past the short answer's last character.
    """

    article_id: str
    title: str
    source: str
    date: str
    quote: str
    start: int
    end: int
    score: float
    answer_start: int
    answer_end: int

    @property
    def quote_parts(self) -> tuple[str, str, str]:
        """``quote`` cut around the short answer: the text before it, the short answer, the text after it."""
        lo, hi = self.answer_start - self.start, self.answer_end - self.start
        return self.quote[:lo], self.quote[lo:hi], self.quote[hi:]

    @property
    def short_answer(self) -> str:
        """The short answer, the part of ``quote`` that answers the question."""
        return self.quote_parts[1]


@dataclass(frozen=True)
class Answer:
    """The reply to one question.

    Attributes:
        question: The question as asked (after validation).
        text: The answer: the sentence that holds the short answer, verbatim from one article; "" when
            ``no_answer``.
        no_answer: True when the articles do not answer the question.
        confidence: Estimated probability, in [0, 1], that ``text`` answers the question
            (the answer model's, see ``qa.pick``); below ``Settings.answer_threshold`` (0.3;
            for a follow-up ``Settings.followup_threshold``, 0.32) the reply is ``no_answer``.
        short_answer: The short answer inside ``text`` ("35 million euros"), verbatim; where it stands
            in the article is ``citations[0].answer_start`` to ``answer_end``. "" when ``no_answer``.
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
    short_answer: str = ""
    read_as: str = ""

    def to_dict(self) -> dict:
        """A JSON-ready dict with the same fields."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Answer:
        """The ``Answer`` that :meth:`to_dict` gave ``data`` (an earlier turn sent back over an API).

        Raises:
            TypeError: if ``data`` lacks a field or has one of the wrong kind.
        """
        try:
            citations = [Citation(**c) for c in data.get("citations", [])]
            fields = {k: v for k, v in data.items() if k != "citations"}
            return cls(**fields, citations=citations)
        except (TypeError, AttributeError) as error:
            raise TypeError(f"an earlier answer in history is not an answer's JSON ({error})") from None
