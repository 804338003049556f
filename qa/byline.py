"""Questions about an article itself (who wrote it, when, which outlet), answered from its metadata.

The byline and dateline share no words with "Who wrote the CFR piece on Huawei in Russia?", so
neither retrieval nor the reader finds them; the article's metadata (its file's front matter or
sidecar) says who the author is, and the answer is the sentence of the article that prints it.
"""

from __future__ import annotations

import re

from index.articles import dateline_day, is_top_dateline
from index.build import CorpusIndex
from index.metadata import iso_day
from qa.questions import names_in

# The article itself, as a question names it: "it", "this", "the CFR blog post", "the piece on Huawei". "It" and
# "this" only at the question's end or before the verb ("Who wrote it?", "When was it published?"), not in
# "When was it that the Gazette published the letter?"; the words before the kind name it ("the SCMP piece"),
# so "the Harland report in the article" is the report, not the article.
_KINDS = r"(article|story|piece|post|column|op-ed|essay|blog|obituary|editorial)"
_NAMING_WORD = r"(?!(a|an|the|in|of|on|about|for|from|with|by|to|at|that|which)\b)\w+\W+"
_THE_ARTICLE = (
    rf"((it|this)(?=\W*$|\W+(first |originally )?(published|posted|written|dated)\b)"
    rf"|th(e|is|at) ({_NAMING_WORD}){{0,4}}?{_KINDS}\b)"
)
# After a verb with other uses ("Who filed the lawsuit in the story?", "Who ran it?"), only the article
# itself, named right after it: "the wire story", "this piece".
_THE_STORY = rf"(the|this|that) (\w+\W+)?{_KINDS}\b"
_ASKS_AUTHOR = re.compile(
    rf"\bwho (wrote|authored|penned) {_THE_ARTICLE}|\bwho (reported|filed) {_THE_STORY}"
    rf"|\b(which|what) (reporter|journalist|correspondent|writer) (wrote|filed|reported|penned) {_THE_ARTICLE}"
    rf"|\b(author|writer|byline) of {_THE_ARTICLE}"
    r"|\b(article|story|piece|post)['’]s (author|writer|byline)\b|\bwho (is|was) the (author|writer|reporter)\W*$",
    re.I,
)
_ASKS_PUBLISHED = re.compile(
    rf"\b(when|what (date|day)|which (date|day)) (was|is) {_THE_ARTICLE}"
    r"(\W+\w+){0,10}?\W+(published|posted|written|dated)\b"
    rf"|\b(publication|publishing) date(\s+of {_THE_ARTICLE}|\W*$)|{_KINDS}['’]s (publication|publishing) date\b",
    re.I,
)
_OUTLET = r"(news )?(outlet|publication|newspaper|paper|magazine|website|site|publisher|agency|wire|blog)"
_ASKS_PUBLISHER = re.compile(
    rf"\b(which|what) {_OUTLET} (published|ran|printed|carried|posted|put out|released|issued) {_THE_ARTICLE}"
    rf"|\bwho published {_THE_ARTICLE}|\bwho (ran|printed|carried|posted|put out) {_THE_STORY}"
    rf"|\b(publisher|outlet) (of|behind|for) {_THE_ARTICLE}"
    rf"|\b(in|on) (which|what) {_OUTLET} (was|is|did) {_THE_ARTICLE}",
    re.I,
)
_ARTICLE_ABOUT = re.compile(rf"\b{_KINDS}\s+(on|about|of)\b", re.I)


def byline_field(question: str, *, in_conversation: bool = False) -> str | None:
    """ "author" when the question asks who wrote the article, "date" when it asks when it was published,
    "source" when it asks which outlet published it (the ``Article`` field that holds the answer).

    A question that does not say which article ("Who wrote it?", "Who wrote the article?") asks
    about the article of the conversation: asked first, it has none, and gets no byline evidence.
    One that names something ("the SCMP piece") or says what the article is about does.
    """
    if not in_conversation and not names_in(question) and not _ARTICLE_ABOUT.search(question):
        return None
    if _ASKS_AUTHOR.search(question):
        return "author"
    if _ASKS_PUBLISHED.search(question):
        return "date"
    if _ASKS_PUBLISHER.search(question):
        return "source"
    return None


def byline_sentence(index: CorpusIndex, article_id: str, field: str) -> tuple[int, int, int] | None:
    """The first sentence of the article (in reading order) that prints its ``field`` value, with where the
    value stands in the article: ``(sentence position, start, end)``; None when its metadata has no such value
    or no sentence prints it. A date the metadata gives as an ISO day is also found in a dateline that prints
    the same day otherwise ("2025-05-14" in "Updated: 14 May 2025").
    """
    article = index.articles[article_id]
    value = getattr(article, field, "")
    if not value:
        return None
    for position in index.article_sentences(article_id):
        found = _find(index.sentences[position].text, value, several=field == "author")
        if found is not None:
            sentence = index.sentences[position]
            return position, sentence.start + found[0], sentence.start + found[1]
    if field == "date" and iso_day(value):
        # A page's metadata gives "2025-05-14" where its text prints "Updated: 14 May 2025".
        for position in index.article_sentences(article_id):
            sentence = index.sentences[position]
            if not is_top_dateline(article, sentence.start, sentence.end):
                continue
            printed, day = dateline_day(sentence.text)
            if day == iso_day(value):
                start = sentence.start + sentence.text.index(printed)
                return position, start, start + len(printed)
    return None


def _find(sentence: str, value: str, *, several: bool = False) -> tuple[int, int] | None:
    """Where ``value`` (an author or a date from the article's metadata) stands in the sentence, or None.

    With ``several``, the value is a list of names ("Jane Roe, Bo Chen", "Jane Roe and Bo Chen"),
    and the span runs from the first one found to the last.
    """
    if several:
        found = [f for name in re.split(r",\s*|\s+and\s+", value) if (f := _find(sentence, name)) is not None]
        return (min(f[0] for f in found), max(f[1] for f in found)) if found else None
    words = value.split()
    if not words:
        return None
    # From the start of a word: "Ian" is not in "Italian"; the end is left open for bylines printed
    # glued to the next word ("Iris Dengin Barcelona"). Any run of spaces between the value's words.
    match = re.search(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words), sentence, re.I)
    return match.span() if match else None
