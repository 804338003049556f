"""Makes the browser-printed PDFs of tests/data/formats with Chromium (Playwright), as a person saving a news
page with the browser's "Print > Save as PDF" gets them: the print header (date and time, page title) and
footer (the page's address, "1/3") on every page, and the page's links as link annotations. Run from the
repository root to remake them:

    PYTHONPATH=. python tests/data/formats/make_pdfs.py
"""

from __future__ import annotations

import tempfile
from html import escape
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.news_pages import STORIES, ordinary

HERE = Path(__file__).parent
_HEADER = (
    '<div style="font-size:8px;width:100%;display:flex;justify-content:space-between;padding:0 1cm">'
    '<span class="date"></span><span class="title"></span></div>'
)
_FOOTER = (
    '<div style="font-size:8px;width:100%;display:flex;justify-content:space-between;padding:0 1cm">'
    '<span class="url"></span><span><span class="pageNumber"></span>/<span class="totalPages"></span></span></div>'
)
_RUNNING = (
    '<div style="font-size:8px;width:100%;display:flex;justify-content:space-between;padding:0 1.5cm">'
    "<span>MORNING LEDGER | WEATHER</span><span>Page <span class='pageNumber'></span> of "
    "<span class='totalPages'></span></span></div>"
)


def main() -> None:
    lab, tram, heat = STORIES
    # Long enough for three pages: the story, then the same paragraphs again as a "continued" part.
    printed = (
        f"<html><head><title>{escape(lab.title)} | {lab.site}</title><style>body{{font:11pt serif}}"
        "p{margin:0 0 .8em}</style></head><body>"
        f"<h1>{escape(lab.title)}</h1><p>By {lab.authors[0]}</p><p>1 March 2024</p>"
        + "".join(f"<p>{escape(p)}</p>" for p in lab.paragraphs * 3)
        + "</body></html>"
    )
    columns = (
        f"<html><head><title>{escape(heat.title)}</title><style>body{{font:13pt serif}}"
        ".cols{column-count:2;column-gap:1.2em;hyphens:auto;text-align:justify} p{margin:0 0 .7em}</style>"
        f"</head><body lang='en'><h1>{escape(heat.title)}</h1><p>By {heat.authors[0]}</p>"
        f"<div class='cols'>" + "".join(f"<p>{escape(p)}</p>" for p in heat.paragraphs * 3) + "</div></body></html>"
    )
    # Links inside the story: one that fills a whole line, one that ends a paragraph, a linked date, and a
    # subheading that is also a menu link's word.
    menu = "".join(f'<a href="/{w.lower()}">{w}</a> ' for w in ("Home", "World", "Transport", "Sport"))
    story = (
        f"<html><head><title>{escape(tram.title)} | {tram.site}</title><style>body{{font:11pt serif}}"
        "p{margin:0 0 .8em}</style></head><body><nav>" + menu + f"</nav><h1>{escape(tram.title)}</h1>"
        "<p>By Claire Hollis</p><p><a href='/archive/2023/11/14'>14 November 2023</a></p>"
        "<p style='width:20em'>The council said the plan followed the <a href='/report'>independent regional "
        "transport commission's final report on river crossings and urban rail</a> published last spring.</p>"
        "<h2>Sport</h2><p style='width:20em'>The vote was welcomed by the town's cycling club and by the "
        "<a href='/chamber'>Millbrook Chamber of Commerce</a>.</p>"
        + "".join(f"<p>{escape(p)}</p>" for p in tram.paragraphs)
        + "<footer><a href='/privacy'>Privacy policy</a> <a href='/contact'>Contact us</a></footer></body></html>"
    )
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as folder:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page()
        with_print_header = {
            "display_header_footer": True,
            "header_template": _HEADER,
            "footer_template": _FOOTER,
            "margin": {"top": "1.2cm", "bottom": "1.2cm", "left": "1cm", "right": "1cm"},
        }
        _print_saved(
            page,
            Path(folder),
            "acme-opens-a-research-lab-in-lyon",
            printed,
            "printed-from-browser.pdf",
            **with_print_header,
        )
        # A news site's page as saved: its name, menu, byline, tags, "most read" and footer are links.
        site = ordinary(tram).html.replace("4,000 cars", '<a href="/traffic-study">4,000 cars</a>')
        _print_saved(page, Path(folder), "tram-line-vote", site, "saved-page-with-links.pdf", **with_print_header)
        _print_saved(
            page,
            Path(folder),
            "links-in-a-story",
            story,
            "links-in-a-story.pdf",
            margin={"top": "1.2cm", "bottom": "1.2cm"},
        )
        page.set_content(columns)
        page.pdf(
            path=HERE / "two-columns.pdf",
            format="A5",
            display_header_footer=True,
            header_template=_RUNNING,
            footer_template="<span></span>",
            margin={"top": "1.4cm", "bottom": "1cm", "left": "1.2cm", "right": "1.2cm"},
        )
        browser.close()


def _print_saved(page, folder: Path, name: str, html: str, pdf_name: str, **options) -> None:
    """Save ``html`` as ``name``.html in ``folder``, open it and print it to ``pdf_name`` here, A5: opened from a
    file, the footer prints its file:/// address and relative links become link annotations."""
    saved = folder / f"{name}.html"
    saved.write_text(html, "utf-8")
    page.goto(saved.as_uri())
    page.pdf(path=HERE / pdf_name, format="A5", **options)


if __name__ == "__main__":
    main()
