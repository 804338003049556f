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
    python bench/scale.py --store milvus --queries 100   # the same vectors in milvus-lite: scale_milvus.json

With ``--store milvus`` the vectors go through ``index.milvus.MilvusVectorStore`` (what
``QA(store="milvus:DIR")`` uses) into a milvus-lite directory in a temporary folder: build is
insert (batches of 5,000) + flush + building the index ``layout_for`` picks (FLAT up to 100,000,
IVF_FLAT above), plus IVF_FLAT at 100,000 for comparison. Recall@10 is against exact FAISS
search on the same vectors. Memory is this process's resident growth (milvus-lite runs inside
it), disk is the directory's size; "ids s" is listing every id, which loading a build does.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.embedder import MiniLMEmbedder  # noqa: E402
from index.vectors import ivf_parameters, layout_for, make_faiss_index, parse_store  # noqa: E402

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


def recall_at(found: np.ndarray, truth: np.ndarray, k: int) -> float:
    """Mean share of each query's true ``k`` nearest that were found."""
    return float(np.mean([len(set(f) & set(t)) / k for f, t in zip(found, truth, strict=True)]))


def time_queries(index, queries: np.ndarray, k: int) -> tuple[np.ndarray, list[float]]:
    """Each query searched alone after a warm-up of ten: the ids found and the milliseconds per query.

    ``index`` is a FAISS index or a vector store: anything whose ``search(vector, k)`` gives (scores, ids).
    """
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
        recall = recall_at(found, truth, k)
        rows[f"IVF{nlist},Flat nprobe={probes}" + (" (default)" if probes == nprobe else "")] = {
            "build_s": approximate_build,
            "query_p50_ms": float(np.percentile(times, 50)),
            "query_p95_ms": float(np.percentile(times, 95)),
            "recall_at_10": recall,
            "memory_mb": memory,
        }
    return {"passages": n, "queries": n_queries, "rows": rows}


def disk_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def measure_milvus(n: int, n_queries: int, k: int, real: np.ndarray, workdir: Path) -> dict:
    """The same vectors and queries in milvus-lite, through MilvusVectorStore."""
    from index.milvus import MilvusVectorStore

    vectors = synthetic_vectors(n, 1, real)
    queries = synthetic_vectors(n_queries, 2, real)
    ids = np.arange(n, dtype=np.int64) * 7 + 3
    exact = faiss.IndexIDMap2(faiss.IndexFlatIP(DIMENSION))
    exact.add_with_ids(vectors, ids)
    _, truth = exact.search(queries, k)
    del exact
    directory = workdir / f"milvus-{n}"
    shutil.rmtree(directory, ignore_errors=True)
    import milvus_lite.adapter.grpc.server  # noqa: F401  (imports are not the collection's memory)
    import pymilvus  # noqa: F401

    before = rss_mb()
    store = MilvusVectorStore.create(parse_store(f"milvus:{directory}"), f"bench_{n}", DIMENSION)
    started = time.perf_counter()
    store.add(ids, vectors)
    store._insert_pending()
    insert_s = time.perf_counter() - started
    started = time.perf_counter()
    store.flush()
    flush_s = time.perf_counter() - started
    del vectors
    started = time.perf_counter()
    listed = store.ids()
    ids_s = time.perf_counter() - started
    assert len(listed) == n, len(listed)
    rows = {}
    layouts = [layout_for(n)] + (["ivf" + str(ivf_parameters(n)[0])] if layout_for(n) == "flat" else [])
    for layout in layouts:
        started = time.perf_counter()
        store.fit_layout(layout)
        store.search(queries[:1], k)  # milvus-lite builds segment indexes lazily: count that as build
        index_s = time.perf_counter() - started
        found, times = time_queries(store, queries, k)
        recall = recall_at(found, truth, k)
        name = "milvus-lite FLAT" if layout == "flat" else f"milvus-lite IVF_FLAT nlist={layout[3:]}"
        name += " (default)" if layout == layout_for(n) else ""
        rows[name] = {
            "build_s": insert_s + flush_s + index_s,
            "insert_s": insert_s,
            "flush_s": flush_s,
            "index_s": index_s,
            "query_p50_ms": float(np.percentile(times, 50)),
            "query_p95_ms": float(np.percentile(times, 95)),
            "recall_at_10": recall,
            "memory_mb": rss_mb() - before,
            "disk_mb": disk_mb(directory),
            "ids_s": ids_s,
        }
        print(
            f"{n:>10,} {name:<40} {rows[name]['build_s']:>8.1f} ({insert_s:.0f}+{flush_s:.0f}+{index_s:.0f})"
            f" {rows[name]['query_p50_ms']:>7.1f} {rows[name]['query_p95_ms']:>7.1f} {recall:>9.3f}"
            f" {rows[name]['memory_mb']:>7.0f} {rows[name]['disk_mb']:>7.0f} {ids_s:>6.1f}",
            flush=True,
        )
    store.close()
    shutil.rmtree(directory, ignore_errors=True)
    return {"passages": n, "queries": n_queries, "rows": rows}


def main_milvus(args: argparse.Namespace, real: np.ndarray) -> None:
    import milvus_lite
    import pymilvus

    results = {
        "machine": f"{platform.machine()}, {faiss.omp_get_max_threads()} threads, {platform.python_version()}",
        "pymilvus": pymilvus.__version__,
        "milvus_lite": milvus_lite.__version__,
        "vectors": "synthetic: random positive mixes of three real MiniLM SQuAD sentence vectors, normalised",
        "sizes": [],
    }
    out = args.out if args.out != DEFAULT_OUT else ROOT / "bench" / "results" / "scale_milvus.json"
    print(
        f"{'passages':>10} {'index':<40} {'build s (insert+flush+index)':>8} {'p50 ms':>7} {'p95 ms':>7}"
        f" {'recall@10':>9} {'MB':>7} {'disk MB':>7} {'ids s':>6}"
    )
    with tempfile.TemporaryDirectory(dir=args.workdir) as workdir:
        for n in args.sizes:
            results["sizes"].append(measure_milvus(n, args.queries, 10, real, Path(workdir)))
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(results, indent=2))  # after each size: a long run keeps what it measured
    print(f"wrote {out}")


DEFAULT_OUT = ROOT / "bench" / "results" / "scale.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--squad", type=Path, default=SQUAD, help="SQuAD v1.1 dev JSON (real sentences)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: scale.json, or scale_milvus.json")
    parser.add_argument("--store", choices=["faiss", "milvus"], default="faiss", help="milvus: milvus-lite")
    parser.add_argument(
        "--workdir", type=Path, default=None, help="--store milvus: where the milvus-lite directory goes"
    )
    args = parser.parse_args()
    if args.store == "milvus":
        main_milvus(args, real_sentence_vectors(args.squad, 5000))
        return
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
