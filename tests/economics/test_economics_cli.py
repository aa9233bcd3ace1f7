"""CLI handlers of ``reeflow econ`` called directly (the lead wires register() into the CLI)."""

import argparse
import json

import pytest
from econ_fixtures import CASE_FISCAL, DIST, SIZES

from reeflow.core.errors import InputError
from reeflow.economics.commands import register


def _parse(argv):
    p = argparse.ArgumentParser()
    register(p.add_subparsers(dest="command"))
    return p.parse_args(argv)


def test_decks_and_validate_json(capsys):
    args = _parse(["econ", "decks", "--json"])
    assert args.func(args) == 0
    assert json.loads(capsys.readouterr().out)["usgs_2025_ndpr_floor"]["ndpr_usd_per_kg"] == 110
    args = _parse(["econ", "validate", "--json"])
    assert args.func(args) == 0
    assert len(json.loads(capsys.readouterr().out)) == 4


def test_evaluate_file(tmp_path, capsys):
    import yaml

    prods = {k: 10_000 * v for k, v in DIST.items()}
    prods.update({"CaF2 concentrate": 70_000.0, "BaSO4 concentrate": 72_000.0})
    f = tmp_path / "econ.yaml"
    f.write_text(yaml.safe_dump({
        "ore_t_per_a": 570000.0, "products_t_per_a": prods, "mining_cost_usd_per_t_ore": 3.0,
        "reagents_t_per_a": {"H2SO4": 60000.0}, "power_mwh_per_a": 120000.0,
        "equipment_sizes": SIZES, "rates": [0.08, 0.1]}))
    args = _parse(["econ", "evaluate", str(f), "--json", "--params", str(CASE_FISCAL)])
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["npv_usd"]) == {"0.0800", "0.1000"}
    assert out["capex_by_area"]["aace_class"] == 4 and out["benchmark"]


def test_evaluate_bad_file(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("ore_t_per_a: 1\nwrong_key: 2\n")
    args = _parse(["econ", "evaluate", str(f)])
    with pytest.raises(InputError, match="wrong_key"):
        args.func(args)
    args = _parse(["econ", "evaluate", str(tmp_path / "none.yaml")])
    with pytest.raises(InputError, match="file"):
        args.func(args)
