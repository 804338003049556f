"""Bad files in a corpus folder: each is indexed, skipped with its reason, or ignored, and nothing else is lost.

Also: nothing outside the folder is ever read, whatever the links in it or the ids asked for.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path, PurePosixPath

import pytest

import index.articles
from index.articles import CorpusError, load_corpus
from qa.api import QA
from tests.conftest import extraction_workers
from tests.test_formats import PAGE, make_pdf, shared_stream_pdf

GOOD = "Good article\n\nAcme will invest 10 million euros in its Lyon lab.\n"
SECRET = "Outside secret\n\nThe password is hunter2.\n"


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


@pytest.fixture
def folder(tmp_path) -> Path:
    """A corpus folder holding one good article, and a secret file next to (outside) it."""
    corpus = tmp_path / "corpus"
    _write(corpus / "good.txt", GOOD)
    _write(tmp_path / "outside" / "secret.txt", SECRET)
    return corpus


def _outcome(folder: Path) -> tuple[list[str], dict[str, str]]:
    corpus = load_corpus(folder)
    return [a.id for a in corpus.articles], {s.path: s.reason for s in corpus.skipped}


# --- empty, binary, not UTF-8 -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["empty.txt", "empty.md", "empty.html", "empty.pdf"])
def test_empty_file_is_skipped(folder, name):
    _write(folder / name, b"")

    assert _outcome(folder) == (["good"], {name: "empty file"})


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("blank.txt", b" \n\t\r\n", "empty file"),
        ("blank.html", b"  \n ", "empty file"),
        ("scripts-only.html", b"<script>x()</script><nav>Home</nav>", "no readable article text in the page"),
        ("text-free.pdf", make_pdf([[]]), "no text in the PDF (a scan? text in images is not recognised)"),
    ],
)
def test_file_without_text_is_skipped(folder, name, data, reason):
    _write(folder / name, data)

    ids, skipped = _outcome(folder)

    assert ids == ["good"]
    assert skipped[name].startswith(reason)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (contains NUL bytes), not a text article"),
        ("photo.md", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "binary file (contains NUL bytes), not a text article"),
        ("photo.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (contains NUL bytes), not an HTML page"),
        ("photo.pdf", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a PDF file (no %PDF- header)"),
    ],
)
def test_binary_file_is_skipped(folder, name, data, reason):
    _write(folder / name, data)

    assert _outcome(folder) == (["good"], {name: reason})


def test_damaged_pdf_is_skipped_with_pypdf_reason(folder):
    _write(folder / "broken.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\ntrailer\n<<>>\n")

    ids, skipped = _outcome(folder)

    assert ids == ["good"]
    assert skipped["broken.pdf"].startswith("not a readable PDF (")
    assert skipped["broken.pdf"].endswith("save or print it again as PDF")  # what to do


def test_non_utf8_text_is_skipped_not_guessed(folder):
    # No cp1252/Latin-1 fallback: it decodes any bytes, so a file in another encoding would be quoted garbled.
    _write(folder / "latin1.txt", "Café opens\n".encode("latin-1"))
    _write(folder / "utf16.md", "Café opens\n".encode("utf-16"))
    _write(folder / "shift_jis.txt", "東京のニュース\n".encode("shift_jis"))

    ids, skipped = _outcome(folder)

    assert ids == ["good", "utf16"]  # UTF-16 with its byte-order mark is no guess
    assert skipped == {
        "latin1.txt": "not valid UTF-8 text (byte 3); save it as UTF-8",
        "shift_jis.txt": "not valid UTF-8 text (byte 0); save it as UTF-8",
    }


def test_utf16_and_utf8_byte_order_marks_are_not_in_the_title(folder):
    _write(folder / "utf16.txt", "Lorient port expands\n\nThe port will grow.\n".encode("utf-16"))
    _write(folder / "bom.txt", "\ufeffBrest port expands\n\nThe port will grow.\n".encode("utf-8"))
    _write(folder / "fence.md", "---\ntitle: never closed\n\n# Quimper port expands\n\nThe port will grow.\n")
    _write(folder / "broken-utf16.txt", "Vannes port\n".encode("utf-16")[:-1])

    corpus = load_corpus(folder)

    articles = {a.id: a for a in corpus.articles}
    assert {i: a.title for i, a in articles.items()} == {
        "bom": "Brest port expands",
        "fence": "title: never closed",
        "good": articles["good"].title,
        "utf16": "Lorient port expands",
    }
    assert articles["utf16"].text == "Lorient port expands\n\nThe port will grow.\n"
    assert {s.path: s.reason for s in corpus.skipped} == {
        "broken-utf16.txt": "not valid UTF-16 text (byte 24); save it as UTF-8"
    }


def test_html_is_decoded_by_its_declared_charset_and_else_must_be_utf8(folder):
    _write(folder / "declared.html", '<meta charset="iso-8859-1"><p>Café opens.</p>'.encode("latin-1"))
    _write(folder / "undeclared.html", "<p>Café opens today.</p>".encode("latin-1"))
    _write(folder / "unknown.html", '<meta charset="klingon-8"><p>Qapla.</p>')  # read as UTF-8, as browsers do
    _write(folder / "codec.html", '<meta charset="rot13"><p>Café shuts.</p>'.encode("latin-1"))
    _write(folder / "lying.html", '<meta charset="utf-8"><p>Café opens now.</p>'.encode("latin-1"))

    corpus = load_corpus(folder)

    assert {a.id: a.text for a in corpus.articles} == {
        "declared": "Café opens.\n",
        "good": GOOD,
        "unknown": "Qapla.\n",
    }
    assert {s.path: s.reason for s in corpus.skipped} == {
        "codec.html": "not valid utf-8 text (byte 28); the page declares 'rot13', which is no page encoding, "
        "so UTF-8 is expected",
        "lying.html": "not valid utf-8 text (byte 28); that is the encoding the page declares",
        "undeclared.html": "not valid utf-8 text (byte 6); the page declares no charset, so UTF-8 is expected; "
        "save it as UTF-8 or declare its charset",
    }


# --- too large ----------------------------------------------------------------------------------


def test_200_mb_file_is_skipped_without_being_read(folder):
    with (folder / "huge.txt").open("wb") as file:
        file.truncate(200 * 1024 * 1024)  # sparse: takes no disk space

    tracemalloc.start()
    try:
        ids, skipped = _outcome(folder)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert ids == ["good"]
    assert skipped == {"huge.txt": "file is 209,715,200 bytes; articles larger than 20,971,520 bytes are not indexed"}
    assert peak < 2 * 1024 * 1024


@pytest.mark.parametrize("name", ["big.html", "big.pdf"])
def test_size_limit_applies_to_every_format(folder, monkeypatch, name):
    monkeypatch.setattr(index.articles, "MAX_ARTICLE_BYTES", 100)
    _write(folder / name, b"x" * 101)

    ids, skipped = _outcome(folder)

    assert skipped == {name: "file is 101 bytes; articles larger than 100 bytes are not indexed"}


def test_file_that_grows_after_stat_is_read_no_further_than_the_limit(folder, monkeypatch):
    monkeypatch.setattr(index.articles, "MAX_ARTICLE_BYTES", 100)
    path = _write(folder / "growing.txt", b"x" * 50)
    real_stat = Path.stat
    monkeypatch.setattr(
        Path, "stat", lambda self, **kw: real_stat(self, **kw) if self != path else _grow(path, real_stat)
    )

    ids, skipped = _outcome(folder)

    assert ids == ["good"]
    assert skipped == {"growing.txt": "file is 1,050 bytes; articles larger than 100 bytes are not indexed"}


def _grow(path: Path, real_stat):
    info = real_stat(path)
    with path.open("ab") as file:
        file.write(b"y" * 1000)
    return info


# --- duplicates ---------------------------------------------------------------------------------


def test_duplicate_under_another_name_is_skipped_naming_the_one_indexed(folder):
    _write(folder / "b" / "copy of good.txt", GOOD)
    _write(folder / "a-copy.md", GOOD)

    ids, skipped = _outcome(folder)

    # Path order decides: "a-copy.md" comes before "b/..." and "good.txt".
    assert ids == ["a-copy"]
    assert skipped == {
        "b/copy of good.txt": "duplicate of a-copy.md (same text), which is indexed as 'a-copy'",
        "good.txt": "duplicate of a-copy.md (same text), which is indexed as 'a-copy'",
    }


def test_same_html_article_in_two_pages_with_different_furniture_is_one_article(folder):
    _write(folder / "news" / "lyon.html", PAGE)
    _write(folder / "news" / "lyon-amp.html", PAGE.replace("<nav>", "<nav>Other menu "))

    ids, skipped = _outcome(folder)

    assert ids == ["good", "news/lyon-amp"]
    assert skipped == {
        "news/lyon.html": "duplicate of news/lyon-amp.html (same text), which is indexed as 'news/lyon-amp'"
    }


# --- folders, names, hidden files and the index's own folder -------------------------------------


def test_files_in_subfolders_of_every_format_get_their_relative_path_as_id(folder):
    _write(folder / "2024" / "03" / "lyon.html", PAGE)
    _write(folder / "2024" / "report.pdf", make_pdf([["A report on depots."]]))

    ids, skipped = _outcome(folder)

    assert ids == ["2024/03/lyon", "2024/report", "good"]
    assert skipped == {}


def test_hidden_files_and_folders_are_ignored(folder):
    _write(folder / ".git" / "COMMIT_EDITMSG.txt", "Not an article\n")
    _write(folder / ".cache" / "page.html", "<p>Cached page.</p>")
    _write(folder / "sub" / ".notes.md", "Hidden notes\n")
    _write(folder / ".DS_Store", b"\x00\x00\x00\x01Bud1")

    assert _outcome(folder) == (["good"], {})


def test_index_folder_inside_the_corpus_folder_is_not_read(folder, fake_embedder):
    index_dir = folder / "index"
    bot = QA(folder, index_dir=index_dir, embedder=fake_embedder, progress=False)
    assert bot.index.how == "built"
    assert any(index_dir.iterdir())

    again = QA(folder, index_dir=index_dir, embedder=fake_embedder, progress=False)

    assert again.index.how == "loaded"  # the index's own files did not change the corpus
    assert list(again.index.articles) == ["good"]
    assert again.index.skipped == ()


def test_excluded_folder_is_not_read(folder):
    _write(folder / "index" / "notes.txt", "Would be an article\n")

    corpus = load_corpus(folder, exclude=[folder / "index"])

    assert [a.id for a in corpus.articles] == ["good"]


def test_names_with_spaces_and_non_ascii_characters_work_in_answers(tmp_path, fake_embedder):
    corpus = tmp_path / "corpus"
    _write(corpus / "Städte Ñews" / "lyon lab 東京.txt", GOOD)
    _write(corpus / "café report.html", "<p>Zed bought a bakery in Nantes for 2 million euros.</p>")
    bot = QA(corpus, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)

    answer = bot.ask("How much will Acme invest in its Lyon lab?")

    c = answer.citations[0]
    assert c.article_id == "Städte Ñews/lyon lab 東京"
    assert answer.text == "Acme will invest 10 million euros in its Lyon lab."
    assert bot.get_article(c.article_id).text[c.start : c.end] == c.quote
    assert bot.get_article("café report").text == "Zed bought a bakery in Nantes for 2 million euros.\n"


def test_fifo_is_skipped_without_blocking(folder):
    os.mkfifo(folder / "pipe.txt")

    assert _outcome(folder) == (["good"], {"pipe.txt": "not a regular file (a device, pipe or socket); not read"})


def test_unreadable_file_is_skipped_with_the_reason(folder, monkeypatch):
    _write(folder / "locked.txt", "Locked\n")
    real_open = Path.open

    def deny(self, *args, **kwargs):
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)

    assert _outcome(folder) == (["good"], {"locked.txt": "cannot be read: Permission denied"})


def test_an_unreadable_sidecar_skips_its_article_only(folder, monkeypatch):
    _write(folder / "tagged.txt", "Tagged\n\nA tagged article.\n")
    _write(folder / "tagged.meta.json", '{"title": "Tagged"}')
    real_read_bytes = Path.read_bytes

    def deny(self):
        if self.name == "tagged.meta.json":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", deny)

    assert _outcome(folder) == (
        ["good"],
        {"tagged.txt": "its metadata file tagged.meta.json cannot be read: Permission denied"},
    )


def test_every_kind_of_bad_file_at_once_loses_no_good_article(folder, caplog):
    _write(folder / "sub" / "ok.md", "---\ntitle: Ok\n---\nFine text.\n")
    _write(folder / "page.html", PAGE)
    _write(folder / "empty.txt", b"")
    _write(folder / "bin.txt", b"\x00\x01")
    _write(folder / "latin1.txt", b"caf\xe9")
    _write(folder / "z-dup.txt", GOOD)
    (folder / "secret.txt").symlink_to(folder.parent / "outside" / "secret.txt")

    with caplog.at_level(logging.WARNING, logger="index.articles"):
        ids, skipped = _outcome(folder)

    assert ids == ["good", "page", "sub/ok"]
    assert sorted(skipped) == ["bin.txt", "empty.txt", "latin1.txt", "secret.txt", "z-dup.txt"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sorted(warnings) == sorted(f"skipping {path}: {reason}" for path, reason in skipped.items())


def test_folder_of_only_bad_files_is_a_corpus_error_listing_them(tmp_path):
    _write(tmp_path / "c" / "empty.html", b"")
    _write(tmp_path / "c" / "bin.pdf", b"\x00")

    with pytest.raises(CorpusError) as raised:
        load_corpus(tmp_path / "c")

    message = str(raised.value)
    assert "bin.pdf (not a PDF file (no %PDF- header))" in message
    assert "empty.html (empty file)" in message


# --- links and security ---------------------------------------------------------------------------


def test_symlink_to_a_file_outside_the_folder_is_refused(folder):
    (folder / "leak.txt").symlink_to(folder.parent / "outside" / "secret.txt")

    corpus = load_corpus(folder)

    assert [a.id for a in corpus.articles] == ["good"]
    assert {s.path: s.reason for s in corpus.skipped} == {
        "leak.txt": "symbolic link to a file outside the corpus folder; not read"
    }
    assert all("hunter2" not in a.text for a in corpus.articles)


def test_relative_symlink_climbing_out_of_the_folder_is_refused(folder):
    (folder / "sub").mkdir()
    (folder / "sub" / "up.md").symlink_to(Path("..") / ".." / "outside" / "secret.txt")

    assert _outcome(folder) == (["good"], {"sub/up.md": "symbolic link to a file outside the corpus folder; not read"})


def test_symlink_to_a_file_inside_the_folder_is_a_duplicate_of_it(folder):
    # The link sorts first ("a-link" < "good"), but a regular file wins over a link to it.
    (folder / "a-link.txt").symlink_to(folder / "good.txt")

    assert _outcome(folder) == (
        ["good"],
        {"a-link.txt": "duplicate of good.txt (same text), which is indexed as 'good'"},
    )


def test_symlink_to_an_inside_file_of_another_kind_is_read_as_an_article(folder):
    _write(folder / "data" / "story.dat", "Story kept as .dat\n\nIt is read through the link.\n")
    (folder / "story.txt").symlink_to(Path("data") / "story.dat")

    corpus = load_corpus(folder)

    assert [a.id for a in corpus.articles] == ["good", "story"]
    assert corpus.articles[1].title == "Story kept as .dat"


def test_symlinked_folders_are_not_followed(folder):
    (folder / "elsewhere").symlink_to(folder.parent / "outside", target_is_directory=True)
    _write(folder / "real" / "inner.txt", "Inner\n")
    (folder / "loop").symlink_to(folder, target_is_directory=True)

    corpus = load_corpus(folder)

    assert [a.id for a in corpus.articles] == ["good", "real/inner"]
    assert {s.path: s.reason for s in corpus.skipped} == {
        "elsewhere": "symbolic link to a folder; links to folders are not followed",
        "loop": "symbolic link to a folder; links to folders are not followed",
    }


def test_broken_and_looping_symlinks_are_skipped(folder):
    (folder / "broken.txt").symlink_to(folder / "missing.txt")
    (folder / "loop1.txt").symlink_to(folder / "loop2.txt")
    (folder / "loop2.txt").symlink_to(folder / "loop1.txt")

    ids, skipped = _outcome(folder)

    assert ids == ["good"]
    assert skipped["broken.txt"] == "broken symbolic link (what it points to does not exist)"
    assert skipped["loop1.txt"].startswith("cannot be resolved: ")
    assert skipped["loop2.txt"].startswith("cannot be resolved: ")


def test_sidecar_linking_outside_the_folder_is_refused(folder):
    (folder / "good.meta.json").symlink_to(folder.parent / "outside" / "secret.txt")
    _write(folder / "other.txt", "Other\n")

    ids, skipped = _outcome(folder)

    assert ids == ["other"]
    assert skipped == {"good.txt": "its metadata file good.meta.json is a link to a file outside the corpus folder"}


def test_corpus_folder_given_through_a_symlink_reads_its_files(tmp_path, folder):
    link = tmp_path / "corpus-link"
    link.symlink_to(folder, target_is_directory=True)

    corpus = load_corpus(link)

    assert corpus.folder == folder.resolve()
    assert [a.id for a in corpus.articles] == ["good"]


def test_ids_are_relative_paths_without_dot_dot_or_a_root(folder):
    _write(folder / "a..b.txt", "Dots inside a name\n")
    _write(folder / "x" / "..y.md", "Hidden: starts with a dot\n")
    _write(folder / "-rf .txt", "Dash name\n")

    ids, _ = _outcome(folder)

    assert ids == ["-rf ", "a..b", "good"]
    for article_id in ids:
        path = PurePosixPath(article_id)
        assert not path.is_absolute() and ".." not in path.parts


@pytest.mark.parametrize(
    "article_id",
    ["../outside/secret", "../outside/secret.txt", "/etc/passwd", "good/../../outside/secret", "./good", "good.txt"],
)
def test_ids_that_are_paths_never_read_a_file(folder, tmp_path, fake_embedder, monkeypatch, article_id):
    bot = QA(folder, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)
    bot.index
    opened = []
    real_open = Path.open
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: opened.append(self) or real_open(self, *a, **k))
    monkeypatch.setattr(Path, "read_bytes", lambda self: opened.append(self) or b"")

    with pytest.raises(KeyError):
        bot.get_article(article_id)

    assert opened == []


# --- one bad file never stops the folder: any failure, any name, bounded work ------------------------


def _assert_good_answers(folder: Path, tmp_path: Path, fake_embedder) -> QA:
    """The good article beside the bad files is indexed and answerable."""
    bot = QA(folder, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)
    answer = bot.ask("How much will Acme invest in its Lyon lab?")
    assert "good" in bot.index.articles
    cited = answer.citations[0]
    assert "10 million euros" in cited.quote  # from good.txt, or from a page telling the same story
    assert bot.get_article(cited.article_id).text[cited.start : cited.end] == cited.quote
    return bot


@pytest.mark.parametrize(
    "charset", ["rot13", "hex", "base64", "zlib", "undefined", "punycode", "utf-16", "utf-7", "cp500", "unicode_escape"]
)
def test_a_page_declaring_a_codec_that_is_no_text_encoding_is_read_as_utf8(folder, tmp_path, fake_embedder, charset):
    _write(folder / "odd.html", PAGE.replace('<meta charset="utf-8">', f'<meta charset="{charset}">'))

    ids, skipped = _outcome(folder)

    assert ids == ["good", "odd"]  # the label is ignored, as browsers do, and the page read as UTF-8
    assert "Acme will invest 10 million euros" in load_corpus(folder).articles[1].text  # not garbled
    _assert_good_answers(folder, tmp_path, fake_embedder)


def test_a_name_whose_metadata_file_name_would_be_too_long_is_read_without_one(folder):
    name = "a" * (255 - len(".txt")) + ".txt"  # the longest name a file may have; "<stem>.meta.json" may not
    _write(folder / name, "Long name\n\nAcme will open a lab in Brest.\n")

    ids, skipped = _outcome(folder)

    assert sorted(ids) == sorted(["good", name.removesuffix(".txt")])
    assert skipped == {}


def test_a_name_that_is_not_utf8_gets_an_id_that_is(folder, tmp_path, fake_embedder):
    raw = os.fsencode(folder) + b"/caf\xe9.txt"
    with open(raw, "wb") as file:
        file.write(b"Latin name\n\nAcme will open a lab in Brest with 12 engineers.\n")

    ids, skipped = _outcome(folder)

    assert sorted(ids) == ["caf\\xe9", "good"]
    assert skipped == {}
    bot = _assert_good_answers(folder, tmp_path, fake_embedder)
    assert bot.get_article("caf\\xe9").text.startswith("Latin name")


def test_metadata_nested_too_deeply_skips_its_article_only(folder, tmp_path, fake_embedder):
    _write(folder / "deep.txt", "Deep\n\nSome text.\n")
    _write(folder / "deep.meta.json", "[" * 100_000)

    ids, skipped = _outcome(folder)

    assert ids == ["good"]
    assert skipped == {"deep.txt": "its metadata file deep.meta.json is nested too deeply to be metadata"}
    _assert_good_answers(folder, tmp_path, fake_embedder)


@pytest.mark.parametrize("depth", [1_500, 100_000])
def test_deeply_nested_html_is_read_or_skipped_never_fails_the_sync(folder, tmp_path, fake_embedder, depth):
    body = "<div>" * depth + "<p>Acme will open a lab in Brest with 12 engineers.</p>" + "</div>" * depth
    _write(folder / "nested.html", f"<html><head><title>Nested</title></head><body>{body}</body></html>")

    ids, skipped = _outcome(folder)

    assert "good" in ids
    assert ("nested" in ids) != ("nested.html" in skipped)
    _assert_good_answers(folder, tmp_path, fake_embedder)


def test_a_metadata_file_removed_after_the_listing_leaves_its_article_read_without_it(folder, monkeypatch):
    _write(folder / "tagged.txt", "Tagged\n\nAcme will open a lab in Brest.\n")
    sidecar = _write(folder / "tagged.meta.json", '{"title": "Tagged story"}')
    real_is_file = Path.is_file

    def vanishing(self: Path) -> bool:
        found = real_is_file(self)
        if self == sidecar and found:
            self.unlink()  # gone between the check and the read
        return found

    monkeypatch.setattr(Path, "is_file", vanishing)

    ids, skipped = _outcome(folder)

    assert ids == ["good", "tagged"]
    assert skipped == {}


def test_any_unexpected_failure_reading_one_file_is_a_skip_naming_it(folder, tmp_path, fake_embedder, monkeypatch):
    _write(folder / "bad.txt", "Bad\n\nThis one fails.\n")
    real = index.articles._decode_text

    def failing(data: bytes) -> str:
        if b"fails" in data:
            raise RuntimeError("a library bug")
        return real(data)

    monkeypatch.setattr(index.articles, "_decode_text", failing)

    ids, skipped = _outcome(folder)

    assert ids == ["good"]
    assert skipped == {"bad.txt": "could not be read (RuntimeError: a library bug); not indexed"}


def test_a_file_whose_extraction_takes_longer_than_the_budget_is_skipped(folder, monkeypatch):
    import index.isolation

    monkeypatch.setattr(index.isolation, "DEFAULT_BUDGET", 0.5)  # counted from when the worker is ready
    rows = "".join(f"<tr><td>cell {n}</td><td>{n}</td></tr>" for n in range(100_000))
    _write(folder / "a-slow.html", f"<html><body><article><p>Story.</p><table>{rows}</table></article></body></html>")
    _write(folder / "page.html", PAGE)  # after the slow one: read by a fresh worker

    ids, skipped = _outcome(folder)

    assert ids == ["good", "page"]
    assert skipped == {
        "a-slow.html": "reading it took longer than 0.5 s (a damaged or pathological file?); not indexed"
    }


def test_the_worker_that_extracts_pages_recovers_after_a_file_that_timed_out():
    from index.isolation import IsolatedExtractor

    slow = ("<html><body>" + "<p>word</p>" * 300_000 + "</body></html>").encode()
    with IsolatedExtractor(budget=30) as extractor:
        assert "Acme will invest" in extractor.extract(".html", PAGE.encode())[0]  # a page takes well under 0.5 s
        extractor.budget = 0.5
        with pytest.raises(index.articles.ArticleFileError, match="took longer than 0.5 s"):
            extractor.extract(".html", slow)
        assert extractor._process is None  # the worker was killed and reaped
        text, meta, _ = extractor.extract(".html", PAGE.encode())
    assert "Acme will invest 10 million euros" in text
    assert meta["title"] == "Acme opens a lab in Lyon"


def test_pages_are_read_whatever_modules_lie_in_the_current_directory(folder, tmp_path):
    _write(folder / "page.html", PAGE)
    elsewhere = tmp_path / "cwd"
    for name in ("index.py", "lxml.py", "trafilatura.py"):  # a user's own modules, where the command runs
        _write(elsewhere / name, "raise SystemExit('not ours')\n")
    code = (
        "import sys\nfrom index.articles import load_corpus\n"
        "print(sorted(a.id for a in load_corpus(sys.argv[1]).articles))\n"
    )
    script = _write(tmp_path / "script.py", code)
    env = {**os.environ, "PYTHONPATH": str(Path(index.articles.__file__).resolve().parents[1])}

    done = subprocess.run(
        [sys.executable, str(script), str(folder)], cwd=elsewhere, capture_output=True, text=True, env=env, timeout=120
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout == "['good', 'page']\n"


def test_the_worker_exits_when_the_process_that_started_it_is_killed(folder, tmp_path):
    _write(folder / "shared.pdf", shared_stream_pdf(pages=400, operators=100_000))  # minutes to read
    code = f"from index.articles import load_corpus\nprint('started', flush=True)\nload_corpus({str(folder)!r})\n"
    script = _write(tmp_path / "script.py", code)
    env = {**os.environ, "PYTHONPATH": str(Path(index.articles.__file__).resolve().parents[1])}
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, env=env)
    assert parent.stdout.readline() == b"started\n"

    def workers() -> list[int]:
        return extraction_workers(parent.pid)

    deadline = time.monotonic() + 30
    while not workers() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert workers(), "the worker never started"
    time.sleep(1)  # it is reading the PDF now
    parent.kill()
    parent.wait()

    deadline = time.monotonic() + 10
    while workers() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert workers() == []


def test_a_text_too_long_to_index_is_skipped_with_its_length(folder):
    _write(folder / "huge.txt", "word " * 500_000)  # 2.5 million characters on one line

    ids, skipped = _outcome(folder)

    assert ids == ["good"]
    assert skipped["huge.txt"].startswith("its text is 2,500,000 characters; articles longer than 2,000,000")


def test_a_text_of_too_many_sentences_is_skipped(folder):
    _write(folder / "tiny.txt", "Go. " * 30_000)

    ids, skipped = _outcome(folder)

    assert ids == ["good"]
    assert re.fullmatch(
        r"its text has about 29,\d\d\d sentences; articles with more than 20,000 are not indexed \(.*\)",
        skipped["tiny.txt"],
    )


def test_a_list_of_too_many_lines_is_skipped_as_too_many_sentences(folder):
    _write(folder / "results.txt", "".join(f"Runner {i} club {i % 40}\n" for i in range(25_000)))  # no full stop

    ids, skipped = _outcome(folder)

    assert ids == ["good"]
    assert skipped["results.txt"].startswith("its text has about 25,000 sentences; articles with more than 20,000")


def test_utf32_text_is_refused_not_read_as_utf16(folder):
    _write(folder / "wide.txt", "Lorient port expands\n\nThe port will grow.\n".encode("utf-32"))
    _write(folder / "wide.html", "<p>Lorient port expands.</p>".encode("utf-32"))

    ids, skipped = _outcome(folder)

    assert ids == ["good"]
    assert skipped == {
        "wide.html": "binary file (contains NUL bytes), not an HTML page",
        "wide.txt": "UTF-32 text, not UTF-8; save it as UTF-8",
    }


def test_many_unclosed_wire_bylines_are_read_in_linear_time(folder):
    text = "Wire story\n\n" + "(Reporting by Jane Doe in London and " * 25_000
    _write(folder / "wire.txt", text)  # about a megabyte; an unbounded pattern backtracked quadratically here

    ids, _ = _outcome(folder)

    assert ids == ["good", "wire"]


def test_a_hard_link_to_a_file_outside_the_folder_is_refused(folder):
    os.link(folder.parent / "outside" / "secret.txt", folder / "linked.txt")

    ids, skipped = _outcome(folder)

    assert ids == ["good"]
    assert skipped == {"linked.txt": "its data also has a name outside the corpus folder (a hard link); not read"}


def test_a_link_to_a_file_hard_linked_outside_the_folder_is_refused_too(folder):
    os.link(folder.parent / "outside" / "secret.txt", folder / "linked.txt")
    (folder / "z-alias.txt").symlink_to("linked.txt")
    (folder / "z-alias.md").symlink_to(folder / "linked.txt")

    ids, skipped = _outcome(folder)

    assert ids == ["good"]
    assert set(skipped) == {"linked.txt", "z-alias.txt", "z-alias.md"}
    assert all("a name outside the corpus folder" in reason for reason in skipped.values())


def test_a_file_whose_other_names_are_all_inside_the_folder_is_read(folder):
    _write(folder / "story.txt", "Story\n\nAcme will open a lab in Brest.\n")
    (folder / ".snapshots").mkdir()
    os.link(folder / "story.txt", folder / ".snapshots" / "story.txt")  # hidden, but inside
    os.link(folder / "story.txt", folder / "story.txt.bak")  # not an article name, but inside

    ids, skipped = _outcome(folder)

    assert ids == ["good", "story"]
    assert skipped == {}


def test_hard_links_within_the_folder_are_duplicates_not_refusals(folder):
    os.link(folder / "good.txt", folder / "same.txt")

    ids, skipped = _outcome(folder)

    assert ids == ["good"]
    assert skipped["same.txt"].startswith("duplicate of good.txt")


def test_a_script_without_a_main_guard_reads_pages_once(folder, tmp_path):
    _write(folder / "page.html", PAGE)
    script = _write(
        tmp_path / "script.py", "from index.articles import load_corpus\nprint(len(load_corpus(FOLDER).articles))\n"
    )
    script.write_text(script.read_text().replace("FOLDER", repr(str(folder))))
    env = {**os.environ, "PYTHONPATH": str(Path(index.articles.__file__).resolve().parents[1])}

    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120)

    assert done.returncode == 0, done.stderr
    assert done.stdout == "2\n"  # the page was extracted in the worker, and the script ran once


def test_a_pdf_whose_pages_share_one_huge_stream_is_skipped_at_the_budget_not_waited_on(folder, monkeypatch):
    import index.isolation

    monkeypatch.setattr(index.isolation, "DEFAULT_BUDGET", 1.0)
    _write(folder / "shared.pdf", shared_stream_pdf(pages=50, operators=100_000))  # a few kilobytes
    _write(folder / "page.html", PAGE)  # read by a fresh worker after the slow one is killed

    ids, skipped = _outcome(folder)

    assert ids == ["good", "page"]
    assert skipped == {"shared.pdf": "reading it took longer than 1 s (a damaged or pathological file?); not indexed"}


@pytest.mark.parametrize(
    ("first_line", "title"),
    [
        ("# Acme opens a lab #", "Acme opens a lab"),
        ("Issue #5", "Issue #5"),
        ("a" + " " * 200_000 + "b", "a" + " " * 299),
    ],
)
def test_the_title_is_the_first_line_without_heading_marks_and_found_in_linear_time(folder, first_line, title):
    _write(folder / "titled.md", f"{first_line}\n\nAcme will open a lab in Brest.\n")  # the spaces took minutes

    corpus = load_corpus(folder)

    assert {a.id: a.title for a in corpus.articles}["titled"] == title


def test_metadata_values_that_are_not_text_skip_their_article_only(folder):
    _write(folder / "odd.txt", "Odd\n\nSome text.\n")
    _write(folder / "odd.meta.json", '{"author": {"a": 1}, "date": ["x"]}')
    _write(folder / "two.txt", "Two\n\nSome text.\n")
    _write(folder / "two.meta.json", '{"author": ["Ann Lee", "Bo Chan"], "date": 2024}')
    _write(folder / "flag.txt", "Flag\n\nSome text.\n")
    _write(folder / "flag.meta.json", '{"author": true}')

    corpus = load_corpus(folder)

    assert {a.id: (a.author, a.date) for a in corpus.articles if a.id != "good"} == {
        "two": ("Ann Lee, Bo Chan", "2024")
    }
    assert {s.path: s.reason for s in corpus.skipped} == {
        "flag.txt": "its metadata file flag.meta.json: 'author' must be text, or a list of texts",
        "odd.txt": "its metadata file odd.meta.json: 'author' must be text, or a list of texts",
    }
