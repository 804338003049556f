"""Six new articles, written blind (bench/data/news_dev), asked with the real model.

A guard on articles unlike the built-in ones. The set is a development set (docs/EVALUATION.md,
"The built-in articles, the development and the held-out sets"); the thresholds sit a little under
what was measured, so that a change that loses ground on unseen kinds of article (front matter,
printed bylines, wire datelines) breaks the build.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NEWS = Path(__file__).parent.parent / "bench" / "data" / "news_dev"
GOLD = json.loads((NEWS / "gold.json").read_text("utf-8"))
ANSWERABLE = [g for g in GOLD if g["answers"]]

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def news_qa(tmp_path_factory):
    from qa import QA

    return QA(NEWS / "articles", index_dir=tmp_path_factory.mktemp("news-index"), progress=False)


@pytest.fixture(scope="module")
def answers(news_qa):
    return {g["id"]: news_qa.ask(g["question"]) for g in GOLD}


def test_answerable_questions_about_new_articles(answers):
    right = [g["id"] for g in ANSWERABLE if any(a in answers[g["id"]].text for a in g["answers"])]
    # Measured 2026-12-06: 43 of 48 counted as written here (42 by `qa eval`'s rule); the goal is 40.
    assert len(right) >= 40, sorted(set(g["id"] for g in ANSWERABLE) - set(right))
    named = [g for g in ANSWERABLE if answers[g["id"]].citations]
    assert sum(answers[g["id"]].citations[0].article_id == g["article"] for g in named) >= 0.95 * len(ANSWERABLE)


def test_bylines_are_quoted_from_the_file(answers, news_qa):
    asks_byline = ("Who wrote", "Which outlet", "Who reported")
    byline_questions = [g for g in ANSWERABLE if g["question"].startswith(asks_byline)]
    assert len(byline_questions) >= 3
    for g in byline_questions:
        answer = answers[g["id"]]
        assert any(a in answer.text for a in g["answers"]), (g["question"], answer.text)


def test_every_citation_is_an_exact_span_of_the_file(answers, news_qa):
    for answer in answers.values():
        for c in answer.citations:
            article = news_qa.get_article(c.article_id)
            assert article.text[c.start : c.end] == c.quote
            on_disk = next((NEWS / "articles").glob(f"{c.article_id}.*")).read_text("utf-8")
            assert on_disk[c.start : c.end] == c.quote
