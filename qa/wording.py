"""How the CLI and the chat page write counts for people: "1 article", "3 articles"."""

from __future__ import annotations


def count(n: int, noun: str) -> str:
    """``n`` and ``noun``, the noun in the plural unless ``n`` is 1.

    Example:
        >>> count(1, "article"), count(3, "passage"), count(0, "file")
        ('1 article', '3 passages', '0 files')
    """
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
