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
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import index.articles  # noqa: E402
from index.articles import extract_document, load_corpus  # noqa: E402

GOOD = "Good article\n\nAcme will invest 10 million euros in its Lyon lab.\n"
PAGE = (
    "<html><head><title>Acme opens a lab</title></head><body><article><h1>Acme opens a lab</h1>"
    "<p>Acme will invest 10 million euros in its Lyon lab over five years.</p>"
    "<p>The lab will open in May 2024 and employ 40 engineers.</p></article></body></html>"
)


def shared_stream_pdf(pages: int = 200, operators: int = 100_000) -> bytes:
    """A small PDF whose pages all draw one large deflated content stream."""
    content = b"BT /F1 12 Tf 72 720 Td " + b"(x) Tj " * operators + b"ET"
    stream = zlib.compress(content, 9)
    kids = " ".join(f"{4 + n} 0 R" for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        b"<< /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n" + stream + b"\nendstream",
    ]
    font = "<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"
    objects += [f"<< /Type /Page /Parent 2 0 R /Contents 3 0 R /Resources {font} >>".encode() for _ in range(pages)]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


CASES = {
    "page declaring charset rot13": ("odd.html", PAGE.replace("<head>", '<head><meta charset="rot13">').encode()),
    "1,500 nested <div>": ("nested.html", ("<div>" * 1500 + PAGE + "</div>" * 1500).encode()),
    "100,000 nested tags": ("deep.html", ("<div>" * 100_000 + PAGE + "</div>" * 100_000).encode()),
    "metadata of 100,000 nested [": ("deep.txt", GOOD.encode(), "deep.meta.json", b"[" * 100_000),
    "PDF of 200 pages sharing one stream": ("shared.pdf", shared_stream_pdf()),
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
