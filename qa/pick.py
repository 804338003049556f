"""Pick the answer: the reader's spans in the retrieved passages, weighed with the retrieval evidence.

The reader (``qa.reader``) gives each of the top passages its best span and how strongly the
passage holds no answer; for a follow-up, the best span of every sentence of those passages. Each
span is a candidate, described by ``FEATURES``. The headline and a dateline printed near the top
("16 May 2019") are read with their passage but never hold a candidate (questions about the article's
date are ``qa.byline``'s):

- ``margin``: the span's score minus the passage's no-answer score (the reader's own verdict);
- ``lead``: the span's score minus the best span score of all passages read (0 for the best);
- ``fused``: its passage's fused retrieval score relative to the best passage's;
- ``rank``: 1 / (1 + its passage's retrieval rank);
- ``dense``: its passage's cosine to the question;
- ``missing``: the share of the question's names and numbers that its article never mentions
  (``qa.mentions``): the reader sees one passage, not whether its article is about the question's subject;
- ``near_previous``: for a follow-up, 1 / (1 + distance in sentences, at least 1) to the last
  answer's sentence in the same article, 0 elsewhere.
- ``context_margin``: for a follow-up, the ``margin`` of the best span in the same sentence when the
  reader reads the last question and the follow-up together ("Where is Huawei's OpenLab? When did it
  open?"): read alone, "it" names nothing; read together, the reader knows what it is but leans to the
  last answer. 0 for a first question.

A logistic model of these (``Settings.answer_model``, fitted by ``training/fit_answer_model.py``
on SQuAD train articles the reader never saw, asked with and without their own article in the
collection) gives each candidate the probability that its sentence answers the question; a
follow-up has its own (``Settings.followup_answer_model``, fitted by
``training/fit_followup_model.py`` on the development conversations, to put the right sentence
first). The best is the answer,
and its probability the confidence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from index.articles import is_printed_byline, is_top_dateline
from index.build import CorpusIndex
from qa.config import Settings
from qa.mentions import missing_share
from qa.query import Query
from qa.reader import Reader, ReadSpan
from qa.retrieve import RetrievedPassage

FEATURES = ("margin", "lead", "fused", "rank", "dense", "missing", "near_previous", "context_margin")


@dataclass(frozen=True)
class Candidate:
    """One span the reader found, where it lies in its article, and the evidence for it.

    Attributes:
        passage: The retrieved passage it was read in.
        first_sentence: Position in ``CorpusIndex.sentences`` of the first sentence the span touches.
        last_sentence: Position of the last (the same for a span inside one sentence).
        start: Offset of the span's first character in its article.
        end: Offset just past its last character.
        features: The evidence, in the order of ``FEATURES``.
        probability: The answer model's probability that its sentence answers the question.
    """

    passage: RetrievedPassage
    first_sentence: int
    last_sentence: int
    start: int
    end: int
    features: tuple[float, ...]
    probability: float


def candidates(
    index: CorpusIndex, query: Query, passages: list[RetrievedPassage], reader: Reader, settings: Settings
) -> list[Candidate]:
    """The reader's span in each of the top ``settings.reader_passages`` passages, most probable first.

    A Markdown file's front matter values (publisher, author, date: passages before the article's body)
    and a byline the text prints ("By Jane Doe, Valley Post", a passage of its own) are not read: they
    answer only questions about the article itself (``qa.byline``). The headline and a dateline are read
    as part of their passage but never hold the span.
    """
    in_body = [
        p
        for p in passages
        if index.passages[p.position].start >= index.articles[_article(index, p)].body_start
        and not is_printed_byline(index.passages[p.position].text)
    ]
    top = in_body[: settings.reader_passages]
    if not top:
        return []
    texts, sentences, barred = [], [], []
    for retrieved in top:
        passage = index.passages[retrieved.position]
        article = index.articles[passage.article_id]
        texts.append(passage.text)
        positions = range(passage.first_sentence, passage.last_sentence)
        sentences.append(
            [(index.sentences[n].start - passage.start, index.sentences[n].end - passage.start) for n in positions]
        )
        # The headline and a dateline are read with the sentences beside them but are never the answer: a
        # headline shares the question's words and seldom holds an answer a person would accept (the story
        # says it again), and "16 May 2019" is when the article appeared, not when anything in it happened
        # (``qa.byline`` answers for the article's date).
        barred.append(
            {
                k
                for k, n in enumerate(positions)
                if is_top_dateline(article, index.sentences[n].start, index.sentences[n].end)
                or _is_headline(index.sentences[n].text, article.title)
            }
        )
    follow_up = bool(query.previous_question)
    if follow_up:
        # A follow-up's answer is often not its passage's best span but the sentence beside the last
        # answer: every sentence of the passages read is a candidate. The reader reads the question
        # alone and after the last question; the follow-up model weighs the two readings.
        readings = reader.read_sentences(query.question, texts, sentences, barred)
        in_context = reader.read_sentences(f"{query.previous_question} {query.question}", texts, sentences, barred)
        context_margins = [{span.sentence: span.margin for span in spans} for spans in in_context]
    else:
        readings = [
            [span] if math.isfinite(span.score) else []
            for span in reader.read(query.question, texts, sentences, barred)
        ]
    best_score = max((span.score for spans in readings for span in spans), default=0.0)
    best_fused = max(p.fused for p in top) or 1.0
    answered_at = index.sentence_at(*query.previous_answer) if query.previous_answer else None
    missing: dict[str, float] = {}
    model = settings.followup_answer_model if follow_up else settings.answer_model
    weights = np.asarray(model[:-1])
    found = []
    for rank, (retrieved, spans) in enumerate(zip(top, readings, strict=True)):
        passage = index.passages[retrieved.position]
        for span in spans:
            if span.end <= span.start:
                continue
            touched = _sentences_of(index, passage.first_sentence, passage.last_sentence, passage.start, span)
            if touched is None:
                continue
            first, last = touched
            article_id = passage.article_id
            if article_id not in missing:
                missing[article_id] = missing_share(index, article_id, query.question)
            features = (
                span.margin,
                span.score - best_score,
                retrieved.fused / best_fused,
                1.0 / (1 + rank),
                retrieved.dense,
                missing[article_id],
                _nearness(index, first, answered_at),
                _context_margin(context_margins[rank], span) if follow_up else 0.0,
            )
            z = float(weights @ np.asarray(features)) + model[-1]
            probability = 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))
            found.append(
                Candidate(
                    retrieved, first, last, passage.start + span.start, passage.start + span.end, features, probability
                )
            )
    found.sort(key=lambda c: (-c.probability, c.passage.position))
    return found


def _is_headline(sentence: str, title: str) -> bool:
    """Whether the sentence is the article's title as a headline prints it: not a text's first sentence that
    stands for a title it lacks ("The council voted on Monday to build a tram." ends as a sentence does)."""
    sentence = sentence.strip()
    return sentence == title.strip() and not sentence.rstrip("\"'”’)").endswith(".")


def _context_margin(margins: dict[int, float], span: ReadSpan) -> float:
    """The in-context reading's margin for the span's sentence; its lowest when that reading did not reach it
    (the longer question leaves less room for the passage)."""
    found = margins.get(span.sentence)
    return found if found is not None else min(margins.values(), default=-10.0)


def _article(index: CorpusIndex, retrieved: RetrievedPassage) -> str:
    return index.passages[retrieved.position].article_id


def _sentences_of(index: CorpusIndex, lo: int, hi: int, passage_start: int, span: ReadSpan) -> tuple[int, int] | None:
    """The first and last of the passage's sentences (positions ``lo`` to ``hi``) that hold the span, or None
    when the span is not inside them (text between sentences): the quote must hold the short answer."""
    start, end = passage_start + span.start, passage_start + span.end
    touched = [n for n in range(lo, hi) if index.sentences[n].start < end and index.sentences[n].end > start]
    if not touched or index.sentences[touched[0]].start > start or index.sentences[touched[-1]].end < end:
        return None
    return touched[0], touched[-1]


def _nearness(index: CorpusIndex, position: int, previous: int | None) -> float:
    """1 / (1 + distance in sentences, at least 1), for a sentence of the same article as the previous answer.

    The previous answer itself counts as near as its neighbours: a follow-up is often answered
    by the same sentence, but as often by the next one, which the same bonus would otherwise lose to.
    """
    if previous is None or index.sentences[previous].article_id != index.sentences[position].article_id:
        return 0.0
    return 1.0 / (1 + max(abs(position - previous), 1))
