"""Plausibility of the headline KPIs against the published peer band (issue #11, item 8).

Each test takes the study's figure - from the results.json named by ``REEFLOW_RESULTS`` when
set (``economics.kpis`` and ``economics.benchmark``), else from the Beylikova-like reference
evaluation - and requires it to sit inside the band of the comparable peers, or outside with a
stated reason; and in every case within a factor of 3 of the band (an outside figure that far
off is an error, not a finding). A figure without a verified peer band is checked against the
unverified peers, which the test says.
"""

from __future__ import annotations

import json
import math
import os
from functools import lru_cache
from pathlib import Path

import pytest
from econ_fixtures import beylikova_like_inputs, case_params

from reeflow.economics import benchmark, evaluate

FACTOR = 3.0


@lru_cache(maxsize=1)
def _study() -> tuple[dict[str, float], dict[str, str]]:
    path = os.environ.get("REEFLOW_RESULTS")
    if path:
        econ = json.loads(Path(path).read_text(encoding="utf-8"))["economics"]
        reasons = {r["figure"]: r["reason"] for r in econ.get("benchmark") or []
                   if r.get("reason")}
        return {k: (math.nan if v is None else float(v)) for k, v in econ["kpis"].items()}, reasons
    r = evaluate(beylikova_like_inputs(), params=case_params())
    return dict(r.kpis), dict(case_params().benchmark_reasons)


def _check(figure: str, *, include_unverified: bool = False,
           lower_bound_only: bool = False) -> dict:
    figs, reasons = _study()
    value = figs.get(figure, math.nan)
    assert math.isfinite(value), f"{figure} not computed by the study"
    row = benchmark({figure: value}, reasons=reasons,
                    include_unverified=include_unverified).iloc[0].to_dict()
    assert math.isfinite(row["band_min"]), f"no peer band for {figure}"
    lo, hi = row["band_min"] / FACTOR, row["band_max"] * FACTOR
    if lower_bound_only:  # the peer figure covers part of the scope: a floor, not a band
        hi = math.inf
    assert lo <= value <= hi, (f"{figure} = {value:,.4g} is beyond {FACTOR}x the peer band "
                               f"[{row['band_min']:,.4g}, {row['band_max']:,.4g}]")
    if not row["within_band"]:
        assert row["reason"], (f"{figure} = {value:,.4g} sits {row['position']} the peer band "
                               f"{row['peers_in_band']} and no reason is stated")
    return row


def test_capex_per_annual_tonne_reo():
    """Peers (mine to product): Pensana Longonjo + Saltend FEED 2021 (US$494 M / 12.5 kt/a),
    Arafura Nolans update 2022, Peak Ngualla BFS 2017, Mkango Songwe Hill DFS 2022, Rainbow
    Phalaborwa 2024 - peer_benchmarks.csv."""
    _check("capex_usd_per_t_a_reo")


def test_separation_section_capex():
    """Peers (separation plants): Pensana Saltend US$195 M / 12.5 kt/a (2022), Lynas LAMP
    US$620 M / 22 kt/a (2012)."""
    _check("separation_capex_usd_per_t_a_reo")


def test_opex_per_kg_reo():
    """Peers: Rainbow Phalaborwa US$12.91/kg TREO (2024), Nolans update (derived from
    A$61.60/kg NdPr), Ngualla BFS 2017 (derived from US$83 M/a)."""
    _check("opex_usd_per_kg_reo")


#: The smallest NdPr share of REO among the per-kg-NdPr peers (Ngualla 24 %; Phalaborwa 32 %,
#: Nolans 33 %: the Beylikova case's benchmark reason, fiscal.yaml).
PEER_NDPR_SHARE_MIN = 0.24


def test_opex_per_kg_ndpr():
    """Peers: Ngualla BFS 2017 US$34.20/kg NdPr, Nolans DFS 2019 A$48.40 and update 2022
    A$61.60/kg NdPr.

    The same cost per kg REO weighs more per kg NdPr in an ore poorer in NdPr, so the 3x gate
    applies to the figure restated at the peers' smallest NdPr share (the project's share is
    opex-per-kg-REO over opex-per-kg-NdPr); the raw figure must still be inside the band or
    carry a reason."""
    figs, reasons = _study()
    value, per_reo = figs["opex_usd_per_kg_ndpr"], figs["opex_usd_per_kg_reo"]
    share = per_reo / value
    assert 0.0 < share <= 1.0
    row = benchmark({"opex_usd_per_kg_ndpr": value}, reasons=reasons).iloc[0]
    restated = value * min(share / PEER_NDPR_SHARE_MIN, 1.0)
    assert row["band_min"] / FACTOR <= restated <= row["band_max"] * FACTOR, (
        f"opex per kg NdPr {value:,.4g} (restated at {PEER_NDPR_SHARE_MIN:.0%} NdPr: "
        f"{restated:,.4g}) is beyond {FACTOR}x the band [{row['band_min']:,.4g}, "
        f"{row['band_max']:,.4g}]")
    if not row["within_band"]:
        assert row["reason"], f"opex per kg NdPr {value:,.4g} is outside the band, no reason"


def test_reagents_per_tonne_reo():
    """No verified peer: Lynas LAMP cracking acid 1.6 t per t concentrate at ~40 % REO
    (secondary blogs quoting Lynas's RIA; unverified, a partial scope)."""
    row = _check("reagents_t_per_t_reo", include_unverified=True, lower_bound_only=True)
    assert not row["peers_in_band"] or "Lynas" in row["peers_in_band"][0]


def test_residue_per_tonne_reo():
    """No verified peer: Lynas WLP 2.85 + NUF 7.93 + FGD 2.63 t/t REO (Malay Mail 2018 via the
    reference notes; not reached at source)."""
    _check("residue_t_per_t_reo", include_unverified=True)


@pytest.mark.parametrize("figure,value", [("residue_t_per_t_reo", 3.9),
                                          ("capex_usd_per_t_a_reo", 3_200.0)])
def test_the_check_fails_on_the_figures_the_issue_rejected(figure, value):
    """The old figures (3.9 t residue per t REO; the 21 MUSD factored estimate, ~3.2k USD per
    t/a REO) fail even with a reason: they are more than 3x outside the band."""
    row = benchmark({figure: value}, include_unverified=True).iloc[0]
    assert value < row["band_min"] / FACTOR
