"""Ask questions of news articles; get answers quoted verbatim, with exact citations.

Example:
    >>> from qa import ask, get_article
    >>> a = ask("How much will Huawei invest in its Paris OpenLab?")
    >>> c = a.citations[0]
    >>> get_article(c.article_id).text[c.start:c.end] == c.quote
    True
"""

from __future__ import annotations

from qa.answer import Answer, Citation
from qa.api import QA, ask, get_article

__all__ = ["QA", "Answer", "Citation", "ask", "get_article"]
