"""Ask question sets typed as people type in a chat, next to as written.

Usage: python bench/fit/chat_typing.py [--corpus DIR] FILE.json [FILE.json ...]

Each file is a gold set (standalone questions) or a conversation set (``"turns"``), asked over the
built-in articles (or ``--corpus DIR``). Every question, every turn of a conversation too, is asked
as written and six more ways: with a greeting before it, wrapped in "Do you know ...", after
"Please tell me: ", with a thanks after it, without its question mark, and with a typo (two
letters of its longest word swapped). A question is right when the reply contains an accepted
answer (or is ``no_answer`` for one without); a conversation when every turn is. Prints one line
per way of typing (docs/EVALUATION.md, "Questions typed as in a chat").
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from pathlib import Path

from qa.answer import Answer
from qa.api import QA

TYPINGS: dict[str, Callable[[str], str]] = {
    "as written": lambda q: q,
    '"Hi! " before': lambda q: "Hi! " + q,
    '"Do you know " before': lambda q: "Do you know " + q[0].lower() + q[1:],
    '"Please tell me: " before': lambda q: "Please tell me: " + q,
    '" Thanks!" after': lambda q: q + " Thanks!",
    'no "?"': lambda q: q.rstrip("?"),
    "a typo": lambda q: typo(q),
}


def typo(question: str) -> str:
    """The question with letters 3 and 4 of its longest word (of six letters or more) swapped."""
    found = list(re.finditer(r"[A-Za-z]{6,}", question))
    if not found:
        return question
    word = max(found, key=lambda m: len(m.group(0)))
    w = word.group(0)
    return question[: word.start()] + w[:2] + w[3] + w[2] + w[4:] + question[word.end() :]


def right(answer: Answer, accepted: list[str]) -> bool:
    if not accepted:
        return answer.no_answer
    return not answer.no_answer and any(a in answer.text for a in accepted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--corpus", type=Path, help="folder of articles (default: the built-in ones)")
    args = parser.parse_args()
    bot = QA(args.corpus, progress=False)
    sets = [(path.name, json.loads(path.read_text("utf-8"))) for path in args.files]
    for name, typing in TYPINGS.items():
        parts = []
        for file_name, items in sets:
            good = 0
            for item in items:
                turns = item.get("turns", [item])
                history: list[Answer] = []
                for turn in turns:
                    history.append(bot.ask(typing(turn["question"]), history=history))
                good += all(right(a, t["answers"]) for a, t in zip(history, turns, strict=True))
            unit = "conversations" if "turns" in items[0] else "questions"
            parts.append(f"{file_name}: {good}/{len(items)} {unit} right")
        print(f"{name:28} " + " | ".join(parts), flush=True)


if __name__ == "__main__":
    main()
