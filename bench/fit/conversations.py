"""Ask conversation sets turn by turn, for choosing the follow-up settings.

Usage: python bench/fit/conversations.py [--corpus DIR] [--set NAME=VALUE ...] FILE.json [FILE.json ...]

Each conversation is asked turn by turn over the built-in articles (or ``--corpus DIR``), each turn with the
``Answer``s before it as history. A turn with accepted answers is right when the reply
contains one; a turn without (``"answers": []``) is right when the reply is ``no_answer``.
``--set`` overrides a ``qa.config.Settings`` number (``--set context_weight=0.25``) or one
weight of the answer model by its feature's name (``--set answer_model.near_previous=0.5``).

Prints, per file: conversations right at every turn, follow-up turns right (answerable and
unanswerable apart), the turns that went wrong, and the confidence of every follow-up that
leans on the conversation, by whether its best sentence is right, for choosing
``followup_threshold``: the largest threshold that still answers 95% of the answerable ones (the
shipped rule), and the thresholds that get the most follow-up turns right; and how far the right
citation leads the others, summed over the answerable ones (a finer measure than right or wrong);
and the time of a first question and of a follow-up (p50 / p95, models loaded first): a follow-up is
read twice (``qa.pick``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
import time
from pathlib import Path

from qa.answer import Answer
from qa.api import QA
from qa.config import Settings
from qa.conversation import leans_on_context
from qa.evaluate import percentile
from qa.pick import FEATURES


def overridden(settings: Settings, items: list[str]) -> Settings:
    """``settings`` with the ``NAME=VALUE`` overrides, each value of its setting's type."""
    weights = list(settings.answer_model)
    changes: dict[str, object] = {}
    for item in items:
        name, value = item.split("=", 1)
        if name.startswith("answer_model."):
            weights[FEATURES.index(name.removeprefix("answer_model."))] = float(value)
            changes["answer_model"] = tuple(weights)
        else:
            changes[name] = type(getattr(settings, name))(value)
    return dataclasses.replace(settings, **changes)


def margin(answer: Answer, accepted: list[str]) -> float:
    """The first right citation's score minus the best other citation's, clipped to [-3, 3] (-3 if none is right)."""
    scores = [c.score for c in answer.citations]
    right = [n for n, c in enumerate(answer.citations) if any(a in c.quote for a in accepted)]
    if not right:
        return -3.0
    others = [score for n, score in enumerate(scores) if n != right[0]]
    return max(-3.0, min(3.0, scores[right[0]] - max(others))) if others else 3.0


parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("files", nargs="+", type=Path)
parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
parser.add_argument("--corpus", type=Path, help="folder of articles (default: the built-in ones)")
args = parser.parse_args()

workdir = tempfile.TemporaryDirectory()
bot = QA(args.corpus, index_dir=Path(workdir.name) / "index", progress=False)
bot.settings = overridden(bot.settings, args.set)
names = bot.index.names()
bot.ask("Warm-up: who?")  # loads the models, so that no turn's time includes it

# (confidence, right if answered, answerable) of each follow-up that leans on the conversation.
follow_ups: list[tuple[float, bool, bool]] = []
# How far the right citation leads the best other one, for each answerable follow-up that leans on
# the conversation: its score minus theirs, clipped to [-3, 3]; -3 when no citation is right.
margins: list[float] = []
seconds: dict[bool, list[float]] = {False: [], True: []}  # per turn, by whether it is a follow-up
for path in args.files:
    conversations = json.loads(path.read_text("utf-8"))
    right_conversations, answerable, answerable_right, unanswerable, rejected, wrong = 0, 0, 0, 0, 0, []
    for conversation in conversations:
        history: list = []
        all_right = True
        for number, turn in enumerate(conversation["turns"]):
            started = time.perf_counter()
            answer = bot.ask(turn["question"], history=history)
            seconds[bool(number)].append(time.perf_counter() - started)
            accepted = turn["answers"]
            if accepted:
                right = any(a in answer.text for a in accepted)
                top_right = bool(answer.citations) and any(a in answer.citations[0].quote for a in accepted)
            else:
                right = answer.no_answer
                top_right = False
            if number and leans_on_context(turn["question"], names):
                follow_ups.append((answer.confidence, top_right, bool(accepted)))
                if accepted:
                    margins.append(margin(answer, accepted))
            if number and accepted:
                answerable += 1
                answerable_right += right
            elif number:
                unanswerable += 1
                rejected += right
            if not right:
                wrong.append(f"{conversation['id']}.{number}")
            all_right &= right
            history.append(answer)
        right_conversations += all_right
    print(
        f"{path.name}: {right_conversations}/{len(conversations)} conversations right at every turn; "
        f"follow-ups answered right {answerable_right}/{answerable}, unanswerable rejected {rejected}/{unanswerable}"
    )
    print("  wrong turns:", " ".join(wrong) or "none")

# The threshold that gets the most follow-ups right: a follow-up is right when it is answered with
# a right best sentence, or withheld when its best sentence is wrong (or there is none to give).
candidates = sorted({0.0} | {c for c, _, _ in follow_ups})
scores = [(sum((c >= t) == ok for c, ok, _ in follow_ups), t) for t in candidates]
best = max(score for score, _ in scores)
print(f"follow-ups leaning on the conversation, all files: {len(follow_ups)}")
print(f"  summed margin of the right citation over the {len(margins)} answerable ones: {sum(margins):.2f}")
print(f"  thresholds getting the most right ({best}):", [round(t, 4) for score, t in scores if score == best])
# The shipped rule, as for first questions: the largest threshold that still answers 95% of the
# answerable follow-ups.
answerable_confidences = sorted(c for c, _, has_answer in follow_ups if has_answer)
if answerable_confidences:
    share = answerable_confidences[int(0.05 * len(answerable_confidences))]
    print(f"  largest threshold answering 95% of the {len(answerable_confidences)} answerable ones: {share:.3f}")
for follow_up, times in seconds.items():
    if times:
        ms = sorted(t * 1000 for t in times)
        kind = "follow-ups" if follow_up else "first questions"
        print(f"time per turn, {kind} ({len(ms)}): p50 {percentile(ms, 50):.0f} ms, p95 {percentile(ms, 95):.0f} ms")
workdir.cleanup()
