"""The conversation as Markdown, with its citations: what "Copy as Markdown" and the download give.

Text from articles and questions is kept as it is, with Markdown's own characters backslash-escaped:
a Markdown viewer then shows it verbatim, and markup in it (``<script>``) stays text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.answer import Answer
from qa.config import DEFAULT_SETTINGS

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~!])")


def conversation_markdown(answers: Sequence[Answer], uncertain_below: float = DEFAULT_SETTINGS.uncertain_below) -> str:
    """Each question, its quoted answer (or that the articles do not say), and the numbered citations.

    Example:
        >>> print(conversation_markdown([ask("Which Russian bank did Huawei partner with?")]))
        **Q: Which Russian bank did Huawei partner with?**
        <BLANKLINE>
        > In March, Huawei also partnered with **Sberbank**, a Russian state-owned banking ... [1]
        <BLANKLINE>
        confidence 0.78
        <BLANKLINE>
        1. Part Two: Huawei Enlists Russian Talent ... (Council on Foreign Relations (CFR), ...), ...
    """
    blocks = []
    for answer in answers:
        lines = [f"**Q: {markdown_text(answer.question)}**", ""]
        if answer.read_as:
            lines += [f"Read as: *{markdown_text(answer.read_as)}*", ""]
        if answer.no_answer:
            lines.append("The articles do not say.")
            if answer.citations:
                lines += ["", "Closest matches (not answers):"]
        else:
            before, short, after = answer.citations[0].quote_parts
            # The spaces around the short answer stay: "invest **35 million Euros** in", not "invest**35 ...**in".
            quote = f"{_inline(before).lstrip()}**{_inline(short)}**{_inline(after).rstrip()}"
            hedge = "Not sure: " if answer.confidence < uncertain_below else ""
            lines += [f"> {hedge}{quote} [1]", "", f"confidence {answer.confidence:.2f}"]
        if answer.citations:
            lines.append("")
        for number, c in enumerate(answer.citations, 1):
            where = ", ".join(markdown_text(x) for x in (c.source, c.date) if x)
            title = markdown_text(c.title) + (f" ({where})" if where else "")
            place = f"id {markdown_text(c.article_id)}, characters {c.start}-{c.end}"
            lines.append(f"{number}. {title}, {place}: “{markdown_text(c.quote)}”")
        blocks.append("\n".join(lines))
    return "\n\n---\n\n".join(blocks) + ("\n" if blocks else "")


def markdown_text(text: str) -> str:
    r"""``text`` on one line, Markdown's special characters escaped so that it shows as typed.

    Example:
        >>> markdown_text("<b>Huawei</b> *cloud*\n2024")
        '\\<b\\>Huawei\\</b\\> \\*cloud\\* 2024'
    """
    return _inline(text).strip()


def _inline(text: str) -> str:
    """``text`` escaped as ``markdown_text``, its runs of white space one space each, also at its ends."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", text))
