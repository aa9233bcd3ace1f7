"""Regenerate ``beylikova_inputs.yaml``: the design-basis quantities that the built-in Beylikova
study passes to the economics room (ore, products, reagents, power, equipment sizes, residues),
written as the input file of ``reeflow econ evaluate``.

Run from anywhere: ``python examples/economics/make_beylikova_inputs.py``. The numbers are
derived (the plant model of the built-in case at its design basis); every input of that case
carries its source in ``reeflow/cases/beylikova/project.yaml``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import yaml

import reeflow
from reeflow.chain import econ_steps, plant_steps
from reeflow.core.io import atomic_write
from reeflow.core.jsonio import to_jsonable
from reeflow.project import load_project

OUT = Path(__file__).resolve().parent / "beylikova_inputs.yaml"
HEADER = f"""\
# Input file of `reeflow econ evaluate` (EconomicInputs fields, units in the names).
# DERIVED: the design-basis quantities the built-in Beylikova study (builtin:beylikova) passes to
# the economics room, from reeflow {reeflow.__version__}'s plant model; regenerate with
# make_beylikova_inputs.py. Run:
#   reeflow econ evaluate economics/beylikova_inputs.yaml --params beylikova/fiscal.yaml
"""


def _round(x: object) -> object:
    """Six significant digits (the file is read by people too)."""
    if isinstance(x, float):
        return float(f"{x:.6g}")
    if isinstance(x, dict):
        return {k: _round(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_round(v) for v in x]
    return x


def main() -> None:
    project = load_project("builtin:beylikova").project
    design = plant_steps.design_plant(project)
    inputs = econ_steps.economic_inputs(project, design,
                                        econ_steps.equipment_sizes(project, design))
    data = {k: _round(v) for k, v in to_jsonable(dataclasses.asdict(inputs)).items()
            if v not in (None, {}, [], ())}
    atomic_write(OUT, HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                 replace_any=True)  # this script owns the file
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
