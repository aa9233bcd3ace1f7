"""Lazy packages: a package's public names are imported from their modules on first use, so
importing the package (and every command that only parses its arguments) stays cheap.

A package declares ``__all__`` and ``_WHERE`` (public name -> the submodule that defines it)
and ends with ``lazy_package(__name__)``. Its class then:

- imports a name's module on first access and binds the value on the package (PEP 562's
  module ``__getattr__``, as a method of the module's class);
- lists ``__all__`` in ``dir()``;
- keeps a public function named like its own module (``reeflow.deposit.composite``) bound to
  the function: importing the submodule would otherwise replace it by the module.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__all__ = ["LazyPackage", "lazy_package"]


class LazyPackage(types.ModuleType):
    """The module class of a lazy package (see the module docstring)."""

    def _where(self) -> dict[str, str]:
        return self.__dict__.get("_WHERE", {})  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        mod = self._where().get(name)
        if mod is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{self.__name__}.{mod}"), name)
        self.__dict__[name] = value  # later lookups skip __getattr__
        return value

    def __dir__(self) -> list[str]:
        return sorted(self.__dict__.get("__all__", ()))

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and self._where().get(name) == name:
            return
        super().__setattr__(name, value)


def lazy_package(name: str) -> None:
    """Make the already-imported package ``name`` lazy (call it last in its ``__init__``)."""
    sys.modules[name].__class__ = LazyPackage
