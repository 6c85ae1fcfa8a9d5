"""Export stage: the graph as Turtle / TriG / N-Triples / JSON-LD / GraphML, the responsibility
table (CSV/XLSX) and the 督办台账 ledger."""
from kg.export.formats import export, render

__all__ = ["export", "render"]
