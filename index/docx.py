"""Text and metadata from a Word document (.docx, python-docx).

The text is the document body's paragraphs and table rows in order, each one paragraph (its
whitespace collapsed, a manual line break kept), separated by a blank line; empty paragraphs are
left out. Headers, footers, footnotes and comments are not read: they are the page's furniture or
remarks on the article, not the article. That text is what the article's ``text`` is, and every
offset points into it.

Metadata: the title from the document's properties, else its first paragraph styled Title or
Heading; the author from its properties when that names a person. The properties' dates are not
the article's date: they say when the file was made or saved, not when the article was published.
"""

from __future__ import annotations

import io
import re

from index.articles import Extracted
from index.metadata import person_authors

# Bump whenever the text or metadata this module extracts changes, so saved indexes are rebuilt.
DOCX_EXTRACTION_VERSION = "1"
_SPACES = re.compile(r"[^\S\n]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Word's placeholder authors, left by a template or an unconfigured installation.
_PLACEHOLDER_AUTHORS = {"python-docx", "user", "author", "administrator", "admin", "unknown"}


class DocxReadError(ValueError):
    """A file that python-docx cannot read as a Word document."""


def extract_docx(data: bytes) -> Extracted:
    """The text and metadata of a .docx file.

    Raises:
        DocxReadError: if the file is not a readable Word document (damaged, or another format).
    """
    from docx import Document

    try:
        document = Document(io.BytesIO(data))
        return _extract(document)
    except Exception as error:  # a damaged file fails in zipfile, lxml or python-docx, each its own way
        raise DocxReadError(
            f"not a readable Word document ({type(error).__name__}: {error}); "
            "open it in a word processor and save it again as .docx"
        ) from None


def _extract(document) -> Extracted:
    from docx.table import Table

    paragraphs: list[str] = []
    heading = ""
    # Style names by id, looked up once: ``paragraph.style`` searches the styles anew for each paragraph.
    style_names = {style.style_id: style.name or "" for style in document.styles}
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells = dict.fromkeys(clean_paragraph(cell.text) for cell in row.cells)  # merged cells repeat
                _add(paragraphs, " ".join(c for c in cells if c))
            continue
        text = clean_paragraph(block.text)
        properties = block._p.pPr
        style_id = properties.pStyle.val if properties is not None and properties.pStyle is not None else None
        style = style_names.get(style_id, "") if style_id else ""
        if text and not heading and (style == "Title" or style.startswith("Heading")):
            heading = text
        _add(paragraphs, text)
    properties = document.core_properties
    meta = {
        "title": " ".join((properties.title or "").split()) or heading.replace("\n", " "),
        "author": document_author(properties.author or ""),
    }
    text = "\n\n".join(paragraphs)
    return Extracted(text=text + "\n" if text else "", meta={k: v for k, v in meta.items() if v})


def _add(paragraphs: list[str], text: str) -> None:
    if text:
        paragraphs.append(text)


def document_author(value: str) -> str:
    """The author a word processor's document properties give, when that names a person: none for a placeholder
    ("Administrator") or a publisher. Used for .docx, .odt and .rtf alike."""
    author = clean_paragraph(value)
    return "" if author.lower() in _PLACEHOLDER_AUTHORS else person_authors(author)


def clean_paragraph(text: str) -> str:
    """A paragraph's lines, each with its whitespace collapsed and control characters dropped; empty lines left
    out. Used for .docx, .odt and .rtf alike."""
    lines = (_SPACES.sub(" ", _CONTROL.sub("", line)).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
