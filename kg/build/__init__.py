"""Build stage: the one build path (read → parse → resolve → link → rdf → write the build directory).

``kg.build(paths, out)`` is the library's one-call build, as ``kg build`` is the CLI's: the package
itself is callable, so that the stage's name and the call read the same.
"""
import importlib
import sys
import types

__all__ = ["BuildResult", "build"]


def __getattr__(name: str):
    """``build`` and ``BuildResult``, from kg.build.pipeline, loaded on first use (PEP 562): a
    module of the stage (kg.build.loader, in the store-loading child) loads without the library."""
    if name not in __all__:
        raise AttributeError(f"module 'kg.build' has no attribute {name!r}")
    return getattr(importlib.import_module("kg.build.pipeline"), name)


class _CallablePackage(types.ModuleType):
    def __call__(self, *args, **kwargs):
        return __getattr__("build")(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
