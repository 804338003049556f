"""Text and metadata from an OpenDocument text (.odt: LibreOffice's and OpenOffice's Writer; lxml).

An .odt is a zip of XML files (OASIS OpenDocument 1.3): the text is ``content.xml``'s body, the
document's properties ``meta.xml``. Its paragraphs and headings are read in order, each one
paragraph (a list item too; a table row's cells one paragraph), its whitespace collapsed and a line
break kept, separated by a blank line. Left out: footnotes and endnotes, comments, deleted text of
tracked changes, text in frames and drawings, a table of contents (it repeats the headings). That
text is what the article's ``text`` is, and every offset points into it.

Metadata: the title from the properties, else the first heading; the author who created the document
when that names a person. Its dates say when the file was made or saved, not when the article was
published, and are not read.
"""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING

from index.articles import Extracted
from index.docx import clean_paragraph, document_author

if TYPE_CHECKING:
    from lxml.etree import _Element

# Bump whenever the text or metadata this module extracts changes, so saved indexes are rebuilt.
ODT_EXTRACTION_VERSION = "1"
# content.xml larger than this (unpacked) is refused: a news article's is some hundreds of kilobytes.
MAX_CONTENT_BYTES = 64 * 1024 * 1024
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
_DC = "http://purl.org/dc/elements/1.1/"
_PARAGRAPHS = {f"{{{_TEXT}}}p", f"{{{_TEXT}}}h"}
_HEADING = f"{{{_TEXT}}}h"
_ROW = f"{{{_TABLE}}}table-row"
_CELL = f"{{{_TABLE}}}table-cell"
# Never the article's text: notes, comments, deleted text, frames and drawings, generated indexes.
_LEFT_OUT_NAMESPACES = (
    "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}",
    "{urn:oasis:names:tc:opendocument:xmlns:form:1.0}",
)
_LEFT_OUT = {
    f"{{{_TEXT}}}note",
    f"{{{_TEXT}}}tracked-changes",
    f"{{{_TEXT}}}table-of-content",
    f"{{{_TEXT}}}alphabetical-index",
    f"{{{_TEXT}}}bibliography",
    f"{{{_TEXT}}}sequence-decls",
    f"{{{_TEXT}}}variable-decls",
    f"{{{_OFFICE}}}annotation",
    f"{{{_OFFICE}}}annotation-end",
    f"{{{_OFFICE}}}forms",
}
_SPACE, _TAB, _BREAK = f"{{{_TEXT}}}s", f"{{{_TEXT}}}tab", f"{{{_TEXT}}}line-break"


class OdtReadError(ValueError):
    """A file that cannot be read as an OpenDocument text."""


def extract_odt(data: bytes) -> Extracted:
    """The text and metadata of an .odt file.

    Raises:
        OdtReadError: if it is not a readable OpenDocument text (damaged, or another format).
    """
    import lxml.etree

    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            content = lxml.etree.fromstring(_member(archive, "content.xml"), parser)
            names = set(archive.namelist())
            meta = lxml.etree.fromstring(_member(archive, "meta.xml"), parser) if "meta.xml" in names else None
    except OdtReadError:
        raise
    except Exception as error:  # a damaged file fails in zipfile or lxml, each its own way
        raise OdtReadError(
            f"not a readable OpenDocument text ({type(error).__name__}: {error}); "
            "open it in a word processor and save it again as .odt"
        ) from None
    body = content.find(f"{{{_OFFICE}}}body/{{{_OFFICE}}}text")
    if body is None:
        raise OdtReadError("not an OpenDocument text (no text body: a spreadsheet or a presentation?)")
    paragraphs: list[str] = []
    headings: list[str] = []
    _blocks(body, paragraphs, headings)
    title = _meta_value(meta, f"{{{_DC}}}title")
    author = _meta_value(meta, f"{{{_META}}}initial-creator")
    found = {
        "title": title or (headings[0].replace("\n", " ") if headings else ""),
        "author": document_author(author),
    }
    text = "\n\n".join(paragraphs)
    return Extracted(text=text + "\n" if text else "", meta={k: v for k, v in found.items() if v})


def _member(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > MAX_CONTENT_BYTES:
        raise OdtReadError(f"its {name} unpacks to {info.file_size:,} bytes; more than an article holds")
    return archive.read(info)


def _blocks(element: _Element, paragraphs: list[str], headings: list[str]) -> None:
    """The paragraphs under ``element``, in order (lists and sections looked into, table rows one each)."""
    for child in element:
        if not isinstance(child.tag, str) or _left_out(child):
            continue
        if child.tag in _PARAGRAPHS:
            text = clean_paragraph(_inline(child))
            if text:
                paragraphs.append(text)
                if child.tag == _HEADING:
                    headings.append(text)
        elif child.tag == _ROW:
            cells = []
            for cell in child.iter(_CELL):
                found: list[str] = []
                _blocks(cell, found, [])
                cells.extend(found)
            if cells:
                paragraphs.append(" ".join(cell.replace("\n", " ") for cell in cells))
        else:
            _blocks(child, paragraphs, headings)


def _inline(element: _Element) -> str:
    """A paragraph's text: spans and links read through, ``text:s`` as its spaces, a tab a space, a line break
    a newline; notes, comments and frames left out (their tails kept)."""
    pieces = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and not _left_out(child):
            if child.tag == _SPACE:
                pieces.append(" " * _count(child.get(f"{{{_TEXT}}}c")))
            elif child.tag == _TAB:
                pieces.append(" ")
            elif child.tag == _BREAK:
                pieces.append("\n")
            else:
                pieces.append(_inline(child))
        pieces.append(child.tail or "")
    return "".join(pieces)


def _left_out(element: _Element) -> bool:
    return element.tag in _LEFT_OUT or element.tag.startswith(_LEFT_OUT_NAMESPACES)


def _count(value: str | None) -> int:
    return min(int(value), 100) if value and value.isdigit() else 1


def _meta_value(meta: _Element | None, tag: str) -> str:
    if meta is None:
        return ""
    found = meta.find(f".//{tag}")
    return clean_paragraph(found.text or "").replace("\n", " ") if found is not None else ""
