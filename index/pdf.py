"""Text and metadata from a PDF file (pypdf).

PDFs do not mark paragraphs: their text is lines, as the page was laid out. pypdf's plain
extraction gives those lines in reading order, columns one after the other (its layout mode keeps
columns side by side, which mixes their lines, so it is not used). The lines are then:

- cleared of page furniture: a browser's print header and footer (``12/5/26, 2:29 PM  Title``,
  ``https://...`` or ``file:///...`` with ``1/3``), page numbers (``3``, ``1/3``, ``Page 2 of 5``), and
  lines that repeat at the top or bottom of most pages (a running header or footer);
- joined back into paragraphs: a line break inside a sentence is no paragraph break, and a word
  hyphenated across lines is joined. A line ends its paragraph when it ends a sentence short of the
  page's full line width, or is a short line of its own (a title, a byline, a date) before a capital;
- cleared of a saved web page's links around its story: a PDF printed from a browser keeps the page's
  links as link annotations, and the paragraphs of links and nothing else (each run of their text with
  a letter starts inside a link's rectangle) before the printed headline are the site's name, its menu
  and breadcrumbs, those at the end its footer links. Links among the story's paragraphs stay: there a
  paragraph of links cannot be told from a line of the story that is all link;
- written one paragraph a line, paragraphs separated by a blank line. A paragraph that runs on
  over a page break is joined too, and so is a headline wrapped onto two lines near the top.

That text is what the article's ``text`` is, and every offset points into it.

Metadata: the document's /Title and /Author, when set (an author only when it names a person; a
title that is a browser's page title loses its " | Site" part when the page prints the headline
alone, and that part is the publisher). The /CreationDate is not used as the article's date: it is
when the file was made, not when the article was published. A PDF with no text layer (a scan) yields
no text: recognising text in images is not done.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata

from index.articles import Extracted
from index.metadata import person_authors

# Bump whenever the text or metadata this module extracts changes, so saved indexes are rebuilt.
PDF_EXTRACTION_VERSION = "9"
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
            raise PDFReadError("the PDF is encrypted with a password; save a copy without one")
        info = reader.metadata or {}
        meta = {key: _clean(info.get(name)) for key, name in (("title", "/Title"), ("author", "/Author"))}
        pages = [_page_lines(page) for page in reader.pages]
    except PDFReadError:
        raise
    except Exception as error:  # pypdf raises many kinds of error on damaged files
        raise PDFReadError(
            f"not a readable PDF ({type(error).__name__}: {error}); open it in a PDF viewer and save or print it "
            "again as PDF"
        ) from None
    paragraphs = _without_links(_paragraphs(_without_furniture(pages)), meta["title"])
    paragraphs = _headline_joined(meta["title"], paragraphs)
    printed = _printed_title(meta["title"], paragraphs)
    meta["publisher"] = _site_name(meta["title"], printed)
    meta["title"] = printed
    meta["author"] = person_authors(meta["author"], publisher=meta["publisher"])
    text = "\n\n".join(paragraphs)
    return Extracted(text=text + "\n" if text else "", meta={k: v for k, v in meta.items() if v})


_SURROGATE = re.compile(r"[\ud800-\udfff]")
_LIGATURE = re.compile("[\ufb00-\ufb06]")
# A browser's print header: the date and time it was printed, then the page's title.
_PRINT_HEADER = re.compile(r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4},?\s+\d{1,2}:\d{2}(:\d{2})?(\s*[AaPp]\.?[Mm]\.?)?(\s.*)?$")
# A browser's print footer: the page's address, then the page number and count.
_PRINT_FOOTER = re.compile(r"^(https?://|file:///|about:blank|www\.)\S*(\s+\d+\s*/\s*\d+)?$", re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"^(page\s+)?\d{1,4}(\s*(/|of)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$", re.IGNORECASE)
# The narrowest a letter of a link's text is, on average, as a share of its font size (about half is usual)...
_NARROWEST_LETTER = 0.25
# ...and how far before a link's right edge, as a share of the font size, a run must start to be inside it.
_LETTER_START = 0.1
_HAS_LETTER = re.compile(r"[^\W\d_]")
_LIST_NUMBER = re.compile(r"^\s*\d{1,3}[.)]?\s")
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’)\]]*$")
# What a browser's page title puts between the headline and the site's name or section.
_TITLE_SEPARATOR = re.compile(r"(\s+[|–—:·•-]\s+|\s*::\s*)")
_TITLE_MAX_PARTS = 8
_TITLE_LINES = 15  # how many paragraphs at the top are looked at for the printed headline
# How many lines at each end of a page are looked at for a running header or footer.
_EDGE_LINES = 3
# A line at most this share of the page's full line width, ending a sentence, ends its paragraph...
_PARAGRAPH_END_SHARE = 0.85
# The full line width assumed at least, in characters (a narrow newspaper column's), so that a page of a
# few short lines does not make each of them full.
_NARROWEST_FULL_LINE = 40
# ...and one at most this share is a line of its own (title, byline, date) when a capital follows.
_OWN_LINE_SHARE = 0.7


def _page_lines(page) -> list[tuple[str, bool]]:
    """The page's lines of text, each with whether it is a link and nothing else (``_only_links``)."""
    rectangles = _link_rectangles(page)
    pieces: list[tuple[str, tuple[float, float, float] | None]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        # Where each run of text starts, in page coordinates, and its size; the runs make up the text.
        x, y = tm[4], tm[5]
        pieces.append((text, (x * cm[0] + y * cm[2] + cm[4], x * cm[1] + y * cm[3] + cm[5], size * abs(tm[3] * cm[3]))))

    text = (page.extract_text(visitor_text=visit) if rectangles else page.extract_text()) or ""
    if "".join(piece for piece, _ in pieces) != text:
        pieces = [(text, None)]  # not runs of this text: no line is known to be a link
    lines: list[list[tuple[str, tuple[float, float, float] | None]]] = [[]]
    for piece, at in pieces:
        for n, part in enumerate(piece.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
            if n:
                lines.append([])
            lines[-1].append((part, at if n == 0 else None))  # after a line break, where the run is is unknown
    found = []
    for runs in lines:
        line = "".join(part for part, _ in runs)
        # pypdf can decode a broken ToUnicode map to lone surrogates, which no UTF-8 store accepts.
        line = _SURROGATE.sub("\ufffd", line)
        # Typeset ligatures ("ﬁ" in "ﬁle", "ﬀ" in "oﬀers") as their letters, so words are found as typed.
        line = _LIGATURE.sub(lambda m: unicodedata.normalize("NFKC", m.group()), line)
        line = " ".join(_CONTROL.sub("", line).split())
        if line:
            found.append((line, _only_links(runs, rectangles)))
    return found


def _link_rectangles(page) -> list[tuple[float, float, float, float]]:
    """Where the page's links are (a PDF printed from a browser keeps a web page's links): x0, y0, x1, y1."""
    rectangles = []
    annotations = page.get("/Annots")
    annotations = annotations.get_object() if annotations is not None else None
    for annotation in annotations if isinstance(annotations, list) else []:
        # A damaged annotation (a dangling reference, a null, a rectangle of three values) is no link.
        try:
            annotation = annotation.get_object()
            if not isinstance(annotation, dict) or annotation.get("/Subtype") != "/Link":
                continue
            x0, y0, x1, y1 = (float(v) for v in annotation["/Rect"])
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
        rectangles.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
    return rectangles


def _only_links(
    runs: list[tuple[str, tuple[float, float, float] | None]], rectangles: list[tuple[float, float, float, float]]
) -> bool:
    """Whether every run of a line that has a letter starts inside a link and fits in it (numbers and separators
    between links aside: "1. Celebrity chef ...", "Home | World"). A run that starts in a link can go on past its
    end ("Commerce." of "... <a>Chamber of Commerce</a>."): one with more letters than the link's width holds is not
    the link's. A link with a digit is the page's own text (a date, a score)."""
    worded = [(part.strip(), at) for part, at in runs if _HAS_LETTER.search(part)]
    if not worded or not rectangles:
        return False
    # Numbers between links are the line's own ("1 Millbrook Rovers 12 29", a table row), but for a list's number.
    unlinked = "".join(part for part, _ in runs if not _HAS_LETTER.search(part))
    if any(ch.isdigit() for ch in _LIST_NUMBER.sub("", unlinked, count=1)):
        return False
    for part, at in worded:
        if at is None or any(ch.isdigit() for ch in part):
            return False
        x, y, size = at
        if not any(
            x0 - 1 <= x <= x1 - _LETTER_START * size
            and y0 - 1 <= y <= y1 + 1
            and x1 - x >= _NARROWEST_LETTER * size * len(part)
            for x0, y0, x1, y1 in rectangles
        ):
            return False
    return True


def _without_links(paragraphs: list[tuple[str, bool]], title: str) -> list[str]:
    """The paragraphs without the page's links around the story: those made of links alone before the printed
    headline (the site's name, a menu, a breadcrumb) and at the end (footer links). Links among the story's
    paragraphs stay, whatever they are (a related headline, a list of links, a byline of linked names): inside
    the story a line of links cannot be told from a line of a story that happens to be all link."""
    wanted = {title.casefold(), *(run.casefold() for run in _headline_runs(title))}  # not the site's name alone
    texts = [text.casefold() for text, _ in paragraphs]
    top = next(
        (
            n
            for n in range(min(_TITLE_LINES, len(texts)))
            if texts[n] in wanted or (n + 1 < len(texts) and f"{texts[n]} {texts[n + 1]}" in wanted)
        ),
        0,
    )
    end = len(paragraphs)
    while end > top + 1 and paragraphs[end - 1][1]:
        end -= 1
    return [text for n, (text, only_links) in enumerate(paragraphs[:end]) if n >= top or not only_links]


def _without_furniture(pages: list[list[tuple[str, bool]]]) -> list[list[tuple[str, bool]]]:
    """The pages' lines without print headers and footers, page numbers and running headers and footers."""
    # A running header or footer repeats at the edges of most pages, its page number aside.
    counts: dict[str, int] = {}
    for lines in pages:
        for key in {_running_key(line) for line, _ in lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]}:
            counts[key] = counts.get(key, 0) + 1
    running = {key for key, n in counts.items() if len(pages) >= 2 and n >= max(2, (len(pages) + 1) // 2)}
    kept = []
    for lines in pages:
        edges = set(range(min(_EDGE_LINES, len(lines)))) | set(range(max(0, len(lines) - _EDGE_LINES), len(lines)))
        kept.append(
            [
                (line, only_links)
                for n, (line, only_links) in enumerate(lines)
                if not (
                    _PRINT_HEADER.match(line)
                    or _PRINT_FOOTER.match(line)
                    or _PAGE_NUMBER.match(line)
                    or (n in edges and _running_key(line) in running)
                )
            ]
        )
    return kept


def _running_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.casefold())


def _paragraphs(pages: list[list[tuple[str, bool]]]) -> list[tuple[str, bool]]:
    """The pages' lines joined into paragraphs (see the module's docstring), each with whether all its lines
    are links and nothing else."""
    paragraphs: list[tuple[str, bool]] = []
    current, only_links = "", True
    for lines in pages:
        # The page's full line width, in characters: its second-longest line (the longest may be a URL or a table).
        lengths = sorted(len(line) for line, _ in lines)
        full = max(_NARROWEST_FULL_LINE, lengths[-2] if len(lengths) >= 5 else lengths[-1] if lengths else 0)
        for n, (line, linked) in enumerate(lines):
            current = _joined(current, line) if current else line
            only_links = only_links and linked
            following = lines[n + 1][0] if n + 1 < len(lines) else ""
            if _ends_paragraph(line, following, full):
                paragraphs.append((current, only_links))
                current, only_links = "", True
    if current:
        paragraphs.append((current, only_links))
    return paragraphs


def _joined(before: str, line: str) -> str:
    """Two lines of one paragraph as one: a word hyphenated over the break is joined without its hyphen."""
    if before.endswith("\xad"):  # a soft hyphen
        return before[:-1] + line
    if re.search(r"[^\W\d_]-$", before) and line[:1].islower():
        return before[:-1] + line
    return f"{before} {line}"


def _ends_paragraph(line: str, following: str, full: int) -> bool:
    if _SENTENCE_END.search(line) and len(line) <= _PARAGRAPH_END_SHARE * full:
        return True
    starts_anew = following[:1].isupper() or following[:1].isdigit() or following[:1] in "\"“‘'("
    return len(line) <= _OWN_LINE_SHARE * full and line[-1:].isalnum() and starts_anew


def _headline_joined(title: str, paragraphs: list[str]) -> list[str]:
    """The paragraphs with a headline that wrapped onto two lines near the top made one again: two
    paragraphs that read, joined, as the title or a run of its parts ("... extension to Harbour" and
    "Valley" of "... extension to Harbour Valley | Riverside Gazette")."""
    wanted = {run.casefold() for run in _title_runs(title)} | {title.casefold()}
    for n in range(min(_TITLE_LINES, len(paragraphs) - 1)):
        if f"{paragraphs[n]} {paragraphs[n + 1]}".casefold() in wanted:
            return [*paragraphs[:n], f"{paragraphs[n]} {paragraphs[n + 1]}", *paragraphs[n + 2 :]]
    return paragraphs


def _title_runs(title: str) -> list[str]:
    """Every run of consecutive parts of a page title split at its separators, each with its own separators."""
    pieces = _TITLE_SEPARATOR.split(title)  # part, separator, part, ...
    parts = pieces[::2]
    if not 2 <= len(parts) <= _TITLE_MAX_PARTS:
        return []
    return ["".join(pieces[2 * i : 2 * j + 1]) for i in range(len(parts)) for j in range(i, len(parts))]


def _printed_title(title: str, paragraphs: list[str]) -> str:
    """A browser's page title ("Tram vote splits the council | Northern Courier") as the page prints its
    headline: the longest run of the title's parts, split at " | ", " - " and the like, that is a paragraph
    of its own near the top and holds the title's longest part (a site's or section's name is shorter than
    its headline); the title as it is when none is.

    Example:
        >>> _printed_title("Tram vote splits the council | Northern Courier", ["Home", "Tram vote splits the council"])
        'Tram vote splits the council'
    """
    near_top = {" ".join(p.split()).casefold() for p in paragraphs[:_TITLE_LINES]}
    printed = [run for run in _headline_runs(title) if run != title and run.casefold() in near_top]
    return max(printed, key=len) if printed else title


def _site_name(title: str, printed: str) -> str:
    """The site's name in a browser's page title whose headline the page prints ("Northern Courier" of "Tram
    vote splits the council | Northern Courier"): the part farthest from the headline ("The Guardian" of
    "Headline | World news | The Guardian", "BBC News" of "BBC News - Headline"); "" when the page prints no
    headline of the title, or the headline stands between other parts.

    Example:
        >>> _site_name("Tram vote splits the council | Northern Courier", "Tram vote splits the council")
        'Northern Courier'
    """
    if printed == title or not printed:
        return ""
    parts = [part.strip() for part in _TITLE_SEPARATOR.split(title)[::2]]
    if title.startswith(printed):
        return parts[-1]
    if title.endswith(printed):
        return parts[0]
    return ""


def _headline_runs(title: str) -> list[str]:
    """The runs of a page title's parts (``_title_runs``) that can be its headline: those holding its longest
    part (a site's or section's name is shorter than its headline)."""
    runs = _title_runs(title)
    if not runs:
        return []
    longest = max(_TITLE_SEPARATOR.split(title)[::2], key=len)
    return [run for run in runs if longest in run]


def _clean(value) -> str:
    return " ".join(str(value).split()) if value else ""
