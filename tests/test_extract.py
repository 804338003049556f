"""Answer extraction: evidence that comes from the articles' metadata rather than the question's words."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from qa.api import QA
from qa.config import DEFAULT_SETTINGS
from qa.extract import (
    FEATURES,
    ScoredSentence,
    _byline_field,
    _holds,
    _mentioned,
    confidence,
    lacks_a_name,
    outside_quotes,
    question_type,
    score_sentences,
)
from qa.query import Query
from qa.retrieve import retrieve
from qa.word_forms import expand

BYLINE = FEATURES.index("byline")

LAB = (
    "Acme opens a lab in Lyon\n\n"
    "Jane Roe reporting from Lyon, France.\n\n"
    "Acme will invest 10 million euros in its Lyon lab over five years. "
    "The mayor of Lyon welcomed the investment and said the city had courted Acme for two years.\n\n"
    "Published 3 March 2024.\n"
)
BAKERY = (
    "Zed buys a bakery in Nantes\n\n"
    "Max Muster in Nantes.\n\n"
    "Zed bought a family bakery in Nantes for 2 million euros. The bakery bakes 500 croissants a day.\n\n"
    "Published 9 April 2023.\n"
)


@pytest.fixture
def bylined(tmp_path, fake_embedder) -> QA:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for stem, text, author, date in (
        ("lab", LAB, "Jane Roe", "3 March 2024"),
        ("bakery", BAKERY, "Max Muster", "9 April 2023"),
    ):
        (corpus / f"{stem}.txt").write_text(text, "utf-8")
        (corpus / f"{stem}.meta.json").write_text(json.dumps({"author": author, "date": date}), "utf-8")
    return QA(corpus, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)


@pytest.mark.parametrize(
    ("question", "field"),
    [
        ("Who wrote the article about the Lyon lab?", "author"),
        ("Who is the author of the piece on Acme?", "author"),
        ("Who is the writer of this story?", "author"),
        ("Who wrote the CFR blog post on Huawei's push into Russia?", "author"),
        ("Who is the article's author?", "author"),
        ("Who is the reporter?", "author"),
        ("When was the article on the bakery published?", "date"),
        ("When was it published?", "date"),
        ("What is the publication date of the Lyon piece?", "date"),
        ("Who reported the wire story on the rate rise?", "author"),
        ("Which reporter filed the wildfire story from Kelowna?", "author"),
        ("Which outlet published the story on the stadium deal?", "source"),
        ("In which newspaper was the article on Acme published?", "source"),
        ("Who published the SCMP piece?", "source"),
        ("What is the publisher of the CFR post?", "source"),
        # Questions about other writings, or about when something happened, are not about the article.
        ("Who wrote the open letter to the board?", None),
        ("Who authored the bill?", None),
        ("Who penned the report on Huawei?", None),
        ("What is the writer of the song doing now?", None),
        ("When did Huawei say it had posted a loss?", None),
        ("When were the results reported?", None),
        ("When was the law written?", None),
        ("When will the data be published?", None),
        ("Who welcomed the investment?", None),
        ("When will the lab open?", None),
        ("What did the author say about Lyon's mayor?", None),
        ("Which company released the sales figures?", None),
        ("Which newspaper did the mayor write for?", None),
    ],
)
def test_byline_questions_are_told_apart(question, field):
    assert _byline_field(question, in_conversation=True) == field


@pytest.mark.parametrize(
    "question", ["Who wrote it?", "Who wrote the article?", "Who is the reporter?", "When was it published?"]
)
def test_byline_questions_that_do_not_say_which_article_need_a_conversation(question):
    assert _byline_field(question, in_conversation=True) is not None
    assert _byline_field(question) is None


@pytest.mark.parametrize(
    "question",
    ["Who wrote the SCMP piece?", "Who wrote the article about the Lyon lab?", "When was the post on Acme published?"],
)
def test_byline_questions_that_say_which_article_stand_alone(question):
    assert _byline_field(question) is not None


def test_who_wrote_an_article_is_answered_from_its_byline(bylined):
    answer = bylined.ask("Who wrote the article about the Lyon lab?")
    assert not answer.no_answer
    assert answer.text == "Jane Roe reporting from Lyon, France."
    cited = answer.citations[0]
    assert bylined.get_article(cited.article_id).text[cited.start : cited.end] == cited.quote

    answer = bylined.ask("Who wrote the story about the bakery in Nantes?")
    assert answer.text == "Max Muster in Nantes."


def test_when_an_article_was_published_is_answered_from_its_dateline(bylined):
    assert bylined.ask("When was the article on the Nantes bakery published?").text == "Published 9 April 2023."


def test_who_wrote_and_who_published_an_article_are_quoted_from_its_front_matter(tmp_path, fake_embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "lab.md").write_text(
        "---\ntitle: Acme opens a lab in Lyon\npublisher: Lyon Evening Post\nauthor: 'Jane Roe'\n---\n"
        + LAB.split("\n\n", 2)[2],
        "utf-8",
    )
    (corpus / "bakery.txt").write_text(BAKERY, "utf-8")
    bot = QA(corpus, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)

    for question, quote in [
        ("Who wrote the article about the Lyon lab?", "Jane Roe"),
        ("Which newspaper published the story on the Lyon lab?", "Lyon Evening Post"),
    ]:
        answer = bot.ask(question)
        assert not answer.no_answer
        assert answer.text == quote
        cited = answer.citations[0]
        assert bot.get_article(cited.article_id).text[cited.start : cited.end] == cited.quote == quote
    assert "10 million euros" in bot.ask("How much will Acme invest in its Lyon lab?").text


def test_front_matter_answers_only_byline_questions(tmp_path, fake_embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "lab.md").write_text(
        "---\ntitle: Acme opens a lab in Lyon\npublisher: Lyon Evening Post\n"
        "authors:\n  - Jane Roe\n  - Bo Chen\ndate: 2024-03-14\n---\n" + LAB.split("\n\n", 2)[2],
        "utf-8",
    )
    bot = QA(corpus, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)
    front = {s.position for s in _scored(bot, "Who wrote the article about the Lyon lab?")}
    in_front = {p for p, s in enumerate(bot.index.sentences) if s.start < bot.index.articles["lab"].body_start}
    assert in_front and in_front <= front  # a byline question sees them ...
    for question in ("What date will the Lyon lab open?", "Who runs the Lyon Evening Post?"):
        assert not {s.position for s in _scored(bot, question)} & in_front  # ... no other question does
    # Either of several authors is the byline.
    assert bot.ask("Who wrote the article about the Lyon lab?").text in ("Jane Roe", "Bo Chen")


def _scored(bot: QA, question: str) -> list[ScoredSentence]:
    query = Query(question, bot.embedder.encode([question])[0])
    return score_sentences(bot.index, query, retrieve(bot.index, query, DEFAULT_SETTINGS), DEFAULT_SETTINGS)


def test_byline_evidence_only_for_byline_questions(bylined):
    question = "Who welcomed the Lyon investment?"
    scored = _scored(bylined, question)
    assert scored and all(s.features[BYLINE] == 0.0 for s in scored)
    assert "mayor" in bylined.ask(question).text


def test_articles_without_metadata_get_no_byline_evidence(tmp_path, fake_embedder):
    corpus = tmp_path / "plain"
    corpus.mkdir()
    (corpus / "lab.txt").write_text(LAB, "utf-8")
    bot = QA(corpus, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)
    scored = _scored(bot, "Who wrote the article about the Lyon lab?")
    assert scored and all(s.features[BYLINE] == 0.0 for s in scored)


def _sentence(score: float, type_match: float) -> ScoredSentence:
    features = [0.0] * len(FEATURES)
    features[FEATURES.index("type_match")] = type_match
    features[FEATURES.index("dense")] = 0.7
    return ScoredSentence(0, None, score, tuple(features))  # type: ignore[arg-type]


def test_a_number_question_is_not_confident_in_a_sentence_without_a_number():
    with_number = [_sentence(14.0, 1.0), _sentence(10.0, 0.0)]
    without = [_sentence(14.0, 0.0), _sentence(10.0, 0.0)]
    assert confidence(with_number, DEFAULT_SETTINGS, "How many engineers work there?") > 0.9
    assert confidence(without, DEFAULT_SETTINGS, "How many engineers work there?") < DEFAULT_SETTINGS.answer_threshold
    assert confidence(without, DEFAULT_SETTINGS, "How much did it cost?") < DEFAULT_SETTINGS.answer_threshold
    # Other questions are not affected, not even other questions about amounts ("how long").
    for question in ("Who works there?", "How long has the lab been open?"):
        assert confidence(without, DEFAULT_SETTINGS, question) > 0.9


def test_a_quotation_does_not_drag_down_the_confidence_in_its_attribution():
    quoted = [_sentence(9.0, 1.0), _sentence(8.0, 0.0)]  # cosine 0.7
    question = "Who chairs the supporters' trust?"
    alone = confidence(quoted, DEFAULT_SETTINGS, question)
    assert confidence(quoted, DEFAULT_SETTINGS, question, outside_quotes_cosine=0.9) > alone  # the better cosine counts
    assert confidence(quoted, DEFAULT_SETTINGS, question, outside_quotes_cosine=0.2) == alone  # never a worse one
    assert outside_quotes('"Prices will be frozen," said trust chair Denise Kowalczyk.') == (
        "said trust chair Denise Kowalczyk."
    )
    assert outside_quotes("“Prices will be frozen for two seasons,” she said.") is None  # too little outside


def test_how_many_asked_of_a_sentence_without_the_number_gets_no_answer(qa_over):
    bot = qa_over({"hiring.txt": "Acme hires in Lyon\n\nAcme will hire engineers for its Lyon lab.\n"})
    question = "How many engineers will Acme hire for its Lyon lab?"
    scored = _scored(bot, question)
    assert scored[0].features[FEATURES.index("type_match")] == 0.0  # the best sentence has no number
    assert bot.ask(question).no_answer
    # The same sentences for a question that asks for no number keep e^8 times the odds.
    odds = [p / (1 - p) for p in (confidence(scored, DEFAULT_SETTINGS, q) for q in (question, "Which engineers?"))]
    assert odds[1] / odds[0] == pytest.approx(math.exp(DEFAULT_SETTINGS.no_number_penalty))


def test_byline_match_starts_at_a_word():
    assert _holds("Iris Dengin Barcelona, Spain", "Iris Deng")  # a byline printed glued to the next word
    assert _holds("Published 9 April 2023.", "9 April 2023")
    assert not _holds("Italian firms said so.", "Ian")
    assert not _holds("Anything at all.", "")


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("When did Huawei open the lab?", "date"),
        ("Since when has it run the lab?", "date"),
        ("Prior to 2019, when did it open?", "date"),
        ("How and when did the war end?", "date"),
        ("What did he announce when he spoke in Paris?", None),  # "when" opens a clause
        ("What was his title back when he spoke in Paris?", "role"),
        ("What's her position?", "role"),
        ("What is Ken Hu's job at Huawei?", "role"),
        ("What title did Hu give his keynote?", "called"),  # the title of a speech, not of a person
        ("What was the name of the fund?", "called"),
        ("What is Acme's new model called?", "called"),
        ("What position does Miller play?", None),
        ("What is his position on tariffs?", None),  # a stance, not a role
        ("What was Acme's position in the rankings?", None),
        ("What title did he hold?", "role"),
        ("What is the drug called Ozempic used for?", None),  # the name is given
        ("What was the name of the man who shot him?", "name"),  # a person's name
        ("What was the name of the city where he was born?", "name"),
        ("Who led the troops when Cyprus fell?", "name"),  # "when" used to be taken for the asking word
        ("When Cyprus fell, who led the troops?", "name"),
        ("What company sponsored the game?", "name"),  # as "which company"
        ("What state of matter is ice?", None),
    ],
)
def test_question_type_comes_from_the_asking_word_not_a_when_clause(question, kind):
    assert question_type(question) == kind


TYPE_MATCH = FEATURES.index("type_match")


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        ("How big is Acme's workforce?", "Founded in 1987, Acme is owned by its employees.", 0.0),
        ("How tall is the tower?", "Built in May 1889, the tower is famous.", 0.0),
        ("How many staff does Acme have?", "Acme has 1500 staff.", 1.0),  # a count, not a date
        ("How many staff does Acme have?", "Its staff rose to 2000.", 1.0),
        ("How long has Acme been in Lyon?", "Acme has been in Lyon since 2018.", 1.0),  # a year gives a span
        ("How many labs did Acme open?", "Acme opened two labs in 2018.", 1.0),
        # "How long has" asks for the time until now, not a span ahead.
        ("How long has Acme been in Lyon?", "Acme will invest in Lyon over the next five years.", 0.0),
        ("How long has Acme been in Lyon?", "Acme has been in Lyon for 17 years.", 1.0),
        ("How long has Acme been in Lyon?", "Acme came to Lyon two years ago.", 1.0),
        ("How long has Acme been in Lyon?", "Acme has been in Lyon for the past two years.", 1.0),
        ("How long has Acme been in Lyon?", "Since the firm was weak, Acme left Lyon.", 0.0),
        ("How much did Acme pay?", "Acme paid in $2000 cash.", 1.0),  # "in" before an amount
        ("How long will Acme stay in Lyon?", "Acme will invest in Lyon over the next five years.", 1.0),
        # "How many" asks for a count, which a sum of money is not; a share can be one.
        ("How many trams will the city buy?", "The line will cost 1.2 billion pounds.", 0.0),
        ("How many trams will the city buy?", "The line will cost $1.2 billion.", 0.0),
        ("How many trams will the city buy?", "The city will buy 24 trams for 80 million euros.", 1.0),
        ("How many residents are Catholic?", "About 26.7% of residents are Catholic.", 1.0),
        ("How many euros will the city pay?", "The city will pay 80 million euros.", 1.0),
        ("How much will the line cost?", "The line will cost 1.2 billion pounds.", 1.0),
        # "On what date" asks for a day, which a year alone does not give.
        ("On what date did the harvest begin?", "Records began in 1972.", 0.0),
        ("On what date did the harvest begin?", "The harvest began on 18 August.", 1.0),
        ("What day is the next meeting?", "The next meeting is on Nov. 13.", 1.0),
        ("What day did the fire start?", "The fire started on Monday.", 1.0),
        ("When did the harvest begin?", "Records began in 1972.", 1.0),
        # A month as news abbreviates it, but not a name that looks like one.
        ("When is the next meeting?", "The committee next meets on Nov. 13.", 1.0),
        ("When did the fire start?", "KELOWNA, Aug 14 (Northwire) - The fire started.", 1.0),
        ("When did the fire start?", "Jan van der Berg saw the fire start.", 0.0),
        # A person's title or job: a role, not one the question already gives.
        ("What was her title in 2019?", "Ines Ruiz, then deputy chairman of Acme, spoke.", 1.0),
        ("What is Ruiz's job?", "Ruiz is a research associate at Acme.", 1.0),
        ("What is Ruiz's job?", "Ruiz spoke at the Acme meeting in Lyon.", 0.0),
        ("What was the mayor's job before politics?", "The mayor's job pays well.", 0.0),
        # A name asked for: best one given as a name ("titled", quoted), then any other name.
        ("What was Hu's keynote called?", 'Hu gave a keynote titled "Our Shared Ambition".', 1.0),
        ("What was Hu's keynote called?", "Speaking in Paris, Hu gave a keynote.", 0.75),
        ("What was Hu's keynote called?", "Hu gave a keynote.", 0.0),
        # "called" as a verb, speech and a role word in another sense are not what is asked for.
        ("What was the award called?", "The school called the award a recognition of its staff.", 0.0),
        ("What was the award called?", '"We are so proud of the whole staff and of what they did," he said.', 0.0),
        ("What was the award called?", "The school gave an award known as the Golden Apple.", 1.0),
        ("What is Ruiz's job?", "The chief reason for the delay was money.", 0.0),
        ("What is Ruiz's job?", "Ruiz, head of research, spoke.", 1.0),
        ("What is the vice president's job?", "Vice President Ruiz spoke.", 0.0),
        ("What is Ruiz's job?", "Ruiz and two analysts spoke.", 0.0),  # no one's role
    ],
)
def test_the_kind_of_answer_asked_for(qa_over, question, sentence, expected):
    bot = qa_over({"acme.txt": f"Acme in brief\n\n{sentence}\n"})
    found = {bot.index.sentences[s.position].text: s.features[TYPE_MATCH] for s in _scored(bot, question)}
    assert found[sentence] == expected


def test_a_sentence_first_word_is_a_name_only_if_written_capitalised_elsewhere(qa_over):
    text = (
        "Acme changes its leader\n\n"
        "Nevertheless, she announced she would step down as leader. "
        "Roe announced she would step down as leader. "
        "The board thanked Roe.\n"
    )
    bot = qa_over({"acme.txt": text})
    found = {
        bot.index.sentences[s.position].text: s.features[TYPE_MATCH]
        for s in _scored(bot, "Who announced she would step down as leader?")
    }
    assert found["Nevertheless, she announced she would step down as leader."] == 0.0
    assert found["Roe announced she would step down as leader."] == 1.0  # "Roe" is capitalised mid-sentence too


def test_a_year_the_article_never_gives_lowers_the_confidence(qa_over):
    bot = qa_over({"sales.txt": "Acme sales\n\nAcme's sales reached 5 million euros in 2022.\n"})
    year_missing = FEATURES.index("year_missing")
    assert _scored(bot, "What were Acme's sales in 2022?")[0].features[year_missing] == 0.0
    scored = _scored(bot, "What were Acme's sales in 2023?")
    assert scored[0].features[year_missing] == 1.0
    # The same sentences without that evidence have e^4 times the odds.
    features = list(scored[0].features)
    features[year_missing] = 0.0
    unflagged = [dataclasses.replace(scored[0], features=tuple(features)), *scored[1:]]
    question = "What were Acme's sales?"
    odds = [p / (1 - p) for p in (confidence(s, DEFAULT_SETTINGS, question) for s in (unflagged, scored))]
    assert odds[0] / odds[1] == pytest.approx(math.exp(DEFAULT_SETTINGS.year_missing_penalty))


@pytest.mark.parametrize(
    ("name", "article"),
    [
        ("germans", "The German firm grew."),  # stemmed
        ("gospic", "Tesla left Gospić in 1875."),  # without accents
        ("v&a", "The V&A holds the chandelier."),  # in parts
        ("u.s", "Sales in the U.S. rose."),
        ("np-complete", "Such problems are NP - complete."),
        ("valdorian", "The central bank of Valdoria raised rates."),  # a place's adjective
        ("russia", "The Russian firm grew."),  # and the place, when the article has the adjective
        ("canadian", "Sales in Canada rose."),
        ("chinese", "Sales in China rose."),
    ],
)
def test_a_name_counts_as_mentioned_as_the_article_writes_it(qa_over, name, article):
    bot = qa_over({"a.txt": f"A title\n\n{article}\n"})
    vocabulary = bot.index.article_vocabulary(next(iter(bot.index.articles)))
    known = bot.index.names()
    assert _mentioned(name, vocabulary, expand("").matches, known)
    assert not _mentioned("kaspersky", vocabulary, expand("").matches, known)


@pytest.mark.parametrize(
    ("name", "article"),
    [
        ("julian", "Sales rose in July. The firm in Paris grew."),  # not a month
        ("sean", "The firm in Paris grew by the sea."),  # a place form only if the articles capitalise it
        ("milan", "The firm in Paris grew a mile."),
        ("spanish", "The firm in Paris spans Europe."),
    ],
)
def test_a_place_form_counts_only_as_a_name_the_articles_capitalise(qa_over, name, article):
    bot = qa_over({"a.txt": f"A title\n\n{article}\n"})
    vocabulary = bot.index.article_vocabulary(next(iter(bot.index.articles)))
    assert not _mentioned(name, vocabulary, expand("").matches, bot.index.names())


def test_an_article_is_also_named_by_its_publisher_and_its_acronym(qa_over):
    bot = qa_over(
        {
            "wire.txt": "Acme expands\n\nAcme will open a lab in Lyon in May.\n",
            "wire.meta.json": json.dumps(
                {"title": "Acme expands", "publisher": "South China Morning Post", "author": "Iris Deng"}
            ),
            "blog.txt": "Acme grows\n\nAcme will open a lab in Nantes in June.\n",
            "blog.meta.json": json.dumps({"title": "Acme grows", "publisher": "Council on Foreign Relations (CFR)"}),
        }
    )
    index = bot.index
    assert index.label("wire").split("\n") == ["Acme expands", "South China Morning Post", "Iris Deng", "SCMP"]
    # Initials the publisher's name already gives are not added again.
    assert index.label("blog").split("\n") == ["Acme grows", "Council on Foreign Relations (CFR)"]
    assert {"scmp", "deng"} <= index.label_terms("wire")
    assert "scmp" in index.article_vocabulary("wire") and "scmp" not in index.article_vocabulary("blog")
    assert not lacks_a_name(index, "wire", "What did Iris Deng write in the SCMP?")
    assert lacks_a_name(index, "blog", "What did Iris Deng write in the SCMP?")
    assert lacks_a_name(index, "wire", "What did Acme do in 2019?")  # numbers count as names
    assert not lacks_a_name(index, "gone", "What did Acme do in 2019?")  # an article no longer indexed
    for question, article in [
        ("Where will Acme open a lab, according to the SCMP?", "wire"),
        ("Where will Acme open a lab, according to the CFR?", "blog"),
    ]:
        query = Query(question, bot.embedder.encode([question])[0])
        assert index.passages[retrieve(index, query, bot.settings)[0].position].article_id == article
