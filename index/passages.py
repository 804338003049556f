"""Article text -> sentences -> passages, every one with ``[start, end)`` offsets.

Steps, each keeping offsets into the untouched article text:

1. Lines are classified as content, blank or page furniture ("Advertisement",
   "Reading Time: 2 minutes", "More on:" tag lists, licence and copyright footers, breadcrumbs
   ("Science › Environment"), Markdown
   headings, a press release's "FOR IMMEDIATE RELEASE" and "ENDS", lines
   repeated from earlier in the article). Furniture is never indexed. A byline printed on a line of its
   own near the top ("By Jane Doe, Valley Post") is a segment of its own.
2. Runs of content lines between furniture form segments; a passage never
   crosses a segment, so ``text[start:end]`` of a passage is clean article text.
3. Within a segment, paragraphs (a line each, or blank-line separated blocks
   when the file is hard-wrapped) are split into sentences by Bling Fire's
   sentence breaker.
4. Passages are windows of consecutive sentences with a one-sentence overlap.

A Markdown file's front matter gives more segments before the body: its publisher, author and
date values, a sentence and a passage each, so that the byline can be quoted (only byline
questions are answered from them, see ``qa.byline``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import blingfire

from index.articles import BYLINE_LINES, Article, front_matter_values, is_printed_byline

PASSAGE_TARGET_WORDS = 70
# Longer than this is no sentence (3 of SQuAD dev's 10,251 are): it is cut at its lines, then at words.
MAX_SENTENCE_WORDS = 150
PASSAGE_MAX_SENTENCES = 4
# Bump whenever the output of this module, or what index.articles reads from a file, changes, so
# saved indexes are rebuilt.
SEGMENTATION_VERSION = "15"

_FURNITURE_LINES = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"advertisement",
        r"reading time:?\s*\d+\s*min(ute)?s?",
        r"why you can trust \S+",
        r"creative commons(:.*)?",
        # A copyright footer ("© 2024 EarthLab News. All rights reserved.").
        r"©.{0,100}|(\(c\)|copyright)\s*\d{4}\b.{0,80}|(.{0,80}\ball )?rights reserved\.?",
        # A breadcrumb ("Science › Environment", "Home » Sport » Football").
        r"[^\W\d][\w'’&-]*( [^\W\d][\w'’&-]*){0,3}( ?[›»] ?[^\W\d][\w'’&-]*( [^\W\d][\w'’&-]*){0,3}){1,5}",
        r"this work is licensed under .*",
        r"view licen[cs]e details?",
        r"(close|share|print|email|post|comments?)",
        r"\d{1,4}",
        r"(related|read more|recommended|more on|tags|topics)( articles| stories)?:?",
        # A Markdown heading ("## What the money is for") is a section's label, not a sentence of it.
        r"#{1,6}(\s.*)?",
        # A press release's markers.
        r"(for immediate release|(-+|#+)?\s*ends\s*(-+|#+)?|notes? to editors:?)",
    )
]
_TAG_LIST_HEADERS = re.compile(r"(more on|tags|topics|related topics):?", re.IGNORECASE)
_TAG_MAX_WORDS = 5
_SENTENCE_END = re.compile(r"[.!?:;\"”’)\]]\s*$")


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article: ``article.text[start:end] == text``."""

    article_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Passage:
    """A window of consecutive sentences: ``article.text[start:end] == text``.

    ``first_sentence`` and ``last_sentence`` are positions (inclusive, exclusive)
    in the corpus-wide sentence list that :func:`split_corpus` returns.
    """

    article_id: str
    start: int
    end: int
    text: str
    first_sentence: int
    last_sentence: int


def content_lines(article: Article) -> list[tuple[int, int] | None]:
    """Each line of the article body as ``(start, end)`` of its stripped content, or None.

    None marks a break between segments: a line of page furniture, or either side of a printed byline
    (a segment of its own). Blank lines are returned as empty spans ``(start, start)`` so that
    paragraphs can be found.
    """
    text = article.text
    lines: list[tuple[int, int] | None] = []
    seen: set[str] = set()
    in_tag_list = False
    # In hard-wrapped text a repeated line is usually part of a paragraph ("the company said."),
    # not a repeated caption or headline.
    drop_repeats = not _is_hard_wrapped(
        text, [(s, e) for s, e in _line_spans(text, article.body_start) if text[s:e].strip()]
    )
    near_top = 0  # content lines seen: a byline is printed among the first ones
    for line_start, line_end in _line_spans(text, article.body_start):
        raw = text[line_start:line_end]
        stripped = raw.strip()
        if not stripped:
            lines.append((line_start, line_start))
            continue
        near_top += 1
        if near_top <= BYLINE_LINES + 1 and is_printed_byline(stripped):
            # A segment of its own: a sentence and a passage that no other sentence shares, which only a
            # question about the article's author reads (``qa.pick``, ``qa.byline``).
            lines.extend([None, _stripped(text, line_start, line_end), None])
            continue
        key = " ".join(stripped.lower().split())
        if in_tag_list and len(stripped.split()) <= _TAG_MAX_WORDS and not _SENTENCE_END.search(stripped):
            lines.append(None)
            continue
        in_tag_list = bool(_TAG_LIST_HEADERS.fullmatch(stripped))
        if in_tag_list or (drop_repeats and key in seen) or any(p.fullmatch(stripped) for p in _FURNITURE_LINES):
            lines.append(None)
            continue
        seen.add(key)
        lines.append(_stripped(text, line_start, line_end))
    return lines


def paragraphs(article: Article) -> list[list[tuple[int, int]]]:
    """Segments of the article, each a list of paragraph spans ``(start, end)``."""
    lines = content_lines(article)
    wrapped = _is_hard_wrapped(article.text, [span for span in lines if span and span[0] != span[1]])
    segments: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    open_paragraph: tuple[int, int] | None = None
    for span in lines:
        if span is None or span[0] == span[1]:
            if open_paragraph:
                current.append(open_paragraph)
                open_paragraph = None
            if span is None and current:
                segments.append(current)
                current = []
            continue
        if wrapped and open_paragraph:
            open_paragraph = (open_paragraph[0], span[1])
        else:
            if open_paragraph:
                current.append(open_paragraph)
            open_paragraph = span
    if open_paragraph:
        current.append(open_paragraph)
    if current:
        segments.append(current)
    return segments


# A "sentence" that is a title before a name: Bling Fire ends a sentence after one that follows another
# sentence ("It rained. Mr. Smith left." gives "Mr." alone), so it joins the next one.
_TITLE_ALONE = re.compile(r"(Mr|Mrs|Ms|Mx|Dr|Prof|St|Sen|Rep|Gov|Gen|Lt|Col|Capt|Cmdr|Sgt|Rev|Hon|Pres|Fr|Mt|Ft)\.")
_WORD = re.compile(r"\S+")


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside ``text[start:end]``, stripped of surrounding whitespace.

    Example:
        >>> text = "It rained. Mr. Smith left."
        >>> [text[s:e] for s, e in split_sentences(text, 0, len(text))]
        ['It rained.', 'Mr. Smith left.']
    """
    chunk = text[start:end]
    if not chunk.strip():
        return []
    _, offsets = blingfire.text_to_sentences_and_offsets(chunk)
    spans = []
    for s, e in offsets:
        span = _stripped(text, start + s, start + e)
        if span[1] > span[0]:
            if spans and _TITLE_ALONE.fullmatch(text, *spans[-1]):
                span = (spans.pop()[0], span[1])
            spans.append(span)
    return [piece for span in spans or [(start, end)] for piece in _shortened(text, *span)]


def _shortened(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A sentence as it is, or one too long to be one (a list, a transcript without full stops) in pieces:
    a list's lines, and what is still too long in even runs of at most ``MAX_SENTENCE_WORDS`` words, so that
    every fact in it can be found and quoted alone."""
    words = [m.span() for m in _WORD.finditer(text, start, end)]
    if len(words) <= MAX_SENTENCE_WORDS:
        return [(start, end)]
    lines = [_stripped(text, s, e) for s, e in _line_spans(text[:end], start) if text[s:e].strip()]
    # A list's lines begin as items do (a capital, a digit, a bullet); a long sentence wrapped at a width
    # goes on in lower case, and is cut into runs of words instead.
    if len(lines) > 1 and sum(not text[s].islower() for s, _ in lines) >= 0.8 * len(lines):
        return [piece for s, e in lines for piece in _shortened(text, s, e)]
    runs = -(-len(words) // MAX_SENTENCE_WORDS)
    size = -(-len(words) // runs)
    return [(words[i][0], words[min(i + size, len(words)) - 1][1]) for i in range(0, len(words), size)]


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` without the white space at either end of ``text[start:end]``."""
    piece = text[start:end]
    return start + len(piece) - len(piece.lstrip()), start + len(piece.rstrip())


def split_article(article: Article, sentence_offset: int = 0) -> tuple[list[Sentence], list[Passage]]:
    """Sentences and passages of one article.

    Args:
        article: The article to split.
        sentence_offset: Position of this article's first sentence in the corpus-wide list.
    """
    sentences: list[Sentence] = []
    passages: list[Passage] = []
    text = article.text
    # The front matter's publisher, author and date: each a sentence and a passage of its own (a passage
    # spanning several would take in the keys and the fields between them).
    segments = [([value], False) for value in front_matter_values(article)]
    segments += [(segment, True) for segment in paragraphs(article)]
    for segment, split in segments:
        if not segment:
            continue
        first = len(sentences)
        for para_start, para_end in segment:
            spans = split_sentences(text, para_start, para_end) if split else [(para_start, para_end)]
            for s, e in spans:
                sentences.append(Sentence(article.id, s, e, text[s:e]))
        for lo, hi in sentence_windows([len(s.text.split()) for s in sentences[first:]]):
            start, end = sentences[first + lo].start, sentences[first + hi - 1].end
            passages.append(
                Passage(
                    article.id, start, end, text[start:end], sentence_offset + first + lo, sentence_offset + first + hi
                )
            )
    return sentences, passages


def split_corpus(articles: Iterable[Article]) -> tuple[list[Sentence], list[Passage]]:
    """Sentences and passages of every article, in article order."""
    sentences: list[Sentence] = []
    passages: list[Passage] = []
    for article in articles:
        s, p = split_article(article, sentence_offset=len(sentences))
        sentences.extend(s)
        passages.extend(p)
    return sentences, passages


def sentence_windows(word_counts: Sequence[int]) -> list[tuple[int, int]]:
    """``[lo, hi)`` sentence windows of about PASSAGE_TARGET_WORDS, overlapping by one sentence."""
    windows = []
    lo, n = 0, len(word_counts)
    while lo < n:
        hi, words = lo, 0
        while hi < n and (hi == lo or (words < PASSAGE_TARGET_WORDS and hi - lo < PASSAGE_MAX_SENTENCES)):
            words += word_counts[hi]
            hi += 1
        windows.append((lo, hi))
        if hi >= n:
            break
        lo = hi - 1 if hi - lo > 1 else hi
    return windows


def _line_spans(text: str, start: int) -> Iterable[tuple[int, int]]:
    pos = start
    for line in text[start:].splitlines(keepends=True):
        content = line.rstrip("\r\n")
        yield pos, pos + len(content)
        pos += len(line)


def _is_hard_wrapped(text: str, spans: list[tuple[int, int]]) -> bool:
    """True when the file wraps paragraphs over several lines at a fixed width."""
    if len(spans) < 5:
        return False
    lengths = [e - s for s, e in spans]
    if max(lengths) > 100:
        return False
    open_ends = sum(1 for s, e in spans if not _SENTENCE_END.search(text[s:e]))
    return open_ends / len(spans) >= 0.5
