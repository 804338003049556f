"""Follow-up questions: ``ask(question, history=[...])`` over the built-in articles, with the real model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.answer import Answer
from qa.config import BUILTIN_CORPUS
from qa.conversation import Turn, build_query, leans_on_context, subject_names
from qa.pick import FEATURES
from tests.conftest import LYON, NANTES

CONVERSATIONS = json.loads((Path(__file__).parent / "data" / "conversations.json").read_text("utf-8"))


def test_conversation_set_is_well_formed():
    assert len(CONVERSATIONS) >= 12
    texts = {p.stem: p.read_text("utf-8") for p in BUILTIN_CORPUS.glob("*.txt")}
    for conversation in CONVERSATIONS:
        assert 2 <= len(conversation["turns"]) <= 3, conversation["id"]
        for turn in conversation["turns"]:
            assert turn["answers"], turn
            assert all(a in texts[turn["article"]] for a in turn["answers"]), turn


@pytest.fixture(scope="module")
def replies(real_qa):
    """Every conversation asked turn by turn, each turn with the Answers before it as history."""
    result = {}
    for conversation in CONVERSATIONS:
        history: list[Answer] = []
        for turn in conversation["turns"]:
            history.append(real_qa.ask(turn["question"], history=history))
        result[conversation["id"]] = history
    return result


@pytest.mark.model
def test_follow_ups_are_answered_right_at_every_turn(replies):
    wrong = {}
    for conversation in CONVERSATIONS:
        for number, (turn, answer) in enumerate(zip(conversation["turns"], replies[conversation["id"]], strict=True)):
            if not any(accepted in answer.text for accepted in turn["answers"]):
                wrong.setdefault(conversation["id"], []).append((number, turn["question"], answer.text[:80]))
    right = len(CONVERSATIONS) - len(wrong)
    # A guard at the level measured with the trained reader: 11 of 16 (2026-12-06). The goal, 14 of 16,
    # is not met: follow-ups are the reader's weak side (docs/EVALUATION.md, "What still fails").
    assert right >= 11, wrong


CHAT_TYPING = {
    "no question mark": lambda q: q.rstrip("?"),
    "thanks before": lambda q: "Thanks! " + q,
    "a request around": lambda q: "OK, can you tell me: " + q.rstrip("?") + ", please",
}


@pytest.mark.model
@pytest.mark.parametrize("typing", CHAT_TYPING.values(), ids=CHAT_TYPING.keys())
def test_a_conversation_typed_as_in_a_chat_gets_the_same_answers(replies, real_qa, typing):
    for conversation in CONVERSATIONS:
        history: list[Answer] = []
        for turn, asked in zip(conversation["turns"], replies[conversation["id"]], strict=True):
            answer = real_qa.ask(typing(turn["question"]), history=history)
            assert (answer.text, answer.citations) == (asked.text, asked.citations), typing(turn["question"])
            assert answer.question == typing(turn["question"])  # the answer keeps the question as typed
            history.append(answer)


@pytest.mark.model
def test_follow_up_citations_are_exact(replies, real_qa):
    for history in replies.values():
        for answer in history:
            for c in answer.citations:
                assert real_qa.get_article(c.article_id).text[c.start : c.end] == c.quote


@pytest.mark.model
def test_history_changes_what_a_follow_up_means(real_qa):
    first = real_qa.ask("How much will Huawei invest in its Paris OpenLab?")
    alone = real_qa.ask("Who announced it?")
    followed = real_qa.ask("Who announced it?", history=[first])
    assert followed.short_answer == "Hu"  # the reader's span; its sentence is the keynote's, not "Hu announced ..."
    assert followed.citations[0].article_id == first.citations[0].article_id
    assert alone.text != followed.text or alone.no_answer


@pytest.mark.model
def test_a_follow_up_is_read_also_after_the_last_question(real_qa):
    first_question = "How much will Huawei invest in its Paris OpenLab?"
    first, first_trace = real_qa.ask_traced(first_question)
    _, trace = real_qa.ask_traced("Who announced it?", history=[first])
    at = FEATURES.index("context_margin")
    assert all(c.features[at] == 0.0 for c in first_trace.candidates)  # a first question has no last question
    index = real_qa.latest_index()
    read = trace.passages[: real_qa.settings.reader_passages]  # the built-in articles have no front matter
    texts, bounds = [], []
    for retrieved in read:
        passage = index.passages[retrieved.position]
        texts.append(passage.text)
        sentences = index.sentences[passage.first_sentence : passage.last_sentence]
        bounds.append([(s.start - passage.start, s.end - passage.start) for s in sentences])
    # Read as one batch, as the answer path reads them: the int8 model's scales depend on the batch.
    joined = real_qa.reader.read_sentences(f"{first_question} Who announced it?", texts, bounds)
    for candidate in trace.candidates[:3]:
        k = read.index(candidate.passage)
        start = index.passages[candidate.passage.position].start
        sentence = index.sentences[candidate.first_sentence]
        [same] = [s for s in joined[k] if sentence.start <= start + s.start < sentence.end]
        assert candidate.features[at] == pytest.approx(same.margin, abs=1e-3)
    assert any(c.features[at] != pytest.approx(c.features[FEATURES.index("margin")]) for c in trace.candidates)


@pytest.mark.model
def test_history_of_plain_questions_is_accepted(real_qa):
    first = "How much will Huawei invest in its Paris OpenLab?"
    followed = real_qa.ask("Who announced it?", history=[first])
    # Accepted, and read as a follow-up; with only the question to go on (no answer's place), the reader
    # answers from the Russia article today ("Kaspersky"): docs/EVALUATION.md, "What still fails".
    assert followed.question == "Who announced it?" and followed.citations
    for c in followed.citations:
        assert real_qa.get_article(c.article_id).text[c.start : c.end] == c.quote


@pytest.mark.parametrize("history", ["just a string", [42], [None], 7])
def test_history_of_the_wrong_kind_is_refused(history, tmp_path, fake_embedder):
    from qa import QA

    bot = QA(BUILTIN_CORPUS, index_dir=tmp_path, embedder=fake_embedder, progress=False)
    with pytest.raises(TypeError, match="history"):
        bot.ask("Who announced it?", history=history)
    with pytest.raises(TypeError, match="history"):  # checked too when the question stands alone
        bot.ask("Which Russian bank did Huawei partner with?", history=history)


def test_a_history_question_too_long_is_refused_naming_the_turn(tmp_path, fake_embedder):
    from qa import QA

    bot = QA(BUILTIN_CORPUS, index_dir=tmp_path, embedder=fake_embedder, progress=False)
    with pytest.raises(ValueError, match=r"^history\[1\]: question is 1,500 characters long"):
        bot.ask("Who announced it?", history=["Where is the OpenLab?", "x" * 1500])


def test_a_turn_that_got_no_answer_leaves_the_conversation_at_the_answer_before_it(fake_embedder):
    turns = [
        Turn("Where is Huawei's OpenLab?", "Huawei opened its Paris OpenLab in April 2018.", "paris", 120),
        Turn("What did it achieve in its first year?", declined=True),
    ]
    question = "Which sectors did that work target?"
    query = build_query(question, fake_embedder.encode([question])[0], turns, fake_embedder, 0.3)
    assert query.previous_answer == ("paris", 120)
    assert query.previous_question == "What did it achieve in its first year?"
    assert query.context.endswith("Huawei opened its Paris OpenLab in April 2018.")

    # A question given alone (a string in the history) may have been answered: its answer is not known.
    turns[-1] = Turn("What did it achieve in its first year?")
    query = build_query(question, fake_embedder.encode([question])[0], turns, fake_embedder, 0.3)
    assert query.previous_answer is None


def test_empty_history_is_a_first_question(tmp_path, fake_embedder):
    from qa import QA

    bot = QA(BUILTIN_CORPUS, index_dir=tmp_path, embedder=fake_embedder, progress=False)
    assert bot.ask("Who announced the OpenLab?", history=[]) == bot.ask("Who announced the OpenLab?")
    assert bot.ask("Who announced the OpenLab?", history=None) == bot.ask("Who announced the OpenLab?")


@pytest.mark.parametrize(
    "question",
    [
        "And in Russia?",
        "Or in Russia?",
        "In Russia?",
        "Who made the announcement?",
        "Great. Who made the announcement?",
        "According to whom?",
        "How many specialists did it plan to train in Russia?",
        "What did its CEO say?",
        "Who is the CEO?",
        "How does the company use AI?",
        "What did the company do in 2019?",
        "What was his title when he spoke in Paris?",
        "What pushed Chinese firms to build models like that?",
        "Who else did Huawei partner with?",
        "How many people does Huawei employ there?",
        "When did Huawei hire her?",
    ],
)
def test_follow_ups_lean_on_the_conversation(question):
    assert leans_on_context(question, frozenset({"huawei"}))


@pytest.mark.parametrize(
    "question",
    [
        "Who won the 2018 FIFA World Cup?",
        "How much money is Huawei putting into its Paris OpenLab?",
        "Which Russian bank did Huawei partner with?",
        "When did Huawei open its first office in Brazil?",
        "Is there a Huawei lab in Paris?",
        "What is the name of the startup that Huawei bought?",
        "When does this year's VivaTech take place?",
        "What did both Huawei and Sberbank announce?",
        "Who is the CEO of Huawei?",
        "which russian bank did huawei partner with?",  # typed in lower case: the articles' names count
    ],
)
def test_questions_that_name_their_subject_stand_alone(question):
    assert not leans_on_context(question, frozenset({"huawei", "russian"}))


def test_lower_case_names_count_only_when_the_articles_use_them():
    assert leans_on_context("which russian bank did huawei partner with?")
    assert not leans_on_context("which russian bank did huawei partner with?", frozenset({"huawei"}))


@pytest.mark.model
def test_the_articles_names_are_known_in_lower_case(real_qa):
    names = real_qa.index.names()
    assert {"huawei", "sberbank", "paris", "russia"} <= names
    assert not names & {"company", "the", "cloud", "investment"}


@pytest.mark.model
def test_unanswerable_questions_asked_mid_conversation_get_no_answer(real_qa):
    """The chat page sends every earlier answer as history: that must not make other questions answerable."""
    gold = json.loads((Path(__file__).parent / "data" / "gold.json").read_text("utf-8"))
    unanswerable = [g["question"] for g in gold if not g["answers"]]
    earlier = [real_qa.ask("How much will Huawei invest in its Paris OpenLab?")]
    answered = [q for q in unanswerable if not real_qa.ask(q, history=earlier).no_answer]
    assert len(answered) <= 0.10 * len(unanswerable), answered
    # And a question that names its own subject gets the answer it gets when asked alone.
    question = "Which Russian bank did Huawei partner with?"
    assert real_qa.ask(question, history=earlier) == real_qa.ask(question)


@pytest.fixture
def context_weights(monkeypatch) -> list[float]:
    """The weight each follow-up's earlier turns get (``build_query``'s ``weight``), in the order asked."""
    import qa.api

    weights: list[float] = []
    real = qa.api.build_query

    def spy(question, question_vector, turns, embedder, weight):
        weights.append(weight)
        return real(question, question_vector, turns, embedder, weight)

    monkeypatch.setattr(qa.api, "build_query", spy)
    return weights


def test_a_follow_up_naming_what_the_last_answers_article_never_mentions_counts_the_conversation_less(
    qa_over, context_weights
):
    bot = qa_over({"lyon.txt": LYON, "nantes.txt": NANTES})
    first = bot.ask("How much will Acme invest in its Lyon lab?")
    assert first.citations[0].article_id == "lyon" and not first.no_answer
    context_weights.clear()
    bot.ask("And when will it open?", history=[first])  # names nothing new
    bot.ask("And in Nantes?", history=[first])  # the Lyon article never mentions Nantes
    settings = bot.settings
    assert context_weights == [settings.context_weight, settings.context_weight * settings.moved_on_share]
    assert settings.moved_on_share < 1


def test_a_follow_up_after_a_declined_turn_is_weighed_against_the_answer_before_it(qa_over, context_weights):
    bot = qa_over({"lyon.txt": LYON, "nantes.txt": NANTES})
    first = bot.ask("How much will Acme invest in its Lyon lab?")
    declined = Answer("Who designed the Lyon lab?", "", True, 0.1, [])
    context_weights.clear()
    bot.ask("And in Nantes?", history=[first, declined])  # the Lyon article, answered before, never mentions Nantes
    settings = bot.settings
    assert context_weights == [settings.context_weight * settings.moved_on_share]


def test_subject_names_leave_out_roles_and_technologies_also_in_the_plural():
    assert subject_names("And what did its CEOs say about AIs in Paris in 2019?") == {"paris", "2019"}
    assert subject_names("What did the CEO say about AI?") == set()
    assert subject_names("What did Ars Technica report?") == {"ars", "technica"}  # a name, though "AR" is not


def test_a_follow_up_whose_own_names_find_another_article_first_has_moved_on(qa_over, context_weights):
    lyon = LYON + "Acme chose Lyon over Nantes for the lab. Its AI unit will move there later.\n"  # Nantes in passing
    bot = qa_over({"lyon.txt": lyon, "nantes.txt": NANTES})
    first = bot.ask("How much will Acme invest in its Lyon lab?")
    assert first.citations[0].article_id == "lyon" and not first.no_answer
    context_weights.clear()
    bot.ask("And how many staff does the bakery in Nantes have?", history=[first])  # Nantes' own article
    bot.ask("And how many engineers will it employ in Lyon?", history=[first])  # still the Lyon article
    bot.ask("How many staff does the AI bakery have?", history=[first])  # "AI" names no subject of its own
    settings = bot.settings
    moved, stayed = settings.context_weight * settings.moved_on_share, settings.context_weight
    assert context_weights == [moved, stayed, stayed]
    assert settings.moved_on_share < 1


def test_a_follow_up_still_works_after_the_last_answers_article_is_gone(tmp_path, qa_over):
    bot = qa_over({"lyon.txt": LYON, "nantes.txt": NANTES})
    first = bot.ask("How much will Acme invest in its Lyon lab?")
    assert first.citations[0].article_id == "lyon" and not first.no_answer
    (tmp_path / "corpus" / "lyon.txt").unlink()
    bot.sync()
    followed = bot.ask("And in Nantes?", history=[first])  # the chat page keeps its history across syncs
    assert all(c.article_id == "nantes" for c in followed.citations)


@pytest.mark.model
def test_a_typo_in_an_earlier_turn_is_mended_too(real_qa):
    follow_up = "And when was the company founded?"
    typed = real_qa.ask(follow_up, history=["How many employees does Huwaei have?"])
    careful = real_qa.ask(follow_up, history=["How many employees does Huawei have?"])
    assert (typed.text, typed.citations) == (careful.text, careful.citations)
    assert typed.confidence == pytest.approx(careful.confidence, abs=1e-6)
