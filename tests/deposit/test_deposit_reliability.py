"""Issue #9 for the deposit room: work whose memory or time would explode is refused up front
with an InputError naming the estimate and the limit; readers never hang on a hostile header;
outputs are written atomically (never a partial or 0-byte file)."""

import time

import numpy as np
import pandas as pd
import pytest
import yaml

from reeflow.core.errors import InputError
from reeflow.core.io import RECORD_NAME, atomic_write
from reeflow.deposit import (
    BlockGrid,
    SearchParams,
    Structure,
    VariogramModel,
    composite,
    deposit_params,
    discretisation_offsets,
    grid_covering,
    load_synthetic_spec,
    read_block_model,
    read_gslib,
    sgs,
    simulate_grid,
    synthetic_drillholes,
    validate_drillholes,
    write_block_csv,
    write_gslib,
)


def _fast(fn, *a, **k):
    t = time.perf_counter()
    with pytest.raises(InputError) as e:
        fn(*a, **k)
    assert time.perf_counter() - t < 2.0
    return str(e.value)


def test_params_refuse_implausible_values():
    for bad, field in (({"composite_length": "1e-6 m"}, "deposit.composite_length"),
                       ({"ndisc": {"x": 1000, "y": 1000, "z": 1000}}, "deposit.ndisc"),
                       ({"max_blocks": 10**9}, "deposit.max_blocks"),
                       ({"block_size": {"x": "0.01 m", "y": "25 m", "z": "10 m"}},
                        "deposit.block_size"),
                       ({"search": {"major": "100 m", "semi": "50 m", "minor": "10 m",
                                    "max_samples": 10_000}}, "deposit.search"),
                       ({"cutoff": {"grade": "60 %"}}, "deposit.cutoff.grade"),
                       ({"density": {"method": "fixed"}}, "deposit.density"),
                       ({"drillholes": {"collar_file": "c", "survey_file": "s", "assay_file": "a"},
                         "synthetic": {"seed": 1}}, "deposit"),
                       ({"unknown_key": 1}, "deposit.unknown_key")):
        assert field in _fast(deposit_params, bad)
    assert deposit_params({"cutoff": {"grade": "1 %"}}).cutoff.grade == pytest.approx(0.01)


def test_compute_guards_name_the_estimate_and_the_limit():
    c = pd.DataFrame({"hole_id": ["A"], "x": [0.0], "y": [0.0], "z": [0.0],
                      "max_depth_m": [1000.0]})
    s = pd.DataFrame({"hole_id": ["A"], "depth_m": [0.0], "azimuth_deg": [0.0],
                      "dip_deg": [-90.0]})
    a = pd.DataFrame({"hole_id": ["A"], "from_m": [0.0], "to_m": [1000.0], "g": [1.0]})
    dh = validate_drillholes(c, s, a)
    msg = _fast(composite, dh, length_m=1e-6)
    assert "5,000,000 composites" in msg and "estimated" in msg
    assert "1000 points" in _fast(discretisation_offsets, (10, 10, 10), (1000, 1000, 1000))
    assert "blocks" in _fast(grid_covering, np.array([[0, 0, 0], [1e5, 1e5, 1e4]]), (1, 1, 1),
                             max_blocks=1_000_000)
    _fast(SearchParams, (100, 100, 100), min_samples=4, max_samples=100_000)
    m = VariogramModel(0.0, (Structure("spherical", 1.0, (10, 10, 10)),))
    assert "simulated values" in _fast(sgs, np.zeros((3, 3)), np.zeros(3),
                                       np.zeros((1_000_000, 3)), m,
                                       SearchParams((10, 10, 10)), n_realisations=500)
    assert "embedding" in _fast(simulate_grid, m, (2000, 2000, 2000), (1, 1, 1))
    spec, _ = load_synthetic_spec()
    assert "samples" in _fast(synthetic_drillholes, spec, holes=100_000, hole_length_m=5000.0)


def test_gslib_header_declaring_1e8_variables_is_refused_at_once(tmp_path):
    p = tmp_path / "evil.dat"
    p.write_text("title\n100000000\nx\ny\nz\n1 2 3\n")
    assert "variables" in _fast(read_gslib, p)
    assert "variables" in _fast(read_block_model, p)
    q = tmp_path / "short.dat"
    q.write_text("title\n5\nx\ny\n")
    assert "names" in _fast(read_gslib, q)


def test_one_reader_for_csv_and_gslib(tmp_path):
    g = BlockGrid((0.0, 0.0, 0.0), (5.0, 5.0, 5.0), (2, 2, 2))
    bm = g.to_frame().rename(columns={"x": "XC", "y": "YC", "z": "ZC"})
    bm["cu_frac"] = np.linspace(0.001, 0.002, 8)
    write_block_csv(bm, tmp_path / "b.csv")
    write_gslib(bm, tmp_path / "b.dat")
    a = read_block_model(tmp_path / "b.csv")
    b = read_block_model(tmp_path / "b.dat")
    assert {"x", "y", "z", "cu_frac"} <= set(a.columns) and list(a.columns) == list(b.columns)
    pd.testing.assert_frame_equal(a.astype(float), b, check_dtype=False)


def test_writes_are_atomic(tmp_path, monkeypatch):
    target = tmp_path / "blocks.csv"
    atomic_write(target, "previous content\n")
    bm = pd.DataFrame({"x": [1.0], "y": [2.0], "z": [3.0]})

    def boom(self, *a, **k):
        raise OSError("disk full")
    monkeypatch.setattr(pd.DataFrame, "to_csv", boom)
    with pytest.raises(OSError):
        write_block_csv(bm, target)
    monkeypatch.undo()
    assert target.read_text() == "previous content\n"
    assert [p.name for p in tmp_path.iterdir() if p.name != RECORD_NAME] == ["blocks.csv"]
    write_block_csv(bm, target)
    assert target.read_text().splitlines()[0] == "x,y,z"
    with pytest.raises(InputError):
        write_block_csv(bm, tmp_path / "no_such_folder" / "b.csv")


def test_synthetic_parameters_carry_provenance():
    """Every value of the synthetic-deposit file is a {value, evidence, ...} mapping; evidence
    is one of the four tags; 'published' values name a source, 'derived' ones a source or a
    note; the generator refuses an unknown key."""
    from importlib import resources
    path = resources.files("reeflow") / "cases" / "beylikova" / "synthetic_deposit.yaml"
    tree = yaml.safe_load(path.read_text(encoding="utf-8"))
    leaves = []

    def walk(node, where):
        if isinstance(node, dict) and "value" in node:
            leaves.append((where, node))
            return
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{where}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}[{i}]")
        else:
            raise AssertionError(f"{where}: bare value {node!r} without provenance")
    walk(tree, "")
    assert len(leaves) > 60
    for where, leaf in leaves:
        ev = leaf.get("evidence")
        assert ev in ("measured", "published", "derived", "assumed"), where
        if ev == "published":
            assert leaf.get("source"), where
        if ev == "derived":
            assert leaf.get("source") or leaf.get("note"), where
