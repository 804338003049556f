"""Questions about an article itself (who wrote it, when, which outlet), answered from its metadata."""

from __future__ import annotations

import json

import pytest

from index.articles import is_top_dateline, printed_date, read_article
from qa.api import QA
from qa.byline import _find, byline_field

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
        ("When was the obituary of Harold Pike published?", "date"),
        ("Who wrote the editorial on the tram?", "author"),
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
        # What a story reports, with the article named only as where it is told.
        ("What is the publication date of the Harland report?", None),
        ("When was it that the Millbrook Gazette published the Reed letter?", None),
        ("When was this Harland report written?", None),
        ("Who wrote the Harland report in the article?", None),
        ("Which newspaper published the Reed letter in the story?", None),
        ("Who wrote the letter mentioned in the story about the Millbrook bridge?", None),
        ("When was it first published?", "date"),
        ("When was the article about the Harbour City v Riverside match published?", "date"),
        ("What is the publication date?", "date"),
    ],
)
def test_byline_questions_are_told_apart(question, field):
    assert byline_field(question, in_conversation=True) == field


@pytest.mark.parametrize(
    "question", ["Who wrote it?", "Who wrote the article?", "Who is the reporter?", "When was it published?"]
)
def test_byline_questions_that_do_not_say_which_article_need_a_conversation(question):
    assert byline_field(question, in_conversation=True) is not None
    assert byline_field(question) is None


@pytest.mark.parametrize(
    "question",
    ["Who wrote the SCMP piece?", "Who wrote the article about the Lyon lab?", "When was the post on Acme published?"],
)
def test_byline_questions_that_say_which_article_stand_alone(question):
    assert byline_field(question) is not None


def test_who_wrote_an_article_is_answered_from_its_byline(bylined):
    answer = bylined.ask("Who wrote the article about the Lyon lab?")
    assert not answer.no_answer
    assert answer.text == "Jane Roe reporting from Lyon, France."
    assert answer.short_answer == "Jane Roe"
    cited = answer.citations[0]
    text = bylined.get_article(cited.article_id).text
    assert text[cited.start : cited.end] == cited.quote
    assert text[cited.answer_start : cited.answer_end] == "Jane Roe"

    answer = bylined.ask("Who wrote the story about the bakery in Nantes?")
    assert answer.text == "Max Muster in Nantes."


def test_when_an_article_was_published_is_answered_from_its_dateline(bylined):
    answer = bylined.ask("When was the article on the Nantes bakery published?")
    assert (answer.text, answer.short_answer) == ("Published 9 April 2023.", "9 April 2023")


def test_front_matter_answers_only_byline_questions(tmp_path, fake_embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "lab.md").write_text(
        "---\ntitle: Acme opens a lab in Lyon\npublisher: Lyon Evening Post\n"
        "authors:\n  - Jane Roe\n  - Bo Chen\ndate: 2024-03-14\n---\n" + LAB.split("\n\n", 2)[2],
        "utf-8",
    )
    bot = QA(corpus, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)
    body_start = bot.index.articles["lab"].body_start
    for question in ("What date will the Lyon lab open?", "Who runs the Lyon Evening Post?", "Who welcomed it?"):
        _, trace = bot.ask_traced(question)
        assert trace.candidates and all(c.start >= body_start for c in trace.candidates), question
    # Either of several authors is the byline.
    assert bot.ask("Who wrote the article about the Lyon lab?").short_answer in ("Jane Roe", "Bo Chen")


def test_a_byline_question_about_an_article_not_in_the_folder_is_not_answered_from_another_byline(bylined):
    answer = bylined.ask("Who wrote the article about the Berlin zoo?")
    assert answer.no_answer


def test_a_byline_question_about_an_article_that_prints_no_byline_is_not_answered_from_another(tmp_path, fake_embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bridge.html").write_text(
        "<html><head><title>Kestrel Bay approves a harbour bridge</title>"
        '<meta name="author" content="Maya Okafor"></head><body><article>'
        "<h1>Kestrel Bay approves a harbour bridge</h1>"
        "<p>The council of Kestrel Bay approved a lifting bridge across the harbour on Tuesday. "
        "The harbour bridge will cost 48 million pounds and open in 2027.</p>"
        "<p>Traders on the harbour front said the bridge would bring more visitors to the old town.</p>"
        "</article></body></html>",
        "utf-8",
    )
    (corpus / "library.txt").write_text(
        "Millbrook library to close on Sundays\n\nBy Tom Feld\n\n"
        "The Millbrook library will close on Sundays from April to save money.\n",
        "utf-8",
    )
    bot = QA(corpus, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)
    assert bot.index.articles["bridge"].author == "Maya Okafor"  # in the metadata, printed nowhere
    answer, trace = bot.ask_traced("Who wrote the piece on the harbour bridge?")
    assert trace.candidates, "answered from a byline"  # the reader read the passages: no byline answered it
    assert "Tom Feld" not in answer.text
    assert bot.ask("Who wrote the piece on the Millbrook library?").short_answer == "Tom Feld"


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


def test_byline_match_starts_at_a_word():
    assert _find("Iris Dengin Barcelona, Spain", "Iris Deng") == (0, 9)  # a byline printed glued to the next word
    assert _find("Published 9 April 2023.", "9 April 2023") == (10, 22)
    assert _find("By Jane  Roe", "Jane Roe") == (3, 12)  # any spaces between the value's words
    assert _find("Italian firms said so.", "Ian") is None
    assert _find("Anything at all.", "") is None
    assert _find("By Bo Chen and Jane Roe.", "Jane Roe, Bo Chen", several=True) == (3, 23)


FLOODS = (
    "Floods hit Aldwater\n\n"
    "By Megan O'Rourke, Valley Post\n\n"
    "Two people died when the river burst its banks in Aldwater on Sunday. The victims were named as Ann Bell "
    "and Tom Reed, both from the village.\n\n"
    "The council said 40 homes were flooded.\n"
)


def test_a_printed_byline_answers_only_a_question_about_the_author(qa_over):
    bot = qa_over({"floods.txt": FLOODS, "port.txt": "Lorient port expands\n\nThe port will build a new quay.\n"})
    byline = "By Megan O'Rourke, Valley Post"
    for question in ("Who died in Aldwater?", "What were the names of the people who died?"):
        answer = bot.ask(question)
        assert all(c.quote != byline for c in answer.citations), question  # read by no other question
    authored = bot.ask("Who wrote the article on the Aldwater floods?")
    assert authored.text == byline and authored.short_answer.startswith("Megan O'Rourke")


OBITUARY = (
    "Former Lakeshore mayor dies at 81\n\n"
    "The Lakeshore Herald, January 22, 2025\n\n"
    "Tom Reed, who led Lakeshore for twelve years, has died at his home. He was 81.\n\n"
    "Reed opened the town library and the new harbour. His family said he died peacefully.\n"
)


def test_a_printed_dateline_and_the_headline_are_never_answers_but_the_date_answers_for_the_article(qa_over):
    bot = qa_over({"mayor.txt": OBITUARY, "port.txt": "Lorient port expands\n\nThe port will build a new quay.\n"})
    dateline, headline = "The Lakeshore Herald, January 22, 2025", "Former Lakeshore mayor dies at 81"
    for question in ("When did Tom Reed die?", "How old was the former mayor when he died?", "Who died?"):
        answer = bot.ask(question)
        assert answer.citations, question  # the story is found ...
        assert all(c.quote not in (dateline, headline) for c in answer.citations), question  # ... not these lines
    [article] = [a for a in bot.index.articles.values() if a.title == headline]
    assert article.date == "January 22, 2025"  # no metadata: the date the text prints
    published = bot.ask("When was the article on Tom Reed published?")
    assert published.text == dateline and published.short_answer == "January 22, 2025"


def test_a_first_line_that_is_a_sentence_stands_for_a_missing_title_and_can_still_answer(qa_over):
    lede = "The city council voted on Monday to build a tram line to the university."
    bot = qa_over({"tram.txt": f"{lede}\n\nWork is due to start in the spring.\n"})
    [article] = bot.index.articles.values()
    assert article.title == lede  # the text has no headline: its first line is the title
    answer = bot.ask("What did the city council vote to build?")
    assert answer.text == lede and "tram line" in answer.short_answer


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("16 May 2019", "16 May 2019"),
        ("October 28, 2020 11:19 am (EST)", "October 28, 2020 11:19 am (EST)"),
        ("The Lakeshore Herald, January 22, 2025", "January 22, 2025"),
        ("Published: 22 Jan 2025, 10:04 GMT", "22 Jan 2025, 10:04 GMT"),
        ("Mon 22 Jan 2024 10.04 GMT", "Mon 22 Jan 2024 10.04 GMT"),
        ("Last updated on 5 March 2024", "5 March 2024"),
        ("Last modified on Wed 22 Jan 2025 10.04 GMT", "Wed 22 Jan 2025 10.04 GMT"),
        ("Riverside Gazette | Thursday, November 7, 2024, 6:15 p.m. EST", "Thursday, November 7, 2024, 6:15 p.m. EST"),
        ("22 January 2025 · 4 min read", "22 January 2025"),
        ("2024-05-14T10:04:00Z", "2024-05-14T10:04:00Z"),
        ("By April Jones", None),  # names with a month's name in them
        ("Jonathan May, Political Editor", None),
        ("March Madness", None),
        ("Ama Boateng at Harbourfest, June 2011", None),  # a caption
        ("March 2024: the turning point", None),  # a subheading
        ("Programme highlights for 29 June", None),
        ("May 32, 2024", None),
        ("Date: Saturday 5 June 2027", None),  # a label for another day than the article's
        ("Photo: John Smith, 12 May 2023", None),
        ("Last modified: 2024-05-05", "2024-05-05"),
        ("He left the town in May 2018.", None),  # a sentence that holds a date
        ("Mayor John Smith", None),
        ("Reading Time: 2 minutes", None),
        ("Huawei 2019 results", None),  # a year alone names no day
    ],
)
def test_a_dateline_is_a_date_with_at_most_an_outlets_name_or_a_label_around_it(line, date):
    assert printed_date(f"Headline\n\n{line}\n\nThe story.\n", "Headline") == (date or "")


def test_a_date_the_metadata_gives_as_an_iso_day_is_quoted_from_the_dateline_that_prints_it(qa_over):
    story = (
        "School meals for every pupil\n\nUpdated: 14 May 2025\n\n"
        "Every primary pupil in Whitley will get a free lunch from September, the council said.\n"
    )
    bot = qa_over(
        {
            "meals.txt": story,
            "meals.meta.json": '{"date": "2025-05-14"}',  # as a web page's metadata gives it
            "port.txt": "Lorient port expands\n\nThe port will build a new quay.\n",
        }
    )
    answer = bot.ask("When was the article about the Whitley school meals published?")
    assert answer.text == "Updated: 14 May 2025" and answer.short_answer == "14 May 2025"
    [citation] = answer.citations
    article = bot.get_article(citation.article_id)
    assert article.text[citation.answer_start : citation.answer_end] == "14 May 2025"


def test_only_a_date_printed_near_the_top_is_a_dateline(tmp_path):
    story = "\n\n".join(f"Paragraph {n} of the story." for n in range(12))
    for text, dateline in (
        ("Lab opens\n\nMarch 2024\n\nThe lab opened.\n", True),
        (f"Lab opens\n\n{story}\n\nMarch 2024\n\nThe lab opened.\n", False),  # a timeline's heading, say
    ):
        path = tmp_path / "lab.txt"
        path.write_text(text, "utf-8")
        article = read_article(path, "lab")
        start = text.index("March 2024")
        assert is_top_dateline(article, start, start + len("March 2024")) is dateline
        assert article.date == ("March 2024" if dateline else "")
