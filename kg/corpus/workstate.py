"""What a build keeps between runs in ``OUT/.work/``: the on-disk store (one named graph
per report, plus the ontology's and the links'), the full-text index, the ledger of the
reports' facts (:mod:`kg.corpus.ledger`) and the manifest of what the store holds.

The manifest maps each named graph to the SHA-256 of the N-Triples loaded for it. A build
replaces only the graphs whose digest changed and removes the graphs of reports no longer
built. Before it touches a graph it marks it ``dirty`` in the manifest (written
atomically), and records the new digest only once the store and the index are flushed:
a build killed at any moment leaves some graphs marked dirty, and the next run reloads
exactly those. A store or index that cannot be opened is made again from the cache.
The published store is a RocksDB checkpoint of this one (hard links, no copy).
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.corpus.cache import pipeline_hash
from kg.corpus.ledger import Ledger
from kg.errors import OutputError
from kg.output import link_or_copy, write_atomic
from kg.textindex import INDEX_DIR, INDEX_FILE, add_rows, drop_rows, open_index

log = logging.getLogger("kg")
FOLDER = ".work"
MANIFEST = "manifest.json"
DIRTY = "dirty"
#: above this share of the graphs changing, the store and index are made again whole
REBUILD_SHARE = 0.3
#: the streamed graphs' own commitments are loaded this many bytes of N-Quads at a time
EXTRA_BATCH = 8 << 20


@dataclass
class Graph:
    """A named graph the build wants in the store: its digest, and how to get its
    N-Triples and its index rows (read only when the graph must be loaded).

    A report's graph is its own N-Triples (``base``: their digest) and the commitments
    known only once every report is in (``extra``): a build that streams loads the first
    as the report arrives (:meth:`WorkState.stream`) and adds the second afterwards."""

    digest: str
    ntriples: Callable[[], Iterable[bytes]]      # in chunks of distinct triples
    rows: Callable[[bytes], tuple[list, list]]   # of the chunk just loaded
    base: str | None = None                      # digest of the part streamed
    extra: Callable[[], Iterable[bytes]] | None = None  # the rest, after the base


def _lock(path: Path, out_dir: Path):
    """An exclusive lock on the working state, held until :meth:`WorkState.close` (two
    builds into one folder would otherwise load graphs into one store at once)."""
    import fcntl
    try:
        fh = open(path, "a")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror})") from None
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        raise OutputError(f"{out_dir}: another build is writing here") from None
    return fh


class WorkState:
    """The working store, index and manifest of one output folder."""

    def __init__(self, out_dir: Path):
        self.folder = Path(out_dir) / FOLDER
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = _lock(self.folder / ".lock", out_dir)
        self.manifest_path = self.folder / MANIFEST
        self.graphs = self._manifest()
        self.streamed: dict[str, str] = {}  # graph -> digest of the base loaded this build
        self._compacting: threading.Thread | None = None  # see _compact_meanwhile
        self._compact_error: OSError | None = None
        self._flushed: threading.Event | None = None  # see _compact_meanwhile
        self._flushing: threading.Thread | None = None  # see streamed_all
        self._index: sqlite3.Connection | None = None  # opened when first written: see index
        self._copying: threading.Thread | None = None   # see index_soon
        self.ledger = Ledger(self.folder)
        try:
            self.store = ox.Store(str(self.folder / "store"))
            for debris in self.folder.glob(f".{INDEX_FILE}.*.tmp"):  # a copy a killed build left
                debris.unlink()
            if _shared(self.folder / INDEX_FILE):  # published: read it, write a copy
                _readable(self.folder / INDEX_FILE)
            else:
                self._index = open_index(self.folder / INDEX_FILE)
        except (OSError, sqlite3.Error) as exc:
            log.warning("%s: cannot open the working store (%s); making it again", self.folder, exc)
            self._reset()

    def _manifest(self) -> dict[str, str]:
        self.counts: dict[str, int] = {}
        self.published: str | None = None
        self.pipeline: str | None = None  # the code that made what the store holds
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            graphs, counts = data["graphs"], data.get("triples", {})
            published = data.get("published")
            self.published = published if isinstance(published, str) else None
            self.pipeline = data.get("pipeline")
            if (isinstance(graphs, dict) and all(isinstance(v, str) for v in graphs.values())
                    and isinstance(counts, dict) and all(isinstance(v, int) for v in counts.values())):
                self.counts = counts
                return graphs
        except (OSError, ValueError, KeyError, TypeError):
            pass
        if (self.folder / "store").exists():  # state without a manifest: trust none of it
            self._wipe()
        return {}

    def _wipe(self) -> None:
        shutil.rmtree(self.folder / "store", ignore_errors=True)
        (self.folder / INDEX_FILE).unlink(missing_ok=True)

    def _reset(self) -> None:
        self._wipe()
        self.graphs = {}
        self.counts = {}
        self._save()
        self.store = ox.Store(str(self.folder / "store"))

    def _save(self) -> None:
        write_atomic(self.manifest_path, json.dumps(
            {"graphs": dict(sorted(self.graphs.items())),
             "triples": {g: self.counts[g] for g in sorted(self.graphs) if g in self.counts},
             "published": self.published, "pipeline": self.pipeline},
            indent=0, ensure_ascii=False))

    def begin_stream(self, graphs: Iterable[str]) -> bool:
        """Before the reports arrive: when the store will be made again whole anyway (few of
        ``graphs``, the report graphs of this build, are in it already: a first build; or
        other code made it, so that every report is analysed again and its graph most
        likely changes),
        empty it and the index, so that each report's graph is loaded as it arrives
        (:meth:`stream`) while the others are still analysed. Every graph is marked dirty
        first: a build killed while streaming is made again whole by the next one."""
        graphs = list(graphs)
        known = sum(1 for g in graphs if self.graphs.get(g, DIRTY) != DIRTY)
        if known >= (1 - REBUILD_SHARE) * len(graphs) and self.pipeline == pipeline_hash():
            return False
        self.graphs = {g: DIRTY for g in sorted(set(self.graphs) | set(graphs))}
        self.counts = {}
        self._save()
        self._empty()
        self.streamed = {}
        return True

    def stream(self, graph: str, digest: str, nt: bytes, rows: tuple[list, list]) -> None:
        """Load a report's own N-Triples (``digest``: theirs) and index rows now; the
        graph's digest is recorded by :meth:`sync`, once the rest of it is in."""
        self.store.bulk_load(nt, ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
        self.counts[graph] = nt.count(b"\n")
        add_rows(self.index, graph, *rows)
        self.streamed[graph] = digest

    def streamed_all(self) -> None:
        """Every report's graph is in (streamed): write to disk what the loads left in
        memory (3-14 s at 300-1,000 reports) in a thread, while the corpus stage runs on
        the other core; :meth:`sync` joins it."""
        if not self.streamed or self._flushing is not None:
            return
        errors: list = []

        def run() -> None:
            try:
                self.store.flush()
            except OSError as exc:
                errors.append(exc)
        self._flushing = threading.Thread(target=run, name="kg-flush")
        self._flushing.errors = errors
        self._flushing.start()

    def _join_flush(self) -> None:
        t, self._flushing = self._flushing, None
        if t is not None:
            t.join()
            if t.errors:
                raise OutputError(f"{self.folder / 'store'}: cannot write the store ({t.errors[0]})")

    def sync(self, wanted: dict[str, Graph]) -> tuple[int, int]:
        """Make the store and the index hold exactly ``wanted``; (graphs loaded, removed)."""
        if self.streamed:
            return self._finish_stream(wanted)
        change = sorted(g for g, spec in wanted.items() if self.graphs.get(g) != spec.digest)
        gone = sorted(g for g in self.graphs if g not in wanted)
        if not change and not gone:
            return 0, 0
        whole = len(change) + len(gone) > REBUILD_SHARE * max(len(self.graphs), 1)
        present = set(self.graphs)
        for g in change + gone:
            self.graphs[g] = DIRTY
        self._save()
        if whole:  # most of it changes: start from empty rather than delete graph by graph
            self._empty()
            self.graphs = {g: DIRTY for g in wanted}
            self.counts = {}
            change = sorted(wanted)
            gone = []
        else:
            for g in gone + change:
                if g in present:
                    self.store.remove_graph(ox.NamedNode(g))
                    drop_rows(self.index, g)
        for g in change:
            self._load(g, wanted[g])
        self.store.flush()
        self.index.commit()
        for g in change:
            self.graphs[g] = wanted[g].digest
        for g in gone:
            self.graphs.pop(g, None)
            self.counts.pop(g, None)
        self.pipeline = pipeline_hash()
        self._save()
        if whole:  # many bulk loads leave many small files: compacted, queries on the store
            self._compact_meanwhile()  # run 1.4-1.8 times faster (measured by bench_serve.py)
        return len(change), len(gone)

    def _finish_stream(self, wanted: dict[str, Graph]) -> tuple[int, int]:
        """After :meth:`stream`: the rest of each streamed graph, and the graphs not
        streamed (the ontology's, the links'), into the store emptied for this build."""
        self.pipeline = pipeline_hash()
        extras: list[bytes] = []  # the streamed graphs' rest, as N-Quads: small parts,
        size = 0                  # loaded a few MB at a time (a bulk load costs ~30 ms)
        for g in sorted(wanted):
            spec = wanted[g]
            if spec.base is not None and self.streamed.get(g) == spec.base:
                tail = f" <{g}> .\n".encode()
                for nt in (spec.extra() if spec.extra is not None else ()):
                    self.counts[g] += nt.count(b"\n")
                    extras.append(nt.replace(b" .\n", tail))
                    size += len(extras[-1])
                if size > EXTRA_BATCH:
                    self._load_quads(extras)
                    extras, size = [], 0
                continue
            if g in self.streamed:  # streamed, but not what is wanted now
                self.store.remove_graph(ox.NamedNode(g))
                drop_rows(self.index, g)
            self._load(g, spec)
        self._load_quads(extras)
        for g in set(self.streamed) - set(wanted):
            self.store.remove_graph(ox.NamedNode(g))
            drop_rows(self.index, g)
        self.index.commit()
        self.graphs = {g: wanted[g].digest for g in sorted(wanted)}
        self.counts = {g: self.counts[g] for g in self.graphs}
        self.streamed = {}
        self._join_flush()
        self._compact_meanwhile(flush=True)  # the manifest is saved once the store is flushed
        return len(wanted), 0

    def _compact_meanwhile(self, flush: bool = False) -> None:
        """Compact the store (queries on it then run 1.4-1.8 times faster) in a thread,
        while the exports and pages are written (pyoxigraph lets go of the GIL);
        :meth:`wait` joins it before the store is published or closed. The store holds
        every graph already: compacting changes its files, not what it holds.
        ``flush``: the thread first writes to disk what the loads left in memory (after
        a streamed build, 3-14 s), and the manifest, which says the graphs are in, is
        saved only then (until then it has them dirty: a build killed meanwhile loads
        them again)."""
        flushed = threading.Event()

        def run() -> None:
            try:
                if flush:
                    self.store.flush()
                flushed.set()
                self.store.optimize()
            except OSError as exc:
                self._compact_error = exc
        self._compact_error = None
        self._flushed = flushed if flush else None
        self._compacting = threading.Thread(target=run, name="kg-compact")
        self._compacting.start()

    def wait(self) -> None:
        """Until the store's compaction (if one runs) is done; then the manifest is saved
        if it waited for the store's flush."""
        self._join_flush()
        t = self._compacting
        if t is None:
            return
        t.join()
        self._compacting = None
        flushed, self._flushed = self._flushed, None
        if flushed is not None and flushed.is_set():
            self._save()
        if self._compact_error is not None:
            raise OutputError(f"{self.folder / 'store'}: cannot compact the store ({self._compact_error})")

    def _empty(self) -> None:
        """An empty store and index, to be loaded whole."""
        self.store.clear()
        self._close_index()
        (self.folder / INDEX_FILE).unlink(missing_ok=True)

    @property
    def index(self) -> sqlite3.Connection:
        """The working index, open to write. Its file is published as a hard link (no
        copy of a corpus's index on every build), so before it is first written in a
        build, a file the published outputs share is copied (see :meth:`index_soon`)."""
        if self._index is None:
            path = self.folder / INDEX_FILE
            tmp = self._join_copy()
            if tmp is None and _shared(path):
                tmp = _private_copy(path)
            if tmp is not None:
                os.replace(tmp, path)
            self._index = open_index(path)
        return self._index

    def index_soon(self) -> None:
        """The index is about to change (a report is being analysed): when published
        outputs share its file, copy it now, in a thread (the copy runs in the kernel,
        beside the analysis), rather than when it is first written."""
        path = self.folder / INDEX_FILE
        if self._index is not None or self._copying is not None or not _shared(path):
            return
        result: list = []

        def run() -> None:
            try:
                result.append(_private_copy(path))
            except OSError as exc:
                result.append(exc)
        self._copying = threading.Thread(target=run, name="kg-index-copy")
        self._copying.result = result
        self._copying.start()

    def _join_copy(self) -> Path | None:
        """The file :meth:`index_soon` copied (None: no copy ran)."""
        t, self._copying = self._copying, None
        if t is None:
            return None
        t.join()
        out = t.result[0] if t.result else None
        if isinstance(out, OSError):
            raise OutputError(f"{self.folder / INDEX_FILE}: cannot copy the index ({out.strerror or out})")
        return out

    def _close_index(self) -> None:
        tmp = self._join_copy()
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        if self._index is not None:
            self._index.close()
            self._index = None

    def _load(self, g: str, spec: Graph) -> None:
        """A graph (not in the store) and its index rows, a chunk at a time: the loader's
        memory is one report's."""
        self.counts[g] = 0
        for nt in spec.ntriples():
            self.store.bulk_load(nt, ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(g))
            self.counts[g] += nt.count(b"\n")  # distinct lines: one triple each
            add_rows(self.index, g, *spec.rows(nt))

    def _load_quads(self, parts: list[bytes]) -> None:
        if parts:
            self.store.bulk_load(b"".join(parts), ox.RdfFormat.N_QUADS)

    def __len__(self) -> int:
        """Triples in the store, from the manifest (counting them in the store scans it)."""
        if set(self.counts) != set(self.graphs):
            return len(self.store)
        return sum(self.counts.values())

    def publish_store(self, folder: Path) -> None:
        """A checkpoint of the store into ``folder`` (which must not exist yet)."""
        self.wait()
        if folder.exists():
            folder.rmdir()
        self.store.backup(str(folder))

    def _state(self) -> str:
        return _state_of(self.graphs)

    def published_again(self, name: str):
        """When the store holds what it held when the outputs were last published, and
        those had ``name`` (a path under the output folder): a function that publishes
        that file again as a hard link (no copy of a corpus's 3 GB of exports); else None."""
        live = self.folder.parent / name
        if self.published != self._state() or not live.is_file():
            return None
        return functools.partial(link_or_copy, live.resolve())

    def publish_index(self, folder: Path) -> None:
        """The index into ``folder``: the published one again when nothing changed, else
        the working one, committed and closed, as a hard link (the next build that
        changes it writes a copy: see :attr:`index`)."""
        dest = folder / INDEX_FILE
        again = self.published_again(f"{INDEX_DIR}/{INDEX_FILE}")
        if again is not None:
            again(dest)
            return
        path = self.folder / INDEX_FILE
        if self._index is not None:
            self._index.commit()
        self._close_index()
        if not path.exists():
            open_index(path).close()
        link_or_copy(path, dest)

    def mark_published(self) -> None:
        """Record that the outputs just published hold what the store holds."""
        self.published = self._state()
        self._save()

    def close(self) -> None:
        self.wait()
        self.ledger.close()
        self._close_index()
        del self.store
        self._lock.close()


def _readable(path: Path) -> None:
    """Raise sqlite3.Error when ``path`` is not an index (read only: the file is the
    published one's, never written since)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        con.execute("SELECT 1 FROM sentences LIMIT 1").fetchall()
    finally:
        con.close()


def _shared(path: Path) -> bool:
    """Whether another name (a published version) holds ``path``'s file."""
    try:
        return path.stat().st_nlink > 1
    except FileNotFoundError:
        return False


def _private_copy(path: Path) -> Path:
    """A copy of ``path`` beside it (to be renamed over it)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        shutil.copyfile(path, tmp)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _state_of(graphs: dict[str, str]) -> str:
    """The graphs the store holds and the code that writes outputs from them."""
    return hashlib.sha256(json.dumps([pipeline_hash(), sorted(graphs.items())])
                          .encode()).hexdigest()


def published_graphs(out_dir: Path) -> dict[str, str] | None:
    """The digest of each named graph the outputs published in ``out_dir`` hold, from
    its manifest; None when they are not known for sure (no manifest, a build killed
    before publishing, other code than this)."""
    try:
        data = json.loads((Path(out_dir) / FOLDER / MANIFEST).read_text(encoding="utf-8"))
        graphs, published = data["graphs"], data.get("published")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(graphs, dict) or not all(isinstance(v, str) and v != DIRTY for v in graphs.values()):
        return None
    return dict(graphs) if published == _state_of(graphs) else None


__all__ = ["WorkState", "Graph", "FOLDER", "published_graphs"]
