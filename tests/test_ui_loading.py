"""The page comes up at once and says so while the model and index load; a question asked meanwhile is answered."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect

from qa import QA
from tests.conftest import FakeEmbedder, free_port
from ui.page import build_page

pytestmark = pytest.mark.browser


class GatedEmbedder(FakeEmbedder):
    """Encodes nothing until the test opens the gate: the model is 'still loading'."""

    def __init__(self, gate: threading.Event) -> None:
        super().__init__()
        self.gate = gate

    def encode(self, texts, *, progress=False):
        if not self.gate.wait(timeout=60):
            raise TimeoutError("the test never opened the gate")
        return super().encode(texts, progress=progress)


TRAM = "---\ntitle: Tram vote passes\nauthor: Claire Hollis\n---\nThe tram won 61% of the vote in Brest.\n"


def test_page_shows_loading_status_and_answers_once_loaded(page, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "ferry.txt").write_text(
        "Harbour ferry returns after repairs\n\nThe harbour ferry will run again from Monday.\n", encoding="utf-8"
    )
    (folder / "tram.md").write_text(TRAM, encoding="utf-8")
    gate = threading.Event()
    bot = QA(folder, index_dir=tmp_path / "index", embedder=GatedEmbedder(gate), progress=False)
    app = build_page(bot)
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        page.goto(f"http://127.0.0.1:{port}/")
        status = page.locator("#qa-status-line")
        expect(status).to_contain_text("Loading the model and index…")
        expect(page.locator(".qa-example")).to_have_count(0)  # none offered before they are known to be answered
        page.locator("#qa-question textarea").fill("When does the ferry run again?")
        page.locator("#qa-question textarea").press("Enter")
        pending = page.locator("#qa-conversation .qa-pending")
        expect(pending).to_contain_text("When does the ferry run again?")
        expect(pending).to_contain_text("Loading the model and index… the answer follows")
        expect(status).to_contain_text("Loading the model and index…")  # still: nothing was loaded

        gate.set()
        expect(status).to_have_text("Ready: 2 articles. Every answer is quoted from one of them.", timeout=15_000)
        # This page opened before the index: it gets the examples the loader found answered.
        expect(page.locator(".qa-example").filter(has_text="Who wrote the article “Tram vote passes”?")).to_be_visible()
        expect(pending).to_have_count(0, timeout=15_000)
        turn = page.locator("#qa-conversation .qa-turn")
        expect(turn).to_have_count(1)
        expect(turn.locator(".qa-card mark").first).to_be_visible()
    finally:
        gate.set()
        app.close()
