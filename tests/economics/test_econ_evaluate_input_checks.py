"""``reeflow econ evaluate`` refuses a negative residue activity and a fractional equipment
count at the boundary, naming the key as the inputs file writes it (both were accepted)."""

from __future__ import annotations

import pytest
import yaml
from econ_fixtures import CASE_FISCAL, DIST, SIZES

from reeflow.cli import main


def _file(tmp_path, **extra):
    data = {"ore_t_per_a": 570000.0, "products_t_per_a": {k: 10_000 * v for k, v in DIST.items()},
            "mining_cost_usd_per_t_ore": 3.0, "power_mwh_per_a": 120000.0,
            "equipment_sizes": dict(SIZES)}
    data.update(extra)
    f = tmp_path / "econ.yaml"
    f.write_text(yaml.safe_dump(data))
    return str(f)


def _stream(activity):
    return [{"name": "leach residue", "t_per_a": 20000.0, "storage_class": "norm_store",
             "activity_bq_per_g": activity}]


@pytest.mark.parametrize(("extra", "says"), [
    ({"residue_streams": _stream(-5.0)},
     "econ.yaml: residue_streams[0].activity_bq_per_g: got -5.0; allowed: a specific activity "
     ">= 0 Bq/g"),
    ({"residue_streams": _stream(".nan")},
     "econ.yaml: residue_streams[0].activity_bq_per_g: got '.nan'"),
    ({"equipment_sizes": {**SIZES, "leach_tank_volume_m3_count": 2.5}},
     "econ.yaml: equipment_sizes.leach_tank_volume_m3_count: got 2.5; allowed: a whole number"),
    ({"equipment_sizes": {**SIZES, "mixer_settler_volume_m3_count": 0}},
     "econ.yaml: equipment_sizes.mixer_settler_volume_m3_count: got 0; allowed: a whole number"),
])
def test_econ_evaluate_refuses_a_negative_activity_and_a_fractional_count(
        tmp_path, capsys, extra, says):
    assert main(["econ", "evaluate", _file(tmp_path, **extra), "--params", str(CASE_FISCAL)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("reeflow: error: ") and says in err
    assert len(err.strip().splitlines()) == 1


def test_econ_evaluate_takes_a_whole_count_and_a_zero_activity(tmp_path, capsys):
    f = _file(tmp_path, residue_streams=_stream(0.0),
              equipment_sizes={**SIZES, "leach_tank_volume_m3_count": 3.0})
    assert main(["econ", "evaluate", f, "--params", str(CASE_FISCAL), "--json"]) == 0
    assert '"npv_usd"' in capsys.readouterr().out


@pytest.mark.parametrize(("extra", "says"), [
    ({"organic_fill_usd_per_m3": -4800.0}, "organic_fill_usd_per_m3: got -4800"),
    ({"residue_handling_usd_per_t": -100.0}, "residue_handling_usd_per_t: got -100"),
    ({"products_t_per_a": {"La2O3": 1.0e9}}, "econ.yaml: products_t_per_a: got '1e+09 t/a in all'; "
     "allowed: at most the ore treated (ore_t_per_a = 570,000 t/a)"),
])
def test_econ_evaluate_refuses_a_negative_price_and_more_product_than_ore(
        tmp_path, capsys, extra, says):
    """A negative organic price raised NPV by 35 MUSD; 1e9 t/a of La2O3 from 570 kt/a of ore
    gave an NPV of 6.8e12 USD (fuzz round 34)."""
    assert main(["econ", "evaluate", _file(tmp_path, **extra), "--params", str(CASE_FISCAL)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("reeflow: error: ") and says in err, err


def test_econ_evaluate_names_the_file_s_keys(tmp_path, capsys):
    """The route was named plant.route and a residue stream residues.<name>.<key>, the study's
    paths, not this file's (fuzz round 34)."""
    assert main(["econ", "evaluate", _file(tmp_path, process_route="bogus"),
                 "--params", str(CASE_FISCAL)]) == 2
    assert "econ.yaml: process_route: got 'bogus'" in capsys.readouterr().err
    bad = [{"name": "leach residue", "t_per_a": 20000.0, "storage_class": "bogus"}]
    assert main(["econ", "evaluate", _file(tmp_path, residue_streams=bad),
                 "--params", str(CASE_FISCAL)]) == 2
    assert "econ.yaml: residue_streams[0].storage_class: got 'bogus'" in capsys.readouterr().err
