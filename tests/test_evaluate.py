"""``qa eval``: answer normalisation, SQuAD as a folder of articles, the metrics, and a small real run."""

from __future__ import annotations

import json

import pytest

from qa import QA
from qa.cli import main
from qa.evaluate import EvalQuestion, contains_answer, evaluate, load_gold, normalize_answer, squad_collection
from tests.conftest import REPO

SQUAD_DEV = REPO.parent / "shared" / "eval" / "squad" / "dev-v1.1.json"

TINY_SQUAD = {
    "data": [
        {
            "title": "Harbour_Bridge",
            "paragraphs": [
                {
                    "context": "The harbour bridge opened in 1932. It carries eight lanes of traffic.",
                    "qas": [
                        {"id": "q1", "question": "When did the harbour bridge open?", "answers": [{"text": "1932"}]},
                        {"id": "q2", "question": "How many lanes does it carry?", "answers": [{"text": "eight"}]},
                    ],
                },
                {
                    "context": "Painting the bridge takes ten years and uses thirty thousand litres of paint.",
                    "qas": [{"id": "q3", "question": "How long does painting take?", "answers": [{"text": "ten"}]}],
                },
            ],
        },
        {
            "title": "Tea",
            "paragraphs": [
                {
                    "context": "Green tea is made from leaves that are not oxidised.",
                    "qas": [{"id": "q4", "question": "Are green tea leaves oxidised?", "answers": [{"text": "not"}]}],
                }
            ],
        },
    ]
}


def test_normalize_answer_follows_squad():
    assert normalize_answer("The  Denver Broncos!") == "denver broncos"
    assert normalize_answer("An apple, a pear") == "apple pear"


def test_contains_answer_matches_whole_words_after_normalisation():
    assert contains_answer("It opened in 1932, to great fanfare.", ["1932"])
    assert contains_answer("The Denver Broncos won.", ["denver broncos"])
    assert not contains_answer("It opened in 19320.", ["1932"])
    assert not contains_answer("anything", ["", "the"])


def test_squad_collection_writes_articles_whose_spans_are_the_paragraphs(tmp_path):
    source = tmp_path / "squad.json"
    source.write_text(json.dumps(TINY_SQUAD), "utf-8")
    corpus, questions = squad_collection(source, tmp_path / "work")
    files = sorted(p.name for p in corpus.glob("*.txt"))
    assert files == ["00_Harbour_Bridge.txt", "01_Tea.txt"]
    assert [q.id for q in questions] == ["q1", "q2", "q3", "q4"]
    for q, paragraph in zip(questions, ["p0", "p0", "p1", "t0"], strict=True):
        text = (corpus / f"{q.article_id}.txt").read_text("utf-8")
        start, end = q.span
        expected = {
            "p0": TINY_SQUAD["data"][0]["paragraphs"][0]["context"],
            "p1": TINY_SQUAD["data"][0]["paragraphs"][1]["context"],
            "t0": TINY_SQUAD["data"][1]["paragraphs"][0]["context"],
        }[paragraph]
        assert text[start:end] == expected
    assert (corpus / "00_Harbour_Bridge.txt").read_text("utf-8").startswith("Harbour Bridge\n\n")

    mtime = (corpus / "01_Tea.txt").stat().st_mtime_ns
    corpus_again, _ = squad_collection(source, tmp_path / "work", max_articles=1)
    assert sorted(p.name for p in corpus_again.glob("*.txt")) == ["00_Harbour_Bridge.txt"]
    squad_collection(source, tmp_path / "work")
    assert (corpus / "01_Tea.txt").exists() and (corpus / "01_Tea.txt").stat().st_mtime_ns >= mtime


def test_evaluate_measures_recall_accuracy_and_no_answer(tmp_path, fake_embedder):
    source = tmp_path / "squad.json"
    source.write_text(json.dumps(TINY_SQUAD), "utf-8")
    corpus, questions = squad_collection(source, tmp_path / "work")
    questions.append(EvalQuestion("u1", "Who won the football world cup in 1998?", ()))
    bot = QA(corpus, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)
    report = evaluate(bot, questions, "tiny")
    m = report.metrics
    assert (report.questions, report.answerable, report.unanswerable) == (5, 4, 1)
    assert m["recall@1"] <= m["recall@5"] <= m["recall@20"] == 1.0
    assert 0.0 <= m["accuracy"] <= m["top_sentence_accuracy"] <= 1.0
    assert m["answer_sentences_max"] <= 1
    assert m["no_answer_recall"] in (0.0, 1.0)
    assert m["latency_p50_ms"] <= m["latency_p95_ms"]
    assert json.loads(json.dumps(report.to_dict()))["metrics"] == m


def test_load_gold_reads_the_projects_question_set():
    questions = load_gold(REPO / "tests" / "data" / "gold.json")
    assert len(questions) >= 70
    assert any(not q.answers for q in questions) and all(q.article_id for q in questions if q.answers)


def test_eval_cli_rejects_a_missing_file(capsys):
    assert main(["eval", "--squad", "/nonexistent/dev.json"]) == 2
    assert "no SQuAD file" in capsys.readouterr().err


@pytest.mark.model
def test_squad_smoke_run_on_two_articles(tmp_path, capsys):
    """A small real run in CI; the full run (all 10,570 questions) is in docs/EVALUATION.md."""
    if not SQUAD_DEV.is_file():
        pytest.fail(f"SQuAD dev set missing at {SQUAD_DEV}: ../shared must sit beside the repository")
    out = tmp_path / "report.json"
    args = ["eval", "--squad", str(SQUAD_DEV), "--articles", "2", "--limit", "150"]
    args += ["--workdir", str(tmp_path / "work"), "--index-dir", str(tmp_path / "index"), "--out", str(out)]
    assert main(args) == 0
    report = json.loads(out.read_text("utf-8"))
    m = report["metrics"]
    assert report["questions"] == 150
    assert m["recall@5"] >= 0.85
    assert m["accuracy"] >= 0.5
    assert m["answer_sentences_max"] == 1
    assert "| recall@5 |" in capsys.readouterr().out
