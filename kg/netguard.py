"""The second wall: a process that runs a query cannot open a network connection.

:func:`network_off` moves the calling process into a new, empty network namespace
(Linux ``unshare(CLONE_NEWNET)``): no interface but a loopback that is down, so every
``connect`` fails, whatever the engine's HTTP client tries. As root this always works;
without root it needs unprivileged user namespaces (``CLONE_NEWUSER``, single-threaded
callers only). Where neither is allowed (other systems, locked-down kernels) it returns
False and the parsed-query guard (:mod:`kg.guard`) is the only wall.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
_state: dict[str, bool] = {}


def _unshare(flags: int) -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.unshare(ctypes.c_int(flags)) == 0
    except (OSError, AttributeError):
        return False


def _single_threaded() -> bool:
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def network_off() -> bool:
    """Cut the calling process off the network; True when it is (and stays) cut off."""
    pid = os.getpid()
    if _state.get("pid") == pid:
        return _state["off"]
    off = False
    if sys.platform.startswith("linux"):
        off = _unshare(CLONE_NEWNET) or (_single_threaded()
                                        and _unshare(CLONE_NEWUSER | CLONE_NEWNET))
    _state.update(pid=pid, off=off)
    return off


__all__ = ["network_off"]
