"""The report cache: a build keeps what it made of each report, so that the next build
of the same folder analyses only the reports that changed.

An entry is keyed by the report file (its name, bytes, encoding and metadata sidecar), the
size limits, whether the tagger was used, and the hash of everything that shapes an
analysis: the package's code, the lexicons, rules and model under ``data/``, and the
ontology; the key is made before the report is parsed. A change to any of them is a
new key, so nothing stale is ever read; entries a build did not use are removed after it.
Entries live in ``OUT/.cache/reports/`` and are written atomically (a killed build leaves
whole entries or none).

Entries are pickles, which run code when read, so they are read only from a folder that
belongs to the user running the build and that nobody else can write (as ssh treats its
keys); otherwise the cache is not used and the build says so once.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import pickle
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from kg.errors import OutputError
from kg.output import owned_temp, remove_files
from kg.resources import DATA, ONTOLOGY

log = logging.getLogger("kg")
FOLDER = Path(".cache") / "reports"
_SHAPING = ("lexicons", "rules", "models")  # data/ folders that shape an analysis


@functools.cache
def pipeline_hash() -> str:
    """SHA-256 over the code and data an analysis depends on (not the reports)."""
    h = hashlib.sha256()
    code = Path(__file__).resolve().parents[1]  # the kg package
    files = sorted(code.rglob("*.py")) + sorted(code.rglob("*.rq"))
    for sub in _SHAPING:
        files += sorted(p for p in (DATA / sub).rglob("*") if p.is_file())
    files += sorted(ONTOLOGY.glob("*.ttl"))
    for p in files:
        h.update(str(p.name).encode("utf-8"))
        h.update(p.read_bytes())
    return h.hexdigest()


def file_key(path: Path, data: bytes, encoding: str | None, tagger) -> str:
    """The key of a report file: its name, bytes, encoding, metadata sidecar, the size
    limits in force and the names mode, with :func:`pipeline_hash`. Made before the
    report is parsed, so that an unchanged report costs a read and a hash."""
    from kg.ingest import limit
    side = path.with_name(path.stem + ".meta.toml")
    try:
        sidecar = side.read_bytes() if side.is_file() else b""
    except OSError:
        sidecar = b"?"  # unreadable: parsing will say so; never a hit
    names = "tagger" if tagger is True else "rules" if not tagger else f"model:{id(tagger)}"
    limits = ",".join(str(limit(w)) for w in ("bytes", "units", "mentions"))
    h = hashlib.sha256()
    for part in (pipeline_hash().encode(), names.encode(), path.stem.encode("utf-8", "surrogateescape"),
                 (encoding or "").encode(), limits.encode(), sidecar, data):
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def _safe(path: Path) -> bool:
    """Owned by us and writable by nobody else (a folder or a file)."""
    try:
        st = path.lstat()
    except OSError:
        return False
    if stat.S_ISLNK(st.st_mode) or st.st_uid != os.getuid():
        return False
    return not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


class Cache:
    """The report cache of one output folder: per report (by :func:`file_key`) a small
    summary (``KEY.pickle``) and the files made from its graph (``KEY.NAME``: its
    N-Triples, Turtle and TriG blocks, index rows, pages).

    ``reuse=False`` (``kg build --no-cache``): nothing is read, everything is made again
    (and kept for the next build). A folder others could write is never read: the build
    then keeps its files in a private temporary folder, removed after it."""

    def __init__(self, out_dir: Path, reuse: bool = True):
        self.folder = Path(out_dir) / FOLDER
        self.used: set[str] = set()
        self.hits = 0
        self.enabled = reuse
        self._private = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            safe = all(_safe(p) for p in (self.folder.parent, self.folder))
        except OSError:
            safe = False
        if not safe:
            if self.folder.exists():
                log.warning("%s: not used as a cache (it must be yours and writable by you "
                            "alone)", self.folder)
            self.enabled = False
            self._private = owned_temp(Path(out_dir), "kg-build", suffix=".cache", directory=True)
            self.folder = self._private

    def path(self, key: str, name: str) -> Path:
        return self.folder / f"{key}.{name}"

    def get(self, key: str, needs: tuple[str, ...] = ()):
        """The summary stored for ``key`` when it and the files ``needs`` are there."""
        self.used.add(key)
        if not self.enabled:
            return None
        if not all(self.path(key, n).is_file() for n in needs):
            return None
        return self.load(key, "pickle")  # the caller counts hits (this may run in a worker)

    def load(self, key: str, name: str):
        """The pickle ``KEY.NAME``, or None (absent, damaged, or in a folder others could
        write)."""
        path = self.path(key, name)
        if not self.enabled or not _safe(path):
            return None
        try:
            with open(path, "rb") as fh:
                return pickle.load(fh)
        except Exception:  # a damaged entry is a miss, never an error
            return None

    def put(self, key: str, summary, blobs: dict[str, bytes | str] | None = None) -> None:
        """Store ``summary`` and its files; the summary last, so that an entry whose summary
        is there is whole (a killed build leaves whole entries or misses)."""
        self.used.add(key)
        try:
            for name, data in (blobs or {}).items():
                self.write(key, name, data)
            self.write(key, "pickle", pickle.dumps(summary, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError as exc:
            raise OutputError(f"{self.folder}: cannot write the cache ({exc.strerror or exc})") from None

    def write(self, key: str, name: str, data: bytes | str) -> Path:
        self.used.add(key)
        payload = data.encode("utf-8") if isinstance(data, str) else data
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, self.path(key, name))
        return self.path(key, name)

    @contextlib.contextmanager
    def writing(self, key: str, name: str) -> Iterator:
        """A binary file to fill, that becomes ``KEY.NAME`` whole when the block ends
        without an error (an output too large to hold, written a part at a time)."""
        self.used.add(key)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                yield fh
            os.replace(tmp, self.path(key, name))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def prune(self) -> int:
        """Remove entries (and debris) this build did not use; how many files."""
        if self._private is not None:
            import shutil
            shutil.rmtree(self._private, ignore_errors=True)
            return 0
        return remove_files(p for p in self.folder.iterdir()
                            if p.name.split(".", 1)[0] not in self.used)


__all__ = ["Cache", "pipeline_hash", "file_key"]
