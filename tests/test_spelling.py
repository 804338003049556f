"""Mending a question's typos to the articles' own words (``qa.spelling``)."""

from __future__ import annotations

import pytest

from qa.spelling import mend_spelling

COUNTS = {"huawei": 40, "sberbank": 3, "boston": 5, "smartphone": 2, "valdoria": 4, "arpanet": 2, "lyon": 3}


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("When did Huwaei partner with Sberbnak?", "When did Huawei partner with Sberbank?"),  # swapped, dropped
        ("Who runs huawaei?", "Who runs huawei?"),  # a letter added; lower case kept
        ("What is ARPNET?", "What is ARPANET?"),  # capitals kept
        ("Where is Hvawei based?", "Where is Huawei based?"),  # a letter changed
    ],
)
def test_a_slip_from_an_articles_word_is_read_as_that_word(typed, read):
    assert mend_spelling(typed, COUNTS) == read


@pytest.mark.parametrize(
    "typed",
    [
        "What does the W and Z boson exchange create?",  # English, though one slip from "boston"
        "How many smartphones did it ship?",  # a form of the articles' "smartphone"
        "What did the Valdorian bank decide?",  # ... and of "valdoria"
        "Who runs Huaweii?",  # an ending added is taken for a form of the word too
        "Who is Lyan?",  # too short to tell a slip from another name
        "Who founded Tomsk Instruments?",  # far from every word of the articles: left for no_answer to judge
        "Quién fundó Huawéi?",  # not ASCII
    ],
)
def test_english_words_word_forms_short_and_unknown_names_are_left(typed):
    assert mend_spelling(typed, COUNTS) == typed


def test_two_words_as_near_and_as_frequent_leave_the_word_as_typed():
    assert mend_spelling("Who is Berton?", {"barton": 2, "burton": 2}) == "Who is Berton?"
    assert mend_spelling("Who is Berton?", {"barton": 2, "burton": 3}) == "Who is Burton?"
