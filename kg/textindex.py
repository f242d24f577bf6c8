"""A full-text side index of a build (``DIR/search/index.sqlite``): sentence text, entity
labels and aliases, searched without scanning.

SQLite FTS5 over characters: every letter and digit (Han or not) is a token of its own,
and a query is a phrase of the same tokens, so the index finds every text that contains
the query (of any length: two-character words such as 高铁 included, or 15 inside G15)
and needs no segmenter; the few it finds that do not contain it exactly (punctuation
between the characters, other case) are dropped by a final substring test. A query of
punctuation alone has no tokens and is answered by the scan. Made by ``kg build`` from the store it has just written, published with it.
``kg query search`` and ``kg serve`` answer from it when the data is a build's output;
elsewhere the library's SPARQL (a substring filter) does the same job by scanning.

>>> to_tokens("推进G15高铁，建设")
'推 进 G 1 5 高 铁 建 设'
>>> phrase('高铁"')
'"高 铁"'
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from kg.errors import InputError

INDEX_DIR = "search"
INDEX_FILE = "index.sqlite"
_SENTENCES = """
PREFIX kg: <https://w3id.org/gwr-kg/ontology#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
SELECT ?sentence ?report ?begin ?modality ?section ?text WHERE {
  ?sentence a kg:Sentence ; nif:anchorOf ?text ; kg:report ?report ; nif:beginIndex ?begin .
  OPTIONAL { ?sentence kg:modality ?modality }
  OPTIONAL { ?sentence kg:inSection ?section }
}"""
_NAMES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX kg: <https://w3id.org/gwr-kg/ontology#>
SELECT DISTINCT ?entity ?name ?kind WHERE {
  { ?entity rdfs:label ?name . BIND("label" AS ?kind) FILTER(lang(?name) != "zh-latn-pinyin") }
  UNION { ?entity skos:altLabel ?name . BIND("alias" AS ?kind) }
  FILTER(isIRI(?entity))
}"""


def to_tokens(text: str) -> str:
    """Text as index tokens: each letter or digit apart, nothing else."""
    return " ".join(filter(str.isalnum, text))


def phrase(query: str) -> str:
    """An FTS5 phrase for ``query`` (quotes doubled: the user's text is never syntax)."""
    return '"' + to_tokens(query).replace('"', '""') + '"'


_SCHEMA = """
    CREATE VIRTUAL TABLE IF NOT EXISTS sentences USING fts5(
        tokens, sentence UNINDEXED, report UNINDEXED, begin UNINDEXED,
        modality UNINDEXED, section UNINDEXED, text UNINDEXED, graph UNINDEXED,
        tokenize='unicode61');
    CREATE VIRTUAL TABLE IF NOT EXISTS names USING fts5(
        tokens, entity UNINDEXED, name UNINDEXED, kind UNINDEXED, graph UNINDEXED,
        tokenize='unicode61');
    CREATE TABLE IF NOT EXISTS ranges (graph TEXT, tbl TEXT, lo INTEGER, hi INTEGER);
    CREATE INDEX IF NOT EXISTS ranges_graph ON ranges (graph);
"""


_COLUMNS = {"sentences": "tokens, sentence, report, begin, modality, section, text, graph",
            "names": "tokens, entity, name, kind, graph"}


def rows_of(store) -> tuple[list[tuple], list[tuple]]:
    """(sentence rows, name rows) of ``store``, sorted: what the index holds of it."""
    sentences = sorted((str(r[1]), int(r[2]), str(r[0]), str(r[3] or ""), str(r[4] or ""), str(r[5]))
                       for r in store.query(_SENTENCES).rows)
    names = sorted((str(r[0]), str(r[1]), str(r[2])) for r in store.query(_NAMES).rows)
    return sentences, names


def open_index(path: Path) -> sqlite3.Connection:
    """An index file to write (created with its tables when new)."""
    con = sqlite3.connect(path)
    con.executescript(_SCHEMA)
    return con


def add_rows(con: sqlite3.Connection, graph: str, sentences: list, names: list) -> None:
    """Index the rows of one named graph (``rows_of`` of it), under rowids of its own
    (recorded in ``ranges``: forgetting the graph then reads only its rows)."""
    for tbl, rows in (("sentences", [(to_tokens(t), s, rep, b, m, sec, t, graph)
                                      for rep, b, s, m, sec, t in sentences]),
                      ("names", [(to_tokens(n), e, n, k, graph) for e, n, k in names])):
        last = con.execute(f"SELECT rowid FROM {tbl} ORDER BY rowid DESC LIMIT 1").fetchone()
        lo = (last[0] if last else 0) + 1
        if rows:
            marks = ", ".join("?" * (len(rows[0]) + 1))
            con.executemany(f"INSERT INTO {tbl}(rowid, {_COLUMNS[tbl]}) VALUES ({marks})",
                            ((lo + i, *row) for i, row in enumerate(rows)))
        con.execute("INSERT INTO ranges VALUES (?, ?, ?, ?)", (graph, tbl, lo, lo + len(rows) - 1))


def drop_rows(con: sqlite3.Connection, graph: str) -> None:
    """Forget what the index holds of one named graph: its rowid ranges, or (a graph
    an older index holds without them) every row that names it."""
    ranges = con.execute("SELECT tbl, lo, hi FROM ranges WHERE graph = ?", (graph,)).fetchall()
    for tbl, lo, hi in ranges:
        if tbl in _COLUMNS:
            con.execute(f"DELETE FROM {tbl} WHERE rowid BETWEEN ? AND ?", (lo, hi))
    if ranges:
        con.execute("DELETE FROM ranges WHERE graph = ?", (graph,))
        return
    con.execute("DELETE FROM sentences WHERE graph = ?", (graph,))
    con.execute("DELETE FROM names WHERE graph = ?", (graph,))


def write_index(store, folder: Path) -> Path:
    """Build the index of ``store``'s sentences and names into ``folder``."""
    path = Path(folder) / INDEX_FILE
    con = open_index(path)
    try:
        add_rows(con, "", *rows_of(store))
        con.execute("INSERT INTO sentences(sentences) VALUES ('optimize')")
        con.execute("INSERT INTO names(names) VALUES ('optimize')")
        con.commit()
    finally:
        con.close()
    return path


def index_beside(store_folder: Path | None) -> Path | None:
    """The index published with the on-disk store ``store_folder``, if there is one."""
    if store_folder is None:
        return None
    path = Path(store_folder).parent / INDEX_DIR / INDEX_FILE
    return path if path.is_file() else None


class TextIndex:
    """Read-only searches of one index file."""

    def __init__(self, path: Path):
        try:
            self._con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            self._con.execute("SELECT 1 FROM sentences LIMIT 1")
        except sqlite3.Error as exc:
            raise InputError(f"{path}: not a search index ({exc})") from None

    def sentences(self, text: str, modality: str | None = None, limit: int | None = None
                  ) -> list[tuple] | None:
        """(sentence, modality, section, text) of sentences containing ``text``, in report
        and text order; ``modality``: an IRI the sentence's modality must equal. None when
        ``text`` has no letter or digit to look up (the caller scans)."""
        if not to_tokens(text):
            return None
        sql = ("SELECT sentence, modality, section, text FROM sentences WHERE tokens MATCH ?"
               + (" AND modality = ?" if modality else "") + " ORDER BY report, begin")
        args = [phrase(text)] + ([modality] if modality else [])
        rows = [r for r in self._con.execute(sql, args) if text in r[3]]
        return rows[:limit] if limit else rows  # the phrase drops punctuation; the text decides

    def names(self, text: str, limit: int = 50) -> list[tuple]:
        """(entity, name, kind) of labels and aliases containing ``text``, shortest first."""
        if not to_tokens(text):
            return []
        rows = self._con.execute(
            "SELECT DISTINCT entity, name, kind FROM names WHERE tokens MATCH ? "
            "ORDER BY length(name), name, entity", [phrase(text)]).fetchall()
        return [r for r in rows if text in r[1]][:limit]
