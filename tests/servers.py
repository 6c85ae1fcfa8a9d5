"""Running a real SPARQL server for a test: a free loopback port, the process started, waited for
until it answers, and stopped (tests/test_endpoint.py: oxigraph, test_fuseki.py, test_virtuoso.py)."""
from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(cmd: list[str], ask_url: str, log_path: Path, what: str, cwd: Path | None = None,
            start_seconds: float = 90, stop_seconds: float = 20, tail: int = 800):
    """Run ``cmd`` (its output into ``log_path``) until ``ask_url`` answers, at most
    ``start_seconds``; yield; terminate it (killed after ``stop_seconds``)."""
    log = open(log_path, "wb")
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            try:
                urllib.request.urlopen(ask_url, timeout=2).read()
                break
            except Exception:  # noqa: BLE001 - not up yet
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{what} did not start: " + log_path.read_text(errors="replace")[-tail:])
                time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=stop_seconds)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def mini_without_task(mini: Path, task_iri: str):
    """The test graph in a pyoxigraph store with one task's triples taken out, as after a partial
    rebuild (for pushing one document again)."""
    import pyoxigraph as ox

    store = ox.Store()
    store.load(path=str(mini))
    t = ox.NamedNode(task_iri)
    for quad in list(store.quads_for_pattern(t, None, None)):
        store.remove(quad)
    return store
