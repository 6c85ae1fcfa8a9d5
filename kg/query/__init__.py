"""Query stage: the Graph API over a built store, the named queries, the endpoint, records read back."""
from kg.query.api import Graph
from kg.query.store import Store

__all__ = ["Graph", "Store"]
