"""Real triplestores started on loopback for the push and endpoint tests and the push
benchmark: the Oxigraph server (the PyPI `oxigraph` package's binary) and Virtuoso 7
(Debian's `virtuoso-opensource`). Each runs from its own temporary folder on free ports
(never the default ones, nothing under /var/lib) and is stopped after.

``with oxigraph(folder) as s`` / ``with virtuoso(folder) as s`` yield a :class:`Server`:
its query URL, Graph Store URL and the credentials a push needs (``None`` for Oxigraph,
which asks none; Virtuoso's authenticated Graph Store asks HTTP Digest of ``dba``).
"""
from __future__ import annotations

import contextlib
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

OXIGRAPH = shutil.which("oxigraph")
VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt")
ENGINES = ("oxigraph", "virtuoso")


@dataclass
class Server:
    engine: str
    query: str                          # SPARQL 1.1 Protocol endpoint
    store: str                          # SPARQL 1.1 Graph Store endpoint
    user: str | None = None
    password: str | None = None
    started_in: float = 0.0             # seconds from launch to its first answer

    def env(self) -> dict[str, str]:
        """The environment variables `kg push` reads the credentials from."""
        if self.user is None:
            return {}
        return {"KG_ENDPOINT_USER": self.user, "KG_ENDPOINT_PASSWORD": self.password or ""}


def missing(engine: str) -> str | None:
    """Why ``engine`` cannot be started here (None: it can)."""
    if engine == "oxigraph":
        return None if OXIGRAPH else "the oxigraph server binary is absent (pip install oxigraph)"
    if VIRTUOSO and ISQL:
        return None
    return "Virtuoso is absent (apt-get install virtuoso-opensource)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, what: str, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before answering")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except (OSError, urllib.error.URLError):
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not answer {url} within {limit:g} s")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@contextlib.contextmanager
def oxigraph(folder: Path):
    """The Oxigraph server over a store in ``folder``, the default graph the union."""
    port = free_port()
    t0 = time.monotonic()
    proc = subprocess.Popen([OXIGRAPH, "serve", "--location", str(Path(folder) / "ox"),
                             "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base + "/query?query=ASK%7B%7D", proc, "the Oxigraph server")
        yield Server("oxigraph", base + "/query", base + "/store", started_in=time.monotonic() - t0)
    finally:
        _stop(proc)


_VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile    = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx

[Parameters]
ServerPort         = 127.0.0.1:{sql}
DisableUnixSocket  = 1
NumberOfBuffers    = 20000
MaxDirtyBuffers    = 15000
CheckpointInterval = 0
DirsAllowed        = .

[HTTPServer]
ServerPort    = 127.0.0.1:{http}
ServerRoot    = {d}
ServerThreads = 4
Charset       = UTF-8

[SPARQL]
; Virtuoso's default, 10000, cuts longer answers short (saying so only in a header)
ResultSetMaxRows      = {max_rows}
MaxQueryExecutionTime = 120
"""


@contextlib.contextmanager
def virtuoso(folder: Path, max_rows: int = 1_000_000):
    """A private Virtuoso 7: a fresh database in ``folder``, HTTP and ISQL on free loopback
    ports, the ``dba`` password set to a random one (the Graph Store endpoint
    ``/sparql-graph-crud-auth`` asks it by HTTP Digest), answers cut at ``max_rows``."""
    folder = Path(folder) / "virtuoso"
    folder.mkdir(parents=True)
    http, sql = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(_VIRTUOSO_INI.format(d=folder, http=http, sql=sql, max_rows=max_rows), encoding="utf-8")
    t0 = time.monotonic()
    proc = subprocess.Popen([VIRTUOSO, "+configfile", str(ini), "+foreground"], cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http}"
    try:
        _wait(base + "/sparql?query=ASK%7B%7D", proc, "Virtuoso")
        password = secrets.token_hex(8)
        subprocess.run([ISQL, f"127.0.0.1:{sql}", "dba", "dba",
                        f"exec=USER_SET_PASSWORD('dba', '{password}');"],
                       check=True, capture_output=True, timeout=60)
        yield Server("virtuoso", base + "/sparql", base + "/sparql-graph-crud-auth", "dba",
                     password, started_in=time.monotonic() - t0)
    finally:
        _stop(proc)


def start(engine: str, folder: Path):
    return {"oxigraph": oxigraph, "virtuoso": virtuoso}[engine](folder)
