"""The page's own HTML out of a web page saved as one file: MHTML and Safari's web archive.

Browsers save a page with its images, styles and frames in one file: Chrome and Edge as MHTML
("Webpage, Single File", ``.mhtml``; ``.mht`` from older browsers and Word), a MIME message whose
page is the part its ``start`` parameter names, else its first HTML part (browsers save the page
first, as RFC 2557 has it), its frames and files later parts; Safari as a web archive
(``.webarchive``), a property list whose main resource is the page. Only the page is read: a frame
(an advertisement, an embedded post) is not the story. The standard library parses both formats;
the page is then read as a saved ``.html`` file is (``index.html``).
"""

from __future__ import annotations

import email
import email.policy
import plistlib

MHTML_SUFFIXES = (".mhtml", ".mht")
WEBARCHIVE_SUFFIXES = (".webarchive",)
SAVED_PAGE_SUFFIXES = MHTML_SUFFIXES + WEBARCHIVE_SUFFIXES
# Bump whenever what is taken out of a saved page changes, so saved indexes are rebuilt.
SAVED_PAGE_VERSION = "1"

_HTML_TYPES = ("text/html", "application/xhtml+xml")


class SavedPageError(ValueError):
    """The file is not a saved web page of its type, or holds no HTML page."""


def page_html(suffix: str, data: bytes) -> tuple[bytes, str]:
    """The saved page's HTML bytes and the encoding the file declares for them ("" when it declares none).

    Example:
        >>> saved = (b"MIME-Version: 1.0\\nContent-Type: multipart/related; boundary=b\\n\\n--b\\n"
        ...          b"Content-Type: text/html; charset=utf-8\\n\\n<p>Hi</p>\\n--b--\\n")
        >>> page_html(".mhtml", saved)
        (b'<p>Hi</p>', 'utf-8')

    Raises:
        SavedPageError: if it is not such a file or holds no page.
    """
    if suffix in WEBARCHIVE_SUFFIXES:
        return _webarchive_page(data)
    return _mhtml_page(data)


def _mhtml_page(data: bytes) -> tuple[bytes, str]:
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    if not message.is_multipart() and message.get_content_type() not in _HTML_TYPES:
        raise SavedPageError('not an MHTML file (no MIME parts); save the page again as "Webpage, Single File"')
    parts = [part for part in message.walk() if not part.is_multipart()]
    # The page is the part the message names as its start, else the first HTML part (RFC 2557).
    start = message.get_param("start")
    if isinstance(start, str):
        named = [part for part in parts if _content_id(part) == _content_id_of(start)]
        parts = named + parts
    page = next((part for part in parts if part.get_content_type() in _HTML_TYPES), None)
    if page is None:
        raise SavedPageError('no HTML page in the MHTML file; save the page again as "Webpage, Single File"')
    html = page.get_payload(decode=True)
    if not isinstance(html, bytes):
        raise SavedPageError("the MHTML file's page cannot be decoded; save the page again")
    return html, page.get_content_charset() or ""


def _content_id(part) -> str:
    # str(): a header with non-ASCII bytes comes back as a Header object.
    return _content_id_of(str(part.get("Content-ID", "")))


def _content_id_of(value: str) -> str:
    """A Content-ID without its angle brackets (the parser strips them off an unquoted ``start``)."""
    return value.strip().removeprefix("<").removesuffix(">").strip()


def _webarchive_page(data: bytes) -> tuple[bytes, str]:
    try:
        archive = plistlib.loads(data)
    except Exception:  # plistlib raises many kinds of error on damaged input
        raise SavedPageError("not a Safari web archive, or a damaged one; save the page again") from None
    main = archive.get("WebMainResource") if isinstance(archive, dict) else None
    html = main.get("WebResourceData") if isinstance(main, dict) else None
    if not isinstance(html, bytes):
        raise SavedPageError("the web archive holds no page; save the page again")
    kind = main.get("WebResourceMIMEType")
    if isinstance(kind, str) and kind.split(";")[0].strip().lower() not in _HTML_TYPES:
        raise SavedPageError(
            f"the web archive holds a file of type {kind}, not a web page; save the file itself instead"
        )
    encoding = main.get("WebResourceTextEncodingName")
    return html, encoding.lower() if isinstance(encoding, str) else ""
