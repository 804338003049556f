"""Text and metadata from a PDF file (pypdf).

The text is each page's extracted text (pypdf's reading order, one line per
text line, trailing spaces removed), pages separated by a blank line. PDFs do
not mark paragraphs, so a page is one block of lines; that text is what the
article's ``text`` is, and every offset points into it.

Metadata: the document's /Title and /Author, when set. The /CreationDate is not
used as the article's date: it is when the file was made, not when the article
was published. A PDF with no text layer (a scan) yields no text: recognising
text in images is not done.
"""

from __future__ import annotations

import io
import logging
import re

from index.articles import Extracted

# Bump whenever the text or metadata this module extracts changes, so saved indexes are rebuilt.
PDF_EXTRACTION_VERSION = "1"
PDF_MAGIC = b"%PDF-"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class PDFReadError(ValueError):
    """A file that pypdf cannot read as a PDF (damaged, encrypted, not a PDF)."""


def extract_pdf(data: bytes) -> Extracted:
    """The text and metadata of a PDF.

    Raises:
        PDFReadError: if the file is not a readable PDF or is encrypted with a password.
    """
    from pypdf import PdfReader

    # pypdf logs every repair it makes to a damaged file; the caller reports what matters.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PDFReadError("the PDF is encrypted with a password")
        pages = [_page_text(page.extract_text() or "") for page in reader.pages]
        info = reader.metadata or {}
        meta = {key: _clean(info.get(name)) for key, name in (("title", "/Title"), ("author", "/Author"))}
    except PDFReadError:
        raise
    except Exception as error:  # pypdf raises many kinds of error on damaged files
        raise PDFReadError(f"not a readable PDF ({type(error).__name__}: {error})") from None
    text = "\n\n".join(page for page in pages if page)
    return Extracted(text=text + "\n" if text else "", meta={k: v for k, v in meta.items() if v})


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _page_text(text: str) -> str:
    # pypdf can decode a broken ToUnicode map to lone surrogates, which no UTF-8 store accepts.
    text = _SURROGATE.sub("\ufffd", text)
    lines = [_CONTROL.sub("", line).rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def _clean(value) -> str:
    return " ".join(str(value).split()) if value else ""
