"""The study end to end through the CLI, and the CLI's bad-input contract (exit 2, no output)."""

import json

import pytest
import yaml

from reeflow.cli import main
from reeflow.core.errors import ConvergenceError
from reeflow.project import builtin_project_path


@pytest.fixture(scope="module")
def study_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("study") / "out"
    assert main(["study", "--out", str(out), "--quiet"]) == 0
    return out


def test_study_writes_report_and_results(study_out):
    html = (study_out / "report.html").read_text(encoding="utf-8")
    assert "<html" in html.lower()
    assert "<script src=\"http" not in html
    results = json.loads((study_out / "results.json").read_text(encoding="utf-8"))
    for key in ("meta", "kpis", "products", "flowsheet", "claims", "assumptions"):
        assert key in results, key
    k = results["kpis"]
    assert 0 < k["reo_t_per_a"] < k["head_reo_t_per_a"]
    assert results["flowsheet"]["max_rel_closure"] <= 1e-9
    assert {c["id"] for c in results["claims"]} >= {f"C{i}" for i in range(1, 13)}
    statuses = {c["id"]: c["status"] for c in results["claims"]}
    assert statuses["C3"] == "inconsistent"  # 10 kt/a REO needs ~100 % recovery at 1.8 %


def test_study_json_summary(tmp_path, capsys):
    assert main(["study", "--out", str(tmp_path / "o"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["ore_t_per_a"] == pytest.approx(570_000.0)


def _project(tmp_path, override):
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump({"extends": str(builtin_project_path("beylikova")), **override}),
                 encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "override",
    [{"ore": {"throughput": "-570 kt/a"}}, {"ore": {"bogus": 1}},
     {"plant": {"calcination": {"temperature": "300 °C"}}},
     # the 2024 deck has no fluorspar or barite price: a missing price is an error, not a zero
     {"economics": {"price_deck": "usgs_2024"}},
     # a key pair that does not separate (beta = 1): refused as the project loads (> 1)
     {"plant": {"separation": {"separation_factors": {"Ce/La": 1.0}}}},
     # one declaration per parameter: the purity lives at plant.separation.product_purity
     {"plant": {"separation": {"sx": {"purity": "99 %"}}}}],
)
def test_bad_project_exits_2_and_writes_nothing(tmp_path, capsys, override):
    out = tmp_path / "out"
    assert main(["study", str(_project(tmp_path, override)), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "reeflow: error:" in err
    assert "Fix" in err or "must exceed" in err
    assert not out.exists()


def test_malformed_yaml_exits_2(tmp_path):
    p = tmp_path / "m.yaml"
    p.write_text("ore: [\n", encoding="utf-8")
    assert main(["study", str(p), "--out", str(tmp_path / "o")]) == 2
    assert not (tmp_path / "o").exists()


def test_nonconverging_recycle_is_reported_not_raised(tmp_path, capsys, monkeypatch):
    import reeflow.study as study

    def boom(*a, **k):
        raise ConvergenceError("recycle did not converge: tear stream(s) filtrate_recycle, "
                               "relative residual 1e-3")

    monkeypatch.setattr(study, "compute_results", boom)
    assert main(["study", "--out", str(tmp_path / "o")]) == 2
    assert "filtrate_recycle" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
