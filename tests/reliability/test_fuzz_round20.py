"""Fuzz round 20 (unseen projects through the CLI, by an independent helper): what it found,
each mended here."""

from __future__ import annotations

import numpy as np
import pytest

from reeflow.core.errors import InputError
from reeflow.core.units import npv_label


def test_a_fractional_discount_rate_is_labelled_as_written():
    """A 5.5 % headline rate printed "NPV6" in the CLI and the report."""
    assert [npv_label(r) for r in (0.055, 0.08, 0.07, 0.1, 0.0825)] == \
        ["NPV5.5", "NPV8", "NPV7", "NPV10", "NPV8.25"]
    assert npv_label(None) == "NPV"


def test_the_plant_probe_steps_up_from_a_component_the_feed_lacks(monkeypatch):
    """A central step below 0 fed the plant -0.078 kg/h of CaF2 on a project without
    fluorite, and the fast Monte Carlo was refused. The forward step keeps J and b exact on
    an affine plant."""
    from reeflow.risk import probe

    A = np.array([[2.0, 0.5, 3.0], [1.0, -1.0, 0.25]])
    c = np.array([4.0, -2.0])
    seen = []

    def affine(project, design, X, layout, first_year):
        seen.append(X.copy())
        return X @ A.T + c

    monkeypatch.setattr(probe, "solve_feeds", affine)
    x0 = np.array([100.0, 0.0, 7.0])  # the second component absent
    J, b = probe.plant_response(None, None, None, 2030, x0)
    assert min(x.min() for x in seen) >= 0.0
    np.testing.assert_allclose(J, A, rtol=1e-9)
    np.testing.assert_allclose(b, c, rtol=1e-9, atol=1e-9)


def test_the_layout_leaves_out_a_product_the_plant_never_makes():
    """Its money step sold CaF2 concentrate the chain never sells and asked for a freight rate
    the project does not need."""
    from dataclasses import dataclass, field

    from reeflow.risk.probe import quantity_layout

    @dataclass
    class Year:
        ore_t: float = 1.0
        products_t: dict = field(default_factory=lambda: {"CeO2": 5.0, "CaF2 concentrate": 0.0})
        reagents_t: dict = field(default_factory=lambda: {"HCl": 1.0})

    class P:
        ree = ("Ce",)

    lay = quantity_layout(P(), Year(), made=["CeO2"])
    assert lay.products == ("CeO2",) and "products_t:CaF2 concentrate" not in lay.q
    assert quantity_layout(P(), Year()).products == ("CaF2 concentrate", "CeO2")


def test_a_repeated_discount_rate_is_refused():
    """[0.1, 0.1] validated, and the results keyed by rate folded the two into one."""
    from reeflow.chain.pipeline import with_overrides
    from reeflow.project import load_project

    base = load_project("builtin:beylikova")
    with pytest.raises(InputError, match=r"discount_rates: .*each rate once"):
        with_overrides(base, {"economics.discount_rates": [0.08, 0.1, 0.08]})
    with pytest.raises(InputError) as exc:  # an unknown key is shown, not its value
        with_overrides(base, {"economics.debt": {"fraction": 1.5}})
    assert exc.value.value == "fraction" and "share_of_capex" in exc.value.fix
    with pytest.raises(InputError, match=r"ore: .*a valid dictionary\. Fix"):
        with_overrides(base, {"ore": [1, 2, 3]})


@pytest.mark.parametrize("out", ["", "  "])
def test_an_empty_output_folder_name_is_refused(out):
    """`--out ""` wrote report.html and results.json into the current folder."""
    from reeflow.core.io import check_output_folder

    with pytest.raises(InputError, match="a folder name"):
        check_output_folder(out)


def test_elements_of_a_product_group_may_be_listed_in_any_order():
    """[Sm, Y, Dy] was refused as not contiguous (the extractant's order is Sm, Dy, Y)."""
    from reeflow.plant.sx import design_train

    feed = {"La": 250.0, "Ce": 450.0, "Pr": 45.0, "Nd": 150.0, "Sm": 20.0, "Dy": 5.0,
            "Y": 10.0}
    r = design_train(feed, products={"La": ["La"], "Ce": ["Ce"], "NdPr": ["Nd", "Pr"],
                                     "SEG": ["Sm", "Y", "Dy"]},
                     separation_factors={"Ce/La": 2.0, "Pr/Ce": 1.5, "Sm/Nd": 6.0})
    assert r.groups["SEG"] == ["Sm", "Dy", "Y"] and r.groups["NdPr"] == ["Pr", "Nd"]


def test_a_risk_input_without_a_range_lists_every_ranged_path_whole():
    """The list sat in "allowed", cut at 600 characters in the middle of a name."""
    from reeflow.project import load_project
    from reeflow.risk.inputs import unranged_input

    loaded = load_project("builtin:beylikova")
    ranged = {f"ore.ree_distribution.{e}": None for e in ("La", "Ce", "Pr", "Nd", "Sm")}
    ranged.update({f"economics.some_long_input_name_{i:02d}": None for i in range(40)})
    exc = unranged_input(loaded, "risk.inputs", "ore.ree_distributon.La", ranged)
    line = str(exc)
    assert "did you mean 'ore.ree_distribution.La'" in line
    assert "ore.ree_distribution.Sm" in line and "…" not in line
