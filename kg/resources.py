"""Locate and load the project's data files (lexicons, rules, ontology, viz styles).

Lexicons are TSV files with a header row; rules are TOML. Errors point at the file
and line: ``ResourceError("data/lexicons/x.tsv:57: expected 3 columns, got 2")``.

>>> load_toml("rules/ingest.toml")["sentences"]["max_chars"]
160
"""
from __future__ import annotations

import functools
import tomllib
from pathlib import Path

from kg.errors import ResourceError

ROOT = Path(__file__).resolve().parent.parent


def _folder(checkout: str, package: str) -> Path:
    """A data folder: the checkout's own (a source tree or an editable install), else the
    copy installed inside the package (``pip install .``, a wheel)."""
    here = ROOT / checkout
    if (ROOT / "pyproject.toml").is_file() and here.is_dir():
        return here
    import importlib.util
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ResourceError(f"{package}: the package's data files are not installed")
    return Path(list(spec.submodule_search_locations)[0])


DATA = _folder("data", "kg._data")
ONTOLOGY = _folder("ontology", "kg._ontology")
VIZ = _folder("viz", "kg._viz")
QUERIES = Path(__file__).resolve().parent / "queries"


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


@functools.cache
def load_toml(name: str, base: Path = DATA) -> dict:
    """Load ``data/<name>`` (a TOML rule file), or ``<base>/<name>``."""
    path = base / name
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ResourceError(f"{_rel(path)}: missing data file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ResourceError(f"{_rel(path)}: {exc}") from None


@functools.cache
def load_tsv(name: str) -> tuple[dict[str, str], ...]:
    """Load ``data/<name>``: a TSV with a header row; ``#`` lines are comments.

    Every row must have as many columns as the header (empty cells allowed).
    """
    path = DATA / name
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ResourceError(f"{_rel(path)}: missing data file") from None
    header: list[str] | None = None
    rows: list[dict[str, str]] = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split("\t")
        if header is None:
            header = [c.strip() for c in cells]
            continue
        if len(cells) != len(header):
            raise ResourceError(
                f"{_rel(path)}:{lineno}: expected {len(header)} columns, got {len(cells)}")
        rows.append({h: c.strip() for h, c in zip(header, cells)})
    if header is None:
        raise ResourceError(f"{_rel(path)}: no header row")
    return tuple(rows)


def words(name: str, column: str = "word") -> tuple[str, ...]:
    """One column of a lexicon, longest first (for alternations in regexes)."""
    rows = load_tsv(name)
    out = [r[column] for r in rows if r.get(column)]
    return tuple(sorted(set(out), key=lambda w: (-len(w), w)))
