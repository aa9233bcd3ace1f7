"""Derive ``data/mpz_surfaces.csv`` from the Babbitt mineralised-zone wireframe ``Mpz.stl``.

The wireframe (63,749 triangles, 3.2 MB) is not shipped; it comes with the drillholes in
opengeostat/pygslib, folder doc/source/Tutorial_1/Babbitt/, commit
c26c3bff20c7cc16583c94fb850e17600b9a610d (MIT, Copyright (C) 2015 Adrian Martinez Vargas;
original data: NRRI Technical Report NRRI/TR-2003/21). Every vertical line crosses the solid at
most once for 8,146 of the 8,162 columns of a 100 ft grid (16 columns cross it twice; their
outermost crossings are kept), so the solid is stored as its bottom and top surfaces:
``x, y, bottom, top`` in the source's units (feet), 0.1 ft resolution.

Usage::

    python examples/babbitt/make_mpz_surfaces.py /path/to/Mpz.stl
"""

import sys
from pathlib import Path

from reeflow.core.io import atomic_open
from reeflow.deposit.domains import read_stl, surfaces_from_mesh

HEADER = """# Babbitt mineralised zone (MPZ) as bottom and top surfaces on a 100 ft grid, derived from
# Mpz.stl (opengeostat/pygslib doc/source/Tutorial_1/Babbitt, commit c26c3bf, MIT,
# (C) 2015 Adrian Martinez Vargas; data: NRRI/TR-2003/21) by make_mpz_surfaces.py.
# Units: feet, as the source. Columns crossed more than twice (16 of 8,162): outermost crossings.
"""


def main(stl: str, out: str | None = None) -> None:
    dom, stats = surfaces_from_mesh(read_stl(stl), 100.0, name="MPZ")
    df = dom.to_frame().round(1)
    path = Path(out or Path(__file__).parent / "data" / "mpz_surfaces.csv")
    with atomic_open(path) as fh:
        fh.write(HEADER)
        df.to_csv(fh, index=False)
    print(f"{len(df)} columns, {stats}, volume {dom.volume_m3():.4g} ft3 -> {path}")


if __name__ == "__main__":
    main(*sys.argv[1:])
