"""Durations: a question's "first twelve months" finds an article's "in just one year".

News gives a span of time in whichever unit reads best ("18 months", "two decades",
"a fortnight" aside), and a question may use another. A duration in the question
("twelve months", "a year", "2 weeks") is matched by the same span in another unit,
written in digits or in words: 12 months = 1 year, 10 years = 1 decade, 7 days = 1 week.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.lexical import terms

_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty"
).split()
_TENS = {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_NUMBER_OF = {word: n for n, word in enumerate(_WORDS)} | _TENS | {"a": 1, "an": 1}
_WORD_OF = {n: word for word, n in _NUMBER_OF.items() if word not in ("a", "an", "zero")}
#: Each unit in the smallest unit of its family: days (day, week) or months (month, year, decade).
_UNITS = {"day": ("day", 1), "week": ("day", 7), "month": ("month", 1), "year": ("month", 12), "decade": ("month", 120)}
# A count on its own: not the end of "3.5", "1,000" or "twenty-four".
_DURATION = re.compile(rf"(?<![\w.,-])(\d+|{'|'.join(_NUMBER_OF)})[\s-]+({'|'.join(_UNITS)})s?\b", re.I)


@dataclass(frozen=True)
class Duration:
    """A duration written in a question, and the same span in other units.

    Attributes:
        words: The question's words for it ("twelve months").
        other_forms: The same span in each other unit, in digits and in words ("1 year", "one year").
    """

    words: str
    other_forms: tuple[str, ...]


def durations_in(question: str) -> list[Duration]:
    """The durations a question gives, each with its other forms.

    Example:
        >>> durations_in("What did it achieve in its first twelve months?")
        [Duration(words='twelve months', other_forms=('1 year', 'one year'))]
        >>> durations_in("What happened in a decade?")[0].other_forms
        ('120 months', '10 years', 'ten years')
    """
    found = []
    for match in _DURATION.finditer(question):
        number = match.group(1).lower()
        count = int(number) if number.isdigit() else _NUMBER_OF[number]
        if count == 0:
            continue
        family, size = _UNITS[match.group(2).lower()]
        span = count * size
        forms: list[str] = []
        for unit, (unit_family, unit_size) in _UNITS.items():
            if unit_family != family or unit_size == size or span % unit_size:
                continue
            n = span // unit_size
            plural = unit if n == 1 else f"{unit}s"
            forms.append(f"{n} {plural}")
            if n in _WORD_OF:
                forms.append(f"{_WORD_OF[n]} {plural}")
        if forms:
            found.append(Duration(match.group(0), tuple(forms)))
    return found


def duration_forms(question: str) -> tuple[dict[str, list[tuple[str, ...]]], list[str]]:
    """The other forms of the question's durations: for each stemmed term of a duration, the groups
    of stemmed terms that count as it, and the other forms as words (for BM25).

    Example:
        >>> duration_forms("What did it achieve in its first twelve months?")
        ({'twelv': [('1', 'year'), ('one', 'year')], 'month': [('1', 'year'), ('one', 'year')]}, ['1 year', 'one year'])
    """
    alternatives: dict[str, list[tuple[str, ...]]] = {}
    extra: list[str] = []
    for duration in durations_in(question):
        groups = [tuple(terms(form)) for form in duration.other_forms]
        for term in terms(duration.words):
            alternatives.setdefault(term, []).extend(groups)
        extra.extend(duration.other_forms)
    return alternatives, extra
