"""The gold question set over the built-in articles, asked through ``ask`` with the real model and index."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from qa.config import BUILTIN_CORPUS

GOLD = json.loads((Path(__file__).parent / "data" / "gold.json").read_text("utf-8"))
ANSWERABLE = [g for g in GOLD if g["answers"]]
UNANSWERABLE = [g for g in GOLD if not g["answers"]]

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def answers(real_qa):
    return {g["id"]: real_qa.ask(g["question"]) for g in GOLD}


def test_gold_set_is_big_enough():
    assert len(ANSWERABLE) >= 40
    assert len(UNANSWERABLE) >= 8
    assert {g["article"] for g in ANSWERABLE} == {p.stem for p in BUILTIN_CORPUS.glob("*.txt")}


def test_answers_contain_an_acceptable_answer(answers):
    wrong = [
        (g["question"], answers[g["id"]].text)
        for g in ANSWERABLE
        if not any(accepted in answers[g["id"]].text for accepted in g["answers"])
    ]
    # The goal is 58 of 60 (docs/EVALUATION.md); measured 57 on 2026-12-06: two declined, one answered
    # from the wrong article, the best sentence of all three wrong.
    assert len(wrong) <= 4, wrong


def test_answerable_questions_are_answered(answers):
    withheld = [g["question"] for g in ANSWERABLE if answers[g["id"]].no_answer]
    assert len(withheld) <= 4, withheld  # measured 2 of 60 on 2026-12-06


def test_first_citation_names_the_right_article(answers):
    wrong = [
        g["question"]
        for g in ANSWERABLE
        if not answers[g["id"]].citations or answers[g["id"]].citations[0].article_id != g["article"]
    ]
    # Measured 58 of 60 with the trained reader (2026-12-05; 60 before): "Who owns Huawei?" and "Who is
    # Huawei's chief executive?" are answered from another article's sentence naming a person.
    assert len(wrong) <= 2, wrong


def test_unanswerable_questions_get_no_answer(answers):
    answered = [(g["question"], answers[g["id"]].text) for g in UNANSWERABLE if not answers[g["id"]].no_answer]
    assert len(answered) <= 0.10 * len(UNANSWERABLE), answered  # the goal: at least 90% get no_answer
    for g in UNANSWERABLE:
        a = answers[g["id"]]
        if a.no_answer:
            assert a.text == "" and a.confidence < 0.5


def test_every_citation_is_an_exact_span_of_the_shipped_file(answers, real_qa):
    checked = 0
    for answer in answers.values():
        assert 0.0 <= answer.confidence <= 1.0
        if not answer.no_answer:
            assert answer.text == answer.citations[0].quote
            assert answer.short_answer == answer.citations[0].short_answer != ""
        for c in answer.citations:
            # The short answer lies inside the quote, and the article's text at its offsets is it.
            assert c.start <= c.answer_start < c.answer_end <= c.end
            assert real_qa.get_article(c.article_id).text[c.answer_start : c.answer_end] == c.short_answer
            article = real_qa.get_article(c.article_id)
            assert article.text[c.start : c.end] == c.quote
            shipped = (BUILTIN_CORPUS / f"{c.article_id}.txt").read_bytes().decode("utf-8")
            assert shipped[c.start : c.end] == c.quote
            assert (c.title, c.source, c.date) == (article.title, article.source, article.date)
            checked += 1
    assert checked >= len(GOLD)


def test_module_level_ask_and_get_article(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_INDEX_HOME", str(tmp_path))
    import qa.api

    monkeypatch.setattr(qa.api, "_default_qa", None)
    from qa import ask, get_article

    a = ask("How much will Huawei invest in its Paris OpenLab?")
    assert not a.no_answer and "35 million" in a.text
    c = a.citations[0]
    assert c.article_id == "000_8d8ddf5f4b5d1b8b"
    assert get_article(c.article_id).text[c.start : c.end] == c.quote


def test_a_question_typed_without_its_question_mark_gets_the_same_answer(answers, real_qa):
    # In a chat the "?" is often left off, or typed as a full stop; the answer must not depend on it.
    for g in GOLD:
        asked = answers[g["id"]]
        for typed in (g["question"].rstrip("?"), g["question"].rstrip("?") + "."):
            answer = real_qa.ask(typed)
            assert answer.question == typed  # the answer keeps the question as it was typed
            assert (answer.text, answer.no_answer, answer.citations) == (asked.text, asked.no_answer, asked.citations)
            assert answer.confidence == pytest.approx(asked.confidence, abs=1e-6)


def test_a_question_with_a_typo_in_a_word_of_the_articles_gets_the_same_answer(answers, real_qa):
    # Two letters of the question's longest word that the articles use swapped: "Huwaei", "Sberbnak".
    counts = real_qa.index.word_counts()
    same, typed_questions = 0, []
    for g in GOLD:
        found = [m for m in re.finditer(r"[A-Za-z]{6,}", g["question"]) if m.group(0).lower() in counts]
        if not found:
            continue
        word = max(found, key=lambda m: len(m.group(0)))
        w = word.group(0)
        typed = g["question"][: word.start()] + w[:2] + w[3] + w[2] + w[4:] + g["question"][word.end() :]
        answer, asked = real_qa.ask(typed), answers[g["id"]]
        same += (answer.text, answer.no_answer) == (asked.text, asked.no_answer)
        typed_questions.append(typed)
    assert len(typed_questions) >= 40
    # A slip that makes another English word ("form" for "from") is not mended; all others are.
    assert same >= 0.95 * len(typed_questions), typed_questions


def test_an_answer_says_how_a_question_with_a_typo_was_read(real_qa):
    typed = real_qa.ask("How much will Huwaei invest in its Paris OpenLab")
    assert typed.question == "How much will Huwaei invest in its Paris OpenLab"
    assert typed.read_as == "How much will Huawei invest in its Paris OpenLab?"
    assert "35 million" in typed.text
    assert real_qa.ask("How much will Huawei invest in its Paris OpenLab").read_as == ""  # only a "?" added
    # A place the articles never name, one letter from a word they use ("mining"), is not mended.
    missing = real_qa.ask("Did Huawei open a research centre in Xining?")
    assert missing.read_as == "" and missing.no_answer
