"""Project files: provenance, inheritance, and every bad-input case of the backbone issue."""

from pathlib import Path

import pytest
import yaml

from reeflow.core.errors import InputError
from reeflow.project import builtin_project_path, load_project


def _write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _child(tmp_path: Path, override: dict) -> Path:
    base = builtin_project_path("beylikova")
    return _write(tmp_path, yaml.safe_dump({"extends": str(base), **override}))


def test_builtin_loads_with_provenance_and_ranges():
    lp = load_project()
    p = lp.project
    assert p.ore.throughput_t_per_a == pytest.approx(570_000.0)
    assert p.ore.treo_grade_frac == pytest.approx(0.018)
    assert lp.provenance["ore.treo_grade"].range == pytest.approx((0.01, 0.0314))
    assert lp.provenance["ore.throughput"].evidence == "published"
    assert sum(p.ore.ree_distribution.values()) == pytest.approx(1.0, abs=1e-9)
    for path, pv in lp.provenance.items():
        assert pv.evidence in {"measured", "published", "derived", "assumed"}, path
        assert pv.source or pv.evidence == "assumed", f"{path} has neither a source nor 'assumed'"


def test_extends_overrides_one_value(tmp_path):
    lp = load_project(_child(tmp_path, {"ore": {"treo_grade": "2.5 %"}}))
    assert lp.project.ore.treo_grade_frac == pytest.approx(0.025)
    assert lp.project.ore.throughput_t_per_a == pytest.approx(570_000.0)


def test_a_grade_range_end_the_chain_cannot_run_is_refused_at_load(tmp_path):
    """Fuzz round 17: a 9 % TREO high end with Ngualla's gangue passed ``validate`` and stopped
    the study after a minute (the sensitivities run at each end); 7.6 % is fine."""
    base = builtin_project_path("ngualla")
    bad = _write(tmp_path, yaml.safe_dump({"extends": str(base), "ore": {"treo_grade": {
        "value": "7.5 %", "range": ["6 %", "9 %"]}}}))
    with pytest.raises(InputError) as e:
        load_project(bad)
    assert e.value.field == "ore.treo_grade.range" and "of the ore mass" in str(e.value.value)
    ok = _write(tmp_path, yaml.safe_dump({"extends": str(base), "ore": {"treo_grade": {
        "value": "7.5 %", "range": ["6 %", "7.6 %"]}}}), name="ok.yaml")
    assert load_project(ok).project.ore.minerals_frac(treo_grade_frac=0.076) <= 1.0


def test_claims_inherited_through_extends_say_whose_they_are(tmp_path):
    """Fuzz round 17: a project extending Ngualla with its own ore and name checked Peak's
    claims against itself without a word ("The stated target of 12,700 t/a REO (N3)")."""
    base = builtin_project_path("ngualla")
    other = _write(tmp_path, yaml.safe_dump({"extends": str(base), "name": "Kestrel Hill",
                                             "ore": {"throughput": "150 kt/a"}}))
    owner = load_project(other).project.claims_written_for
    assert owner is not None and owner.startswith("Ngualla")
    renamed = _write(tmp_path, yaml.safe_dump({"extends": str(base), "name": "same case"}),
                     name="renamed.yaml")  # changes no input: the case itself
    assert load_project(renamed).project.claims_written_for is None
    own = _write(tmp_path, yaml.safe_dump({"extends": str(base), "claims_file": None,
                                           "ore": {"throughput": "150 kt/a"}}), name="own.yaml")
    assert load_project(own).project.claims_written_for is None
    assert load_project("builtin:ngualla").project.claims_written_for is None
    # a grandchild bringing its own claims drops the label it would inherit (review)
    claims = tmp_path / "mine.yaml"
    claims.write_text("claims: []\n", encoding="utf-8")
    for extra in ({"ore": {"throughput": "160 kt/a"}}, {"name": "only text"}):
        grand = _write(tmp_path, yaml.safe_dump({"extends": str(other),
                                                 "claims_file": str(claims), **extra}),
                       name="grand.yaml")
        assert load_project(grand).project.claims_written_for is None, extra


def test_a_project_from_scratch_hears_every_missing_field_at_once(tmp_path):
    """Fuzz round 17: a project written without extends was refused one missing field a run."""
    p = _write(tmp_path, yaml.safe_dump({"name": "x", "ore": {"throughput": "300 kt/a"},
                                         "plant": {}, "economics": {}}))
    with pytest.raises(InputError) as e:
        load_project(p)
    assert "also missing:" in e.value.fix and "extends: builtin:NAME" in e.value.fix


def test_out_of_range_value_is_quoted_as_written(tmp_path):
    """Fuzz round 15: ``1.8 ppm`` outside its stated range was echoed as ``1.8e-06``."""
    override = {"ore": {"treo_grade": {"value": "1.8 ppm", "range": ["1 %", "3 %"]}}}
    with pytest.raises(InputError) as e:
        load_project(_child(tmp_path, override))
    assert e.value.field == "ore.treo_grade" and e.value.value == "1.8 ppm"


@pytest.mark.parametrize(
    ("override", "field", "match"),
    [
        ({"ore": {"throughput": "-5 kt/a"}}, "ore.throughput", "> 0"),
        ({"ore": {"throughput": "0 kt/a"}}, "ore.throughput", "> 0"),
        ({"ore": {"throughput": "570"}}, "ore.throughput", "unit"),
        ({"ore": {"throughput": "570 kg"}}, "ore.throughput", "dimension"),
        ({"ore": {"treo_grad": "1 %"}}, "ore.treo_grad", "known field"),
        ({"ore": {"ree_distribution": {"La": "60 %", "Ce": "60 %"}}}, "ore.ree_distribution",
         "summing to 100 %"),
        ({"ore": {"ree_distribution": {"Xx": "10 %"}}}, "ore.ree_distribution", "REE symbol"),
        ({"plant": {"beneficiation": {"ree_recovery": "120 %"}}},
         "plant.beneficiation.ree_recovery", "1"),
        ({"plant": {"separation": {"products": {"Gd": ["Gd"]}}}},
         "plant.separation.products.Gd", "ore.ree_distribution"),
        ({"plant": {"separation": {"products": {"La": ["La"], "Ce": ["Ce"],
                                                "NdPr": ["Pr", "Nd"], "Pr2": ["Pr"],
                                                "SmY": ["Sm", "Y"]}}}},
         "plant.separation.products.Pr2", "one product"),
        ({"economics": {"headline_rate": 0.09}}, "economics.headline_rate", "discount_rates"),
        ({"economics": {"debt": {"share_of_capex": 0.5, "interest_rate": 0.07,
                                 "tenor_years": 30}}},
         "economics.debt.tenor_years", "life_years"),
    ],
)
def test_bad_values_name_the_field(tmp_path, override, field, match):
    with pytest.raises(InputError, match=match) as err:
        load_project(_child(tmp_path, override))
    assert err.value.field == field


def test_an_ore_element_without_bastnasite_data_is_named(tmp_path):
    dist = dict(load_project().project.ore.ree_distribution)
    shares = {el: f"{v * 100:.6f} %" for el, v in dist.items()}
    shares["La"] = f"{(dist['La'] - 0.06) * 100:.6f} %"
    shares["Ho"] = "6 %"
    with pytest.raises(InputError, match="fold Ho's share") as err:
        load_project(_child(tmp_path, {"ore": {"ree_distribution": shares}}))
    assert err.value.field == "ore.ree_distribution.Ho"
    del shares["Ho"]  # Dy bastnäsite has data (the isostructural analogue): it loads
    shares["Dy"] = "6 %"
    groups = {"La": ["La"], "Ce": ["Ce"], "NdPr": ["Pr", "Nd"], "SmDyY": ["Sm", "Dy", "Y"]}
    assert load_project(_child(tmp_path, {"ore": {"ree_distribution": shares},
                                          "plant": {"separation": {"products": groups}}}))


def test_an_extending_file_replaces_the_products_whole(tmp_path):
    """The products partition the elements: a file that extends another gives them entire (an
    inherited group kept next to the new ones would hold an element twice)."""
    mine = {"La": ["La"], "Ce": ["Ce"], "NdPr": ["Pr", "Nd"], "Heavy": ["Sm", "Y"]}
    lp = load_project(_child(tmp_path, {"plant": {"separation": {"products": mine}}}))
    assert lp.project.plant.product_groups() == mine
    other = load_project(_child(tmp_path, {"plant": {"separation": {"method": "sx"}}}))
    assert "SmY" in other.project.plant.product_groups()  # other keys still merge


def test_missing_field(tmp_path):
    import shutil

    case = tmp_path / "case"
    shutil.copytree(builtin_project_path("beylikova").parent, case)
    tree = yaml.safe_load((case / "project.yaml").read_text(encoding="utf-8"))
    del tree["ore"]["tho2_grade"]
    with pytest.raises(InputError, match="required") as err:
        load_project(_write(case, yaml.safe_dump(tree, allow_unicode=True)))
    assert err.value.field == "ore.tho2_grade"


def test_malformed_yaml_says_where(tmp_path):
    with pytest.raises(InputError, match="line 3"):
        load_project(_write(tmp_path, "name: x\nore: [unclosed\n"))


def test_bad_evidence_tag(tmp_path):
    with pytest.raises(InputError, match="evidence"):
        load_project(_child(tmp_path, {"ore": {"treo_grade": {"value": "2 %",
                                                              "evidence": "rumour"}}}))


def test_missing_file():
    with pytest.raises(InputError, match="an existing file"):
        load_project("/nonexistent/project.yaml")


def test_extends_names_itself_and_takes_a_shipped_scenario(tmp_path):
    """A missing parent was reported as 'project: got ...', and a scenario that reeflow
    examples lists (builtin:beylikova/scenarios/with_debt) could not be extended (fuzz 7)."""
    from reeflow.core.errors import InputError
    from reeflow.project import load_project

    (tmp_path / "a.yaml").write_text("extends: nosuch.yaml\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"^extends: got 'nosuch.yaml'; allowed: an existing"):
        load_project(tmp_path / "a.yaml")
    (tmp_path / "b.yaml").write_text("extends: builtin:beylikova/scenarios/with_debt\n"
                                     "name: debt variant\n", encoding="utf-8")
    assert load_project(tmp_path / "b.yaml").project.economics.debt is not None
    (tmp_path / "c.yaml").write_text("extends: builtin:beylikov\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"^extends: got 'builtin:beylikov'.*'beylikova'"):
        load_project(tmp_path / "c.yaml")


def test_a_case_s_benchmark_reasons_are_marked_when_another_project_extends_it(tmp_path):
    """A project extending Beylikova with another ore kept Beylikova's explanation of its
    opex ("NdPr is about 11 % of Beylikova's TREO") beside its own figures (validation round
    8): inherited case text now says whom it was written for; a restated reason replaces it."""
    case = load_project("builtin:beylikova").project.economics.benchmark_reasons
    assert case and not any(v.startswith("Written for") for v in case.values())
    (tmp_path / "p.yaml").write_text(
        "extends: builtin:beylikova\nname: other ore\neconomics:\n  benchmark_reasons:\n"
        "    opex_usd_per_kg_reo: our own reason\n", encoding="utf-8")
    got = load_project(tmp_path / "p.yaml").project.economics.benchmark_reasons
    assert got["opex_usd_per_kg_reo"] == "our own reason"
    others = [v for k, v in got.items() if k != "opex_usd_per_kg_reo"]
    assert others and all(v.startswith("Written for Beylikova") for v in others)


def test_a_bound_reads_in_the_error_line_s_words(tmp_path):
    """pydantic's "Input should be greater than or equal to 0" leaked into the line (fuzz 7)."""
    (tmp_path / "p.yaml").write_text("extends: builtin:beylikova\neconomics:\n"
                                     "  monte_carlo_draws: -1\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_project(tmp_path / "p.yaml")
    assert str(err.value) == ("economics.monte_carlo_draws: got -1; allowed: >= 0. "
                              "Fix: give a value >= 0")


@pytest.mark.parametrize("text, line", [
    ("economics:\n  schedule:\n    life_years: twenty\n",
     "economics.schedule.life_years: got 'twenty'; allowed: a valid integer. Fix: write a whole "
     "number without quotes or units, e.g. 20"),
    ("mine:\n  run: maybe\n",
     "mine.run: got 'maybe'; allowed: a valid boolean. Fix: write true or false"),
])
def test_a_type_error_reads_in_the_error_line_s_words(tmp_path, text, line):
    """pydantic's "a valid integer, unable to parse string as an integer" with the fix "correct
    the value" (validation rounds 7 and 8)."""
    (tmp_path / "p.yaml").write_text("extends: builtin:beylikova\n" + text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_project(tmp_path / "p.yaml")
    assert str(err.value) == line


def test_a_file_that_changes_no_input_is_the_case_itself():
    """Marking inherited reasons must not make `extends: builtin:beylikova` a new project (the
    web's study key joins the two as one study)."""
    from reeflow.project import load_project_text

    same = load_project_text("extends: builtin:beylikova\n").project
    assert same == load_project("builtin:beylikova").project


def test_a_missing_include_file_is_named_by_its_key_path(tmp_path):
    """A missing include was reported as 'project: got ...' (fuzz round 13)."""
    (tmp_path / "a.yaml").write_text("extends: builtin:beylikova\n"
                                     "economics: {include_file: nosuch.yaml}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"^economics\.include_file: got '.*nosuch\.yaml'; "
                                         r"allowed: an existing file"):
        load_project(tmp_path / "a.yaml")
    (tmp_path / "b.yaml").write_text("extends: builtin:beylikova\n"
                                     "economics: {include_file: 3}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"^economics\.include_file: got 3"):
        load_project(tmp_path / "b.yaml")


@pytest.mark.parametrize(("yaml_text", "says"), [
    ('plant:\n  separation:\n    separation_factors: {"Nd/Pr": 0.9}\n', "allowed: > 1. Fix"),
    ("economics:\n  opex_scale: 20\n", "allowed: <= 10. Fix"),
    ("ore:\n  treo_grade: 1.8\n", "allowed: <= 0.8 frac. Fix"),
])
def test_a_ratio_s_bound_is_no_fraction(tmp_path, yaml_text, says):
    """A separation factor's '> 1 frac' and a scale's '<= 10 frac' read as fractions (fuzz
    round 33); a fraction's bound keeps its unit, and its percentage hint."""
    from reeflow.core.errors import InputError
    from reeflow.project import load_project

    f = tmp_path / "p.yaml"
    f.write_text("extends: builtin:beylikova\n" + yaml_text)
    with pytest.raises(InputError) as exc:
        load_project(f)
    assert says in str(exc.value)


def test_a_list_of_counts_refuses_true(tmp_path):
    from reeflow.core.errors import InputError
    from reeflow.project import load_project

    f = tmp_path / "p.yaml"
    f.write_text("extends: builtin:beylikova\nmine:\n  pushback_candidates: [2, true]\n")
    with pytest.raises(InputError, match="mine.pushback_candidates: got .*a whole number, not "
                                         "true or false"):
        load_project(f)
