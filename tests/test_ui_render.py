"""The chat page's HTML (ui.render): quotes in context, source cards, the article viewer, and escaping.

Fast: articles in a temporary folder, the fake embedder, no browser.
"""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser

import pytest

from index.articles import Article, SkippedFile
from qa import QA
from qa.answer import Answer, Citation
from qa.cli import _parser, main
from ui.examples import answered, candidate_questions
from ui.render import quote_in_context, render_answer, render_article, render_article_list, render_conversation
from ui.transcript import conversation_markdown, markdown_text
from ui.uploads import save_upload

EVIL_TITLE = '<b>Bold</b> claims & <script>alert("title")</script>'
EVIL_TEXT = (
    f"{EVIL_TITLE}\n\n"
    "The council met on <script>window.__pwned = 1</script> Monday to vote on the new bridge.\n\n"
    'The bridge will cost 40 million dollars <img src=x onerror="window.__pwned = 2"> and open in 2027. '
    "Residents said {{value}} and ${1+1} were printed on the posters.\n\n"
    "The mayor did not comment.\n"
)
PLAIN_TEXT = (
    "Harbour ferry returns after repairs\n\n"
    "The harbour ferry will run again from Monday. It was out of service for six weeks.\n\n"
    "Tickets cost two euros.\n"
)
BRIDGE_QUOTE = 'The bridge will cost 40 million dollars <img src=x onerror="window.__pwned = 2"> and open in 2027.'

# Everything ui.render emits; an article's or a question's markup must never add to it.
RENDERED_TAGS = {"div", "span", "p", "blockquote", "a", "ol", "li", "mark", "button", "article", "h3", "strong"}
RENDERED_TAGS |= {"table", "thead", "tbody", "tr", "th", "td", "ul"}  # the article list


class _Page(HTMLParser):
    """Tags, text, the text inside <mark> elements (quotes on cards and in the article) and inside
    <mark class="qa-span"> (the short answer in the answer's quote) of an HTML fragment."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.marks: list[str] = []
        self.spans: list[str] = []
        self._open: list[list[str]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "mark":
            found = self.spans if ("class", "qa-span") in attrs else self.marks
            found.append("")
            self._open.append(found)

    def handle_endtag(self, tag):
        if tag == "mark":
            self._open.pop()

    def handle_data(self, data):
        self.text.append(data)
        if self._open:
            self._open[-1][-1] += data


@pytest.fixture
def bot(tmp_path, fake_embedder):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "evil.txt").write_text(EVIL_TEXT, encoding="utf-8")
    (folder / "ferry.txt").write_text(PLAIN_TEXT, encoding="utf-8")
    return QA(folder, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)


def _citation(bot: QA, article_id: str, quote: str) -> Citation:
    article = bot.get_article(article_id)
    start = article.text.index(quote)
    end = start + len(quote)
    return Citation(article.id, article.title, article.source, article.date, quote, start, end, 1.0, start, end)


def test_quote_in_context_is_the_quotes_paragraph():
    text = "Title\n\nOne. Two. Three.\n\nNext paragraph."
    assert quote_in_context(text, 12, 16) == ("One. ", "Two.", " Three.")


def test_quote_in_context_joins_hard_wrapped_lines():
    text = "Title\n\nThe first line of a paragraph\nwrapped here. The quoted\nsentence. And the end.\n\nNext."
    start = text.index("The quoted")
    end = text.index("sentence.") + len("sentence.")
    assert quote_in_context(text, start, end) == (
        "The first line of a paragraph wrapped here. ",
        "The quoted sentence.",
        " And the end.",
    )


def test_quote_in_context_uses_the_line_when_the_block_is_long():
    lines = [f"Line {n} says something rather long about the topic of the day, number {n}." for n in range(20)]
    text = "\n".join(lines)
    start = text.index("Line 10 ")
    end = start + len(lines[10])
    assert quote_in_context(text, start, end, limit=300) == ("", lines[10], "")


def test_quote_in_context_cuts_a_long_line_at_words():
    words = " ".join(f"word{n}" for n in range(400))
    start = words.index("word200")
    end = start + len("word200")
    before, quote, after = quote_in_context(words, start, end, limit=100)
    assert quote == "word200"
    assert before.startswith("…word") and before.endswith("word199 ")
    assert after.startswith(" word201") and after.endswith("…")
    assert len(before) + len(after) <= 110


def test_quote_in_context_of_the_body_shows_no_front_matter():
    text = "---\ntitle: Tram vote\nauthor: Claire Hollis\n---\nThe council voted on Monday. The tram costs 40 million."
    start = text.index("The tram")
    body_start = text.index("The council")
    before, quote, after = quote_in_context(text, start, start + 25, body_start=body_start)
    assert (before, quote) == ("The council voted on Monday. ", "The tram costs 40 million")
    # A front matter value quoted (a byline question) keeps its own paragraph.
    author = text.index("Claire")
    assert quote_in_context(text, author, author + 13, body_start=body_start)[1] == "Claire Hollis"


def test_quote_in_context_rejects_offsets_outside_the_text():
    with pytest.raises(ValueError, match="outside the article"):
        quote_in_context("short", 2, 99)


def test_answer_shows_quote_marker_and_source_card(bot):
    citation = _citation(bot, "ferry", "It was out of service for six weeks.")
    answer = Answer("How long was the ferry out of service?", citation.quote, False, 0.91, [citation])
    html = render_answer(answer, bot.get_article)
    page = _Page(html)
    assert 'class="qa-answer"><mark class="qa-span">It was out of service for six weeks.</mark> <a href="#"' in html
    assert 'data-article="ferry"' in html and f'data-start="{citation.start}"' in html
    assert "[1]" in "".join(page.text)
    assert "Harbour ferry returns after repairs" in "".join(page.text)
    assert '<span class="qa-card-id">ferry</span>' in html  # which file: two copies of one story differ here
    assert "confidence 0.91" in html
    # The card shows the quote highlighted inside its paragraph.
    assert page.marks == ["It was out of service for six weeks."]
    assert "The harbour ferry will run again from Monday. It was out of service for six weeks." in "".join(page.text)


def test_an_answer_to_a_question_with_a_typo_says_how_it_was_read(bot):
    citation = _citation(bot, "ferry", "It was out of service for six weeks.")
    typed = Answer("How long was the fery <b>out</b>?", citation.quote, False, 0.91, [citation])
    read = Answer(typed.question, citation.quote, False, 0.91, [citation], read_as="How long was the ferry <b>out</b>?")
    assert "Read as" not in render_answer(typed, bot.get_article)
    html = render_answer(read, bot.get_article)
    assert '<p class="qa-read-as">Read as: <em>How long was the ferry &lt;b&gt;out&lt;/b&gt;?</em></p>' in html


@pytest.mark.parametrize("change", ["edited", "removed"])
def test_an_earlier_answer_whose_article_changed_since_shows_its_quote_as_given(bot, tmp_path, change):
    """The chat page redraws earlier answers after it picked up another process's sync."""
    citation = _citation(bot, "ferry", "It was out of service for six weeks.")
    answer = Answer("How long was the ferry out of service?", citation.quote, False, 0.91, [citation])
    ferry = tmp_path / "articles" / "ferry.txt"
    if change == "edited":
        ferry.write_text(PLAIN_TEXT.replace("The harbour", "Since May, the harbour"), "utf-8")
    else:
        ferry.unlink()
    bot.sync()

    html = render_answer(answer, bot.get_article)
    page = _Page(html)

    assert page.marks == ["It was out of service for six weeks."]
    assert "answer; this article has changed or been removed since" in "".join(page.text)
    assert 'class="qa-cite"' not in html  # nothing left that would open the article at the old offsets


def test_article_markup_in_title_quote_and_question_is_shown_as_text(bot):
    quote = _citation(bot, "evil", BRIDGE_QUOTE)
    answer = Answer('<i onmouseover="x()">How much</i> will the bridge cost?', BRIDGE_QUOTE, False, 0.8, [quote])
    html = render_conversation([answer], bot.get_article)
    page = _Page(html)
    assert set(page.tags) <= RENDERED_TAGS, f"markup from the article got through: {set(page.tags) - RENDERED_TAGS}"
    assert "<script" not in html.lower() and "<img" not in html.lower() and "<i " not in html
    assert "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;" in html
    shown = "".join(page.text)
    assert EVIL_TITLE in shown  # the title, markup and all, as text
    assert BRIDGE_QUOTE in shown
    assert '<i onmouseover="x()">How much</i> will the bridge cost?' in shown
    assert page.marks == [BRIDGE_QUOTE]


@pytest.mark.parametrize("confidence", [0.26, 0.49])
def test_an_answer_below_the_cut_off_says_not_sure_and_looks_muted(bot, confidence):
    citation = _citation(bot, "ferry", "It was out of service for six weeks.")
    answer = Answer("How long was the ferry out of service?", citation.quote, False, confidence, [citation])
    html = render_answer(answer, bot.get_article, uncertain_below=0.5)
    shown = "".join(_Page(html).text)
    assert shown.startswith("Not sure: this quote may not answer the question")
    assert '<blockquote class="qa-answer qa-uncertain">' in html
    assert f"confidence {confidence:.2f} (low)" in shown


def test_an_answer_at_the_cut_off_or_above_is_plain(bot):
    citation = _citation(bot, "ferry", "It was out of service for six weeks.")
    answer = Answer("How long was the ferry out of service?", citation.quote, False, 0.5, [citation])
    html = render_answer(answer, bot.get_article, uncertain_below=0.5)
    assert "Not sure" not in html and "qa-uncertain" not in html and "(low)" not in html
    assert '<blockquote class="qa-answer">' in html
    # The page's cut-off is the settings' one.
    assert "qa-uncertain" in render_answer(answer, bot.get_article, uncertain_below=bot.settings.uncertain_below + 0.1)


def test_a_further_citation_is_called_also_relevant_only_when_it_is_as_likely_as_a_sure_answer(bot):
    first = _citation(bot, "ferry", "It was out of service for six weeks.")
    other = _citation(bot, "ferry", "The harbour ferry will run again from Monday.")
    labels = []
    for score in (0.8, 0.2):
        answer = Answer(
            "When does the ferry run?", first.quote, False, 0.9, [first, dataclasses.replace(other, score=score)]
        )
        html = render_answer(answer, bot.get_article, uncertain_below=0.5)
        labels.append(re.findall(r'<span class="qa-label">([^<]*)</span>', html))
    assert labels == [["answer", "also relevant"], ["answer", "less likely"]]


def test_the_article_view_has_a_close_button(bot):
    html = render_article(bot.get_article("ferry"), 0, 5)
    assert html.count('class="qa-close"') == 1


def test_article_list_shows_title_publisher_author_date_id_and_skipped_files_as_text(bot):
    articles = [bot.get_article("evil"), bot.get_article("ferry")]
    skipped = [SkippedFile("<img src=x>.txt", "binary file (contains NUL bytes), not a text article")]
    html = render_article_list(articles, skipped)
    page = _Page(html)
    assert set(page.tags) <= RENDERED_TAGS, set(page.tags) - RENDERED_TAGS
    shown = "".join(page.text)
    assert shown.startswith("2 articles indexed")
    assert EVIL_TITLE in shown and "Harbour ferry returns after repairs" in shown
    assert "<img src=x>.txt: binary file (contains NUL bytes), not a text article" in shown
    assert html.count("<tr>") == 3  # the header and a row per article
    dated = dataclasses.replace(articles[1], date="2025-04-20")
    # Dates as the answers' sources show them.
    assert '<td data-label="Date">20 April 2025</td>' in render_article_list([dated], [])
    signed = dataclasses.replace(articles[1], author="Claire <b>Hollis</b>")
    assert '<td data-label="Author">Claire &lt;b&gt;Hollis&lt;/b&gt;</td>' in render_article_list([signed], [])


def test_the_conversation_as_markdown_keeps_quotes_and_citations_and_escapes_markup(bot):
    quote = _citation(bot, "evil", BRIDGE_QUOTE)
    answer = Answer("<b>How much</b> will the bridge cost?", BRIDGE_QUOTE, False, 0.8, [quote])
    none = Answer("Who won the cup?", "", True, 0.02, [_citation(bot, "ferry", "Tickets cost two euros.")])
    text = conversation_markdown([answer, none])
    assert text.startswith("**Q: \\<b\\>How much\\</b\\> will the bridge cost?**\n\n> ")
    assert f"> **{markdown_text(BRIDGE_QUOTE)}** [1]" in text  # the short answer is the whole quote here
    assert f"characters {quote.start}-{quote.end}" in text and "id evil" in text
    assert "The articles do not say." in text and "Closest matches (not answers):" in text
    assert "<" not in text.replace("\\<", "")  # no raw markup a Markdown viewer would render
    assert text.count("**Q: ") == 2 and "\n---\n" in text
    unsure = dataclasses.replace(answer, confidence=0.3)
    assert "> Not sure: " in conversation_markdown([unsure], uncertain_below=0.5)


def test_each_citations_button_has_a_name_of_its_own(bot):
    cited = [_citation(bot, "evil", BRIDGE_QUOTE), _citation(bot, "ferry", "Tickets cost two euros.")]
    html = render_conversation([Answer("How much?", BRIDGE_QUOTE, False, 0.8, cited)], bot.get_article)
    names = re.findall(r'class="qa-open"[^>]*aria-label="([^"]*)"', html)
    assert names == ["Show in the whole article: [1]", "Show in the whole article: [2]"]  # the visible text, and which


def test_the_conversation_as_markdown_keeps_the_spaces_around_the_short_answer(bot):
    quote = _citation(bot, "evil", BRIDGE_QUOTE)
    start = quote.start + BRIDGE_QUOTE.index("40 million dollars")
    short = dataclasses.replace(quote, answer_start=start, answer_end=start + len("40 million dollars"))
    text = conversation_markdown([Answer("How much will the bridge cost?", BRIDGE_QUOTE, False, 0.8, [short])])
    assert "> The bridge will cost **40 million dollars** \\<img" in text


def test_an_upload_is_copied_never_over_an_existing_file(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "ferry.txt").write_text(PLAIN_TEXT, "utf-8")
    upload = tmp_path / "up" / "ferry.txt"
    upload.parent.mkdir()

    upload.write_text(PLAIN_TEXT, "utf-8")
    assert save_upload(upload, folder).message == "ferry.txt: already in the collection as ferry.txt, unchanged"
    upload.write_text(PLAIN_TEXT.replace("two euros", "three euros"), "utf-8")
    saved = save_upload(upload, folder)
    assert saved.saved_as == "ferry-2.txt"
    assert saved.message == "ferry.txt: added as ferry-2.txt (ferry.txt was already there, with other text)"
    assert (folder / "ferry.txt").read_text("utf-8") == PLAIN_TEXT
    assert "three euros" in (folder / "ferry-2.txt").read_text("utf-8")


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        (
            "chart.png",
            b"\x89PNG",
            "not an article file; upload .txt, .md, .markdown, .html, .htm, .mhtml, .mht, .webarchive, .pdf, "
            ".docx, .odt, .rtf files",
        ),
        ("book.txt", b"word " * 500_000, "articles longer than 2,000,000 characters are not indexed"),
        ("broken.docx", b"PK\x03\x04 not a zip", "not saved, "),
        ("empty.md", b"", "empty file"),
        ("latin1.txt", b"caf\xe9", "not valid UTF-8"),
        (".hidden.txt", b"Title\n\nText.", "a hidden or too long name"),
    ],
)
def test_an_upload_that_is_not_an_article_is_refused_and_not_copied(tmp_path, name, data, reason):
    folder = tmp_path / "articles"
    folder.mkdir()
    upload = tmp_path / "up" / "x"
    upload.parent.mkdir()
    upload.write_bytes(data)
    saved = save_upload(upload, folder, name=f"../../{name}")
    assert saved.saved_as == ""
    assert saved.message.startswith(f"{name}: not saved, ") and reason in saved.message
    assert list(folder.iterdir()) == []


def test_no_answer_says_so_and_marks_closest_matches(bot):
    closest = [_citation(bot, "ferry", "Tickets cost two euros."), _citation(bot, "evil", "The mayor did not comment.")]
    html = render_answer(Answer("Who won the cup?", "", True, 0.02, closest), bot.get_article)
    page = _Page(html)
    shown = "".join(page.text)
    assert "The articles do not say." in shown
    assert "Closest matches (not answers):" in shown
    assert 'class="qa-answer"' not in html and "confidence" not in html
    assert html.count('class="qa-card qa-closest"') == 2
    assert shown.count("closest match, not an answer") == 2
    assert page.marks == ["Tickets cost two euros.", "The mayor did not comment."]


def test_article_view_highlights_exactly_the_quote(bot):
    article = bot.get_article("evil")
    start = article.text.index(BRIDGE_QUOTE)
    html = render_article(article, start, start + len(BRIDGE_QUOTE))
    page = _Page(html)
    assert set(page.tags) <= RENDERED_TAGS
    assert page.marks == [BRIDGE_QUOTE]
    assert '<mark id="qa-quote">' in html
    assert "".join(page.text).endswith(article.text)  # the whole text, as text, after title and byline
    assert f"characters {start}–{start + len(BRIDGE_QUOTE)} of {len(article.text)}" in "".join(page.text)


def test_article_view_of_a_byline_quote_shows_the_front_matter_it_stands_in():
    front = "---\ntitle: Tram line approved\nauthor: Claire Hollis\n---\n"
    article = Article(
        "tram", "Tram line approved", "", "Claire Hollis", "", front + "The council voted.\n", len(front), "f"
    )
    start = article.text.index("Claire Hollis")
    page = _Page(render_article(article, start, start + len("Claire Hollis")))
    assert page.marks == ["Claire Hollis"]
    assert "".join(page.text).endswith(article.text)  # with its key, "author: ", and the rest of the front matter
    body = _Page(render_article(article, len(front), len(front) + 4))
    assert "title: Tram" not in "".join(body.text)  # a quote from the body shows the body only


def test_article_view_rejects_offsets_outside_the_article(bot):
    with pytest.raises(ValueError, match="outside the article 'ferry'"):
        render_article(bot.get_article("ferry"), 5, 10_000)


def test_answer_from_qa_renders_each_citation_highlighted(bot):
    answer = bot.ask("How much will the bridge cost?")
    assert answer.citations
    page = _Page(render_conversation([answer], bot.get_article))
    assert set(page.tags) <= RENDERED_TAGS
    assert page.marks == [c.quote for c in answer.citations]
    assert page.spans == [answer.short_answer] and answer.short_answer in answer.text


def test_the_short_answer_is_marked_inside_the_quote(bot):
    quote = "It was out of service for six weeks."
    citation = _citation(bot, "ferry", quote)
    start = citation.start + quote.index("six weeks")
    citation = dataclasses.replace(citation, answer_start=start, answer_end=start + len("six weeks"))
    answer = Answer("How long was the ferry out of service?", quote, False, 0.91, [citation], "six weeks")
    html = render_answer(answer, bot.get_article)
    assert 'class="qa-answer">It was out of service for <mark class="qa-span">six weeks</mark>. <a' in html
    assert _Page(html).spans == ["six weeks"]


def test_pending_question_is_shown_with_a_notice(bot):
    html = render_conversation([], bot.get_article, pending="<b>Is it ready?</b>", notice="Loading the model…")
    shown = "".join(_Page(html).text)
    assert "<b>Is it ready?</b>" in shown and "Loading the model…" in shown
    assert "<b>" not in html


def test_question_that_was_not_asked_shows_why(bot):
    html = render_conversation([], bot.get_article, pending="<b>?</b>", error="question is too long (1,200 characters)")
    page = _Page(html)
    assert 'class="qa-turn qa-not-asked"' in html and 'class="qa-error"' in html
    assert "".join(page.text) == "<b>?</b>question is too long (1,200 characters)"


def test_example_candidates_are_built_from_titles(bot):
    articles = list(bot.index.articles.values())
    assert candidate_questions(articles) == [
        f"What does the article “{' '.join(EVIL_TITLE.split())}” report?",
        "What does the article “Harbour ferry returns after repairs” report?",
    ]
    assert candidate_questions(articles + articles) == candidate_questions(articles)  # no repeats


def test_own_articles_offer_who_wrote_and_when_published_and_only_what_is_answered(tmp_path, fake_embedder):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "tram.md").write_text(
        "---\ntitle: Tram vote passes\nauthor: Claire Hollis\ndate: 4 March 2025\n---\n"
        "The tram won 61% of the vote in Brest.\n",
        "utf-8",
    )
    bot = QA(folder, index_dir=tmp_path / "index", embedder=fake_embedder, progress=False)
    candidates = candidate_questions(list(bot.index.articles.values()))
    assert candidates == [  # one kind across the articles before the next
        "What does the article “Tram vote passes” report?",
        "Who wrote the article “Tram vote passes”?",
        "When was the article “Tram vote passes” published?",
    ]
    assert bot.ask(candidates[1]).short_answer == "Claire Hollis"  # from the front matter
    assert bot.ask("Who won the 2018 World Cup?").no_answer
    offered = answered(bot, [*candidates, "Who won the 2018 World Cup?"])
    assert candidates[1] in offered and "Who won the 2018 World Cup?" not in offered
    assert offered == [q for q in candidates if not bot.ask(q).no_answer]
    assert answered(bot, candidates, limit=1) == offered[:1]


def test_chat_command_defaults_to_this_machine_only():
    args = _parser().parse_args(["chat"])
    assert (args.host, args.port, args.share, args.corpus) == ("127.0.0.1", 7860, False, None)
    args = _parser().parse_args(["chat", "--port", "8123", "--corpus", "x", "--share"])
    assert (args.port, args.corpus, args.share) == (8123, "x", True)


def test_chat_command_refuses_a_missing_corpus(tmp_path, capsys):
    assert main(["chat", "--corpus", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err
