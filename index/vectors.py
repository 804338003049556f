"""The FAISS index for a collection's passage vectors: exact while small, IVF when large.

Exact search (a flat inner-product index) reads every vector per query: about 10 ms
at 100,000 passages here, 100 ms at a million. Above ``EXACT_LIMIT`` passages the
index is an inverted file (IVF): vectors are grouped around ``nlist`` k-means
centroids and a query reads only the ``nprobe`` nearest groups. bench/scale.py
measures both (bench/RESULTS.md): at a million passages IVF answers in a few
milliseconds with recall@10 above 0.95 against exact search.

Both kinds hold the passages' stable 64-bit ids, so removing one never moves
another, and both can give back a stored vector by id.
"""

from __future__ import annotations

import math

import faiss
import numpy as np

#: Collections up to this many passages get exact search.
EXACT_LIMIT = 100_000


def index_kind(n: int) -> str:
    """The index a collection of ``n`` passages gets: "flat" or "ivf<nlist>"; recorded in the manifest.

    Example:
        >>> index_kind(2_000), index_kind(1_000_000)
        ('flat', 'ivf4000')
    """
    if n <= EXACT_LIMIT:
        return "flat"
    return f"ivf{ivf_parameters(n)[0]}"


def ivf_parameters(n: int) -> tuple[int, int]:
    """(nlist, nprobe) for ``n`` vectors: about 4 sqrt(n) groups, and the nearest tenth of them searched.

    A tenth is what keeps recall@10 at 0.95 or more on bench/scale.py's (pessimistic)
    vectors; a query then reads about a tenth of the collection.
    """
    nlist = max(64, int(4 * math.sqrt(n)) // 8 * 8)
    return nlist, max(16, nlist // 10)


def make_vector_index(dimension: int, vectors: np.ndarray, ids: np.ndarray, kind: str | None = None) -> faiss.Index:
    """A new index of ``kind`` (default: :func:`index_kind` of the count) holding ``vectors`` under ``ids``."""
    kind = kind or index_kind(len(vectors))
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    if kind == "flat":
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
    elif kind.startswith("ivf"):
        nlist = int(kind.removeprefix("ivf"))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, nlist, faiss.METRIC_INNER_PRODUCT)
        sample = vectors
        if len(vectors) > 64 * nlist:  # k-means needs a few dozen points per centroid, not all of them
            sample = vectors[np.random.default_rng(0).choice(len(vectors), 64 * nlist, replace=False)]
        index.train(sample)
        index.nprobe = ivf_parameters(len(vectors))[1]
        index.set_direct_map_type(faiss.DirectMap.Hashtable)  # reconstruct and remove by stable id
    else:
        raise ValueError(f"unknown vector index kind {kind!r}")
    if len(vectors):
        index.add_with_ids(vectors, ids)
    return index
