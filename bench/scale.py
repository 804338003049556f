"""Vector search at 100,000 and 1,000,000 passages: exact (flat) against IVF, the index large collections get.

The vectors are synthetic but shaped like real ones (say so wherever the numbers are
quoted): 5,000 sentences of SQuAD v1.1 dev are embedded with the real model, and each
synthetic vector is a random positive mix of three of them, normalised. On such mixtures
IVF finds fewer true neighbours than on real sentence vectors (at 10,000 vectors and the
same settings: recall@10 0.80 against 0.95), so the recall here is pessimistic.
Recall@10 is against exact search on the same vectors. Each query is timed alone (one
query per call, as ``ask`` searches), after a warm-up.

    python bench/scale.py                    # 100k and 1M, writes bench/results/scale.json
    python bench/scale.py --sizes 100000     # just one size
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import resource
import sys
import time
from pathlib import Path

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.embedder import MiniLMEmbedder  # noqa: E402
from index.vectors import ivf_parameters, make_faiss_index  # noqa: E402

DIMENSION = 384
SQUAD = ROOT.parent / "shared" / "eval" / "squad" / "dev-v1.1.json"


def real_sentence_vectors(squad: Path, n: int) -> np.ndarray:
    """Vectors of the first ``n`` sentences of SQuAD's paragraphs, from the real model."""
    sentences: list[str] = []
    for article in json.loads(squad.read_text("utf-8"))["data"]:
        for paragraph in article["paragraphs"]:
            sentences += [s for s in re.split(r"(?<=[.!?])\s+", paragraph["context"]) if len(s.split()) >= 4]
    return MiniLMEmbedder().encode(sentences[:n])


def synthetic_vectors(n: int, seed: int, real: np.ndarray) -> np.ndarray:
    """``n`` unit vectors, each a random positive mix of three real sentence vectors."""
    rng = np.random.default_rng(seed)
    vectors = np.empty((n, DIMENSION), dtype=np.float32)
    step = 100_000
    for start in range(0, n, step):
        rows = min(step, n - start)
        weights = rng.uniform(0, 1, (rows, 3)).astype(np.float32)
        block = sum(weights[:, i : i + 1] * real[rng.integers(0, len(real), rows)] for i in range(3))
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        vectors[start : start + rows] = block
    return vectors


def rss_mb() -> float:
    """Resident memory now, in MB (Linux /proc)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 1e6


def time_queries(index: faiss.Index, queries: np.ndarray, k: int) -> tuple[np.ndarray, list[float]]:
    for q in queries[:10]:
        index.search(q.reshape(1, -1), k)
    found, times = [], []
    for q in queries:
        started = time.perf_counter()
        _, ids = index.search(q.reshape(1, -1), k)
        times.append((time.perf_counter() - started) * 1000)
        found.append(ids[0])
    return np.array(found), times


def measure(n: int, n_queries: int, k: int, real: np.ndarray) -> dict:
    vectors = synthetic_vectors(n, 1, real)
    queries = synthetic_vectors(n_queries, 2, real)
    ids = np.arange(n, dtype=np.int64) * 7 + 3  # stable ids are not positions
    rows = {}

    before = rss_mb()
    started = time.perf_counter()
    exact = faiss.IndexIDMap2(faiss.IndexFlatIP(DIMENSION))
    exact.add_with_ids(vectors, ids)
    exact_build = time.perf_counter() - started
    truth, exact_times = time_queries(exact, queries, k)
    rows["flat (exact)"] = {
        "build_s": exact_build,
        "query_p50_ms": float(np.percentile(exact_times, 50)),
        "query_p95_ms": float(np.percentile(exact_times, 95)),
        "recall_at_10": 1.0,
        "memory_mb": rss_mb() - before,
    }
    del exact

    before = rss_mb()
    started = time.perf_counter()
    nlist, nprobe = ivf_parameters(n)
    approximate = make_faiss_index(DIMENSION, vectors, ids, f"ivf{nlist}")
    approximate_build = time.perf_counter() - started
    memory = rss_mb() - before
    for probes in sorted({nprobe // 2, nprobe, nprobe * 2}):
        approximate.nprobe = probes
        found, times = time_queries(approximate, queries, k)
        recall = float(np.mean([len(set(f) & set(t)) / k for f, t in zip(found, truth, strict=True)]))
        rows[f"IVF{nlist},Flat nprobe={probes}" + (" (default)" if probes == nprobe else "")] = {
            "build_s": approximate_build,
            "query_p50_ms": float(np.percentile(times, 50)),
            "query_p95_ms": float(np.percentile(times, 95)),
            "recall_at_10": recall,
            "memory_mb": memory,
        }
    return {"passages": n, "queries": n_queries, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--squad", type=Path, default=SQUAD, help="SQuAD v1.1 dev JSON (real sentences)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scale.json")
    args = parser.parse_args()
    results = {
        "machine": f"{platform.machine()}, {faiss.omp_get_max_threads()} threads, {platform.python_version()}",
        "faiss": faiss.__version__,
        "vectors": "synthetic: random positive mixes of three real MiniLM SQuAD sentence vectors, normalised",
        "sizes": [],
    }
    real = real_sentence_vectors(args.squad, 5000)
    print(f"{'passages':>10} {'index':<36} {'build s':>8} {'p50 ms':>7} {'p95 ms':>7} {'recall@10':>9} {'MB':>7}")
    for n in args.sizes:
        result = measure(n, args.queries, 10, real)
        results["sizes"].append(result)
        for name, row in result["rows"].items():
            print(
                f"{n:>10,} {name:<36} {row['build_s']:>8.1f} {row['query_p50_ms']:>7.2f} {row['query_p95_ms']:>7.2f}"
                f" {row['recall_at_10']:>9.3f} {row['memory_mb']:>7.0f}",
                flush=True,
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
