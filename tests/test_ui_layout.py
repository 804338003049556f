"""The chat page on a phone (390x844) and a desktop (1280x800): the newest answer in view, the article
viewer opening and closing, over-long questions, uncertain answers, and the conversation kept across a
reload and copied as Markdown. `qa chat` in a subprocess, Debian's chromium through Playwright.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from qa.questions import MAX_QUESTION_CHARS
from tests.test_ui_browser import ANSWER_WAIT, ask, open_page

pytestmark = [pytest.mark.browser, pytest.mark.model]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SIZES = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
QUESTIONS = (
    "How much will Huawei invest in its Paris OpenLab?",
    "Which Russian bank did Huawei partner with?",
    "Where will Huawei open an AI cloud computing centre?",
)
# Questions the built-in articles answer with little confidence; the test takes the first that
# real_qa answers below the page's cut-off, so a change of model cannot make it pass for nothing.
UNSURE_CANDIDATES = (
    "How many people work for Huawei?",
    "Who is Huawei's chief executive?",
    "On which days does VivaTech take place?",
)


def _scroll_boxes_around(page: Page, selector: str) -> list[str]:
    """Elements around ``selector`` that scroll on their own (overflow auto or scroll, and content to scroll)."""
    return page.locator(selector).evaluate(
        """(node) => {
          const found = [];
          for (let box = node; box && box !== document.documentElement; box = box.parentElement) {
            const style = getComputedStyle(box);
            if (['auto', 'scroll'].includes(style.overflowY) && box.scrollHeight > box.clientHeight + 1) {
              found.push(box.tagName + '#' + box.id + '.' + box.className);
            }
          }
          return found;
        }"""
    )


@SIZES
def test_the_newest_answer_is_in_view_after_each_question(page, chat_server, real_qa, size):
    page.set_viewport_size(size)
    open_page(page, chat_server.url)
    history = []
    for number, question in enumerate(QUESTIONS, 1):
        expected = real_qa.ask(question, history=history)
        history.append(expected)
        ask(page, question)
        turn = page.locator("#qa-conversation .qa-turn").nth(number - 1)
        expect(turn.locator(".qa-answer")).to_have_text(f"{expected.text} [1]")
        expect(turn.locator(".qa-answer")).to_be_in_viewport()
        expect(turn.locator(".qa-question")).to_be_in_viewport()
    # The page scrolls as one: no box of its own around the conversation, and the window has scrolled.
    assert _scroll_boxes_around(page, "#qa-conversation .qa-turn >> nth=-1") == []
    assert page.evaluate("window.scrollY") > 0


@SIZES
def test_a_citation_opens_the_article_and_its_button_closes_it(page, chat_server, real_qa, size):
    page.set_viewport_size(size)
    expected = real_qa.ask(QUESTIONS[1])
    article = real_qa.get_article(expected.citations[0].article_id)
    open_page(page, chat_server.url)
    ask(page, QUESTIONS[0])
    ask(page, QUESTIONS[1])
    scrolled = page.evaluate("window.scrollY")

    page.locator("#qa-conversation .qa-turn").last.locator(".qa-answer .qa-cite").click()
    viewer = page.locator("#qa-article")
    expect(viewer.locator(".qa-article-title")).to_have_text(article.title)
    quote = viewer.locator("mark#qa-quote")
    expect(quote).to_have_text(expected.citations[0].quote)
    expect(quote).to_be_in_viewport()
    # The quote lies deep in the article: the viewer scrolled inside itself to it, not the window
    # (on a phone the article covers the page, and that cover scrolls).
    scroller = page.locator("#qa-viewer-column") if size is PHONE else viewer
    assert scroller.evaluate("e => e.scrollTop") > 0
    assert page.evaluate("window.scrollY") == scrolled
    column = page.locator("#qa-viewer-column").bounding_box()
    if size is PHONE:
        assert column["x"] == 0 and column["y"] == 0
        assert column["width"] == size["width"] and column["height"] == size["height"]
    else:  # beside the conversation
        assert column["x"] > size["width"] / 2
        expect(page.locator("#qa-conversation .qa-answer").last).to_be_in_viewport()

    viewer.locator(".qa-close").click()
    expect(viewer.locator(".qa-article")).to_have_count(0)
    expect(viewer.locator(".qa-article-empty")).to_contain_text("Click a citation")
    expect(page.locator("#qa-conversation .qa-answer").last).to_be_in_viewport()
    # It opens again after being closed.
    page.locator("#qa-conversation .qa-turn").last.locator(".qa-answer .qa-cite").click()
    expect(viewer.locator("mark#qa-quote")).to_be_in_viewport()


@SIZES
def test_an_over_long_question_is_let_through_and_answered_with_the_error(page, chat_server, size):
    page.set_viewport_size(size)
    question = "Why " + "very " * (MAX_QUESTION_CHARS // 5) + "much?"
    assert len(question) > MAX_QUESTION_CHARS
    open_page(page, chat_server.url)
    box = page.locator("#qa-question textarea")
    box.fill(question)
    assert len(box.input_value()) == len(question), "the box cut the question"
    box.press("Enter")

    error = page.locator("#qa-conversation .qa-error")
    expect(error).to_have_text(
        f"question is {len(question):,} characters long; ask a question of at most {MAX_QUESTION_CHARS:,}",
        timeout=ANSWER_WAIT,
    )
    expect(error).to_be_in_viewport()
    expect(box).to_have_value(question)  # left in the box to shorten
    expect(page.locator("#qa-conversation .qa-answer")).to_have_count(0)
    # One line in the server's terminal, no traceback.
    log = chat_server.log.read_text(errors="replace")
    assert f"WARNING: question refused: question is {len(question):,} characters long;" in log
    assert "Traceback" not in log


def test_a_low_confidence_answer_looks_uncertain_and_a_confident_one_does_not(page, chat_server, real_qa):
    cut = real_qa.settings.uncertain_below
    unsure = next(q for q in UNSURE_CANDIDATES if not real_qa.ask(q).no_answer and real_qa.ask(q).confidence < cut)
    sure = QUESTIONS[1]
    assert real_qa.ask(sure).confidence >= cut
    open_page(page, chat_server.url)
    ask(page, sure)
    ask(page, unsure)

    turns = page.locator("#qa-conversation .qa-turn")
    confident, uncertain = turns.nth(0), turns.nth(1)
    expect(uncertain.locator(".qa-not-sure")).to_contain_text("Not sure:")
    expect(uncertain.locator(".qa-answer")).to_have_class("qa-answer qa-uncertain")
    expect(uncertain.locator(".qa-confidence")).to_have_text(f"confidence {real_qa.ask(unsure).confidence:.2f} (low)")
    expect(confident.locator(".qa-not-sure")).to_have_count(0)
    expect(confident.locator(".qa-answer")).to_have_class("qa-answer")

    def look(turn):
        return turn.locator(".qa-answer").evaluate(
            "e => [getComputedStyle(e).color, getComputedStyle(e).fontStyle, getComputedStyle(e).borderLeftStyle]"
        )

    assert look(uncertain) != look(confident)
    assert look(uncertain)[1:] == ["italic", "dashed"]


def test_the_conversation_survives_a_reload_and_copies_as_markdown(page, chat_server, real_qa, context):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    first = real_qa.ask(QUESTIONS[0])
    second = real_qa.ask(QUESTIONS[1], history=[first])
    open_page(page, chat_server.url)
    ask(page, QUESTIONS[0])
    ask(page, QUESTIONS[1])

    page.reload()
    turns = page.locator("#qa-conversation .qa-turn")
    expect(turns).to_have_count(2, timeout=ANSWER_WAIT)
    expect(turns.nth(0).locator(".qa-question")).to_have_text(QUESTIONS[0])
    expect(turns.nth(1).locator(".qa-answer")).to_have_text(f"{second.text} [1]")
    expect(turns.nth(1).locator(".qa-card")).to_have_count(len(second.citations))
    # A follow-up after the reload still has the conversation.
    follow_up = "Who announced it?"
    expected = real_qa.ask(follow_up, history=[first, second])
    ask(page, follow_up)
    expect(turns.last.locator(".qa-answer, .qa-no-answer").first).to_contain_text(expected.text or "do not say")

    page.locator("#qa-copy").click()
    expect(page.locator("#qa-copy")).to_have_text("Copied")
    expect(page.locator("#qa-copy")).to_have_text("Copy as Markdown", timeout=5_000)
    copied = page.evaluate("navigator.clipboard.readText()")
    with page.expect_download() as download:
        page.locator("#qa-download").click()
    saved = open(download.value.path(), encoding="utf-8").read()
    assert copied == saved
    c = second.citations[0]
    assert f"**Q: {QUESTIONS[1]}**" in saved
    assert f"characters {c.start}-{c.end}" in saved and c.article_id.replace("_", "\\_") in saved
    assert saved.count("**Q: ") == 3

    page.locator("#qa-clear").click()
    expect(turns).to_have_count(0)
    page.locator("#qa-copy").click()  # an empty conversation: the clipboard keeps what it had
    expect(page.locator("#qa-copy")).to_have_text("Nothing to copy yet")
    assert page.evaluate("navigator.clipboard.readText()") == copied
    page.locator("#qa-download").click()  # and nothing to save
    expect(page.locator("#qa-download")).to_have_text("Nothing to save yet")
    page.reload()
    expect(page.locator("#qa-status-line")).to_contain_text("Ready", timeout=ANSWER_WAIT)
    page.wait_for_timeout(1000)  # the stored conversation, were it kept, would be back by now
    expect(turns).to_have_count(0)
