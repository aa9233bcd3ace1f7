"""The chain's step cache: results of the expensive steps keyed by the JSON of exactly the
inputs they read, so a what-if re-runs only the steps its changed inputs reach (same functions,
same numbers). Per process; a forked worker inherits a warm copy."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["CACHE", "StepCache", "step_key"]

T = TypeVar("T")


class StepCache:
    """Results of the expensive steps keyed by the JSON of exactly the inputs they read, so a
    what-if re-runs only the steps its changed inputs reach (same functions, same numbers)."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self.store: dict[str, dict[str, Any]] = {}

    def get(self, step: str, key: str, fn: Callable[..., T], *args: Any) -> T:
        box = self.store.setdefault(step, {})
        if key in box:
            box[key] = box.pop(key)  # most recently used last
            return box[key]  # type: ignore[no-any-return]
        out = fn(*args)
        box[key] = out
        while len(box) > self.size:
            box.pop(next(iter(box)))
        return out

    def export(self, *, exclude: tuple[str, ...] = ("outcome",)) -> dict[str, dict[str, Any]]:
        """The most recent result of each step (the last run's), to warm another process's
        cache with :meth:`install`; the results are pure functions of their keys, so a warm
        worker computes the same numbers as this process."""
        return {step: dict([next(reversed(box.items()))]) for step, box in self.store.items()
                if box and step not in exclude}

    def install(self, store: dict[str, dict[str, Any]]) -> None:
        """Add the entries of an :meth:`export` (entries already here are kept)."""
        for step, box in store.items():
            mine = self.store.setdefault(step, {})
            for key, value in box.items():
                mine.setdefault(key, value)


CACHE = StepCache()


def step_key(*parts: Any) -> str:
    """The JSON of a step's inputs (typed models by their aliases), its cache key."""
    return json.dumps([p.model_dump(mode="json", by_alias=True) if hasattr(p, "model_dump")
                       else p for p in parts], sort_keys=True, default=repr)
