"""Sentences and passages: exact offsets, no page furniture, one-sentence overlap."""

from __future__ import annotations

import re
import textwrap
import time
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.articles import Article, front_matter_values, load_corpus, read_article
from index.passages import (
    MAX_SENTENCE_WORDS,
    Passage,
    Sentence,
    content_lines,
    paragraphs,
    split_article,
    split_corpus,
    split_sentences,
)
from qa.config import BUILTIN_CORPUS

# Whole lines of the built-in articles that are page furniture, with how often each occurs as a line.
FURNITURE = {
    "001_f43a90984e0dbea0": {
        "Advertisement": 4,
        "Reading Time:2 minutes": 1,
        "Why you can trust SCMP": 1,
        "1": 1,
    },
    "002_1e5c51e8448bc6d1": {
        "Post": 1,
        "More on:": 2,
        "China": 2,
        "Russia": 2,
        "Huawei": 2,
        "Technology and Innovation": 2,
        "5G": 2,
        "Creative Commons": 1,
        "Creative Commons: Some rights reserved.": 1,
        "This work is licensed under Creative Commons Attribution-NonCommercial-NoDerivatives 4.0 International "
        "(CC BY-NC-ND 4.0) License.": 1,
        "View License Detail": 1,
        "Close": 2,
    },
}


@pytest.fixture(scope="module")
def builtin():
    articles = load_corpus(BUILTIN_CORPUS).articles
    sentences, passages = split_corpus(articles)
    return {a.id: a for a in articles}, sentences, passages


def _line_spans(text: str, line: str) -> list[tuple[int, int]]:
    return [m.span(1) for m in re.finditer(rf"^[ \t]*({re.escape(line)})[ \t]*\r?$", text, re.MULTILINE)]


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


# --- the built-in articles ----------------------------------------------------------------------


def test_builtin_articles_split_into_exact_counts(builtin):
    articles, sentences, passages = builtin

    n_sentences = Counter(s.article_id for s in sentences)
    n_passages = Counter(p.article_id for p in passages)
    assert {i: (n_sentences[i], n_passages[i]) for i in articles} == {
        "000_8d8ddf5f4b5d1b8b": (39, 15),
        "001_f43a90984e0dbea0": (20, 8),
        "002_1e5c51e8448bc6d1": (37, 18),
    }
    assert (len(sentences), len(passages)) == (96, 41)


def test_every_sentence_and_passage_quotes_its_article_exactly(builtin):
    articles, sentences, passages = builtin

    for item in (*sentences, *passages):
        text = articles[item.article_id].text
        assert 0 <= item.start < item.end <= len(text)
        assert text[item.start : item.end] == item.text
        assert item.text == item.text.strip()


def test_known_sentence_has_exact_offsets(builtin):
    articles, sentences, _ = builtin
    quote = "Huawei said it will invest 35 million Euros in its Paris OpenLab over five years."

    (match,) = [s for s in sentences if s.text == quote]

    assert (match.article_id, match.start, match.end) == ("000_8d8ddf5f4b5d1b8b", 65, 146)
    assert articles[match.article_id].text.index(quote) == 65


def test_sentences_are_in_order_and_do_not_overlap(builtin):
    _, sentences, _ = builtin

    for before, after in zip(sentences, sentences[1:], strict=False):
        if before.article_id == after.article_id:
            assert before.end <= after.start


def test_furniture_lines_are_in_no_sentence_and_no_passage(builtin):
    articles, sentences, passages = builtin

    for article_id, lines in FURNITURE.items():
        text = articles[article_id].text
        spans = []
        for line, count in lines.items():
            found = _line_spans(text, line)
            assert len(found) == count, line
            spans.extend(found)
        for item in (*sentences, *passages):
            if item.article_id != article_id:
                continue
            for span in spans:
                assert not _overlaps((item.start, item.end), span), (item.text, text[span[0] : span[1]])


def test_markdown_headings_and_press_release_markers_are_not_sentences():
    text = (
        "FOR IMMEDIATE RELEASE\n\n"
        "Acme opens a lab.\n\n"
        "## What the money is for\n\n"
        "The money pays for ten engineers.\n\n"
        "ENDS\n\n"
        "Notes to editors\n\n"
        "Acme makes batteries.\n\n"
        "###\n"
    )
    article = Article("release", "Acme opens a lab", "", "", "", text, 0, "f")

    sentences, passages = split_article(article)

    assert [s.text for s in sentences] == [
        "Acme opens a lab.",
        "The money pays for ten engineers.",
        "Acme makes batteries.",
    ]
    # A heading ends a section: no passage runs across it.
    assert [p.text for p in passages] == [s.text for s in sentences]


def test_breadcrumbs_and_copyright_footers_are_not_sentences():
    text = (
        "Science › Environment\n\n"
        "Bacteria from an alpine lake eat plastic.\n\n"
        "The copyright case was heard on Monday. Copyright law changed in 2019, the minister said.\n\n"
        "© 2024 EarthLab News. All rights reserved.\n"
        "Home » Science » Climate\n"
    )
    article = Article("lake", "Bacteria eat plastic", "", "", "", text, 0, "f")

    sentences, _ = split_article(article)

    assert [s.text for s in sentences] == [
        "Bacteria from an alpine lake eat plastic.",
        "The copyright case was heard on Monday.",
        "Copyright law changed in 2019, the minister said.",
    ]


def test_no_sentence_mentions_furniture_words(builtin):
    _, sentences, _ = builtin

    for s in sentences:
        assert "Advertisement" not in s.text
        assert "Reading Time" not in s.text
        assert "More on:" not in s.text
        assert "View License Detail" not in s.text
        assert "Creative Commons" not in s.text


def test_passage_sentence_range_covers_exactly_the_passage_span(builtin):
    _, sentences, passages = builtin

    for p in passages:
        assert 0 <= p.first_sentence < p.last_sentence <= len(sentences)
        inside = sentences[p.first_sentence : p.last_sentence]
        assert inside[0].start == p.start
        assert inside[-1].end == p.end
        for s in inside:
            assert s.article_id == p.article_id
            assert p.start <= s.start < s.end <= p.end


def test_passages_cover_every_sentence(builtin):
    _, sentences, passages = builtin

    covered = set()
    for p in passages:
        covered.update(range(p.first_sentence, p.last_sentence))
    assert covered == set(range(len(sentences)))


def _segment_of(article: Article, start: int) -> int:
    for number, segment in enumerate(paragraphs(article)):
        if segment[0][0] <= start < segment[-1][1]:
            return number
    raise AssertionError(f"offset {start} is in no segment")


def test_consecutive_passages_in_a_segment_overlap_by_one_sentence(builtin):
    articles, _, passages = builtin

    same_segment = 0
    for before, after in zip(passages, passages[1:], strict=False):
        if before.article_id != after.article_id:
            assert after.first_sentence == before.last_sentence
            continue
        article = articles[before.article_id]
        if _segment_of(article, before.start) == _segment_of(article, after.start):
            same_segment += 1
            assert after.first_sentence == before.last_sentence - 1
        else:
            assert after.first_sentence == before.last_sentence
    assert same_segment == 31


def test_passage_never_crosses_a_segment(builtin):
    articles, _, passages = builtin

    for p in passages:
        article = articles[p.article_id]
        assert _segment_of(article, p.start) == _segment_of(article, p.end - 1)


# --- hard-wrapped text --------------------------------------------------------------------------

WRAPPED = """Acme Posts Record Quarter

Acme Corp reported revenue of 4.2 billion dollars for the first quarter,
up 12 percent from a year earlier, driven by strong demand for its cloud
services in Europe and Asia, where it opened two new data centres.

The firm expects to hire 3,000 engineers over the next two years and to
double its research budget, with most of the new jobs based in Lyon. Its
chief executive said the company would also open an office in Nantes.

Analysts had expected revenue of 4.0 billion dollars. Shares rose 5
percent in early trading on Tuesday after the results were published.
"""


def test_a_title_after_a_full_stop_stays_with_its_name():
    text = (
        "Other scientists welcomed the findings. Dr. Helen Marsh said so. It rained. Mr.\nSmith left. "
        "Who won the final? Kent. The rest lost."
    )
    sentences = [text[s:e] for s, e in split_sentences(text, 0, len(text))]
    assert sentences == [
        "Other scientists welcomed the findings.",
        "Dr. Helen Marsh said so.",
        "It rained.",
        "Mr.\nSmith left.",
        "Who won the final?",
        "Kent.",  # a short sentence of its own, not a title
        "The rest lost.",
    ]


def test_text_without_full_stops_is_cut_into_its_lines_then_into_runs_of_words():
    listing = "\n".join(f"Runner {i} from Brest finished in place {i}" for i in range(300))
    article = Article("results", "Marathon results", "", "", "", f"Marathon results\n\n{listing}\n", 0, "")
    sentences, passages = split_article(article)
    assert [s.text for s in sentences[1:4]] == [f"Runner {i} from Brest finished in place {i}" for i in range(3)]
    assert len(sentences) == 301 and max(p.end - p.start for p in passages) < 400

    line = " ".join(f"w{i}" for i in range(MAX_SENTENCE_WORDS * 2 + 7))  # one line, no full stop
    pieces = [line[s:e] for s, e in split_sentences(line, 0, len(line))]
    assert [len(p.split()) for p in pieces] == [103, 103, 101]  # even runs of at most MAX_SENTENCE_WORDS
    assert " ".join(pieces) == line

    # A long sentence wrapped at a width is no list: it is cut into runs of words, not at every line.
    words = " ".join(["the council said that"] * 40)
    wrapped = "\n".join(textwrap.wrap(f"The mayor said {words} in the end.", 70))
    pieces = [wrapped[s:e] for s, e in split_sentences(wrapped, 0, len(wrapped))]
    assert [len(p.split()) for p in pieces] == [83, 83]


def test_hard_wrapped_article_yields_sentences_spanning_line_breaks():
    article = Article("wrapped", "Acme Posts Record Quarter", "", "", "", WRAPPED, 0, "f")

    sentences, passages = split_article(article)

    assert [s.text for s in sentences] == [
        "Acme Posts Record Quarter",
        "Acme Corp reported revenue of 4.2 billion dollars for the first quarter,\n"
        "up 12 percent from a year earlier, driven by strong demand for its cloud\n"
        "services in Europe and Asia, where it opened two new data centres.",
        "The firm expects to hire 3,000 engineers over the next two years and to\n"
        "double its research budget, with most of the new jobs based in Lyon.",
        "Its\nchief executive said the company would also open an office in Nantes.",
        "Analysts had expected revenue of 4.0 billion dollars.",
        "Shares rose 5\npercent in early trading on Tuesday after the results were published.",
    ]
    for s in sentences:
        assert WRAPPED[s.start : s.end] == s.text
    assert sum("\n" in s.text for s in sentences) == 4
    assert [(p.first_sentence, p.last_sentence) for p in passages] == [(0, 4), (3, 6)]


def test_hard_wrapped_article_keeps_a_wrapped_line_that_repeats_an_earlier_one():
    # Wire copy often ends several paragraphs with the same wrapped tail line.
    text = (
        "Acme Posts Record Quarter\n\n"
        "Acme Corp reported revenue of 4.2 billion dollars for the first quarter,\n"
        "up 12 percent from a year earlier, driven by strong demand for its cloud\n"
        "services in Europe and Asia, where it opened two new data centres,\n"
        "the company said.\n\n"
        "The firm expects to hire 3,000 engineers over the next two years and to\n"
        "double its research budget, with most of the new jobs based in Lyon,\n"
        "the company said.\n\n"
        "Analysts had expected revenue of 4.0 billion dollars. Shares rose 5\n"
        "percent in early trading on Tuesday after the results were published.\n"
    )
    article = Article("wire", "Acme Posts Record Quarter", "", "", "", text, 0, "f")

    sentences, _ = split_article(article)

    assert (
        "The firm expects to hire 3,000 engineers over the next two years and to\n"
        "double its research budget, with most of the new jobs based in Lyon,\n"
        "the company said."
    ) in [s.text for s in sentences]


def test_front_matter_bylines_are_sentences_of_their_own_passage_and_the_keys_are_never_quoted():
    front = "---\ntitle: Lyon lab\npublisher: Le Monde\n---\n"
    text = front + "Acme will invest 10 million euros in Lyon. The lab opens in May.\n"
    article = Article("md", "Lyon lab", "Le Monde", "", "", text, len(front), "f")

    sentences, passages = split_article(article)

    assert [(s.start, s.end, s.text) for s in sentences] == [
        (31, 39, "Le Monde"),
        (44, 86, "Acme will invest 10 million euros in Lyon."),
        (87, 108, "The lab opens in May."),
    ]
    # The byline is a passage of its own: the body's first passage starts at the body.
    assert [(p.start, p.end) for p in passages] == [(31, 39), (44, 108)]
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_front_matter_values_are_found_unquoted_in_lists_and_under_other_names():
    front = (
        "---\n"
        'headline: "Lyon lab opens"\n'
        "authors:\n"
        "  - Ann Lee\n"
        "  - 'Bo Chen'\n"
        "tags: [science, lyon]\n"
        "layout: post\n"
        "pubdate: 2025-03-14\n"
        "publisher: [Lyon Post, 'Lyon Times']\n"
        "---\n"
    )
    article = Article("md", "Lyon lab opens", "", "Ann Lee, Bo Chen", "2025-03-14", front + "Body.\n", len(front), "f")

    values = [article.text[s:e] for s, e in front_matter_values(article)]

    # Not the title: it names the article already.
    assert values == ["Ann Lee", "Bo Chen", "2025-03-14", "Lyon Post", "Lyon Times"]
    sentences, passages = split_article(article)
    assert [p.text for p in passages][:5] == values  # a passage each: none takes in keys or other fields


def test_front_matter_values_are_the_values_the_metadata_reads(tmp_path):
    front = '---\nauthor: ["Ann Lee, Bo Chen"]\npublisher:\n-   \n- Lyon Post\n---\n'
    path = tmp_path / "a.md"
    path.write_text(front + "Lyon lab opens\n\nBody.\n", "utf-8")
    article = read_article(path, "a")

    values = [article.text[s:e] for s, e in front_matter_values(article)]

    assert (article.author, article.source) == ("Ann Lee, Bo Chen", "Lyon Post")
    assert values == ["Ann Lee", "Bo Chen", "Lyon Post"]  # one reader of the front matter serves both


def test_a_long_run_of_spaces_in_front_matter_is_read_at_once():
    front = "---\ntags:\n-" + " " * 200_000 + "\nauthor:" + " " * 200_000 + "\n---\n"
    article = Article("md", "T", "", "", "", front + "Body.\n", len(front), "f")

    started = time.perf_counter()
    assert front_matter_values(article) == []
    assert time.perf_counter() - started < 1.0  # linear: a quadratic reading takes minutes


def test_a_file_without_front_matter_has_no_front_matter_values():
    article = Article("txt", "Title", "", "", "", "Title\n\nauthor: not metadata.\n", 0, "f")

    assert front_matter_values(article) == []


def test_crlf_article_offsets_point_into_the_untranslated_text():
    text = "Title here\r\n\r\nFirst sentence is here. Second one follows.\r\n\r\nA third paragraph.\r\n"
    article = Article("crlf", "Title here", "", "", "", text, 0, "f")

    sentences, _ = split_article(article)

    assert [(s.start, s.end, s.text) for s in sentences] == [
        (0, 10, "Title here"),
        (14, 37, "First sentence is here."),
        (38, 57, "Second one follows."),
        (61, 79, "A third paragraph."),
    ]


def test_sentence_offset_numbers_passages_in_the_corpus_wide_list():
    text = "One sentence here. Two sentences here.\n"
    article = Article("x", "x", "", "", "", text, 0, "f")

    _, passages = split_article(article, sentence_offset=10)

    assert [(p.first_sentence, p.last_sentence) for p in passages] == [(10, 12)]


# --- property: offsets hold for any text ---------------------------------------------------------

_WORDS = st.sampled_from(
    ["Huawei", "invest", "Paris", "the", "35", "million", "U.S.", "Mr.", "e.g.", "1,000", "45.3", "a", "said"]
)
_UNICODE_WORDS = st.text(
    alphabet=st.characters(categories=("Lu", "Ll", "Lo", "Nd", "Mn", "So")), min_size=1, max_size=8
)
_PUNCTUATION = st.sampled_from([".", "!", "?", ",", ";", ":", '"', "“", "”", "’", "(", ")", "...", "—", "-"])
_BREAKS = st.sampled_from(["\n", "\n\n", "\r\n", "\r\n\r\n", "  \n \n", "\t", "\u00a0", "\u2028", "\x0c", "\x85"])
_FURNITURE_LINES = st.sampled_from(
    [
        "Advertisement",
        "Reading Time:2 minutes",
        "Reading Time: 3 min",
        "More on:",
        "China",
        "Technology and Innovation",
        "Creative Commons",
        "View License Detail",
        "Close",
        "12",
        "## What the money is for",
        "FOR IMMEDIATE RELEASE",
        "-ENDS-",
        "###",
    ]
).map(lambda line: f"\n{line}\n")
_PIECES = st.one_of(_WORDS, _WORDS, _WORDS, _UNICODE_WORDS, _PUNCTUATION, _BREAKS, _FURNITURE_LINES)


@st.composite
def _articles(draw) -> Article:
    pieces = draw(st.lists(st.tuples(_PIECES, st.sampled_from([" ", "", " "])), max_size=80))
    body = "".join(piece + gap for piece, gap in pieces)
    front = draw(st.sampled_from(["", "---\ntitle: T\n---\n"]))
    return Article("prop", "T", "", "", "", front + body, len(front), "f")


def _check_split(article: Article, sentences: list[Sentence], passages: list[Passage]) -> None:
    text = article.text
    byline = front_matter_values(article)
    previous_end = 0
    for s in sentences:
        assert text[s.start : s.end] == s.text
        assert s.start < s.end
        assert s.start >= previous_end
        assert s.text == s.text.strip()
        previous_end = s.end
    for p in passages:
        assert text[p.start : p.end] == p.text
        assert p.start < p.end
        assert sentences[p.first_sentence].start == p.start
        assert sentences[p.last_sentence - 1].end == p.end

    assert [(s.start, s.end) for s in sentences[: len(byline)]] == byline
    assert all(s.start >= article.body_start for s in sentences[len(byline) :])
    lines = content_lines(article) + byline
    content = {i for span in lines if span for i in range(*span) if not text[i].isspace()}
    covered = {i for s in sentences for i in range(s.start, s.end)}
    # Every visible character of a content line or front matter value is in a sentence, and nothing else is.
    assert content <= covered
    assert {i for i in covered if not text[i].isspace()} <= content
    assert {i for p in passages for i in range(p.first_sentence, p.last_sentence)} == set(range(len(sentences)))


@settings(max_examples=200, deadline=None)
@given(_articles())
def test_any_text_splits_into_sentences_and_passages_with_exact_offsets(article):
    sentences, passages = split_article(article)

    _check_split(article, sentences, passages)
