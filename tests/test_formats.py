"""Article formats: .md front matter, .html/.htm pages and .pdf files, their text, metadata and offsets."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from index.articles import load_corpus, read_article
from index.html import decode_html, extract_html
from index.passages import split_article
from index.pdf import extract_pdf
from qa.api import QA

# --- helpers ------------------------------------------------------------------------------------


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def make_pdf(pages: list[list[str]], *, title: str | None = None, author: str | None = None) -> bytes:
    """A minimal valid PDF: each page a list of text lines in Helvetica; optional /Title and /Author."""

    def literal(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    info = " ".join(f"/{key} ({literal(value)})" for key, value in (("Title", title), ("Author", author)) if value)
    kids = " ".join(f"{5 + 2 * n} 0 R" for n in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        f"<< {info} >>".encode(),
    ]
    for n, lines in enumerate(pages):
        stream = ("BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({literal(x)}) Tj T*" for x in lines) + " ET").encode(
            "cp1252"
        )
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {6 + 2 * n} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return assemble_pdf(objects, b"/Info 4 0 R")


def shared_stream_pdf(pages: int, operators: int) -> bytes:
    """A small PDF whose pages all draw one large deflated content stream (slow for any PDF reader)."""
    stream = zlib.compress(b"BT /F1 12 Tf 72 720 Td " + b"(x) Tj " * operators + b"ET", 9)
    font = "<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"
    return assemble_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{' '.join(f'{4 + n} 0 R' for n in range(pages))}] /Count {pages} >>".encode(),
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
            *[f"<< /Type /Page /Parent 2 0 R /Contents 3 0 R /Resources {font} >>".encode() for _ in range(pages)],
        ]
    )


def assemble_pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF file of these objects (numbered from 1, the first the catalog), with its cross-reference table."""
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(pdf)


def _assert_exact_offsets(article) -> None:
    sentences, passages = split_article(article)
    assert passages, article.id
    for piece in [*sentences, *passages]:
        assert article.text[piece.start : piece.end] == piece.text
        assert piece.text == piece.text.strip() and piece.text


# --- .md front matter ---------------------------------------------------------------------------


def test_md_front_matter_lists_aliases_and_inner_quotes(tmp_path):
    front = (
        "---\n"
        "headline: \"Acme's 'big' lab\"\n"
        "site: ignored\n"
        "source: Wire\n"
        "authors:\n"
        "  - Jane Doe\n"
        "  - 'John Roe'\n"
        "published: 2024-03-01\n"
        "---\n"
    )
    path = _write(tmp_path / "a.md", front + "Body sentence.\n")

    article = read_article(path, "a")

    assert (article.title, article.source, article.author, article.date) == (
        "Acme's 'big' lab",
        "Wire",
        "Jane Doe, John Roe",
        "2024-03-01",
    )
    assert article.body_start == len(front)


def test_md_front_matter_inline_list_and_byte_order_mark(tmp_path):
    front = '\ufeff---\ntitle: Lab\nauthor: [Jane Doe, "John Roe"]\n---\n'
    path = _write(tmp_path / "a.md", front + "Body.\n")

    article = read_article(path, "a")

    assert (article.title, article.author, article.body_start) == ("Lab", "Jane Doe, John Roe", len(front))
    assert article.text == front + "Body.\n"


def test_md_empty_front_matter_is_not_the_title(tmp_path):
    path = _write(tmp_path / "a.md", "---\n---\n# Real title\n\nBody.\n")

    article = read_article(path, "a")

    assert (article.title, article.body_start) == ("Real title", 8)


def test_sidecar_list_values_are_joined(tmp_path):
    _write(tmp_path / "a.txt", "Title\n\nBody.\n")
    _write(tmp_path / "a.meta.json", json.dumps({"author": ["Jane Doe", "John Roe"]}))

    (article,) = load_corpus(tmp_path).articles

    assert article.author == "Jane Doe, John Roe"


# --- .html --------------------------------------------------------------------------------------


PAGE = """<!doctype html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Acme opens lab | Daily Planet</title>
<meta property="og:title" content="Acme opens a lab in Lyon">
<meta property="og:site_name" content="Daily Planet">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2024-03-01T09:00:00Z">
<style>body { color: red } .STYLE-JUNK { }</style>
<script>var SCRIPT_JUNK = 1;</script>
</head>
<body>
<header><a href="/">HEADER-JUNK Home</a></header>
<nav><ul><li>NAV-JUNK World</li></ul></nav>
<div id="cookie-banner">COOKIE-JUNK We use cookies. <button>Accept</button></div>
<main><article>
<header><h1>Acme opens a lab in Lyon</h1></header>
<p>Acme will invest <b>10 million euros</b> in its
   Lyon lab over five years.</p>
<p>The lab will open in May&nbsp;2024 and employ 40 engineers.<br>It is Acme&#39;s third lab.</p>
<div class="share-tools">SHARE-JUNK Share on X</div>
<script>document.write("INLINE-SCRIPT-JUNK")</script>
<ul><li>The first lab is in Paris.</li><li>The second is in Nantes.</li></ul>
<aside>ASIDE-JUNK Related stories</aside>
<p style="display: none">HIDDEN-JUNK</p>
<!-- COMMENT-JUNK -->
<footer>ARTICLE-FOOTER-JUNK Copyright Acme</footer>
</article></main>
<footer>FOOTER-JUNK Site footer</footer>
<noscript>NOSCRIPT-JUNK</noscript>
</body></html>
"""
PAGE_TEXT = (
    "Acme will invest 10 million euros in its Lyon lab over five years.\n\n"
    "The lab will open in May 2024 and employ 40 engineers.\nIt is Acme's third lab.\n\n"
    "The first lab is in Paris.\n\n"
    "The second is in Nantes.\n"
)


def test_html_text_is_the_article_without_page_furniture(tmp_path):
    path = _write(tmp_path / "lyon.html", PAGE)

    article = read_article(path, "lyon")

    assert article.text == PAGE_TEXT
    assert "JUNK" not in article.text
    assert (article.title, article.source, article.author, article.date) == (
        "Acme opens a lab in Lyon",
        "Daily Planet",
        "Jane Doe",
        "2024-03-01",
    )
    assert article.body_start == 0


def test_html_passages_and_sentences_have_exact_offsets(tmp_path):
    _write(tmp_path / "lyon.htm", PAGE)

    (article,) = load_corpus(tmp_path).articles
    sentences, passages = split_article(article)

    assert article.id == "lyon"
    _assert_exact_offsets(article)
    assert [s.text for s in sentences] == [
        "Acme will invest 10 million euros in its Lyon lab over five years.",
        "The lab will open in May 2024 and employ 40 engineers.",
        "It is Acme's third lab.",
        "The first lab is in Paris.",
        "The second is in Nantes.",
    ]


def test_html_metadata_from_json_ld_when_no_meta_tags():
    page = extract_html(
        "<html><head><title>Page title</title>"
        '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
        '{"@type": "WebSite", "name": "Not this"},'
        '{"@type": "NewsArticle", "headline": "LD headline", "datePublished": "2024-05-02",'
        ' "author": [{"@type": "Person", "name": "Jane Doe"}, {"name": "John Roe"}],'
        ' "publisher": {"@type": "Organization", "name": "Planet Media"}}]}</script>'
        "</head><body><p>Body text here.</p></body></html>"
    )

    assert page.meta == {
        "title": "LD headline",  # before <title>, which often carries the site's name too
        "publisher": "Planet Media",
        "author": "Jane Doe, John Roe",
        "date": "2024-05-02",
    }
    assert page.text == "Body text here.\n"


def test_html_og_title_wins_over_json_ld_and_title():
    page = extract_html(
        '<head><meta property="og:title" content="OG title"><title>T</title>'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "LD"}</script></head>'
        "<body><p>x</p></body>"
    )

    assert page.meta["title"] == "OG title"


def test_html_title_falls_back_to_first_h1_and_broken_json_ld_is_ignored():
    page = extract_html(
        '<script type="application/ld+json">{broken</script>'
        "<body><h1>  The   headline </h1><p>Body.</p><time datetime='2023-01-02'>2 Jan</time></body>"
    )

    assert page.meta == {"title": "The headline", "publisher": "", "author": "", "date": "2023-01-02"}
    assert page.text == "Body.\n"  # the headline is the title, not the story's first sentence


def test_html_article_author_url_is_not_an_author():
    page = extract_html('<meta property="article:author" content="https://example.com/jane"><p>x</p>')

    assert page.meta["author"] == ""


def test_html_wrapper_with_a_junk_class_keeps_the_article_inside():
    page = extract_html('<div class="page has-ads"><article><p>Kept.</p></article></div><div class="ads">Ad</div>')

    assert page.text == "Kept.\n"


def test_html_junk_class_on_the_element_holding_most_of_the_text_does_not_drop_it():
    page = extract_html(
        '<body><div class="content with-ads"><p>The story itself, which is most of the text of the page.</p></div>'
        '<div id="cookie-consent">We use cookies.</div><div class="ad-slot">Buy now</div></body>'
    )

    assert page.text == "The story itself, which is most of the text of the page.\n"


def test_html_short_posts_of_a_live_blog_are_kept_without_their_share_buttons():
    share = (
        '<div class="lb-share"><button>Share</button><a href="#a">Copy link</a>'
        '<a href="https://facebook.com/x">Facebook</a><a href="https://x.com/y">X</a></div>'
    )
    posts = [
        ("FULL TIME", "Harbourside Rovers beat Castlegate United 3-2 after extra time and lift the County Cup."),
        ("Extra time", "It's 2-2 after 90 minutes. We're heading to extra time."),
        ("Half-time", "Half-time at Meadow Park: Rovers 1-1 Castlegate."),
        ("Team news", "Castlegate are without top scorer Leon Price, who is suspended after his red card."),
    ]
    body = "".join(
        f'<div class="lb-post"><header><time>17:0{n}</time><h3>{head}</h3></header>'
        f'<div class="lb-body"><p>{text}</p></div>{share}</div>'
        for n, (head, text) in enumerate(posts)
    )
    page = extract_html(
        "<html><head><title>Cup final live</title></head><body><nav><a href='/'>Home</a><a href='/sport'>Sport</a>"
        f"</nav><main><h1>Cup final live</h1><div class='liveblog'>{body}</div></main></body></html>"
    )
    for _, text in posts:
        assert text in page.text
    assert "Copy link" not in page.text and "Facebook" not in page.text
    # A short post whose class names sharing ("shareable") is story: only links and buttons are pruned.
    post = '<div class="live-post shareable"><p>Half-time: Rovers 1-1 Castlegate.</p></div>'
    filler = "<p>The council met on Monday to discuss the budget for the coming year, and voted on it late.</p>"
    assert "Half-time: Rovers 1-1 Castlegate." in extract_html(f"<article>{filler}{post}{filler}</article>").text


def test_html_pull_quotes_are_left_out_and_the_story_keeps_the_quote():
    said = "“Frozen food is our fastest-growing category today,” said Ingrid Halvorsen, the chief executive."
    page = extract_html(
        "<article><h1>Nordvik profits rise</h1><p>Nordvik Foods said on Tuesday that its profit rose by 12 percent "
        "in the fourth quarter, helped by frozen meals.</p>"
        '<blockquote class="pull-quote"><p>“Our fastest-growing category”</p><cite>Ingrid Halvorsen</cite></blockquote>'
        f"<p>{said}</p>"
        '<figure class="wp-block-pullquote"><blockquote><p>Frozen food grows</p></blockquote></figure>'
        "<p>The company employs 4,100 people in Norway and Sweden, and plans to open a plant next year.</p></article>"
    )
    assert said in page.text
    assert "Our fastest-growing category" not in page.text and "Frozen food grows" not in page.text
    # A container whose class names pull quotes is the story's.
    story = f"<p>{said}</p>" + "<p>The plant will make frozen meals for shops in Norway, Sweden and Denmark.</p>" * 4
    held = extract_html(f'<div class="entry has-pullquote"><article>{story}</article></div>')
    assert said in held.text


def test_html_story_paragraph_that_is_one_whole_link_is_kept_and_links_of_other_stories_are_not():
    prose = [
        "The council voted 27 to 24 on Monday night to build the flood barrier across the river mouth.",
        "Work will start in the spring and should take three years, the council's engineers said.",
        "Opponents said the cost would fall on households that already pay the highest rates in the region.",
    ]
    linked = "The full business case for the barrier was published by the council in February."
    quote = "“We will not let the river decide for us,” the mayor said after the vote."
    teasers = [
        "Residents in the north of the city say they were never consulted about the barrier.",
        "The mayor will face a vote of confidence next month, her party has confirmed.",
    ]
    page = extract_html(
        "<html><head><title>Barrier approved</title></head><body>"
        f"<header><p><a href='/about'>The Courier is part of the Example Media group of newspapers.</a></p></header>"
        f"<article><h1>Barrier approved</h1><p>{prose[0]}</p><p><a href='/report'>{linked}</a></p>"
        f"<p>{prose[1]}</p><blockquote><p><a href='/video'>{quote}</a></p></blockquote><p>{prose[2]}</p>"
        "<p><a href='/tram'>Council approves new tram line</a></p>"
        f"<h3>More from the Courier</h3><p><a href='/a'>{teasers[0]}</a></p><p><a href='/b'>{teasers[1]}</a></p>"
        "</article></body></html>"
    )

    assert page.text == "\n\n".join([prose[0], linked, prose[1], quote, prose[2]]) + "\n"
    # Two linked sentences in a row are a list of links, wherever they are.
    listed = extract_html(
        f"<article><p>{prose[0]}</p><p><a href='/a'>{teasers[0]}</a></p><p><a href='/b'>"
        f"{teasers[1]}</a></p><p>{prose[1]}</p></article>"
    )
    assert teasers[0] not in listed.text and teasers[1] not in listed.text


@pytest.mark.parametrize(
    ("between", "paragraph", "kept"),
    [
        ("<!-- advert -->", "<p><a href='/r'>{linked}</a></p>", True),  # a comment beside it is passed over
        ("<?php ad(); ?><div class='ad-slot'></div>", "<p><a href='/r'>{linked}</a></p>", True),
        ("", "<div><p><a href='/r'>{linked}</a></p></div>", True),  # a box of its own
        ("", "<div><p><a href='/r'>{linked}</a></p><script>ads.push({{}})</script></div>", True),
        ("", "<p><strong><a href='/n'>Sign up to our free morning briefing newsletter here.</a></strong></p>", False),
        ("", "<p><a href='/m'>READ MORE: Police say three men were arrested after the robbery.</a></p>", False),
        # Before links written without a space between them: a teaser
        ("", "<p><a href='/r'>{linked}</a></p><p><a href='/a'>Other story</a><a href='/b'>Another</a></p>", False),
    ],
)
def test_html_linked_sentence_after_prose_is_told_from_calls_and_pointers_to_other_stories(between, paragraph, kept):
    prose = "The council voted 27 to 24 on Monday night to build the flood barrier across the river mouth."
    linked = "The full business case for the barrier was published by the council in February."
    promo = (
        "<header><p><a href='/s'>Subscribe today and get your first month of news free.</a></p><!-- /promo --></header>"
    )
    page = extract_html(
        f"<html><body>{promo}<article><h1>Barrier</h1><p>{prose}</p>{between}{paragraph.format(linked=linked)}"
        "<p>Work will start in the spring and should take three years, the engineers said.</p></article></body></html>"
    )

    paragraphs = page.text.split("\n\n")
    assert (len(paragraphs) == 3) is kept and prose == paragraphs[0]
    assert "Subscribe" not in page.text


def test_html_table_rows_become_paragraphs():
    page = extract_html(
        "<p>Intro.</p><table><tr><th>City</th><th>Staff</th></tr><tr><td>Lyon</td><td>40</td></tr></table>"
    )

    assert page.text == "Intro.\n\nCity Staff\n\nLyon 40\n"


def test_html_declared_charset_is_used(tmp_path):
    page = '<meta charset="windows-1252"><title>Caf\xe9</title></head><body><p>Caf\xe9 \u201cn\xe9\u201d.</p>'
    _write(tmp_path / "cafe.html", page.encode("cp1252"))

    (article,) = load_corpus(tmp_path).articles

    assert article.title == "Café"
    assert article.text == "Café “né”.\n"


def test_html_utf16_with_byte_order_mark_is_read():
    assert decode_html("<p>Zürich</p>".encode("utf-16")) == "<p>Zürich</p>"


def test_html_text_with_markup_characters_stays_text(tmp_path):
    _write(tmp_path / "x.html", "<p>Use &lt;script&gt; tags &amp; more.</p>")

    (article,) = load_corpus(tmp_path).articles

    assert article.text == "Use <script> tags & more.\n"


def test_html_fingerprint_changes_when_the_bytes_change_even_if_the_text_does_not(tmp_path):
    path = _write(tmp_path / "a.html", "<p>Same text.</p>")
    before = read_article(path, "a")

    _write(path, "<p>Same   text.</p><script>changed()</script>")
    after = read_article(path, "a")

    assert after.text == before.text == "Same text.\n"
    assert after.fingerprint != before.fingerprint


def test_html_sidecar_metadata_overrides_the_page(tmp_path):
    _write(tmp_path / "lyon.html", PAGE)
    _write(tmp_path / "lyon.meta.json", json.dumps({"title": "Sidecar title", "publisher": "Sidecar Press"}))

    (article,) = load_corpus(tmp_path).articles

    assert (article.title, article.source, article.author) == ("Sidecar title", "Sidecar Press", "Jane Doe")


def test_html_upper_case_suffix_is_read(tmp_path):
    _write(tmp_path / "PAGE.HTML", "<p>Upper case suffix.</p>")

    (article,) = load_corpus(tmp_path).articles

    assert (article.id, article.text) == ("PAGE", "Upper case suffix.\n")


# --- .pdf ---------------------------------------------------------------------------------------


PDF_PAGES = [
    [
        "Acme opens a lab in Lyon",
        "Acme will invest 10 million euros in its Lyon lab over five years.",
        "The lab (its third) will open in May 2024.",
    ],
    ["It will employ 40 engineers, Acme said."],
]
PDF_TEXT = (
    "Acme opens a lab in Lyon\n\n"
    # A sentence ending on a full-width line may go on in the same paragraph: PDFs do not say.
    "Acme will invest 10 million euros in its Lyon lab over five years. The lab (its third) will open in May 2024.\n\n"
    "It will employ 40 engineers, Acme said.\n"
)


def test_pdf_text_is_its_lines_joined_into_paragraphs(tmp_path):
    path = _write(tmp_path / "lyon.pdf", make_pdf(PDF_PAGES, title="Acme lab", author="Jane Doe"))

    article = read_article(path, "lyon")

    assert article.text == PDF_TEXT
    assert (article.title, article.author, article.source, article.date) == ("Acme lab", "Jane Doe", "", "")
    _assert_exact_offsets(article)


def test_pdf_without_a_title_takes_its_first_line(tmp_path):
    _write(tmp_path / "lyon.pdf", make_pdf(PDF_PAGES))

    (article,) = load_corpus(tmp_path).articles

    assert (article.id, article.title, article.author) == ("lyon", "Acme opens a lab in Lyon", "")


def test_pdf_extraction_keeps_non_ascii_text():
    document = extract_pdf(make_pdf([["Caf\xe9 in Z\xfcrich \u2013 \u201cquoted\u201d."]]))

    assert document.text == "Café in Zürich – “quoted”.\n"


def test_pdf_fingerprint_changes_with_its_bytes(tmp_path):
    path = _write(tmp_path / "a.pdf", make_pdf(PDF_PAGES, title="One"))
    before = read_article(path, "a").fingerprint

    _write(path, make_pdf(PDF_PAGES, title="Two"))

    assert read_article(path, "a").fingerprint != before


# --- asking questions of them -------------------------------------------------------------------


def test_html_pdf_and_text_articles_answer_with_exact_citations(tmp_path, fake_embedder):
    folder = tmp_path / "corpus"
    _write(folder / "world" / "Zürich news" / "acme lab.html", PAGE)
    _write(folder / "nantes.txt", "Zed buys a bakery in Nantes\n\nZed bought a bakery in Nantes for 2 million euros.\n")
    berlin = make_pdf([["Bolt opens a depot in Berlin", "The depot cost 7 million euros."]])
    _write(folder / "berlin report.pdf", berlin)
    bot = QA(folder, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)

    answers = {
        "How much will Acme invest in its Lyon lab?": (
            "world/Zürich news/acme lab",
            "Acme will invest 10 million euros in its Lyon lab over five years.",
        ),
        "How much did the Berlin depot cost?": ("berlin report", "The depot cost 7 million euros."),
    }
    for question, (article_id, text) in answers.items():
        answer = bot.ask(question)
        assert answer.text == text
        assert answer.citations[0].article_id == article_id
        for c in answer.citations:
            assert bot.get_article(c.article_id).text[c.start : c.end] == c.quote
    assert bot.get_article("world/Zürich news/acme lab").title == "Acme opens a lab in Lyon"
    assert bot.get_article("world/Zürich news/acme lab").source == "Daily Planet"
    assert bot.index.skipped == ()


def test_html_article_survives_an_index_reload(tmp_path, fake_embedder):
    folder = tmp_path / "corpus"
    _write(folder / "lyon.html", PAGE)
    QA(folder, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False).index

    bot = QA(folder, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)

    assert bot.index.how == "loaded"
    assert bot.get_article("lyon").text == PAGE_TEXT


@pytest.mark.parametrize("suffix", [".html", ".pdf"])
def test_changing_an_html_or_pdf_file_reindexes_it(tmp_path, fake_embedder, suffix):
    folder = tmp_path / "corpus"
    data = {".html": (PAGE, PAGE.replace("40 engineers", "41 engineers")), ".pdf": (make_pdf(PDF_PAGES), None)}
    before, after = data[suffix]
    if after is None:
        after = make_pdf([*PDF_PAGES, ["A third page."]])
    path = _write(folder / f"lyon{suffix}", before)
    QA(folder, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False).index

    _write(path, after)
    bot = QA(folder, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)

    assert bot.index.how == "updated"
    assert (bot.index.report.added, bot.index.report.updated, bot.index.report.removed) == (0, 1, 0)
