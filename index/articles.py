"""Read a folder of articles: .txt, .md/.markdown, .html/.htm, saved web pages, .pdf, .docx, .odt and .rtf files,
with optional metadata.

An article's ``text`` is what every offset the system reports points into:

- .txt and .md/.markdown: the file decoded and nothing else (no newline translation, no
  stripping), so offsets can be checked against the file on disk; UTF-8, or a legacy
  encoding (cp1252, Shift JIS, ...) when charset-normalizer tells it with confidence;
- .html/.htm: the page's readable article text (see :mod:`index.html`); the folder a page saved "complete"
  keeps its files in ("story_files" of "story.html") is the page's, not read;
- .mhtml/.mht and .webarchive (a web page saved as one file): the same of the page they hold (see
  :mod:`index.saved_page`);
- .pdf: the text of its pages, lines joined into paragraphs (see :mod:`index.pdf`);
- .docx: its paragraphs (see :mod:`index.docx`); .odt and .rtf the same (see :mod:`index.odt`, :mod:`index.rtf`).

Metadata comes from, in order: a sidecar ``<stem>.meta.json`` next to the file;
``---`` front matter at the top of a .md/.markdown file, or the page's metadata (HTML) or
document properties (PDF, Word); and for the title the first non-empty line of the text.

Files that cannot be articles are skipped with a reason, never read beyond
``MAX_ARTICLE_BYTES``, and nothing outside the folder is ever read: symbolic links
that lead out of it are refused, links to folders are not followed, and hidden
files and folders (``.git``, ``.cache``) are ignored. One file never stops a folder:
any failure reading it is a skip naming it, HTML, PDF, Word, OpenDocument and RTF files are extracted
in a worker process within a time budget (:mod:`index.isolation`), and texts longer
than ``MAX_ARTICLE_CHARS`` or ``MAX_ARTICLE_SENTENCES`` are refused.
"""

from __future__ import annotations

import codecs
import datetime
import errno
import hashlib
import json
import logging
import os
import re
import stat
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dateutil import parser as date_parser

from index.metadata import NOT_A_PERSON, names_outlet
from index.saved_page import SAVED_PAGE_SUFFIXES, SAVED_PAGE_VERSION, SavedPageError, page_html

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
MARKDOWN_SUFFIXES = (".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
PDF_SUFFIXES = (".pdf",)
DOCX_SUFFIXES = (".docx",)
ODT_SUFFIXES = (".odt",)
RTF_SUFFIXES = (".rtf",)
# Files whose text is extracted (``extract_document``), not decoded.
DOCUMENT_SUFFIXES = HTML_SUFFIXES + SAVED_PAGE_SUFFIXES + PDF_SUFFIXES + DOCX_SUFFIXES + ODT_SUFFIXES + RTF_SUFFIXES
ARTICLE_SUFFIXES = TEXT_SUFFIXES + DOCUMENT_SUFFIXES
# A page saved "complete" keeps its images, styles, scripts and frames in a folder beside it, named after
# it: "story_files" of "story.html" (Chrome, Edge, Firefox). They are the page's, never articles.
_PAGE_FILES_FOLDER = "_files"
META_SUFFIX = ".meta.json"
MAX_ARTICLE_BYTES = 20 * 1024 * 1024
# Longer texts are refused after reading, whatever their format: indexing time grows with them (a
# news article is some thousands of characters; a book of 500,000 words about 3 million).
MAX_ARTICLE_CHARS = 2_000_000
MAX_ARTICLE_SENTENCES = 20_000
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
_BY_LINE = re.compile(
    rf"^{_H}*(?:By|BY|(?:Reported|Written|Words) by):?{_H}+{_NAMES}(?:{_H}*[,|–-]{_H}*[A-Z][\w&.'’ -]*)?{_H}*$",
    re.MULTILINE,
)
# Bounded repeats only: these run on whole article texts, and an unbounded ``[^;,)]+`` backtracked
# quadratically on a text of many unclosed "(Reporting by ... in ...".
_REPORTING_BY = re.compile(
    rf"\((?:Reporting|Writing|Reported|Written) by {_NAMES}(?:\s{{1,5}}in\s{{1,5}}[^;,)\n]{{1,80}})?\s{{0,5}}[;,)]"
)
# A byline without "By": one name and a newsroom role ("Jonathan May, Political Editor").
_ROLE_LINE = re.compile(rf"{_H}*({_NAME}){_H}*[,|–-]{_H}*([A-Z][\w&.'’ -]{{2,60}}?){_H}*")
_NEWSROOM_ROLES = frozenset({"editor", "correspondent", "reporter", "writer", "columnist", "journalist", "critic"})
BYLINE_LINES = 6  # a "By ..." line is looked for among the first lines of the body, the headline apart
DATELINE_LINES = 10  # a line that prints the date alone is looked for among the first lines of the body
_TOP_CHARS = 5000  # ... within its first characters (so is a byline)
# A dateline names a month or gives a numeric date ("16 May 2019", "2024-03-05", "12/03/2024"), and has
# a digit: a year or a number alone ("2019 results", "Reading Time: 2 minutes") is none, nor a name
# ("Theresa May", "By April Jones", "March Madness").
_MONTH_OR_DAY = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b|\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}(?=\b|T\d)",
    re.IGNORECASE,
)
_DOTTED_TIME = re.compile(r"(?<![\d./-])(\d{1,2})\.(\d{2})(?![\d./-])")  # "10.04 GMT", read as 10:04
# Besides capitalised words (an outlet's name, a weekday, a time zone), the words a dateline prints
# before its date ("Last modified on") and after it ("at 5:00 p.m.").
_DATELINE_LEAD = frozenset({"on", "of", "the", "and", "last", "updated", "published", "posted", "first", "modified"})
_DATELINE_TAIL = frozenset({"on", "at", "by", "m", "a.m", "p.m"})
# What a dateline may print beside the date, after a " | " or " · ": a section's or an outlet's name, a
# reading time ("3 min read").
_DATELINE_PART = re.compile(r"(?:[A-Z][\w&.'’-]*\s*){1,4}|\d{1,3}\s+min(?:ute)?s?\s+read", re.IGNORECASE)
_DATELINE_SEPARATOR = re.compile(r"\s+[|·•]\s+")
_DATELINE_MAX_WORDS = 14
_DEFAULT_DAYS = (datetime.datetime(1, 1, 1), datetime.datetime(2, 2, 2))
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
# A legacy-encoded text is read only when charset-normalizer finds it free of unlikely characters
# (chaos) and in a language it knows (coherence): measured on short French, German and English news
# texts in cp1252, which come out at chaos <= 0.01 and coherence >= 0.5, where a few words give none.
_MAX_CHAOS = 0.1
_MIN_COHERENCE = 0.2
_FAMILIAR_ENCODINGS = ("cp1252", "iso8859_15", "cp1250", "cp1251", "shift_jis", "cp932", "euc_jp", "gb18030", "big5")


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
        date: Date: as the text or sidecar gives it (.txt, .md), an ISO day YYYY-MM-DD when
            extracted from a page or document; "" when unknown.
        text: The file's text, exactly (.txt, .md); the extracted article text (.html, .pdf, .docx).
            Every offset (passages, sentences, citations) points into it.
        body_start: Offset where the article body starts (after front matter), 0 for most files.
        fingerprint: sha256 of the file's bytes and its metadata (and of the extractor's version
            for .html, .pdf, .docx and legacy-encoded text).
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
    """What a format's extractor (index/html.py, index/pdf.py, index/docx.py) takes from a file: the article's text,
    and the metadata the file gives (keys among title, publisher, author, date)."""

    text: str
    meta: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SkippedFile:
    """A file in the corpus folder that was not read, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class FileNote:
    """Something a person should know about how a file was read (its text was not UTF-8, say)."""

    path: str
    note: str


@dataclass(frozen=True)
class Corpus:
    """The articles of one folder, in a stable order, the files that were skipped, and notes on how some were read."""

    folder: Path
    articles: tuple[Article, ...]
    skipped: tuple[SkippedFile, ...]
    #: What the folder looked like when it was read (see ``folder_signature``).
    signature: tuple = ()
    notes: tuple[FileNote, ...] = ()

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for article in self.articles:
            digest.update(f"{article.id}\0{article.fingerprint}\0".encode())
        return digest.hexdigest()


def load_corpus(folder: str | Path, *, exclude: Iterable[str | Path] = (), warn: bool = True) -> Corpus:
    """Read every article under ``folder`` (recursively): files of the types in ``ARTICLE_SUFFIXES``.

    Files that cannot be articles (binary, in an encoding that cannot be told, empty, too large, no text,
    duplicates of another article, links leading out of the folder) are skipped
    with a logged warning that names the file and the reason; they are listed in
    ``Corpus.skipped``. Hidden files and folders, and the folders in ``exclude``
    (an index kept inside the corpus folder), are ignored. A text file read in another encoding
    than UTF-8 gets a note in ``Corpus.notes`` that names the encoding. ``warn=False`` reads the
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
    signature = _signature(found)
    # Regular files first, so that of a file and a link to it the file is the one indexed.
    found.sort(key=lambda item: (item[0].is_symlink(), item[1]))
    outside_links = _hard_linked_outside(root, found)
    read: list[tuple[tuple[str, ...], Article]] = []
    taken_ids: set[str] = set()
    first_with_text: dict[str, tuple[str, str]] = {}
    from index.isolation import IsolatedExtractor, unexpected_failure  # it imports this module

    notes: list[FileNote] = []
    with IsolatedExtractor() as isolated:
        for path, parts in found:
            relative = "/".join(parts)
            try:
                if path in outside_links:
                    raise ArticleFileError("its data also has a name outside the corpus folder (a hard link); not read")
                article_id = _article_id(relative, taken_ids)
                # A parser can hang or crash on a pathological file: it runs in a worker, within a time budget.
                article, encoding = _read_article(path, article_id, root=root, extract=isolated.extract)
                check_size(article)
            except ArticleFileError as error:
                skip(relative, str(error))
                continue
            except Exception as error:  # noqa: BLE001 - any failure of one file is a skip, never a failed sync
                skip(relative, unexpected_failure(error))
                continue
            key = hashlib.sha256(article.text.encode("utf-8", "surrogatepass")).hexdigest()
            if key in first_with_text:
                original, original_id = first_with_text[key]
                skip(relative, f"duplicate of {original} (same text), which is indexed as {original_id!r}")
                continue
            first_with_text[key] = (relative, article.id)
            taken_ids.add(article.id)
            read.append((parts, article))
            if encoding not in ("", "utf-8"):
                notes.append(FileNote(relative, f"read as {encoding} text (not UTF-8)"))
    articles = tuple(article for _, article in sorted(read, key=lambda item: item[0]))
    if not articles:
        listed = ", ".join(f"{s.path} ({s.reason})" for s in skipped) or f"no {suffix_list()} files"
        raise CorpusError(f"no readable article in {str(root)!r}: {listed}")
    return Corpus(
        folder=root,
        articles=articles,
        skipped=tuple(sorted(skipped, key=lambda s: s.path.split("/"))),
        notes=tuple(sorted(notes, key=lambda n: n.path.split("/"))),
        signature=signature,
    )


def folder_signature(folder: str | Path, *, exclude: Iterable[str | Path] = ()) -> tuple:
    """The article files under ``folder`` with their metadata files' sizes, modification times and inodes:
    cheap to take (nothing is read), and different whenever a file is added, removed or changed."""
    root = Path(folder).expanduser().resolve()
    return _signature(_article_files(root, {Path(p).expanduser().resolve() for p in exclude}, lambda *_: None))


def _signature(found: list[tuple[Path, tuple[str, ...]]]) -> tuple:
    entries = []
    for path, parts in sorted(found, key=lambda item: item[1]):
        for candidate in (path, path.with_name(path.stem + META_SUFFIX)):
            try:
                info = os.stat(candidate)
                seen = (info.st_size, info.st_mtime_ns, info.st_ino)
            except (OSError, ValueError):
                seen = None
            entries.append((parts, candidate.name == path.name, seen))
    return tuple(entries)


class ArticleFileError(ValueError):
    """A file that cannot be read as an article."""


def read_article(path: Path, article_id: str, *, root: Path | None = None, extract=None) -> Article:
    """Read one article file and its metadata.

    Args:
        path: The file (or a symbolic link to it).
        article_id: The id to give the article.
        root: The resolved corpus folder: when given, the file and its sidecar must be inside it
            (a symbolic link leading out of it is refused).
        extract: What turns an HTML, PDF or Word file's bytes into text and metadata: ``extract_document``
            (the default) or the same run elsewhere (``index.isolation``).

    Raises:
        ArticleFileError: if the file is binary, in an encoding that cannot be told, empty, too large,
            has no text, is outside ``root`` or cannot be read.
    """
    return _read_article(path, article_id, root=root, extract=extract)[0]


def _read_article(path: Path, article_id: str, *, root: Path | None, extract=None) -> tuple[Article, str]:
    """The article, and the encoding its text was decoded from ("" for formats that are not text files)."""
    path = Path(path)
    suffix = path.suffix.lower()
    data = _read_bytes(_inside(path, root) if root is not None else path)

    meta: dict[str, str] = {}
    body_start = 0
    encoding = ""
    if suffix in DOCUMENT_SUFFIXES:
        text, meta, version = (extract or extract_document)(suffix, data)
    else:
        text, encoding = _decode_text(data)
        # The guess belongs to charset-normalizer's version: a new one may read the bytes otherwise.
        version = b"" if encoding == "utf-8" else f"text-{encoding}-{_charset_normalizer_version()}".encode()
        if suffix in MARKDOWN_SUFFIXES:
            match = _FRONT_MATTER.match(text)
            if match:
                meta.update(_parse_front_matter(match.group(1) or ""))
                body_start = match.end()

    sidecar = path.with_name(path.stem + META_SUFFIX)
    meta_bytes = _read_sidecar(sidecar, root)
    if meta_bytes is not None:
        meta.update(_parse_sidecar(sidecar, meta_bytes))
    meta_bytes = meta_bytes or b""

    title = meta.get("title") or _first_line(text[body_start:])
    source = meta.get("publisher") or meta.get("source") or ""
    article = Article(
        id=article_id,
        title=title,
        source=source,
        author=meta.get("author") or _printed_byline(text[body_start:], title, source),
        date=meta.get("date") or printed_date(text[body_start:], title),
        text=text,
        body_start=body_start,
        fingerprint=hashlib.sha256(data + b"\0" + meta_bytes + (b"\0" + version if version else b"")).hexdigest(),
    )
    return article, encoding


def _article_files(
    root: Path, exclude: set[Path], skip, others: list[str] | None = None
) -> list[tuple[Path, tuple[str, ...]]]:
    """Every article file under ``root`` as (path, its parts relative to root), hidden and excluded ones left out;
    the paths of files of other types (not metadata sidecars) go to ``others`` when given."""
    found = []

    def unreadable(error: OSError) -> None:
        where = Path(error.filename)
        relative = where.relative_to(root).as_posix() if where.is_relative_to(root) else str(where)
        skip(_valid_text(relative), _os_reason(error))

    for directory, folders, files in os.walk(root, onerror=unreadable):
        here = Path(directory)
        names = {name.lower() for name in files}
        keep = []
        for folder in sorted(folders):
            path = here / folder
            if folder.startswith(".") or path.resolve() in exclude or _holds_a_pages_files(folder, names):
                continue
            if path.is_symlink():
                skip(
                    _valid_text(path.relative_to(root).as_posix()),
                    "symbolic link to a folder; links to folders are not followed",
                )
                continue
            keep.append(folder)
        folders[:] = keep
        for name in files:
            if name.startswith("."):
                continue
            if Path(name).suffix.lower() not in ARTICLE_SUFFIXES:
                if others is not None and not name.endswith(META_SUFFIX):
                    others.append(_valid_text((here / name).relative_to(root).as_posix()))
                continue
            path = here / name
            found.append((path, tuple(_valid_text(part) for part in path.relative_to(root).parts)))
    return found


def _holds_a_pages_files(folder: str, names: set[str]) -> bool:
    """Whether ``folder`` is the folder of a page saved "complete" beside it (``names``: its folder's file names,
    lower case): "story_files" of "story.html".

    Example:
        >>> _holds_a_pages_files("Story_files", {"story.html"}), _holds_a_pages_files("old_files", {"story.html"})
        (True, False)
    """
    stem = folder.lower().removesuffix(_PAGE_FILES_FOLDER)
    return stem != folder.lower() and any(stem + suffix in names for suffix in HTML_SUFFIXES)


def other_files(folder: str | Path, *, exclude: Iterable[str | Path] = ()) -> list[str]:
    """The files under ``folder`` not read because of their type (``story.pages``, ``chart.png``), as paths relative
    to it, sorted; hidden files and folders, the folders in ``exclude`` and metadata sidecars are not counted."""
    root = Path(folder).expanduser().resolve()
    others: list[str] = []
    _article_files(root, {Path(p).expanduser().resolve() for p in exclude}, lambda *_: None, others)
    return sorted(others, key=lambda path: path.split("/"))


def _valid_text(name: str) -> str:
    r"""A file name as valid UTF-8 text: bytes that are not UTF-8 (kept by the OS as lone surrogates) shown as
    ``\xNN``, so that ids, reports and the index can hold it.

    Example:
        >>> _valid_text("caf" + b"\xe9".decode("utf-8", "surrogateescape") + ".txt")
        'caf\\xe9.txt'
    """
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _hard_linked_outside(root: Path, found: list[tuple[Path, tuple[str, ...]]]) -> set[Path]:
    """The files (or links to files) whose data has more names than the folder holds: another lies outside it.

    Only when some file has several names is the whole folder walked (hidden folders too) to count them.
    """
    shared: dict[tuple[int, int], list[Path]] = {}
    names: dict[tuple[int, int], int] = {}
    for path, _ in found:
        try:
            info = os.stat(path)  # through a symbolic link: the data it leads to is what would be read
        except OSError:
            continue  # reading it says why
        if stat.S_ISREG(info.st_mode) and info.st_nlink > 1:
            shared.setdefault((info.st_dev, info.st_ino), []).append(path)
            names[info.st_dev, info.st_ino] = info.st_nlink
    if not shared:
        return set()
    inside: dict[tuple[int, int], int] = dict.fromkeys(shared, 0)
    for directory, _, files in os.walk(root):
        for name in files:
            try:
                info = os.lstat(os.path.join(directory, name))
            except OSError:
                continue
            key = (info.st_dev, info.st_ino)
            if key in inside and stat.S_ISREG(info.st_mode):
                inside[key] += 1
    return {path for key, paths in shared.items() if inside[key] < names[key] for path in paths}


def check_size(article: Article) -> None:
    """Refuse an article too long to index in reasonable time (its text, or its number of sentences).

    Raises:
        ArticleFileError: naming its length and the limit.
    """
    if len(article.text) > MAX_ARTICLE_CHARS:
        raise ArticleFileError(
            f"its text is {len(article.text):,} characters; articles longer than {MAX_ARTICLE_CHARS:,} "
            "characters are not indexed (split it into several files)"
        )
    if len(article.text) <= MAX_ARTICLE_SENTENCES:
        return  # every sentence holds a character at least: no need to split an ordinary article on every load
    import blingfire  # here, not at the top: the worker that extracts pages imports this module, and needs none

    sentences = blingfire.text_to_sentences(article.text).count("\n") + 1
    # The index also cuts at line breaks (paragraphs, a list's lines) and into runs of words: only a text
    # where those could pass the limit is cut as the index will cut it, which costs several times more.
    could_be = sentences + article.text.count("\n") + len(article.text) // 300
    if sentences <= MAX_ARTICLE_SENTENCES < could_be:
        from index.passages import split_article  # here: index.passages imports this module

        sentences = len(split_article(article)[0])
    if sentences > MAX_ARTICLE_SENTENCES:
        raise ArticleFileError(
            f"its text has about {sentences:,} sentences; articles with more than {MAX_ARTICLE_SENTENCES:,} "
            "are not indexed (split it into several files)"
        )


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
            raise ArticleFileError(_too_large(info.st_size, path))
        with path.open("rb") as file:
            # read(n) allocates n bytes up front: ask for what stat() promised, then for any growth since.
            data = file.read(info.st_size + 1)
            if len(data) > info.st_size:
                data += file.read(MAX_ARTICLE_BYTES + 1 - len(data))
            if len(data) > MAX_ARTICLE_BYTES:
                raise ArticleFileError(_too_large(os.fstat(file.fileno()).st_size, path))
    except OSError as error:
        raise ArticleFileError(_os_reason(error)) from None
    if not data:
        raise ArticleFileError("empty file")
    return data


def _too_large(size: int, path: Path) -> str:
    reason = f"file is {size:,} bytes; articles larger than {MAX_ARTICLE_BYTES:,} bytes are not indexed"
    if path.suffix.lower() in SAVED_PAGE_SUFFIXES:  # the page's images are in the file
        reason += ' (save the page as "Webpage, HTML Only" instead)'
    return reason


def _os_reason(error: OSError) -> str:
    return f"cannot be read: {error.strerror or error}"


def _decode_text(data: bytes) -> tuple[str, str]:
    """A .txt or .md file's text, and the encoding it was read in: UTF-8, or else the encoding
    charset-normalizer tells with confidence.

    Confidence is a text that decodes without chaos (no unlikely characters) into words of a language
    it recognises: a short or unusual text is refused rather than guessed, because cp1252 or Latin-1
    decode any bytes at all and a wrong guess would be indexed and quoted as garbled text.
    """
    if data.startswith(_UTF32_BOMS):  # before UTF-16: UTF-32's little-endian mark starts like UTF-16's
        raise ArticleFileError("UTF-32 text, not UTF-8; save it as UTF-8")
    if data.startswith(_UTF16_BOMS):  # its byte-order mark says what it is: no guess
        try:
            text, encoding = data.decode("utf-16").removeprefix("\ufeff"), "utf-16"
        except UnicodeDecodeError as error:
            raise ArticleFileError(f"not valid UTF-16 text (byte {error.start}); save it as UTF-8") from None
        if "\0" in text:
            raise ArticleFileError("binary file (contains NUL characters), not a text article")
    elif b"\0" in data[:8192]:
        raise ArticleFileError("binary file (contains NUL bytes), not a text article")
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as error:
            legacy = _legacy_encoding(data)
            if legacy is None:
                raise ArticleFileError(f"not valid UTF-8 text (byte {error.start}); save it as UTF-8") from None
            text, encoding = legacy
    if not text.strip():
        raise ArticleFileError("empty file")
    return text, encoding


def _legacy_encoding(data: bytes) -> tuple[str, str] | None:
    """The text and its encoding when charset-normalizer is confident of it, else None."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.chaos > _MAX_CHAOS or best.coherence < _MIN_COHERENCE or not best.languages:
        return None
    # Encodings that give the same text are alike for us: name the one people know best.
    alike = best.could_be_from_charset
    encoding = next((name for name in _FAMILIAR_ENCODINGS if name in alike), best.encoding)
    return str(best), encoding


def _charset_normalizer_version() -> str:
    from charset_normalizer import __version__

    return __version__


def extract_document(suffix: str, data: bytes) -> tuple[str, dict[str, str], bytes]:
    """The text, metadata and extraction version of an HTML, PDF or Word file's bytes.

    Raises:
        ArticleFileError: if they hold no readable article.
    """
    if suffix in PDF_SUFFIXES:
        return _read_pdf(data)
    if suffix in DOCX_SUFFIXES:
        return _read_docx(data)
    if suffix in SAVED_PAGE_SUFFIXES:
        return _read_saved_page(suffix, data)
    if suffix in ODT_SUFFIXES:
        return _read_odt(data)
    if suffix in RTF_SUFFIXES:
        return _read_rtf(data)
    return _read_html(data)


def _read_html(data: bytes, declared: str = "") -> tuple[str, dict[str, str], bytes]:
    from index.html import HTML_EXTRACTION_VERSION, HTMLDecodeError, decode_html, extract_html

    if b"\0" in data[:8192] and (data.startswith(_UTF32_BOMS) or not data.startswith(_UTF16_BOMS)):
        raise ArticleFileError("binary file (contains NUL bytes), not an HTML page")
    try:
        markup = decode_html(data, declared)
    except HTMLDecodeError as error:
        raise ArticleFileError(str(error)) from None
    if not markup.strip():
        raise ArticleFileError("empty file")
    page = extract_html(markup)
    if not page.text.strip():
        raise ArticleFileError("no readable article text in the page (only scripts, menus and other page furniture)")
    return page.text, page.meta, f"html-{HTML_EXTRACTION_VERSION}".encode()


def _read_saved_page(suffix: str, data: bytes) -> tuple[str, dict[str, str], bytes]:
    try:
        html, declared = page_html(suffix, data)
    except SavedPageError as error:
        raise ArticleFileError(str(error)) from None
    text, meta, version = _read_html(html, declared)
    return text, meta, f"saved-{SAVED_PAGE_VERSION}-".encode() + version


def _read_pdf(data: bytes) -> tuple[str, dict[str, str], bytes]:
    from index.pdf import PDF_EXTRACTION_VERSION, PDF_MAGIC, PDFReadError, extract_pdf

    if PDF_MAGIC not in data[:1024]:
        raise ArticleFileError("not a PDF file (no %PDF- header)")
    no_text = "no text in the PDF (a scan? text in images is not recognised)"
    return _read_with(extract_pdf, PDFReadError, data, no_text, f"pdf-{PDF_EXTRACTION_VERSION}")


def _read_docx(data: bytes) -> tuple[str, dict[str, str], bytes]:
    from index.docx import DOCX_EXTRACTION_VERSION, DocxReadError, extract_docx

    return _read_with(
        extract_docx, DocxReadError, data, "no text in the Word document", f"docx-{DOCX_EXTRACTION_VERSION}"
    )


def _read_odt(data: bytes) -> tuple[str, dict[str, str], bytes]:
    from index.odt import ODT_EXTRACTION_VERSION, OdtReadError, extract_odt

    return _read_with(
        extract_odt, OdtReadError, data, "no text in the OpenDocument text", f"odt-{ODT_EXTRACTION_VERSION}"
    )


def _read_rtf(data: bytes) -> tuple[str, dict[str, str], bytes]:
    from index.rtf import RTF_EXTRACTION_VERSION, RTFReadError, extract_rtf

    return _read_with(extract_rtf, RTFReadError, data, "no text in the RTF document", f"rtf-{RTF_EXTRACTION_VERSION}")


def _read_with(
    extract: Callable[[bytes], Extracted], failure: type[ValueError], data: bytes, no_text: str, version: str
) -> tuple[str, dict[str, str], bytes]:
    """What ``extract`` makes of ``data`` (a PDF, Word, OpenDocument or RTF reader) as ``extract_document`` returns it:
    its ``failure``, or no text, refused as an ``ArticleFileError`` saying so."""
    try:
        document = extract(data)
    except failure as error:
        raise ArticleFileError(str(error)) from None
    if not document.text.strip():
        raise ArticleFileError(no_text)
    return document.text, document.meta, version.encode()


def suffix_list() -> str:
    """The article types read, for messages: ".txt, .md, ... or .rtf"."""
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
    """The first non-empty line, a Markdown heading's "#" marks taken off ("# Title #" is "Title")."""
    for line in text.splitlines():
        line = line.strip().lstrip("\ufeff").strip().lstrip("#").strip()
        if not any(c.isalnum() for c in line):  # a rule ("---", an unclosed front matter's fence), "* * *"
            continue
        # Not a regular expression: ``\s+#+$`` backtracks quadratically on a long run of spaces.
        closed = line.rstrip("#")
        if closed != line and (not closed or closed[-1].isspace()):
            line = closed.rstrip()
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


def _printed_byline(body: str, title: str = "", publisher: str = "") -> str:
    """The author a news text prints when its metadata gives none: a byline on a line of its own near the
    top (not the headline), or a wire story's closing "(Reporting by Jane Doe; Editing by ...)"; "" if
    neither. Several authors come back as printed ("Jane Doe and John Smith"), without the publisher when it
    is known ("By Megan O'Rourke, Valley Post" of the Valley Post)."""
    for line in _top_lines(body, title)[:BYLINE_LINES]:
        name = _byline_name(line, publisher)
        if name:
            return name
    found = _REPORTING_BY.search(body)
    name = " ".join(found.group(1).split()) if found else ""
    return name if name and _names_people(name) else ""


def is_printed_byline(line: str) -> bool:
    """Whether ``line`` is a byline as a news text prints it on a line of its own ("By Jane Doe, Valley Post",
    "Jonathan May, Political Editor").

    Example:
        >>> is_printed_byline("By Megan O'Rourke, Valley Post"), is_printed_byline("By The Numbers")
        (True, False)
    """
    return bool(_byline_name(line))


def _byline_name(line: str, publisher: str = "") -> str:
    """The author a byline line names: "By NAME[, OUTLET]", or one name and a newsroom role; "" if it is neither."""
    found = _BY_LINE.fullmatch(line.strip())
    if found is not None:
        # Without a job title, a desk or the publisher after the name ("By Daniel Okafor, Science Correspondent").
        names = [
            n
            for number, n in enumerate(found.group(1).split(","))
            if not NOT_A_PERSON.intersection(w.lower() for w in _words(n))
            and not names_outlet(n.strip(), publisher, after_an_author=number > 0)
        ]
        name = ", ".join(" ".join(n.split()) for n in names)
        return name if name and _names_people(name) else ""
    found = _ROLE_LINE.fullmatch(line.strip())
    if found is None or not _NEWSROOM_ROLES.intersection(w.lower() for w in _words(found.group(2))):
        return ""
    name = " ".join(found.group(1).split())
    return name if _names_people(name) else ""


def printed_date(body: str, title: str = "") -> str:
    """The date a news text prints on a line of its own near the top ("16 May 2019", "The Lakeshore Herald,
    January 22, 2025"), for a text whose metadata gives none: the line from its date on; "" if none."""
    for line in _top_lines(body, title)[:DATELINE_LINES]:
        found = _dateline(line)
        if found is not None:
            return found
    return ""


def is_top_dateline(article: Article, start: int, end: int) -> bool:
    """Whether ``article.text[start:end]`` is a dateline printed among the first lines of the body: a date
    with at most an outlet's name, "Updated" or a time of day beside it ("The Lakeshore Herald, January 22,
    2025"; not "He left in May 2018."). A date alone further on may head a part of a timeline, and answer
    for it."""
    if not article.body_start <= start < article.body_start + _TOP_CHARS:
        return False
    if len(_top_lines(article.text[article.body_start : start], article.title)) >= DATELINE_LINES:
        return False
    return _dateline(article.text[start:end]) is not None


def _top_lines(body: str, title: str) -> list[str]:
    """The non-empty lines of the start of a body, stripped, the headline apart: where a byline or a dateline
    is printed."""
    return [line.strip() for line in body[:_TOP_CHARS].splitlines() if line.strip() and line.strip() != title.strip()]


def dateline_day(line: str) -> tuple[str, str]:
    """The date a dateline prints, as it prints it and as an ISO day ("16 May 2019", "2019-05-16"); ("", "")
    when ``line`` is no dateline or its date names no day and year ("March 2024")."""
    date = _dateline(line)
    if date is None:
        return "", ""
    # Parsed twice with different defaults: a day or year the line does not give comes out different.
    days = {_parsed_date(date, fuzzy=True, default=default) for default in _DEFAULT_DAYS}
    if None in days or len(days) != 1:
        return "", ""
    return date, days.pop().date().isoformat()


def _dateline(line: str) -> str | None:
    """The date part of a dateline (from the date to its part's end), or None when ``line`` is not one."""
    line = line.strip()
    if len(line) > 120 or len(line.split()) > _DATELINE_MAX_WORDS or not re.search(r"\d", line):
        return None
    parts = _DATELINE_SEPARATOR.split(line)
    found = [_date_part(part) for part in parts]
    dates = [date for date in found if date is not None]
    if len(dates) != 1 or not all(date is not None or _DATELINE_PART.fullmatch(p) for p, date in zip(parts, found)):
        return None
    return dates[0]


def _date_part(text: str) -> str | None:
    """The date in ``text`` from where it starts, when the rest is only an outlet's name, a label or a time."""
    if not _MONTH_OR_DAY.search(text) or not re.search(r"\d", text):
        return None
    parsed = _parsed_date(text, fuzzy_with_tokens=True)
    if parsed is None:
        return None
    _, skipped = parsed
    lead = skipped[0] if skipped and text.startswith(skipped[0]) and re.search(r"[^\W\d_]", skipped[0]) else ""
    label, colon, _ = lead.partition(":")
    if colon and any(w.lower() not in _DATELINE_LEAD for w in _words(label)):
        return None  # "Date: Saturday 5 June", "Deadline: May 5", "Photo: ...": another day than the article's
    rest = skipped[1:] if lead else skipped
    for words, allowed in ((_words(lead), _DATELINE_LEAD), ([w for t in rest for w in _words(t)], _DATELINE_TAIL)):
        other = [w for w in words if w.lower() not in allowed]
        if len(other) > 6 or any(not w[0].isupper() for w in other):
            return None
    return text[len(lead) :].strip(" ,:;|–-") or None


def _parsed_date(text: str, **options):
    """dateutil's reading of ``text`` ("10.04 GMT" read as 10:04), or None when it finds no date in it."""
    try:
        with warnings.catch_warnings():  # a time zone it does not know ("EST") warns, and is still a date
            warnings.simplefilter("ignore")
            return date_parser.parse(_DOTTED_TIME.sub(r"\1:\2", text), **options)
    except (ValueError, OverflowError, TypeError):
        return None


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_][\w’'&-]*", text)


def _names_people(name: str) -> bool:
    # Imported here: the worker that extracts pages (index.isolation) imports this module, and needs no scipy.
    from index.lexical import STOP_WORDS

    words = [w.lower() for w in re.findall(r"[\w’'-]+", name)]
    return not any(w in STOP_WORDS and w not in _PARTICLES and w != "and" for w in words)


def _parse_front_matter(block: str) -> dict[str, str]:
    """The metadata keys of a YAML-style front matter block: ``key: value``, ``key: [a, b]``, or ``- item`` lines."""
    meta: dict[str, str] = {}
    for key, spans in _front_matter_fields(block, 0, len(block)):
        meta[key] = ""  # a key given again replaces its earlier value
        for value_start, value_end in spans:
            value = block[value_start:value_end]
            meta[key] = f"{meta[key]}, {value}" if meta[key] else value
    return meta


def _read_sidecar(sidecar: Path, root: Path | None) -> bytes | None:
    """An article's metadata file's bytes; None when there is none (or it went away since the folder was listed)."""
    try:
        if not sidecar.is_file():
            return None
        if root is not None and not sidecar.resolve().is_relative_to(root):
            raise ArticleFileError(f"its metadata file {sidecar.name} is a link to a file outside the corpus folder")
        if sidecar.stat().st_size > MAX_META_BYTES:
            raise ArticleFileError(f"its metadata file {sidecar.name} is larger than {MAX_META_BYTES:,} bytes")
        return sidecar.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:  # the article's own name is near the limit: no such file can exist
            return None
        reason = error.strerror or error
        raise ArticleFileError(f"its metadata file {sidecar.name} cannot be read: {reason}") from None


def _parse_sidecar(path: Path, data: bytes) -> dict[str, str]:
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ArticleFileError(f"its metadata file {path.name} is not valid JSON: {error}") from None
    except RecursionError:
        raise ArticleFileError(f"its metadata file {path.name} is nested too deeply to be metadata") from None
    if not isinstance(raw, dict):
        raise ArticleFileError(f"its metadata file {path.name} must hold a JSON object")
    meta = {}
    for key, value in raw.items():
        if key in _META_KEYS and value is not None:
            values = value if isinstance(value, list) else [value]
            if not all(v is None or (isinstance(v, str | int | float) and not isinstance(v, bool)) for v in values):
                raise ArticleFileError(f"its metadata file {path.name}: {key!r} must be text, or a list of texts")
            meta[key] = ", ".join(str(v) for v in values if v is not None)
    return meta
