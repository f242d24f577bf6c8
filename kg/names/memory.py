"""The names the corpus marks, as a tagger feature: a gazetteer learnt from annotation.

A string enters the memory when annotators marked it at least ``min_marked`` times and
at most one of its ``share`` occurrences in the corpus text went unmarked (a word such
as 政府, marked once as a body and read 460 times inside 政府工作报告, does not); it
carries the type it was marked with most. The tagger's features mark the longest
memory name at each position (``mB=Type``, ``mI=…``, ``mE=…``).

Training must not see a name's own marks through its feature, or the model learns that a
memory hit is always a name: the features of a report's units take the memory of the
*other* reports (:func:`jackknife`). The shipped model's memory is made from every report
and written beside it (``names.memory.tsv``), read back by the tagger.

>>> from kg.names.corpus import Unit
>>> us = [Unit(f"r{i}/0", f"r{i}", "sentence", 0, 6, "实施两新政策", [(2, 4, "Program")]) for i in range(3)]
>>> m = NameMemory.from_units(us)
>>> m.table, NameMemory.from_units(us[:1]).table
({'两新': 'Program'}, {})
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from kg.errors import ResourceError
from kg.names.corpus import Unit

HEADER = "# names the annotated corpus marks (kg train): name<TAB>type\n"


class NameMemory:
    def __init__(self, table: dict[str, str]):
        self.table = dict(sorted(table.items()))
        firsts: dict[str, set[int]] = {}
        for name in self.table:
            firsts.setdefault(name[0], set()).add(len(name))
        self._firsts = {ch: tuple(sorted(ks, reverse=True)) for ch, ks in firsts.items()}

    @classmethod
    def from_units(cls, units: Iterable[Unit], min_marked: int = 2, share: float = 0.5,
                   min_len: int = 2, max_len: int = 24) -> "NameMemory":
        units = list(units)
        marked: dict[str, Counter] = {}
        for u in units:
            for s, e, t in u.spans:
                if min_len <= e - s <= max_len:
                    marked.setdefault(u.text[s:e], Counter())[t] += 1
        seen = Counter()
        probe = cls({name: "" for name in marked})
        for u in units:
            for s, e, name in probe.matches(u.text, longest_only=False):
                seen[name] += 1
        table = {}
        for name, types in marked.items():
            n = sum(types.values())
            if n >= min_marked and n >= share * max(seen[name], 1):
                table[name] = types.most_common(1)[0][0]
        return cls(table)

    def matches(self, text: str, longest_only: bool = True):
        """``(start, end, name)`` of memory names in ``text``: the longest at a position,
        then (``longest_only``) on from its end."""
        i, n = 0, len(text)
        while i < n:
            hit = None
            for k in self._firsts.get(text[i], ()):
                if i + k <= n and text[i:i + k] in self.table:
                    hit = k
                    if not longest_only:
                        yield i, i + k, text[i:i + k]
                        continue
                    break
            if hit is not None and longest_only:
                yield i, i + hit, text[i:i + hit]
                i += hit
            else:
                i += 1

    def mark(self, text: str, out: list[list[str]]) -> None:
        """Add the memory's features to ``out`` (one feature list per character)."""
        for s, e, name in self.matches(text):
            t = self.table[name]
            out[s].append(f"mB={t}")
            for j in range(s + 1, e - 1):
                out[j].append(f"mI={t}")
            if e - s > 1:
                out[e - 1].append(f"mE={t}")
            if e < len(text):
                out[e].append(f"mAfter={t}")

    def dumps(self) -> str:
        return HEADER + "".join(f"{k}\t{v}\n" for k, v in self.table.items())

    @classmethod
    def load(cls, path: Path) -> "NameMemory":
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ResourceError(f"{path}: cannot read the names memory ({exc.__class__.__name__}; retrain with `kg train`)") from None
        table = {}
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line or line.startswith("#"):
                continue
            name, sep, typ = line.partition("\t")
            if not sep or not name or not typ:
                raise ResourceError(f"{path}:{lineno}: not a names-memory line (retrain with `kg train`)")
            table[name] = typ
        return cls(table)


def jackknife(units: list[Unit], **kw) -> dict[str, NameMemory]:
    """For each report among ``units``, the memory of the others'."""
    reports = sorted({u.report for u in units})
    return {r: NameMemory.from_units((u for u in units if u.report != r), **kw) for r in reports}


__all__ = ["NameMemory", "jackknife"]
