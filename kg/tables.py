"""Tables for the terminal that stay readable when it is narrow.

A table whose columns fit the width is drawn as a grid (rich), its headers never broken;
one that does not fit is drawn as records, one block per row, ``column  value`` a line
(the way ``psql \\x`` does), so no column is squeezed to a few characters and names are
not cut in the middle. Widths count terminal cells (a Chinese character is two).

>>> import io
>>> from rich.console import Console
>>> c = Console(file=io.StringIO(), width=40, color_system=None)
>>> print_table(c, ["road", "from", "to"], [["韵涛路", "周东南路", "周园路"]], title="1 row(s)")
>>> "│ 韵涛路 │ 周东南路 │ 周园路 │" in c.file.getvalue()
True
>>> c = Console(file=io.StringIO(), width=24, color_system=None)
>>> print_table(c, ["road", "from", "to"], [["韵涛路", "周东南路", "周园路"]])
>>> print("\\n".join(line.rstrip() for line in c.file.getvalue().splitlines()))
── 1 ──
road  韵涛路
from  周东南路
to    周园路
"""
from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text


def natural_width(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> int:
    """The width a grid needs for every cell on one line (borders and padding included)."""
    widths = [cell_len(c) for c in columns]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], max((cell_len(x) for x in str(cell).split("\n")), default=0))
    return sum(widths) + 3 * len(widths) + 1


def _min_width(columns: Sequence[str], rows: Sequence[Sequence[str]], floor: int) -> int:
    """The width a grid needs when long cells wrap at ``floor`` cells but headers and short
    cells stay whole."""
    widths = [cell_len(c) for c in columns]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], min(floor, cell_len(str(cell))))
    return sum(widths) + 3 * len(widths) + 1


def print_table(console: Console, columns: Sequence[str], rows: Sequence[Sequence[str]],
                title: str | None = None, right: Sequence[str] = (), wrap_at: int = 12) -> None:
    """Print ``rows`` under ``columns`` on ``console``: a grid when it fits (long cells may
    wrap, but never below ``wrap_at`` cells, and headers never), else records.
    ``right``: columns aligned right (counts)."""
    width = console.width
    if natural_width(columns, rows) <= width or _min_width(columns, rows, wrap_at) <= width:
        table = Table(title=title)
        for c in columns:
            table.add_column(c, justify="right" if c in right else "left", overflow="fold",
                             min_width=cell_len(c))
        for r in rows:
            table.add_row(*(Text(str(x)) for x in r))
        console.print(table)
        return
    if title:
        console.print(title, soft_wrap=True)
    key_w = max((cell_len(c) for c in columns), default=0)
    for n, r in enumerate(rows, 1):
        console.print(f"── {n} ──")
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True, min_width=key_w)
        grid.add_column(overflow="fold")
        for c, x in zip(columns, r):
            grid.add_row(c, Text(str(x)))
        console.print(grid)


def print_items(console: Console, items: Sequence[str], sep: str = "  ") -> None:
    """Short items (``triples: 13286``) on one line when they fit the width, else one a line,
    so that none is broken in the middle."""
    text = sep.join(items)
    if cell_len(text) <= console.width:
        console.print(text, soft_wrap=True, highlight=False)
    else:
        for item in items:
            console.print(item, soft_wrap=True, highlight=False)


__all__ = ["print_table", "print_items", "natural_width"]
