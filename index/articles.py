"""Read a folder of articles: .txt, .md, .html/.htm and .pdf files, with optional metadata.

An article's ``text`` is what every offset the system reports points into:

- .txt and .md: the file decoded as UTF-8 and nothing else (no newline
  translation, no stripping), so offsets can be checked against the file on disk;
- .html/.htm: the page's readable article text (see :mod:`index.html`);
- .pdf: the text of its pages (see :mod:`index.pdf`).

Metadata comes from, in order: a sidecar ``<stem>.meta.json`` next to the file;
``---`` front matter at the top of a .md file, or the page's metadata (HTML) or
document information (PDF); and for the title the first non-empty line of the text.

Files that cannot be articles are skipped with a reason, never read beyond
``MAX_ARTICLE_BYTES``, and nothing outside the folder is ever read: symbolic links
that lead out of it are refused, links to folders are not followed, and hidden
files and folders (``.git``, ``.cache``) are ignored.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import logging
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from index.lexical import STOP_WORDS

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
PDF_SUFFIXES = (".pdf",)
ARTICLE_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + PDF_SUFFIXES
META_SUFFIX = ".meta.json"
MAX_ARTICLE_BYTES = 20 * 1024 * 1024
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?:(.*?)\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_META_KEYS = ("title", "publisher", "source", "author", "date")
_BYLINE_KEYS = ("publisher", "source", "author", "date")
# Other names front matter commonly uses for the same things.
_META_ALIASES = {"headline": "title", "authors": "author", "byline": "author", "published": "date", "pubdate": "date"}
MAX_META_BYTES = 1024 * 1024
# A byline the text prints: names of two to four capitalised words ("Jane Doe", "Jan van der Berg"),
# several joined by "and" or commas; a name with a word such as "The" ("By The Numbers") is none.
_H = r"[^\S\n]"  # horizontal space, a no-break space included
# Lower-case words a name may hold ("Jan van der Berg", "Ana de la Cruz").
_PARTICLES = ("de", "van", "von", "der", "den", "da", "del", "la", "le", "bin", "al")
_NAME = rf"[A-Z][\w.’'-]*(?:{_H}+(?:[A-Z][\w.’'-]*|{'|'.join(_PARTICLES)})){{1,3}}"
_NAMES = rf"({_NAME}(?:{_H}*,{_H}*{_NAME}|{_H}+and{_H}+{_NAME})*)"
_BY_LINE = re.compile(rf"^{_H}*(?:By|BY):?{_H}+{_NAMES}(?:{_H}*[,|–-]{_H}*[A-Z][\w&.'’ -]*)?{_H}*$", re.MULTILINE)
_REPORTING_BY = re.compile(rf"\((?:Reporting|Writing|Reported|Written) by {_NAMES}(?:\s+in\s+[^;,)]+)?\s*[;,)]")
_BYLINE_LINES = 6  # a "By ..." line is looked for among the first lines of the body, the headline apart
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class CorpusError(ValueError):
    """A corpus folder that cannot be used at all (missing, or no readable article)."""


@dataclass(frozen=True)
class Article:
    """One article, exactly as its file holds it.

    Attributes:
        id: Stable identifier: the file's path relative to the corpus folder, without suffix.
        title: The article's headline.
        source: Publisher, as the article names it; "" when unknown.
        author: Byline; "" when unknown.
        date: Date as the text gives it; "" when unknown.
        text: The file's text, exactly (.txt, .md); the extracted article text (.html, .pdf).
            Every offset (passages, sentences, citations) points into it.
        body_start: Offset where the article body starts (after front matter), 0 for most files.
        fingerprint: sha256 of the file's bytes and its metadata (and of the extractor's version for .html, .pdf).
    """

    id: str
    title: str
    source: str
    author: str
    date: str
    text: str
    body_start: int
    fingerprint: str


@dataclass(frozen=True)
class Extracted:
    """What a format's extractor (index/html.py, index/pdf.py) takes from a file: the article's text,
    and the metadata the file gives (keys among title, publisher, author, date)."""

    text: str
    meta: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SkippedFile:
    """A file in the corpus folder that was not read, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Corpus:
    """The articles of one folder, in a stable order, and the files that were skipped."""

    folder: Path
    articles: tuple[Article, ...]
    skipped: tuple[SkippedFile, ...]

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for article in self.articles:
            digest.update(f"{article.id}\0{article.fingerprint}\0".encode())
        return digest.hexdigest()


def load_corpus(folder: str | Path, *, exclude: Iterable[str | Path] = (), warn: bool = True) -> Corpus:
    """Read every article under ``folder`` (recursively): .txt, .md, .html, .htm and .pdf files.

    Files that cannot be articles (binary, not UTF-8, empty, too large, no text,
    duplicates of another article, links leading out of the folder) are skipped
    with a logged warning that names the file and the reason; they are listed in
    ``Corpus.skipped``. Hidden files and folders, and the folders in ``exclude``
    (an index kept inside the corpus folder), are ignored. ``warn=False`` reads the
    folder without the warnings (to list it again, as the chat page does, without warning twice).

    Of several files with the same text, the first in path order is indexed
    (a regular file before a symbolic link) and the others are skipped as its duplicates.

    Raises:
        CorpusError: if ``folder`` does not exist, is not a folder, or holds no readable article.
    """
    root = Path(folder).expanduser()
    if not root.exists():
        raise CorpusError(f"corpus folder {str(root)!r} does not exist")
    if not root.is_dir():
        raise CorpusError(f"corpus path {str(root)!r} is not a folder; pass the folder that holds the articles")
    root = root.resolve()
    skipped: list[SkippedFile] = []

    def skip(relative: str, reason: str) -> None:
        if warn:
            logger.warning("skipping %s: %s", relative, reason)
        skipped.append(SkippedFile(relative, reason))

    found = _article_files(root, {Path(p).expanduser().resolve() for p in exclude}, skip)
    # Regular files first, so that of a file and a link to it the file is the one indexed.
    found.sort(key=lambda item: (item[0].is_symlink(), item[1]))
    read: list[tuple[tuple[str, ...], Article]] = []
    taken_ids: set[str] = set()
    first_with_text: dict[str, tuple[str, str]] = {}
    for path, parts in found:
        relative = "/".join(parts)
        try:
            article = read_article(path, _article_id(relative, taken_ids), root=root)
        except ArticleFileError as error:
            skip(relative, str(error))
            continue
        key = hashlib.sha256(article.text.encode("utf-8", "surrogatepass")).hexdigest()
        if key in first_with_text:
            original, original_id = first_with_text[key]
            skip(relative, f"duplicate of {original} (same text), which is indexed as {original_id!r}")
            continue
        first_with_text[key] = (relative, article.id)
        taken_ids.add(article.id)
        read.append((parts, article))
    articles = tuple(article for _, article in sorted(read, key=lambda item: item[0]))
    if not articles:
        listed = ", ".join(f"{s.path} ({s.reason})" for s in skipped) or f"no {_suffix_list()} files"
        raise CorpusError(f"no readable article in {str(root)!r}: {listed}")
    return Corpus(folder=root, articles=articles, skipped=tuple(sorted(skipped, key=lambda s: s.path.split("/"))))


class ArticleFileError(ValueError):
    """A file that cannot be read as an article."""


def read_article(path: Path, article_id: str, *, root: Path | None = None) -> Article:
    """Read one article file and its metadata.

    Args:
        path: The file (or a symbolic link to it).
        article_id: The id to give the article.
        root: The resolved corpus folder: when given, the file and its sidecar must be inside it
            (a symbolic link leading out of it is refused).

    Raises:
        ArticleFileError: if the file is binary, not UTF-8, empty, too large, has no text,
            is outside ``root`` or cannot be read.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    data = _read_bytes(_inside(path, root) if root is not None else path)

    meta: dict[str, str] = {}
    body_start = 0
    if suffix in HTML_SUFFIXES:
        text, meta, version = _read_html(data)
    elif suffix in PDF_SUFFIXES:
        text, meta, version = _read_pdf(data)
    else:
        text, version = _decode_text(data), b""
        if suffix == ".md":
            match = _FRONT_MATTER.match(text)
            if match:
                meta.update(_parse_front_matter(match.group(1) or ""))
                body_start = match.end()

    sidecar = path.with_name(path.stem + META_SUFFIX)
    meta_bytes = b""
    if sidecar.is_file():
        if root is not None and not sidecar.resolve().is_relative_to(root):
            raise ArticleFileError(f"its metadata file {sidecar.name} is a link to a file outside the corpus folder")
        if sidecar.stat().st_size > MAX_META_BYTES:
            raise ArticleFileError(f"its metadata file {sidecar.name} is larger than {MAX_META_BYTES:,} bytes")
        try:
            meta_bytes = sidecar.read_bytes()
        except OSError as error:
            reason = error.strerror or error
            raise ArticleFileError(f"its metadata file {sidecar.name} cannot be read: {reason}") from None
        meta.update(_parse_sidecar(sidecar, meta_bytes))

    title = meta.get("title") or _first_line(text[body_start:])
    return Article(
        id=article_id,
        title=title,
        source=meta.get("publisher") or meta.get("source") or "",
        author=meta.get("author") or _printed_byline(text[body_start:], title),
        date=meta.get("date") or "",
        text=text,
        body_start=body_start,
        fingerprint=hashlib.sha256(data + b"\0" + meta_bytes + (b"\0" + version if version else b"")).hexdigest(),
    )


def _article_files(root: Path, exclude: set[Path], skip) -> list[tuple[Path, tuple[str, ...]]]:
    """Every article file under ``root`` as (path, its parts relative to root), hidden and excluded ones left out."""
    found = []

    def unreadable(error: OSError) -> None:
        where = Path(error.filename)
        skip(where.relative_to(root).as_posix() if where.is_relative_to(root) else str(where), _os_reason(error))

    for directory, folders, files in os.walk(root, onerror=unreadable):
        here = Path(directory)
        keep = []
        for folder in sorted(folders):
            path = here / folder
            if folder.startswith(".") or path.resolve() in exclude:
                continue
            if path.is_symlink():
                skip(path.relative_to(root).as_posix(), "symbolic link to a folder; links to folders are not followed")
                continue
            keep.append(folder)
        folders[:] = keep
        for name in files:
            if name.startswith(".") or Path(name).suffix.lower() not in ARTICLE_SUFFIXES:
                continue
            path = here / name
            found.append((path, path.relative_to(root).parts))
    return found


def _inside(path: Path, root: Path) -> Path:
    """Where ``path`` really is, if that is inside ``root``."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        raise ArticleFileError("broken symbolic link (what it points to does not exist)") from None
    except (OSError, RuntimeError) as error:  # RuntimeError: a loop of links
        raise ArticleFileError(f"cannot be resolved: {error}") from None
    if not target.is_relative_to(root):
        raise ArticleFileError("symbolic link to a file outside the corpus folder; not read")
    return target


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing (without reading them) anything that is not a file or is too large."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ArticleFileError("not a regular file (a device, pipe or socket); not read")
        if info.st_size > MAX_ARTICLE_BYTES:
            raise ArticleFileError(_too_large(info.st_size))
        with path.open("rb") as file:
            # read(n) allocates n bytes up front: ask for what stat() promised, then for any growth since.
            data = file.read(info.st_size + 1)
            if len(data) > info.st_size:
                data += file.read(MAX_ARTICLE_BYTES + 1 - len(data))
            if len(data) > MAX_ARTICLE_BYTES:
                raise ArticleFileError(_too_large(os.fstat(file.fileno()).st_size))
    except OSError as error:
        raise ArticleFileError(_os_reason(error)) from None
    if not data:
        raise ArticleFileError("empty file")
    return data


def _too_large(size: int) -> str:
    return f"file is {size:,} bytes; articles larger than {MAX_ARTICLE_BYTES:,} bytes are not indexed"


def _os_reason(error: OSError) -> str:
    return f"cannot be read: {error.strerror or error}"


def _decode_text(data: bytes) -> str:
    """A .txt or .md file's text: UTF-8 only.

    No fallback encoding is guessed: cp1252 or Latin-1 would decode any bytes at all,
    so a file in another encoding would be indexed as garbled text and quoted as such.
    """
    if data.startswith(_UTF16_BOMS):
        raise ArticleFileError("UTF-16 text, not UTF-8; save it as UTF-8")
    if b"\0" in data[:8192]:
        raise ArticleFileError("binary file (contains NUL bytes), not a text article")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ArticleFileError(f"not valid UTF-8 text (byte {error.start}); save it as UTF-8") from None
    if not text.strip():
        raise ArticleFileError("empty file")
    return text


def _read_html(data: bytes) -> tuple[str, dict[str, str], bytes]:
    from index.html import HTML_EXTRACTION_VERSION, HTMLDecodeError, decode_html, extract_html

    if b"\0" in data[:8192] and not data.startswith(_UTF16_BOMS):
        raise ArticleFileError("binary file (contains NUL bytes), not an HTML page")
    try:
        markup = decode_html(data)
    except HTMLDecodeError as error:
        raise ArticleFileError(str(error)) from None
    if not markup.strip():
        raise ArticleFileError("empty file")
    page = extract_html(markup)
    if not page.text.strip():
        raise ArticleFileError("no readable article text in the page (only scripts, menus and other page furniture)")
    return page.text, page.meta, f"html-{HTML_EXTRACTION_VERSION}".encode()


def _read_pdf(data: bytes) -> tuple[str, dict[str, str], bytes]:
    from index.pdf import PDF_EXTRACTION_VERSION, PDF_MAGIC, PDFReadError, extract_pdf

    if PDF_MAGIC not in data[:1024]:
        raise ArticleFileError("not a PDF file (no %PDF- header)")
    try:
        document = extract_pdf(data)
    except PDFReadError as error:
        raise ArticleFileError(str(error)) from None
    if not document.text.strip():
        raise ArticleFileError("no text in the PDF (a scan? text in images is not recognised)")
    return document.text, document.meta, f"pdf-{PDF_EXTRACTION_VERSION}".encode()


def _suffix_list() -> str:
    return ", ".join(ARTICLE_SUFFIXES[:-1]) + " or " + ARTICLE_SUFFIXES[-1]


def _article_id(relative: str, taken: set[str]) -> str:
    stem = relative.rsplit(".", 1)[0]
    if stem not in taken:
        return stem
    candidate, n = relative, 2
    while candidate in taken:  # "a.txt" could itself be the id of a file "a.txt.md"
        candidate, n = f"{relative}~{n}", n + 1
    return candidate


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = re.sub(r"\s+#+$", "", line.strip().lstrip("#").strip())
        if line:
            return line[:300]
    return ""


def front_matter_values(article: Article) -> list[tuple[int, int]]:
    """``(start, end)`` of each publisher, author and date value in the article's front matter.

    The values stand in the file ("author: Claire Hollis"), so a question such as "Who wrote
    the piece?" can be answered with a quote of them; quotes around a value are left out. The
    title is not among them: it already names the article in retrieval, and a headline, which
    touches on everything, would win questions that a sentence of the body answers.
    """
    text = article.text
    match = _FRONT_MATTER.match(text[: article.body_start])
    if match is None or match.group(1) is None:
        return []
    fields = _front_matter_fields(text, match.start(1), match.end(1))
    return [(s, e) for key, spans in fields if key in _BYLINE_KEYS for s, e in spans if e > s]


def _front_matter_fields(text: str, start: int, end: int) -> list[tuple[str, list[tuple[int, int]]]]:
    """The metadata fields of the front matter block ``text[start:end]``, in order: each key (an alias
    resolved to its name) with the spans of its values in ``text``, without the spaces and quotes around
    them. A field is ``key: value``, ``key: [a, b]``, or ``key:`` followed by ``- item`` lines.

    (Each line is read in one pass: no pattern backtracks over a long run of spaces.)
    """
    fields: list[tuple[str, list[tuple[int, int]]]] = []
    values: list[tuple[int, int]] | None = None  # those of the field being read
    pos = start
    for line in text[start:end].splitlines(keepends=True):
        content = line.rstrip("\r\n")
        item = re.match(r"\s*-\s+(.*)", content)
        if item and values is not None:
            values.append(_unquoted_span(*_trimmed_span(pos + item.start(1), pos + item.end(1), text), text))
        else:
            name, sep, _ = content.partition(":")
            key = _META_ALIASES.get(name.strip().lower(), name.strip().lower())
            values = None
            if sep and key in _META_KEYS and not content[:1].isspace():
                values = []
                fields.append((key, values))
                value_start, value_end = _trimmed_span(pos + len(name) + 1, pos + len(content), text)
                if value_end - value_start >= 2 and text[value_start] == "[" and text[value_end - 1] == "]":
                    # "author: [Jane Roe, 'Bo Chen']": each name
                    for part in re.finditer(r"[^,]+", text[value_start + 1 : value_end - 1]):
                        part_span = _trimmed_span(value_start + 1 + part.start(), value_start + 1 + part.end(), text)
                        if part_span[1] > part_span[0]:
                            values.append(_unquoted_span(*part_span, text))
                    _unquote_list(values, text)
                elif value_end > value_start:
                    values.append(_unquoted_span(value_start, value_end, text))
        pos += len(line)
    return fields


def _unquote_list(values: list[tuple[int, int]], text: str) -> None:
    """Take off quotes that enclose a whole inline list's items (``["Jane Roe, Bo Chen"]``), in place."""
    if not values:
        return
    (first_start, first_end), last_end = values[0], values[-1][1]
    quote = text[first_start]
    if quote in "'\"" and text[last_end - 1] == quote and (len(values) > 1 or last_end - first_start >= 2):
        values[0] = _trimmed_span(first_start + 1, first_end, text)
        values[-1] = _trimmed_span(values[-1][0], last_end - 1, text)


def _trimmed_span(start: int, end: int, text: str) -> tuple[int, int]:
    """The span without the spaces at its ends."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _unquoted_span(start: int, end: int, text: str) -> tuple[int, int]:
    """The span without the quotes around it, if it has them, and without the spaces inside those quotes."""
    if end - start >= 2 and text[start] == text[end - 1] and text[start] in "'\"":
        return _trimmed_span(start + 1, end - 1, text)
    return start, end


def _printed_byline(body: str, title: str = "") -> str:
    """The author a news text prints when its metadata gives none: "By Jane Doe" on a line of its own
    near the top (not the headline), or a wire story's closing "(Reporting by Jane Doe; Editing by
    ...)"; "" if neither. Several authors come back as printed ("Jane Doe and John Smith")."""
    lines = [line for line in body[:5000].splitlines() if line.strip() and line.strip() != title.strip()]
    found = _BY_LINE.search("\n".join(lines[:_BYLINE_LINES])) or _REPORTING_BY.search(body)
    if found is None:
        return ""
    name = " ".join(found.group(1).split())
    words = [w.lower() for w in re.findall(r"[\w’'-]+", name)]
    return "" if any(w in STOP_WORDS and w not in _PARTICLES and w != "and" for w in words) else name


def _parse_front_matter(block: str) -> dict[str, str]:
    """The metadata keys of a YAML-style front matter block: ``key: value``, ``key: [a, b]``, or ``- item`` lines."""
    meta: dict[str, str] = {}
    for key, spans in _front_matter_fields(block, 0, len(block)):
        meta[key] = ""  # a key given again replaces its earlier value
        for value_start, value_end in spans:
            value = block[value_start:value_end]
            meta[key] = f"{meta[key]}, {value}" if meta[key] else value
    return meta


def _parse_sidecar(path: Path, data: bytes) -> dict[str, str]:
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ArticleFileError(f"its metadata file {path.name} is not valid JSON: {error}") from None
    if not isinstance(raw, dict):
        raise ArticleFileError(f"its metadata file {path.name} must hold a JSON object")
    meta = {}
    for key, value in raw.items():
        if key in _META_KEYS and value is not None:
            values = value if isinstance(value, list) else [value]
            meta[key] = ", ".join(str(v) for v in values if v is not None)
    return meta
