"""Mending a question's typos to the articles' own words (``qa.spelling``)."""

from __future__ import annotations

import pytest

from qa.spelling import mend_spelling

COUNTS = {
    "huawei": 40,
    "sberbank": 3,
    "boston": 5,
    "smartphone": 2,
    "valdoria": 4,
    "arpanet": 2,
    "lyon": 3,
    "mining": 4,
    "paris": 6,
    "cases": 3,
    "hervé": 1,
    "herve": 1,
    "serve": 2,
    "could": 5,
    "brief": 2,
}
NAMES = frozenset({"huawei", "sberbank", "boston", "valdoria", "arpanet", "lyon", "paris", "hervé", "herve"})


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("When did Huwaei partner with Sberbnak?", "When did Huawei partner with Sberbank?"),  # swapped, dropped
        ("Who runs huawaei?", "Who runs huawei?"),  # a letter added; lower case kept
        ("When did Huawei buy Sberbankk?", "When did Huawei buy Sberbank?"),  # ... at the end, not an ending
        ("What is ARPNET?", "What is ARPANET?"),  # capitals kept
        ("Where is Hvawei based?", "Where is Huawei based?"),  # a letter changed
        ("Where is Caris?", "Where is Paris?"),  # a name that is a slip from a name: mended (and said so)
        ("Who is Huwaei's chief?", "Who is Huawei's chief?"),  # a possessive keeps its "'s"
    ],
)
def test_a_slip_from_an_articles_word_is_read_as_that_word(typed, read):
    assert mend_spelling(typed, COUNTS, NAMES) == read


@pytest.mark.parametrize(
    "typed",
    [
        "What does the W and Z boson exchange create?",  # English, though one slip from "boston"
        "Which cafes near the museum will close?",  # the embedder's word, though not pyspellchecker's
        "How many smartphones did it ship?",  # a form of the articles' "smartphone"
        "What did the Valdorian bank decide?",  # ... and of "valdoria"
        "Did Huawei open a centre in Xining?",  # a name is read only as a name, not as "mining"
        "When did Herve serve as a general?",  # the articles' "Hervé" without its accent
        "Why couldn't it?",  # joined by an apostrophe ...
        "What did Conan O'Brief say?",  # ... or a hyphen: never mended in pieces
        "Where is Wessel-Datteln?",
        "Who is Lyan?",  # too short to tell a slip from another name
        "Who founded Tomsk Instruments?",  # far from every word of the articles: left for no_answer to judge
        "Quién fundó Huawéi?",  # not ASCII
    ],
)
def test_known_words_word_forms_other_names_and_short_words_are_left(typed):
    assert mend_spelling(typed, COUNTS, NAMES) == typed


def test_two_words_as_near_and_as_frequent_leave_the_word_as_typed():
    assert mend_spelling("Who is berton?", {"barton": 2, "burton": 2}) == "Who is berton?"
    assert mend_spelling("Who is berton?", {"barton": 2, "burton": 3}) == "Who is burton?"


def test_word_counts_count_sentences_and_labels_and_accented_words_also_without_accents(qa_over):
    front_matter = "---\ntitle: A new lab\npublisher: Lyon Daily\n---\n\n"
    bot = qa_over({"lab.md": front_matter + "The lab opened. Hervé said it cost 3 euros.\n"})
    counts = bot.index.word_counts()
    assert counts["hervé"] == counts["herve"] == 1
    assert counts["opened"] == 1 and counts["lab"] >= 2  # the text's, and the title's
    assert counts["daily"] >= 1  # the publisher
    assert "3" not in counts  # letters only
    assert bot.index.word_counts() is counts  # computed once
