"""The designed SX train's reagent draw follows the REE it is fed (unseen-project check, stop
40): it was drawn at the design basis's rate in every year, so a 50 % ramp-up year, a year at
twice the design grade and a fleet-limited year all paid the design's NaOH and HCl (NaOH per t
REO from 4.3 to 19.4 in one schedule)."""

from __future__ import annotations

import numpy as np
import pytest

from reeflow.plant.units.separation import SeparationParams, reagent_draw_kg_per_h


def test_the_draw_scales_with_the_ree_fed():
    p = SeparationParams(("La", "Ce"), {"A": {"La": 1.0}, "B": {"Ce": 1.0}},
                         reagents_kg_per_h={"NaOH": 100.0, "HCl": 80.0, "X": 0.0},
                         design_ree_mol_per_h=50.0)
    assert reagent_draw_kg_per_h(p, 50.0) == {"NaOH": 100.0, "HCl": 80.0}
    assert reagent_draw_kg_per_h(p, 25.0) == pytest.approx({"NaOH": 50.0, "HCl": 40.0})
    assert reagent_draw_kg_per_h(p, 0.0) == {"NaOH": 0.0, "HCl": 0.0}
    fixed = SeparationParams(("La",), {"A": {"La": 1.0}}, reagents_kg_per_h={"NaOH": 7.0})
    assert reagent_draw_kg_per_h(fixed, 1e6) == {"NaOH": 7.0}  # no design feed: as given


def test_each_year_pays_the_sx_reagents_of_the_ree_it_separates(builtin_study):
    o = builtin_study.outcome
    years = [y for y in o.years if y.ore_t > 0]
    reo = np.array([y.reo_t for y in years])
    naoh = np.array([y.reagents_t["NaOH"] for y in years])
    assert reo.max() > 1.2 * reo.min()  # the schedule's years differ (ramp-up, grade)
    per_t = naoh / reo
    # the same NaOH per t REO every year (the REE split drifts a little), as at the design
    design = o.design.summary
    basis = design.reagents_t_per_a["NaOH"] / design.kpis["reo_t_per_a"]
    np.testing.assert_allclose(per_t, basis, rtol=0.05)
