"""Long-lived query processes for ``kg serve``: forked once, cut off the network, reused.

Each worker is forked from the server with the store already open (copy-on-write: no
reload), then cuts itself off the network (:func:`kg.netguard.network_off`) and bounds its
address space (``RLIMIT_AS``) before it takes any task. A task is a name from
:data:`TASKS` and its arguments, sent as a pickle through the worker's own pipe; the
answer comes back through a second pipe, length first. Neither engine can cancel a query,
so a worker that overruns its time, or whose answer is larger than ``max_bytes``, is
killed with SIGKILL and a fresh one forked in its place; a worker that dies is replaced
the same way. What a task raises (``KgError``) is raised again in the server.

Compared with a fork per query (:func:`kg.sandbox.run_limited`), a worker keeps what it
has made (the name index of ``name`` parameters, parsed library files, the guard's
decisions), and the server pays no fork per request.

>>> def _echo(context, x):
...     return x * 2
>>> TASKS["echo"] = _echo
>>> pool = WorkerPool(None, size=1, offline=False)
>>> pool.run("echo", (21,), timeout=10)
42
>>> pool.close()
"""
from __future__ import annotations

import functools
import heapq
import os
import pickle
import select
import signal
import struct
import threading
import time
from collections.abc import Callable

from kg.errors import QueryError
from kg.netguard import network_off
from kg.sandbox import LimitExceeded, _current_vsize, outcome_of, result_of

# task name -> fn(context, *args): what a worker may be asked to do (kg/serve.py fills it)
TASKS: dict[str, Callable] = {}
_HEAD = struct.Struct("!Q")
_FOOT = struct.Struct("!d?")   # after the length: seconds the task took, leaving


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _task(context, body: bytes):
    """Run one task the server sent (its name and arguments, pickled)."""
    name, args = pickle.loads(body)
    return TASKS[name](context, *args)


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


class _Worker:
    def __init__(self, pid: int, send: int, recv: int):
        self.pid, self.send, self.recv = pid, send, recv
        self.tasks = 0
        self.since = time.monotonic()   # when it became idle, or took its task
        self.busy = False
        self.gone = False               # its pipes closed (their numbers may be reused)

    def fds(self) -> tuple[int, int]:
        return self.send, self.recv


def _resident() -> int:
    """Bytes of this process's memory in RAM that no file backs (the heap; not the pages of
    the store's files the engine reads, which the system can drop)."""
    try:
        with open("/proc/self/statm") as fh:
            fields = fh.read().split()
        return (int(fields[1]) - int(fields[2])) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _trim() -> None:
    """Give freed heap back to the system (glibc), so an idle worker stays small."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _serve(context, inbox: int, outbox: int, memory: int | None, offline: bool,
           grow: int | None) -> None:
    """A worker's life: take tasks from ``inbox`` until it closes, answer on ``outbox``;
    leave (after answering) once it holds ``grow`` bytes more than when it started."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if offline:
        network_off()
    if memory is not None:
        import resource
        limit = _current_vsize() + memory
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    base = _resident()
    while True:
        head = _read_exact(inbox, _HEAD.size)
        if head is None:
            return
        body = _read_exact(inbox, _HEAD.unpack(head)[0])
        if body is None:
            return
        t0 = time.monotonic()
        payload, retire = outcome_of(functools.partial(_task, context, body))
        took = time.monotonic() - t0
        if not retire:
            _trim()
            retire = grow is not None and _resident() - base > grow
        _write_all(outbox, _HEAD.pack(len(payload)) + _FOOT.pack(took, retire) + payload)
        if retire:  # a heap left large or in pieces: the server forks a fresh worker
            return


def _alive(pid: int) -> bool:
    """Whether a worker still runs (one that exited is reaped here)."""
    try:
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return False


class _Waiter:
    def __init__(self, cost: float, seq: int):
        self.key = (cost, seq)
        self.worker: _Worker | None = None

    def __lt__(self, other: "_Waiter") -> bool:
        return self.key < other.key


class WorkerPool:
    """``size`` forked workers sharing ``context`` (the loaded store), each cut off the
    network when ``offline``; :meth:`run` gives a task to an idle one within ``timeout``.

    Scheduling: the pool learns how long each task text takes (a running mean per text);
    when every worker is busy, waiting tasks are served cheapest first (a text not seen
    before counts as cheap), and when every worker has been busy for over ``busy``
    seconds a task expected to be cheap gets one of up to ``spare`` extra workers, which
    stop after ``linger`` seconds idle: a cheap query is not queued behind expensive ones.
    A worker leaves after a task that left it ``grow`` bytes larger than it started."""

    def __init__(self, context, size: int = 2, memory: int | None = 1 << 30,
                 offline: bool = True, max_bytes: int = 64 << 20, spare: int = 2,
                 busy: float = 0.2, cheap: float = 0.5, linger: float = 10.0,
                 grow: int | None = 192 << 20):
        if size < 1:
            raise QueryError("the query pool needs at least one worker")
        self.context, self.size, self.memory = context, size, memory
        self.offline, self.max_bytes, self.grow = offline, max_bytes, grow
        self.spare, self.busy, self.cheap, self.linger = spare, busy, cheap, linger
        self._idle: list[_Worker] = []
        self._all: dict[int, _Worker] = {}
        self._waiting: list[_Waiter] = []
        self._seq = 0
        self._costs: dict[int, float] = {}
        self._cond = threading.Condition()
        self._closed = False
        self.replaced = 0          # workers killed or lost and forked again
        for _ in range(size):
            self._idle.append(self._fork())

    def _fork(self) -> _Worker:
        """A new worker (called with the condition held, or before any thread runs)."""
        from_parent, to_child = os.pipe()
        from_child, to_parent = os.pipe()
        others = [fd for w in self._all.values() for fd in w.fds()]
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                os.close(to_child)
                os.close(from_child)
                for fd in others:  # so that each worker sees the server go (EOF)
                    try:
                        os.close(fd)
                    except OSError:
                        pass
                _serve(self.context, from_parent, to_parent, self.memory, self.offline,
                       self.grow)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(from_parent)
        os.close(to_parent)
        worker = _Worker(pid, to_child, from_child)
        self._all[pid] = worker
        return worker

    def _spare_ok(self, cost: float) -> bool:
        """Whether a task of expected ``cost`` may have an extra worker (condition held)."""
        if cost > self.cheap or len(self._all) >= self.size + self.spare:
            return False
        now = time.monotonic()
        return all(w.busy and now - w.since > self.busy for w in self._all.values())

    def _take(self, worker: _Worker) -> _Worker:
        worker.busy, worker.since = True, time.monotonic()
        return worker

    def _acquire(self, deadline: float, cost: float) -> _Worker:
        """A living worker for a task of expected ``cost`` seconds, before ``deadline``."""
        with self._cond:
            self._sweep()
            if self._idle:
                return self._take(self._idle.pop())
            if self._closed:
                raise LimitExceeded("server is shutting down")
            self._seq += 1
            waiter = _Waiter(cost, self._seq)
            heapq.heappush(self._waiting, waiter)
            try:
                while waiter.worker is None:
                    if self._closed:
                        raise LimitExceeded("server is shutting down")
                    if self._waiting[0] is waiter and self._spare_ok(cost):
                        return self._take(self._fork())
                    left = deadline - time.monotonic()
                    if left <= 0.05:
                        raise LimitExceeded("server busy: no free query worker within the time limit")
                    self._cond.wait(min(left, self.busy / 2))
                return self._take(waiter.worker)
            finally:
                if waiter.worker is None:
                    self._waiting.remove(waiter)
                    heapq.heapify(self._waiting)

    def _sweep(self) -> None:
        """Forget workers that died while idle, stop spares idle too long, and keep
        ``size`` workers (condition held)."""
        now = time.monotonic()
        for w in [w for w in self._idle if not _alive(w.pid)]:
            self._idle.remove(w)
            self._forget(w)
        for w in [w for w in self._idle if now - w.since > self.linger]:
            if len(self._all) <= self.size:
                break
            self._idle.remove(w)
            self._stop(w)
        while not self._closed and len(self._all) < self.size:
            self._idle.append(self._fork())

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            worker.busy, worker.since = False, time.monotonic()
            if self._waiting:  # the cheapest waiting task takes it at once
                waiter = heapq.heappop(self._waiting)
                waiter.worker = worker
                self._cond.notify_all()
            else:
                self._idle.append(worker)
                self._sweep()

    def _stop(self, worker: _Worker) -> None:
        """Stop an idle worker (condition held): it leaves when its pipe closes."""
        self._forget(worker, replaced=False)
        try:
            os.kill(worker.pid, signal.SIGKILL)
            os.waitpid(worker.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass

    def _discard(self, worker: _Worker, replaced: bool = True) -> None:
        """Kill a busy worker (and let the next task fork its successor)."""
        try:
            os.kill(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(worker.pid, 0)
        except ChildProcessError:
            pass
        with self._cond:
            self._forget(worker, replaced)
            if not self._closed and len(self._all) < self.size:
                w = self._fork()
                w.since = time.monotonic()
                if self._waiting:
                    heapq.heappop(self._waiting).worker = self._take(w)
                else:
                    self._idle.append(w)
            self._cond.notify_all()

    def _forget(self, worker: _Worker, replaced: bool = True) -> None:
        """Close a worker's pipes and take it out of the pool (condition held)."""
        if worker.gone:
            return
        worker.gone = True
        for fd in worker.fds():
            try:
                os.close(fd)
            except OSError:
                pass
        if self._all.pop(worker.pid, None) is not None and not self._closed and replaced:
            self.replaced += 1

    def run(self, name: str, args: tuple, timeout: float):
        """``TASKS[name](context, *args)`` in a worker; time waiting for one counts against
        ``timeout``. Raises what the task raised (``KgError``), or :class:`LimitExceeded`."""
        deadline = time.monotonic() + timeout
        request = pickle.dumps((name, args))
        key = hash(request)
        worker = self._acquire(deadline, self._costs.get(key, 0.0))
        if deadline - time.monotonic() <= 0.05:
            self._release(worker)
            raise LimitExceeded("server busy: no time left after waiting for a query worker")
        failure, reply = None, None
        try:
            _write_all(worker.send, _HEAD.pack(len(request)) + request)
            failure, reply = self._answer(worker, deadline, timeout)
        except OSError:  # the worker died (a broken pipe)
            failure = "query process died"
        except BaseException:
            self._discard(worker)
            raise
        if failure or reply is None:
            if failure and "time limit" in failure:
                self._learn(key, timeout)
            self._discard(worker)
            raise LimitExceeded(failure or "query process died")
        took, leaving = _FOOT.unpack(reply[:_FOOT.size])
        self._learn(key, took)
        if leaving:  # out of memory, or grown: it exits after answering
            self._discard(worker, replaced=False)
        else:
            worker.tasks += 1
            self._release(worker)
        return result_of(reply[_FOOT.size:])

    def _learn(self, key: int, took: float) -> None:
        with self._cond:
            if len(self._costs) > 4096:
                self._costs.clear()
            old = self._costs.get(key)
            self._costs[key] = took if old is None else 0.7 * old + 0.3 * took

    def _answer(self, worker: _Worker, deadline: float, timeout: float):
        """(failure, reply bytes after the length) from ``worker`` before ``deadline``."""
        buf = bytearray()
        need = _HEAD.size
        length = None
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return f"query exceeded the time limit of {timeout:g} s", None
            ready, _, _ = select.select([worker.recv], [], [], left)
            if not ready:
                continue
            chunk = os.read(worker.recv, 1 << 16)
            if not chunk:
                return "query process died", None
            buf += chunk
            if length is None and len(buf) >= need:
                length = _HEAD.unpack(bytes(buf[:need]))[0]
                if length > self.max_bytes:
                    return f"result exceeds the size limit of {self.max_bytes} bytes", None
            if length is not None and len(buf) >= need + _FOOT.size + length:
                return None, bytes(buf[need:need + _FOOT.size + length])

    def pids(self) -> list[int]:
        with self._cond:
            return sorted(self._all)

    def close(self) -> None:
        """Stop every worker (idle or busy)."""
        with self._cond:
            self._closed = True
            workers = list(self._all.values())
            self._idle.clear()
            self._cond.notify_all()
        for w in workers:
            self._discard(w, replaced=False)


__all__ = ["WorkerPool", "TASKS"]
