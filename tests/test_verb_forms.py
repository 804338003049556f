"""The forms of an irregular verb count as the same word: "spoke" finds "speaking"."""

from __future__ import annotations

import pytest

from index.lexical import terms
from qa.verb_forms import other_forms
from qa.word_forms import expand

TEXT = (
    "Acme news\n\n"
    "Jane Roe wrote about the bakery in May. "
    "Jane Roe spoke about the bakery in March. "
    "Acme bought a bakery in Nantes.\n"
)


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("When did she speak?", "Jane Roe spoke on Monday"),
        ("Who spoke at the fair?", "Speaking at the fair, Jane Roe said ..."),
        ("What did Acme buy?", "Acme bought a bakery"),
        ("Which bakery was bought?", "Acme buys bakeries"),
    ],
)
def test_a_question_verb_matches_its_other_forms(question, sentence):
    expansion = expand(question)
    verbs = [t for t in terms(question) if other_forms(t)]
    assert verbs and not set(verbs) & set(terms(sentence))  # the stemmer alone does not relate them
    assert all(expansion.matches(t, set(terms(sentence))) for t in verbs)


def test_words_that_are_not_irregular_verbs_have_no_other_forms():
    assert other_forms("announc") == ()
    assert expand("When did Acme announce the merger?").words == ""
    # "left" and "found" are left out: they are as often a side and a verb "to found".
    assert other_forms("left") == () and other_forms("found") == ()


def test_a_question_with_another_form_of_the_verb_finds_its_sentence(qa_over):
    bot = qa_over({"news.txt": TEXT})
    # The two sentences share every other word of the question; only "spoke" tells them apart.
    assert bot.ask("When did Jane Roe speak about the bakery?").text == "Jane Roe spoke about the bakery in March."
