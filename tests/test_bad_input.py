"""Bad questions, bad ids and bad command lines: clear errors, never a traceback or a crash."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import qa.api
from index.articles import CorpusError
from qa.answer import Answer
from qa.api import QA
from qa.cli import main
from qa.questions import MAX_QUESTION_CHARS, as_question, clean_question
from tests.conftest import LYON, NANTES, FakeEmbedder

CHINESE = "华为在巴黎投资多少？"
SPANISH = "¿Cuánto invertirá Huawei en su laboratorio de París?"


@pytest.fixture
def bot(folder, tmp_path, fake_embedder) -> QA:
    return QA(folder, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)


@pytest.fixture
def fake_model(monkeypatch) -> FakeEmbedder:
    """Make the CLI (which always uses the shared model) use the fake embedder."""
    fake = FakeEmbedder()
    monkeypatch.setattr(qa.api, "_shared_embedder", lambda: fake)
    return fake


def _check_answer(answer: Answer, bot: QA) -> None:
    assert isinstance(answer, Answer)
    assert 0.0 <= answer.confidence <= 1.0
    for c in answer.citations:
        assert bot.get_article(c.article_id).text[c.start : c.end] == c.quote
    if answer.no_answer:
        assert answer.text == ""
    else:
        assert answer.text == answer.citations[0].quote


# --- clean_question -----------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["", " ", "   \n\t  ", "\x00\x07\x1b", "\u200b\ufeff", "\u2028 \u3000"])
def test_empty_or_blank_question_is_a_value_error(question):
    with pytest.raises(ValueError, match="empty"):
        clean_question(question)


@pytest.mark.parametrize("question", [None, 42, 4.2, b"bytes", ["list"], {"q": "x"}])
def test_non_string_question_is_a_type_error(question):
    with pytest.raises(TypeError, match="must be a string, not"):
        clean_question(question)


def test_hundred_thousand_character_question_is_a_value_error_naming_the_limit():
    with pytest.raises(ValueError) as raised:
        clean_question("x" * 100_000)

    message = str(raised.value)
    assert "100,000 characters" in message
    assert f"at most {MAX_QUESTION_CHARS:,}" in message
    assert MAX_QUESTION_CHARS == 1000


def test_question_just_over_the_limit_is_rejected_and_at_the_limit_accepted():
    assert clean_question("x" * MAX_QUESTION_CHARS) == "x" * MAX_QUESTION_CHARS
    with pytest.raises(ValueError, match="1,001 characters"):
        clean_question("x" * (MAX_QUESTION_CHARS + 1))


def test_long_padding_around_a_short_question_is_not_counted():
    assert clean_question(" " * 5000 + "Who is Ken Hu?" + "\n" * 4000) == "Who is Ken Hu?"


def test_control_characters_are_cleaned():
    assert clean_question("Who\x00 is\x07 Ken Hu?") == "Who is Ken Hu?"
    assert clean_question("  Who\u200bis\x1b[31m Ken\r\nHu?\x7f ") == "Who is [31m Ken Hu?"


def test_lone_surrogates_from_a_terminal_that_is_not_utf8_are_cleaned():
    # Python reads argv bytes that are not UTF-8 as lone surrogates, which no tokenizer can encode.
    assert clean_question("Who is Ken\udce9 Hu?") == "Who is Ken Hu?"
    assert clean_question("Who leads Huawei\ud800?") == "Who leads Huawei ?"


def test_printable_shows_bidirectional_overrides_instead_of_obeying_them():
    from qa.cli import printable

    assert printable("Invoice\u202egnp.exe and \u2066x\u2069") == "Invoice\\u202egnp.exe and \\u2066x\\u2069"


def test_question_is_nfc_normalised():
    assert clean_question("Cafe\u0301 in Paris?") == "Caf\u00e9 in Paris?"


def test_other_languages_are_kept_as_they_are():
    assert clean_question(CHINESE) == CHINESE
    assert clean_question(SPANISH) == SPANISH


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("Who runs the lab", "Who runs the lab?"),
        ("who runs the lab.", "who runs the lab?"),
        ("Who runs the lab!", "Who runs the lab?"),
        ("Who runs the lab?", "Who runs the lab?"),
        ('Who designed the "50?"', 'Who designed the "50?"'),
        ("¿Quién dirige el laboratorio?", "¿Quién dirige el laboratorio?"),
        ("Thanks! And who announced it", "And who announced it?"),
        ("OK, and in Russia?", "and in Russia?"),
        ("Great. Who made the announcement?", "Who made the announcement?"),
        ("Hey there, can you tell me who runs the lab, please.", "who runs the lab?"),
        ("Please tell me: And in Russia?", "And in Russia?"),
        ("Do you know when it opened? Thanks!", "when it opened?"),
        ("Thanks a lot! And who announced it?", "And who announced it?"),
        ("Hey :) who announced it", "who announced it?"),
        ("And who announced it please", "And who announced it?"),
        ("And who announced it? Thanks a lot!", "And who announced it?"),
        ("Who runs the lab？", "Who runs the lab？"),
        # Words that are pleasantries only sometimes are left.
        ("Who did they please?", "Who did they please?"),
        ("Nice attack?", "Nice attack?"),
        ("Nice, France: what happened there?", "Nice, France: what happened there?"),
        ("Tell me about the lab", "Tell me about the lab?"),
        ("Do you know Ken Hu?", "Do you know Ken Hu?"),
        ("OK Group's CEO is who?", "OK Group's CEO is who?"),
        ("Hello Kitty's maker is who?", "Hello Kitty's maker is who?"),
        ("Hi-Tech Park in Lagos: who built it?", "Hi-Tech Park in Lagos: who built it?"),
        ("Right-wing parties won how many seats?", "Right-wing parties won how many seats?"),
        ("Thanks to whom did the lab open?", "Thanks to whom did the lab open?"),
        ("Who sang Thank You", "Who sang Thank You?"),
        ("OK so who is the CEO", "so who is the CEO?"),  # "so" marks a follow-up: it stays
        # Nothing but pleasantries or punctuation: as typed.
        ("Thanks!", "Thanks!"),
        ("...", "..."),
    ],
)
def test_the_models_read_a_question_without_pleasantries_ending_in_a_question_mark(typed, read):
    assert as_question(typed) == read


# --- QA.ask -------------------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_ask_empty_question_is_a_value_error(bot, question):
    with pytest.raises(ValueError, match="empty"):
        bot.ask(question)


@pytest.mark.parametrize("question", [None, 42, b"bytes", ["list"]])
def test_ask_non_string_question_is_a_type_error(bot, question):
    with pytest.raises(TypeError):
        bot.ask(question)


def test_ask_rejects_bad_questions_before_opening_the_index(folder, tmp_path, fake_embedder):
    bot = QA(folder, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)

    with pytest.raises(ValueError, match="1,000"):
        bot.ask("x" * 100_000)

    assert fake_embedder.encoded == 0
    assert not (tmp_path / "index").exists()


def test_ask_with_control_characters_answers(bot):
    answer = bot.ask("How much will Acme\x00 invest\x07 in Lyon?")

    assert answer.question == "How much will Acme invest in Lyon?"
    _check_answer(answer, bot)
    assert answer.text == "Acme will invest 10 million euros in its Lyon lab over five years."


@pytest.mark.parametrize("question", [CHINESE, SPANISH, "Кто генеральный директор?", "😀😀😀?"])
def test_ask_in_another_language_returns_a_valid_answer(bot, question):
    answer = bot.ask(question)

    assert answer.question == question
    _check_answer(answer, bot)


def test_ask_on_missing_folder_is_a_corpus_error(tmp_path, fake_embedder):
    bot = QA(tmp_path / "missing", index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)

    with pytest.raises(CorpusError, match="does not exist"):
        bot.ask("Who?")


# --- get_article --------------------------------------------------------------------------------


def test_get_article_returns_the_exact_text(bot):
    article = bot.get_article("lyon")

    assert article.text == LYON
    assert article.title == "Acme opens a lab in Lyon"


@pytest.mark.parametrize("article_id", ["unknown", "", "lyon.txt", "LYON", "../../etc/passwd", "/etc/passwd"])
def test_get_article_with_unknown_id_is_a_key_error(bot, article_id):
    with pytest.raises(KeyError) as raised:
        bot.get_article(article_id)

    message = raised.value.args[0]
    assert repr(article_id) in message
    assert "lyon, nantes" in message
    assert "root:" not in message


@pytest.mark.parametrize("article_id", [None, 3, b"lyon", ["lyon"]])
def test_get_article_with_non_string_id_is_a_type_error(bot, article_id):
    with pytest.raises(TypeError, match="article_id must be a string"):
        bot.get_article(article_id)


def test_get_article_with_a_path_reads_no_file(bot, monkeypatch):
    bot.index  # open the index first: what follows must not touch the disk
    opened = []
    monkeypatch.setattr(Path, "read_bytes", lambda self: opened.append(self) or b"")
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: opened.append(self) or "")

    with pytest.raises(KeyError):
        bot.get_article("../../etc/passwd")

    assert opened == []


# --- the real model -----------------------------------------------------------------------------


@pytest.mark.model
def test_real_model_handles_bad_and_foreign_questions(real_qa):
    with pytest.raises(ValueError, match="empty"):
        real_qa.ask(" \x00 ")
    with pytest.raises(TypeError):
        real_qa.ask(None)

    cleaned = real_qa.ask("Who\x00 is\x07 Ken Hu?")
    _check_answer(cleaned, real_qa)
    assert cleaned.question == "Who is Ken Hu?"

    chinese = real_qa.ask(CHINESE)
    _check_answer(chinese, real_qa)
    assert chinese.no_answer is True

    spanish = real_qa.ask(SPANISH)
    _check_answer(spanish, real_qa)

    with pytest.raises(KeyError):
        real_qa.get_article("../../etc/passwd")


# --- the command line ---------------------------------------------------------------------------


def test_cli_empty_question_exits_2_with_a_one_line_error(capsys):
    code = main(["ask", ""])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.startswith("qa: error:")
    assert "empty" in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_cli_huge_question_exits_2(capsys):
    code = main(["ask", "x" * 100_000])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.startswith("qa: error: question is 100,000 characters long")
    assert "Traceback" not in captured.err


def test_cli_missing_corpus_exits_2_naming_the_folder(tmp_path, capsys):
    missing = tmp_path / "missing"

    code = main(["ask", "--corpus", str(missing), "hi"])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.startswith("qa: error:")
    assert str(missing) in captured.err
    assert "Traceback" not in captured.err


def test_cli_index_of_missing_folder_exits_2(tmp_path, capsys):
    missing = tmp_path / "missing"

    code = main(["index", str(missing), "--index-dir", str(tmp_path / "index")])

    captured = capsys.readouterr()
    assert code == 2
    assert str(missing) in captured.err
    assert not (tmp_path / "index").exists()


def test_cli_index_in_the_articles_folder_itself_or_in_a_file_is_refused(folder, tmp_path, capsys, fake_model):
    before = sorted(p.name for p in folder.iterdir())
    assert main(["index", str(folder), "--index-dir", str(folder)]) == 2
    assert capsys.readouterr().err == (
        f"qa: error: the index folder {str(folder)!r} is the articles folder itself; give the index a folder of "
        "its own (--index-dir), a subfolder of the articles folder if you like\n"
    )
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing written there

    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine\n", "utf-8")
    assert main(["ask", "--corpus", str(folder), "--index-dir", str(a_file), "Who?"]) == 2
    assert capsys.readouterr().err == (
        f"qa: error: the index folder {str(a_file)!r} is a file; give the index a folder (--index-dir)\n"
    )
    assert a_file.read_text("utf-8") == "mine\n"


def test_cli_index_folder_it_may_not_write_to_is_one_line_saying_what_to_do(folder, tmp_path, capsys, monkeypatch):
    import index.store

    def read_only(index_dir, **_):
        raise PermissionError(13, "Permission denied", str(index_dir / ".lock"))

    monkeypatch.setattr(index.store, "build_lock", read_only)
    index_dir = tmp_path / "index"
    assert main(["index", str(folder), "--index-dir", str(index_dir)]) == 1
    assert capsys.readouterr().err == (
        f"qa: error: permission denied: {str(index_dir / '.lock')!r}; if that is in the index folder, choose one "
        "you can write to (--index-dir DIR, or QA_INDEX_HOME)\n"
    )


def test_cli_unknown_command_exits_2(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["frobnicate"])

    assert raised.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_cli_index_builds_then_is_up_to_date(folder, tmp_path, capsys, fake_model):
    index_dir = tmp_path / "index"

    assert main(["index", str(folder), "--index-dir", str(index_dir)]) == 0
    first = capsys.readouterr().out
    assert main(["index", str(folder), "--index-dir", str(index_dir)]) == 0
    second = capsys.readouterr().out

    assert first == (
        "Built 2 articles, 3 passages, 8 sentences (fake-bag-of-words)\n"
        "articles: 2 added, 0 updated, 0 removed, 0 unchanged\n"
    )
    assert second == (
        "Index is up to date: 2 articles, 3 passages, 8 sentences (fake-bag-of-words)\n"
        "articles: 0 added, 0 updated, 0 removed, 2 unchanged\n"
    )
    assert fake_model.encoded == 3 + 8  # each passage and sentence embedded once
    assert (index_dir / "CURRENT").is_file()


def test_cli_index_rebuild_flag_rebuilds(folder, tmp_path, capsys, fake_model):
    index_dir = tmp_path / "index"
    main(["index", str(folder), "--index-dir", str(index_dir)])

    assert main(["index", str(folder), "--index-dir", str(index_dir), "--rebuild"]) == 0

    assert capsys.readouterr().out.splitlines()[-2:] == [
        "Built 2 articles, 3 passages, 8 sentences (fake-bag-of-words)",
        "articles: 0 added, 0 updated, 0 removed, 2 unchanged (all embedded afresh)",
    ]
    assert fake_model.encoded == 2 * (3 + 8)  # all of them again


def test_cli_index_reports_skipped_files_and_succeeds(folder, tmp_path, capsys, fake_model):
    (folder / "photo.txt").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    (folder / "latin1.md").write_bytes(b"caf\xe9")

    code = main(["index", str(folder), "--index-dir", str(tmp_path / "index")])

    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == "Built 2 articles, 3 passages, 8 sentences (fake-bag-of-words)"
    assert out[1] == "articles: 2 added, 0 updated, 0 removed, 0 unchanged"
    assert out[2].startswith("skipped latin1.md: not valid UTF-8")
    assert out[3] == "skipped photo.txt: binary file (contains NUL bytes), not a text article"
    assert len(out) == 4


def test_cli_ask_prints_the_answer_and_its_place(folder, tmp_path, capsys, fake_model):
    code = main(["ask", "--corpus", str(folder), "--index-dir", str(tmp_path / "index"), "How much will Acme invest?"])

    captured = capsys.readouterr()
    assert code == 0
    lines = captured.out.splitlines()
    assert lines[0] == "Answer: 10 million euros"
    assert lines[1] == "Acme will invest **10 million euros** in its Lyon lab over five years."
    assert "[1] Acme opens a lab in Lyon" in lines
    assert "    lyon, characters 26-92" in lines


def test_cli_marks_an_uncertain_answer_as_the_page_does(folder, tmp_path, fake_embedder):
    import dataclasses

    from qa.cli import format_answer

    bot = QA(folder, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)
    answer = bot.ask("How much will Acme invest?")
    assert not answer.no_answer
    below = bot.settings.uncertain_below

    unsure = format_answer(dataclasses.replace(answer, confidence=below - 0.01), bot).splitlines()
    sure = format_answer(dataclasses.replace(answer, confidence=below), bot).splitlines()

    assert unsure[0] == "Not sure: 10 million euros"
    assert f"confidence {below - 0.01:.2f} (low)" in unsure
    assert sure[0] == "Answer: 10 million euros"
    assert f"confidence {below:.2f}" in sure


@pytest.mark.model
def test_cli_ask_json_with_the_real_model(folder, tmp_path, capsys):
    question = "How much will Acme invest in its Lyon lab?"

    code = main(["ask", "--corpus", str(folder), "--index-dir", str(tmp_path / "index"), "--json", question])

    captured = capsys.readouterr()
    assert code == 0
    result = json.loads(captured.out)
    assert set(result) == {"question", "text", "no_answer", "confidence", "citations", "short_answer", "read_as"}
    assert result["question"] == question
    assert result["no_answer"] is False
    assert result["text"] == "Acme will invest 10 million euros in its Lyon lab over five years."
    assert 0.5 <= result["confidence"] <= 1.0
    texts = {"lyon": LYON, "nantes": NANTES}
    for c in result["citations"]:
        assert texts[c["article_id"]][c["start"] : c["end"]] == c["quote"]
        assert c["start"] <= c["answer_start"] < c["answer_end"] <= c["end"]
    first = result["citations"][0]
    assert first["article_id"] == "lyon"
    assert LYON[first["answer_start"] : first["answer_end"]] == result["short_answer"] == "10 million euros"
    assert "Indexing" not in captured.err


def test_chat_on_a_busy_port_exits_2_with_a_message_every_time(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for _ in range(3):
            done = subprocess.run(
                [sys.executable, "-m", "qa", "chat", "--port", str(port)],
                capture_output=True,
                text=True,
                timeout=60,
                env={**os.environ, "QA_INDEX_HOME": str(tmp_path)},
            )
            assert done.returncode == 2, done.stderr
            assert f"port {port} on 127.0.0.1 is not free" in done.stderr
            assert "--port N" in done.stderr and "CHAT_PORT" in done.stderr
            assert "Traceback" not in done.stderr


def test_skip_warnings_show_control_characters_in_file_names_escaped(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "lab.txt").write_text("Acme opens a lab\n\nAcme will invest 10 million euros in Lyon.\n", "utf-8")
    (folder / "bad\x1b]0;owned\x07\u202eabc.txt").write_bytes(b"\x00\x01binary")
    env = {**os.environ, "QA_INDEX_HOME": str(tmp_path / "indexes")}
    gold = tmp_path / "gold.json"  # `qa eval` logs the sync's warnings (`qa ask` counts the skipped files instead)
    gold.write_text(json.dumps([{"id": "q", "question": "How much will Acme invest?", "answers": ["10 million"]}]))

    done = subprocess.run(
        [sys.executable, "-m", "qa", "eval", "--gold", str(gold), "--corpus", str(folder)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )

    assert done.returncode == 0, done.stderr
    assert "WARNING: skipping bad\\x1b]0;owned\\x07\\u202eabc.txt: binary file" in done.stderr
    assert "\x1b" not in done.stderr and "\u202e" not in done.stderr


def test_cli_prints_control_characters_from_articles_escaped(tmp_path, capsys, fake_model):
    folder = tmp_path / "articles"
    folder.mkdir()
    escape = "\x1b]0;owned\x07\x1b[2J"  # retitle the terminal, then clear it
    (folder / "lab.txt").write_text(
        f"Acme opens a lab{escape}\n\nAcme will invest 10 million euros{escape} in its Lyon lab.\n", "utf-8"
    )
    (folder / f"bad{escape}.txt").write_bytes(b"\x00\x01binary")
    index_dir = str(tmp_path / "index")

    assert main(["index", str(folder), "--index-dir", index_dir]) == 0
    assert main(["ask", "--corpus", str(folder), "--index-dir", index_dir, "How much will Acme invest?"]) == 0

    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b]0;owned\\x07\\x1b[2J" in out  # shown, not obeyed
    assert "skipped bad\\x1b]0;owned" in out


def test_a_page_over_a_folder_without_articles_says_so_in_one_log_line(tmp_path, caplog):
    from ui.loading import IndexLoader

    folder = tmp_path / "empty"
    folder.mkdir()
    bot = qa.api.QA(folder, index_dir=tmp_path / "index", progress=False)

    with caplog.at_level(logging.INFO, logger="ui.loading"):
        loader = IndexLoader(bot).start()
        assert not loader.wait(timeout=60)  # finished, not well
        assert loader.done

    assert loader.status() == (
        f"Could not open the articles: no readable article in {str(folder)!r}: "
        "no .txt, .md, .markdown, .html, .htm, .mhtml, .mht, .webarchive, .pdf, .docx, .odt or .rtf files"
    )
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in problems] == [f"could not open the articles: {loader.error}"]
    assert problems[0].exc_info is None  # no traceback for a person's empty folder


def test_a_failure_while_asking_the_example_questions_leaves_the_page_ready_without_examples(
    tmp_path, fake_embedder, monkeypatch, caplog
):
    import ui.loading
    from ui.loading import IndexLoader

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "tram.md").write_text(
        "---\ntitle: Tram vote passes\nauthor: Claire Hollis\n---\nThe tram won 61% of the vote.\n", "utf-8"
    )
    bot = qa.api.QA(folder, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)
    working = IndexLoader(bot).start()
    assert working.wait(timeout=60)
    assert "Who wrote the article “Tram vote passes”?" in working.examples

    def broken(*_):
        raise RuntimeError("the reader's file went missing")

    monkeypatch.setattr(ui.loading, "answered", broken)
    with caplog.at_level(logging.ERROR, logger="ui.loading"):
        loader = IndexLoader(bot).start()
        assert loader.wait(timeout=60)
    assert loader.examples == [] and loader.status().startswith("Ready: 1 article.")
    assert "asking the example questions failed" in caplog.text
