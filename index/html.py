"""Readable article text and metadata from an HTML page, through trafilatura.

trafilatura finds the story (the page's main content without menus, headlines, bylines, captions,
"most read" lists, comments and related-story cards) and the page's metadata (title, author, date,
site name; htmldate behind it for the date). Its output tree is turned into our text here: each
block (paragraph, heading, list item, quote, table row) one paragraph with its whitespace collapsed,
a ``<br>`` a line break, paragraphs separated by a blank line. That text is what the article's
``text`` is, and every offset points into it.

Kept as our own code, because trafilatura does not serve it:

- decoding the bytes (:func:`decode_html`): a page that does not say its encoding and is not
  UTF-8 is refused rather than guessed, as for text files, so that no garbled text is quoted;
- parsing with lxml before trafilatura: its own loader refuses fragments without ``<html>``/``<body>``;
- the metadata clean-up of :mod:`index.metadata`: trafilatura returns a publisher's name or a job
  title as the author, and any ISO day it finds.
"""

from __future__ import annotations

import codecs
import logging
import re
from typing import TYPE_CHECKING

from index.articles import Extracted
from index.metadata import iso_day, person_authors

if TYPE_CHECKING:
    from lxml.html import HtmlElement

# Bump whenever the text or metadata this module extracts changes, so saved indexes are rebuilt.
HTML_EXTRACTION_VERSION = "8"

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""\A<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.-]+)["']""")
_SPACES = re.compile(r"[^\S\n]+")
# Markup as every encoding a page can be in reads it (see ``_web_codec``).
_ASCII_PROBE = b'<meta charset="x-Y_1.2"> +- \\u0041 \\n &#65; ~ {}[]|'

# Dialogs (cookie and consent walls, sign-up pop-ups) are never the story; trafilatura keeps a long one.
_DIALOGS = "//*[@role='dialog' or @role='alertdialog' or @aria-modal='true' or self::dialog]"
# Share and social buttons ("Share", "Copy link", "Facebook") are never the story; beside a short post of a
# live blog, their links make trafilatura drop the post as a link list. Only a short element of links or
# buttons and no paragraph: a "share-price" or "social-care" paragraph, or a "shareable" post, is story.
_SHARE_BUTTONS = (
    "//*[(contains(@class, 'share') or contains(@class, 'social')) and (.//a or .//button) and not(.//p)"
    " and string-length(normalize-space()) < 80]"
)
# A pull quote repeats a line of the story in large type (WordPress: "wp-block-pullquote"): the story has it.
# Only a short element: a container whose class names pull quotes ("has-pullquote") holds the story.
_PULL_QUOTES = (
    "//*[(contains(@class, 'pullquote') or contains(@class, 'pull-quote') or contains(@class, 'pull_quote'))"
    " and string-length(normalize-space()) < 300]"
)
# A paragraph that is one whole link reading as a sentence: at least six words, ending with a full stop, a
# question or an exclamation mark (and closing quotes). Another story's headline ends with none.
_LINKED_SENTENCE = re.compile(r"(?:\S+\s+){5,}\S*[.!?][\"'”’)]*")
# Where a linked sentence is the page's, not its story's: unwrapped there, it would pass as story text.
_AROUND_THE_STORY = frozenset({"nav", "header", "footer", "aside"})
# A label of one or two words before the link's sentence ("READ MORE: ...", "Related: ..."): a pointer to
# another story.
_LABELLED = re.compile(r"(?:\S+\s+)?\S+:\s")
# Emphasis around a whole link: a call to sign up, subscribe or read on, set apart from the story.
_EMPHASIS = frozenset({"strong", "b"})
# trafilatura's output elements that are one paragraph each; <lb/> is a line break inside one.
_BLOCKS = {"p", "head", "item", "quote", "row", "code", "list", "table", "div"}


class HTMLDecodeError(ValueError):
    """The page's bytes are not text in the encoding it declares (or UTF-8 when it declares none)."""


def decode_html(data: bytes, declared: str = "") -> str:
    """The page's text: decoded by its byte-order mark, the charset it came with, its own declared charset,
    else as UTF-8.

    Args:
        data: The page's bytes.
        declared: The charset the file holding the page gives it (an MHTML part's ``Content-Type``), which
            wins over the page's own, as a server's does for browsers.

    Raises:
        HTMLDecodeError: if the bytes are not valid in that encoding (or it is unknown).
    """
    how = "that is the encoding the page declares"
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):  # a byte-order mark decides, whatever the markup says
            codec, how = encoding, "that is the encoding its byte-order mark gives"
            break
    else:
        head = data[:4096]
        match = _XML_ENCODING.match(head) or _CHARSET.search(head)
        if declared:
            how = "that is the encoding the saved file gives the page"
        elif match:
            declared = match.group(1).decode("ascii")
        else:
            declared = "utf-8"
            how = "the page declares no charset, so UTF-8 is expected; save it as UTF-8 or declare its charset"
        declared = declared.lower()
        codec = _web_codec(declared)
        if codec is None:
            # As browsers do, a label that names no encoding a page can be in ("rot13", "utf-16" in a
            # <meta>, a typo) is ignored, and the page read as UTF-8.
            codec, how = "utf-8", f"the page declares {declared!r}, which is no page encoding, so UTF-8 is expected"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        raise HTMLDecodeError(f"not valid {codec} text (byte {error.start}); {how}") from None
    except UnicodeError as error:  # a codec that fails on its own input (punycode on markup)
        raise HTMLDecodeError(f"cannot be read as {codec} ({error}); {how}") from None
    return text.removeprefix("\ufeff")


def _web_codec(label: str) -> str | None:
    """Python's codec for a page's charset label, or None when the label names no encoding a page can be in.

    A page's markup is ASCII in every encoding browsers read pages in: a codec that reads ASCII as
    something else (UTF-16, UTF-7, EBCDIC, ``unicode_escape``) or is no text encoding (rot13, base64)
    would quote garbled text. Browsers likewise read a page labelled UTF-16 in a ``<meta>`` as UTF-8.
    """
    try:
        info = codecs.lookup(label)
        if not getattr(info, "_is_text_encoding", True) or info.name in ("idna", "punycode"):
            return None
        if _ASCII_PROBE.decode(info.name) != _ASCII_PROBE.decode("ascii"):
            return None
    except (LookupError, UnicodeError, ValueError):
        return None
    # As browsers do (WHATWG Encoding): pages labelled Latin-1 or ASCII are read as windows-1252.
    return "cp1252" if info.name in ("iso8859-1", "ascii") else info.name


def extract_html(markup: str) -> Extracted:
    """The readable article text and metadata of an HTML page.

    Example:
        >>> page = extract_html("<title>Big news</title><nav>Home</nav><article><h1>Big news</h1>"
        ...                     "<p>It   happened\\n today.</p><script>x()</script></article>")
        >>> page.text, page.meta["title"]
        ('It happened today.\\n', 'Big news')
    """
    import lxml.etree
    import lxml.html
    import trafilatura

    # trafilatura logs every page it finds too short or without a date; what matters is reported by the caller.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    logging.getLogger("htmldate").setLevel(logging.ERROR)
    document = None
    # Precision first (menus, "most read" lists and captions left out); a page so short or plain that
    # nothing passes is read again favouring recall, rather than skipped as having no article.
    for favor in ("favor_precision", "favor_recall"):
        try:
            # Parsed anew each time: trafilatura prunes the tree it is given.
            tree = lxml.html.document_fromstring(markup)
        except (lxml.etree.ParserError, ValueError):  # "Document is empty": only whitespace or comments
            return Extracted(text="", meta={})
        _unwrap_linked_sentences(tree)
        document = trafilatura.bare_extraction(
            tree,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            include_formatting=False,
            # Only the dates the page's markup gives as its publication date: an extensive search takes
            # any date in the text ("Copyright 2021" becomes 2021-01-01).
            date_extraction_params={"extensive_search": False, "original_date": True},
            prune_xpath=[_DIALOGS, _SHARE_BUTTONS, _PULL_QUOTES],
            **{favor: True},
        )
        if document is not None and document.body is not None and len(document.body):
            break
    if document is None or document.body is None:
        return Extracted(text="", meta={})
    title = _clean(document.title)
    paragraphs = _paragraphs(document.body)
    if paragraphs and title and _clean(paragraphs[0]).casefold() == title.casefold():
        del paragraphs[0]  # the headline: it is the article's title, not a sentence of its story
    text = "\n\n".join(paragraphs) + "\n" if paragraphs else ""
    publisher = _clean(document.sitename)
    author = person_authors(_clean(document.author), publisher=publisher)
    if not author and document.author:
        # trafilatura takes the first author it finds, a publisher's name too ("BBC News"); told that
        # name is none, it looks further (JSON-LD's Person, the byline).
        again = trafilatura.extract_metadata(
            lxml.html.document_fromstring(markup),
            date_config={"extensive_search": False, "original_date": True},
            extensive=False,
            author_blacklist=set(document.author.split("; ")),
        )
        author = person_authors(_clean(again.author), publisher=publisher)
    meta = {
        "title": title,
        "publisher": publisher,
        "author": author,
        "date": iso_day(_clean(document.date)),
    }
    return Extracted(text=text, meta=meta)


def _unwrap_linked_sentences(tree: HtmlElement) -> None:
    """Take the link off each paragraph of the story that is one whole link reading as a sentence.

    trafilatura drops a paragraph whose one link holds nearly all its text, as it drops lists of links:
    a story's linked sentence ("The full business case was published in February.", a linked quote)
    would be lost. Only a paragraph (``<p>``, alone or in a ``<blockquote>`` or ``<div>`` of its own) right
    after a paragraph of prose, and not followed by links, is the story's. Left as they are: links among
    other text, headlines of other stories (no full stop), teasers of other stories (after a heading,
    beside other links, or after a label: "READ MORE: ..."), links set in bold, and links in the page's
    header, footer, menus and asides.
    """
    words = _Words()
    story_links = []
    for link in tree.iter("a"):
        text = words(link)
        if not _LINKED_SENTENCE.fullmatch(text) or _LABELLED.match(text):
            continue
        block = next((e for e in link.iterancestors() if e.tag in ("p", "blockquote", "li", "td", "div")), None)
        if block is None or block.tag not in ("p", "blockquote") or words(block) != text:
            continue
        if any(words(e) == text for e in block.iter(*_EMPHASIS)):
            continue
        unit = block
        while unit.getparent() is not None and unit.getparent().tag in ("blockquote", "div"):
            if sum(1 for _ in zip(range(2), filter(words.has_any, unit.getparent()))) != 1:
                break
            unit = unit.getparent()
        before, after = _sibling(unit, -1, words), _sibling(unit, 1, words)
        after_prose = before is not None and before.tag == "p" and not words.all_links(before)
        before_links = after is not None and words.all_links(after)
        if after_prose and not before_links and not any(e.tag in _AROUND_THE_STORY for e in block.iterancestors()):
            story_links.append(link)
    for link in story_links:  # decided on the page as it was
        link.drop_tag()


class _Words:
    """Each element's words (its text, whitespace collapsed), worked out once: a page of many links in one
    paragraph or box would otherwise take time that grows with the square of their number."""

    def __init__(self) -> None:
        self._seen: dict[HtmlElement, str] = {}

    def __call__(self, element: HtmlElement) -> str:
        if element not in self._seen:
            self._seen[element] = " ".join(element.text_content().split())
        return self._seen[element]

    def has_any(self, element: HtmlElement) -> bool:
        """Whether it is an element with words that show (a script's or style's do not)."""
        return isinstance(element.tag, str) and element.tag not in ("script", "style") and bool(self(element))

    def all_links(self, element: HtmlElement) -> bool:
        """Whether its words are its links' and nothing else (links written without a space between them too)."""
        links = "".join(self(link) for link in element.iter("a"))
        return "".join(self(element).split()) == "".join(links.split())


def _sibling(element: HtmlElement, step: int, words: _Words) -> HtmlElement | None:
    """The nearest element before (``step`` -1) or after (1) ``element`` with words that show: comments, scripts
    and empty boxes (an advertisement's slot) are passed over."""
    sibling = element.getprevious() if step < 0 else element.getnext()
    while sibling is not None and not words.has_any(sibling):
        sibling = sibling.getprevious() if step < 0 else sibling.getnext()
    return sibling


def _paragraphs(body) -> list[str]:
    """The text of each block of trafilatura's output tree, whitespace collapsed (``<lb/>`` a line break)."""
    paragraphs: list[str] = []
    pieces: list[str] = []

    def flush() -> None:
        lines = (_SPACES.sub(" ", line).strip() for line in "".join(pieces).split("\n"))
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
        pieces.clear()

    def walk(element) -> None:
        if element.text:
            pieces.append(element.text.replace("\n", " "))
        for child in element:
            if not isinstance(child.tag, str):  # a comment or processing instruction
                pass
            elif child.tag == "lb":
                pieces.append("\n")
            elif child.tag == "code":  # preformatted text keeps its lines; blank lines in it separate paragraphs
                flush()
                paragraphs.extend(p for p in _pre_paragraphs("".join(child.itertext())) if p)
            elif child.tag == "cell":
                pieces.append(" ")
                walk(child)
            elif child.tag in _BLOCKS:
                flush()
                walk(child)
                flush()
            elif child.tag != "graphic":
                walk(child)
            if child.tail:
                pieces.append(child.tail.replace("\n", " "))

    walk(body)
    flush()
    return paragraphs


def _pre_paragraphs(text: str) -> list[str]:
    blocks = re.split(r"\n[^\S\n]*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    return ["\n".join(line.rstrip() for line in block.strip("\n").split("\n")).strip() for block in blocks]


def _clean(value) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""
