"""The executive summary of a study: every verdict computed from the chain's outcome.

:func:`build_summary` reads the chain's outcome (design-basis plant, annual cash flow, design
basis economics), the typed results sections already built (economics with its tornado, grid and
floor case; claims; assumptions; mine) and returns :class:`reeflow.results.SummarySection`. The
sentences are templates filled with numbers, the same on any project; nothing in this module
knows a case. What it states:

1. what a stated production target needs — the head grade at the modelled ore-to-oxide recovery,
   or the recovery at the design grade — and what the chain makes at that grade (a what-if run
   of the same chain); the target is the REO output a public claim of the project asserts
   (``reo_t_per_a``), if any;
2. the basket value of the separated oxides (USD per kg REO at the study's deck, purity and
   payability included) and the revenue at the target;
3. the revenue split (NdPr, other rare earths, by-products);
4. NPV and IRR after and before tax, levered figures when the project carries debt, payback from
   the start of construction;
5. break-even prices: the NdPr price, the basket and the by-product prices at which the headline
   NPV is zero (each class of prices scaled alone, the mine plan held:
   :func:`reeflow.economics.annual.breakeven_multiplier`);
6. the largest risks: the widest bars of the tornado (the chain re-run at each input's stated
   range ends), with the evidence tag of each input;
7. what is synthetic or assumed: synthetic labels, the evidence tags of every input, the assumed
   inputs among the main drivers, the Inferred share of the scheduled feed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reeflow.core.units import npv_label
from reeflow.results import (
    AssumptionRow,
    ClaimRow,
    EconomicsSection,
    MineSection,
    SummaryLine,
    SummarySection,
)

__all__ = ["build_summary", "basket_usd_per_kg_reo", "revenue_split", "stated_target",
           "breakevens"]

_M = 1e6
#: Revenue groups of the split, in order.
_GROUPS = ("NdPr", "other rare earths", "by-products")


def _fmt_usd(v: float | None) -> str:
    if v is None or not math.isfinite(v):
        return "n/a"
    return f"{v / _M:,.0f} MUSD" if abs(v) >= 1e6 else f"{v:,.0f} USD"


def _pct(v: float | None, digits: int = 1) -> str:
    """A fraction as a percentage; a share that is not all or nothing never reads as 100 % or
    0 % (99.5 % Inferred is not "100 %"): digits are added, up to three, until it does not."""
    if v is None or not math.isfinite(v):
        return "n/a"
    text = f"{100 * v:.{digits}f}"
    while digits < 3 and 0.0 < v < 1.0 and float(text) in (0.0, 100.0):
        digits += 1
        text = f"{100 * v:.{digits}f}"
    return f"{text} %"


def _finite(v: Any) -> float | None:
    if v is None:
        return None
    x = float(v)
    return x if math.isfinite(x) else None


# --------------------------------------------------------------------------- basket and split

def _product_values(outcome: Any) -> list[tuple[str, float, str]]:
    """(product, USD/a at the design basis, group) of every sold product; a rare-earth product
    is split between "NdPr" and "other rare earths" by the part of its value the NdPr price
    carries (the revenue table's ``ndpr_linked_usd_per_a``): a separated NdPr oxide falls
    wholly in the first, a mixed concentrate in both (it was put wholly under NdPr when NdPr
    carried more than half its value; fuzz round 13). The share is the scaled value's: with
    ``price_scale_ndpr`` ≠ ``price_scale_other`` the deck's share misplaced part of a mixed
    concentrate."""
    from reeflow.economics.annual import ndpr_share as share_of
    from reeflow.economics.annual import scaled_revenue

    values = outcome.basis.product_usd_per_t()
    rev = scaled_revenue(outcome.basis.parts["revenue"], outcome.basis.scales)
    ndpr_share = {str(r["product"]): share_of(r) for _, r in rev.iterrows()}
    out = []
    for product, t in outcome.inputs.products_t_per_a.items():
        usd = float(t) * values.get(product, 0.0)
        if _is_byproduct(product):
            out.append((product, usd, "by-products"))
            continue
        share = min(max(float(ndpr_share.get(product, 0.0)), 0.0), 1.0)
        for group, part in (("NdPr", share), ("other rare earths", 1.0 - share)):
            if part > 0 or usd == 0:
                out.append((product, usd * part, group))
    return out


def _is_byproduct(product: str) -> bool:
    """An industrial-mineral concentrate (fluorite, barite), by the price room's own product
    classes, not by its name: a mixed REO concentrate is a rare-earth product."""
    from reeflow.economics.prices import product_class

    return product_class(product) == "industrial mineral concentrate"


def basket_usd_per_kg_reo(outcome: Any) -> float:
    """Value of the separated rare-earth products per kg REO made (design basis, USD/kg): price
    × purity × payability × the project's price scales, over the REO tonnage."""
    reo_t = float(outcome.design.summary.kpis["reo_t_per_a"])
    usd = sum(v for _, v, g in _product_values(outcome) if g != "by-products")
    return usd / (reo_t * 1e3) if reo_t > 0 else math.nan


def revenue_split(outcome: Any) -> list[dict[str, Any]]:
    """Design-basis revenue by group (NdPr, other rare earths, by-products) with shares."""
    rows = _product_values(outcome)
    total = sum(v for _, v, _ in rows)
    out = []
    for g in _GROUPS:
        usd = sum(v for _, v, gg in rows if gg == g)
        products = [p for p, v, gg in rows if gg == g and v > 0]
        out.append({"group": g, "usd_per_a": usd,
                    "share_frac": usd / total if total > 0 else None, "products": products})
    return out


# --------------------------------------------------------------------------- target

def stated_target(claims_file: str | None) -> dict[str, Any] | None:
    """The REO output (t/a) and the revenue (USD/a) the project's public claims assert, with the
    claim ids; None when no claim states an REO output."""
    if not claims_file:
        return None
    from reeflow.claims import load_claims

    found: dict[str, Any] = {}
    for c in load_claims(claims_file).claims:
        for a in c.asserts:
            if a.quantity == "reo_t_per_a" and "reo_t_per_a" not in found \
                    and isinstance(a.value, int | float):
                found.update(reo_t_per_a=float(a.value), reo_claim=c.id, reo_text=c.claim)
            if a.quantity == "revenue_usd_per_a" and "revenue_usd_per_a" not in found \
                    and isinstance(a.value, int | float):
                found.update(revenue_usd_per_a=float(a.value), revenue_claim=c.id)
    return found if "reo_t_per_a" in found else None


def _scheduled_output(outcome: Any) -> dict[str, Any]:
    """What the mine plan's years make: the ore-weighted feed grade over the life and the REO of
    the years at nameplate (the plant solved at each year's feed), beside the design basis."""
    grade = outcome.scheduled_feed_grade_frac()
    if grade is None:
        return {"schedule_grade_frac": None, "schedule_reo_t_per_a": None}
    years = [y for y in outcome.years if y.ore_t > 0]
    cap = float(outcome.project.ore.throughput_t_per_a)
    full = [y.reo_t for y in years if y.ore_t >= cap * (1 - 1e-9)] or [y.reo_t for y in years]
    return {"schedule_grade_frac": grade, "schedule_reo_t_per_a": [min(full), max(full)]}


def _target(outcome: Any, basket: float, byproduct_usd: float, ranged: Mapping[str, Any],
            runner: Callable[[Any, Mapping[str, Any]], Any] | None) -> dict[str, Any] | None:
    stated = stated_target(outcome.project.claims_file)
    if stated is None:
        return None
    k = outcome.design.summary.kpis
    ore, head, rec = (float(k["ore_t_per_a"]), float(k["head_reo_t_per_a"]),
                      float(k["overall_reo_recovery_frac"]))
    target = stated["reo_t_per_a"]
    grade_needed = target / (ore * rec) if ore * rec > 0 else math.inf
    rec_needed = target / head if head > 0 else math.inf
    g_range = ranged.get("ore.treo_grade")
    out: dict[str, Any] = {
        **stated, "model_reo_t_per_a": float(k["reo_t_per_a"]), "ore_t_per_a": ore,
        "grade_frac": float(outcome.project.ore.treo_grade_frac), "recovery_frac": rec,
        "grade_needed_frac": _finite(grade_needed), "recovery_needed_frac": _finite(rec_needed),
        "grade_range_frac": None if g_range is None else [g_range[0], g_range[2]],
        "reo_revenue_at_target_usd_per_a": basket * target * 1e3,
        "byproduct_revenue_usd_per_a": byproduct_usd,
        "chain_at_needed_grade": None, **_scheduled_output(outcome),
        "written_for": outcome.project.claims_written_for}
    if runner is not None and math.isfinite(grade_needed) and grade_needed < 0.5:
        try:
            o = runner(outcome.loaded, {"ore.treo_grade": grade_needed})
        except Exception as exc:  # an infeasible grade is stated, never hidden
            o = None
            from reeflow.core.errors import InputError

            # a refusal reads as its own sentence; only an unforeseen error shows its class
            # (the error's own 'field: got …; allowed: …' line read as raw code, fuzz round 19)
            out["chain_at_needed_grade_error"] = (
                f"{exc.field} needs {exc.allowed}; at that grade it is {exc.value}"
                + (f" ({exc.fix})" if exc.fix else "")
                if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}")[:300]
        if o is not None:
            ko = o.design.summary.kpis
            out["chain_at_needed_grade"] = {
                "grade_frac": grade_needed, "reo_t_per_a": float(ko["reo_t_per_a"]),
                "recovery_frac": float(ko["overall_reo_recovery_frac"]),
                "npv_usd": o.npv_usd()}
    return out


# --------------------------------------------------------------------------- break-evens

def breakevens(outcome: Any, rate: float, basket: float) -> list[dict[str, Any]]:
    """Prices at which the NPV at ``rate`` is zero: NdPr oxide (USD/kg), the basket (USD/kg
    REO), the by-products (each by-product price, USD/t, scaled together)."""
    from reeflow.economics.annual import breakeven_multiplier

    b, q = outcome.basis, outcome.quantities
    money = outcome.annual.extra["money"]
    e = outcome.project.economics
    ndpr = float(b.base.ndpr_price_usd_per_kg) * e.price_scale_ndpr_frac
    rev = b.parts["revenue"]
    # the by-products shipped at a price (a row of 0 t/a, or one the project prices at 0, has no
    # price that a multiple of it could move: fuzz round 50 read "no by-product price makes NPV
    # positive" for a plant without by-products)
    byp = {str(r["product"]): float(r["price_usd_per_kg"]) * 1e3 * e.price_scale_byproduct_frac
           for _, r in rev.iterrows() if _is_byproduct(str(r["product"]))
           and float(r["t_per_a"]) > 0 and float(r["price_usd_per_kg"]) > 0}
    if not any(v > 0 for v in byp.values()):
        byp = {}
    out = []
    for on, what, unit, base in (("ndpr", "NdPr oxide price", "USD/kg", ndpr),
                                 ("reo", "rare-earth basket", "USD/kg REO", basket),
                                 ("byproduct", "by-product prices", "USD/t", None)):
        if on == "byproduct" and not byp:
            continue
        m = breakeven_multiplier(b, q, money, rate, on=on)
        row: dict[str, Any] = {"what": what, "unit": unit, "multiplier": _finite(m),
                               "base": base, "value": None if base is None or not math.isfinite(m)
                               else m * base}
        if on == "byproduct":
            row["values"] = {p: (m * v if math.isfinite(m) else None) for p, v in byp.items()}
            row["bases"] = byp
        out.append(row)
    return out


# --------------------------------------------------------------------------- risks, evidence

def _risks(econ: EconomicsSection, evidence: Mapping[str, str | None], n: int = 3
           ) -> list[dict[str, Any]]:
    rows = sorted(econ.tornado, key=_swing_first)[:n]
    return [{"input": r.get("input"), "label": r.get("label"), "low": r.get("low"),
             "high": r.get("high"), "npv_low_usd": r.get("npv_low_usd"),
             "npv_high_usd": r.get("npv_high_usd"), "swing_usd": r.get("swing_usd"),
             "evidence": evidence.get(str(r.get("input")))} for r in rows]


def _swing_first(row: Mapping[str, Any]) -> float:
    """Sort key, widest swing first; an end at which no ore pays (NPV None) before any."""
    if row.get("npv_low_usd") is None or row.get("npv_high_usd") is None:
        return -math.inf
    return -(row.get("swing_usd") or 0.0)


def _npv_text(v: float | None) -> str:
    return "no ore pays" if v is None else _fmt_usd(v)


def _evidence(assumptions: Sequence[AssumptionRow]) -> tuple[dict[str, str | None],
                                                             dict[str, int]]:
    by_path = {a.path: a.evidence for a in assumptions}
    counts: dict[str, int] = {}
    for a in assumptions:
        tag = a.evidence or "untagged"
        counts[tag] = counts.get(tag, 0) + 1
    return by_path, dict(sorted(counts.items()))


# --------------------------------------------------------------------------- sentences

def _line_target(t: dict[str, Any] | None) -> SummaryLine:
    if t is None:
        return SummaryLine(topic="target", text="No production target is stated (no claim of "
                           "the project asserts an REO output); the design basis is assessed.")
    g, gr = t["grade_needed_frac"], t["grade_range_frac"]
    where = ""
    if g is not None and gr:
        where = (" — above the top of the stated grade range" if g > gr[1] else
                 " — inside the stated grade range" if g >= gr[0] else
                 " — below the stated grade range")
    rn = t["recovery_needed_frac"]
    rtxt = "impossible (above 100 %)" if rn is not None and rn > 1 else _pct(rn)
    whose = (f"The target stated for {t['written_for']} (this project extends it)"
             if t.get("written_for") else "The stated target")
    text = (f"{whose} of {t['reo_t_per_a']:,.0f} t/a REO ({t['reo_claim']}) needs "
            f"a head grade of {_pct(g, 2)} TREO at the modelled {_pct(t['recovery_frac'])} "
            f"ore-to-oxide recovery{where}, or {rtxt} recovery at the design grade "
            f"{_pct(t['grade_frac'], 2)}. The design basis makes {t['model_reo_t_per_a']:,.0f} "
            "t/a REO.")
    sg, sr = t.get("schedule_grade_frac"), t.get("schedule_reo_t_per_a")
    if sg is not None and sr is not None:
        text += (f" The mine plan feeds {_pct(sg, 2)} TREO over its life: at full rate its years "
                 f"make {sr[0]:,.0f}–{sr[1]:,.0f} t/a REO (the plant solved at each year's feed, "
                 "its equipment and capex sized for the heaviest year).")
    c = t.get("chain_at_needed_grade")
    if t.get("chain_at_needed_grade_error"):
        text += (f" The chain could not be re-run at {_pct(g, 2)} TREO: "
                 f"{t['chain_at_needed_grade_error']}.")
    if c:
        text += (f" Re-run at {_pct(c['grade_frac'], 2)} TREO, the chain makes "
                 f"{c['reo_t_per_a']:,.0f} t/a REO (recovery {_pct(c['recovery_frac'])}) and "
                 f"NPV {_fmt_usd(c['npv_usd'])}.")
    return SummaryLine(topic="target", text=text)


def _line_revenue(t: dict[str, Any] | None, basket: float, deck: str, split: list[dict],
                  total: float) -> SummaryLine:
    shares = "; ".join(f"{s['group']} {_pct(s['share_frac'], 0)}" for s in split
                       if s["share_frac"])
    byp = next((s for s in split if s["group"] == "by-products"), None)
    more = ""
    if byp and byp["share_frac"] is not None:
        more = (" More than half of revenue comes from the by-products." if byp["share_frac"]
                > 0.5 else "")
    text = (f"The rare-earth products are worth {basket:.2f} USD per kg REO at the "
            f"{deck} prices (purity and payability included). Design-basis revenue is "
            f"{_fmt_usd(total)}/a: {shares}.{more}")
    if t is not None:
        text += (f" At the target of {t['reo_t_per_a']:,.0f} t/a the oxides would earn "
                 f"{_fmt_usd(t['reo_revenue_at_target_usd_per_a'])}/a, "
                 f"{_fmt_usd(t['reo_revenue_at_target_usd_per_a'] + t['byproduct_revenue_usd_per_a'])}"
                 "/a with the design-basis by-products")
        if t.get("revenue_usd_per_a"):
            text += (f", against the stated {_fmt_usd(t['revenue_usd_per_a'])}/a "
                     f"({t.get('revenue_claim')})")
        text += "."
    return SummaryLine(topic="revenue", text=text)


def _line_value(s: dict[str, Any], rate: float) -> SummaryLine:
    r = npv_label(rate).removeprefix("NPV")
    pay = s["payback_from_construction_years"]
    ptxt = ("the project does not pay back within its life" if pay is None else
            f"payback {pay:.1f} years from the start of construction")
    irr = (f"IRR {_pct(s['irr_post_tax_frac'])} after tax ({_pct(s['irr_pre_tax_frac'])} "
           "before)" if s["irr_post_tax_frac"] is not None else
           "no IRR (the cash flows never return the capital at any discount rate)")
    text = (f"NPV{r} is {_fmt_usd(s['npv_post_tax_usd'])} after tax "
            f"({_fmt_usd(s['npv_pre_tax_usd'])} before tax); {irr}; {ptxt}; initial capex "
            f"{_fmt_usd(s['capex_usd'])} ({s['estimate_class'] or 'class not stated'}).")
    if s["levered_npv_usd"] is not None:
        dscr = "n/a" if s["dscr_min"] is None else f"{s['dscr_min']:.2f}"
        text += (f" With the project's debt: equity NPV{r} {_fmt_usd(s['levered_npv_usd'])}, "
                 f"equity IRR {_pct(s['levered_irr_frac'])}, minimum DSCR {dscr}.")
    else:
        text += " No debt is modelled (unlevered figures)."
    return SummaryLine(topic="value", text=text)


def _line_breakeven(rows: list[dict[str, Any]], rate: float,
                    floor: Mapping[str, Any] | None) -> SummaryLine:
    bits = []
    for b in rows:
        if b["what"] == "by-product prices":
            if b["multiplier"] == 0:
                bits.append("NPV stays positive with by-products given away")
            elif b["multiplier"] is None:
                bits.append("no by-product price makes NPV positive (1000× not enough)")
            else:
                vals = ", ".join(f"{p} {v:,.0f} USD/t" for p, v in (b["values"] or {}).items()
                                 if v is not None)
                bits.append(f"by-products ×{b['multiplier']:.2f} ({vals})")
        elif b["value"] is None:
            bits.append(f"{b['what']}: not reached at 1000× the base")
        else:
            bits.append(f"{b['what']} {b['value']:,.2f} {b['unit']} (base {b['base']:,.2f}, "
                        f"×{b['multiplier']:.2f})")
    text = (f"Break-even for {npv_label(rate)} = 0, each price class alone with the mine plan "
            f"held: {'; '.join(bits)}.")
    if floor and floor.get("npv_usd") is None:
        text += f" At the {floor.get('deck')} deck no ore pays: the mine plan sends nothing."
    elif floor:
        npv = (floor.get("npv_usd") or {}).get(f"{rate:.4f}")
        text += (f" At the {floor.get('deck')} deck the {npv_label(rate)} is "
                 f"{_fmt_usd(npv)} (IRR {_pct(floor.get('irr_frac'))}).")
    return SummaryLine(topic="break-even", text=text)


def _line_risks(risks: list[dict[str, Any]]) -> SummaryLine:
    if not risks:
        return SummaryLine(topic="risks", text="Sensitivities were not run here (`reeflow "
                           "study` runs them over every input with a stated range).")
    bits = [f"{r['label']} (NPV {_npv_text(r['npv_low_usd'])} to {_npv_text(r['npv_high_usd'])}"
            f"; {r['evidence'] or 'untagged'})" for r in risks]
    return SummaryLine(topic="risks", text="Largest risks, widest swing of NPV over each "
                       "input's stated range (the chain re-run): " + "; ".join(bits) + ".")


def _line_grade(econ: EconomicsSection, basket: float,
                grade_path: str = "ore.treo_grade") -> SummaryLine | None:
    """Whether more rare earths add value: the tornado's bar of the input that moves the head
    grade the mine feeds (``grade_path``, :func:`reeflow.sensitivity.grade_input`: on a project
    with its own drillholes ``ore.treo_grade`` moves the design basis only, fuzz round 17)."""
    row = next((r for r in econ.tornado if r.get("input") == grade_path), None)
    if row is None or row.get("npv_low_usd") is None or row.get("npv_high_usd") is None:
        return None

    def at(v: float) -> str:
        return f"{_pct(v, 2)} TREO" if grade_path == "ore.treo_grade" else \
            f"{v:.3g}× the estimated grades"
    cost = econ.unit_cost_usd_per_kg_reo
    lo, base, hi = row["npv_low_usd"], row.get("base_npv_usd"), row["npv_high_usd"]
    if base is not None and not (lo <= base <= hi or lo >= base >= hi):
        return SummaryLine(topic="grade", text=(
            f"NPV does not move one way with the head grade: {at(row['low'])} "
            f"{_fmt_usd(lo)}, {at(row['value'])} {_fmt_usd(base)}, {at(row['high'])} "
            f"{_fmt_usd(hi)} (the pit, the schedule and the plant all change with the grade)."))
    if row["npv_high_usd"] < row["npv_low_usd"]:
        text = (f"NPV falls as the head grade rises ({at(row['low'])}: "
                f"{_fmt_usd(row['npv_low_usd'])}; {at(row['high'])}: "
                f"{_fmt_usd(row['npv_high_usd'])})")
        if cost is not None and cost > basket:
            text += (f": the life-of-mine cash cost, {cost:.2f} USD per kg REO before "
                     f"by-product credits, is above the rare-earth basket's {basket:.2f}, and a "
                     "richer deposit gives a larger pit and schedule (an average, not the cost "
                     "of one more kg: the pit, the schedule and the plant all change with the "
                     "grade)")
        else:
            text += (": the pit, the schedule and the plant all change with the grade, so the "
                     "cash flow need not follow the oxide made")
            if cost is not None:
                text += (f" (the cash cost, {cost:.2f} USD per kg REO over the life, is below "
                         f"the basket's {basket:.2f})")
        return SummaryLine(topic="grade", text=text + ".")
    return SummaryLine(topic="grade", text=(
        f"NPV rises with the head grade ({at(row['low'])}: "
        f"{_fmt_usd(row['npv_low_usd'])}; {at(row['high'])}: "
        f"{_fmt_usd(row['npv_high_usd'])})."))


def _unclassified_share(mine: Any) -> float:
    """The share of the scheduled feed outside every resource class (0 without classes)."""
    rows = mine.schedule
    ore = sum(r.ore_t for r in rows)
    uncl = sum(r.unclassified_t or 0.0 for r in rows)
    return float(uncl / ore) if ore > 0 else 0.0


def _line_basis(s: dict[str, Any], unclassified: float = 0.0) -> SummaryLine:
    counts = ", ".join(f"{n} {tag}" for tag, n in s["evidence_counts"].items())
    text = f"Inputs by evidence: {counts}."
    if s["assumed_drivers"]:
        text += f" Assumed inputs among the main drivers: {', '.join(s['assumed_drivers'])}."
    inf = s["inferred_share_of_feed_frac"]
    if inf is not None:
        text += f" Inferred resource is {_pct(inf, 0)} of the scheduled plant feed."
    if unclassified > 0:
        text += (f" {_pct(unclassified, 1)} of it is unclassified: outside every resource "
                 "class, not a resource.")
    if s["synthetic"]:
        text += " SYNTHETIC: " + "; ".join(s["synthetic"]) + "."
    return SummaryLine(topic="basis", text=text)


# --------------------------------------------------------------------------- assembly

def build_summary(outcome: Any, *, economics: EconomicsSection, claims: Sequence[ClaimRow],
                  assumptions: Sequence[AssumptionRow], mine: MineSection,
                  synthetic: Sequence[str] = (),
                  runner: Callable[[Any, Mapping[str, Any]], Any] | None = None
                  ) -> SummarySection:
    """The executive summary of a chain outcome (see the module docstring)."""
    from reeflow.risk import ranged_inputs
    from reeflow.sensitivity import grade_input

    rate = float(economics.headline_rate_frac)
    key = f"{rate:.4f}"
    basket = basket_usd_per_kg_reo(outcome)
    split = revenue_split(outcome)
    total = sum(s["usd_per_a"] for s in split)
    byp = next((s["usd_per_a"] for s in split if s["group"] == "by-products"), 0.0)
    target = _target(outcome, basket, byp, ranged_inputs(outcome.loaded), runner)
    evidence, counts = _evidence(assumptions)
    risks = _risks(economics, evidence)
    drivers = [str(r["label"]) for r in sorted(economics.tornado,
                                               key=lambda r: -(r.get("swing_usd") or 0.0))[:5]
               if evidence.get(str(r.get("input"))) == "assumed"]
    lev = economics.levered or {}
    bes = breakevens(outcome, rate, basket)
    fields: dict[str, Any] = {
        "headline_rate_frac": rate, "deck": economics.deck,
        "npv_post_tax_usd": economics.npv_usd.get(key),
        "npv_pre_tax_usd": economics.npv_pre_tax_usd.get(key),
        "irr_post_tax_frac": economics.irr_frac, "irr_pre_tax_frac": economics.irr_pre_tax_frac,
        "payback_from_construction_years": economics.payback_years,
        "payback_from_first_production_years": economics.payback_from_first_production_years,
        "levered_npv_usd": _finite((lev.get("npv_equity_usd") or {}).get(key)),
        "levered_irr_frac": _finite(lev.get("irr_equity_frac")),
        "dscr_min": _finite(lev.get("dscr_min")),
        "capex_usd": economics.capex_usd, "estimate_class": economics.estimate_class,
        "basket_usd_per_kg_reo": _finite(basket), "revenue_usd_per_a": total,
        "revenue_split": split,
        "byproduct_share_frac": byp / total if total > 0 else None,
        "target": target, "breakevens": bes, "risks": risks,
        "floor_case": economics.floor_case, "synthetic": list(synthetic),
        "evidence_counts": counts, "assumed_drivers": drivers,
        "inferred_share_of_feed_frac": mine.inferred_share_of_feed_frac,
        "claims": _claim_counts(claims)}
    fields["verdicts"] = [
        _line_target(target), _line_revenue(target, basket, economics.deck, split, total),
        _line_value(fields, rate), _line_breakeven(bes, rate, economics.floor_case),
        _line_risks(risks), _line_basis(fields, _unclassified_share(mine))]
    grade = _line_grade(economics, basket, grade_input(outcome.loaded))
    if grade is not None:
        fields["verdicts"].insert(3, grade)
    against = [f"{r['against']}." for r in economics.tornado if r.get("against")]
    if against:
        from reeflow.sensitivity import AGAINST_WHY

        if any(r.get("against_replanned") for r in economics.tornado):
            against.append(AGAINST_WHY)
        at = next(i for i, v in enumerate(fields["verdicts"]) if v.topic == "risks")
        fields["verdicts"].insert(at + 1, SummaryLine(topic="sensitivity",
                                                      text=" ".join(against)))
    from reeflow.core.jsonio import to_jsonable

    return SummarySection.model_validate(to_jsonable(fields))


def _claim_counts(claims: Sequence[ClaimRow]) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in claims:
        out[c.status] = out.get(c.status, 0) + 1
    return out
