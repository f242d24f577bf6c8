"""One way to find an entity by name, for ``kg viz --focus``, the library's name
parameters (``kg query``, ``kg serve``), ``kg serve``'s ``/lookup`` and the graph page.

A name matches an entity at one of five ranks, best first:

0. ``exact``: its label, an alias (``kg:alias``, ``skos:altLabel``) or a code (``kg:code``);
1. ``key``: its normalized key (``kg:key``);
2. ``pinyin``: its pinyin, with or without tones and spaces (yùn tāo lù, yuntaolu, yun tao lu);
3. ``prefix``: the start of any of these (yuntao, 韵涛);
4. ``substring``: a part of any of these (涛路, taolu).

Names are compared folded: NFKC (full-width forms), tone marks and case dropped,
whitespace and quotation marks removed. Within a rank, the entity whose matching name is
shortest comes first, then by label and IRI: the same question gives the same order.
The graph page does the same in its script from the folded forms :func:`search_keys`
embeds (``viz/page.js``, ``lookupMatches``).

>>> idx = Index([Entry("urn:r", "韵涛路", "Road", key="韵涛路", pinyin="yùn tāo lù"),
...              Entry("urn:s", "韵涛路(周东南路-周园路)", "RoadSegment")])
>>> [(h.entry.label, h.how) for h in idx.find("yun tao lu")]
[('韵涛路', 'pinyin'), ('韵涛路(周东南路-周园路)', 'prefix')]
>>> [h.entry.label for h in idx.best("yuntao")]
['韵涛路']
>>> idx.suggest("yuntoalu")
['韵涛路']
"""
from __future__ import annotations

import difflib
import functools
import re
import threading
import unicodedata
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.errors import InputError, KgError

RANKS = ("exact", "key", "pinyin", "prefix", "substring")
_DROP = re.compile(r"[\s\"'“”‘’「」『』《》〈〉]+")
_PUNCT = re.compile(r"[\W_]+")


def fold(s: str) -> str:
    """The form names are compared in.

    >>> fold("Yùn Tāo Lù"), fold("“四责协同”机制"), fold("０８单元")
    ('yuntaolu', '四责协同机制', '08单元')
    """
    s = unicodedata.normalize("NFKC", str(s or ""))
    s = "".join(ch for ch in unicodedata.normalize("NFD", s) if not unicodedata.combining(ch))
    return _DROP.sub("", unicodedata.normalize("NFC", s).lower())


def fold_pinyin(s: str) -> str:
    """A name as pinyin is compared: folded, without punctuation, ``v`` for ``ü`` (lv = lu).

    >>> fold_pinyin("yun_tao-lu"), fold_pinyin("Lǜ")
    ('yuntaolu', 'lu')
    """
    return _PUNCT.sub("", fold(s)).replace("v", "u")


@functools.lru_cache(maxsize=65536)
def to_pinyin(name: str) -> str:
    """The toneless pinyin of a name, folded (characters without pinyin kept).

    >>> to_pinyin("菲特莫古地块")
    'feitemogudikuai'
    """
    from pypinyin import Style, lazy_pinyin
    return fold_pinyin("".join(lazy_pinyin(name, style=Style.NORMAL, errors=lambda s: [s])))


@dataclass(frozen=True)
class Entry:
    """One entity and the names it can be found by."""

    iri: str
    label: str
    cls: str = ""
    key: str = ""
    names: tuple[str, ...] = ()     # aliases, codes, alternative labels (the label is added)
    pinyin: str = ""                # the label's pinyin as the graph gives it (@zh-Latn-pinyin)

    @functools.cached_property
    def forms(self) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
        """(folded exact names, folded key, folded pinyin forms)."""
        exact = tuple(dict.fromkeys(f for f in (fold(n) for n in (self.label, *self.names)) if f))
        key = fold(self.key)
        py = [fold_pinyin(self.pinyin)] if self.pinyin else []
        for n in (self.label, self.key, *self.names):
            if n and re.search(r"[\u3400-\u9fff]", n):
                py.append(to_pinyin(n))
        return exact, key, tuple(dict.fromkeys(p for p in py if p))


@dataclass(frozen=True)
class Hit:
    entry: Entry
    rank: int        # index in RANKS
    length: int      # length of the folded name that matched (shorter is closer)

    @property
    def how(self) -> str:
        return RANKS[self.rank]

    def sort_key(self) -> tuple:
        return (self.rank, self.length, self.entry.label, self.entry.iri)


def match(entry: Entry, q: str, qp: str) -> Hit | None:
    """How folded query ``q`` (``qp`` as pinyin) names ``entry``, or None."""
    exact, key, py = entry.forms
    if q in exact:
        return Hit(entry, 0, len(q))
    if key and q == key:
        return Hit(entry, 1, len(q))
    if qp and qp in py:
        return Hit(entry, 2, len(qp))
    best = None
    for forms, query in ((exact, q), ((key,) if key else (), q), (py, qp)):
        for f in forms:
            if not query or len(f) <= len(query):
                continue
            rank = 3 if f.startswith(query) else 4 if query in f else None
            if rank is not None and (best is None or (rank, len(f)) < (best.rank, best.length)):
                best = Hit(entry, rank, len(f))
    return best


@dataclass
class Index:
    """The entities of a graph by name (see the module's doc for the ranks)."""

    entries: list[Entry] = field(default_factory=list)

    def find(self, name: str, classes: Iterable[str] | None = None) -> list[Hit]:
        """Every entity ``name`` matches, best first (only ``classes`` if given)."""
        q, qp = fold(name), fold_pinyin(name)
        if not q:
            return []
        keep = set(classes) if classes else None
        hits = [h for e in self.entries if keep is None or e.cls in keep
                if (h := match(e, q, qp)) is not None]
        return sorted(hits, key=Hit.sort_key)

    def best(self, name: str, classes: Iterable[str] | None = None) -> list[Hit]:
        """The hits tied for first place (same rank, same length): the entities ``name``
        stands for; empty when nothing matches."""
        hits = self.find(name, classes)
        return [h for h in hits if (h.rank, h.length) == (hits[0].rank, hits[0].length)] if hits else []

    def suggest(self, name: str, n: int = 5, classes: Iterable[str] | None = None) -> list[str]:
        """Labels close to a name that matches nothing: same pinyin first, then the
        closest spellings (difflib), deterministic."""
        q, qp = fold(name), fold_pinyin(name)
        if not q:
            return []
        keep = set(classes) if classes else None
        entries = [e for e in self.entries if keep is None or e.cls in keep]
        out: list[str] = []
        if re.search(r"[\u3400-\u9fff]", name):
            sound = to_pinyin(name)
            out += sorted({e.label for e in entries if sound in e.forms[2]})
        by_form: dict[str, set[str]] = {}
        for e in entries:
            exact, key, py = e.forms
            for f in (*exact, key, *py):
                if f:
                    by_form.setdefault(f, set()).add(e.label)
        query = q if re.search(r"[^\x00-\x7f]", q) else qp
        for f in difflib.get_close_matches(query, sorted(by_form), n=n * 2, cutoff=0.6):
            out += sorted(by_form[f])
        return list(dict.fromkeys(out))[:n]

    def resolve(self, name: str, what: str, classes: Iterable[str] | None = None,
                error: type[KgError] = InputError) -> list[Hit]:
        """The entities ``name`` stands for: :meth:`best` when it is a whole name (ties
        are all kept: one name in two classes or reports), or a single partial match;
        else ``error``, one line naming the close names or the candidates.

        >>> idx = Index([Entry("urn:r", "韵涛路", pinyin="yùn tāo lù"), Entry("urn:z", "周园路")])
        >>> idx.resolve("yuntoalu", "--focus ")
        Traceback (most recent call last):
        ...
        kg.errors.InputError: --focus 'yuntoalu': no entity has this name, alias, code or pinyin; did you mean 韵涛路?
        >>> idx.resolve("路", "--focus ")
        Traceback (most recent call last):
        ...
        kg.errors.InputError: --focus '路': 2 entities match (周园路、韵涛路); give more of the name
        """
        hits = self.best(name, classes)
        if hits and (hits[0].rank < 3 or len(hits) == 1):
            return hits
        if hits:
            every = self.find(name, classes)
            names = "、".join(dict.fromkeys(h.entry.label for h in every[:8]))
            more = " …" if len(every) > 8 else ""
            raise error(f"{what}{name!r}: {len(every)} entities match ({names}{more}); "
                        "give more of the name")
        close = self.suggest(name, classes=classes)
        hint = f"; did you mean {'、'.join(close)}?" if close else ""
        kinds = f" among {', '.join(sorted(classes))}" if classes else ""
        raise error(f"{what}{name!r}: no entity{kinds} has this name, alias, code or pinyin{hint}")


def search_keys(entry: Entry) -> list:
    """What the graph page matches a node by, folded as :func:`fold` does:
    ``[[exact names…], key, [pinyin…]]`` (the page folds the query and ranks the same way).

    >>> search_keys(Entry("urn:r", "韵涛路", key="韵涛路", pinyin="yùn tāo lù"))
    [['韵涛路'], '韵涛路', ['yuntaolu']]
    """
    exact, key, py = entry.forms
    return [list(exact), key, list(py)]


def entry_of(iri: str, d: dict) -> Entry:
    """The entry of a node of :func:`kg.graphview.entity_graph`."""
    names = [*d.get("alias", []), *d.get("codes", []), *d.get("alt_labels", [])]
    return Entry(iri, d.get("label", ""), d.get("cls", ""), key=d.get("key", ""),
                 names=tuple(names), pinyin=d.get("label_pinyin", ""))


def view_index(view) -> Index:
    """The index of an entity view (networkx, from :func:`kg.graphview.entity_graph`)."""
    return Index([entry_of(n, d) for n, d in sorted(view.nodes(data=True))])


_STORE_QUERY = """
SELECT ?e ?cls ?p ?v WHERE {
  ?e <https://w3id.org/gwr-kg/ontology#key> ?k ; a ?cls .
  FILTER(STRSTARTS(STR(?cls), "https://w3id.org/gwr-kg/ontology#"))
  VALUES ?p { <http://www.w3.org/2000/01/rdf-schema#label> <https://w3id.org/gwr-kg/ontology#key>
              <https://w3id.org/gwr-kg/ontology#alias> <https://w3id.org/gwr-kg/ontology#code>
              <http://www.w3.org/2004/02/skos/core#altLabel> }
  ?e ?p ?v .
}"""


_INDEXES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def index_of(store) -> Index:
    """:func:`store_index`, made once per loaded store (stores are read-only)."""
    with _LOCK:
        if store not in _INDEXES:
            _INDEXES[store] = store_index(store)
        return _INDEXES[store]


def store_index(store) -> Index:
    """The index of a loaded store (:func:`kg.store.load_store`): every subject with a
    ``kg:key``, its most specific class, labels, aliases, codes and alternative labels."""
    from kg.graphview import _depth_name
    data: dict[str, dict] = {}
    for e, cls, p, v in store.query(_STORE_QUERY).rows:
        d = data.setdefault(str(e), {"cls": "", "names": set(), "label": "", "pinyin": "", "key": ""})
        name = str(cls).rsplit("#", 1)[-1]
        if name != "Entity" and (not d["cls"] or _depth_name(name) > _depth_name(d["cls"])
                                 or (_depth_name(name) == _depth_name(d["cls"]) and name < d["cls"])):
            d["cls"] = name
        prop = str(p).rsplit("#", 1)[-1]
        lang = (getattr(v, "language", None) or "").lower()
        if prop == "label":
            if lang == "zh-latn-pinyin":
                d["pinyin"] = str(v)
            elif lang == "zh" or not d["label"]:
                d["label"] = str(v)
        elif prop == "key":
            d["key"] = str(v)
        else:
            d["names"].add(str(v))
    return Index([Entry(iri, d["label"] or d["key"], d["cls"], key=d["key"],
                        names=tuple(sorted(d["names"])), pinyin=d["pinyin"])
                  for iri, d in sorted(data.items())])


__all__ = ["Index", "Entry", "Hit", "RANKS", "fold", "fold_pinyin", "to_pinyin", "search_keys",
           "entry_of", "view_index", "store_index", "index_of"]
