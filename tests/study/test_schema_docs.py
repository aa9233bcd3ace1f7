"""The committed results-schema docs are generated from the types and never drift."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_schema_docs_are_current():
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_schema_docs.py"),
                          "--check"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
