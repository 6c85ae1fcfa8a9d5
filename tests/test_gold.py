"""The issue's acceptance scores, on the two gold-checked seeds: kg build + kg export --format csv,
scored by the project's scorer (tests/data/gold: copies of shared/eval's score.py and hand-made
gold files)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "data" / "gold"
SEEDS = {"000": "000_b7f676789088e75d.txt", "001": "001_642e6dbf011a83a5.txt"}


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    from typer.testing import CliRunner

    from kg.cli import app

    tmp = tmp_path_factory.mktemp("gold")
    runner = CliRunner()
    paths = [str(ROOT / "corpus" / f) for f in SEEDS.values()]
    r = runner.invoke(app, ["build", *paths, "--out", str(tmp / "g")])
    assert r.exit_code == 0, r.output
    assert "task numbers absent: 13-18, 37" in r.output
    r = runner.invoke(app, ["export", "--graph", str(tmp / "g"), "--format", "csv", "--out", str(tmp / "t.csv")])
    assert r.exit_code == 0, r.output
    return tmp / "t.csv"


def score(table: Path, seed: str):
    out = subprocess.run([sys.executable, str(GOLD / "score.py"), str(table), str(GOLD / f"gold_{seed}.json")],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"tasks found (\d+)/(\d+).*deadlines (\d+)/(\d+)\nf1=([\d.]+)", out)
    assert m, out
    found, total, dl, dlt, f1 = m.groups()
    return int(found), int(total), float(f1), (int(dl), int(dlt))


def test_seed_000_scores(table):
    found, total, f1, (dl, dlt) = score(table, "000")
    assert (found, total) == (47, 47) and f1 >= 0.99 and (dl, dlt) == (7, 7)


def test_seed_001_scores(table):
    found, total, f1, _ = score(table, "001")
    assert total == 47 and found >= 45 and f1 >= 0.95
