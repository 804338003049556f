"""Read a folder of articles: .txt and .md files, with optional metadata.

An article's ``text`` is its file decoded as UTF-8 and nothing else (no newline
translation, no stripping), so that every offset the system reports can be
checked against the file on disk.

Metadata comes from, in order: a sidecar ``<stem>.meta.json`` next to the file,
``---`` front matter at the top of a .md file, and for the title the first
non-empty line of the text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

ARTICLE_SUFFIXES = (".txt", ".md")
META_SUFFIX = ".meta.json"
MAX_ARTICLE_BYTES = 20 * 1024 * 1024
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_META_KEYS = ("title", "publisher", "source", "author", "date")


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
        text: The file's text, exactly.
        body_start: Offset where the article body starts (after front matter), 0 for most files.
        fingerprint: sha256 of the file's bytes and its metadata.
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


def load_corpus(folder: str | Path) -> Corpus:
    """Read every .txt and .md article under ``folder`` (recursively).

    Files that cannot be articles (binary, not UTF-8, empty, too large) are
    skipped with a logged warning that names the file and the reason; they are
    listed in ``Corpus.skipped``.

    Raises:
        CorpusError: if ``folder`` does not exist, is not a folder, or holds no readable article.
    """
    root = Path(folder).expanduser()
    if not root.exists():
        raise CorpusError(f"corpus folder {str(root)!r} does not exist")
    if not root.is_dir():
        raise CorpusError(f"corpus path {str(root)!r} is not a folder; pass the folder that holds the articles")
    root = root.resolve()
    articles: list[Article] = []
    skipped: list[SkippedFile] = []
    seen_ids: set[str] = set()
    for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in ARTICLE_SUFFIXES):
        relative = path.relative_to(root).as_posix()
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        try:
            article = read_article(path, article_id=_article_id(relative, seen_ids))
        except ArticleFileError as error:
            logger.warning("skipping %s: %s", relative, error)
            skipped.append(SkippedFile(relative, str(error)))
            continue
        seen_ids.add(article.id)
        articles.append(article)
    if not articles:
        found = ", ".join(f"{s.path} ({s.reason})" for s in skipped) or "no .txt or .md files"
        raise CorpusError(f"no readable article in {str(root)!r}: {found}")
    return Corpus(folder=root, articles=tuple(articles), skipped=tuple(skipped))


class ArticleFileError(ValueError):
    """A file that cannot be read as an article."""


def read_article(path: Path, article_id: str) -> Article:
    """Read one article file and its metadata.

    Raises:
        ArticleFileError: if the file is binary, not UTF-8, empty or too large.
    """
    size = path.stat().st_size
    if size > MAX_ARTICLE_BYTES:
        raise ArticleFileError(
            f"file is {size:,} bytes; articles larger than {MAX_ARTICLE_BYTES:,} bytes are not indexed"
        )
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        raise ArticleFileError("binary file (contains NUL bytes), not a text article")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ArticleFileError(f"not valid UTF-8 text (byte {error.start}); save it as UTF-8") from None
    if not text.strip():
        raise ArticleFileError("empty file")

    meta: dict[str, str] = {}
    body_start = 0
    if path.suffix.lower() == ".md":
        match = _FRONT_MATTER.match(text)
        if match:
            meta.update(_parse_front_matter(match.group(1)))
            body_start = match.end()
    sidecar = path.with_name(path.stem + META_SUFFIX)
    meta_bytes = b""
    if sidecar.is_file():
        meta_bytes = sidecar.read_bytes()
        meta.update(_parse_sidecar(sidecar, meta_bytes))

    title = meta.get("title") or _first_line(text[body_start:])
    return Article(
        id=article_id,
        title=title,
        source=meta.get("publisher") or meta.get("source") or "",
        author=meta.get("author") or "",
        date=meta.get("date") or "",
        text=text,
        body_start=body_start,
        fingerprint=hashlib.sha256(data + b"\0" + meta_bytes).hexdigest(),
    )


def _article_id(relative: str, taken: set[str]) -> str:
    stem = relative.rsplit(".", 1)[0]
    return relative if stem in taken else stem


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = re.sub(r"\s+#+$", "", line.strip().lstrip("#").strip())
        if line:
            return line[:300]
    return ""


def _parse_front_matter(block: str) -> dict[str, str]:
    meta = {}
    for line in block.splitlines():
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if sep and key in _META_KEYS:
            meta[key] = value.strip().strip("'\"")
    return meta


def _parse_sidecar(path: Path, data: bytes) -> dict[str, str]:
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ArticleFileError(f"its metadata file {path.name} is not valid JSON: {error}") from None
    if not isinstance(raw, dict):
        raise ArticleFileError(f"its metadata file {path.name} must hold a JSON object")
    return {k: str(v) for k, v in raw.items() if k in _META_KEYS and v is not None}
