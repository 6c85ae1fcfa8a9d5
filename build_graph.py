#!/usr/bin/env python3
"""Build the bundled corpus (corpus/) into out/: the script behind `make demo`."""
import sys

from kg.cli import app

if __name__ == "__main__":
    args = sys.argv[1:] or ["corpus", "--out", "out"]
    sys.exit(app(["demo", *args], standalone_mode=True))
