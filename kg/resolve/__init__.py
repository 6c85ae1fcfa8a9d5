"""Resolve stage: unit mentions to Organisation entities, one per real body; collectives kept as groups."""
from kg.resolve.entities import load_overrides, resolve, resolve_name

__all__ = ["load_overrides", "resolve", "resolve_name"]
