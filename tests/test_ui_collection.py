"""One's own articles from the chat page: upload files, the list of articles and skipped files, a
re-scan, and a status line that follows `qa index` run elsewhere. `qa chat --corpus` in a subprocess,
Debian's chromium through Playwright.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from qa import QA
from tests.conftest import serve_chat
from tests.test_ui_browser import ANSWER_WAIT, ask
from tests.test_ui_render import PLAIN_TEXT

pytestmark = [pytest.mark.browser, pytest.mark.model]

TRAM = (
    "---\ntitle: Brest tram line approved\npublisher: Brest Courier\ndate: 4 March 2025\n---\n"
    "Brest voters approved the second tram line on Sunday. The line will cost 212 million euros "
    "and open in 2029, the council said.\n"
)
TRAM_QUESTION = "How much will the second tram line in Brest cost?"
BINARY_REASON = "binary file (contains NUL bytes), not a text article"


@pytest.fixture
def own_server(tmp_path):
    """`qa chat --corpus` on a folder of one article and one file that is not an article."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "ferry.txt").write_text(PLAIN_TEXT, encoding="utf-8")
    (folder / "chart.txt").write_bytes(b"\x89PNG\x00\x00")
    index_dir = tmp_path / "index"
    with serve_chat("--corpus", str(folder), "--index-dir", str(index_dir), log=tmp_path / "qa-chat.log") as server:
        server.folder, server.index_dir = folder, index_dir
        yield server


def _open(page: Page, url: str, articles: str) -> None:
    page.goto(url)
    expect(page.locator("#qa-status-line")).to_contain_text(f"Ready: {articles}", timeout=ANSWER_WAIT)
    page.locator("#qa-collection").get_by_text("The articles").first.click()  # open the accordion


def _upload(page: Page, *files: object) -> None:
    with page.expect_file_chooser() as chooser:
        page.locator("#qa-upload").click()
    chooser.value.set_files(files)


def test_the_list_shows_articles_and_skipped_files(page, own_server):
    _open(page, own_server.url, "1 article")
    listing = page.locator("#qa-article-list")
    rows = listing.locator("tbody tr")
    expect(rows).to_have_count(1)
    cells = ["Harbour ferry returns after repairs", "unknown", "unknown", "unknown", "ferry"]
    expect(rows.first.locator("td")).to_have_text(cells)
    expect(listing.locator(".qa-list-skipped li")).to_have_text([f"chart.txt: {BINARY_REASON}"])


def test_an_uploaded_md_file_is_listed_and_answerable(page, own_server, tmp_path):
    upload = tmp_path / "upload" / "tram.md"
    upload.parent.mkdir()
    upload.write_text(TRAM, encoding="utf-8")
    _open(page, own_server.url, "1 article")

    _upload(page, str(upload))
    note = page.locator("#qa-collection-notes")
    expect(note).to_contain_text("tram.md: added", timeout=ANSWER_WAIT)
    expect(note).to_contain_text("Index: 1 added, 0 updated, 0 removed, 1 unchanged.")
    assert (own_server.folder / "tram.md").read_text(encoding="utf-8") == TRAM
    row = page.locator("#qa-article-list tbody tr").filter(has_text="Brest tram line approved")
    cells = ["Brest tram line approved", "Brest Courier", "unknown", "4 March 2025", "tram"]
    expect(row.locator("td")).to_have_text(cells)
    expect(page.locator("#qa-status-line")).to_contain_text("Ready: 2 articles", timeout=10_000)

    ask(page, TRAM_QUESTION)
    turn = page.locator("#qa-conversation .qa-turn").last
    expect(turn.locator(".qa-answer mark.qa-span")).to_have_text("212 million euros")
    expect(turn.locator(".qa-card").first.locator(".qa-title")).to_have_text("Brest tram line approved")

    # The same name with other text is saved beside it, never over it; the same file again changes nothing.
    other = tmp_path / "other" / "tram.md"
    other.parent.mkdir()
    other.write_text(TRAM.replace("212 million", "300 million").replace("second", "third"), encoding="utf-8")
    _upload(page, str(other))
    expect(note).to_contain_text("tram.md: added as tram-2.md (tram.md was already there", timeout=ANSWER_WAIT)
    assert (own_server.folder / "tram.md").read_text(encoding="utf-8") == TRAM
    _upload(page, str(upload))
    expect(note).to_contain_text("tram.md: already in the collection as tram.md, unchanged", timeout=ANSWER_WAIT)
    expect(page.locator("#qa-article-list tbody tr")).to_have_count(3)


def test_a_page_on_an_empty_folder_opens_its_index_with_the_first_upload_and_offers_examples(page, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    article = tmp_path / "upload" / "tram.md"
    article.parent.mkdir()
    article.write_text(TRAM.replace("publisher:", "author: Claire Hollis\npublisher:"), encoding="utf-8")
    options = ("--corpus", str(folder), "--index-dir", str(tmp_path / "index"))
    with serve_chat(*options, log=tmp_path / "qa-chat.log") as server:
        page.goto(server.url)
        status = page.locator("#qa-status-line")
        expect(status).to_contain_text("Could not open the articles: no readable article in", timeout=ANSWER_WAIT)
        expect(status).to_contain_text("Add articles under “The articles” below.")
        expect(page.locator(".qa-example")).to_have_count(0)
        page.locator("#qa-collection").get_by_text("The articles").first.click()  # open the accordion
        nothing_yet = "No articles to list: add some with “Add articles” below."
        expect(page.locator("#qa-article-list")).to_have_text(nothing_yet)
        photo = tmp_path / "upload" / "photo.txt"
        photo.write_bytes(b"\x89PNG\x00\x00")
        _upload(page, str(photo))  # refused: the index stays unopened, and the page says why
        expect(page.locator("#qa-collection-notes")).to_contain_text("photo.txt: not saved", timeout=ANSWER_WAIT)

        _upload(page, str(article))
        expect(page.locator("#qa-collection-notes")).to_contain_text("Index: 1 added", timeout=ANSWER_WAIT)
        expect(status).to_have_text("Ready: 1 article. Every answer is quoted from one of them.", timeout=10_000)
        example = page.locator(".qa-example").filter(has_text="Who wrote the article “Brest tram line approved”?")
        expect(example).to_be_visible(timeout=10_000)
        example.click()
        turn = page.locator("#qa-conversation .qa-turn").last
        expect(turn.locator(".qa-answer")).to_contain_text("Claire Hollis", timeout=ANSWER_WAIT)


def test_an_upload_that_is_not_an_article_is_refused_with_its_reason(page, own_server, tmp_path):
    bad = tmp_path / "upload" / "photo.txt"
    bad.parent.mkdir()
    bad.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    _open(page, own_server.url, "1 article")

    _upload(page, str(bad))

    expect(page.locator("#qa-collection-notes")).to_have_text(
        f"photo.txt: not saved, {BINARY_REASON}", timeout=ANSWER_WAIT
    )
    assert not (own_server.folder / "photo.txt").exists()


def test_status_and_list_follow_an_outside_qa_index_and_a_rescan(page, own_server, real_qa):
    _open(page, own_server.url, "1 article")
    (own_server.folder / "tram.md").write_text(TRAM, encoding="utf-8")

    # Another process syncs the folder (as `qa index` would); the page picks the new build up by itself.
    QA(own_server.folder, index_dir=own_server.index_dir, embedder=real_qa.embedder, progress=False).sync()
    expect(page.locator("#qa-status-line")).to_contain_text("Ready: 2 articles", timeout=15_000)
    expect(page.locator("#qa-article-list tbody tr")).to_have_count(2, timeout=15_000)

    # A file removed behind the page's back: the re-scan button brings the index in step.
    (own_server.folder / "ferry.txt").unlink()
    page.locator("#qa-rescan").click()
    expect(page.locator("#qa-collection-notes")).to_have_text(
        "Index: 0 added, 0 updated, 1 removed, 1 unchanged.", timeout=ANSWER_WAIT
    )
    expect(page.locator("#qa-article-list tbody tr")).to_have_count(1)
    expect(page.locator("#qa-status-line")).to_contain_text("Ready: 1 article.", timeout=15_000)
    log = own_server.log.read_text(errors="replace")
    assert log.count("chart.txt") == 2, log  # warned once per sync (start, re-scan), not on every tick
    assert "Traceback" not in log


def test_the_built_in_articles_take_no_uploads(page, chat_server):
    page.goto(chat_server.url)
    page.locator("#qa-collection").get_by_text("The articles").first.click()
    expect(page.locator("#qa-upload")).to_have_count(0)
    expect(page.locator("#qa-collection")).to_contain_text(re.compile(r"qa chat --corpus DIR"))
