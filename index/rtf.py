"""Text and metadata from a Rich Text Format document (.rtf: TextEdit's, WordPad's and Word's; striprtf).

striprtf turns the markup into text: its escapes (``\\'e9``, ``\\u8220``) decoded in the document's
code page, fields (links) kept as the text they show, headers, footers, footnotes, pictures and the
document's information left out. Each paragraph is then one paragraph of the article, its
whitespace collapsed, separated by a blank line; a table row's cells are one paragraph. That text
is what the article's ``text`` is, and every offset points into it.

Metadata: the title and the author from the document's information (``{\\info{\\title ...}}``), the
author when it names a person. Its dates say when the file was made, not when the article was
published, and are not read.
"""

from __future__ import annotations

import re

from index.articles import Extracted
from index.docx import clean_paragraph, document_author

# Bump whenever the text or metadata this module extracts changes, so saved indexes are rebuilt.
RTF_EXTRACTION_VERSION = "1"
RTF_MAGIC = b"{\\rtf"
_CODE_PAGE = re.compile(rb"\\ansicpg(\d+)")
_INFO = {key: re.compile(rf"{{\\{key}\s?((?:[^{{}}\\]|\\.)*)}}", re.DOTALL) for key in ("title", "author")}
# A table cell's end and a line break inside a paragraph, marked as control characters (an article's text
# keeps none: ``clean_paragraph`` drops them) before striprtf, which would make them "|" (a pipe of the text
# looks the same) and a paragraph break. Only control words are marked: ``\\line``, a backslash escaped, is
# the text "\line".
_CELL_END = "\x1f"
_LINE_BREAK = "\x1e"
_CONTROL_WORD = r"(?<!\\)((?:\\\\)*)\\"
_CELL_WORD = re.compile(_CONTROL_WORD + r"(?:nest)?cell(?![a-z])")
_LINE_WORD = re.compile(_CONTROL_WORD + r"line(?![a-z]) ?")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class RTFReadError(ValueError):
    """A file that cannot be read as an RTF document."""


def extract_rtf(data: bytes) -> Extracted:
    """The text and metadata of an .rtf file.

    Example:
        >>> rtf = rb"{\\rtf1\\ansi\\ansicpg1252{\\info{\\title Caf\\'e9 news}}Caf\\'e9s close.\\par Rents rose.\\par}"
        >>> document = extract_rtf(rtf)
        >>> document.text, document.meta
        ('Cafés close.\\n\\nRents rose.\\n', {'title': 'Café news'})

    Raises:
        RTFReadError: if it is not an RTF document, or one that cannot be decoded.
    """
    from striprtf.striprtf import rtf_to_text

    data = data.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark some writers put first
    if not data.lstrip().startswith(RTF_MAGIC):
        raise RTFReadError("not an RTF document (no {\\rtf header); open it in a word processor and save it again")
    page = _CODE_PAGE.search(data[:4096])
    encoding = f"cp{int(page.group(1))}" if page else "cp1252"
    try:
        # RTF is 7-bit text with escapes; a writer that put 8-bit bytes in it wrote them in its code page.
        markup = data.decode("ascii") if data.isascii() else data.decode(encoding)
        marked = _LINE_WORD.sub(rf"\1{_LINE_BREAK}", _CELL_WORD.sub(rf"\1{_CELL_END}", markup))
        text = rtf_to_text(marked, encoding=encoding, errors="strict")
        meta = {
            key: clean_paragraph(_characters(rtf_to_text(match.group(1), encoding=encoding)))
            for key, match in _info(markup).items()
        }
    except (LookupError, UnicodeError, ValueError, IndexError) as error:
        raise RTFReadError(
            f"not a readable RTF document ({type(error).__name__}: {error}); "
            "open it in a word processor and save it again"
        ) from None
    paragraphs = [_paragraph(line) for line in _characters(text).split("\n")]
    body = "\n\n".join(p for p in paragraphs if p)
    meta["author"] = document_author(meta.get("author", ""))
    return Extracted(text=body + "\n" if body else "", meta={k: v for k, v in meta.items() if v})


def _info(markup: str) -> dict[str, re.Match]:
    found = {}
    for key, pattern in _INFO.items():
        match = pattern.search(markup)
        if match:
            found[key] = match
    return found


def _characters(text: str) -> str:
    """The text with each character outside the Basic Multilingual Plane whole: RTF writes one ("😀") as two
    ``\\u`` escapes, its UTF-16 surrogates, which striprtf leaves as two characters no UTF-8 store accepts.
    A surrogate without its pair becomes U+FFFD."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub("\ufffd", text.encode("utf-16", "surrogatepass").decode("utf-16", "replace"))


def _paragraph(line: str) -> str:
    if _CELL_END in line:  # a table row: its cells that are not empty (merged cells are)
        line = " ".join(c for c in (clean_paragraph(cell) for cell in line.split(_CELL_END)) if c)
    # TextEdit writes a line break as U+2028, the line separator.
    return clean_paragraph(line.replace(_LINE_BREAK, "\n").replace("\u2028", "\n"))
