"""How long reading a folder takes when one file in it is pathological, and what becomes of that file.

Usage: python bench/bad_files.py        (about a minute)

Each case is a folder holding one good article and one bad file, made here from the inputs that
used to stop or hang a sync: ``load_corpus`` reads it, and the table gives the seconds it took and
the bad file's fate (read, or skipped with its reason). A last pair of rows gives the cost of the
worker process that extracts HTML, PDF and Word files (``index.isolation``) on an ordinary folder: ten pages
read with it, and the same pages read in this process.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import index.articles  # noqa: E402
from index.articles import extract_document, load_corpus  # noqa: E402
from tests.test_formats import shared_stream_pdf  # noqa: E402

GOOD = "Good article\n\nAcme will invest 10 million euros in its Lyon lab.\n"
PAGE = (
    "<html><head><title>Acme opens a lab</title></head><body><article><h1>Acme opens a lab</h1>"
    "<p>Acme will invest 10 million euros in its Lyon lab over five years.</p>"
    "<p>The lab will open in May 2024 and employ 40 engineers.</p></article></body></html>"
)


CASES = {
    "page declaring charset rot13": ("odd.html", PAGE.replace("<head>", '<head><meta charset="rot13">').encode()),
    "1,500 nested <div>": ("nested.html", ("<div>" * 1500 + PAGE + "</div>" * 1500).encode()),
    "100,000 nested tags": ("deep.html", ("<div>" * 100_000 + PAGE + "</div>" * 100_000).encode()),
    "metadata of 100,000 nested [": ("deep.txt", GOOD.encode(), "deep.meta.json", b"[" * 100_000),
    "PDF of 200 pages sharing one stream": ("shared.pdf", shared_stream_pdf(pages=200, operators=100_000)),
    "1 MB of unclosed wire bylines": ("wire.txt", ("(Reporting by Jane Doe in London and " * 28_000).encode()),
    "5 MB on one line": ("line.txt", ("word " * 1_000_000).encode()),
    "30,000 tiny sentences": ("tiny.txt", ("Go. " * 30_000).encode()),
}


def main() -> int:
    print("| folder: one good article and | seconds | the bad file |")
    print("|---|---|---|")
    for label, files in CASES.items():
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch)
            (folder / "good.txt").write_text(GOOD, "utf-8")
            for name, data in zip(files[::2], files[1::2], strict=True):
                (folder / name).write_bytes(data)
            started = time.perf_counter()
            corpus = load_corpus(folder)
            seconds = time.perf_counter() - started
            fate = {s.path: s.reason for s in corpus.skipped}.get(files[0]) or "read"
            print(f"| {label} | {seconds:.2f} | {fate} |")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for n in range(10):
            (folder / f"page{n}.html").write_text(PAGE.replace("Lyon", f"Lyon {n}"), "utf-8")
        started = time.perf_counter()
        load_corpus(folder)
        isolated = time.perf_counter() - started
        started = time.perf_counter()
        for path in sorted(folder.glob("*.html")):
            index.articles.read_article(path, path.stem, root=folder.resolve(), extract=extract_document)
        inline = time.perf_counter() - started
    print(f"| ten ordinary pages, extracted in the worker | {isolated:.2f} | read |")
    print(f"| the same ten pages, extracted in this process | {inline:.2f} | read |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
