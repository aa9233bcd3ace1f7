"""The ``market`` CLI handler, called directly."""

from __future__ import annotations

import argparse
import json

import pytest

from reeflow.core.errors import InputError
from reeflow.market.commands import register


def _parse(argv):
    parser = argparse.ArgumentParser(prog="reeflow")
    register(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_market_json_prints_one_object(capsys):
    args = _parse(["market", "--json"])
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    conc = {r["stage"]: r for r in out["concentration"]}
    assert set(conc) == {"mining", "separation", "magnets", "reserves"}
    assert conc["mining"]["china_share_frac"] == pytest.approx(270 / 390)


def test_market_vintages(capsys):
    args = _parse(["market", "--year", "2024", "--vintages", "--json"])
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["vintages"]["MCS2025"]["Australia"] == 13_000
    assert out["vintages"]["MCS2026v1.3"]["Australia"] == 29_000
    assert out["vintages"]["MCS2025"]["Madagascar"] is None


def test_market_text_and_year(capsys):
    args = _parse(["market", "--year", "2023"])
    assert args.func(args) == 0
    text = capsys.readouterr().out
    assert "MCS2024" in text and "China" in text and "HHI" in text


def test_market_with_project_abroad(capsys):
    args = _parse(["market", "--add-reo", "10000", "--home", "Türkiye", "--abroad", "--json"])
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["separation_country"] == "China"
    hhi = {(r["stage"], r["case"]): r for r in out["hhi"]}
    assert hhi[("mining", "after")]["hhi"] < hhi[("mining", "before")]["hhi"]


@pytest.mark.parametrize("argv", [["market", "--year", "2019"],
                                  ["market", "--add-reo", "-5", "--home", "Türkiye"],
                                  ["market", "--add-reo", "100", "--home", "Türkiye", "--abroad", "Atlantis"],
                                  ["market", "--add-reo", "100"],
                                  # fuzz round 6: --home alone was ignored in silence
                                  ["market", "--home", "Brazil"],
                                  ["market", "--abroad", "China"]])
def test_bad_input_raises_input_error_before_output(argv, capsys):
    args = _parse(argv)
    with pytest.raises(InputError):
        args.func(args)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("argv, flag", [
    (["market", "--year", "2019"], "--year"),
    (["market", "--add-reo", "-5", "--home", "Türkiye"], "--add-reo"),
    (["market", "--add-reo", "100", "--home", "Brasil"], "--home"),
    (["market", "--add-reo", "100", "--home", "Türkiye", "--abroad", "Atlantis"], "--abroad"),
    # fuzz round 6: 1e12 t/a (2.6 million times world mining) was accepted
    (["market", "--add-reo", "1e12", "--home", "Türkiye"], "--add-reo"),
])
def test_a_refusal_names_the_flag_the_user_wrote_and_a_fix(argv, flag):
    args = _parse(argv)
    with pytest.raises(InputError) as err:
        args.func(args)
    assert str(err.value).startswith(f"{flag}: got ") and ". Fix: " in str(err.value)


def test_a_project_as_large_as_world_mining_is_still_a_scenario(capsys):
    args = _parse(["market", "--add-reo", "390000", "--home", "Türkiye", "--json"])
    assert args.func(args) == 0
    hhi = {(r["stage"], r["case"]): r for r in json.loads(capsys.readouterr().out)["hhi"]}
    assert hhi[("mining", "after")]["home_share_frac"] == pytest.approx(0.5, abs=0.01)
