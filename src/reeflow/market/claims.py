"""The Beylikova claims dataset (``data/market/claims.yaml``) and checks of the market-side claims.

Each claim (C1–C12, from the reeflow reference notes ``claims.md``: outlet, date, text as reported)
carries machine-checkable *assertions* (quantity, value, qualifier). :func:`assess` compares one
assertion with a model value or range; :func:`check_c6` (China's mining and separation shares vs
USGS MCS and IEA GCMO) and :func:`check_c7` (IEA rare-earth demand growth) return a
:class:`ClaimCheck` ``(status, model_value, reason)`` with status ``consistent``,
``inconsistent`` or ``unverifiable``. :func:`check_record_claim` checks the record-type claims
(C8–C10) against dated, sourced facts in ``records.yaml``. The other claims are checked against
the deposit/plant/economics model by the study.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, NamedTuple

import yaml

from reeflow.core.errors import InputError
from reeflow.market.data import iea_demand_table, parameter, vintages
from reeflow.market.supply import iea_data_year, stage_table, summarise

__all__ = [
    "STATUSES",
    "Assertion",
    "Claim",
    "ClaimCheck",
    "load_claims",
    "get_claim",
    "assess",
    "check_c6",
    "check_c7",
    "load_records",
    "check_record_claim",
    "MARKET_CHECKS",
    "check_market_claims",
]

#: libyaml-backed safe loader when available (same semantics as yaml.safe_load, faster).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
STATUSES = ("consistent", "inconsistent", "unverifiable")
_QUALIFIERS = ("exact", "approx", "greater_than", "less_than", "range")


class ClaimCheck(NamedTuple):
    """Outcome of a claim check: status, the model's value(s), and why."""

    status: str
    model_value: Any
    reason: str


@dataclass(frozen=True)
class Assertion:
    """One machine-checkable quantity a claim asserts."""

    quantity: str
    value: Any
    qualifier: str = "exact"
    value_low: float | None = None
    value_high: float | None = None
    as_stated: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Claim:
    """A public claim as reported (outlet, date), with the known note and its assertions."""

    id: str
    claim: str
    outlet: str
    date: str
    note: str
    checker: str
    asserts: tuple[Assertion, ...]

    def assertion(self, quantity: str) -> Assertion:
        """The assertion of ``quantity`` (InputError if the claim asserts no such quantity)."""
        for a in self.asserts:
            if a.quantity == quantity:
                return a
        raise InputError(f"claims.{self.id}.quantity", quantity,
                         f"one of {[a.quantity for a in self.asserts]}", "check claims.yaml")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "claim": self.claim, "outlet": self.outlet, "date": self.date,
                "note": self.note, "checker": self.checker,
                "asserts": [{"quantity": a.quantity, "value": a.value, "qualifier": a.qualifier,
                             "value_low": a.value_low, "value_high": a.value_high,
                             "as_stated": a.as_stated, **dict(a.extra)} for a in self.asserts]}


_KNOWN = {"quantity", "value", "qualifier", "value_low", "value_high", "as_stated"}


def _assertion(raw: Mapping[str, Any], cid: str) -> Assertion:
    q = raw.get("qualifier", "exact")
    if q not in _QUALIFIERS or "quantity" not in raw or "value" not in raw:
        raise InputError(f"claims.{cid}.asserts", dict(raw),
                         f"quantity, value and qualifier in {_QUALIFIERS}", "fix claims.yaml")
    return Assertion(quantity=raw["quantity"], value=raw["value"], qualifier=q,
                     value_low=raw.get("value_low"), value_high=raw.get("value_high"),
                     as_stated=raw.get("as_stated"),
                     extra={k: v for k, v in raw.items() if k not in _KNOWN})


@lru_cache(maxsize=1)
def load_claims() -> tuple[Claim, ...]:
    """The claims dataset, in file order (source: reeflow reference notes ``claims.md``)."""
    path = resources.files("reeflow.data.market").joinpath("claims.yaml")
    with path.open("r", encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=_YAML_LOADER)
    return tuple(
        Claim(id=c["id"], claim=" ".join(str(c["claim"]).split()), outlet=c["outlet"],
              date=str(c["date"]), note=" ".join(str(c["note"]).split()), checker=c["checker"],
              asserts=tuple(_assertion(a, c["id"]) for a in c["asserts"]))
        for c in data["claims"])


def get_claim(claim_id: str) -> Claim:
    """One claim by id (``"C6"``); InputError for an unknown id."""
    for c in load_claims():
        if c.id == claim_id:
            return c
    raise InputError("claim_id", claim_id, f"one of {[c.id for c in load_claims()]}",
                     "see reeflow/data/market/claims.yaml")


def assess(qualifier: str, claimed: float, model_low: float | None,
           model_high: float | None = None, *, abs_tol: float = 0.0,
           claimed_low: float | None = None, claimed_high: float | None = None) -> str:
    """Status of a numeric assertion against a model value or range [model_low, model_high].

    ``approx``/``exact``: consistent when the model range meets claimed ± ``abs_tol``.
    ``greater_than`` (``less_than``): consistent when the whole model range is above (below) the
    claimed value, inconsistent when it is wholly on the other side, unverifiable when it straddles.
    ``range``: consistent when [claimed_low, claimed_high] meets the model range.
    A missing model value gives ``unverifiable``.
    """
    if qualifier not in _QUALIFIERS:
        raise InputError("qualifier", qualifier, f"one of {_QUALIFIERS}", "fix the assertion")
    hi_in = model_low if model_high is None else model_high
    if model_low is None or hi_in is None or not (math.isfinite(model_low)
                                                  and math.isfinite(hi_in)):
        return "unverifiable"
    lo, hi = min(model_low, hi_in), max(model_low, hi_in)
    if qualifier in ("approx", "exact", "range"):
        c_lo = claimed_low if qualifier == "range" and claimed_low is not None else claimed
        c_hi = claimed_high if qualifier == "range" and claimed_high is not None else claimed
        meets = hi >= c_lo - abs_tol and lo <= c_hi + abs_tol
        return "consistent" if meets else "inconsistent"
    above = qualifier == "greater_than"
    if (lo > claimed) if above else (hi < claimed):
        return "consistent"
    if (hi <= claimed) if above else (lo >= claimed):
        return "inconsistent"
    return "unverifiable"


def _combine(statuses: list[str]) -> str:
    if "inconsistent" in statuses:
        return "inconsistent"
    return "unverifiable" if "unverifiable" in statuses else "consistent"


def _china_mining_by_vintage() -> dict[str, float]:
    out = {}
    v = vintages("production")
    for _, row in v[v["complete"]].iterrows():
        t = stage_table("mining", int(row["data_year"]), vintage=row["vintage"])
        out[f"{int(row['data_year'])} ({row['vintage']})"] = summarise(t)["china_share_frac"]
    return out


def check_c6(claim: Claim | None = None, *, year: int = 2025,
             abs_tol: float | None = None) -> ClaimCheck:
    """C6: "China ... about 70 % of global production and 90 % of refining output".

    Model: China's share of USGS world mine production in ``year`` (newest vintage) and IEA's
    separation (refining) share of the latest year not after ``year``. "About" = ± ``abs_tol``
    (``parameters.yaml: about_tolerance_frac``, 5 percentage points, an assumption).
    """
    claim = claim or get_claim("C6")
    tol = float(parameter("about_tolerance_frac") if abs_tol is None else abs_tol)
    mine = summarise(stage_table("mining", year))["china_share_frac"]
    sep_year = iea_data_year("separation", year)
    sep = summarise(stage_table("separation", year))["china_share_frac"]
    a_mine = claim.assertion("china_mining_share_frac")
    a_sep = claim.assertion("china_separation_share_frac")
    statuses = [assess(a_mine.qualifier, float(a_mine.value), mine, abs_tol=tol),
                assess(a_sep.qualifier, float(a_sep.value), sep, abs_tol=tol)]
    others = ", ".join(f"{k}: {v:.1%}" for k, v in _china_mining_by_vintage().items())
    reason = (f"USGS mine production {year}: China {mine:.1%} (claimed ~{float(a_mine.value):.0%}, "
              f"tolerance +-{tol:.0%}; all vintages: {others}); IEA separation {sep_year}: China "
              f"{sep:.0%} (claimed ~{float(a_sep.value):.0%}). IEA's own mining share (62 %, 2023) "
              "is lower: its rare-earth tables may count magnet REE only.")
    return ClaimCheck(_combine(statuses),
                      {"china_mining_share_frac": mine, "china_separation_share_frac": sep,
                       "mining_year": year, "separation_year": sep_year}, reason)


def _demand_multiples() -> dict[str, tuple[float, float]]:
    d = iea_demand_table()
    mag = d[d["metric"] == "magnet_ree_demand"]
    base = float(mag.loc[mag["scenario"] == "historical", "value"].iloc[0])
    out = {f"{r.scenario} {int(r.year)} (magnet REE)": (r.value / base, r.value / base)
           for r in mag[mag["scenario"] != "historical"].itertuples()}
    steps = d[d["metric"] == "ree_demand_growth"]
    for r in steps.itertuples():
        out[f"{r.scenario} {int(r.year)} (REE, vs {int(r.base_year)})"] = (1 + r.value_low,
                                                                        1 + r.value_high)
    return out


def check_c7(claim: Claim | None = None) -> ClaimCheck:
    """C7: "IEA predicts demand for key minerals, incl. rare earths, will rise > sixfold by 2040".

    Model: the IEA rare-earth demand multiples in the data — magnet-REE demand APS 2030 and 2050
    over 2023 (93 → 131 → 181 kt) and GCMO 2025 STEPS +50–60 % by 2040. The APS 2050 multiple
    bounds the 2040 one from above if demand rises monotonically (assumption). IEA NZE rare-earth
    tonnages are not in the data.
    """
    claim = claim or get_claim("C7")
    a = claim.assertion("ree_demand_multiple")
    multiples = _demand_multiples()
    lo = min(v[0] for v in multiples.values())
    hi = max(v[1] for v in multiples.values())
    status = assess(a.qualifier, float(a.value), lo, hi)
    listed = "; ".join(f"{k}: {v[0]:.2f}x" if v[0] == v[1] else f"{k}: {v[0]:.2f}-{v[1]:.2f}x"
                       for k, v in multiples.items())
    reason = (f"IEA rare-earth demand multiples in the data ({listed}) are all below the claimed "
              f">{float(a.value):g}x by {a.extra.get('horizon_year', '?')}; even all clean-energy "
              "minerals only double (STEPS/APS) to nearly triple (NZE) to 2030. IEA NZE rare-earth "
              "tonnages are not in the data.")
    if status != "inconsistent":
        reason = f"IEA rare-earth demand multiples in the data: {listed}."
    return ClaimCheck(status, {k: list(v) for k, v in multiples.items()}, reason)


@lru_cache(maxsize=1)
def load_records() -> dict[str, dict[str, Any]]:
    """Dated facts (``records.yaml``) for the record-type claims, each with source and evidence."""
    path = resources.files("reeflow.data.market").joinpath("records.yaml")
    with path.open("r", encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_YAML_LOADER)["records"]


def _matches(claimed: Any, recorded: Any) -> bool:
    if isinstance(claimed, str) and isinstance(recorded, str):
        return recorded.lower().startswith(claimed.lower())  # "2024-10" matches "2024-10-16"
    return claimed == recorded


def check_record_claim(claim: Claim) -> ClaimCheck:
    """A record-type claim (C8–C10) against the dated facts in ``records.yaml``.

    Each assertion whose quantity has a record is compared (dates match by prefix: a claimed month
    matches a recorded day). A match is ``consistent`` for a dated fact and ``unverifiable`` for a
    stated plan (``status_if_matches``); a mismatch is ``inconsistent``; no record: unverifiable.
    """
    records = load_records()
    statuses, model, reasons = [], {}, []
    for a in claim.asserts:
        rec = records.get(a.quantity)
        if rec is None:
            statuses.append("unverifiable")
            reasons.append(f"{a.quantity}: no record in the data")
            continue
        model[a.quantity] = rec["value"]
        ok = _matches(a.value, rec["value"])
        statuses.append(rec["status_if_matches"] if ok else "inconsistent")
        note = " ".join(str(rec["note"]).split())
        reasons.append(f"{a.quantity}: claimed {a.value!r}, record {rec['value']!r} "
                       f"({rec['source']}; {rec['verification']}): {note}")
    return ClaimCheck(_combine(statuses), model, " | ".join(reasons))


#: Registry of market-side and record claim checks (claim id -> check function).
MARKET_CHECKS: dict[str, Callable[..., ClaimCheck]] = {
    "C6": check_c6, "C7": check_c7, "C8": check_record_claim, "C9": check_record_claim,
    "C10": check_record_claim,
}


def check_market_claims() -> dict[str, ClaimCheck]:
    """Run every market-side and record check on the dataset's claims (checker market/record)."""
    return {c.id: MARKET_CHECKS[c.id](c) for c in load_claims()
            if c.checker in ("market", "record") and c.id in MARKET_CHECKS}
