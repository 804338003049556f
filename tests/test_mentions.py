"""Whether an article mentions what a question names (``qa.mentions``)."""

from __future__ import annotations

import json

import pytest

from qa.mentions import lacks_a_name, mentioned
from qa.query import Query
from qa.retrieve import retrieve


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
    assert mentioned(name, vocabulary, known)
    assert not mentioned("kaspersky", vocabulary, known)


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
    assert not mentioned(name, vocabulary, bot.index.names())


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
