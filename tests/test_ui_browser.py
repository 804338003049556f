"""The chat page end to end: `qa chat` in a subprocess, Debian's chromium driven by Playwright.

The expected answers come from ``real_qa``, which shares the server's index, so the page
must show exactly what ``QA.ask`` answers.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ui.examples import BUILTIN_EXAMPLES

pytestmark = [pytest.mark.browser, pytest.mark.model]

REPO = Path(__file__).resolve().parents[1]
SCREENSHOT = REPO / "docs" / "screenshot.png"
QUESTION = "Which Russian bank did Huawei partner with?"
UNANSWERABLE = "Who won the 2018 FIFA World Cup?"
ANSWER_WAIT = 60_000  # ms; the first question may wait for the model to load


def ask(page: Page, question: str) -> None:
    turns = page.locator("#qa-conversation .qa-turn:not(.qa-pending)")
    before = turns.count()
    page.locator("#qa-question textarea").fill(question)
    page.locator("#qa-question textarea").press("Enter")
    expect(turns).to_have_count(before + 1, timeout=ANSWER_WAIT)


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("#qa-status-line")).to_contain_text("Ready: 3 articles", timeout=ANSWER_WAIT)


def test_question_gets_quoted_answer_with_title_and_highlighted_quote(page, chat_server, real_qa):
    expected = real_qa.ask(QUESTION)
    assert not expected.no_answer
    first = expected.citations[0]
    open_page(page, chat_server.url)
    ask(page, QUESTION)

    turn = page.locator("#qa-conversation .qa-turn").last
    expect(turn.locator(".qa-question")).to_have_text(QUESTION)
    expect(turn.locator(".qa-answer")).to_have_text(f"{expected.text} [1]")
    card = turn.locator(".qa-card").first
    expect(card.locator(".qa-title")).to_have_text(first.title)
    expect(card.locator(".qa-meta")).to_contain_text(first.source)
    expect(card.locator(".qa-meta")).to_contain_text(first.date)
    expect(card.locator("mark")).to_have_text(first.quote)
    # The highlight is visibly a highlight, inside the surrounding text.
    assert card.locator("mark").evaluate("m => getComputedStyle(m).backgroundColor") != "rgba(0, 0, 0, 0)"
    before, _ = real_qa.context(first)
    expect(card.locator(".qa-context")).to_contain_text(before[-40:])
    expect(turn.locator(".qa-card")).to_have_count(len(expected.citations))


def test_unanswerable_question_says_the_articles_do_not_say(page, chat_server, real_qa):
    expected = real_qa.ask(UNANSWERABLE)
    assert expected.no_answer
    open_page(page, chat_server.url)
    ask(page, UNANSWERABLE)

    turn = page.locator("#qa-conversation .qa-turn").last
    expect(turn.locator(".qa-no-answer")).to_contain_text("The articles do not say.")
    expect(turn.locator(".qa-answer")).to_have_count(0)
    expect(turn.locator(".qa-closest-label")).to_have_text("Closest matches (not answers):")
    expect(turn.locator(".qa-card.qa-closest")).to_have_count(len(expected.citations))
    expect(turn.locator(".qa-card .qa-label").first).to_have_text("closest match, not an answer")


def test_citation_opens_the_whole_article_with_the_quote_in_view(page, chat_server, real_qa):
    expected = real_qa.ask(QUESTION)
    first = expected.citations[0]
    article = real_qa.get_article(first.article_id)
    open_page(page, chat_server.url)
    ask(page, QUESTION)

    page.locator("#qa-conversation .qa-answer .qa-cite").click()
    viewer = page.locator("#qa-article")
    expect(viewer.locator(".qa-article-title")).to_have_text(article.title)
    expect(viewer.locator("mark#qa-quote")).to_have_text(first.quote)
    expect(viewer.locator("mark#qa-quote")).to_be_in_viewport()
    # The whole article is there, not just the quote: its last words too.
    expect(viewer.locator(".qa-article-text")).to_contain_text(article.text.strip()[-60:])
    # The quote sits deep in the article: the viewer scrolled to it.
    assert viewer.evaluate("e => e.scrollTop") > 0

    # A card's button opens its own passage.
    second = expected.citations[1]
    page.locator("#qa-conversation .qa-card").nth(1).locator(".qa-open").click()
    expect(viewer.locator("mark#qa-quote")).to_have_text(second.quote)
    expect(viewer.locator("mark#qa-quote")).to_be_in_viewport()


def test_follow_up_question_uses_the_conversation(page, chat_server, real_qa):
    first_question, follow_up = "How much will Huawei invest in its Paris OpenLab?", "Who announced it?"
    first = real_qa.ask(first_question)
    expected = real_qa.ask(follow_up, history=[first])
    alone = real_qa.ask(follow_up)
    assert expected.text != alone.text, "the follow-up must need the conversation for this test to mean anything"
    open_page(page, chat_server.url)
    ask(page, first_question)
    ask(page, follow_up)
    expect(page.locator("#qa-conversation .qa-answer").last).to_have_text(f"{expected.text} [1]")

    page.locator("#qa-clear").click()
    expect(page.locator("#qa-conversation .qa-turn")).to_have_count(0)
    ask(page, follow_up)  # a new conversation: no history any more
    expect(page.locator("#qa-conversation .qa-turn").last).to_contain_text(alone.text or "The articles do not say.")


def test_example_question_answers_and_page_screenshot(page, chat_server, real_qa, tmp_path):
    assert QUESTION in BUILTIN_EXAMPLES
    expected = real_qa.ask(QUESTION)
    open_page(page, chat_server.url)
    expect(page.get_by_role("textbox", name="Question")).to_be_visible()  # the box has a name to be read out
    expect(page.locator("#qa-rescan")).to_have_count(0)  # the built-in articles never change
    buttons = page.locator(".qa-example")
    expect(buttons).to_have_count(len(BUILTIN_EXAMPLES))
    buttons.filter(has_text=QUESTION).click()
    expect(page.locator("#qa-conversation .qa-answer")).to_have_text(f"{expected.text} [1]", timeout=ANSWER_WAIT)
    page.locator("#qa-conversation .qa-answer .qa-cite").click()
    expect(page.locator("#qa-article mark#qa-quote")).to_have_text(expected.citations[0].quote)
    expect(page.locator("#qa-article mark#qa-quote")).to_be_in_viewport()
    # The latest question is scrolled to the top of the conversation, its quoted answer in view.
    expect(page.locator("#qa-conversation .qa-question").last).to_be_in_viewport()
    expect(page.locator("#qa-conversation .qa-answer").last).to_be_in_viewport()
    page.mouse.move(0, 0)
    # The README's screenshot is refreshed on request (QA_UPDATE_SCREENSHOT=1), so that a test
    # run does not leave the checkout with a changed file.
    target = SCREENSHOT if os.environ.get("QA_UPDATE_SCREENSHOT") == "1" else tmp_path / SCREENSHOT.name
    target.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 20_000
