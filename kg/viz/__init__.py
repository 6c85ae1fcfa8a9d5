"""Views: self-contained pyvis pages of a built graph.

The modules, in the order a page is made: data (what the views read from the store), styles (how
nodes and edges look, label sizes), nodes (the View record and the node makers), layout (where
boxes stand), views (the four views), page (the HTML file and its inlined assets).
"""
from kg.viz.page import render, write
from kg.viz.views import build_view, corpus_view, demo_pages, doc_view, trace_view, unit_view

__all__ = ["build_view", "corpus_view", "demo_pages", "doc_view", "render", "trace_view", "unit_view", "write"]
