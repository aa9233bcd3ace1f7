"""Fuzz round 21 (per-product purity specs, by an independent helper): a file that extends a
case could not give one purity per product, and a range on a purity stayed text."""

from __future__ import annotations

import pytest

from reeflow.core.errors import InputError
from reeflow.project import load_project


def _write(tmp_path, purity: str):
    path = tmp_path / "p.yaml"
    path.write_text("extends: builtin:beylikova\nplant:\n  separation:\n"
                    f"    product_purity: {purity}\n", encoding="utf-8")
    return path


def test_a_file_that_extends_a_case_gives_one_purity_per_product(tmp_path):
    """The mapping was merged key by key into the case's {value: 99.9 %, ...} record."""
    loaded = load_project(_write(tmp_path, "{La: 99 %, Ce: 99 %, NdPr: 99.5 %, SmY: 95 %}"))
    assert loaded.project.plant.separation.product_purity_frac == pytest.approx(
        {"La": 0.99, "Ce": 0.99, "NdPr": 0.995, "SmY": 0.95})
    one = load_project(_write(tmp_path, "{value: 99.5 %, evidence: assumed}"))
    assert one.project.plant.separation.product_purity_frac == pytest.approx(0.995)


def test_a_range_on_a_purity_is_read_in_its_unit(tmp_path):
    """The range stayed ('98 %', '99.5 %') and the Monte Carlo refused the input as unranged."""
    loaded = load_project(_write(tmp_path, "{La: {value: 99 %, range: [98 %, 99.5 %], "
                                 "evidence: assumed}, Ce: 99 %, NdPr: 99.5 %, SmY: 95 %}"))
    rng = loaded.provenance["plant.separation.product_purity.La"].range
    assert rng == pytest.approx((0.98, 0.995))
    with pytest.raises(InputError, match=r"product_purity\.La: .*inside its own stated range"):
        load_project(_write(tmp_path, "{La: {value: 97 %, range: [98 %, 99.5 %], "
                            "evidence: assumed}, Ce: 99 %, NdPr: 99.5 %, SmY: 95 %}"))
