"""Fuzz round 31: what `validate` passed and the study refused later (or never), as tests.

- two ``mine.slope_sectors`` at one azimuth (the plan refused them as ``slopes_deg``);
- an unknown ``economics.floor_case_deck`` (refused after the base case had run);
- ``plant.route: cerium_rejection`` without a price for its H2O2 (refused after the SX design);
- a typo in a file pulled in by ``include_file`` was named without the file;
- ``extends:`` naming a claims file was refused on an inner key of the claims;
- a multiplier above its bound (``price_scale_ndpr: 12``) was told to write '12 %';
- ``ore.throughput: 500 Mt/a`` ran (the largest concentrators mill ~150 Mt/a).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reeflow.core.errors import InputError


def _child(tmp_path: Path, text: str, name: str = "child.yaml") -> Path:
    f = tmp_path / name
    f.write_text("extends: builtin:beylikova\n" + text, encoding="utf-8")
    return f


def _validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from reeflow.cli import main

    rc = main(["validate", str(path)])
    return rc, capsys.readouterr().err


def test_two_slope_sectors_at_one_azimuth_are_refused_naming_both(tmp_path, capsys):
    f = _child(tmp_path, "mine:\n  slope_sectors:\n    - {azimuth_deg: 90, slope_deg: 40}\n"
                         "    - {azimuth_deg: 45, slope_deg: 42}\n"
                         "    - {azimuth_deg: 90 deg, slope_deg: 45}\n")
    rc, err = _validate(f, capsys)
    assert rc == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith("reeflow: error: mine.slope_sectors[2].azimuth_deg: got 90.0")
    assert "mine.slope_sectors[0] is at 90 deg too" in err
    # distinct azimuths still load
    from reeflow.project import load_project

    ok = _child(tmp_path, "mine:\n  slope_sectors:\n    - {azimuth_deg: 90, slope_deg: 40}\n"
                          "    - {azimuth_deg: 270, slope_deg: 45}\n", "ok.yaml")
    assert load_project(ok).project.mine.slopes == [(90.0, 40.0), (270.0, 45.0)]


def test_an_unknown_floor_case_deck_is_refused_with_the_shipped_decks(tmp_path, capsys):
    f = _child(tmp_path, "economics:\n  floor_case_deck: usgs_2025_ndpr_flor\n")
    rc, err = _validate(f, capsys)
    assert rc == 2
    assert err.startswith("reeflow: error: economics.floor_case_deck: got 'usgs_2025_ndpr_flor'")
    assert "a shipped deck: " in err and "usgs_2025_ndpr_floor" in err
    assert "did you mean 'usgs_2025_ndpr_floor'" in err


def test_a_route_buying_an_unpriced_reagent_is_refused_as_the_study_refuses_it(tmp_path,
                                                                                 capsys):
    from reeflow.economics.opex import reagent_cost_rows

    f = _child(tmp_path, "plant:\n  route: cerium_rejection\n")
    rc, err = _validate(f, capsys)
    assert rc == 2 and err.startswith("reeflow: error: economics.reagent_prices: got ['H2O2']")
    # the study's own refusal, word for word (one check)
    with pytest.raises(InputError) as study:
        reagent_cost_rows({"H2O2": 1.0, "MgO": 1.0}, currency_year=2025)
    assert err.strip() == f"reeflow: error: {study.value}"
    priced = _child(tmp_path, "plant:\n  route: cerium_rejection\neconomics:\n  reagent_prices:\n"
                              "    H2O2: {value: 900 USD/t, evidence: assumed}\n", "priced.yaml")
    rc, _ = _validate(priced, capsys)
    assert rc == 0


def test_a_typo_in_an_included_file_names_the_file_and_the_key_path(tmp_path, capsys):
    (tmp_path / "terms.yaml").write_text("fiscal:\n  tax_rate: 0.2\n  royalty_rat: 0.1\n",
                                         encoding="utf-8")
    f = _child(tmp_path, "economics:\n  include_file: terms.yaml\n")
    rc, err = _validate(f, capsys)
    assert rc == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith("reeflow: error: economics.fiscal.royalty_rat (in ")
    assert f"{tmp_path / 'terms.yaml'}, included by economics.include_file): got 'royalty_rat'" \
        in err and "did you mean 'royalty_rate'" in err
    # the same typo written in the project file itself names no other file
    own = _child(tmp_path, "economics:\n  fiscal: {royalty_rat: 0.1}\n", "own.yaml")
    rc, err = _validate(own, capsys)
    assert rc == 2 and err.startswith("reeflow: error: economics.fiscal.royalty_rat: got")


def test_an_included_value_the_including_file_overrides_is_not_named_at_the_include(
        monkeypatch):
    import reeflow.core.projectfile as pf
    from reeflow.core.projectfile import expand_includes, in_included_file

    monkeypatch.setattr(pf, "_read_yaml", lambda path, field="project": {
        "fiscal": {"tax_rate": 0.2, "royalty_rate": 0.1}, "inflation": 0.02})
    origins: dict[tuple[str, ...], str] = {}
    tree = {"economics": {"fiscal": {"tax_rate": 0.3}, "include_file": "/x/terms.yaml"}}
    merged = expand_includes(tree, origins=origins)
    assert merged["economics"]["fiscal"] == {"tax_rate": 0.3, "royalty_rate": 0.1}
    named = {".".join(k): v for k, v in origins.items()}
    assert "economics.fiscal.tax_rate" not in named and "economics.fiscal" not in named
    assert named["economics.fiscal.royalty_rate"].startswith("/x/terms.yaml, included by")
    e = InputError("economics.inflation", 0.02, "x", "y")
    assert str(in_included_file(e, origins).field).startswith("economics.inflation (in /x/")
    assert in_included_file(InputError("economics.fiscal.tax_rate", 1, "x"), origins).field \
        == "economics.fiscal.tax_rate"


@pytest.mark.parametrize("parent,words", [
    ("claims.yaml", "this is a claims file (claims:), not a project: name it under a "
                    "project's claims_file:"),
    ("fiscal.yaml", "are none of a project's"),
    ("builtin:beylikova/claims", "this is a claims file"),
])
def test_extending_a_file_that_is_no_project_says_so(tmp_path, capsys, parent, words):
    from reeflow.project import CASES_DIR

    for name in ("claims.yaml", "fiscal.yaml"):
        (tmp_path / name).write_bytes((CASES_DIR / "beylikova" / name).read_bytes())
    f = tmp_path / "child.yaml"
    f.write_text(f"extends: {parent}\n", encoding="utf-8")
    rc, err = _validate(f, capsys)
    assert rc == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith(f"reeflow: error: extends: got '{parent}'; allowed: a project file")
    assert words in err and "claims[0]" not in err


@pytest.mark.parametrize("text,hint", [
    ("economics:\n  price_scale_ndpr: 12\n", False),  # a multiplier, <= 10
    ("mine:\n  revenue_factors: [0.5, 5]\n", False),  # a multiplier, <= 3
    ("economics:\n  fiscal: {tax_rate: 2}\n", True),  # a fraction, <= 0.6: 2 meant 2 %
])
def test_a_bare_number_is_read_as_a_percentage_only_for_a_fraction(tmp_path, capsys, text,
                                                                     hint):
    rc, err = _validate(_child(tmp_path, text), capsys)
    assert rc == 2
    assert ("for a percentage" in err) is hint, err


def test_a_throughput_above_the_largest_concentrators_is_refused(tmp_path, capsys):
    from reeflow.project import load_project

    rc, err = _validate(_child(tmp_path, "ore:\n  throughput: 500 Mt/a\n"), capsys)
    assert rc == 2 and err.startswith("reeflow: error: ore.throughput: got '500 Mt/a'; "
                                      "allowed: <= 2e+08 t/a")
    big = load_project(_child(tmp_path, "ore:\n  throughput: 150 Mt/a\n", "big.yaml"))
    assert big.project.ore.throughput_t_per_a == pytest.approx(1.5e8)
