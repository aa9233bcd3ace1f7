"""Regenerate ``babbitt_blocks.csv``: the kriged Babbitt Cu-Ni block model (real drillholes,
``../babbitt/``) as the block-model input of ``reeflow pit`` and ``reeflow schedule``.

Run from anywhere: ``python examples/mine/make_babbitt_blocks.py`` (about a minute: it runs
``reeflow resource`` on ``../babbitt/babbitt.yaml``). Only the estimated blocks of the
mineralised zone are written (the pit fills the empty cells around them as waste,
``--missing waste``); coordinates are rounded to 0.01 m, tonnes to 1 t and grades to four
significant digits.
"""

from __future__ import annotations

from pathlib import Path

from reeflow.core.io import atomic_write
from reeflow.deposit import load_deposit_section, run_deposit

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent / "babbitt" / "babbitt.yaml"
COLUMNS = ["ix", "iy", "iz", "x", "y", "z", "dx", "dy", "dz", "tonnes", "cu_frac", "ni_frac",
           "class"]


def main() -> None:
    params, base = load_deposit_section(PROJECT)
    bm = run_deposit(params, base_dir=base).block_model[COLUMNS].copy()
    bm[["x", "y", "z"]] = bm[["x", "y", "z"]].round(2)
    bm["tonnes"] = bm["tonnes"].round(0).astype(int)
    for col in ("cu_frac", "ni_frac"):
        bm[col] = bm[col].map(lambda v: float(f"{v:.4g}"))
    atomic_write(HERE / "babbitt_blocks.csv", bm.to_csv(index=False))
    print(f"wrote {len(bm):,} blocks to {HERE / 'babbitt_blocks.csv'}")


if __name__ == "__main__":
    main()
