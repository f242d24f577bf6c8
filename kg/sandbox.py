"""Run a function in a forked child with a hard time, output-size and memory limit.

Neither pyoxigraph nor rdflib can cancel a running query, so the server runs each
query in a child process forked from the loaded store (copy-on-write: no reload, a
fork costs milliseconds) and kills it with SIGKILL when the time is up. The child
sends its result back through a pipe; output beyond ``max_bytes`` kills it too, and
``RLIMIT_AS`` bounds the memory a runaway query can take. POSIX only (uses fork).

>>> run_limited(lambda: b"hi", timeout=5)
b'hi'
>>> run_limited(lambda: __import__("time").sleep(9), timeout=0.2)
Traceback (most recent call last):
...
kg.sandbox.LimitExceeded: query exceeded the time limit of 0.2 s
"""
from __future__ import annotations

import os
import pickle
import select
import signal
import time
from collections.abc import Callable

from kg.errors import KgError, QueryError
from kg.netguard import network_off


class LimitExceeded(QueryError):
    """A query ran out of time, output size or memory."""


def _current_vsize() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def run_limited(fn: Callable[[], object], timeout: float, max_bytes: int = 64 << 20,
                memory: int | None = 1 << 30, offline: bool = True):
    """``fn()`` computed in a forked child; its return value must pickle.

    ``KgError`` raised in the child is raised again here; a time, size or memory
    overrun raises :class:`LimitExceeded`. ``memory`` is the extra address space (bytes)
    the child may take beyond what the parent already maps (``None``: no limit).
    ``offline``: the child runs cut off the network (:func:`kg.netguard.network_off`).
    """
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: compute, send, exit without running the parent's cleanup
        code = 0
        try:
            os.close(r)
            if offline:
                network_off()
            if memory is not None:
                import resource
                limit = _current_vsize() + memory
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            payload, _ = outcome_of(fn)
            view = memoryview(payload)
            while view:
                n = os.write(w, view)
                view = view[n:]
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(w)
    chunks: list[bytes] = []
    size = 0
    deadline = time.monotonic() + timeout
    failure: str | None = None
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                failure = f"query exceeded the time limit of {timeout:g} s"
                break
            ready, _, _ = select.select([r], [], [], None if left == float("inf") else left)
            if not ready:
                continue
            chunk = os.read(r, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                failure = f"result exceeds the size limit of {max_bytes} bytes"
                break
    finally:
        os.close(r)
        if failure:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _, status = os.waitpid(pid, 0)
    if failure:
        raise LimitExceeded(failure)
    if not chunks:
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        raise LimitExceeded("query process died" + (f" (signal {sig}; out of memory?)" if sig
                                                    else ""))
    return result_of(b"".join(chunks))


def outcome_of(fn: Callable[[], object]) -> tuple[bytes, bool]:
    """``fn()``'s result or error, pickled for the parent (:func:`result_of`), and whether
    it ran out of memory. Runs in the child."""
    try:
        return pickle.dumps(("ok", fn())), False
    except KgError as exc:
        try:
            return pickle.dumps(("raise", exc)), False
        except Exception:  # an exception that does not pickle keeps its message
            return pickle.dumps(("error", str(exc))), False
    except MemoryError:
        return pickle.dumps(("limit", "query ran out of memory")), True
    except BaseException as exc:  # a bug: report it to the parent, which logs it
        return pickle.dumps(("bug", f"{type(exc).__name__}: {exc}")), False


def result_of(payload: bytes):
    """The value :func:`outcome_of` pickled, or its error raised again."""
    kind, value = pickle.loads(payload)
    if kind == "ok":
        return value
    if kind == "limit":
        raise LimitExceeded(value)
    if kind == "raise":
        raise value
    if kind == "error":
        raise QueryError(value)
    raise RuntimeError(f"query process failed: {value}")


def run_offline(fn: Callable[[], object]):
    """``fn()`` in a forked child cut off the network, with no time or size limit."""
    return run_limited(fn, timeout=float("inf"), max_bytes=1 << 62, memory=None)


__all__ = ["run_limited", "run_offline", "LimitExceeded"]
