"""Atomic file output: write to a temporary file in the same folder, then rename.

A failure at any point leaves the earlier file untouched.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> write_atomic(d / "a.txt", "你好")
>>> (d / "a.txt").read_text(encoding="utf-8")
'你好'
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kg.errors import OutputError


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (and parents) or raise a one-line :class:`OutputError`."""
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path}: output folder is a file")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{path}: cannot create output folder ({exc.strerror})") from None
    if not os.access(path, os.W_OK):
        raise OutputError(f"{path}: output folder is not writable")
    return path


def _stage(path: Path, payload: bytes) -> str:
    """Write ``payload`` to a new temporary file beside ``path``; return its name."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _file_mode(path))
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def _file_mode(path: Path) -> int:
    """The mode of the file being replaced, or what the umask gives a new file
    (mkstemp's own 0600 would make outputs unreadable to others)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` atomically (UTF-8 for text)."""
    write_many({Path(path): data})


def write_many(files: dict[Path, str | bytes]) -> None:
    """Write several files: all are staged as temporary files first, then renamed into
    place, so a failure while writing leaves every earlier output untouched."""
    staged: list[tuple[str, Path]] = []
    for path in files:
        if Path(path).is_dir():
            raise OutputError(f"{path}: cannot write (is a directory)")
    try:
        for path, data in files.items():
            path = Path(path)
            ensure_dir(path.parent if str(path.parent) else Path("."))
            payload = data.encode("utf-8") if isinstance(data, str) else data
            try:
                staged.append((_stage(path, payload), path))
            except OSError as exc:
                raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
        for tmp, path in staged:
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
