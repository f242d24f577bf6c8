"""Atomic output: one file (temporary file in the same folder, then rename), or a whole
build (:func:`publish`: a new version folder, then one symlink swap), so a failure or a
kill at any point leaves the earlier outputs untouched and never mixes two builds.
Nothing but a regular file (or our own link) is ever replaced: ``-o /dev/null`` or a FIFO
is refused.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> write_atomic(d / "a.txt", "你好")
>>> (d / "a.txt").read_text(encoding="utf-8")
'你好'
"""
from __future__ import annotations

import os
import re
import tempfile
import time
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


def _check_target(path: Path) -> None:
    """Refuse to replace anything but a regular file (or a symlink to one)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror})") from None
    import stat
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{path}: cannot write (is a directory)")
    if not stat.S_ISREG(st.st_mode):
        raise OutputError(f"{path}: refusing to replace something that is not a regular file")


def remove_files(paths) -> int:
    """Unlink each of ``paths``, skipping any that cannot be removed; how many were."""
    n = 0
    for p in paths:
        try:
            p.unlink()
            n += 1
        except OSError:
            pass
    return n


def clean_debris(folder: Path) -> int:
    """Remove temporary files a killed run left in ``folder`` (``.NAME.*.tmp``); how many."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return 0
    return remove_files(p for p in entries if p.name.startswith(".") and p.name.endswith(".tmp")
                        and (p.is_symlink() or p.is_file()))


def link_or_copy(src: Path, dest: Path) -> None:
    """``dest`` is ``src`` (a hard link where the file system allows it, else a copy)."""
    import shutil
    try:
        os.link(src, dest)
    except OSError:
        shutil.copyfile(src, dest)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def owned_temp(folder: Path, stem: str, suffix: str = ".tmp", directory: bool = False) -> Path:
    """A new temporary file (or folder) ``folder/.STEM.PID.XXXX{suffix}`` for a process
    that may be killed: those a dead process of this machine left (its PID is gone) are
    removed first, those of live processes are theirs."""
    import shutil
    pattern = re.compile(rf"^\.{re.escape(stem)}\.(\d+)\..*{re.escape(suffix)}$")
    try:
        for p in Path(folder).iterdir():
            m = pattern.match(p.name)
            if m and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1))):
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    p.unlink(missing_ok=True)
    except OSError:
        pass
    prefix = f".{stem}.{os.getpid()}."
    if directory:
        return Path(tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=folder))
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    os.close(fd)
    return Path(tmp)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` atomically (UTF-8 for text)."""
    write_many({Path(path): data})


def write_streamed(path: Path, fill) -> None:
    """Write ``path`` atomically with ``fill(temporary_path)`` (an output too large to hold
    in memory); a failure leaves the earlier file untouched."""
    path = Path(path)
    _check_target(path)
    ensure_dir(path.parent if str(path.parent) else Path("."))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        os.chmod(tmp, _file_mode(path))
        fill(Path(tmp))
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_many(files: dict[Path, str | bytes]) -> None:
    """Write several files: all are staged as temporary files first, then renamed into
    place, so a failure while writing leaves every earlier output untouched."""
    staged: list[tuple[str, Path]] = []
    for path in files:
        _check_target(Path(path))
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


VERSIONS = ".versions"
CURRENT = ".current"


def publish(out_dir: Path, files: dict[str, str | bytes], names: tuple[str, ...] = (),
            dirs: dict | None = None) -> dict[str, Path]:
    """Write a build's files so that they change together or not at all.

    ``files``: name -> text, bytes, or a function that writes the file at the path it is
    given (an output too large to hold). ``dirs``: folders of the build (name -> a
    function that fills the folder it is given, such as the on-disk store), made inside
    the new version like the files.

    The files go into a new folder ``out_dir/.versions/<id>/``; then the one symlink
    ``out_dir/.current`` is swapped to it (a rename, atomic), and ``out_dir/<name>`` are
    symlinks ``.current/<name>``: every reader sees one build, whole. Outputs of an older
    build that this one does not make are removed (also plain files of an older kg among
    ``names``, the outputs this kind of build can make). Debris of a killed run (temporary
    files, unfinished version folders) is removed first; a lock keeps two builds into one
    folder from interleaving. Returns the paths written, by name.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = publish(d, {"a.txt": "1", "b.txt": "2"}); _ = publish(d, {"a.txt": "3"})
    >>> (d / "a.txt").read_text(), (d / "b.txt").exists(), len(list((d / ".versions").iterdir()))
    ('3', False, 1)
    """
    import fcntl
    import shutil

    out_dir = ensure_dir(Path(out_dir))
    dirs = dirs or {}
    for name in list(files) + list(dirs):
        target = out_dir / name
        if target.is_symlink() and os.readlink(target) == f"{CURRENT}/{name}":
            continue
        _check_target(target)
    lock_path = out_dir / ".lock"
    try:
        lock = open(lock_path, "a")
    except OSError as exc:
        raise OutputError(f"{lock_path}: cannot write ({exc.strerror})") from None
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise OutputError(f"{out_dir}: another build is writing here") from None
        versions = out_dir / VERSIONS
        current = out_dir / CURRENT
        live = os.readlink(current) if current.is_symlink() else None
        clean_debris(out_dir)
        versions.mkdir(exist_ok=True)
        for old in versions.iterdir():  # unfinished or superseded versions
            if live != f"{VERSIONS}/{old.name}":
                shutil.rmtree(old, ignore_errors=True)
        _adopt_legacy(out_dir, files, live)
        live = os.readlink(current) if current.is_symlink() else None
        vid = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{os.urandom(3).hex()}"
        new = versions / vid
        new.mkdir()
        try:
            for name, data in files.items():
                if callable(data):  # streamed: the function writes the file it is given
                    data(new / name)
                    continue
                payload = data.encode("utf-8") if isinstance(data, str) else data
                tmp = _stage(new / name, payload)
                os.replace(tmp, new / name)
            for name, fill in dirs.items():
                (new / name).mkdir()
                fill(new / name)
            _fsync_dir(new)
            _swap_link(current, f"{VERSIONS}/{vid}")
        except OSError as exc:
            shutil.rmtree(new, ignore_errors=True)
            raise OutputError(f"{out_dir}: cannot write the build ({exc.strerror or exc})") from None
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
        made = list(files) + list(dirs)
        for name in made:
            link = out_dir / name
            if not (link.is_symlink() and os.readlink(link) == f"{CURRENT}/{name}"):
                _swap_link(link, f"{CURRENT}/{name}")
        for link in out_dir.iterdir():  # names of the old build that this one does not make
            ours = link.is_symlink() and os.readlink(link).startswith(f"{CURRENT}/")
            legacy = link.name in names and link.is_file() and not link.is_symlink()
            if (ours or legacy) and link.name not in made:
                link.unlink()
        if live:
            shutil.rmtree(out_dir / live, ignore_errors=True)
    return {name: out_dir / name for name in list(files) + list(dirs)}


def _adopt_legacy(out_dir: Path, files: dict, live: str | None) -> None:
    """Outputs written as plain files by an older kg become the current version first,
    one rename at a time, each keeping its content: no reader ever sees a mix."""
    import shutil
    legacy = [n for n in files if (out_dir / n).is_file() and not (out_dir / n).is_symlink()]
    if not legacy:
        return
    vid = f"legacy-{os.getpid()}"
    folder = out_dir / VERSIONS / vid
    folder.mkdir(parents=True, exist_ok=True)
    if live:  # keep what the live version has too
        for p in (out_dir / live).iterdir():
            shutil.copy2(p, folder / p.name)
    for n in legacy:
        shutil.copy2(out_dir / n, folder / n)
    _swap_link(out_dir / CURRENT, f"{VERSIONS}/{vid}")
    for n in legacy:
        _swap_link(out_dir / n, f"{CURRENT}/{n}")
    if live:
        shutil.rmtree(out_dir / live, ignore_errors=True)


def _swap_link(link: Path, target: str) -> None:
    tmp = link.with_name(f".{link.name}.{os.getpid()}.link.tmp")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, link)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
