"""Vector stores: unit vectors under stable 64-bit ids, searched by inner product.

The index keeps passage and sentence vectors in a :class:`VectorStore`. Ids are
the passage and sentence ids of the index's SQLite tables: they never change
while their text is unchanged, so removing an article's vectors never shifts
anyone else's. :class:`FaissVectorStore` is the default; another store (Milvus)
can stand in behind the same protocol without anything above ``index/``
noticing, because the query side only ever sees :class:`PositionalVectors`.
Where the passage vectors live is a :class:`StoreSpec` (``parse_store``): "faiss"
(a file in each build folder, the default), "milvus:DIR" (a milvus-lite directory) or
"http://host:19530" (a Milvus server); :mod:`index.milvus` holds the Milvus store.

The FAISS layout follows the collection's size (:func:`layout_for`). Exact search
(an ``IndexIDMap2`` over an ``IndexFlatIP``) reads every vector per query: 48 ms at
100,000 passages and 264 ms at a million on 2 busy cores. Above ``EXACT_LIMIT``
passages the store becomes an inverted file (``IndexIVFFlat``): vectors are grouped
around ``nlist`` k-means centroids and a query reads only the ``nprobe`` nearest
groups: 12.5 ms at a million passages with recall@10 of 0.95 or more against exact
search (bench/scale.py, bench/RESULTS.md). The layout is recorded in
the manifest; a sync that moves the collection across a size boundary re-lays the
vectors out (no re-embedding).
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import faiss
import numpy as np

#: Collections up to this many passages get exact search.
EXACT_LIMIT = 100_000


def layout_for(n: int) -> str:
    """The FAISS layout for ``n`` passages: "flat", or "ivf<nlist>" above ``EXACT_LIMIT``.

    Example:
        >>> layout_for(2_000), layout_for(1_000_000)
        ('flat', 'ivf4096')
    """
    return "flat" if n <= EXACT_LIMIT else f"ivf{ivf_parameters(n)[0]}"


def ivf_parameters(n: int) -> tuple[int, int]:
    """(nlist, nprobe) for ``n`` vectors: the power of two nearest 4 sqrt(n) groups, a tenth of them searched.

    A power of two, so a growing collection is re-laid out only when it has about
    quadrupled; searching a tenth of the groups keeps recall@10 at 0.95 or more on
    bench/scale.py's (pessimistic) vectors.
    """
    nlist = 2 ** max(6, round(math.log2(4 * math.sqrt(max(n, 1)))))
    return nlist, max(16, nlist // 10)


def ivf_nlist(layout: str) -> int | None:
    """The ``nlist`` of an "ivf<nlist>" layout, None for "flat".

    Raises:
        ValueError: for any other layout.
    """
    if layout == "flat":
        return None
    if layout.startswith("ivf") and layout[3:].isdigit():
        return int(layout[3:])
    raise ValueError(f"unknown vector layout {layout!r}")


def make_faiss_index(dimension: int, vectors: np.ndarray, ids: np.ndarray, layout: str) -> faiss.Index:
    """A new FAISS index of ``layout`` holding ``vectors`` under ``ids`` (IVF is trained on them)."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, dimension)
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    nlist = ivf_nlist(layout)
    if nlist is None:
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
    else:
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, nlist, faiss.METRIC_INNER_PRODUCT)
        sample = vectors
        if len(vectors) > 64 * nlist:  # k-means needs a few dozen points per centroid, not all of them
            sample = vectors[np.random.default_rng(0).choice(len(vectors), 64 * nlist, replace=False)]
        index.train(sample)
        index.nprobe = ivf_parameters(len(vectors))[1]
        index.set_direct_map_type(faiss.DirectMap.Hashtable)  # get and remove by stable id
    if len(ids):
        index.add_with_ids(vectors, ids)
    return index


@contextlib.contextmanager
def _single_thread() -> Iterator[None]:
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(threads)


class VectorStoreError(RuntimeError):
    """A saved vector store that cannot be read (truncated, damaged, or not a store of this kind)."""


class VectorStoreUnavailableError(RuntimeError):
    """A vector store that cannot be reached or opened now (a server down, a directory another process holds).

    Unlike :class:`VectorStoreError` this says nothing about the index: rebuilding would not help.
    """


@dataclass(frozen=True)
class StoreSpec:
    """Where passage vectors live: ``kind`` "faiss" (the build folder) or "milvus" at ``uri``.

    ``uri`` is "" for FAISS, the absolute path of a milvus-lite directory, or a server's
    ``http(s)://host:port``. ``str(spec)`` is the form :func:`parse_store` reads.
    """

    kind: str = "faiss"
    uri: str = ""

    @property
    def is_lite(self) -> bool:
        """A milvus-lite directory (one process at a time), not a server."""
        return self.kind == "milvus" and not self.uri.startswith(("http://", "https://", "tcp://"))

    def __str__(self) -> str:
        return "faiss" if self.kind == "faiss" else (f"milvus:{self.uri}" if self.is_lite else self.uri)


FAISS = StoreSpec()


def parse_store(spec: str | StoreSpec | None) -> StoreSpec:
    """Read a store setting: "faiss", "milvus:PATH" (milvus-lite, a local directory) or "http://host:19530".

    A relative milvus-lite path is resolved against the current directory.

    Example:
        >>> parse_store("http://milvus.internal:19530")
        StoreSpec(kind='milvus', uri='http://milvus.internal:19530')
        >>> parse_store("faiss") == parse_store(None) == FAISS
        True

    Raises:
        ValueError: for anything else, saying what is accepted.
    """
    if spec is None or isinstance(spec, StoreSpec):
        return spec or FAISS
    if not isinstance(spec, str):
        raise TypeError(f"store must be a string such as 'faiss' or 'milvus:./vectors', not {type(spec).__name__}")
    text = spec.strip()
    if text.lower() == "faiss":
        return FAISS
    if text.lower().startswith("milvus:") and not text.lower().startswith("milvus://"):
        path = text[len("milvus:") :]
        if not path:
            raise ValueError("store 'milvus:' needs a directory, e.g. 'milvus:./vectors'")
        return StoreSpec("milvus", str(Path(path).expanduser().resolve()))
    if text.lower().startswith(("http://", "https://", "tcp://")):
        return StoreSpec("milvus", text.rstrip("/"))
    raise ValueError(
        f"unknown vector store {spec!r}: use 'faiss' (the default), 'milvus:DIR' for a milvus-lite directory, "
        "or 'http://HOST:19530' for a Milvus server"
    )


class VectorStore(Protocol):
    """Unit-length float32 vectors, each under a unique int64 id."""

    dimension: int
    kind: str  # "faiss" or "milvus"
    #: True when the store also holds other builds' vectors (one Milvus collection for many builds).
    shared: bool

    def __len__(self) -> int:
        """How many vectors the store holds."""

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Store ``vectors[i]`` under ``ids[i]``; the ids must be new."""

    def remove(self, ids: np.ndarray) -> int:
        """Drop the vectors with these ids (unknown ids are ignored); returns how many were dropped."""

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Inner products and ids of the ``k`` nearest vectors per query row, best first (id -1 pads)."""

    def ids(self) -> np.ndarray:
        """Every stored id (int64), in no promised order."""

    def get(self, ids: np.ndarray) -> np.ndarray:
        """The vectors stored under ``ids``, one row each, in the order given."""

    def save(self, path: Path) -> None:
        """Write the store to ``path`` and fsync it."""

    def fit_layout(self, layout: str | None = None) -> bool:
        """Lay the vectors out for search as ``layout`` (default: by their count); returns whether it changed."""

    def close(self) -> None:
        """Release what the store holds open (a connection); a no-op for a file."""


class FaissVectorStore:
    """A :class:`VectorStore` in one FAISS file, exact ("flat") or inverted-file ("ivf<nlist>") search.

    Example:
        >>> store = FaissVectorStore.empty(2)
        >>> store.add(np.array([7, 9]), np.array([[1, 0], [0, 1]], dtype=np.float32))
        >>> store.remove(np.array([7]))
        1
        >>> store.search(np.array([[0.6, 0.8]], dtype=np.float32), 1)[1].tolist()
        [[9]]
    """

    kind = "faiss"
    #: Whether other builds' vectors share this store (see ``PositionalVectors.search``): a file per build does not.
    shared = False

    def __init__(self, index: faiss.Index) -> None:
        self._index = index
        self.dimension = index.d

    @property
    def layout(self) -> str:
        """ "flat" or "ivf<nlist>"."""
        return f"ivf{self._index.nlist}" if isinstance(self._index, faiss.IndexIVFFlat) else "flat"

    @classmethod
    def empty(cls, dimension: int) -> FaissVectorStore:
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dimension)))

    @classmethod
    def load(cls, path: Path) -> FaissVectorStore:
        """Read a store written by :meth:`save`.

        Raises:
            VectorStoreError: if the file is missing, truncated or not a store of either layout.
        """
        try:
            index = faiss.deserialize_index(np.fromfile(path, dtype=np.uint8))
        except (OSError, RuntimeError, ValueError) as error:
            raise VectorStoreError(f"cannot read {path}: {str(error).splitlines()[0][:200]}") from None
        if isinstance(index, faiss.IndexIVFFlat):
            if index.direct_map.type != faiss.DirectMap.Hashtable or not index.is_trained:
                raise VectorStoreError(f"{path} holds an IVF index without its id map")
            return cls(index)
        if not isinstance(index, faiss.IndexIDMap2) or not isinstance(
            faiss.downcast_index(index.index), faiss.IndexFlat
        ):
            raise VectorStoreError(f"{path} holds a {type(index).__name__}, not an IndexIDMap2 over a flat index")
        if index.id_map.size() != index.ntotal:
            raise VectorStoreError(f"{path} holds {index.ntotal} vectors but {index.id_map.size()} ids")
        return cls(index)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(ids), self.dimension)
        if len(ids):
            self._index.add_with_ids(vectors, ids)

    def remove(self, ids: np.ndarray) -> int:
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        return int(self._index.remove_ids(ids)) if len(ids) else 0

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dimension)
        if len(queries) > 1:
            return self._index.search(queries, k)
        # One question at a time: FAISS's thread pool costs more than it saves (0.15 ms against
        # 0.01 ms for a small collection, and half the speed at 100,000 passages, measured here).
        with _single_thread():
            return self._index.search(queries, k)

    def ids(self) -> np.ndarray:
        if isinstance(self._index, faiss.IndexIVFFlat):
            lists = self._index.invlists
            parts = [
                faiss.rev_swig_ptr(lists.get_ids(n), lists.list_size(n)).copy()
                for n in range(self._index.nlist)
                if lists.list_size(n)
            ]
            return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)
        return faiss.vector_to_array(self._index.id_map).astype(np.int64, copy=False)

    def get(self, ids: np.ndarray) -> np.ndarray:
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if not len(ids):
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._index.reconstruct_batch(ids)

    def fit_layout(self, layout: str | None = None) -> bool:
        """Re-lay the vectors out as ``layout`` (default :func:`layout_for` their count) if they are not already.

        Returns whether anything changed. Ids and vectors stay the same; only the search structure does.
        """
        wanted = layout or layout_for(len(self))
        if wanted == self.layout:
            return False
        ids = self.ids()
        self._index = make_faiss_index(self.dimension, self.get(ids), ids, wanted)
        return True

    def close(self) -> None:
        """Nothing to release: the vectors are in memory."""

    def save(self, path: Path) -> None:
        data = faiss.serialize_index(self._index)
        with path.open("wb") as handle:
            handle.write(data.tobytes())
            handle.flush()
            os.fsync(handle.fileno())


class PositionalVectors:
    """A vector store seen through positions ``0..n-1`` (the order of ``CorpusIndex.passages``).

    This is what the query side uses: ``search`` and ``reconstruct`` speak
    positions, so retrieval never sees a store id or knows which store it is.

    Args:
        store: The vectors under their stable ids.
        ids: ``ids[position]``: the store id of each position; every id must be in ``store``.
    """

    def __init__(self, store: VectorStore, ids: np.ndarray) -> None:
        self.store = store
        self.ids = np.ascontiguousarray(ids, dtype=np.int64)
        self._order = np.argsort(self.ids, kind="stable")
        self._sorted = self.ids[self._order]
        self.d = store.dimension

    @property
    def ntotal(self) -> int:
        return len(self.ids)

    def positions(self, ids: np.ndarray) -> np.ndarray:
        """Positions of store ids (-1 for an id that is not a position)."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(self._sorted):
            return np.full(ids.shape, -1, dtype=np.int64)
        where = np.searchsorted(self._sorted, ids).clip(max=len(self._sorted) - 1)
        return np.where(self._sorted[where] == ids, self._order[where], -1)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Like ``faiss.Index.search``: scores and positions of the ``k`` best, -1 padding.

        A shared store (Milvus) also holds vectors that are not this build's: a sync in
        progress adds its new passages before it publishes, and deletes the ones it
        replaced only after. Those ids map to no position and are dropped here; the store
        is asked for some headroom, and for more while fewer than ``k`` of this build's
        passages came back from a store that had more to give.
        """
        if not getattr(self.store, "shared", False):
            scores, ids = self.store.search(queries, k)
            return scores, self.positions(ids)
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.d)
        wanted = k + max(16, k // 2)
        while True:
            scores, ids = self.store.search(queries, wanted)
            positions = self.positions(ids)
            short = ((positions >= 0).sum(axis=1) < k) & (ids[:, -1] >= 0)  # fewer than k, and more were there
            if not short.any() or wanted >= self.store.max_k:
                break
            wanted = min(wanted * 4, self.store.max_k)
        found_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        found = np.full((len(queries), k), -1, dtype=np.int64)
        for row in range(len(queries)):
            keep = positions[row] >= 0
            n = min(k, int(keep.sum()))
            found_scores[row, :n] = scores[row][keep][:n]
            found[row, :n] = positions[row][keep][:n]
        return found_scores, found

    def at(self, positions: np.ndarray) -> np.ndarray:
        """The vectors at these positions, one row each, in the order given (one store lookup)."""
        return self.store.get(self.ids[positions])

    def reconstruct(self, position: int) -> np.ndarray:
        return self.store.get(self.ids[[position]])[0]

    def reconstruct_n(self, start: int, n: int) -> np.ndarray:
        return self.store.get(self.ids[start : start + n])
