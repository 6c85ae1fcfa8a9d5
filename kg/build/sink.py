"""graph.ttl and the store's N-Quads written graph by graph (Sink, emit), the unchanged graphs'
Turtle copied from the previous graph.ttl (copy_range, Chunks, BackgroundChunks)."""
from __future__ import annotations

import os
from typing import Callable, Optional

from kg.build.state import GraphState
from kg.errors import KgError
from kg.model import Corpus
from kg.rdf.graphs import Made, OrgGraph, corpus_graphs, document_graphs, make_graph
from kg.rdf.serialize import TTL_HEAD


def copy_range(src, dst, offset: int, length: int) -> None:
    """Append ``length`` bytes of binary file ``src`` from ``offset`` to binary file ``dst``: in the
    kernel (os.copy_file_range) where it can, else through a buffer."""
    dst.flush()
    fn = getattr(os, "copy_file_range", None)
    if fn is not None:
        try:
            while length > 0:
                n = fn(src.fileno(), dst.fileno(), length, offset)
                if n <= 0:
                    break
                offset += n
                length -= n
        except OSError:
            pass
    src.seek(offset)
    while length > 0:
        data = src.read(min(length, 1 << 24))
        if not data:
            raise KgError("the previous graph.ttl is shorter than its state says: build again with --full")
        dst.write(data)
        length -= len(data)


class Chunks:
    """Where a Sink puts graph.ttl: ``write(data)`` appends bytes, ``copy(offset, length)`` appends a
    range of the previous graph.ttl (``src``), ``finish()`` ends it. This one writes at once."""

    def __init__(self, dst, src=None):
        self.dst, self.src = dst, src

    def write(self, data: bytes) -> None:
        self.dst.write(data)

    def copy(self, offset: int, length: int) -> None:
        copy_range(self.src, self.dst, offset, length)

    def finish(self) -> None:
        self.dst.flush()


class BackgroundChunks(Chunks):
    """Chunks written in order by a thread: copying the unchanged graphs (hundreds of MB at national
    size, in the kernel, without the GIL) overlaps what the caller does meanwhile (making the changed
    graphs, updating the store). ``finish()`` waits for the thread and raises what it met."""

    def __init__(self, dst, src=None):
        import queue
        import threading

        super().__init__(dst, src)
        self._todo: "queue.Queue" = queue.Queue(maxsize=256)
        self._error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._run, name="kg-ttl-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            op = self._todo.get()
            if op is None:
                return
            if self._error is not None:
                continue
            try:
                if isinstance(op, tuple):
                    Chunks.copy(self, *op)
                else:
                    Chunks.write(self, op)
            except BaseException as e:  # raised in the caller's thread by finish()
                self._error = e

    def write(self, data: bytes) -> None:
        self._todo.put(bytes(data))

    def copy(self, offset: int, length: int) -> None:
        self._todo.put((offset, length))

    def finish(self) -> None:
        self._stop()
        if self._error is not None:
            raise self._error
        Chunks.finish(self)

    def cancel(self) -> None:
        """Stop without writing what is still queued (the output is abandoned); after finish(),
        nothing to do."""
        if self._thread.is_alive() and self._error is None:
            self._error = KgError("graph.ttl was not finished")
        self._stop()

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._todo.put(None)
            self._thread.join()


class Sink:
    """Writes graph.ttl (binary file ``ttl``, or a Chunks) and N-Quads (``nq``) graph by graph, in
    the order they come, and keeps the state of each (kg.build.state.GraphState).

    With ``old_ttl``, the previous graph.ttl open for reading, and ``old``, its graphs' state, a graph whose
    fingerprint or, once made, digest is unchanged has its Turtle copied from the previous file
    (runs of such graphs in one copy) and is not written to ``nq``: ``nq`` then holds only the
    graphs to (re)load into the store. ``close()`` ends the file (a Chunks given as ``ttl`` is
    left for its owner to finish).
    """

    def __init__(self, ttl, nq, old_ttl=None, old: Optional[dict[str, GraphState]] = None):
        self.old_ttl = old_ttl
        self.old_state: dict[str, GraphState] = (old or {}) if old_ttl is not None else {}
        self._own = not isinstance(ttl, Chunks)
        self.ttl = Chunks(ttl, self.old_ttl) if self._own else ttl
        self.nq = nq
        self.state: dict[str, GraphState] = {}
        self.triples = 0
        self._copy: Optional[list[int]] = None  # [offset, length] in the previous file, still to copy
        self.ttl.write(TTL_HEAD)
        self.pos = len(TTL_HEAD)

    def _was(self, g: str) -> Optional[GraphState]:
        return self.old_state.get(g)

    def _flush_copy(self) -> None:
        if self._copy:
            self.ttl.copy(*self._copy)
            self._copy = None

    def _keep(self, g: str, was: GraphState, fp: Optional[str]) -> None:
        """Graph ``g`` as in the previous build."""
        if self._copy and self._copy[0] + self._copy[1] == was.offset:
            self._copy[1] += was.length
        else:
            self._flush_copy()
            self._copy = [was.offset, was.length]
        self._note(g, was.digest, fp, was.triples, was.length)

    def _note(self, g: str, digest: str, fp: Optional[str], size: int, length: int) -> None:
        self.state[g] = GraphState(digest, self.pos, length, fp, size)
        self.pos += length
        self.triples += size

    def unchanged(self, g: str, fp: Optional[str]) -> bool:
        """Copy graph ``g`` from the previous build when its fingerprint is ``fp``; True if done."""
        was = self._was(g)
        if not (was and fp is not None and was.fingerprint == fp):
            return False
        self._keep(g, was, fp)
        return True

    def put(self, made: Optional[Made]) -> None:
        """A graph made anew: kept from the previous build when its digest is unchanged."""
        if made is None:
            return
        was = self._was(made.graph)
        if was and was.digest == made.digest:
            self._keep(made.graph, was, made.fingerprint)
            return
        self._flush_copy()
        chunk = made.chunk
        self.nq.write(made.nq)
        self.ttl.write(chunk)
        self._note(made.graph, made.digest, made.fingerprint, made.triples, len(chunk))

    def graph(self, g: str, fp: Optional[str], make: Callable[[], list[str]]) -> None:
        if not self.unchanged(g, fp):
            self.put(make_graph(g, fp, make()))

    def close(self) -> None:
        self._flush_copy()
        if self._own:
            self.ttl.finish()


def emit(corpus: Corpus, ttl, nq, old_ttl=None, old: Optional[dict[str, GraphState]] = None, salt: str = "",
         orgs: Optional[list[OrgGraph]] = None,
         prepare: Optional[Callable[[], list[OrgGraph]]] = None) -> tuple[dict, dict, int]:
    """Write graph.ttl to ``ttl`` (a binary file, or a Chunks that the caller finishes) and
    N-Quads to ``nq``, graph by graph (Sink).

    Returns (state, counts, number of triples); see Sink for ``old_ttl`` and ``old``; ``salt``: see
    document_fingerprint; ``orgs``: see iter_graphs. ``prepare()``, when given, is called once
    the documents' graphs are written (iter_graphs: they need the documents alone): it makes the
    rest of the corpus (organisations, links) and returns the organisations' graphs.
    """
    sink = Sink(ttl, nq, old_ttl, old)
    counts: dict = {}
    for g, fp, make in document_graphs(corpus, salt):
        sink.graph(g, fp, make)
    if prepare is not None:
        orgs = prepare()
    for g, fp, make in corpus_graphs(corpus, counts, orgs):
        sink.graph(g, fp, make)
    sink.close()
    counts["corpus"]["quads"] = sink.triples
    return sink.state, counts, sink.triples

