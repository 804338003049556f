"""Reading a corpus folder: exact texts, metadata sources, skipped files and ids."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import pytest

import index.articles
from index.articles import CorpusError, load_corpus, read_article
from qa.config import BUILTIN_CORPUS

BUILTIN_IDS = ["000_8d8ddf5f4b5d1b8b", "001_f43a90984e0dbea0", "002_1e5c51e8448bc6d1"]


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# --- .txt files ---------------------------------------------------------------------------------


def test_txt_title_is_first_non_empty_line_and_text_is_the_exact_file_text(tmp_path):
    text = "\r\n  \r\n  Zürich – 東京: naïve café opens  \r\n\r\nThe café opened on Monday.\r\nIt serves 42 teas.\r\n"
    data = text.encode("utf-8")
    path = _write(tmp_path / "cafe.txt", data)

    article = read_article(path, article_id="cafe")

    assert article.text == data.decode("utf-8")
    assert article.text.count("\r\n") == 6
    assert article.title == "Zürich – 東京: naïve café opens"
    assert (article.id, article.source, article.author, article.date, article.body_start) == ("cafe", "", "", "", 0)


def test_txt_text_keeps_leading_and_trailing_whitespace(tmp_path):
    data = b"\n\n   Title line\n\nBody sentence.   \n\n\n"
    _write(tmp_path / "a.txt", data)

    (article,) = load_corpus(tmp_path).articles

    assert article.text == "\n\n   Title line\n\nBody sentence.   \n\n\n"
    assert article.title == "Title line"


def test_markdown_heading_marks_are_not_part_of_the_title(tmp_path):
    _write(tmp_path / "h.md", "\n## Big News Today\n\nSomething happened.\n")

    (article,) = load_corpus(tmp_path).articles

    assert article.title == "Big News Today"
    assert article.body_start == 0


def test_markdown_closing_heading_marks_are_not_part_of_the_title(tmp_path):
    # CommonMark: "## Title ##" is the heading "Title"; the closing #s are optional syntax.
    _write(tmp_path / "h.md", "## Big News Today ##\n\nSomething happened.\n")

    (article,) = load_corpus(tmp_path).articles

    assert article.title == "Big News Today"


# --- .md front matter ---------------------------------------------------------------------------


FRONT_MATTER = (
    "---\n"
    'title: "Acme opens a lab in Lyon"\n'
    "publisher: Le Monde\n"
    "author: 'Jane Doe'\n"
    "date: 1 March 2024\n"
    "ignored: whatever\n"
    "---\n"
)


def test_md_front_matter_gives_metadata_and_body_start(tmp_path):
    body = "# A heading that is not the title\n\nAcme will invest 10 million euros in Lyon.\n"
    path = _write(tmp_path / "lyon.md", FRONT_MATTER + body)

    article = read_article(path, article_id="lyon")

    assert article.title == "Acme opens a lab in Lyon"
    assert article.source == "Le Monde"
    assert article.author == "Jane Doe"
    assert article.date == "1 March 2024"
    assert article.body_start == len(FRONT_MATTER) == 118
    assert article.text[article.body_start :] == body
    assert article.text == FRONT_MATTER + body


@pytest.mark.parametrize(
    ("body", "author"),
    [
        ("Rates rise\n\nBy Lena Sorvik\n\nThe bank raised rates.\n", "Lena Sorvik"),
        ("Rates rise\n\nThe bank raised rates.\n\n(Reporting by Lena Sorvik; Editing by Dan Marsh)\n", "Lena Sorvik"),
        ("Rates rise\n\nBy Jan van der Berg\nThe bank raised rates.\n", "Jan van der Berg"),
        ("Fire\n\nIt spread.\n\n(Reporting by Maya Thornton in Kelowna; Editing by Peter Hale)\n", "Maya Thornton"),
        ("Rates rise\n\nBy: Lena Sorvik | Meridian Wire\nThe bank raised rates.\n", "Lena Sorvik"),
        ("Rates rise\n\nBy Lena Sorvik and Dan Marsh\nThe bank raised rates.\n", "Lena Sorvik and Dan Marsh"),
        (
            "Rates rise\n\nIt rose.\n\n(Reporting by Lena Sorvik and Dan Marsh; Editing by Al Hale)\n",
            "Lena Sorvik and Dan Marsh",
        ),
        ("Rates rise\n\nLena Sorvik, Economics Correspondent\nThe bank raised rates.\n", "Lena Sorvik"),
        ("Rates rise\n\nBy Lena Sorvik, Economics Correspondent\nThe bank raised rates.\n", "Lena Sorvik"),
        ("Rates rise\n\nReported by Lena Sorvik and Dan Marsh\nThe bank raised rates.\n", "Lena Sorvik and Dan Marsh"),
        # Not bylines: a sentence that starts with "By", a "By" line far into the text, a heading, a name
        # with a role outside the newsroom.
        ("Rates rise\n\nKen Hu, Deputy Chairman\nThe bank raised rates.\n", ""),
        ("Rates rise\n\nBy the end of the year the bank had raised rates.\n", ""),
        ("Rates rise\n\n" + "A line.\n" * 8 + "By Lena Sorvik\n", ""),
        ("Rates rise\n\nBy The Numbers\nThe bank raised rates.\n", ""),
        ("By Any Means Necessary\n\nThe bank raised rates.\n", ""),
    ],
)
def test_a_byline_the_text_prints_is_the_author_when_no_metadata_gives_one(tmp_path, body, author):
    (tmp_path / "rates.txt").write_text(body, "utf-8")
    assert read_article(tmp_path / "rates.txt", "rates").author == author

    (tmp_path / "rates.meta.json").write_text('{"author": "Desk"}', "utf-8")
    assert read_article(tmp_path / "rates.txt", "rates").author == "Desk"


def test_a_printed_byline_loses_the_publisher_when_the_metadata_names_it(tmp_path):
    body = "Floods hit Aldwater\n\nBy Megan O'Rourke, Valley Post\n\nTwo people died.\n"
    (tmp_path / "floods.txt").write_text(body, "utf-8")
    assert read_article(tmp_path / "floods.txt", "floods").author == "Megan O'Rourke, Valley Post"  # who can tell?

    (tmp_path / "floods.meta.json").write_text('{"publisher": "The Valley Post"}', "utf-8")
    assert read_article(tmp_path / "floods.txt", "floods").author == "Megan O'Rourke"
    (tmp_path / "floods.meta.json").write_text('{"publisher": "Aldwater Echo"}', "utf-8")
    assert read_article(tmp_path / "floods.txt", "floods").author == "Megan O'Rourke, Valley Post"


def test_md_front_matter_with_crlf_line_endings(tmp_path):
    front = "---\r\ntitle: CRLF title\r\nsource: Wire\r\n---\r\n"
    body = "Body line.\r\n"
    path = _write(tmp_path / "crlf.md", front + body)

    article = read_article(path, article_id="crlf")

    assert (article.title, article.source) == ("CRLF title", "Wire")
    assert article.body_start == len(front) == 43
    assert article.text == front + body


def test_md_title_falls_back_to_first_body_line_after_front_matter(tmp_path):
    front = "---\npublisher: Reuters\n---\n"
    _write(tmp_path / "nt.md", front + "\n# Heading of the body\n\nText.\n")

    (article,) = load_corpus(tmp_path).articles

    assert article.title == "Heading of the body"
    assert article.source == "Reuters"
    assert article.body_start == len(front) == 27


def test_front_matter_is_only_read_from_md_files(tmp_path):
    text = "---\ntitle: Not metadata\n---\nHeadline\n"
    _write(tmp_path / "plain.txt", text)

    (article,) = load_corpus(tmp_path).articles

    assert article.body_start == 0
    assert article.title != "Not metadata"
    assert article.text == text


# --- sidecar metadata ---------------------------------------------------------------------------


def test_sidecar_meta_json_overrides_front_matter(tmp_path):
    _write(tmp_path / "lyon.md", FRONT_MATTER + "Acme will invest in Lyon.\n")
    sidecar = {"title": "Sidecar title", "publisher": "Sidecar Press", "author": None, "date": "2 March 2024"}
    _write(tmp_path / "lyon.meta.json", json.dumps(sidecar))

    (article,) = load_corpus(tmp_path).articles

    assert article.id == "lyon"
    assert article.title == "Sidecar title"
    assert article.source == "Sidecar Press"
    assert article.author == "Jane Doe"  # null in the sidecar does not erase the front matter's author
    assert article.date == "2 March 2024"
    assert article.body_start == len(FRONT_MATTER)


def test_sidecar_meta_json_overrides_txt_first_line_title(tmp_path):
    _write(tmp_path / "wire.txt", "First line\n\nBody.\n")
    _write(tmp_path / "wire.meta.json", json.dumps({"title": "Real title", "source": "AP", "date": 2020}))

    corpus = load_corpus(tmp_path)

    assert [a.id for a in corpus.articles] == ["wire"]
    (article,) = corpus.articles
    assert (article.title, article.source, article.date) == ("Real title", "AP", "2020")
    assert corpus.skipped == ()


def test_sidecar_change_changes_the_article_fingerprint(tmp_path):
    path = _write(tmp_path / "wire.txt", "First line\n\nBody.\n")
    sidecar = _write(tmp_path / "wire.meta.json", json.dumps({"title": "One"}))
    before = read_article(path, "wire").fingerprint

    sidecar.write_text(json.dumps({"title": "Two"}), "utf-8")

    assert read_article(path, "wire").fingerprint != before


def test_invalid_sidecar_skips_the_article_with_a_reason(tmp_path):
    _write(tmp_path / "good.txt", "Good\n")
    _write(tmp_path / "bad.txt", "Bad\n")
    _write(tmp_path / "bad.meta.json", "{not json")

    corpus = load_corpus(tmp_path)

    assert [a.id for a in corpus.articles] == ["good"]
    assert [s.path for s in corpus.skipped] == ["bad.txt"]
    assert "bad.meta.json" in corpus.skipped[0].reason
    assert "not valid JSON" in corpus.skipped[0].reason


# --- files that are not articles ----------------------------------------------------------------


def test_unreadable_files_are_skipped_with_reasons_and_good_files_still_load(tmp_path, caplog):
    _write(tmp_path / "a_good.txt", "Good one\n\nA fine article.\n")
    _write(tmp_path / "b_binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    _write(tmp_path / "c_latin1.txt", b"caf\xe9")
    _write(tmp_path / "d_empty.txt", b"")
    _write(tmp_path / "e_blank.md", b"  \n\t\r\n   \n")
    _write(tmp_path / "f_good.md", "# Good two\n\nAnother fine article.\n")
    _write(tmp_path / "image.png", b"\x89PNG\x00\x00")
    _write(tmp_path / "notes.json", "{}")

    with caplog.at_level(logging.WARNING, logger="index.articles"):
        corpus = load_corpus(tmp_path)

    assert [a.id for a in corpus.articles] == ["a_good", "f_good"]
    assert [a.title for a in corpus.articles] == ["Good one", "Good two"]
    reasons = {s.path: s.reason for s in corpus.skipped}
    assert sorted(reasons) == ["b_binary.txt", "c_latin1.txt", "d_empty.txt", "e_blank.md"]
    assert "binary" in reasons["b_binary.txt"]
    assert "UTF-8" in reasons["c_latin1.txt"]
    assert "byte 3" in reasons["c_latin1.txt"]
    assert "empty" in reasons["d_empty.txt"]
    assert "empty" in reasons["e_blank.md"]
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 4
    for name in reasons:
        assert any(name in message for message in warned), name


def test_file_larger_than_the_limit_is_skipped(tmp_path, monkeypatch):
    monkeypatch.setattr(index.articles, "MAX_ARTICLE_BYTES", 100)
    _write(tmp_path / "big.txt", "x" * 101)
    _write(tmp_path / "small.txt", "x" * 100)

    corpus = load_corpus(tmp_path)

    assert [a.id for a in corpus.articles] == ["small"]
    assert [s.path for s in corpus.skipped] == ["big.txt"]
    assert "101 bytes" in corpus.skipped[0].reason


def test_folder_without_readable_article_raises_corpus_error_naming_the_folder(tmp_path):
    folder = tmp_path / "only-junk"
    _write(folder / "blob.txt", b"\x00\x01\x02")
    _write(folder / "empty.md", b"")

    with pytest.raises(CorpusError) as raised:
        load_corpus(folder)

    message = str(raised.value)
    assert str(folder.resolve()) in message
    assert "blob.txt" in message
    assert "empty.md" in message


def test_folder_without_article_files_raises_corpus_error(tmp_path):
    folder = tmp_path / "no-articles"
    _write(folder / "readme.rst", "hello")

    with pytest.raises(
        CorpusError,
        match=r"no \.txt, \.md, \.markdown, \.html, \.htm, \.mhtml, \.mht, \.webarchive, \.pdf, "
        r"\.docx, \.odt or \.rtf files",
    ) as raised:
        load_corpus(folder)

    assert str(folder.resolve()) in str(raised.value)


def test_missing_folder_raises_corpus_error(tmp_path):
    missing = tmp_path / "does-not-exist"

    with pytest.raises(CorpusError, match="does not exist") as raised:
        load_corpus(missing)

    assert str(missing) in str(raised.value)


def test_file_instead_of_folder_raises_corpus_error(tmp_path):
    path = _write(tmp_path / "one.txt", "Title\n")

    with pytest.raises(CorpusError, match="is not a folder"):
        load_corpus(path)


# --- ids ----------------------------------------------------------------------------------------


def test_files_in_subfolders_get_ids_with_their_relative_path(tmp_path):
    _write(tmp_path / "top.txt", "Top\n")
    _write(tmp_path / "sub" / "name.txt", "Sub name\n")
    _write(tmp_path / "sub" / "deeper" / "leaf.md", "Leaf\n")
    _write(tmp_path / ".hidden" / "secret.txt", "Hidden folder\n")
    _write(tmp_path / "sub" / ".dotfile.txt", "Hidden file\n")

    corpus = load_corpus(tmp_path)

    assert [a.id for a in corpus.articles] == ["sub/deeper/leaf", "sub/name", "top"]
    assert [a.title for a in corpus.articles] == ["Leaf", "Sub name", "Top"]
    assert corpus.skipped == ()


def test_file_names_with_spaces_and_non_ascii_characters(tmp_path):
    _write(tmp_path / "my first article.txt", "Spaces in the name\n")
    _write(tmp_path / "Zürich 東京 news.md", "Unicode in the name\n")

    corpus = load_corpus(tmp_path)

    assert {a.id: a.title for a in corpus.articles} == {
        "my first article": "Spaces in the name",
        "Zürich 東京 news": "Unicode in the name",
    }


def test_same_stem_with_two_suffixes_gets_two_distinct_ids(tmp_path):
    _write(tmp_path / "dup.md", "Markdown version\n")
    _write(tmp_path / "dup.txt", "Text version\n")

    corpus = load_corpus(tmp_path)

    assert {a.id: a.title for a in corpus.articles} == {"dup": "Markdown version", "dup.txt": "Text version"}


def test_corpus_fingerprint_changes_with_content_but_not_with_skipped_files(tmp_path):
    path = _write(tmp_path / "a.txt", "Alpha\n")
    first = load_corpus(tmp_path).fingerprint
    assert load_corpus(tmp_path).fingerprint == first

    _write(tmp_path / "junk.txt", b"\x00binary")
    assert load_corpus(tmp_path).fingerprint == first

    path.write_text("Alpha!\n", "utf-8")
    assert load_corpus(tmp_path).fingerprint != first


# --- the built-in corpus ------------------------------------------------------------------------


# sha256 of the three articles as received: the built-in files are never edited.
AS_RECEIVED = {
    "000_8d8ddf5f4b5d1b8b": "f489211e5105adea97600d800eb335f50f86b327ebec8319de13fb595335e58d",
    "001_f43a90984e0dbea0": "8018bcc76558dd02b4225e7d1c68e51ec2dce522e8b9cd68bc73eb6f4819926c",
    "002_1e5c51e8448bc6d1": "f3e67be10608de85ba1b5e49f0cc13d448a72e6d381de3287b675ef894222bdf",
}


def test_builtin_corpus_texts_are_byte_identical_to_the_articles_as_received():
    corpus = load_corpus(BUILTIN_CORPUS)

    assert [a.id for a in corpus.articles] == BUILTIN_IDS == sorted(AS_RECEIVED)
    assert corpus.skipped == ()
    for article in corpus.articles:
        assert hashlib.sha256(article.text.encode("utf-8")).hexdigest() == AS_RECEIVED[article.id], article.id
        assert article.body_start == 0


def test_builtin_corpus_metadata_comes_from_the_meta_json_files():
    corpus = load_corpus(BUILTIN_CORPUS)

    for article in corpus.articles:
        meta = json.loads((BUILTIN_CORPUS / f"{article.id}.meta.json").read_text("utf-8"))
        assert article.title == meta["title"]
        assert article.source == meta["publisher"]
        assert article.date == meta["date"]
        assert article.author == (meta["author"] or "")
    assert [(a.title, a.source, a.date) for a in corpus.articles] == [
        ("Huawei to invest 35 million euros in Paris OpenLab", "Huawei", "16 May 2019"),
        (
            "Huawei’s cloud unit banks on booming AI demand with global footprint expansion in Europe and Middle East",
            "South China Morning Post (SCMP)",
            "2024",
        ),
        (
            "Part Two: Huawei Enlists Russian Talent and Technology to Ensure Future Innovation",
            "Council on Foreign Relations (CFR), Net Politics blog",
            "October 28, 2020",
        ),
    ]
