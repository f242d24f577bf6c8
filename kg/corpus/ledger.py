"""The ledger: what the corpus stage needs of every report, kept on disk (SQLite, in the
working state's folder) rather than in the build's memory, so that the main process of
a build of 1,000 reports is no larger than that of 300.

Per report (by its cache key): the entries of its ledger of facts (for commitments), the
names that may be the same thing in other places (for hubs) and the hashes of its
entities (for counts). A report's rows are written in one transaction when the build
gets its summary, so a killed build leaves a report's rows whole or absent; a report
already in the ledger (unchanged since the last build) costs nothing. The ledger holds
exactly the reports of the last build: :meth:`Ledger.keep` removes the others.

Commitments are linked group by group (:func:`kg.facts.commitments.link` pairs only
entries of one indicator and area, or of one entity, so the groups are independent), and
kept in the ledger for the graphs that hold them. Adding or removing a report marks its
groups ``touched`` in the same transaction, and :meth:`Ledger.link` links those groups
alone: a rebuild after one report changed links that report's groups, not the corpus's.
What is read of the whole ledger on every build (the digests of the links graph and of
each report's own commitments, the entity counts) is kept with it, and forgotten in the
transaction that changes what it was made from. Values are stored as JSON (decimals as
strings), never as pickles: the ledger runs no code when read.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import logging
import contextlib
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from kg.errors import OutputError
from kg.facts.commitments import (Commitment, Entry, answered_in_own_report, group_of, is_promise,
                                  link)

log = logging.getLogger("kg")
FILE = "ledger.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (key TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS entries (key TEXT, gkey TEXT, seq INTEGER, promise INTEGER, data TEXT);
CREATE INDEX IF NOT EXISTS entries_key ON entries (key);
CREATE INDEX IF NOT EXISTS entries_group ON entries (gkey, key, seq);
CREATE TABLE IF NOT EXISTS names (key TEXT, cls TEXT, name TEXT, iri TEXT, scope TEXT);
CREATE INDEX IF NOT EXISTS names_key ON names (key);
CREATE INDEX IF NOT EXISTS names_name ON names (cls, name, scope);
CREATE TABLE IF NOT EXISTS entities (key TEXT, cls TEXT, h INTEGER);
CREATE INDEX IF NOT EXISTS entities_key ON entities (key);
CREATE TABLE IF NOT EXISTS commitments (gkey TEXT, graph TEXT, promise TEXT, answer TEXT, data TEXT);
CREATE INDEX IF NOT EXISTS commitments_group ON commitments (gkey);
CREATE INDEX IF NOT EXISTS commitments_graph ON commitments (graph, promise, answer);
CREATE TABLE IF NOT EXISTS touched (gkey TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS owns (graph TEXT PRIMARY KEY, digest TEXT);
CREATE TABLE IF NOT EXISTS memo (name TEXT PRIMARY KEY, value TEXT);
"""


@dataclass
class Facts:
    """What the ledger keeps of one report (made in the worker that analysed it)."""

    ledger: list[Entry] = field(default_factory=list)
    linkable: list[tuple[str, str, str, str]] = field(default_factory=list)  # class, name, IRI, place
    entities: dict[str, list[int]] = field(default_factory=dict)  # class -> 64-bit hashes of IRIs


def _value(v):
    return ["D", str(v)] if isinstance(v, Decimal) else v


def _unvalue(v):
    return Decimal(v[1]) if isinstance(v, list) else v


_VALUES = {f: i for i, f in enumerate(Entry.__dataclass_fields__)}
_V, _VMAX = _VALUES["value"], _VALUES["value_max"]


_ENTRY_FIELDS = tuple(Entry.__dataclass_fields__)
_COMMITMENT_FIELDS = tuple(Commitment.__dataclass_fields__)


def _entry_json(e: Entry) -> str:
    row = [getattr(e, f) for f in _ENTRY_FIELDS]  # its fields are plain values: no deep copy
    row[_V], row[_VMAX] = _value(row[_V]), _value(row[_VMAX])
    return json.dumps(row, ensure_ascii=False)


def _entry(data: str) -> Entry:
    row = json.loads(data)
    row[_V], row[_VMAX] = _unvalue(row[_V]), _unvalue(row[_VMAX])
    return Entry(*row)


def _commitment_json(c: Commitment) -> str:
    row = [getattr(c, f) for f in _COMMITMENT_FIELDS]
    row[3] = None if c.progress is None else str(c.progress)
    return json.dumps(row, ensure_ascii=False)


def commitment(data: str) -> Commitment:
    row = json.loads(data)
    row[3] = None if row[3] is None else Decimal(row[3])
    return Commitment(*row)


def group_key(e: Entry) -> str:
    """:func:`kg.facts.commitments.group_of` as the ledger's column."""
    return "\x1f".join(group_of(e))


def _sha_of(rows) -> str:
    """SHA-256 of text rows, one line each."""
    h = hashlib.sha256()
    for (data,) in rows:
        h.update(data.encode("utf-8") + b"\n")
    return h.hexdigest()


def _signed(h: int) -> int:
    return h - (1 << 64) if h >= 1 << 63 else h


class Ledger:
    """The ledger of one output folder's working state (``folder``: ``OUT/.work``)."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / FILE
        try:
            self.db = self._open()
        except sqlite3.Error as exc:
            log.warning("%s: cannot read the ledger (%s); making it again", self.path, exc)
            try:
                for p in (self.path, *(self.path.with_name(FILE + x) for x in ("-wal", "-shm"))):
                    p.unlink(missing_ok=True)
                self.db = self._open()
            except (OSError, sqlite3.Error) as again:
                raise OutputError(f"{self.path}: cannot write the ledger ({again})") from None
        self.known = {k for (k,) in self.db.execute("SELECT key FROM reports")}

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(SCHEMA)
        db.execute("SELECT count(*) FROM reports").fetchone()  # a damaged file fails here
        return db

    @contextlib.contextmanager
    def _transaction(self):
        """One transaction: committed whole, or rolled back on any error."""
        self.db.execute("BEGIN")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def has(self, key: str) -> bool:
        return key in self.known

    def add(self, key: str, facts: Facts) -> None:
        """The rows of one report (replacing any it had), in one transaction."""
        with self._transaction() as db:
            self._touch((key,))
            old = sorted(db.execute("SELECT cls, name, iri, scope FROM names WHERE key = ?", (key,)))
            if old != sorted(tuple(t) for t in facts.linkable):
                self._forget("links")
            self._forget("entities")
            for table in ("entries", "names", "entities"):
                db.execute(f"DELETE FROM {table} WHERE key = ?", (key,))
            db.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?)",
                           ((key, group_key(e), i, int(is_promise(e)), _entry_json(e))
                            for i, e in enumerate(facts.ledger)))
            self._touch((key,))
            db.executemany("INSERT INTO names VALUES (?, ?, ?, ?, ?)",
                           ((key, *t) for t in facts.linkable))
            db.executemany("INSERT INTO entities VALUES (?, ?, ?)",
                           ((key, cls, _signed(h)) for cls, hs in facts.entities.items() for h in hs))
            db.execute("INSERT OR IGNORE INTO reports VALUES (?)", (key,))
        self.known.add(key)

    def keep(self, keys: Iterable[str]) -> int:
        """Remove the reports not in ``keys`` (those of the build); how many."""
        gone = sorted(self.known - set(keys))
        if gone:
            with self._transaction() as db:
                self._touch(gone)
                self._forget("links", "entities")
                for table in ("entries", "names", "entities", "reports"):
                    db.executemany(f"DELETE FROM {table} WHERE key = ?", ((k,) for k in gone))
            self.known -= set(gone)
        return len(gone)

    def _touch(self, keys) -> None:
        self.db.executemany("INSERT OR IGNORE INTO touched SELECT DISTINCT gkey FROM entries "
                            "WHERE key = ?", ((k,) for k in keys))

    def _forget(self, *names: str) -> None:
        self.db.executemany("DELETE FROM memo WHERE name = ?", ((n,) for n in names))

    def _memo(self, name: str, make):
        """The value kept under ``name``, or ``make()`` (JSON), kept."""
        row = self.db.execute("SELECT value FROM memo WHERE name = ?", (name,)).fetchone()
        if row is not None:
            return json.loads(row[0])
        value = make()
        self.db.execute("INSERT OR REPLACE INTO memo VALUES (?, ?)", (name, json.dumps(value)))
        return value

    def entity_counts(self) -> dict[str, int]:
        """Class -> distinct entities over the reports (the same entity in two reports of
        one place counts once)."""
        return self._memo("entities", lambda: dict(self.db.execute(
            "SELECT cls, COUNT(DISTINCT h) FROM entities GROUP BY cls ORDER BY cls")))

    def links_digest(self) -> str | None:
        """SHA-256 of the hubs and of the commitments another report answers (None:
        neither, no links graph)."""
        def make():  # streamed: the corpus's hubs are not held
            h = hashlib.sha256()
            empty = True
            for cls, name, members in self.hubs():
                h.update("\x1f".join((cls, name, *members)).encode("utf-8") + b"\n")
                empty = False
            h.update(b"\x1e")
            for (data,) in self.db.execute("SELECT data FROM commitments WHERE graph IS NULL "
                                           "ORDER BY promise, answer"):
                h.update(data.encode("utf-8") + b"\n")
                empty = False
            return None if empty else h.hexdigest()
        return self._memo("links", make)

    def hubs(self) -> Iterator[tuple[str, str, list[str]]]:
        """(class, name, entity IRIs) of each name in the reports of two or more places,
        sorted (as :func:`kg.facts.linking.hubs`)."""
        rows = self.db.execute(
            "WITH h AS (SELECT cls, name FROM names GROUP BY cls, name "
            "HAVING COUNT(DISTINCT scope) >= 2) "
            "SELECT DISTINCT n.cls, n.name, n.iri FROM names n JOIN h USING (cls, name) "
            "ORDER BY n.cls, n.name, n.iri")
        for (cls, name), group in itertools.groupby(rows, key=lambda r: (r[0], r[1])):
            yield cls, name, [r[2] for r in group]

    def link(self, graph_of: dict[str, str]) -> int:
        """Link every promise of the touched groups with its answers and keep the
        commitments: those the promise's own report answers (or nothing does) with that
        report's graph (``graph_of``: report IRI → graph IRI), the others with none (the
        links graph). How many groups were linked."""
        if self.db.execute("SELECT 1 FROM touched LIMIT 1").fetchone() is None:
            return 0
        with self._transaction() as db:
            graphs = {g for (g,) in db.execute(
                "SELECT DISTINCT graph FROM commitments WHERE gkey IN (SELECT gkey FROM touched)")}
            db.execute("DELETE FROM commitments WHERE gkey IN (SELECT gkey FROM touched)")
            rows = db.execute(  # CROSS JOIN: SQLite walks the touched groups, not the entries
                "SELECT e.gkey, e.data FROM touched t CROSS JOIN entries e ON e.gkey = t.gkey "
                "WHERE EXISTS (SELECT 1 FROM entries p WHERE p.gkey = t.gkey AND p.promise) "
                "ORDER BY e.gkey, e.key, e.seq")
            n = 0
            for gkey, group in itertools.groupby(rows, key=lambda r: r[0]):
                n += 1
                made = [(gkey, graph_of[c.promise_report] if answered_in_own_report(c) else None,
                         c.promise, c.answer or "", _commitment_json(c))
                        for c in link([_entry(d) for _, d in group])]
                graphs.update(m[1] for m in made)
                db.executemany("INSERT INTO commitments VALUES (?, ?, ?, ?, ?)", made)
            if None in graphs:
                self._forget("links")
            for graph in sorted(g for g in graphs if g is not None):
                db.execute("INSERT OR REPLACE INTO owns VALUES (?, ?)", (graph, _sha_of(db.execute(
                    "SELECT data FROM commitments WHERE graph = ? ORDER BY promise, answer", (graph,)))))
                db.execute("DELETE FROM owns WHERE graph = ? AND NOT EXISTS "
                           "(SELECT 1 FROM commitments WHERE graph = ?)", (graph, graph))
            db.execute("DELETE FROM touched")
        return n

    def own_digests(self) -> dict[str, str]:
        """Graph IRI -> SHA-256 of its own commitments' text (graphs with any)."""
        return dict(self.db.execute("SELECT graph, digest FROM owns ORDER BY graph"))

    def own(self, graph: str) -> list[Commitment]:
        """The commitments a report's own text (or nothing) answers."""
        return [commitment(d) for (d,) in self.db.execute(
            "SELECT data FROM commitments WHERE graph = ? ORDER BY promise, answer", (graph,))]

    def linked(self) -> Iterator[Commitment]:
        """The commitments another report answers, sorted by promise and answer."""
        for (d,) in self.db.execute("SELECT data FROM commitments WHERE graph IS NULL "
                                    "ORDER BY promise, answer"):
            yield commitment(d)

    def close(self) -> None:
        self.db.close()


__all__ = ["Ledger", "Facts", "FILE", "group_key", "commitment"]
