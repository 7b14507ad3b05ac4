"""Heavy libraries imported when first used, so a run that never needs them never pays for them.

A repeated CLI run answered from a kept report reads a few hundred plain rows and prints them; importing pandas,
NumPy, PyArrow and DuckDB would take about half of it. A module binds such a library with :func:`lazy` instead of an
``import`` statement and uses it as usual (``pd.DataFrame``, ``duckdb.connect``); the real import happens on the
first attribute read, through ``importlib.import_module``, which holds Python's import lock, so threads that race
to it wait for one import (unlike ``importlib.util.LazyLoader``, which is not safe across threads).
"""

from __future__ import annotations

import importlib


class _LazyModule:
    """Stands for the module ``name`` and imports it on the first attribute read; attributes read are then kept on
    this object, so later reads cost what a module attribute does (a test that patches the real module's attribute
    after it was read here does not reach the code reading it through this object)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str) -> object:
        value = getattr(importlib.import_module(self._name), attribute)
        setattr(self, attribute, value)
        return value

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def lazy(name: str) -> _LazyModule:
    """The module ``name``, imported when first used (see the module's docstring)."""
    return _LazyModule(name)


def library_version(name: str) -> str:
    """The installed version of the library ``name``, read from its package metadata without importing it (from the
    module itself when it was installed without metadata)."""
    from importlib.metadata import PackageNotFoundError, version  # about 10 ms to import: only when needed

    try:
        return version(name)
    except PackageNotFoundError:
        return str(importlib.import_module(name).__version__)
