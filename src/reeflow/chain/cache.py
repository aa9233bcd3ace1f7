"""The chain's step cache: results of the expensive steps keyed by the JSON of exactly the
inputs they read, so a what-if re-runs only the steps its changed inputs reach (same functions,
same numbers). Per process; a forked worker inherits a warm copy.

A key that names a file (a project key ending in ``_file``, e.g. a drillhole table) holds the
file's SHA-256 as well as its path, so an edited file is a new key.

:class:`DiskTier` keeps the steps' results between runs as well (``reeflow study`` uses it;
``--no-cache`` or ``REEFLOW_NO_CACHE=1`` turns it off, ``REEFLOW_CACHE_DIR`` moves it): one
file per result under the user's cache folder, in a folder named by the fingerprint of the
installed reeflow (every file of the package) and of the libraries whose numbers it relies on,
so a result is read back only by the code that computed it. A second study of a project whose
mine, deposit and plant inputs did not change reads their results instead of computing them;
the numbers are the same (a result is a pure function of its key; pickle round-trips NumPy and
pandas data exactly).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["CACHE", "StepCache", "DiskTier", "step_key", "default_folder", "MAX_DISK_BYTES"]

T = TypeVar("T")

#: Steps kept in memory only: a what-if's whole outcome (each of its steps is on disk)
_MEMORY_ONLY = frozenset({"outcome"})
#: The suffix of the files a :class:`DiskTier` writes; it removes no other file
SUFFIX = ".reeflow-step"
#: Bytes of step files kept over all fingerprints; the least recently used go beyond it (a
#: tool setting: the built-in study writes about 130 MB)
MAX_DISK_BYTES = 1024**3
#: The libraries whose numbers a step's result depends on (their versions are fingerprinted)
_LIBRARIES = ("numpy", "scipy", "pandas", "highspy", "pymineflow", "numba", "pydantic",
              "pint", "ortools", "networkx", "pyarrow")
_MISS = object()
_FILE_KEY = re.compile(r'"([A-Za-z0-9_]*_file)"\s*:\s*"((?:[^"\\]|\\.)*)"')


class DiskTier:
    """Step results kept in ``folder`` between runs (zlib-compressed pickles written
    atomically; a file that cannot be read is a miss, so a cache is never a reason to fail)."""

    def __init__(self, folder: str | Path) -> None:
        from reeflow.core.io import private_folder

        self.root = Path(os.path.realpath(folder))  # a link is followed once, here
        try:
            self.folder = self.root / f"steps-{code_fingerprint()[:16]}"
        except OSError:  # a package file unreadable: no fingerprint, no tier
            self.folder = self.root / "steps-unknown"
            self.usable = False
            return
        #: False where this code's folder is not private (another user's, writable by others,
        #: a link): nothing is read or written there
        self.usable = private_folder(self.root, create=False) and private_folder(self.folder)

    def _path(self, step: str, key: str) -> Path:
        digest = hashlib.sha256(f"{step}\0{key}".encode()).hexdigest()
        name = re.sub(r"[^A-Za-z0-9_]+", "_", step)
        return self.folder / f"{name}-{digest}{SUFFIX}"

    def load(self, step: str, key: str) -> Any:
        """The result stored for (step, key), or the module's miss marker."""
        import pickle
        import zlib

        from reeflow.core.io import read_private

        if not self.usable:
            return _MISS
        path = self._path(step, key)
        data = read_private(path)  # not a link, this user's, no one else may write it
        if data is None:
            return _MISS
        try:
            stored_key, value = pickle.loads(zlib.decompress(data))
        except Exception:  # noqa: BLE001 - missing, truncated, another version's: a miss
            return _MISS
        if stored_key != key:
            return _MISS
        with contextlib.suppress(OSError):
            os.utime(path)  # the least recently used go first (prune)
        return value

    def save(self, step: str, key: str, value: Any) -> None:
        """Store ``value`` (atomically: a temporary file replaced into place); a folder that
        cannot be written is skipped."""
        import pickle
        import tempfile
        import zlib

        if not self.usable:
            return
        try:
            data = zlib.compress(pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL), 1)
            # a partial file a killed run leaves is named as the tier's own, so prune removes it
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix="partial-", suffix=SUFFIX)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, self._path(step, key))
            except BaseException:
                with contextlib.suppress(OSError):
                    os.remove(tmp)
                raise
        except Exception:  # noqa: BLE001 - a result that cannot be kept is computed next time
            return

    def prune(self, max_bytes: int = MAX_DISK_BYTES) -> None:
        """Remove the least recently used step files (of any fingerprint) beyond ``max_bytes``
        in all; files of other names are never touched."""
        files = []
        for f in self.root.glob(f"steps-*/*{SUFFIX}"):
            try:  # one entry gone or dangling skips itself, not the pruning
                st = f.lstat()
            except OSError:
                continue
            files.append((st.st_mtime, st.st_size, f))
        total = sum(size for _, size, _ in files)
        for _, size, f in sorted(files, key=lambda x: x[0]):
            if total <= max_bytes:
                break
            with contextlib.suppress(OSError):
                f.unlink()
                total -= size


def default_folder() -> Path | None:
    """The step files' folder: :func:`reeflow.core.io.cache_root` (``REEFLOW_CACHE_DIR`` or
    the user's cache folder); None where ``REEFLOW_NO_CACHE=1`` or the folder is not the
    user's own and private (results are read back with pickle)."""
    from reeflow.core.io import cache_root

    return cache_root()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 of every file of the installed reeflow package and of the versions of Python
    and of the libraries in :data:`_LIBRARIES`."""
    from importlib import metadata

    import reeflow

    h = hashlib.sha256()
    root = Path(reeflow.__file__).parent
    for f in sorted(root.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts and f.suffix not in (".pyc", ".nbi",
                                                                             ".nbc"):
            h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    import sys

    h.update(sys.version.encode())
    for lib in _LIBRARIES:
        try:
            h.update(f"{lib}={metadata.version(lib)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{lib}=none".encode())
    return h.hexdigest()


class StepCache:
    """Results of the expensive steps keyed by the JSON of exactly the inputs they read, so a
    what-if re-runs only the steps its changed inputs reach (same functions, same numbers)."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self.store: dict[str, dict[str, Any]] = {}
        self.disk: DiskTier | None = None
        #: how many times each step was computed (not read) in this process
        self.computed: dict[str, int] = {}

    def get(self, step: str, key: str, fn: Callable[..., T], *args: Any) -> T:
        key = pinned(key)
        box = self.store.setdefault(step, {})
        if key in box:
            box[key] = box.pop(key)  # most recently used last
            return box[key]  # type: ignore[no-any-return]
        disk = None if step in _MEMORY_ONLY else self.disk
        out = _MISS if disk is None else disk.load(step, key)
        if out is _MISS:
            out = fn(*args)
            self.computed[step] = self.computed.get(step, 0) + 1
            if disk is not None:
                disk.save(step, key, out)
        self._put(box, key, out)
        return out  # type: ignore[return-value]

    def _put(self, box: dict[str, Any], key: str, value: Any) -> None:
        box[key] = value
        while len(box) > self.size:
            box.pop(next(iter(box)))

    @contextlib.contextmanager
    def on_disk(self, folder: str | Path | None) -> Iterator[DiskTier | None]:
        """Keep step results in ``folder`` while the block runs (None: as before the block,
        so an inner block does not turn off an outer one's); the previous setting is restored
        after it and the folder pruned (:meth:`DiskTier.prune`)."""
        before = self.disk
        if folder is None or (before is not None
                              and before.root == Path(os.path.realpath(folder))):
            yield before
            return
        try:
            tier: DiskTier | None = DiskTier(folder)
        except Exception:  # noqa: BLE001 - a cache is never a reason to fail
            tier = None
        self.disk = tier if tier is not None and tier.usable else None
        try:
            yield self.disk
        finally:
            self.disk = before
            if tier is not None:
                with contextlib.suppress(Exception):  # never replaces the block's outcome
                    tier.prune()

    def seen(self, step: str, key: str) -> bool:
        """Whether (step, key) is answered here or on disk, without computing it."""
        key = pinned(key)
        box = self.store.setdefault(step, {})
        if key in box:
            return True
        out = _MISS if self.disk is None else self.disk.load(step, key)
        if out is _MISS:
            return False
        self._put(box, key, out)  # read once: the chain finds it here
        return True

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
    """The JSON of a step's inputs (typed models by their aliases), its cache key. Keys keep
    the order of the inputs' mappings (not sorted): some steps follow it (the order of
    ``ore.ree_distribution`` is the order of the plant's elements), so a reordered mapping is
    another key (fuzz round 40)."""
    return json.dumps([p.model_dump(mode="json", by_alias=True) if hasattr(p, "model_dump")
                       else p for p in parts], default=repr)


def pinned(key: str) -> str:
    """``key`` with the SHA-256 of each file it names (a ``"…_file": "PATH"`` pair) appended,
    so a key stays the same only while the files it names do."""
    files = sorted({json.loads(f'"{m.group(2)}"') for m in _FILE_KEY.finditer(key)})
    if not files:
        return key
    return key + "\0files:" + ",".join(f"{f}={_file_sha256(f)}" for f in files)


def _file_sha256(path: str) -> str:
    try:
        st = os.stat(path)
    except (OSError, ValueError):  # ValueError: a NUL in the path
        return "missing"
    return _sha256_of(path, st.st_mtime_ns, st.st_size, st.st_ino)


@lru_cache(maxsize=256)
def _sha256_of(path: str, mtime_ns: int, size: int, inode: int) -> str:
    """SHA-256 of a file's bytes, cached by its path, modification time, size and inode."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except (OSError, ValueError):
        return "unreadable"
    return h.hexdigest()
