"""EconomicsParams: the case file loads with provenance, bounds and unknown keys are errors,
overrides re-validate, and evaluate() without params is deprecated (not silent)."""

from pathlib import Path

import pytest
from econ_fixtures import CASE_FISCAL, case_params, make_inputs

from reeflow.core.errors import InputError
from reeflow.economics import evaluate, load_economics_params

SCEN_DEBT = CASE_FISCAL.parent / "scenarios" / "fiscal_with_debt.yaml"


def test_case_file_values_and_provenance():
    p, prov = load_economics_params(CASE_FISCAL)
    assert p.fiscal.tax_rate == 0.25 and p.fiscal.royalty_rate == 0.0375
    assert p.fiscal.royalty_base == "revenue_less_processing"
    assert p.schedule.capex_phasing == [0.4, 0.6] and p.headline_rate == 0.08
    assert p.opex.labour_cost == 30_000.0 and p.debt is None
    # every number of the case carries its evidence tag, and assumed ones say why
    assert prov["fiscal.tax_rate"].evidence == "published"
    assert prov["schedule.life_years"].evidence == "assumed" and prov["schedule.life_years"].source
    assert all(pv.evidence in ("published", "derived", "assumed") for pv in prov.values())


def _tree(tmp_path, text):
    f = tmp_path / "fiscal.yaml"
    f.write_text(f"extends: {CASE_FISCAL}\n" + text, encoding="utf-8")
    return f


@pytest.mark.parametrize("text,field", [
    ("fiscal:\n  vat: 0.2\n", "fiscal.vat"),                       # unknown key
    ("fiscal:\n  tax_rate: 25\n", "fiscal.tax_rate"),               # percent as a fraction
    ("discount_rates: [0.08, 0.45]\n", "discount_rates"),           # implausible rate
    ("schedule:\n  capex_phasing: [0.5, 0.6]\n", "capex_phasing"),  # does not sum to 1
    ("headline_rate: 0.07\n", "headline_rate"),                     # not among the rates
    ("opex:\n  labour_cost: 30000\n", "opex.labour_cost"),          # money without a unit
    ("benchmark_reasons:\n  npv: x\n", "benchmark_reasons"),        # unknown figure
    ("debt:\n  share_of_capex: 95 %\n  interest_rate: 6 %\n  tenor_years: 8\n", "share_of_capex"),
    # fuzz round 7: validate passed it, then the study said "check prices and costs"
    ("schedule:\n  ramp_up: [0, 0]\n", "ramp_up"),
])
def test_bounds_and_unknown_keys_are_errors(tmp_path, text, field):
    with pytest.raises(InputError, match=field):
        load_economics_params(_tree(tmp_path, text))


def test_with_units_and_overrides():
    p = case_params()
    q = p.with_overrides({"fiscal.tax_rate": "20 %", "opex.labour_cost": "45 kUSD"})
    assert q.fiscal.tax_rate == pytest.approx(0.20) and q.opex.labour_cost == 45_000.0
    assert p.fiscal.tax_rate == 0.25  # frozen original untouched
    with pytest.raises(InputError, match="overrides.fiscal.vat"):
        p.with_overrides({"fiscal.vat": 0.1})


def test_debt_scenario_extends_the_case():
    p, prov = load_economics_params(SCEN_DEBT)
    assert p.debt is not None and p.debt.share_of_capex == pytest.approx(0.60)
    assert p.fiscal == case_params().fiscal
    assert prov["debt.interest_rate"].evidence == "assumed"


def test_evaluate_without_params_is_an_input_error():
    """No case's fiscal terms stand in as a generic default."""
    with pytest.raises(InputError, match="params"):
        evaluate(make_inputs())


def test_fiscal_terms_drive_the_npv():
    base = evaluate(make_inputs(), params=case_params())
    low_tax = evaluate(make_inputs(), params=case_params().with_overrides(
        {"fiscal.tax_rate": 0.10}))
    longer = evaluate(make_inputs(), params=case_params().with_overrides(
        {"schedule.life_years": 30}))
    assert low_tax.npv_usd[0.08] > base.npv_usd[0.08]
    assert len(longer.cash_flows) == len(base.cash_flows) + 10


def test_econ_evaluate_rates_empty_is_refused_and_a_file_rate_list_is_named(tmp_path, capsys):
    """Fuzz round 6: ``rates: []`` crashed (IndexError), and a file's rates silently replaced
    the parameters' discount_rates."""
    import yaml

    from reeflow.cli import main

    ex = Path(__file__).resolve().parents[2] / "examples" / "economics"
    fiscal = Path(__file__).resolve().parents[2] / "src" / "reeflow" / "cases" / "beylikova" \
        / "fiscal.yaml"
    data = yaml.safe_load((ex / "beylikova_inputs.yaml").read_text(encoding="utf-8"))
    for rates, rc in (([], 2), ([0.08, 0.1], 0)):
        p = tmp_path / "in.yaml"
        p.write_text(yaml.safe_dump({**data, "rates": rates}), encoding="utf-8")
        assert main(["econ", "evaluate", str(p), "--params", str(fiscal)]) == rc
        out = capsys.readouterr()
        if rc == 2:
            assert "rates: got []" in out.err
        else:
            assert "discount rates from in.yaml" in out.out and "NPV@5%" not in out.out
    assert main(["econ", "evaluate", str(ex / "beylikova_inputs.yaml"), "--params",
                 str(fiscal)]) == 0
    assert "NPV@5%" in capsys.readouterr().out  # the parameters' four rates


def test_given_rates_take_the_headline_for_the_break_even_when_it_is_among_them():
    from reeflow.economics.study import _rates

    p = case_params()
    head = float(p.headline_rate)
    rates, be = _rates(p, (0.10, head), "real", 0.0)
    assert rates == (0.10, head) and be == head
    assert _rates(p, (0.10, 0.12), "real", 0.0)[1] == 0.10  # not among them: the first


def test_the_econ_evaluate_example_is_the_studys_design_basis(capsys):
    """Fuzz round 15: the example said it held the built-in study's design-basis quantities but
    came from reeflow 0.1.0 (capex 188.7 MUSD against the study's 450); and the study's
    design-basis KPIs divided the resized plant's capex by the design basis's REO. Regenerate
    with examples/economics/make_beylikova_inputs.py."""
    import json

    from reeflow.chain import run_chain
    from reeflow.cli import main
    from reeflow.project import load_project

    ex = Path(__file__).resolve().parents[2] / "examples" / "economics"
    fiscal = Path(__file__).resolve().parents[2] / "src" / "reeflow" / "cases" / "beylikova" \
        / "fiscal.yaml"
    assert main(["econ", "evaluate", str(ex / "beylikova_inputs.yaml"), "--params",
                 str(fiscal), "--json"]) == 0
    capex = json.loads(capsys.readouterr().out)["capex_usd"]
    out = run_chain(load_project())
    assert capex == pytest.approx(out.design_basis.capex_usd, rel=1e-4)
    kpis = out.annual.design_kpis
    assert kpis["capex_usd_per_t_a_reo"] == pytest.approx(
        out.design_basis.capex_usd / kpis["reo_t_per_a"], rel=1e-9)
