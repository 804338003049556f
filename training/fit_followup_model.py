"""Fit the follow-up answer model (``Settings.followup_answer_model``) on the development conversations.

A follow-up ("Who announced it?") says little itself: the reader's span scores mean less, and the
retrieval evidence (which carries the conversation) and nearness to the last answer more. Every
candidate span of every follow-up turn of the development conversation sets (``bench/data``:
``conversations_dev.json``, ``_dev2``, ``_dev3`` and ``news_dev/conversations.json``; never the test
set ``tests/data/conversations.json`` nor the held-out sets) is a row: its evidence (``qa.pick.FEATURES``)
and whether its sentence holds an accepted answer. A logistic regression on the rows gives the
weights, printed as they go into ``qa/config.py``.

Usage::

    python training/fit_followup_model.py          # about a minute
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from qa.api import QA  # noqa: E402
from qa.evaluate import contains_answer  # noqa: E402
from training.fit_answer_model import fit  # noqa: E402

SETS = [
    (ROOT / "bench" / "data" / "conversations_dev.json", None),
    (ROOT / "bench" / "data" / "conversations_dev2.json", None),
    (ROOT / "bench" / "data" / "conversations_dev3.json", None),
    (ROOT / "bench" / "data" / "news_dev" / "conversations.json", ROOT / "bench" / "data" / "news_dev" / "articles"),
]


def main() -> int:
    rows = []
    for path, corpus in SETS:
        bot = QA(corpus, progress=False)
        for conversation in json.loads(path.read_text("utf-8")):
            history = []
            for turn in conversation["turns"]:
                answer, trace = bot.ask_traced(turn["question"], history)
                if history and trace.candidates:
                    for candidate in trace.candidates:
                        first = bot.index.sentences[candidate.first_sentence]
                        quote = bot.index.articles[first.article_id].text[first.start : first.end]
                        right = bool(turn["answers"]) and contains_answer(quote, turn["answers"])
                        rows.append((candidate.features, right))
                history.append(answer)
    x = np.array([r[0] for r in rows], dtype=np.float64)
    y = np.array([float(r[1]) for r in rows])
    weights = fit(x, y, l2=1e-2)
    print(f"{len(rows)} candidate rows, {int(y.sum())} right")
    print(f"followup_answer_model = {tuple(round(float(w), 3) for w in weights)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
