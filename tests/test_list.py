"""`qa list`: the indexed articles and the skipped files; and each skipped file is warned about once per sync."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

import qa.api
from qa.api import QA
from qa.cli import main
from qa.config import BUILTIN_CORPUS
from qa.wording import count
from tests.conftest import REPO, FakeEmbedder

FRONT_MATTER = (
    "---\ntitle: Tram vote passes\npublisher: Brest Courier\nauthor: Claire Hollis\ndate: 4 March 2025\n---\n"
    "The tram won 61% of the vote.\n"
)
SKIP_LINE = "skipped chart.txt: binary file (contains NUL bytes), not a text article"


@pytest.fixture
def fake_model(monkeypatch) -> FakeEmbedder:
    fake = FakeEmbedder()
    monkeypatch.setattr(qa.api, "_shared_embedder", lambda: fake)
    return fake


@pytest.fixture
def with_skipped(folder):
    """The two-article folder, one of them with front matter, and a file that is not an article."""
    (folder / "tram.md").write_text(FRONT_MATTER, "utf-8")
    (folder / "chart.txt").write_bytes(b"\x89PNG\x00\x00")
    return folder


def test_qa_list_prints_title_publisher_author_date_and_id_then_the_skipped_files(
    with_skipped, tmp_path, capsys, fake_model
):
    code = main(["list", str(with_skipped), "--index-dir", str(tmp_path / "index")])

    captured = capsys.readouterr()
    assert code == 0
    assert captured.out.splitlines() == [
        f"3 articles in {with_skipped}",
        "Acme opens a lab in Lyon",
        "    publisher unknown · date unknown · lyon",
        "Zed buys a bakery in Nantes",
        "    publisher unknown · date unknown · nantes",
        "Tram vote passes",
        "    Brest Courier · by Claire Hollis · 4 March 2025 · tram",
        SKIP_LINE,
    ]


def test_qa_list_reads_markdown_shows_dates_as_written_out_and_names_files_of_other_types(
    folder, tmp_path, capsys, fake_model
):
    (folder / "bridge.markdown").write_text(
        "---\ntitle: Harbour bridge approved\npublisher: Coastal Herald\ndate: 2025-03-14\n---\n"
        "The council approved a lifting bridge on Tuesday.\n",
        "utf-8",
    )
    (folder / "story.pages").write_bytes(b"PK\x03\x04 an Apple Pages document")
    (folder / "bridge.meta.json").write_text("{}", "utf-8")  # a sidecar is read with its article: not "other"

    assert main(["list", str(folder), "--index-dir", str(tmp_path / "index")]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert "Harbour bridge approved" in lines
    assert "    Coastal Herald · 14 March 2025 · bridge" in lines
    assert lines[-1] == (
        "not read (1 file of other types; articles are .txt, .md, .markdown, .html, .htm, .mhtml, .mht, .webarchive, "
        ".pdf, .docx, .odt or .rtf): story.pages"
    )


def test_qa_ask_notes_the_skipped_files_in_one_line(with_skipped, tmp_path, capsys, fake_model, caplog):
    index_dir = str(tmp_path / "index")
    for flag in ("--corpus", "--folder"):  # the first ask syncs, the second finds the index up to date
        code = main(["ask", flag, str(with_skipped), "--index-dir", index_dir, "Who opens a lab in Lyon?"])
        captured = capsys.readouterr()
        assert code == 0
        note = f"note: 1 file of the folder skipped; `qa list {with_skipped}` says why"
        assert captured.err.splitlines()[-1] == note and "chart.txt" not in captured.err
    assert "chart.txt" not in caplog.text  # nor in the log: one line says it


def test_qa_index_counts_one_in_the_singular_and_names_the_files_it_does_not_read(tmp_path, capsys, fake_model):
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "lab.txt").write_text("Acme opens a lab\n\nAcme opened a lab in Lyon on Monday.\n", "utf-8")
    (folder / "notes.pages").write_bytes(b"PK\x03\x04 notes")

    assert main(["index", str(folder), "--index-dir", str(tmp_path / "index")]) == 0

    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Built 1 article, 1 passage, 2 sentences (")
    assert out[-1].startswith("not read (1 file of other types; articles are .txt, ") and out[-1].endswith(
        ": notes.pages"
    )


def test_qa_list_lists_what_is_indexed_after_a_file_is_removed(with_skipped, tmp_path, capsys, fake_model):
    index_dir = str(tmp_path / "index")
    main(["list", str(with_skipped), "--index-dir", index_dir])
    (with_skipped / "nantes.txt").unlink()
    capsys.readouterr()

    assert main(["list", str(with_skipped), "--index-dir", index_dir]) == 0

    out = capsys.readouterr().out
    assert out.startswith(f"2 articles in {with_skipped}\n")
    assert "nantes" not in out and "Zed buys" not in out


def test_a_skipped_file_is_warned_about_once_per_sync_not_on_every_ask(with_skipped, index_dir, caplog):
    bot = QA(with_skipped, index_dir=index_dir, embedder=FakeEmbedder(), progress=False)
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            bot.ask("How much will Acme invest in its Lyon lab?")
        assert bot.skipped[0].path == "chart.txt"  # listing them warns about nothing
        warned_first = [r.getMessage() for r in caplog.records if "chart.txt" in r.getMessage()]
        bot.sync()
        bot.ask("How much will Acme invest in its Lyon lab?")

    warned = [r.getMessage() for r in caplog.records if "chart.txt" in r.getMessage()]
    assert warned_first == ["skipping chart.txt: binary file (contains NUL bytes), not a text article"]
    assert warned == warned_first * 2


def test_skipped_files_are_listed_after_a_reload_of_another_process_build(with_skipped, index_dir):
    bot = QA(with_skipped, index_dir=index_dir, embedder=FakeEmbedder(), progress=False)
    other = QA(with_skipped, index_dir=index_dir, embedder=FakeEmbedder(), progress=False)
    bot.index
    (with_skipped / "notes.md").write_bytes(b"")
    other.sync()

    bot.reload()

    assert bot.index.report is None
    assert [(s.path, s.reason) for s in bot.skipped] == [(s.path, s.reason) for s in other.skipped]
    assert [s.path for s in bot.skipped] == ["chart.txt", "notes.md"]


@pytest.mark.model
@pytest.mark.parametrize("command", ["index", "list"])
def test_qa_index_and_qa_list_print_each_skipped_file_once(with_skipped, tmp_path, command):
    """The real command in a process of its own, as a person runs it: stdout and stderr together."""
    run = subprocess.run(
        [sys.executable, "-m", "qa", command, str(with_skipped), "--index-dir", str(tmp_path / "index")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert run.returncode == 0, run.stderr
    assert (run.stdout + run.stderr).count("chart.txt") == 1
    assert SKIP_LINE in run.stdout.splitlines()


@pytest.mark.model
def test_output_whose_reader_stops_early_is_not_an_error(with_skipped, tmp_path):
    """``qa list DIR | head -1``: the pipe closes before all is written; the command ends quietly, with the status
    that tells a shell (``set -o pipefail``) the output was cut short."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before anything is written
    try:
        run = subprocess.run(
            [sys.executable, "-m", "qa", "list", str(with_skipped), "--index-dir", str(tmp_path / "index")],
            cwd=REPO,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
        )
    finally:
        os.close(write_end)

    assert run.returncode == 128 + 13, run.stderr  # as a process a closed pipe ends (SIGPIPE)
    assert "error" not in run.stderr.lower() and "Traceback" not in run.stderr


def test_counts_are_written_in_the_singular_only_for_one():
    assert [count(n, "article") for n in (0, 1, 2)] == ["0 articles", "1 article", "2 articles"]


def test_only_the_built_in_folder_is_taken_for_the_built_in_articles(tmp_path, fake_model):
    assert QA(embedder=fake_model).builtin
    assert QA(BUILTIN_CORPUS / ".." / "articles", embedder=fake_model).builtin  # the same folder, spelt otherwise
    assert not QA(tmp_path, embedder=fake_model).builtin
