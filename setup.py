"""One build step beyond pyproject.toml: the wheel carries queries/*.rq and ontology/*.ttl.

The top-level queries/ and ontology/ folders are the one source (the design card's layout); the
build copies them into the wheel as kg/data/queries/ and kg/data/ontology/, where kg.resources
finds them once installed. Nothing is copied into the source tree: a checkout and an editable
install (`pip install -e .`, what `make test` uses) read the top-level folders themselves.
"""
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = {"queries": "*.rq", "queries/internal": "*.rq", "ontology": "*.ttl"}  # top-level folder -> files shipped in kg/data/<folder>/


class BuildPy(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's folders
        for folder, pattern in SHIPPED.items():
            files = sorted((ROOT / folder).glob(pattern))
            if not files:
                raise SystemExit(f"{ROOT / folder}: no {pattern} files to ship; is this a full checkout or sdist?")
            dest = Path(self.build_lib) / "kg" / "data" / folder
            if dest.exists():
                for old in dest.iterdir():  # no stale files from an earlier build
                    if old.is_file():
                        old.unlink()
            self.mkpath(str(dest))
            for f in files:
                self.copy_file(str(f), str(dest / f.name))


setup(cmdclass={"build_py": BuildPy})
