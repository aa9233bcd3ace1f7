"""Safe input and output files: the one place that opens, reads and writes a user's files.

Outputs
-------
Every output file is written whole or not at all (:func:`atomic_write`):

1. the content is rendered in memory by the caller first;
2. it is written to an anonymous temporary file in the target folder (Linux ``O_TMPFILE``: a
   process killed here leaves nothing behind), else to a hidden ``.reeflow-tmp-*`` file;
3. the temporary file is given a name and moved over the target with :func:`os.replace`, which is
   atomic on POSIX, so a reader (or a kill -9) sees either the previous complete file or the new
   complete one.

Writers that stream or need a file name (a CSV written row by row, a library's own writer such
as OMF) use :func:`atomic_open` / :func:`atomic_path`: the same rules with a hidden named
``.reeflow-tmp-*`` file in the target folder, removed on any error. There is no other writer
in reeflow. :func:`check_output_file` refuses a bad ``--out`` file path before work starts.

A folder the user names with ``--out`` is created when missing and NEVER emptied or deleted
(:func:`output_folder`): only the files reeflow writes are replaced, one by one. An existing file
is replaced only when reeflow wrote it and nobody changed it since: each folder reeflow writes
into keeps a small record, ``.reeflow-written.json``, of the SHA-256 of every file it wrote there;
any other existing file at an output path (a user's notes, the command's own input) is refused
with an :class:`~reeflow.core.errors.InputError` before anything is written (fuzz round 15: a
``krige --out`` naming the assay file replaced it). Hidden temporary
files that an earlier killed run left behind (our own ``.reeflow-tmp-*`` pattern, older than a
minute) are removed by the next run into the same folder.

Inputs
------
:func:`read_text` reads an input file with the checks every command shares: it must exist, be a
regular file (not a folder, device or FIFO such as ``/dev/zero``), be at most ``max_bytes`` long
and decode as UTF-8. Each failure is an :class:`~reeflow.core.errors.InputError` naming the
argument, the path, what is allowed and how to fix it. :func:`read_csv` applies the same checks
to a user's CSV table (and turns pandas' parse errors into the same one-line error);
:func:`check_input_file` gives readers that stream a file themselves (GSLIB, MineLib) the checks.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import stat
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from reeflow.core.errors import InputError

__all__ = ["atomic_write", "atomic_path", "atomic_open", "write_outputs", "output_folder",
           "check_output_folder", "check_output_file", "check_input_file", "read_text",
           "read_bytes", "read_csv", "check_no_row_labels",
           "MAX_INPUT_BYTES", "TMP_PREFIX", "missing_file_fix"]

#: Default size cap of an input file (project YAML, CSV tables, block models).
MAX_INPUT_BYTES = 256 * 1024 * 1024
#: Prefix of the named temporary files reeflow creates (and may clean up).
TMP_PREFIX = ".reeflow-tmp-"
#: The record, in each folder reeflow writes into, of the files it wrote (name -> SHA-256).
RECORD_NAME = ".reeflow-written.json"
_STALE_S = 60.0
_NAME_MAX = 255


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _anonymous_tmp(folder: Path) -> int | None:
    """An unnamed temporary file in ``folder`` (O_TMPFILE), or None where unsupported."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None:
        return None
    try:
        return os.open(folder, flag | os.O_WRONLY, 0o666 & ~_umask())
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
            return None
        raise


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]
    os.fsync(fd)


def _link_anonymous(fd: int, target: Path) -> None:
    """Give the O_TMPFILE file ``fd`` the name ``target`` (linkat with AT_SYMLINK_FOLLOW)."""
    dir_fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.link(f"/proc/self/fd/{fd}", target.name, dst_dir_fd=dir_fd, follow_symlinks=True)
    finally:
        os.close(dir_fd)


def _tmp_name(path: Path, suffix: str = "") -> Path:
    return path.parent / f"{TMP_PREFIX}{os.getpid()}-{time.monotonic_ns()}-{path.name[:80]}{suffix}"


def check_output_file(path: str | Path, *, field: str = "--out") -> Path:
    """Refuse, before any work is done, an output file path that cannot be written: a folder, a
    file in a missing folder, one in a folder that is not writable or takes no files, or an
    existing file reeflow did not write. Leaves nothing behind (a hidden probe file is created
    and removed)."""
    if not str(path).strip():
        raise InputError(field, str(path), "a file name", f"give a file, e.g. {field} out.json")
    if isinstance(path, str) and path.endswith(("/", os.sep)):  # Path() drops the '/'
        raise InputError(field, path, "a file path (a name ending in '/' is a folder)",
                         "name a file inside it" + ("" if Path(path).is_dir() else
                                                    " (creating the folder first)")
                         + f": {field} {path}<file name>")
    p = Path(path)
    _check_target(p, field)
    if not os.access(p.parent, os.W_OK | os.X_OK):
        raise InputError(field, str(p.parent), "a writable folder",
                         "choose a folder you can write to")
    _probe(p, field)
    return p


def _probe(path: Path, field: str) -> None:
    """Create and remove a hidden temporary file beside ``path``: a folder that takes no files
    (``/proc``) is refused before the work, not after it."""
    tmp = _tmp_name(path)
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise (_os_error(exc, path, field) or InputError(
            field, str(path), "a writable path", f"{exc}: choose another path")) from None
    with contextlib.suppress(OSError):
        tmp.unlink()


def _check_target(path: Path, field: str, replace_any: bool = False,
                  locked: bool = False) -> None:
    """A target that is a folder, whose folder is missing, or that is an existing file reeflow
    did not write (:func:`_refuse_foreign`) is refused before writing."""
    if path.is_dir():
        raise InputError(field, str(path), "a file path (it names a folder)",
                         f"name a file inside it: {field} {path}/<file name>")
    if not path.parent.is_dir():
        raise InputError(field, str(path), "a file in an existing folder",
                         "create the folder first, or choose another path")
    if not replace_any:
        _refuse_foreign(path, field, locked)


def _sha256(path: Path) -> str | None:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


def _record(folder: Path) -> dict[str, str]:
    """The folder's record of the files reeflow wrote there (empty when missing, unreadable or
    not a record: then no existing file counts as reeflow's)."""
    return _read_record(folder) or {}


def _read_record(folder: Path) -> dict[str, str] | None:
    """The record, {} when there is none, None when a file of that name is not a record (a
    user's own file: it is never replaced, fuzz round 17)."""
    try:
        text = (folder / RECORD_NAME).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or not all(
            isinstance(v, str) and re.fullmatch(r"[0-9a-f]{64}", v) for v in data.values()):
        return None
    return {str(k): v for k, v in data.items()}


def _foreign(path: Path) -> bool:
    if not os.path.lexists(path):
        return False
    if not path.is_symlink() and path.is_file():
        digest = _record(path.parent).get(path.name)
        if digest is not None and digest == _sha256(path):
            return False
    return True


def _refuse_foreign(path: Path, field: str, locked: bool = False) -> None:
    """Refuse an existing file (or link) at ``path`` unless reeflow wrote it and its content is
    still what reeflow wrote. Outside the folder's lock (``locked`` False) a refusal is checked
    again under it: another run may have replaced the file and not yet recorded it."""
    if not _foreign(path):
        return
    if not locked:
        with _folder_lock(path.parent):
            if not _foreign(path):
                return
    odd = (f"; the folder's {RECORD_NAME} is not reeflow's record, so no file there counts "
           "as reeflow's" if _read_record(path.parent) is None else "")
    raise InputError(field, str(path), "a new file, or one reeflow wrote there (unchanged since)",
                     "reeflow does not replace a file it did not write (nor one an older "
                     "reeflow or an editor wrote): choose another name or folder, move that "
                     f"file away, or pass --force where the command has it{odd}")


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder`` (``flock`` on the folder itself: no lock file) while a
    file is checked, replaced and recorded, so two runs writing into one folder do not lose each
    other's record. Best effort: where ``flock`` is missing (Windows) there is no lock."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        # NFS (EBADF on a read-only descriptor) or Lustre noflock (ENOSYS): no lock
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _remember(path: Path, digest: str) -> None:
    """Add ``path`` to its folder's record (atomically; a failure to record only means the next
    run will not replace the file)."""
    folder = path.parent
    rec = _read_record(folder)
    if rec is None:  # a file of the record's name that reeflow did not write: left alone
        return
    rec[path.name] = digest
    tmp = _tmp_name(folder / RECORD_NAME)
    try:
        with open(tmp, "x", encoding="utf-8") as fh:
            json.dump(rec, fh, indent=0, sort_keys=True)
        os.replace(tmp, folder / RECORD_NAME)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _os_error(exc: OSError, path: Path, field: str) -> InputError | None:
    """The InputError for an OSError a user can fix (no permission, no room, name too long, a
    folder that takes no files, such as ``/proc``)."""
    if isinstance(exc, PermissionError):
        return InputError(field, str(path.parent), "a writable folder",
                          "choose a folder you can write to")
    if exc.errno in (errno.ENAMETOOLONG, errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.ENOENT,
                     errno.EINVAL, errno.ENOTDIR):
        return InputError(field, str(path), "a writable path with room for the output",
                          f"{os.strerror(exc.errno or 0)}: choose another path")
    return None


def atomic_write(path: str | Path, data: bytes | str, *, field: str = "--out",
                 replace_any: bool = False, record: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically (see the module docstring) and return the path.

    ``str`` data are written as UTF-8. The folder must exist. Raises :class:`InputError` (naming
    ``field``) when the target is a folder, the folder is not writable, or the target is an
    existing file reeflow did not write (``replace_any``: the user asked to replace it, e.g.
    ``--force``). ``record``: False for files handed to the user as their own (copied example
    inputs): they are not recorded, so no later output replaces them.
    """
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    with _folder_lock(path.parent):  # checked under the lock: another run may be writing
        _check_target(path, field, replace_any, locked=True)
        _write_locked(path, raw, field, record)
    return path


def _write_locked(path: Path, raw: bytes, field: str, record: bool = True) -> None:
    tmp = _tmp_name(path)
    fd = None
    try:
        fd = _anonymous_tmp(path.parent)
        if fd is not None:
            _write_all(fd, raw)
            _link_anonymous(fd, tmp)
        else:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 & ~_umask())
            _write_all(fd, raw)
        os.replace(tmp, path)
    except OSError as exc:
        err = _os_error(exc, path, field)
        if err is not None:
            raise err from None
        raise
    finally:
        if fd is not None:
            os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    if record:
        _remember(path, hashlib.sha256(raw).hexdigest())


@contextlib.contextmanager
def atomic_path(path: str | Path, *, suffix: str = "", field: str = "--out") -> Iterator[Path]:
    """A temporary file name in the folder of ``path`` for writers that need a name (streamed
    CSV, a library's own writer); when the block exits normally the file written there replaces
    ``path`` with :func:`os.replace`, on any error it is removed and ``path`` is left as it was.

    The same rules as :func:`atomic_write` (which is preferred when the content is in memory):
    hidden ``.reeflow-tmp-*`` name in the target folder, umask permissions, one-line
    :class:`InputError` for a folder target, a missing folder or a folder that cannot be written.
    ``suffix`` ends the temporary name (some writers insist on an extension).
    """
    path = Path(path)
    _check_target(path, field)
    tmp = _tmp_name(path, suffix)
    try:
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 & ~_umask()))
            yield tmp
            digest = _sha256(tmp)
            with _folder_lock(path.parent):
                _check_target(path, field, locked=True)  # again, under the lock
                os.replace(tmp, path)
                if digest is not None:
                    _remember(path, digest)
        except OSError as exc:
            err = _os_error(exc, path, field)
            if err is not None:
                raise err from None
            raise
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "w", *, field: str = "--out") -> Iterator[IO[Any]]:
    """An open file (text: UTF-8, no newline translation) whose content replaces ``path`` only
    when the block exits normally (see :func:`atomic_path`)."""
    text = "b" not in mode
    with atomic_path(path, field=field) as tmp, open(
            tmp, mode, encoding="utf-8" if text else None, newline="" if text else None) as fh:
        yield fh


def _clean_stale(folder: Path) -> None:
    """Remove our own temporary files left by a killed run (older than a minute)."""
    now = time.time()
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if not entry.name.startswith(TMP_PREFIX):
                continue
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False) and \
                        now - entry.stat(follow_symlinks=False).st_mtime > _STALE_S:
                    os.unlink(entry.path)


def check_output_folder(path: str | Path, *, field: str = "--out",
                        names: tuple[str, ...] = (), force: bool = False) -> Path:
    """Refuse, before any work is done, an output folder that cannot be used, or one where a
    file of ``names`` (the files the command will write) exists and reeflow did not write it.

    Refused with :class:`InputError`: a path naming an existing file (or passing through one), a
    path component longer than the file system allows, an existing folder that is not writable,
    a missing folder whose nearest existing parent is not writable, an empty name (``--out
    ""`` wrote into the current folder, fuzz round 20). Creates nothing.
    """
    if not str(path).strip():
        raise InputError(field, str(path), "a folder name",
                         f"give a folder, e.g. {field} reeflow-out (. for the current folder)")
    p = Path(path)
    for part in p.parts:
        if len(part.encode("utf-8", "surrogateescape")) > _NAME_MAX:
            raise InputError(field, str(path)[:80] + "…", f"folder names of at most {_NAME_MAX} "
                             "bytes", "use a shorter folder name")
    if p.exists() and not p.is_dir():
        raise InputError(field, str(path), "a folder (this path is a file)",
                         "name a folder; reeflow writes its output files into it")
    probe = p
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise InputError(field, str(path), "a folder path whose parents are folders",
                         f"'{probe}' is a file: choose another folder")
    if probe.exists() and not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(field, str(path), "a folder you can write to",
                         f"'{probe}' is not writable: choose another folder")
    if p.is_dir() and not force:
        for name in names:
            _refuse_foreign(p / name, field)
    return p


def output_folder(path: str | Path, *, field: str = "--out") -> Path:
    """Check (:func:`check_output_folder`) and create when missing the output folder the user
    named; it is never emptied."""
    p = check_output_folder(path, field=field)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputError(field, str(path), "a folder path whose parents are folders",
                         "a part of the path is a file: choose another folder") from None
    except PermissionError:
        raise InputError(field, str(path), "a folder you can create",
                         "choose a folder you can write to") from None
    except OSError as exc:
        raise InputError(field, str(path), "a folder that can be created",
                         f"{exc.strerror or exc}: choose another folder") from None
    if not os.access(p, os.W_OK | os.X_OK):
        raise InputError(field, str(path), "a writable folder", "choose a folder you can write to")
    _clean_stale(p)
    return p


def write_outputs(folder: str | Path, files: Mapping[str, bytes | str], *,
                  field: str = "--out", force: bool = False) -> dict[str, Path]:
    """Write each ``name -> content`` into ``folder`` atomically (creating the folder).

    Content must be fully rendered before this is called; each file is replaced on its own
    (last writer wins per file). Nothing else in the folder is touched. ``force``: replace a
    file of these names that reeflow did not write (the user's ``--force``).
    """
    out = output_folder(folder, field=field)
    for name in files:  # nothing is written when one of them is a file reeflow did not write
        if (out / name).is_dir():  # the folder option's fix is not a path inside that folder
            raise InputError(field, str(out / name), f"a folder where {name} can be written",
                             f"a folder named {name} is in the way: rename or move it, or "
                             f"choose another {field} folder")
        _check_target(out / name, field, replace_any=force)
    return {name: atomic_write(out / name, data, field=field, replace_any=force)
            for name, data in files.items()}


def check_input_file(path: str | Path, *, field: str, max_bytes: int = MAX_INPUT_BYTES) -> Path:
    """Refuse (:class:`InputError`) an input that is missing, not a regular file, or longer than
    ``max_bytes``; for readers that stream the file themselves."""
    return _check_input(path, field, max_bytes)


def missing_file_fix(text: str, default: str = "check the path") -> str:
    """The fix for a path that is not there: ``BUILTIN:beylikova`` (the prefix in capitals)
    names the lower-case prefix (it read as a file name, fuzz round 27); others ``default``."""
    head, colon, rest = text.partition(":")
    if colon and head.strip().lower() == "builtin" and head != "builtin":
        return f"write the prefix in lower case: builtin:{rest.strip()}"
    return default


def _check_input(path: str | Path, field: str, max_bytes: int) -> Path:
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputError(field, str(path), "an existing file",
                         missing_file_fix(str(path))) from None
    except (PermissionError, OSError) as exc:
        raise InputError(field, str(path), "a readable file",
                         f"{getattr(exc, 'strerror', None) or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(field, str(path), "a file (this is a folder)", "name a file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(field, str(path), "a regular file (not a device, pipe or socket)",
                         "name a file on disk")
    if st.st_size > max_bytes:
        raise InputError(field, str(path), f"a file of at most {max_bytes:,} bytes",
                         f"it has {st.st_size:,} bytes: split or reduce it")
    return p


def read_bytes(path: str | Path, *, field: str, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    """Bytes of a regular input file of at most ``max_bytes`` (see the module docstring)."""
    p = _check_input(path, field, max_bytes)
    try:
        with open(p, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except (PermissionError, OSError) as exc:
        raise InputError(field, str(path), "a readable file",
                         f"{getattr(exc, 'strerror', None) or exc}") from None
    if len(data) > max_bytes:
        raise InputError(field, str(path), f"a file of at most {max_bytes:,} bytes",
                         "split or reduce it")
    return data


def read_text(path: str | Path, *, field: str, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """UTF-8 text of a regular input file (BOM dropped); non-UTF-8 bytes are an InputError."""
    data = read_bytes(path, field=field, max_bytes=max_bytes)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(field, str(path), "UTF-8 text",
                         f"byte 0x{data[exc.start]:02x} at line {line} is not UTF-8: save the "
                         "file as UTF-8") from None
    return text.removeprefix("\ufeff")


def _csv_fix(message: str) -> str:
    """pandas' parser message in the user's words: "Error tokenizing data. C error: Expected 1
    fields in line 3, saw 2" (fuzz round 23: a README given as a table) says which row has
    more fields than the header."""
    import re  # noqa: PLC0415

    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if m:
        want, line, got = m.groups()
        return (f"line {line} has {got} fields where the header has {want}: is this a CSV "
                "table? (check the delimiter, quoting and the header row)")
    return message.splitlines()[0] if message else ""


def check_no_row_labels(df: Any, field: str, path: str) -> None:
    """InputError when pandas took a row's leading fields as row labels: a first data row
    with more fields than the header is read with every column shifted (fuzz round 35: a
    block's dz read as its value, exit 0)."""
    import pandas as pd  # noqa: PLC0415

    if not isinstance(df.index, pd.RangeIndex):
        n, extra = len(df.columns), df.index.nlevels
        raise InputError(field, path, "a table with one field per column on every row",
                         f"the first data row has {n + extra} fields where the header has "
                         f"{n}: remove the extra field (check the delimiter and a trailing "
                         "comma)")


def read_csv(path: str | Path, *, field: str, max_bytes: int = MAX_INPUT_BYTES,
             **kwargs: Any) -> pd.DataFrame:
    """A user's CSV file as a DataFrame (``kwargs`` go to :func:`pandas.read_csv`).

    The file passes the checks of :func:`read_bytes` (exists, regular, at most ``max_bytes``);
    text that is not UTF-8, an empty file and rows pandas cannot parse are an :class:`InputError`
    naming ``field`` (one line at the CLI), never a traceback.
    """
    import pandas as pd  # noqa: PLC0415 (pandas is heavy; only table readers need it)

    p = _check_input(path, field, max_bytes)
    try:
        with open(p, encoding="utf-8") as fh:
            df = pd.read_csv(fh, **kwargs)
    except UnicodeDecodeError as exc:
        raise InputError(field, str(path), "UTF-8 text",
                         f"byte 0x{exc.object[exc.start]:02x} is not UTF-8: save the file as "
                         "UTF-8") from None
    except pd.errors.EmptyDataError:
        raise InputError(field, str(path), "a CSV file with a header row",
                         "the file is empty") from None
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(field, str(path), "a CSV file with a header row",
                         _csv_fix(str(exc)) or type(exc).__name__) from None
    except OSError as exc:
        raise InputError(field, str(path), "a readable file",
                         f"{exc.strerror or exc}") from None
    if isinstance(df, pd.DataFrame) and "index_col" not in kwargs:
        check_no_row_labels(df, field, str(path))
    return df  # type: ignore[no-any-return]


def private_folder(path: str | Path, *, create: bool = True, link: bool = False) -> bool:
    """Whether ``path`` is a folder only this user can write (created 0700 when missing and
    ``create``): owned by this user, not writable by group or others, and not a symbolic link
    unless ``link`` (then the folder it leads to is checked).
    The caches that read pickles back (pint's parsed definitions, the chain's step results)
    use no other folder; where the platform has no user ids, any folder."""
    p = Path(path)
    try:
        if create:
            p.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = os.stat(p) if link else os.lstat(p)
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode):
        return False
    return not (hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022))


def cache_root() -> Path | None:
    """The user's cache folder for reeflow, resolved (``REEFLOW_CACHE_DIR``, else
    platformdirs' user cache folder, e.g. ``~/.cache/reeflow`` on Linux), if it is private
    (:func:`private_folder`); None where ``REEFLOW_NO_CACHE=1`` or it is not. A link is
    resolved once here, so later opens do not follow it again."""
    if os.environ.get("REEFLOW_NO_CACHE") == "1":
        return None
    try:
        import platformdirs

        folder = os.environ.get("REEFLOW_CACHE_DIR") or platformdirs.user_cache_dir("reeflow")
        if not private_folder(folder, link=True):
            return None
        return Path(os.path.realpath(folder))
    except Exception:  # noqa: BLE001 - no cache is slower, never wrong
        return None


def read_private(path: str | Path) -> bytes | None:
    """The bytes of ``path`` if it is a plain file (not a link) this user owns and no one else
    can write, else None: what a cache that unpickles its files may read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except (OSError, ValueError):
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode) or (hasattr(os, "getuid") and (
                st.st_uid != os.getuid() or st.st_mode & 0o022)):
            return None
        return fh.read()

