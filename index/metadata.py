"""Article metadata a reader accepts: authors that are people, dates as ISO days.

Extractors (index/html.py, index/pdf.py, index/docx.py) take what a file says about itself,
which is often not what a reader would call the author or the date: a publisher's name in the
author field ("BBC News", "Condé Nast"), "By" and a job title attached ("By Jane Doe, Senior
Correspondent"), a timestamp or a placeholder date ("0001-01-01T00:00:00Z"). These functions
turn that into a list of people and a day, or nothing.
"""

from __future__ import annotations

import datetime
import re

# Words that make a name an organisation's or a job's, not a person's ("BBC News", "Staff Writer").
NOT_A_PERSON = {
    "agency",
    "associated",
    "bureau",
    "chief",
    "columnist",
    "contributor",
    "contributors",
    "correspondent",
    "desk",
    "editor",
    "editorial",
    "editors",
    "group",
    "inc",
    "llc",
    "ltd",
    "magazine",
    "media",
    "nast",
    "network",
    "news",
    "newsroom",
    "press",
    "reporter",
    "senior",
    "staff",
    "team",
    "times",
    "wire",
    "writer",
}
_FUNCTION_WORDS = {"the", "and", "for", "of"}
_BY = re.compile(r"^(?:written\s+|reported\s+)?by\b[:\s]*", re.IGNORECASE)
# Between authors: "; " (trafilatura's own separator), ",", " and ", " & ", " | ".
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:;|,|\||\s&\s|\sand\s)\s*", re.IGNORECASE)
_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:$|[T\s])")
# English month names whatever the process's locale (strftime("%B") follows it).
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# The earliest day taken as a news article's: placeholder dates ("0001-01-01") come before it.
_EARLIEST_YEAR = 1900


def person_authors(value: str, *, publisher: str = "") -> str:
    """The people among the authors ``value`` names, joined by ", "; "" if none is a person.

    Example:
        >>> person_authors("By Jane Doe, Senior Correspondent; John Roe", publisher="Daily Planet")
        'Jane Doe, John Roe'
        >>> person_authors("BBC News", publisher="BBC")
        ''
    """
    people: list[str] = []
    for number, part in enumerate(_AUTHOR_SEPARATORS.split(value or "")):
        name = " ".join(_BY.sub("", part.strip()).split()).strip(" .-–—:")
        words = re.findall(r"[\w’'-]+", name.lower())
        if not words or len(words) > 5 or any(ch.isdigit() for ch in name) or "@" in name or "/" in name:
            continue
        if NOT_A_PERSON.intersection(words) or names_outlet(name, publisher, after_an_author=number > 0):
            continue
        if name not in people:
            people.append(name)
    return ", ".join(people)


def names_outlet(name: str, publisher: str, *, after_an_author: bool) -> bool:
    """Whether an author's ``name`` names the publisher ("BBC News" of BBC News, "Reuters" of Reuters Media) or
    one of its desks or editions ("VBN Wales" of Valley Broadcasting News), not a person; False when the
    publisher is not known.

    Example:
        >>> names_outlet("Valley Post", "The Valley Post", after_an_author=True)
        True
    """
    publisher_key, key = _key(publisher), _key(name)
    if not publisher_key or not key:
        return False
    if key == publisher_key or (len(name.split()) == 1 and publisher_key.startswith(key)):
        return True
    return _names_desk(name, publisher, after_an_author=after_an_author)


def _names_desk(name: str, publisher: str, *, after_an_author: bool) -> bool:
    """Whether ``name`` is a desk or an edition of the publisher, not a person: it holds the publisher's
    initials ("VBN Wales" of Valley Broadcasting News), or, after an author, begins with a word of the
    publisher's name ("Jane Doe, Planet Sport" of the Daily Planet; but "Steve Forbes" of Forbes, or
    "Anna Smith" of the Smith Gazette, is a person)."""
    own = {w.lower() for w in re.findall(r"[\w’'-]{3,}", publisher)} - _FUNCTION_WORDS
    capitals = [w for w in re.findall(r"[\w’'-]+", publisher) if w[0].isupper() and w.lower() not in _FUNCTION_WORDS]
    initials = "".join(w[0] for w in capitals) if len(capitals) >= 2 else ""
    words = re.findall(r"[\w’'-]+", name)
    if initials and initials in words:
        return True
    return after_an_author and bool(words) and words[0].lower() in own


def iso_day(value: str) -> str:
    """The day an ISO date or timestamp names, as YYYY-MM-DD; "" for no date or a placeholder.

    Example:
        >>> iso_day("2019-05-16T08:30:00+01:00"), iso_day("0001-01-01T00:00:00Z"), iso_day("May 2019")
        ('2019-05-16', '', '')
    """
    match = _ISO_DAY.match(value or "")
    if match is None:
        return ""
    try:
        day = datetime.date(*(int(g) for g in match.groups()))
    except ValueError:
        return ""
    return day.isoformat() if day.year >= _EARLIEST_YEAR else ""


def readable_date(value: str) -> str:
    """A date as people read it: an ISO day becomes "16 May 2019"; anything else is shown as given.

    Example:
        >>> readable_date("2019-05-16"), readable_date("October 28, 2020")
        ('16 May 2019', 'October 28, 2020')
    """
    day = iso_day(value) if len(value.strip()) == 10 else ""
    if not day:
        return value
    parsed = datetime.date.fromisoformat(day)
    return f"{parsed.day} {_MONTHS[parsed.month - 1]} {parsed.year}"


def _key(name: str) -> str:
    return re.sub(r"[^\w]+", "", name.lower())
