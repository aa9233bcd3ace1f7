"""Fuzz worker: runs reeflow commands in-process, one case per line of stdin, under a memory cap.

Protocol (JSON lines): the parent writes ``{"argv": [...], "files": {name: base64}}`` and
reads back ``{"rc", "stdout", "stderr", "files", "elapsed_s"}``. The worker sets RLIMIT_AS
so a case that tries to exhaust memory fails as a MemoryError (an exit-1 defect) instead of
taking the machine; the parent kills the worker on a hang. Each case runs in a fresh temporary
folder that is its working directory.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def _listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def run_case(case: dict) -> dict:
    from reeflow.cli import main

    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        root = Path(tmp)
        for name, data in case.get("files", {}).items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(base64.b64decode(data))
        before = _listing(root)
        out, err = io.StringIO(), io.StringIO()
        old = os.getcwd()
        os.chdir(root)
        t0 = time.perf_counter()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                rc = main(case["argv"])
        except SystemExit as exc:  # argparse inside a subcommand
            rc = exc.code if isinstance(exc.code, int) else 2
        except BaseException as exc:  # noqa: BLE001 - the contract says nothing escapes main
            rc = 99
            err.write(f"ESCAPED main(): {type(exc).__name__}: {exc}\n")
        finally:
            os.chdir(old)
        elapsed = time.perf_counter() - t0
        after = _listing(root)
    return {"rc": rc, "stdout": out.getvalue()[-2000:], "stderr": err.getvalue()[-4000:],
            "created": [f for f in after if f not in before], "elapsed_s": elapsed}


def main() -> int:
    cap = int(float(os.environ.get("REEFLOW_FUZZ_AS_GB", "6")) * 1024**3)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    import reeflow.cli  # noqa: F401 - import once, outside the measured cases

    for line in sys.stdin:
        if not line.strip():
            continue
        result = run_case(json.loads(line))
        sys.__stdout__.write(json.dumps(result) + "\n")
        sys.__stdout__.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
