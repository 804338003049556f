"""Answers, source cards and whole articles as HTML for the chat page.

Everything that comes from an article or a person (text, titles, publishers,
dates, ids, questions) passes through ``html.escape`` before it becomes HTML, so
an article containing ``<script>`` shows that text and runs nothing. Nothing here
knows about Gradio; the page (``ui.page``) puts these strings into its components.

Elements that open an article carry ``data-article``, ``data-start`` and
``data-end``; the page turns a click on one into the article viewer's content.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from html import escape

from index.articles import Article, SkippedFile
from index.metadata import readable_date
from qa.answer import Answer, Citation
from qa.config import DEFAULT_SETTINGS
from qa.wording import count

#: Longest context shown around a quote on a source card, in characters, quote excluded.
CONTEXT_CHARS = 400

_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
_WHITESPACE = re.compile(r"\s+")

ArticleLookup = Callable[[str], Article]


def quote_in_context(
    text: str, start: int, end: int, limit: int = CONTEXT_CHARS, *, body_start: int = 0
) -> tuple[str, str, str]:
    """The quote ``text[start:end]`` with the text around it in its paragraph.

    The paragraph is the block between blank lines; when that block is longer than
    ``limit`` (articles that put one paragraph per line without blank lines), it is the
    line; a line still too long is cut at a word, the cut marked with "…". A quote of the body
    (from ``body_start``, after a Markdown file's front matter) shows none of the front matter
    (``_shown_from``).

    Returns:
        ``(before, quote, after)``, with whitespace runs shown as one space.

    Example:
        >>> quote_in_context("Title\\n\\nOne. Two. Three.\\n\\nNext.", 12, 16)
        ('One. ', 'Two.', ' Three.')
    """
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"quote offsets {start}-{end} are outside the article (0-{len(text)})")
    half = limit // 2
    para_start, para_end = _bounds(text, start, end, _BLANK_LINE)
    if para_end - para_start - (end - start) > limit:
        para_start, para_end = _bounds(text, start, end, re.compile(r"\n"))
    para_start = max(para_start, _shown_from(body_start, start))
    before = text[para_start:start]
    after = text[end:para_end]
    if len(before) + len(after) > limit:
        room_after = max(half, limit - len(before))
        room_before = max(half, limit - len(after))
        if len(before) > room_before:
            before = "…" + before[len(before) - room_before :].split(" ", 1)[-1]
        if len(after) > room_after:
            after = after[:room_after].rsplit(" ", 1)[0] + "…"
    return _squeeze(before).lstrip(), _squeeze(text[start:end]), _squeeze(after).rstrip()


def _shown_from(body_start: int, start: int) -> int:
    """Where an article's text is shown from around a quote at ``start``: its body, after any front matter;
    all of it when the quote is a value in the front matter (a byline question's answer)."""
    return body_start if start >= body_start else 0


def render_question(question: str) -> str:
    """A person's question as a chat bubble."""
    return f'<div class="qa-question"><p>{escape(question)}</p></div>'


def render_answer(
    answer: Answer,
    article_for: ArticleLookup,
    turn: int = 1,
    uncertain_below: float = DEFAULT_SETTINGS.uncertain_below,
) -> str:
    """The reply to one question: the quote with its citation marker and a source card per citation.

    Args:
        answer: What ``QA.ask`` returned.
        article_for: Looks an article up by id (``QA.get_article``), for the cards' context.
        turn: Number of the turn in the conversation, to keep element ids unique.
        uncertain_below: Confidence below which the answer says "Not sure:" and looks muted
            (``Settings.uncertain_below``).
    """
    parts = ['<div class="qa-reply">']
    if answer.read_as:
        # A word was taken for a typo: say how the question was read, so a wrong guess shows.
        parts.append(f'<p class="qa-read-as">Read as: <em>{escape(answer.read_as)}</em></p>')
    if answer.no_answer:
        parts.append(
            '<p class="qa-no-answer"><strong>The articles do not say.</strong> '
            "None of them answers this question, so there is no quote to give.</p>"
        )
        if answer.citations:
            parts.append('<p class="qa-closest-label">Closest matches (not answers):</p>')
    else:
        first = answer.citations[0]
        # An answer whose article changed since (another process synced) cannot open it at its old place.
        marker = _marker(first, 1) if _article_as_cited(first, article_for) else "[1]"
        before, short, after = first.quote_parts
        quote = f'{escape(before)}<mark class="qa-span">{escape(short)}</mark>{escape(after)}'
        if answer.confidence < uncertain_below:
            parts.append(
                '<p class="qa-not-sure"><strong>Not sure:</strong> this quote may not answer the question; '
                "read it in its article before relying on it.</p>"
            )
            parts.append(f'<blockquote class="qa-answer qa-uncertain">{quote} {marker}</blockquote>')
            parts.append(f'<p class="qa-confidence">confidence {answer.confidence:.2f} (low)</p>')
        else:
            parts.append(f'<blockquote class="qa-answer">{quote} {marker}</blockquote>')
            parts.append(f'<p class="qa-confidence">confidence {answer.confidence:.2f}</p>')
    kind = "closest" if answer.no_answer else "source"
    parts.append(f'<ol class="qa-cards qa-{kind}s">')
    for number, citation in enumerate(answer.citations, 1):
        if answer.no_answer:
            label = "closest match, not an answer"
        elif number == 1:
            label = "answer"
        else:  # another place that may answer: said so only when it is as likely as a sure answer
            label = "also relevant" if citation.score >= uncertain_below else "less likely"
        parts.append(_card(citation, number, _article_as_cited(citation, article_for), turn, kind, label))
    parts.append("</ol></div>")
    return "".join(parts)


def render_conversation(
    answers: Sequence[Answer],
    article_for: ArticleLookup,
    *,
    pending: str | None = None,
    notice: str | None = None,
    error: str | None = None,
    uncertain_below: float = DEFAULT_SETTINGS.uncertain_below,
) -> str:
    """The whole chat: every earlier question with its reply, oldest first.

    Args:
        answers: The conversation's answers so far (each carries its question).
        article_for: Looks an article up by id, for the source cards.
        pending: A question just asked whose answer is still being worked out (or that failed).
        notice: A line to show under the pending question (e.g. that the model is loading).
        error: Why the pending question got no answer (e.g. it is too long), instead of a notice.
        uncertain_below: Confidence below which an answer looks uncertain (see ``render_answer``).
    """
    turns = [
        f'<div class="qa-turn" id="qa-turn-{n}">{render_question(a.question)}'
        f"{render_answer(a, article_for, n, uncertain_below)}</div>"
        for n, a in enumerate(answers, 1)
    ]
    if pending is not None and error is not None:
        turns.append(
            f'<div class="qa-turn qa-not-asked">{render_question(pending)}'
            f'<div class="qa-reply"><p class="qa-error">{escape(error)}</p></div></div>'
        )
    elif pending is not None:
        waiting = escape(notice or "Looking through the articles…")
        turns.append(
            f'<div class="qa-turn qa-pending">{render_question(pending)}'
            f'<div class="qa-reply"><p class="qa-waiting">{waiting}</p></div></div>'
        )
    if not turns:
        return (
            '<div class="qa-empty">Ask a question about the articles. Every answer is a sentence quoted '
            "from one of them, with its source; click a citation to read it in the whole article.</div>"
        )
    return '<div class="qa-conversation">' + "".join(turns) + "</div>"


def render_article(article: Article, start: int, end: int) -> str:
    """The whole article with ``text[start:end]`` highlighted (``<mark id="qa-quote">``).

    Line breaks are kept as the file has them (the viewer shows the text pre-wrapped).

    Raises:
        ValueError: if the offsets are not inside the article.
    """
    text = article.text
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"quote offsets {start}-{end} are outside the article {article.id!r} (0-{len(text)})")
    body = _shown_from(article.body_start, start)
    return (
        f'<article class="qa-article" data-article="{escape(article.id)}">'
        '<button type="button" class="qa-close" title="Close the article">Close ✕</button>'
        f'<h3 class="qa-article-title">{escape(article.title)}</h3>'
        f'<p class="qa-meta">{_byline(article)}</p>'
        f'<p class="qa-offsets">characters {start}–{end} of {len(text)}, id {escape(article.id)}</p>'
        f'<div class="qa-article-text">{escape(text[body:start])}'
        f'<mark id="qa-quote">{escape(text[start:end])}</mark>{escape(text[end:])}</div></article>'
    )


def render_no_article() -> str:
    """The article viewer before any citation was clicked."""
    return '<div class="qa-article-empty">Click a citation to read the whole article here, the quote highlighted.</div>'


def render_article_list(articles: Sequence[Article], skipped: Sequence[SkippedFile]) -> str:
    """The collection: a row per indexed article (title, publisher, author, date, id), then the skipped files
    and why."""
    rows = "".join(
        f'<tr><td class="qa-list-title">{escape(a.title or a.id)}</td>'
        f'<td data-label="Publisher">{escape(a.source) or "unknown"}</td>'
        f'<td data-label="Author">{escape(a.author) or "unknown"}</td>'
        f'<td data-label="Date">{escape(readable_date(a.date)) or "unknown"}</td>'
        f'<td class="qa-list-id" data-label="Id">{escape(a.id)}</td></tr>'
        for a in articles
    )
    parts = [
        f'<div class="qa-list"><p class="qa-list-count">{count(len(articles), "article")} indexed</p>'
        '<table class="qa-list-articles"><thead><tr>'
        "<th>Title</th><th>Publisher</th><th>Author</th><th>Date</th><th>Id</th></tr>"
        f"</thead><tbody>{rows}</tbody></table>"
    ]
    if skipped:
        items = "".join(
            f'<li><span class="qa-list-file">{escape(s.path)}</span>: {escape(s.reason)}</li>' for s in skipped
        )
        parts.append(f'<p class="qa-list-count">Skipped, not articles:</p><ul class="qa-list-skipped">{items}</ul>')
    parts.append("</div>")
    return "".join(parts)


def _article_as_cited(citation: Citation, article_for: ArticleLookup) -> Article | None:
    """The cited article, or None when it has changed or gone since the answer (another process synced)."""
    try:
        article = article_for(citation.article_id)
    except KeyError:
        return None
    return article if article.text[citation.start : citation.end] == citation.quote else None


def _card(citation: Citation, number: int, article: Article | None, turn: int, kind: str, label: str) -> str:
    if article is None:  # an earlier answer whose article has changed or gone since: the quote as it was given
        return (
            f'<li class="qa-card qa-{kind}" id="qa-turn-{turn}-cite-{number}">'
            f'<div class="qa-card-head">[{number}] <span class="qa-title">{escape(citation.title)}</span> '
            f'<span class="qa-label">{label}; this article has changed or been removed since</span></div>'
            f'<p class="qa-context"><mark>{escape(citation.quote)}</mark></p></li>'
        )
    before, quote, after = quote_in_context(article.text, citation.start, citation.end, body_start=article.body_start)
    return (
        f'<li class="qa-card qa-{kind}" id="qa-turn-{turn}-cite-{number}">'
        f'<div class="qa-card-head">{_marker(citation, number)} '
        f'<span class="qa-title">{escape(citation.title)}</span> <span class="qa-label">{label}</span></div>'
        # The id (the file's path in the folder) tells apart two copies of one article.
        f'<p class="qa-meta">{_byline(article)} · <span class="qa-card-id">{escape(article.id)}</span></p>'
        f'<p class="qa-context">{escape(before)}<mark>{escape(quote)}</mark>{escape(after)}</p>'
        f'<button type="button" class="qa-open" {_target(citation)} aria-label="Show in the whole article: [{number}]">'
        "Show in the whole article</button></li>"
    )


def _marker(citation: Citation, number: int) -> str:
    return (
        f'<a href="#" class="qa-cite" {_target(citation)} '
        f'title="{escape(citation.title)}: show in the whole article">[{number}]</a>'
    )


def _target(citation: Citation) -> str:
    return f'data-article="{escape(citation.article_id)}" data-start="{citation.start}" data-end="{citation.end}"'


def _byline(article: Article) -> str:
    parts = [escape(x) for x in (article.source, article.author, readable_date(article.date)) if x]
    return " · ".join(parts) if parts else "publisher and date unknown"


def _bounds(text: str, start: int, end: int, separator: re.Pattern[str]) -> tuple[int, int]:
    """The block of ``text`` around ``[start, end)`` between two matches of ``separator``."""
    left = 0
    for match in separator.finditer(text, 0, start):
        left = match.end()
    right = separator.search(text, end)
    return left, right.start() if right else len(text)


def _squeeze(text: str) -> str:
    return _WHITESPACE.sub(" ", text)
