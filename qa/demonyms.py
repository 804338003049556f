"""Places and the words made from them: a question's "Valdorian bank" is in an article on "Valdoria".

A question may name a place by its adjective ("Russian", "Canadian", "Japanese") where the
article names only the place ("Russia", "Canada", "Japan"), or the other way round. For the
check of the names an article never mentions (``qa.mentions``), both are the same name. The
word overlap keeps them apart: in an article about Russia, nearly every sentence names it,
and counting those as having "Russian" drowns the one that says "Russian cybersecurity firm".
The forms are guessed from the usual English endings, without a list of places, so that a
place no list holds ("Valdoria") is found too; a guess counts only when the articles write it as
a name (capitalised mid-sentence), so "Sean" is not "sea" nor "Julian" "July".
Irregular ones ("France" and "French", "Netherlands" and "Dutch") are not found.
"""

from __future__ import annotations

# Adjective endings, longest first: "Brazil-ian", "Japan-ese", "Russia-n", "Israel-i", "Spa-nish".
_ENDINGS = ("ian", "ese", "ish", "an", "n", "i")
# A place's last letter that an ending replaces: "Canad(a)-ian", "Ital(y)-ian", "Chin(a)-ese".
_DROPPED = ("a", "y", "e")
_SHORTEST = 4  # shorter capitalised words ("Hu", "Shi", "Ken") are left alone
# Capitalised words that are no place: "Julian" is not a form of "July".
_NOT_PLACES = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)


def place_forms(word: str) -> list[str]:
    """The other forms of a capitalised word as a place or its adjective (lower case; guesses).

    Example:
        >>> "valdoria" in place_forms("Valdorian")
        True
        >>> "russian" in place_forms("Russia")
        True
        >>> place_forms("Hu")
        []
    """
    word = word.lower()
    if len(word) < _SHORTEST or not word.isalpha():
        return []
    forms: list[str] = []
    for ending in _ENDINGS:  # adjective -> place
        base = word.removesuffix(ending)
        if base != word and len(base) >= 3:
            forms.append(base)
            forms.extend(base + letter for letter in _DROPPED)
    forms.extend(word + ending for ending in _ENDINGS)  # place -> adjective
    if word[-1] in _DROPPED:
        forms.extend(word[:-1] + ending for ending in _ENDINGS)
    return [f for f in dict.fromkeys(forms) if f != word and f not in _NOT_PLACES]
