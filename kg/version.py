"""The version of DutyGraph (also in pyproject.toml): what builds and caches record."""
__version__ = "0.1.0"
