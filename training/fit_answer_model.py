"""Fit the answer model (``Settings.answer_model``) and measure where to put the no-answer threshold.

The data are SQuAD train articles the reader never trained on (``train_reader.heldout_titles``),
read from ``../shared/eval/squad/train-v1.1.json``:

- answerable: questions asked of a collection of all the held-out articles;
- unanswerable: the questions of half of them asked of a collection of the other half, so the
  reader has to find nothing in articles that look like the right kind.

Every candidate span (one per passage read, ``qa.pick``) is a row: its evidence and whether its
sentence holds a gold answer. A logistic regression on the rows gives the weights; the script
prints them as they go into ``qa/config.py`` and writes the rows' measurements to
``training/results/answer_model.json``: the right-answer rate of the best candidate, calibration
by confidence band, and for each threshold the answerable questions answered right and the
unanswerable ones declined.

Usage::

    python training/fit_answer_model.py                       # about 10 minutes on 2 cores
    python training/fit_answer_model.py --questions 500       # a quicker look
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from scipy.optimize import minimize  # noqa: E402

from qa.api import QA  # noqa: E402
from qa.config import DEFAULT_SETTINGS  # noqa: E402
from qa.evaluate import contains_answer, squad_collection  # noqa: E402
from qa.pick import FEATURES  # noqa: E402
from qa.reader import Reader  # noqa: E402
from training.train_reader import SQUAD_TRAIN, heldout_titles  # noqa: E402

RESULTS = ROOT / "training" / "results"
THRESHOLDS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6)


def collect(bot: QA, questions, answerable: bool) -> list[dict]:
    """Every candidate of every question: features, whether its sentence holds a gold answer."""
    rows = []
    for number, item in enumerate(questions):
        _, trace = bot.ask_traced(item.question)
        for candidate in trace.candidates:
            first = bot.index.sentences[candidate.first_sentence]
            last = bot.index.sentences[candidate.last_sentence]
            quote = bot.index.articles[first.article_id].text[first.start : last.end]
            right = answerable and contains_answer(quote, item.answers)
            # One question can be asked both with and without its article: a key for each.
            key = f"{item.id}:{int(answerable)}"
            rows.append({"question": key, "answerable": answerable, "features": candidate.features, "right": right})
        if (number + 1) % 100 == 0:
            print(f"  {number + 1}/{len(questions)}", file=sys.stderr, flush=True)
    return rows


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1e-3) -> np.ndarray:
    """Logistic regression weights (the intercept last), by L-BFGS on the mean log loss plus a small L2."""
    design = np.hstack([x, np.ones((len(x), 1))])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = design @ w
        p = 1 / (1 + np.exp(-np.clip(z, -50, 50)))
        value = np.mean(np.logaddexp(0, z) - y * z) + l2 * np.sum(w[:-1] ** 2)
        grad = design.T @ (p - y) / len(y)
        grad[:-1] += 2 * l2 * w[:-1]
        return value, grad

    return minimize(loss, np.zeros(design.shape[1]), jac=True, method="L-BFGS-B").x


def measure(rows: list[dict], weights: np.ndarray) -> dict:
    """The best candidate per question under ``weights``: right rate, calibration, threshold table."""
    best: dict[str, tuple[float, bool, bool]] = {}
    for row in rows:
        z = float(np.dot(weights[:-1], row["features"]) + weights[-1])
        p = 1 / (1 + np.exp(-np.clip(z, -50, 50)))
        if row["question"] not in best or p > best[row["question"]][0]:
            best[row["question"]] = (p, row["right"], row["answerable"])
    answerable = [v for v in best.values() if v[2]]
    unanswerable = [v for v in best.values() if not v[2]]
    bands = []
    for lo, hi in ((0, 0.1), (0.1, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 0.9), (0.9, 1.01)):
        inside = [v for v in best.values() if lo <= v[0] < hi]
        if inside:
            share = sum(v[1] for v in inside) / len(inside)
            bands.append({"confidence": f"{lo:.2f}-{min(hi, 1):.2f}", "n": len(inside), "right": round(share, 3)})
    table = []
    for t in THRESHOLDS:
        right = sum(1 for p, r, _ in answerable if r and p >= t) / len(answerable)
        declined = sum(1 for p, _, _ in unanswerable if p < t) / max(len(unanswerable), 1)
        table.append({"threshold": t, "answerable_right": round(right, 3), "unanswerable_declined": round(declined, 3)})
    return {
        "best_candidate_right": round(sum(v[1] for v in answerable) / len(answerable), 4),
        "calibration": bands,
        "thresholds": table,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--squad", type=Path, default=SQUAD_TRAIN)
    parser.add_argument("--workdir", type=Path, default=ROOT / "training" / "runs" / "answer_model")
    parser.add_argument("--questions", type=int, default=1500, help="questions of each kind (seeded sample)")
    parser.add_argument("--seed", type=int, default=13, help="the reader's training seed (its held-out articles)")
    parser.add_argument("--reader", type=Path, help="an ONNX reader to use (default: the shipped one)")
    parser.add_argument("--out", type=Path, default=RESULTS / "answer_model.json")
    args = parser.parse_args(argv)

    data = json.loads(args.squad.read_text("utf-8"))
    held = sorted(heldout_titles(data["data"], args.seed))
    half = set(held[: len(held) // 2])
    args.workdir.mkdir(parents=True, exist_ok=True)
    every = args.workdir / "heldout.json"
    every.write_text(json.dumps({"data": [a for a in data["data"] if a["title"] in held]}), "utf-8")
    part = args.workdir / "heldout_half.json"
    part.write_text(json.dumps({"data": [a for a in data["data"] if a["title"] in half]}), "utf-8")

    settings = dataclasses.replace(DEFAULT_SETTINGS, answer_threshold=0.0)
    rng = random.Random(args.seed)
    folder, questions = squad_collection(every, args.workdir / "all")
    reader = Reader(args.reader) if args.reader else Reader()
    bot = QA(folder, index_dir=args.workdir / "all" / "index", settings=settings, reader=reader)
    asked = rng.sample(questions, min(args.questions, len(questions)))
    print(f"answerable: {len(asked)} questions of {len(held)} held-out articles", file=sys.stderr)
    rows = collect(bot, asked, answerable=True)
    folder, in_half = squad_collection(part, args.workdir / "half")
    bot = QA(folder, index_dir=args.workdir / "half" / "index", settings=settings, reader=reader)
    half_ids = {q.article_id for q in in_half}
    others = [q for q in questions if q.article_id not in half_ids]
    asked = rng.sample(others, min(args.questions, len(others)))
    print(f"unanswerable: {len(asked)} questions asked of the other {len(half)} articles", file=sys.stderr)
    rows += collect(bot, asked, answerable=False)

    (args.workdir / "rows.json").write_text(json.dumps(rows), "utf-8")  # for a closer look
    x = np.array([r["features"] for r in rows], dtype=np.float64)
    y = np.array([float(r["right"]) for r in rows])
    used = [i for i, name in enumerate(FEATURES) if name not in ("near_previous", "context_margin")]  # no follow-ups
    weights = np.zeros(len(FEATURES) + 1)
    fitted = fit(x[:, used], y)
    weights[used] = fitted[:-1]
    weights[-1] = fitted[-1]
    report = {
        "features": list(FEATURES),
        "weights": [round(float(w), 3) for w in weights],
        "rows": len(rows),
        "current": measure(rows, np.asarray(DEFAULT_SETTINGS.answer_model)),
        "fitted": measure(rows, weights),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n", "utf-8")
    print(json.dumps(report, indent=1))
    print(f"answer_model = {tuple(report['weights'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
