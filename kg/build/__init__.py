"""Build stage: the one build path (read → parse → resolve → link → rdf → write the build directory).

``kg.build(paths, out)`` is the library's one-call build, as ``kg build`` is the CLI's: the package
itself is callable, so that the stage's name and the call read the same.
"""
import sys
import types

from kg.build.pipeline import BuildResult, build

__all__ = ["BuildResult", "build"]


class _CallablePackage(types.ModuleType):
    def __call__(self, *args, **kwargs):
        return build(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
