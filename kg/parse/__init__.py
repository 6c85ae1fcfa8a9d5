"""Parse stage: a Source's text to Document / Section / Task / UnitMention records with source offsets."""
from kg.parse.clean import clean
from kg.parse.plan import parse_plan
from kg.parse.report import is_report, parse_report

__all__ = ["clean", "is_report", "parse_plan", "parse_report"]
