"""Passage vectors in Milvus, behind the :class:`~index.vectors.VectorStore` protocol.

One collection holds the passage vectors of an index under their stable passage ids
(``id`` INT64 primary key, ``vector`` FLOAT_VECTOR, inner product on unit vectors,
so scores equal FAISS's). Unlike a FAISS file, the collection is shared by every
build of the index made since the last full rebuild: a sync adds its new vectors
before it publishes and deletes the ones it replaced after (see
:mod:`index.store`), so the store holds ids a given build does not have
(``shared = True``; ``PositionalVectors`` drops them).

Two places a collection can live (:class:`~index.vectors.StoreSpec`):

* ``milvus:DIR``: milvus-lite 3, a server inside this process over a local
  directory. Only one process may open a directory at a time (it holds a ``flock``
  on ``DIR/LOCK`` until it releases the server or dies, even by SIGKILL); a second
  process gets :class:`MilvusLockedError` saying so.
* ``http://host:19530``: a Milvus server (standalone or cluster), any number of processes.

pymilvus is imported only when a Milvus store is opened. What milvus-lite 3.2.2 needs
that a reader of the pymilvus docs would not guess: index build parameters must be
nested (``params={"params": {"nlist": n}}``) or they are silently dropped; a
collection must be loaded again after the server restarts; inserts go in batches
(gRPC refuses messages over 256 MB); and searches are about 40 times slower until
the inserted rows are flushed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import threading
import time
import weakref
from pathlib import Path

import numpy as np

from index.vectors import (
    StoreSpec,
    VectorStoreError,
    VectorStoreUnavailableError,
    ivf_nlist,
    ivf_parameters,
    layout_for,
)

logger = logging.getLogger(__name__)

INSTALL_HINT = "pip install pymilvus==3.0.2 milvus-lite==3.2.2"
#: Rows per insert call: 5,000 vectors of 384 floats are about 8 MB, far under gRPC's 256 MB.
INSERT_BATCH = 5_000
#: Ids per get or delete call.
ID_BATCH = 10_000
#: Milvus's largest ``limit`` for a search.
MAX_K = 16_384
#: Seconds to wait for another process to let go of a milvus-lite directory before saying it holds it.
LOCK_WAIT = 3.0
ID_FIELD, VECTOR_FIELD = "id", "vector"


class MilvusLockedError(VectorStoreUnavailableError):
    """A milvus-lite directory that another process has open."""


def _pymilvus():
    try:
        import pymilvus
    except ImportError:
        raise VectorStoreUnavailableError(
            f"the Milvus vector store needs pymilvus and milvus-lite: {INSTALL_HINT}"
        ) from None
    return pymilvus


class _Connections:
    """One MilvusClient per store location in this process, counted, and released with the last user.

    Releasing a milvus-lite server stops it and frees its directory's lock, so another
    process (a ``qa index`` after the chat page closed a QA, a test's child) can open it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, list] = {}  # uri -> [client, users]

    def acquire(self, spec: StoreSpec):
        with self._lock:
            entry = self._open.get(spec.uri)
            if entry is None:
                entry = self._open[spec.uri] = [_connect(spec), 0]
            entry[1] += 1
            return entry[0]

    def release(self, spec: StoreSpec) -> None:
        with self._lock:
            entry = self._open.get(spec.uri)
            if entry is None:
                return
            entry[1] -= 1
            if entry[1] > 0:
                return
            del self._open[spec.uri]
        with contextlib.suppress(Exception):
            entry[0].close()
        if spec.is_lite:
            from milvus_lite.server_manager import server_manager_instance

            server_manager_instance.release_server(spec.uri)

    def users(self, spec: StoreSpec) -> int:
        """How many open stores use this location (0: released)."""
        with self._lock:
            return self._open[spec.uri][1] if spec.uri in self._open else 0


connections = _Connections()


def _connect(spec: StoreSpec):
    pymilvus = _pymilvus()
    if not spec.is_lite:
        try:
            client = pymilvus.MilvusClient(uri=spec.uri, timeout=10)
            client.list_collections()
        except Exception as error:
            raise VectorStoreUnavailableError(
                f"cannot reach the Milvus server at {spec.uri}: {str(error).splitlines()[0][:200]}"
            ) from None
        return client
    directory = Path(spec.uri)
    directory.mkdir(parents=True, exist_ok=True)
    _check_not_locked(directory)
    from milvus_lite.server_manager import server_manager_instance

    logging.getLogger("milvus_lite.server_manager").setLevel(logging.CRITICAL)  # we say why, without a traceback
    logging.getLogger("grpc._server").addFilter(_quiet_unimplemented)
    local = server_manager_instance.start_and_get_uri(str(directory))
    if local is None:  # the lock was taken between our look and the server's
        _check_not_locked(directory)
        raise VectorStoreUnavailableError(f"cannot open the milvus-lite store in {directory}")
    return pymilvus.MilvusClient(uri=local)


def _quiet_unimplemented(record: logging.LogRecord) -> bool:
    """Drop milvus-lite's "Method not implemented!" errors: pymilvus asks for a timestamp it does not need."""
    return "Method not implemented" not in record.getMessage()


def _check_not_locked(directory: Path, wait: float = LOCK_WAIT) -> None:
    """Raise :class:`MilvusLockedError` if another process holds the milvus-lite directory's lock.

    Waits up to ``wait`` seconds first: a process that has just finished a sync lets go as it exits.
    """
    lock = directory / "LOCK"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fd, fcntl.LOCK_UN)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.05)
        raise MilvusLockedError(
            f"the milvus-lite store {directory} is open in another process (milvus-lite lets one process "
            "at a time use a directory): stop that process (a running `qa chat`?), or, to share the "
            "vectors between processes, run a Milvus server and use --store http://HOST:19530 (docs/DEPLOY.md)"
        )
    finally:
        os.close(fd)


class MilvusVectorStore:
    """A :class:`~index.vectors.VectorStore` in one Milvus collection (see the module docstring).

    Open one with :meth:`create` or :meth:`open`; :meth:`close` (or garbage collection)
    gives the connection back. Added vectors are buffered and inserted in batches;
    :meth:`flush` (called by ``save`` and ``search``) sends them and makes Milvus seal
    them into indexed segments.

    Example:
        >>> store = MilvusVectorStore.create(parse_store("milvus:/tmp/vectors"), "passages_demo", 2)
        >>> store.add(np.array([7, 9]), np.array([[1, 0], [0, 1]], dtype=np.float32))
        >>> store.search(np.array([[0.6, 0.8]], dtype=np.float32), 1)[1].tolist()
        [[9]]
    """

    kind = "milvus"
    shared = True
    max_k = MAX_K

    def __init__(self, spec: StoreSpec, collection: str, dimension: int) -> None:
        self.spec = spec
        self.collection = collection
        self.dimension = dimension
        self._client = connections.acquire(spec)
        self._release = weakref.finalize(self, connections.release, spec)
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        self._unflushed = False
        self._search_params: dict | None = None  # worked out once: a describe and a count per search would cost

    @classmethod
    def create(cls, spec: StoreSpec, collection: str, dimension: int) -> MilvusVectorStore:
        """A new, empty collection (exact search) named ``collection``."""
        store = cls(spec, collection, dimension)
        try:
            DataType = _pymilvus().DataType
            client = store._client
            schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
            schema.add_field(ID_FIELD, DataType.INT64, is_primary=True)
            schema.add_field(VECTOR_FIELD, DataType.FLOAT_VECTOR, dim=dimension)
            client.create_collection(
                collection, schema=schema, index_params=store._index_params("flat"), consistency_level="Strong"
            )
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def open(cls, spec: StoreSpec, collection: str, dimension: int) -> MilvusVectorStore:
        """An existing collection, loaded for search.

        Raises:
            VectorStoreError: if there is no such collection, or its vectors have another dimension.
        """
        store = cls(spec, collection, dimension)
        try:
            if not store._client.has_collection(collection):
                raise VectorStoreError(f"Milvus at {spec} has no collection {collection!r}")
            fields = store._client.describe_collection(collection)["fields"]
            found = next((f for f in fields if f["name"] == VECTOR_FIELD), None)
            found_dim = int(found["params"].get("dim", 0)) if found else 0
            if found_dim != dimension:
                raise VectorStoreError(
                    f"Milvus collection {collection!r} at {spec} holds vectors of dimension {found_dim}, "
                    f"not {dimension}"
                )
            if not store._client.describe_index(collection, VECTOR_FIELD):
                # A sync killed while re-laying the collection out left it without an index: exact
                # search is always right (the next sync lays it out for its size again).
                store._client.create_index(collection, store._index_params("flat"))
            store._client.load_collection(collection)  # needed again after a milvus-lite restart
        except _pymilvus().MilvusException as error:
            store.close()
            raise VectorStoreUnavailableError(f"Milvus at {spec} could not open {collection!r}: {error}") from None
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        """Give the connection back (the last store of a milvus-lite directory releases its lock)."""
        self._release()

    def collections(self) -> list[str]:
        """Every collection at this store's location."""
        return list(self._client.list_collections())

    def drop_collection(self, name: str) -> None:
        self._client.drop_collection(name)

    # --- the VectorStore protocol ------------------------------------------------------------------

    def __len__(self) -> int:
        self._insert_pending()  # counts see unflushed rows; only searches are slow before a flush
        rows = self._client.query(self.collection, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"])

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(ids), self.dimension)
        if len(ids):
            self._pending.append((ids, vectors))
            if sum(len(i) for i, _ in self._pending) >= INSERT_BATCH:
                self._insert_pending()

    def remove(self, ids: np.ndarray) -> int:
        ids = [int(i) for i in np.asarray(ids, dtype=np.int64)]
        if not ids:
            return 0
        before = len(self)  # delete() answers with the ids asked for, not the ids it found: count instead
        for start in range(0, len(ids), ID_BATCH):
            self._client.delete(self.collection, ids=ids[start : start + ID_BATCH])
        self._unflushed = True
        return before - len(self)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        self.flush()
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dimension)
        k = max(1, min(int(k), MAX_K))
        if self._search_params is None:
            self._search_params = {"metric_type": "IP"}
            if self.layout != "flat":
                self._search_params["params"] = {"nprobe": ivf_parameters(len(self))[1]}
        hits = self._client.search(
            self.collection,
            data=[q.tolist() for q in queries],
            anns_field=VECTOR_FIELD,
            limit=k,
            search_params=self._search_params,
            output_fields=[ID_FIELD],
        )
        scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        ids = np.full((len(queries), k), -1, dtype=np.int64)
        for row, found in enumerate(hits):
            for n, hit in enumerate(found[:k]):
                ids[row, n] = hit["id"]
                scores[row, n] = hit["distance"]
        return scores, ids

    def ids(self) -> np.ndarray:
        self._insert_pending()
        if self.spec.is_lite:  # milvus-lite returns every match at once (its iterator logs spurious errors)
            rows = self._client.query(self.collection, filter=f"{ID_FIELD} >= 0", output_fields=[ID_FIELD])
            return np.fromiter((row[ID_FIELD] for row in rows), np.int64, len(rows))
        found: list[int] = []  # a server caps one query's results: page through them
        iterator = self._client.query_iterator(
            self.collection, batch_size=ID_BATCH, filter=f"{ID_FIELD} >= 0", output_fields=[ID_FIELD]
        )
        try:
            while batch := iterator.next():
                found += [row[ID_FIELD] for row in batch]
        finally:
            iterator.close()
        return np.array(found, dtype=np.int64)

    def get(self, ids: np.ndarray) -> np.ndarray:
        """The vectors under ``ids``, in order; a row of zeros for an id the collection no longer holds.

        An id goes missing only when a newer build has been published and its sync has
        deleted the passages it replaced: a reader still on the old build gets a zero
        cosine for that passage until it reloads (``QA`` looks for a newer build every second).
        """
        self._insert_pending()
        ids = np.asarray(ids, dtype=np.int64)
        out = np.zeros((len(ids), self.dimension), dtype=np.float32)
        unique = np.unique(ids)
        found: dict[int, list[float]] = {}
        for start in range(0, len(unique), ID_BATCH):
            chunk = [int(i) for i in unique[start : start + ID_BATCH]]
            for row in self._client.get(self.collection, ids=chunk, output_fields=[VECTOR_FIELD]):
                found[int(row[ID_FIELD])] = row[VECTOR_FIELD]
        for n, i in enumerate(ids.tolist()):
            vector = found.get(i)
            if vector is not None:
                out[n] = vector
        if len(found) < len(unique):
            logger.info("%d of %d passage vectors are gone from %s", len(unique) - len(found), len(unique), self)
        return out

    def save(self, path: Path) -> None:
        """Flush everything to Milvus, and write ``path``: a small JSON note of where the vectors are."""
        self.flush()
        data = json.dumps({"store": str(self.spec), "collection": self.collection}, indent=2).encode()
        with path.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())

    # --- layout and flushing -----------------------------------------------------------------------

    @property
    def layout(self) -> str:
        """ "flat" (Milvus FLAT) or "ivf<nlist>" (IVF_FLAT), as in ``index.vectors.layout_for``."""
        described = self._client.describe_index(self.collection, VECTOR_FIELD) or {}
        if str(described.get("index_type", "FLAT")).upper() != "IVF_FLAT":
            return "flat"
        return f"ivf{int((described.get('params') or {}).get('nlist', 0))}"

    def fit_layout(self, layout: str | None = None) -> bool:
        """Rebuild the collection's index as ``layout`` (default: :func:`layout_for` its size) if it is not already.

        A shared collection's layout follows its total size, so every build using it searches the same way.
        """
        wanted = layout or layout_for(len(self))
        if wanted == self.layout:
            return False
        self._client.release_collection(self.collection)
        self._client.drop_index(self.collection, VECTOR_FIELD)
        try:
            self._client.create_index(self.collection, self._index_params(wanted))
        except Exception as error:
            # Building IVF over a million rows takes minutes in milvus-lite; meanwhile gRPC may drop the
            # connection ("too_many_pings") and pymilvus retries a call that had succeeded.
            if "already exists" not in str(error) or self.layout != wanted:
                raise
        self._client.load_collection(self.collection)
        self._search_params = None
        return True

    def flush(self) -> None:
        """Send buffered vectors and seal them (searches before a flush are many times slower)."""
        self._insert_pending()
        if self._unflushed:
            self._client.flush(self.collection)
            self._unflushed = False

    def _insert_pending(self) -> None:
        if not self._pending:
            return
        ids = np.concatenate([i for i, _ in self._pending])
        vectors = np.concatenate([v for _, v in self._pending])
        self._pending = []
        for start in range(0, len(ids), INSERT_BATCH):
            rows = [
                {ID_FIELD: int(i), VECTOR_FIELD: v}
                for i, v in zip(ids[start : start + INSERT_BATCH], vectors[start : start + INSERT_BATCH], strict=True)
            ]
            self._client.insert(self.collection, rows)
        self._unflushed = True

    def _index_params(self, layout: str):
        params = self._client.prepare_index_params()
        nlist = ivf_nlist(layout)
        if nlist is None:
            params.add_index(VECTOR_FIELD, index_type="FLAT", metric_type="IP")
        else:
            # Nested "params": milvus-lite 3.2.2 silently drops build parameters given flat.
            params.add_index(VECTOR_FIELD, index_type="IVF_FLAT", metric_type="IP", params={"params": {"nlist": nlist}})
        return params

    def __repr__(self) -> str:
        return f"MilvusVectorStore({str(self.spec)!r}, {self.collection!r})"
