"""Fit the follow-up answer model (``Settings.followup_answer_model``) on the development conversations.

A follow-up ("Who announced it?") says little itself: the reader's span scores mean less, and the
retrieval evidence (which carries the conversation) and nearness to the last answer more. Every
candidate span of every follow-up turn of the development conversation sets (``bench/data``:
``conversations_dev.json``, ``_dev2``, ``_dev3`` and ``news_dev/conversations.json``; never the test
set ``tests/data/conversations.json`` nor the held-out sets) is a row: its evidence (``qa.pick.FEATURES``)
and whether its sentence holds an accepted answer. A conditional logit over each turn's candidates
gives the weights' direction (what puts a right sentence first), a logistic fit of whether each
turn's best candidate is right their scale and the intercept (the confidence); they are printed as
they go into ``qa/config.py``.

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
from scipy.optimize import minimize  # noqa: E402

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
    turns = []  # per follow-up turn: its candidates' features and whether each is right
    for path, corpus in SETS:
        bot = QA(corpus, progress=False)
        for conversation in json.loads(path.read_text("utf-8")):
            history = []
            for turn in conversation["turns"]:
                answer, trace = bot.ask_traced(turn["question"], history)
                if history and trace.candidates:
                    rows = []
                    for candidate in trace.candidates:
                        first = bot.index.sentences[candidate.first_sentence]
                        quote = bot.index.articles[first.article_id].text[first.start : first.end]
                        right = bool(turn["answers"]) and contains_answer(quote, turn["answers"])
                        rows.append((candidate.features, right))
                    turns.append(rows)
                history.append(answer)
    weights = fit_ranking(turns)
    print(f"{len(turns)} follow-up turns, {sum(len(t) for t in turns)} candidates")
    print(f"followup_answer_model = {tuple(round(float(w), 3) for w in weights)}")
    return 0


def fit_ranking(turns: list[list[tuple[tuple[float, ...], bool]]], l2: float = 1e-2) -> np.ndarray:
    """Weights (intercept last) that put a right candidate first, then turn the best one's score into a probability.

    The direction comes from a conditional logit over each turn's candidates (the log of the
    probability it gives the right ones, summed over the turns that have one); the scale and
    intercept from a logistic fit of whether each turn's best candidate is right.
    """
    groups = [(np.array([f for f, _ in rows]), np.array([r for _, r in rows])) for rows in turns]
    ranked = [(x, right) for x, right in groups if right.any()]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = l2 * float(w @ w), 2 * l2 * w
        for x, right in ranked:
            z = x @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            q = p * right / max((p * right).sum(), 1e-300)
            value -= float(np.log(max((p * right).sum(), 1e-300)))
            grad -= x.T @ (q - p)
        return value / len(ranked), grad / len(ranked)

    direction = minimize(loss, np.zeros(groups[0][0].shape[1]), jac=True, method="L-BFGS-B").x
    best = np.array([[float((x @ direction).max())] for x, _ in groups])
    best_right = np.array([float(right[int(np.argmax(x @ direction))]) for x, right in groups])
    scale, intercept = fit(best, best_right, l2=0.0)
    return np.append(direction * scale, intercept)


if __name__ == "__main__":
    raise SystemExit(main())
