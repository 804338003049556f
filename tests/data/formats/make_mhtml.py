"""Makes tests/data/formats/saved-single-file.mhtml with Chromium (Playwright), as a person saving a news page
with the browser's "Save as > Webpage, Single File" gets it: the page, its style sheet and, as another HTML part,
an advertisement's frame. Run from the repository root to remake it:

    PYTHONPATH=. python tests/data/formats/make_mhtml.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.news_pages import STORIES, ordinary

HERE = Path(__file__).parent
#: The advertisement in the saved page's frame: not the story.
AD = "Win a holiday for two in Spain! Enter our competition today and you could be on a beach by the summer."


def main() -> None:
    tram = STORIES[1]
    page_html = ordinary(tram).html.replace("</article>", '<iframe src="advert.html"></iframe></article>')
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as folder:
        saved = Path(folder) / "tram-line-vote.html"
        saved.write_text(page_html, "utf-8")
        (Path(folder) / "advert.html").write_text(f"<html><body><p>{AD}</p></body></html>", "utf-8")
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page()
        page.goto(saved.as_uri())
        # What "Webpage, Single File" writes: the same call Chrome's save makes (Page.captureSnapshot).
        snapshot = page.context.new_cdp_session(page).send("Page.captureSnapshot", {"format": "mhtml"})
        (HERE / "saved-single-file.mhtml").write_bytes(snapshot["data"].encode("utf-8"))
        browser.close()


if __name__ == "__main__":
    main()
