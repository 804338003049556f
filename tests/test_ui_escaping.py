"""Articles and questions that contain HTML and scripts show as text in the real browser and run nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import serve_chat
from tests.test_ui_render import EVIL_TEXT, EVIL_TITLE, PLAIN_TEXT

pytestmark = [pytest.mark.browser, pytest.mark.model]

# Its author is printed in its front matter, so "Who wrote the article ...?" is answered and offered.
TRAM_MD = "---\ntitle: Tram <i>vote</i> passes\nauthor: Claire Hollis\n---\nThe tram won 61% of the vote in Brest.\n"
QUESTION = '<img src=x onerror="window.__pwned = 3">How much will the bridge cost?'


@pytest.fixture(scope="module")
def evil_server(tmp_path_factory):
    """`qa chat --corpus` on a folder with an article full of markup, its index built fresh."""
    root = tmp_path_factory.mktemp("evil")
    folder = root / "articles"
    folder.mkdir()
    (folder / "evil.txt").write_text(EVIL_TEXT, encoding="utf-8")
    (folder / "ferry.txt").write_text(PLAIN_TEXT, encoding="utf-8")
    (folder / "tram.md").write_text(TRAM_MD, encoding="utf-8")
    with serve_chat("--corpus", str(folder), "--index-dir", str(root / "index"), log=root / "qa-chat.log") as server:
        yield server


def test_article_with_script_tags_is_shown_as_text(page, evil_server):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(evil_server.url)
    expect(page.locator("#qa-status-line")).to_contain_text("Ready: 3 articles", timeout=60_000)
    # The examples offered are the questions the folder answers, built from titles, which show as text.
    offered = page.locator(".qa-example:visible")
    expect(offered).to_have_count(2, timeout=30_000)
    expect(offered).to_have_text(
        [f"What does the article “{EVIL_TITLE}” report?", "Who wrote the article “Tram <i>vote</i> passes”?"]
    )  # not "What does the article “Harbour ferry returns after repairs” report?": the page declines it

    page.locator("#qa-question textarea").fill(QUESTION)
    page.locator("#qa-question textarea").press("Enter")
    turn = page.locator("#qa-conversation .qa-turn:not(.qa-pending)")
    expect(turn).to_have_count(1, timeout=60_000)
    expect(turn.locator(".qa-question")).to_have_text(QUESTION)
    card = turn.locator(".qa-card").filter(has=page.locator(".qa-title", has_text="claims")).first
    expect(card.locator(".qa-title")).to_have_text(EVIL_TITLE)

    card.locator(".qa-open").click()
    viewer = page.locator("#qa-article")
    expect(viewer.locator(".qa-article-title")).to_have_text(EVIL_TITLE)
    text = viewer.locator(".qa-article-text")
    expect(text).to_contain_text("The council met on <script>window.__pwned = 1</script> Monday")
    expect(text).to_contain_text('<img src=x onerror="window.__pwned = 2">')
    # Gradio's HTML component is a template: text that looks like one must stay as it is.
    expect(text).to_contain_text("Residents said {{value}} and ${1+1} were printed")

    for where in ("#qa-conversation", "#qa-article"):
        assert page.locator(f"{where} script, {where} img, {where} b").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []
