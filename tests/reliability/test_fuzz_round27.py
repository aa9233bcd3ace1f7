"""Leftovers of chain fuzz round 26 and findings of round 27 (independent helpers, on inputs
the developers had not seen)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("name", ["BEYLIKOVA", " Beylikova ", "beylikova/"])
def test_a_builtin_case_is_found_whatever_its_case(name):
    """`builtin:BEYLIKOVA` (the case as prose writes it) was an unknown name (round 26)."""
    from reeflow.project import builtin_project_path

    assert builtin_project_path(name) == builtin_project_path("beylikova")


def test_sx_train_names_a_project_file_s_separation_key_at_its_path(tmp_path, capsys):
    """A project file's bad `product_purity_basis` was reported without its
    `plant.separation.` prefix (round 26); a top-level key keeps its own name."""
    from reeflow.cli import main

    f = tmp_path / "p.yaml"
    f.write_text("plant:\n  separation:\n    product_purity_basis: weight\n"
                 "feed_kg_per_h: {La: 10, Ce: 20, Nd: 5}\n")
    assert main(["sx", "train", str(f)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "plant.separation.product_purity_basis: got 'weight'" in err
    g = tmp_path / "t.yaml"
    g.write_text("product_purity_basis: weight\nfeed_kg_per_h: {La: 10, Ce: 20, Nd: 5}\n")
    assert main(["sx", "train", str(g)]) == 2
    err = capsys.readouterr().err.strip()
    assert "error: product_purity_basis: got 'weight'" in err and "plant." not in err


def test_opex_by_kind_counts_a_missing_item_as_zero_and_scales_the_rest():
    """One sum of opex rows by kind for the base case and every year (the two had their own)."""
    import math

    from reeflow.economics.study import opex_by_kind

    rows = [("acid", "variable", 1, "t", 2, "USD/t", 10.0, "s", "published"),
            ("caustic", "variable", None, "t", None, "USD/t", math.nan, "s", "missing"),
            ("mining (contract)", "variable", 1, "t", 1, "USD/t", 5.0, "s", "input"),
            ("labour", "fixed", 3, "persons", 1, "USD", 7.0, "s", "input"),
            ("other", "fixed", 1, "-", 1, "-", None, "s", "missing")]
    got = opex_by_kind(rows, 2.0)
    assert got == {"variable": 30.0, "fixed": 14.0, "mining": 10.0}
