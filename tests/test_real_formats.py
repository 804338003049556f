"""Articles in the shapes real sources give them: saved news pages of many builds, browser-printed and
two-column PDFs, Word documents and legacy-encoded text. Each is read from where its story starts to
where it ends, without furniture, with the metadata a reader accepts, and every offset exact.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from index.articles import ArticleFileError, extract_document, load_corpus, other_files, read_article
from index.metadata import iso_day, person_authors, readable_date
from qa.api import QA
from qa.cli import format_answer
from tests.news_pages import STORIES, pages
from tests.test_formats import _assert_exact_offsets

DATA = Path(__file__).parent / "data" / "formats"
PAGES = pages()


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _docx(paragraphs: list[tuple[str, str]], *, title: str = "", author: str = "") -> bytes:
    """A Word document of (style, text) paragraphs; style "" is Normal, "Title" or "Heading 1" a heading."""
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = author
    for style, text in paragraphs:
        document.add_paragraph(text, style=style or None)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- saved news pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=[f"{p.name}-{p.story.site}" for p in PAGES])
def test_news_page_is_its_story_and_metadata(tmp_path, page):
    path = _write(tmp_path / f"{page.name}.html", page.html)

    article = read_article(path, page.name)

    story = page.story
    assert article.text.startswith(story.paragraphs[0] + "\n\n")
    assert article.text.endswith("\n\n" + story.paragraphs[-1] + "\n")
    assert article.text == "\n\n".join(story.paragraphs) + "\n"
    for furniture in page.furniture:
        assert furniture not in article.text
    assert story.title not in article.text  # the headline is the title, not the story's first sentence
    assert (article.title, article.author, article.date, article.source) == (
        story.title,
        page.author,
        story.date,
        story.site,
    )
    _assert_exact_offsets(article)


# --- pages saved as one file, or "complete" with a folder of their files ----------------------------


def _mhtml(html: bytes, *, content_type: str = "text/html", encoding: str = "quoted-printable") -> bytes:
    """A page as a MIME message of its HTML and an image, as browsers save MHTML."""
    import quopri

    body = quopri.encodestring(html) if encoding == "quoted-printable" else html
    return (
        b'MIME-Version: 1.0\r\nContent-Type: multipart/related; type="text/html"; boundary="--b--"\r\n\r\n'
        + f"----b--\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n".encode()
        + body
        + b"\r\n----b--\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0K\r\n"
        + b"----b----\r\n"
    )


def _webarchive(html: bytes, *, mime: str = "text/html", encoding: str = "UTF-8") -> bytes:
    """A page as Safari saves it: a binary property list of the main resource, its frames and files."""
    import plistlib

    main = {"WebResourceData": html, "WebResourceMIMEType": mime, "WebResourceURL": "https://example.com/story"}
    if encoding:
        main["WebResourceTextEncodingName"] = encoding
    advert = {"WebResourceData": b"<p>An advert in a frame.</p>", "WebResourceMIMEType": "text/html"}
    frame = {"WebMainResource": advert}
    return plistlib.dumps({"WebMainResource": main, "WebSubframeArchives": [frame]}, fmt=plistlib.FMT_BINARY)


def test_page_saved_as_one_file_by_chromium_is_its_story_without_its_frames():
    tram = STORIES[1]

    article = read_article(DATA / "saved-single-file.mhtml", "tram")

    assert article.text == "\n\n".join(tram.paragraphs) + "\n"
    assert "Win a holiday" not in article.text  # the advertisement's frame is another part of the file
    assert (article.title, article.author, article.date, article.source) == (
        tram.title,
        "Claire Hollis, Bo Chen",
        tram.date,
        tram.site,
    )
    _assert_exact_offsets(article)


@pytest.mark.parametrize("page", PAGES[:4], ids=[p.name for p in PAGES[:4]])
def test_page_in_a_web_archive_or_mhtml_reads_as_the_html_page(tmp_path, page):
    html = read_article(_write(tmp_path / "page.html", page.html), "page")
    mhtml = read_article(_write(tmp_path / "page.mhtml", _mhtml(page.html.encode())), "page")
    archive = read_article(_write(tmp_path / "page.webarchive", _webarchive(page.html.encode())), "page")

    for saved in (mhtml, archive):
        assert (saved.text, saved.title, saved.author, saved.date, saved.source) == (
            html.text,
            html.title,
            html.author,
            html.date,
            html.source,
        )
    assert "An advert in a frame" not in archive.text


def test_mhtml_page_is_the_part_its_start_names_however_written():
    advert, story = b"<p>Win a holiday for two in Spain! Enter our competition today.</p>", PAGES[0].html.encode()

    def saved(start: str) -> bytes:
        return (
            f"MIME-Version: 1.0\r\nContent-Type: multipart/related; start={start}; boundary=b\r\n\r\n".encode()
            # A Content-ID with a byte that is not ASCII (the parser gives it as a Header object)
            + b"--b\r\nContent-Type: text/html\r\nContent-ID: <caf\xe9@x>\r\n\r\n"
            + advert
            + b"\r\n--b\r\nContent-Type: text/html\r\nContent-ID: <main@x>\r\n\r\n"
            + story
            + b"\r\n--b--\r\n"
        )

    for start in ('"<main@x>"', "<main@x>"):  # unquoted, the parser strips the angle brackets
        text = extract_document(".mhtml", saved(start))[0]
        assert text.startswith(PAGES[0].story.paragraphs[0]) and "Win a holiday" not in text


def test_saved_page_takes_the_encoding_its_file_gives():
    html = "<html><body><article><p>Le café de Zoë a rouvert ses portes à Montréal mardi matin.</p></article></body>"
    data = html.encode("cp1252")

    mhtml = _mhtml(data, content_type='text/html; charset="windows-1252"')

    assert "café de Zoë" in extract_document(".mhtml", mhtml)[0]
    assert "café de Zoë" in extract_document(".webarchive", _webarchive(data, encoding="windows-1252"))[0]
    with pytest.raises(ArticleFileError, match="not valid utf-8 text"):
        extract_document(".webarchive", _webarchive(data, encoding=""))  # no charset given, none declared


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("story.mhtml", b"Just some text, not a saved page.\n", "not an MHTML file"),
        ("story.mht", _mhtml(b"iVBORw0K", content_type="image/png"), "no HTML page in the MHTML file"),
        ("story.webarchive", b"bplist00 damaged", "not a Safari web archive"),
        ("story.webarchive", _webarchive(b"%PDF-1.7", mime="application/pdf"), "holds a file of type application/pdf"),
    ],
)
def test_damaged_or_other_saved_pages_are_skipped_with_a_reason(tmp_path, name, data, reason):
    _write(tmp_path / name, data)
    _write(tmp_path / "ok.txt", "A story that is fine.\n")

    corpus = load_corpus(tmp_path, warn=False)

    assert [a.id for a in corpus.articles] == ["ok"]
    assert len(corpus.skipped) == 1 and reason in corpus.skipped[0].reason
    assert "save the" in corpus.skipped[0].reason


def test_folder_of_a_page_saved_complete_is_neither_read_nor_listed(tmp_path):
    page = PAGES[0]
    _write(tmp_path / "Story.html", page.html)
    _write(tmp_path / "Story_files" / "saved_resource.html", "<p>Win a holiday for two in Spain! Enter today.</p>")
    _write(tmp_path / "Story_files" / "analytics.js", "var tracked = 1;")
    # A folder that only looks like one: no page of its name beside it.
    _write(tmp_path / "archive_files" / "older.txt", "An older story kept in a folder of its own.\n")
    _write(tmp_path / "archive_files" / "chart.png", b"\x89PNG")

    corpus = load_corpus(tmp_path, warn=False)

    assert [a.id for a in corpus.articles] == ["Story", "archive_files/older"]
    assert other_files(tmp_path) == ["archive_files/chart.png"]


def test_several_authors_stay_several():
    page = next(p for p in PAGES if p.name == "json-ld-only" and len(p.story.authors) == 2)
    from index.html import extract_html

    assert extract_html(page.html).meta["author"] == "Claire Hollis, Bo Chen"


def test_publisher_named_as_author_gives_the_reporter_without_job_title():
    page = next(p for p in PAGES if p.name == "publisher-as-author")
    from index.html import extract_html

    meta = extract_html(page.html).meta

    assert (meta["author"], meta["publisher"], meta["date"]) == ("Jane Doe", "Daily Planet", "2024-03-01")


@pytest.mark.parametrize(
    ("raw", "publisher", "people"),
    [
        ("By Jane Doe, Senior Correspondent", "", "Jane Doe"),
        ("BBC News", "BBC", ""),
        ("Condé Nast", "Vogue", ""),
        ("Jane Doe; John Roe", "", "Jane Doe, John Roe"),
        ("Jane Doe and John Roe", "", "Jane Doe, John Roe"),
        ("Daily Planet", "Daily Planet", ""),
        ("Reuters Staff", "", ""),
        ("Ana de la Cruz", "", "Ana de la Cruz"),
        ("Oliver Grant, VBN Wales", "Valley Broadcasting News", "Oliver Grant"),  # a desk, by the initials
        ("Jane Doe, Planet Sport", "The Daily Planet", "Jane Doe"),  # a desk, by a word of the name
        ("Jane Doe, Tom Daily", "", "Jane Doe, Tom Daily"),
        ("Jane Doe, Tom Ford", "The Daily Planet", "Jane Doe, Tom Ford"),
        ("Steve Forbes", "Forbes", "Steve Forbes"),  # people who share a word with the publisher's name
        ("Anna Smith", "The Smith Gazette", "Anna Smith"),
    ],
)
def test_person_authors(raw, publisher, people):
    assert person_authors(raw, publisher=publisher) == people


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        ("2019-05-16T08:30:00+01:00", "2019-05-16"),
        ("2019-05-16", "2019-05-16"),
        ("0001-01-01T00:00:00Z", ""),
        ("2019-02-30", ""),
        ("16 May 2019", ""),
        ("", ""),
    ],
)
def test_iso_day(raw, day):
    assert iso_day(raw) == day


def test_dates_are_shown_readably_and_other_dates_as_given():
    assert (readable_date("2019-05-16"), readable_date("2024-03-01")) == ("16 May 2019", "1 March 2024")
    assert [readable_date(d) for d in ("October 28, 2020", "2024", "")] == ["October 28, 2020", "2024", ""]


# --- PDFs ---------------------------------------------------------------------------------------


def test_browser_printed_pdf_is_paragraphs_without_print_furniture():
    article = read_article(DATA / "printed-from-browser.pdf", "printed")
    lab = STORIES[0]

    # Title, byline and dateline stay lines of their own, then the story's paragraphs, each one line.
    assert article.text.startswith(f"{lab.title}\n\nBy Jane Doe\n\n1 March 2024\n\n{lab.paragraphs[0]}\n\n")
    assert article.text.endswith(f"\n\n{lab.paragraphs[-1]}\n")
    for paragraph in lab.paragraphs:
        assert paragraph in article.text
    for furniture in ("file:", "ﬁle", ".html", " PM", "1/2", "2/2", "12/5/"):
        assert furniture not in article.text
    assert article.author == "Jane Doe"  # the byline the text prints: the PDF's properties name nobody
    assert article.title == lab.title  # the page title was f"{lab.title} | {lab.site}": the page prints the headline
    assert article.source == lab.site  # and the rest of the page title is the site's name
    _assert_exact_offsets(article)


def test_a_saved_pages_links_around_its_story_are_dropped_from_its_pdf():
    article = read_article(DATA / "saved-page-with-links.pdf", "saved")
    tram = STORIES[1]
    paragraphs = article.text.split("\n\n")

    # The site's name and menu above the headline, and the footer links at the end, are links and nothing else.
    for link in ("Northern Courier", "Home", "World", "Privacy policy", "Terms of use", "Contact us"):
        assert link not in paragraphs
    # The headline, the byline whose name is a link, and a story paragraph with a link in it stay whole.
    assert paragraphs[paragraphs.index(tram.title) + 1] == "By Claire Hollis and Bo Chen"
    for paragraph in tram.paragraphs:
        assert paragraph in paragraphs  # "4,000 cars" is a link
    assert article.author == "Claire Hollis and Bo Chen"  # the byline it prints
    _assert_exact_offsets(article)


def test_a_pdf_with_damaged_link_annotations_is_read():
    import io

    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, NullObject

    from index.pdf import extract_pdf

    writer = PdfWriter(clone_from=DATA / "saved-page-with-links.pdf")
    for page in writer.pages:
        # A null, and a link whose rectangle has three numbers.
        broken = DictionaryObject({NameObject("/Subtype"): NameObject("/Link")})
        broken[NameObject("/Rect")] = ArrayObject([FloatObject(1), FloatObject(2), FloatObject(3)])
        page[NameObject("/Annots")].extend([NullObject(), broken])
    damaged = io.BytesIO()
    writer.write(damaged)

    text = extract_pdf(damaged.getvalue()).text
    assert all(paragraph in text for paragraph in STORIES[1].paragraphs)
    assert "Privacy policy" not in text  # the links that are whole are still found


def test_links_inside_a_saved_pages_story_keep_their_words_in_its_pdf():
    article = read_article(DATA / "links-in-a-story.pdf", "story")
    paragraphs = article.text.split("\n\n")

    assert "Home World Transport Sport" not in paragraphs and "Privacy policy" not in article.text  # the page's links
    # A link that fills a line of a paragraph, a linked date, a subheading that is also a menu word stay...
    assert (
        "The council said the plan followed the independent regional transport commission's final report on river "
        "crossings and urban rail published last spring."
    ) in paragraphs
    assert "14 November 2023" in paragraphs and "Sport" in paragraphs
    # ...and so does a link that ends a sentence on a line of its own.
    assert "by the Millbrook Chamber of Commerce." in " ".join(article.text.split())
    _assert_exact_offsets(article)


def test_two_column_pdf_reads_column_after_column_without_its_running_header():
    article = read_article(DATA / "two-columns.pdf", "columns")
    heat = STORIES[2]

    expected = f"{heat.title}\n\nBy Ana de la Cruz\n\n" + "\n\n".join(heat.paragraphs * 3) + "\n"
    assert article.text == expected
    assert "MORNING LEDGER" not in article.text and "Page 1 of 2" not in article.text
    assert (article.title, article.author) == (heat.title, "Ana de la Cruz")
    _assert_exact_offsets(article)


def test_pdf_running_header_and_page_numbers_are_dropped_and_hyphenated_words_joined():
    from tests.test_formats import make_pdf

    first = [
        "Harbour Times - Local news",
        "The port authority said on Monday that the new container terminal, which",
        "cost 400 million euros, would open in June. Dock workers welcomed the",
        "news but warned that staffing levels at the terminal were still unre-",
        "solved, and that talks would resume next week.",
        "1",
    ]
    second = [
        "Harbour Times - Local news",
        "The terminal will handle a million containers a year when it runs at full",
        "capacity, which the authority expects to reach by the end of 2027.",
        "- 2 -",
    ]

    text = read_article_bytes(make_pdf([first, second]))

    assert text == (
        "The port authority said on Monday that the new container terminal, which cost 400 million euros, would "
        "open in June. Dock workers welcomed the news but warned that staffing levels at the terminal were still "
        "unresolved, and that talks would resume next week.\n\n"
        "The terminal will handle a million containers a year when it runs at full capacity, which the authority "
        "expects to reach by the end of 2027.\n"
    )


def read_article_bytes(data: bytes) -> str:
    from index.pdf import extract_pdf

    return extract_pdf(data).text


# --- Word documents -----------------------------------------------------------------------------


def test_docx_paragraphs_title_and_author_from_its_properties(tmp_path):
    lab = STORIES[0]
    data = _docx([("Title", lab.title), ("", "By Jane Doe")] + [("", p) for p in lab.paragraphs], author="Jane Doe")
    path = _write(tmp_path / "lab.docx", data)

    article = read_article(path, "lab")

    assert article.text == f"{lab.title}\n\nBy Jane Doe\n\n" + "\n\n".join(lab.paragraphs) + "\n"
    assert (article.title, article.author, article.date) == (lab.title, "Jane Doe", "")
    _assert_exact_offsets(article)


def test_docx_title_from_properties_wins_and_placeholder_author_is_none(tmp_path):
    data = _docx([("Heading 1", "Section heading"), ("", "Body text of the note.")], title="Real title")
    path = _write(tmp_path / "note.docx", data)

    article = read_article(path, "note")

    assert (article.title, article.author) == ("Real title", "")


def test_docx_without_title_property_takes_its_first_heading(tmp_path):
    path = _write(tmp_path / "n.docx", _docx([("", "Draft"), ("Heading 1", "Tram vote"), ("", "The council voted.")]))

    assert read_article(path, "n").title == "Tram vote"


def test_damaged_docx_is_skipped_with_a_reason(tmp_path):
    _write(tmp_path / "good.txt", "Good\n\nA good article.\n")
    _write(tmp_path / "broken.docx", b"PK\x03\x04 not really a zip")

    corpus = load_corpus(tmp_path)

    assert [a.id for a in corpus.articles] == ["good"]
    assert corpus.skipped[0].reason.startswith("not a readable Word document (")
    assert corpus.skipped[0].reason.endswith("; open it in a word processor and save it again as .docx")  # what to do


# --- OpenDocument text -------------------------------------------------------------------------

_ODF = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.3"'
)


def _odt(body: str, *, title: str = "", creator: str = "", kind: str = "text", doctype: str = "") -> bytes:
    """An .odt as Writer saves one: its mimetype first and stored, a manifest, content.xml and meta.xml."""
    import zipfile

    content = f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<office:document-content {_ODF}><office:body>'
    content += f"<office:{kind}><text:sequence-decls><text:sequence-decl text:name='Figure'/></text:sequence-decls>"
    content += f"{body}</office:{kind}></office:body></office:document-content>"
    meta = f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {_ODF}><office:meta>'
    meta += f"<dc:title>{title}</dc:title>" if title else ""
    meta += f"<meta:initial-creator>{creator}</meta:initial-creator><dc:creator>Someone Else</dc:creator>"
    meta += "<dc:date>2026-01-02T10:00:00</dc:date></office:meta></office:document-meta>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        manifest = '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>'
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("meta.xml", meta)
    return buffer.getvalue()


def test_odt_is_its_paragraphs_lists_and_table_rows_without_notes_comments_or_frames(tmp_path):
    body = (
        '<text:h text:outline-level="1">Harbour rent rise</text:h>'
        '<text:p text:style-name="P1">By Jane Doe</text:p>'
        "<text:p>Owners said a <text:a xlink:href='https://example.com'>40 percent rise</text:a> would close"
        "<text:s/>them.<text:note text:note-class='footnote'><text:note-citation>1</text:note-citation>"
        "<text:note-body><text:p>A footnote on the survey.</text:p></text:note-body></text:note>"
        "<office:annotation><text:p>Check this figure</text:p></office:annotation> The mayor"
        "<text:s text:c='3'/>disagreed.<text:line-break/>She spoke on Monday.</text:p>"
        "<draw:frame><draw:text-box><text:p>Photo: the harbour front</text:p></draw:text-box></draw:frame>"
        "<text:list><text:list-item><text:p>Rents rise in July.</text:p></text:list-item>"
        "<text:list-item><text:p>Talks continue.</text:p></text:list-item></text:list>"
        "<text:tracked-changes><text:changed-region><text:deletion><text:p>Deleted words.</text:p>"
        "</text:deletion></text:changed-region></text:tracked-changes>"
        "<table:table><table:table-row><table:table-cell><text:p>Rent</text:p></table:table-cell>"
        "<table:table-cell><text:p>4,500 euros</text:p></table:table-cell></table:table-row></table:table>"
    )
    path = _write(tmp_path / "rent.odt", _odt(body, creator="Jane Doe"))

    article = read_article(path, "rent")

    assert article.text == (
        "Harbour rent rise\n\nBy Jane Doe\n\nOwners said a 40 percent rise would close them. The mayor "
        "disagreed.\nShe spoke on Monday.\n\nRents rise in July.\n\nTalks continue.\n\nRent 4,500 euros\n"
    )
    assert (article.title, article.author, article.date) == ("Harbour rent rise", "Jane Doe", "")
    _assert_exact_offsets(article)
    titled = read_article(_write(tmp_path / "t.odt", _odt("<text:p>Text.</text:p>", title="Real title")), "t")
    assert (titled.title, titled.author) == ("Real title", "")


# --- Rich Text Format ---------------------------------------------------------------------------


def _word_rtf(paragraphs: list[str], *, title: str = "", author: str = "") -> bytes:
    r"""An .rtf as Word and WordPad write it: information, a page header, paragraphs ended by \par, a table."""
    info = "{\\info{\\title " + title + "}{\\author " + author + "}{\\creatim\\yr2024\\mo3\\dy1}}"
    body = "".join("\\pard\\plain " + p + "\\par\n" for p in paragraphs)
    return (
        "{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\froman Times New Roman;}}\n"
        "{\\*\\generator Microsoft Word 16.0;}"
        + info
        + "\n{\\header \\pard\\plain Harbour Times page 1\\par}\n"
        + body
        + "{\\pict\\pngblip\\picw100\\pich100 89504e470d0a1a0a}\n"
        "\\trowd\\cellx2000\\cellx4000 Rent\\cell 4,500 euros\\cell\\row\n}"
    ).encode("ascii")


def test_textedit_rtf_is_its_paragraphs_with_accents_and_quotes():
    # As TextEdit (macOS) saves a story: paragraphs ended by a backslash at the line's end, a line break
    # inside one as \u8232.
    article = read_article(DATA / "textedit.rtf", "cafe")

    assert article.text == (
        "Café owners fight rent rise\n\nOwners of the cafés on the harbour front said on Monday that a 40 percent "
        "rent rise would force them to close. “We cannot pay this,” said Zoë Martin, who runs the Blue Door.\n\n"
        "The council said the rise reflects market rates. It will meet the owners next week.\n"
        "A line in the same paragraph.\n"
    )
    assert article.title == "Café owners fight rent rise"
    _assert_exact_offsets(article)


def test_word_rtf_takes_its_information_and_leaves_out_header_and_pictures(tmp_path):
    link = '{\\field{\\*\\fldinst HYPERLINK "https://example.com"}{\\fldrslt 40 percent rise}}'
    paragraphs = [
        "By Jane Doe",
        f"Owners said a {link} would close them.",
        "\\u8220?We cannot pay,\\u8221? said Zo\\'eb.",
    ]

    article = read_article(
        _write(tmp_path / "rent.rtf", _word_rtf(paragraphs, title="Rent rise", author="Jane Doe")), "r"
    )

    assert article.text == (
        "By Jane Doe\n\nOwners said a 40 percent rise would close them.\n\n“We cannot pay,” said Zoë.\n\n"
        "Rent 4,500 euros\n"
    )
    assert (article.title, article.author, article.date) == ("Rent rise", "Jane Doe", "")
    assert read_article(_write(tmp_path / "n.rtf", _word_rtf(["Text."], author="Administrator")), "n").author == ""


def test_rtf_keeps_emoji_pipes_line_breaks_and_repeated_cells():
    data = (
        b"\xef\xbb\xbf{\\rtf1\\ansi\\uc1 The mayor posted \\u-10179?\\u-8704? on Monday.\\par "
        b"Options: left | right.\\par Line one\\line line two.\\par "
        b"\\trowd\\cellx1\\cellx2\\cellx3 Yes\\cell Yes\\cell No\\cell\\row}"
    )

    text = extract_document(".rtf", data)[0]

    assert (
        text
        == "The mayor posted \U0001f600 on Monday.\n\nOptions: left | right.\n\nLine one\nline two.\n\nYes Yes No\n"
    )
    assert extract_document(".rtf", b"{\\rtf1\\ansi half \\u-10179? a pair.\\par}")[0] == "half \ufffd a pair.\n"
    # An escaped backslash before "line" or "cell" is text; a nested table's cells are cells; an emoji in the title
    escaped = b"{\\rtf1\\ansi Type \\\\line here.\\par \\trowd A\\cell X\\nestcell Y\\nestcell\\cell\\row}"
    assert extract_document(".rtf", escaped)[0] == "Type \\line here.\n\nA X Y\n"
    titled = b"{\\rtf1\\ansi{\\info{\\title Smile \\u-10179?\\u-8704? news}}Body.\\par}"
    assert extract_document(".rtf", titled)[1] == {"title": "Smile \U0001f600 news"}


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("broken.odt", b"PK\x03\x04 not really a zip", "not a readable OpenDocument text (BadZipFile"),
        (
            "broken.odt",
            _odt("<text:p>A sum.</text:p>", kind="spreadsheet"),
            "not an OpenDocument text (no text body: a spreadsheet",
        ),
        ("broken.odt", _odt("<text:p/>"), "no text in the OpenDocument text"),
        # An entity that would read a file of the machine is not resolved: the file is refused, nothing read.
        (
            "broken.odt",
            _odt("<text:p>&host;</text:p>", doctype="<!DOCTYPE x [<!ENTITY host SYSTEM 'file:///etc/hostname'>]>"),
            "no text in the OpenDocument text",
        ),
        ("broken.rtf", b"Just text saved with the wrong name.", "not an RTF document (no {\\rtf header)"),
        # 8-bit bytes (not RTF's 7-bit text) that are no text in its code page (cp1252)
        ("broken.rtf", b"{\\rtf1\\ansi Caf\xff\xfe\x81.\\par}", "not a readable RTF document (UnicodeDecodeError"),
        ("broken.rtf", b"{\\rtf1\\ansi {\\*\\generator Word;}}", "no text in the RTF document"),
    ],
)
def test_damaged_or_other_odt_and_rtf_are_skipped_with_a_reason(tmp_path, name, data, reason):
    _write(tmp_path / "good.txt", "Good\n\nA good article.\n")
    _write(tmp_path / name, data)

    corpus = load_corpus(tmp_path, warn=False)

    assert [a.id for a in corpus.articles] == ["good"]
    assert corpus.skipped[0].reason.startswith(reason)


# --- legacy encodings ---------------------------------------------------------------------------

CP1252_STORY = (
    "Café owner wins the city’s coffee award\n\n"
    "The café on Rue Dupré, run by Zoë Müller since 2019, won the city’s “best coffee” award on Tuesday. "
    "Müller said the prize – worth €5,000 – would pay for a new espresso machine. Customers queued outside "
    "all morning, and the owner thanked her staff.\n"
)


def test_cp1252_text_is_read_and_the_encoding_reported(tmp_path, fake_embedder):
    folder = tmp_path / "corpus"
    _write(folder / "cafe.txt", CP1252_STORY.encode("cp1252"))
    _write(folder / "short.txt", "Café opens\n".encode("latin-1"))  # too short to tell: refused

    bot = QA(folder, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)
    report = bot.sync()

    assert bot.get_article("cafe").text == CP1252_STORY
    assert [(n.path, n.note) for n in report.notes] == [("cafe.txt", "read as cp1252 text (not UTF-8)")]
    assert [(s.path, s.reason) for s in report.skipped] == [
        ("short.txt", "not valid UTF-8 text (byte 3); save it as UTF-8")
    ]


def test_cli_index_names_the_encoding_it_read(tmp_path, capsys, monkeypatch):
    import qa.api
    from qa.cli import main
    from tests.conftest import FakeEmbedder

    monkeypatch.setattr(qa.api, "_shared_embedder", FakeEmbedder)  # the CLI always uses the shared model
    folder = tmp_path / "corpus"
    _write(folder / "cafe.txt", CP1252_STORY.encode("cp1252"))

    assert main(["index", str(folder), "--index-dir", str(tmp_path / "index")]) == 0

    assert "cafe.txt: read as cp1252 text (not UTF-8)" in capsys.readouterr().out


# --- every format, asked ------------------------------------------------------------------------


def test_every_format_answers_with_exact_citations(tmp_path, fake_embedder):
    folder = tmp_path / "corpus"
    # One page for each story (of the same story, the second page would be skipped as a duplicate).
    # The tram story as a page saved as one file (.mhtml), below.
    for name, story in (("form-wrapped", STORIES[0]), ("paywall", STORIES[2])):
        page = next(p for p in PAGES if p.name == name and p.story == story)
        _write(folder / "web" / f"{page.name}.html", page.html)
    _write(folder / "pdf" / "printed.pdf", (DATA / "printed-from-browser.pdf").read_bytes())
    _write(folder / "pdf" / "columns.pdf", (DATA / "two-columns.pdf").read_bytes())
    _write(folder / "word" / "bakery.docx", _docx([("Title", "Zed buys a bakery"), ("", BAKERY)]))
    _write(folder / "cafe.txt", CP1252_STORY.encode("cp1252"))
    _write(folder / "word" / "rent.rtf", (DATA / "textedit.rtf").read_bytes())
    _write(folder / "web" / "tram.mhtml", (DATA / "saved-single-file.mhtml").read_bytes())
    bot = QA(folder, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)

    questions = [
        "How much did Zed pay for the bakery in Nantes?",
        "How much will the espresso machine prize be worth?",
        "When do forecasters expect the heat to break?",
        "How many engineers will the Lyon laboratory employ?",
        "How many cars will the tram line take off the road?",
        "Who runs the Blue Door?",
    ]
    for question in questions:
        answer = bot.ask(question)
        assert answer.citations, question
        for c in answer.citations:
            assert bot.get_article(c.article_id).text[c.start : c.end] == c.quote
        format_answer(answer, bot)  # dates shown readably do not break the answer's rendering
    for article_id in [a for a in bot.index.articles]:
        _assert_exact_offsets(bot.get_article(article_id))
    assert bot.index.skipped == ()


BAKERY = "Zed bought a bakery in Nantes for 2 million euros, the company said on Friday."


@pytest.mark.parametrize(
    ("title", "printed", "expected"),
    [
        (
            "Tram vote splits the council | Northern Courier",
            ["Home", "Tram vote splits the council"],
            "Tram vote splits the council",
        ),
        ("Tram vote: what next? - Politics - Courier", ["Tram vote: what next?", "By Jo Li"], "Tram vote: what next?"),
        (
            "Tram vote | Northern Courier",
            ["Home", "A story that prints another headline"],
            "Tram vote | Northern Courier",
        ),
        ("Open-air cinema - a summer guide", ["Open-air cinema - a summer guide"], "Open-air cinema - a summer guide"),
        ("Tram vote", ["Tram vote"], "Tram vote"),
        ("Tram vote - what next | Courier", ["Courier", "Tram vote - what next"], "Tram vote - what next"),
        ("Tram vote splits the council | Courier", ["Courier", "Tram vote splits the council, again"], None),
        ("Home | Northern Courier", ["Home"], None),  # never a part shorter than the longest
        (" | ".join(f"part {n}" for n in range(2000)), ["part 1"], None),  # too many parts to be a page title
    ],
)
def test_a_pdf_title_loses_the_site_name_a_browser_added_when_the_page_prints_the_headline(title, printed, expected):
    from index.pdf import _printed_title

    assert _printed_title(title, printed) == (expected or title)


def test_a_pdf_headline_wrapped_onto_two_lines_is_one_paragraph_again():
    from index.pdf import _headline_joined

    title = "Council approves tram extension to Harbour Valley | Riverside Gazette"
    printed = ["Riverside Gazette", "Council approves tram extension to Harbour", "Valley", "Councillors voted 7 to 4."]
    assert _headline_joined(title, printed) == [
        "Riverside Gazette",
        "Council approves tram extension to Harbour Valley",
        "Councillors voted 7 to 4.",
    ]
    assert _headline_joined(title, ["Councillors voted 7 to 4.", "Valley"]) == ["Councillors voted 7 to 4.", "Valley"]
