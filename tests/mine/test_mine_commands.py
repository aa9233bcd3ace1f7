"""CLI handlers: pit and schedule, JSON output, bad input raises ReeflowError."""

import argparse
import json

import numpy as np
import pytest
import yaml
from mine_inputs import COSTS, PRICES, RECOVERIES

from reeflow.core.errors import InputError
from reeflow.mine import synthetic_block_model
from reeflow.mine.commands import register


def _parse(*argv):
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    return parser.parse_args(list(argv))


@pytest.fixture(scope="module")
def model_csv(tmp_path_factory):
    d = tmp_path_factory.mktemp("bm")
    df = synthetic_block_model(20, 20, 8, seed=2)
    p = d / "bm.csv"
    df.to_csv(p, index=False)
    return p


def test_pit_json_with_economics(model_csv, tmp_path, capfd):
    econ = tmp_path / "econ.yaml"
    econ.write_text(yaml.safe_dump({"prices_usd_per_kg": PRICES, "recoveries_frac": RECOVERIES,
                                    **COSTS}))
    args = _parse("pit", str(model_csv), "--json", "--economics", str(econ))
    assert args.func(args) == 0
    out = json.loads(capfd.readouterr().out)
    assert out["blocks_total"] == 3200 and out["blocks_in_pit"] > 0 and out["value_usd"] > 0


def test_pit_value_column_and_missing_column(model_csv, tmp_path, capfd):
    import pandas as pd
    df = pd.read_csv(model_csv)
    df["value_usd"] = np.where(df["treo_frac"] > 0.02, 1000.0, -100.0)
    p = tmp_path / "v.csv"
    df.to_csv(p, index=False)
    args = _parse("pit", str(p), "--json", "--solver", "scipy")
    assert args.func(args) == 0
    assert json.loads(capfd.readouterr().out)["solver"] == "scipy"
    args = _parse("pit", str(model_csv))
    with pytest.raises(InputError, match="value_usd"):
        args.func(args)


def test_schedule_json(model_csv, tmp_path, capfd):
    proj = tmp_path / "project.yaml"
    proj.write_text(yaml.safe_dump({"mine": {
        "block_model": str(model_csv), "prices_usd_per_kg": PRICES, "recoveries_frac": RECOVERIES,
        "discount_rate": "8 %", "plant_capacity_t_per_a": {"value": "200 kt/a", "source": "test"},
        **COSTS}}))
    args = _parse("schedule", str(proj), "--json")
    assert args.func(args) == 0
    out = json.loads(capfd.readouterr().out)
    assert out["schedule"] and max(r["ore_t"] for r in out["schedule"]) <= 200_000 * (1 + 1e-6)
    bad = tmp_path / "bad.yaml"
    bad.write_text("mine: {}\n")
    args = _parse("schedule", str(bad))
    with pytest.raises(InputError, match="project.mine.block_model"):
        args.func(args)
