"""A span of time in one unit matches the same span in another: "twelve months" finds "one year"."""

from __future__ import annotations

import pytest

from index.lexical import terms
from qa.durations import durations_in
from qa.word_forms import expand

TEXT = (
    "Acme in Lyon\n\n"
    "Acme opened its Lyon lab in May 2020. "
    "In just one year, 40 engineers built 12 products there. "
    "Acme plans to hire 30 more staff for the lab.\n"
)


@pytest.mark.parametrize(
    ("question", "forms"),
    [
        ("What did it do in its first twelve months?", ("1 year", "one year")),
        ("What happened within a year?", ("12 months", "twelve months")),
        ("What changed over 24 months?", ("2 years", "two years")),
        ("What changed in two decades?", ("240 months", "20 years", "twenty years")),
        ("What happened in 14 days?", ("2 weeks", "two weeks")),
        ("What happened in 10 days?", ()),  # no whole number of weeks
        ("How many months did it take?", ()),  # no number
        ("What changed in 3.5 years?", ()),  # not "5 years"
        ("What happened in 1,000 days?", ()),
        ("What changed in 0 years?", ()),
    ],
)
def test_a_duration_has_its_other_forms(question, forms):
    found = durations_in(question)
    assert (found[0].other_forms if found else ()) == forms


def test_a_duration_matches_the_same_span_in_another_unit():
    expansion = expand("What did it achieve in its first twelve months?")
    sentence = set(terms("In just one year, 40 engineers built 12 products."))
    assert expansion.matches("twelv", sentence) and expansion.matches("month", sentence)
    assert not expansion.matches("month", set(terms("In just two years, it built 12 products.")))
