"""
Babbitt Cu–Ni: real drillholes to a resource statement inside a pit shell
==========================================================================

The Babbitt zone of the Duluth Complex (Minnesota) drillholes — 399 holes, 35,616 assay
intervals of Cu, Ni, S and Fe, as distributed with the PyGSLIB tutorial (MIT; original data
NRRI Technical Report NRRI/TR-2003/21) — run through reeflow's deposit room:

1. read and validate collar, survey and assay tables (feet, dips positive downwards:
   converted once, on reading);
2. code every interval inside or outside the mineralised zone (MPZ wireframe, stored as its
   bottom and top surfaces) and desurvey and composite them (20 ft) inside each domain;
3. variography of Cu along the zone's strike, dip and normal (relative variogram);
4. ordinary block kriging of Cu and Ni in 60 x 60 x 20 m blocks, wireframe proportions;
5. classification (Measured / Indicated / Inferred by the criteria table);
6. a pit shell for reasonable prospects of eventual economic extraction (RPEEE): block values
   at a revenue factor of 1.3 with the example's prices, recoveries and costs
   (``babbitt.yaml``, each with its source), solved exactly by the mine room's
   ``ultimate_pit`` on ``block_arcs`` precedence;
7. the statement: blocks inside the shell above the Cu cut-off, rounded as public reports
   round them — printed at the end.

This is an example of the software on real data, NOT a Mineral Resource: no Competent Person
has reviewed it (the statement says so), densities and recoveries are assumed, and the prices
are old. Run from anywhere: ``python examples/babbitt/babbitt_resource.py`` (about 10 s).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from reeflow.core.projectfile import validate_tree  # values with provenance -> bare numbers
from reeflow.deposit import load_deposit_section, run_deposit
from reeflow.mine import (
    block_arcs,
    block_grid,
    block_values_usd,
    fill_missing_as_waste,
    nsr_usd_per_t,
    ultimate_pit,
)

# The docs gallery (sphinx-gallery) runs this script from its folder without a __file__.
HERE = Path(globals().get("__file__", "babbitt_resource.py")).resolve().parent
PROJECT = HERE / "babbitt.yaml"


def pit_economics(path: Path) -> dict:
    """The example's ``pit:`` section, provenance lifted (each value keeps its source in
    the file)."""
    from pydantic import BaseModel, ConfigDict

    class Pit(BaseModel):
        model_config = ConfigDict(extra="forbid")
        prices_usd_per_kg: dict[str, float]
        recoveries_frac: dict[str, float]
        processing_cost_usd_per_t: float
        mining_cost_usd_per_t: float
        slope_deg: float
        n_benches: int

    tree = yaml.safe_load(path.read_text(encoding="utf-8"))["pit"]
    return validate_tree(Pit, tree)[0].model_dump()


def rpeee_shell(block_model: pd.DataFrame, econ: dict, revenue_factor: float) -> np.ndarray:
    """Boolean per resource block: inside the ultimate pit at ``revenue_factor``. Empty cells
    around the estimated blocks are waste (zero grade), padded so the slope cone fits."""
    grades = ["cu_frac", "ni_frac"]
    dz = float(block_model["dz"].iloc[0])
    depth_m = (block_model["iz"].max() + 1) * dz
    pad = int(np.ceil(depth_m / np.tan(np.radians(econ["slope_deg"]))
                      / float(block_model["dx"].iloc[0])))
    full = fill_missing_as_waste(block_model[["ix", "iy", "iz", "dx", "dy", "dz", "tonnes",
                                              *grades, "class"]], pad_cells=pad)
    grid = block_grid(full)
    src, dst = block_arcs(grid, slopes_deg=econ["slope_deg"], n_benches=econ["n_benches"])
    nsr = nsr_usd_per_t(full[grades], econ["prices_usd_per_kg"], econ["recoveries_frac"])
    value, _ = block_values_usd(grid.tonnes, nsr, revenue_factor=revenue_factor,
                                mining_cost_usd_per_t=econ["mining_cost_usd_per_t"],
                                processing_cost_usd_per_t=econ["processing_cost_usd_per_t"])
    pit = ultimate_pit(value, src, dst)
    inside = np.zeros(len(block_model), bool)
    rows = full["source_row"].to_numpy()
    inside[rows[rows >= 0]] = pit.mask[rows >= 0]
    print(f"RPEEE pit shell: {pit.n_blocks:,} of {len(full):,} blocks "
          f"({int(inside.sum()):,} estimated blocks inside), {len(src):,} precedence arcs, "
          f"solver {pit.solver}")
    return inside


def main() -> None:
    t0 = time.perf_counter()
    params, base = load_deposit_section(PROJECT)
    result = run_deposit(params, base_dir=base)
    bm = result.block_model
    print(f"{len(result.composites):,} composites, {len(bm):,} blocks "
          f"({dict(bm['class'].value_counts())}); variogram {result.variogram_model}")
    rf = float(params.cutoff.revenue_factor)
    shell = rpeee_shell(bm, pit_economics(PROJECT), rf)
    statement = result.jorc(rpeee_mask=shell, revenue_factor=rf)
    print()
    print(statement.text())
    print(f"\n(ran in {time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
