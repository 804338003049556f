"""Readable article text and metadata from an HTML page.

The text is the page's article body only: scripts, styles, navigation, page
header and footer, asides, forms, cookie and newsletter banners and hidden
elements are dropped. Each block (paragraph, heading, list item, quote, table
row) becomes one paragraph with its whitespace collapsed; paragraphs are
separated by a blank line. That text is what the article's ``text`` is, and every
offset points into it.

The body is, in order of preference: the element marked ``itemprop="articleBody"``,
the ``<article>`` with the most text, ``<main>`` (or ``role="main"``), ``<body>``.

Metadata, first found wins:

- title: ``og:title``, JSON-LD ``headline``, ``twitter:title``, ``<title>``, the first ``<h1>``;
- publisher: ``og:site_name``, JSON-LD ``publisher.name``, ``<meta name="publisher">``;
- author: ``<meta name="author">``, JSON-LD ``author`` (names joined by ", "), ``article:author`` (unless a URL);
- date: ``article:published_time``, JSON-LD ``datePublished``, ``<meta name="date">`` and kin, ``<time datetime>``.
"""

from __future__ import annotations

import codecs
import json
import re

from index.articles import Extracted

# Bump whenever the text or metadata this module extracts changes, so saved indexes are rebuilt.
HTML_EXTRACTION_VERSION = "1"

_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "canvas",
    "video",
    "audio",
    "map",
    "form",
    "button",
    "input",
    "select",
    "textarea",
    "label",
    "nav",
    "aside",
    "dialog",
    "menu",
    "head",
)
_DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "dialog", "alertdialog", "search", "menu"}
# Words in an element's id or class that mark page furniture ("cookie-banner", "share_tools", "ad-slot").
_JUNK_WORDS = {
    "ad",
    "ads",
    "advert",
    "advertisement",
    "banner",
    "breadcrumb",
    "breadcrumbs",
    "consent",
    "cookie",
    "cookies",
    "gdpr",
    "modal",
    "newsletter",
    "paywall",
    "popup",
    "promo",
    "related",
    "share",
    "sharing",
    "sidebar",
    "social",
    "sponsored",
    "subscribe",
    "subscription",
}
_BLOCK_TAGS = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "figcaption",
    "caption",
    "tr",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "figure",
    "ul",
    "ol",
    "dl",
    "table",
    "address",
    "hr",
}
_ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "blogposting", "report"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""\A<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.-]+)["']""")
_SPACES = re.compile(r"[^\S\n]+")


class HTMLDecodeError(ValueError):
    """The page's bytes are not text in the encoding it declares (or UTF-8 when it declares none)."""


def decode_html(data: bytes) -> str:
    """The page's text: decoded by its byte-order mark, its declared charset, else as UTF-8.

    Raises:
        HTMLDecodeError: if the bytes are not valid in that encoding (or it is unknown).
    """
    how = "that is the encoding the page declares"
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            declared, how = encoding, "that is the encoding its byte-order mark gives"
            break
    else:
        head = data[:4096]
        match = _XML_ENCODING.match(head) or _CHARSET.search(head)
        declared = match.group(1).decode("ascii").lower() if match else "utf-8"
        if not match:
            how = "the page declares no charset, so UTF-8 is expected; save it as UTF-8 or declare its charset"
    try:
        codec = codecs.lookup(declared).name
        # As browsers do (WHATWG Encoding): pages labelled Latin-1 or ASCII are read as windows-1252.
        codec = "cp1252" if codec in ("iso8859-1", "ascii") else codec
    except LookupError:
        raise HTMLDecodeError(f"the page declares an unknown character encoding {declared!r}") from None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        raise HTMLDecodeError(f"not valid {codec} text (byte {error.start}); {how}") from None
    return text.removeprefix("\ufeff")


def extract_html(markup: str) -> Extracted:
    """The readable article text and metadata of an HTML page.

    Example:
        >>> page = extract_html("<title>T</title><nav>Home</nav><article><h1>Big news</h1>"
        ...                     "<p>It   happened\\n today.</p><script>x()</script></article>")
        >>> page.text, page.meta["title"]
        ('Big news\\n\\nIt happened today.\\n', 'T')
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "lxml")
    meta = _metadata(soup)
    _drop_furniture(soup)
    body = _article_body(soup)
    paragraphs = _paragraphs(body) if body is not None else []
    text = "\n\n".join(paragraphs) + "\n" if paragraphs else ""
    return Extracted(text=text, meta=meta)


# --- metadata -----------------------------------------------------------------------------------


def _metadata(soup) -> dict[str, str]:
    metas: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        content = _clean(tag.get("content"))
        for attribute in ("property", "name", "itemprop"):
            if content and isinstance(tag.get(attribute), str):
                metas.setdefault(tag[attribute].strip().lower(), content)

    def meta(*names: str) -> str:
        return next((metas[name.lower()] for name in names if name.lower() in metas), "")

    ld = _json_ld_article(soup)
    title_tag = soup.find("title")
    h1 = soup.find("h1")
    time_tag = soup.find("time", attrs={"datetime": True})
    article_author = meta("article:author")
    candidates = {
        "title": [
            meta("og:title"),
            _clean(ld.get("headline")),
            meta("twitter:title"),
            _clean(title_tag.get_text()) if title_tag else "",
            _clean(h1.get_text(" ")) if h1 else "",
        ],
        "publisher": [meta("og:site_name"), _ld_names(ld.get("publisher")), meta("publisher", "dc.publisher")],
        "author": [
            meta("author", "dc.creator", "byl"),
            _ld_names(ld.get("author")),
            "" if article_author.startswith(("http://", "https://")) else article_author,
        ],
        "date": [
            meta("article:published_time"),
            _clean(ld.get("datePublished")),
            meta("date", "pubdate", "publishdate", "dc.date", "datePublished", "sailthru.date"),
            _clean(time_tag["datetime"]) if time_tag else "",
        ],
    }
    return {key: next((v for v in values if v), "") for key, values in candidates.items()}


def _json_ld_article(soup) -> dict:
    """The first JSON-LD object of an article type (NewsArticle, Article, BlogPosting, ...), else {}."""
    for script in soup.find_all("script", attrs={"type": re.compile(r"application/ld\+json", re.IGNORECASE)}):
        try:
            data = json.loads(script.string or "")
        except (json.JSONDecodeError, TypeError):
            continue  # broken structured data is common; the other metadata still counts
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                types = item.get("@type", [])
                types = [types] if isinstance(types, str) else types
                if any(isinstance(t, str) and t.lower() in _ARTICLE_TYPES for t in types):
                    return item
                if "@graph" in item:
                    stack.extend(item["@graph"] if isinstance(item["@graph"], list) else [item["@graph"]])
    return {}


def _ld_names(value) -> str:
    """Names of a JSON-LD person/organisation, or of a list of them, joined by ", "."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and _clean(name):
            names.append(_clean(name))
    return ", ".join(names)


def _clean(value) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


# --- the article body ---------------------------------------------------------------------------


def _drop_furniture(soup) -> None:
    from bs4 import Comment

    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(["header", "footer"]):
        # A page's header and footer are furniture; an article's own <header> holds its headline.
        if tag.name == "footer" or not tag.find_parent(["article", "main"]):
            tag.decompose()
    page_chars = len((soup.body or soup).get_text())
    for tag in soup.find_all(True):
        if not tag.decomposed and _is_furniture(tag, page_chars):
            tag.decompose()


def _is_furniture(tag, page_chars: int) -> bool:
    if tag.name in ("html", "body", "article", "main"):
        return False
    style = (tag.get("style") or "").replace(" ", "").lower()
    if (
        tag.has_attr("hidden")
        or (tag.get("aria-hidden") or "").lower() == "true"
        or (tag.get("role") or "").lower() in _DROP_ROLES
        or "display:none" in style
        or "visibility:hidden" in style
    ):
        return True
    names = " ".join([tag.get("id") or "", *(tag.get("class") or [])]).lower()
    if not _JUNK_WORDS.intersection(re.split(r"[^a-z0-9]+", names)):
        return False
    # A class name is only a hint: an element holding the article, or most of the page's text
    # (<div class="page has-ads">), is a wrapper of the content, not furniture.
    if len(tag.get_text()) * 2 >= page_chars:
        return False
    return tag.find(lambda t: t.name in ("article", "main") or t.get("itemprop") == "articleBody") is None


def _article_body(soup):
    marked = soup.find(attrs={"itemprop": "articleBody"})
    if marked is not None:
        return marked
    articles = soup.find_all("article")
    if articles:
        return max(articles, key=lambda a: len(a.get_text(" ", strip=True)))
    return soup.find("main") or soup.find(attrs={"role": "main"}) or soup.body or soup


def _paragraphs(root) -> list[str]:
    """The text of each block under ``root``, whitespace collapsed (``<br>`` kept as a line break)."""
    from bs4 import NavigableString, Tag

    paragraphs: list[str] = []
    pieces: list[str] = []

    def flush() -> None:
        lines = (_SPACES.sub(" ", line).strip() for line in "".join(pieces).split("\n"))
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
        pieces.clear()

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # not a comment, CDATA or doctype
                    pieces.append(child.replace("\n", " "))
            elif isinstance(child, Tag):
                if child.name == "br":
                    pieces.append("\n")
                elif child.name == "pre":
                    flush()
                    paragraphs.extend(p for p in _pre_paragraphs(child.get_text()) if p)
                elif child.name in _BLOCK_TAGS:
                    flush()
                    walk(child)
                    flush()
                else:
                    if child.name in ("td", "th"):
                        pieces.append(" ")
                    walk(child)

    walk(root)
    flush()
    return paragraphs


def _pre_paragraphs(text: str) -> list[str]:
    """Preformatted text keeps its lines; blank lines inside it separate paragraphs."""
    blocks = re.split(r"\n[^\S\n]*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    return ["\n".join(line.rstrip() for line in block.strip("\n").split("\n")).strip() for block in blocks]
