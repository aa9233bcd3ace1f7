"""Build the documentation site (Sphinx; the gallery's scripts run) and judge its warnings.

    python scripts/build_docs.py [--out docs/_build/html]

Exit 1 when Sphinx fails or when a warning comes from the site's own pages (a broken link or
toctree, a gallery script that errs, a Markdown page that does not parse). Formatting warnings
raised by the rooms' docstrings in the generated API reference are tolerated and counted (they
are listed in ``<out>/docstring-warnings.txt`` for the rooms to fix). Prints the build's CPU and
wall time.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Warnings from docstrings and the pages generated from them (the rooms' to fix).
TOLERATED = ("docstring of", "/reference/_generated/", "<unknown>:1: WARNING: duplicate object")


def _is_warning(line: str) -> bool:
    return "WARNING" in line or "ERROR" in line or "CRITICAL" in line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "_build" / "html"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    # API pages are regenerated from the code each build (stale pages of removed modules
    # would otherwise fail to import); the folder is the build's own, listed in docs/.gitignore
    shutil.rmtree(ROOT / "docs" / "reference" / "_generated", ignore_errors=True)
    log = out.parent / "warnings.txt"
    log.unlink(missing_ok=True)
    t0, c0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    rc = subprocess.call([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-j", "1",
                          "--keep-going", "-w", str(log), str(ROOT / "docs"), str(out)])
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
    lines = [ln for ln in log.read_text(encoding="utf-8").splitlines() if _is_warning(ln)] \
        if log.exists() else []
    tolerated = [ln for ln in lines if any(t in ln for t in TOLERATED)]
    own = [ln for ln in lines if ln not in tolerated]
    (out / "docstring-warnings.txt").write_text("\n".join(tolerated) + "\n", encoding="utf-8")
    print(f"docs: sphinx exit {rc}; {time.perf_counter() - t0:.0f} s wall, {cpu:.0f} s CPU; "
          f"{len(tolerated)} docstring warnings tolerated (docs/_build/html/"
          f"docstring-warnings.txt), {len(own)} warnings from the site's own pages")
    for ln in own:
        print(f"  {ln}")
    return 1 if rc or own else 0


if __name__ == "__main__":
    sys.exit(main())
