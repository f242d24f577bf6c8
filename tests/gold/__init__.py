"""Readers for the hand-made gold annotations in this folder (TSV with a header row;
``#`` lines are comments)."""
from __future__ import annotations

from pathlib import Path

GOLD = Path(__file__).resolve().parent


def read(name: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    for line in (GOLD / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
            continue
        assert len(cells) == len(header), f"{name}: {line!r}"
        rows.append(dict(zip(header, cells)))
    return rows


def locate(text: str, context: str, inner: str) -> tuple[int, int]:
    """Offsets of ``inner`` inside the one occurrence of ``context`` in ``text``."""
    assert text.count(context) == 1, f"gold context not unique: {context!r}"
    at = text.index(context) + context.index(inner)
    return at, at + len(inner)
