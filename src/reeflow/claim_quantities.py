"""The quantities public claims assert, each computed from the study (see :mod:`reeflow.claims`).

Every function reads the chain's outcome (design-basis plant, annual cash flow, resource), the
market room's data, or re-runs the same chain with changed inputs (``given:`` in the assertion),
and returns the model's value with the reason in numbers. None means "not computed here".
"""

from __future__ import annotations

import math

import numpy as np

from reeflow.claims import Assertion, ClaimContext, ModelValue, quantity
from reeflow.core.errors import NoOreError
from reeflow.core.units import npv_label
from reeflow.sensitivity import asked

__all__: list[str] = []


def _kpis(ctx: ClaimContext) -> dict[str, float]:
    return dict(ctx.outcome.design.summary.kpis)


def _grade(ctx: ClaimContext) -> float:
    return float(ctx.outcome.project.ore.treo_grade_frac)


@quantity("resource_reo_t", unit="t")
def _resource_reo(ctx: ClaimContext, a: Assertion) -> ModelValue | None:
    res = ctx.outcome.resource
    if res is None:
        return None
    bm = res.block_model
    t = bm["tonnes"].to_numpy(float)
    reo = float(np.nansum(t * bm["treo_frac"].to_numpy(float)))
    ore = float(np.nansum(t))
    label = " (SYNTHETIC deposit)" if "SYNTHETIC" in str(res.label).upper() else ""
    return ModelValue(reo, f"{reo / 1e6:,.1f} Mt REO in {ore / 1e6:,.0f} Mt of ore{label}",
                      f"The block model holds {ore / 1e6:,.0f} Mt of mineralised rock at "
                      f"{reo / ore:.2%} TREO, i.e. {reo / 1e6:,.1f} Mt of rare-earth oxide: a "
                      f"tonnage of {float(a.value) / 1e6:,.0f} Mt is ore, not rare earths, and no "
                      "JORC/NI 43-101 statement makes it a reserve.")


@quantity("contained_reo_t", unit="t", given={"ore_t": "t"})
def _contained(ctx: ClaimContext, a: Assertion) -> ModelValue | None:
    given = a.given.get("ore_t")
    if not isinstance(given, (int, float)):
        return None
    ore_t = float(given)
    g = _grade(ctx)
    reo = ore_t * g
    return ModelValue(reo, f"{reo:,.0f} t REO in {ore_t:,.0f} t of ore",
                      f"{ore_t:,.0f} t of ore at {g:.2%} TREO contains {reo:,.0f} t of "
                      "rare-earth oxide before any loss.")


@quantity("ore_t_per_a", unit="t/a")
def _ore(ctx: ClaimContext, a: Assertion) -> ModelValue:
    t = float(ctx.outcome.project.ore.throughput_t_per_a)
    return ModelValue(t, f"{t:,.0f} t/a ore", f"The project's throughput is {t:,.0f} t/a.")


@quantity("reo_t_per_a", unit="t/a")
def _reo(ctx: ClaimContext, a: Assertion) -> ModelValue:
    k = _kpis(ctx)
    reo, head, rec, ore = (k["reo_t_per_a"], k["head_reo_t_per_a"],
                           k["overall_reo_recovery_frac"], k["ore_t_per_a"])
    target = float(a.value)
    need_rec = target / head if head > 0 else math.inf
    need_grade = target / (ore * rec) if ore * rec > 0 else math.inf
    return ModelValue(reo, f"{reo:,.0f} t/a REO", (
        f"{ore:,.0f} t/a at {_grade(ctx):.2%} TREO contains {head:,.0f} t REO; the modelled "
        f"ore-to-oxide recovery of {rec:.1%} gives {reo:,.0f} t/a. {target:,.0f} t/a needs "
        f"{need_rec:.0%} recovery at this grade, or a head grade of {need_grade:.2%} at the "
        "modelled recovery."))


@quantity("head_grade_reo_frac", unit="frac")
def _head(ctx: ClaimContext, a: Assertion) -> ModelValue:
    g = _grade(ctx)
    return ModelValue(g, f"{g:.2%} TREO (design basis)",
                      f"The project's design-basis head grade is {g:.2%} TREO.")


@quantity("commercially_viable", what_if=True, unit="bool")
def _viable(ctx: ClaimContext, a: Assertion) -> ModelValue:
    overrides = {str(k): v for k, v in a.given.items()}
    key = repr(sorted(overrides.items()))
    at = asked(overrides) or "the base case"
    if key not in ctx.cache:
        try:
            ctx.cache[key] = ctx.what_if(overrides) if overrides else ctx.outcome
        except NoOreError as exc:
            ctx.cache[key] = exc
    out = ctx.cache[key]
    if isinstance(out, NoOreError):
        return ModelValue(False, f"no ore pays at {at}", (
            f"The whole chain re-run at {at} finds no block worth mining and processing "
            f"({out.fix}): not viable on these inputs."))
    rate = float(out.project.economics.headline_rate)
    npv = out.npv_usd(rate)
    label = npv_label(rate)
    return ModelValue(npv > 0, f"{label} {npv / 1e6:,.0f} MUSD at {at}", (
        f"The whole chain re-run at {at} (same prices, plant and costs) gives {label} = "
        f"{npv / 1e6:,.0f} MUSD: {'viable' if npv > 0 else 'not viable'} on these inputs. The "
        "value of the oxide basket (the project's own split of the rare earths at the deck's "
        "prices), not the grade alone, decides viability."))


@quantity("elements_present", unit="elements")
def _elements(ctx: ClaimContext, a: Assertion) -> ModelValue:
    dist = ctx.outcome.project.ore.ree_distribution
    present = {el for el, v in dist.items() if v > 0}
    missing = [el for el, v in sorted(dist.items(), key=lambda kv: -kv[1])
               if el not in set(a.value) and v > 0]
    shown = ", ".join(f"{el} {v:.1%}" for el, v in dist.items())
    top = f"; not named: {', '.join(f'{el} ({dist[el]:.1%})' for el in missing[:3])}" \
        if missing else ""
    return ModelValue(present, shown, f"The ore's REO holds {shown}{top}.")


def _market_year(ctx: ClaimContext) -> int:
    return int(ctx.outcome.project.market.year)


@quantity("china_mining_share_frac", unit="frac")
def _china_mining(ctx: ClaimContext, a: Assertion) -> ModelValue:
    from reeflow.market import stage_table, summarise

    y = _market_year(ctx)
    s = float(summarise(stage_table("mining", y))["china_share_frac"])  # type: ignore[arg-type]
    return ModelValue(s, f"{s:.1%} (USGS {y})",
                      f"USGS mine production {y}: China {s:.1%}.")


@quantity("china_separation_share_frac", unit="frac")
def _china_sep(ctx: ClaimContext, a: Assertion) -> ModelValue:
    from reeflow.market import stage_table, summarise
    from reeflow.market.supply import iea_data_year

    y = _market_year(ctx)
    s = float(summarise(stage_table("separation", y))["china_share_frac"])  # type: ignore[arg-type]
    return ModelValue(s, f"{s:.0%} (IEA {iea_data_year('separation', y)})",
                      f"IEA separation {iea_data_year('separation', y)}: China {s:.0%}.")


@quantity("ree_demand_multiple", unit="number")
def _demand(ctx: ClaimContext, a: Assertion) -> ModelValue:
    from reeflow.market.data import demand_multiples

    m = demand_multiples()
    lo = min(v[0] for v in m.values())
    hi = max(v[1] for v in m.values())
    listed = "; ".join(f"{k}: {v[0]:.2f}x" if v[0] == v[1] else f"{k}: {v[0]:.2f}–{v[1]:.2f}x"
                       for k, v in m.items())
    return ModelValue((lo, hi), f"{lo:.1f}–{hi:.1f}x",
                      f"IEA rare-earth demand multiples in the data: {listed}.")


def _full_years_revenue(ctx: ClaimContext) -> float:
    t = ctx.outcome.annual.table
    prod = t[t["production_year"].notna()]
    cap = float(ctx.outcome.project.ore.throughput_t_per_a)
    full = prod[prod["ore_t"] >= 0.999 * cap]
    rows = full if len(full) else prod
    return float(rows["revenue_usd"].mean())


@quantity("revenue_usd_per_a", unit="USD/a")
def _revenue(ctx: ClaimContext, a: Assertion) -> ModelValue:
    from reeflow.summary import basket_usd_per_kg_reo, revenue_split, stated_target

    rev = _full_years_revenue(ctx)
    basis = ctx.outcome.basis
    # the summary's own basket and split (one code path): a name test ("concentrate" in the
    # product) counted a mixed REO concentrate as a by-product, so the claim quoted 8.94 USD/kg
    # REO beside the summary's 8.96
    basket = basket_usd_per_kg_reo(ctx.outcome)
    split = {g["group"]: g for g in revenue_split(ctx.outcome)}
    byp = float(split["by-products"]["usd_per_a"]) if "by-products" in split else 0.0
    share = split["by-products"]["share_frac"] if "by-products" in split else math.nan
    share = math.nan if share is None else share

    target = stated_target(ctx.outcome.project.claims_file)
    at_target = ""
    if target and math.isfinite(basket):
        t = target["reo_t_per_a"]
        oxides = basket * t * 1e3
        at_target = (f" At the stated {t:,.0f} t/a REO ({target['reo_claim']}) the oxides would "
                     f"earn {oxides / 1e6:,.0f} MUSD/a, {(oxides + byp) / 1e6:,.0f} MUSD/a with "
                     "the design-basis by-products.")
    return ModelValue(rev, f"{rev / 1e6:,.0f} MUSD/a", (
        f"Revenue of the full-production years at {basis.deck.name} prices is {rev / 1e6:,.0f} "
        f"MUSD/a; the separated-oxide basket is worth {basket:.2f} USD/kg REO "
        f"({basket:.2f} MUSD/a per kt/a of REO); by-product concentrates are "
        f"{share:.0%} of the design-basis revenue.{at_target}"))


# By-product circuits: mineral, the beneficiation outlets its circuit feed leaves by (its
# concentrate first), and the project's recovery / grade attribute names.
_BYPRODUCTS = {
    "fluorite": ("CaF2", ("fluorite_concentrate", "barite_concentrate", "tailings"),
                 "caf2_grade_frac"),
    "barite": ("BaSO4", ("barite_concentrate", "tailings"), "baso4_grade_frac"),
}


def _circuit_feed_t_per_a(ctx: ClaimContext, circuit: str) -> float:
    """Tonnes a year of the circuit's mineral reaching its flotation (what the REE concentrate
    and any earlier by-product concentrate left), from the design-basis plant."""
    mineral, outlets, _ = _BYPRODUCTS[circuit]
    streams = ctx.outcome.design.solution.streams
    hours = float(ctx.outcome.project.plant.operating_hours_h_per_a)
    kg_h = math.fsum(streams[f"beneficiation.{o}"].species_kg_per_h(mineral) for o in outlets)
    return kg_h * hours / 1000.0


def _implied_recovery(ctx: ClaimContext, circuit: str, a: Assertion) -> str:
    """The flotation recovery the claimed tonnage implies on this project: claimed t/a x the
    project's concentrate grade / the mineral reaching the circuit (ore x head grade less what
    went to the concentrates ahead of it), stated next to the project's own recovery."""
    mineral, _, head_attr = _BYPRODUCTS[circuit]
    ben = ctx.outcome.project.plant.beneficiation
    grade = float(getattr(ben, f"{circuit}_grade_frac"))
    rec = float(getattr(ben, f"{circuit}_recovery_frac"))
    feed = _circuit_feed_t_per_a(ctx, circuit)
    ore = ctx.outcome.project.ore
    in_ore = float(ore.throughput_t_per_a) * float(getattr(ore, head_attr))
    if not feed > 0:
        return f" No {mineral} reaches a {circuit} circuit, so no recovery gives the claim."
    ends = [float(a.value)] if a.value_low is None or a.value_high is None else \
        [float(a.value_low), float(a.value_high)]
    implied = [t * grade / feed for t in ends]
    claimed = " to ".join(f"{t:,.0f}" for t in ends)
    said = " to ".join(f"{r:.3%}" for r in implied)
    return (f" The claimed {claimed} t/a of {grade:.0%} {mineral} concentrate implies a "
            f"{circuit} flotation recovery of {said} of the {feed:,.0f} t/a {mineral} reaching "
            f"the circuit ({in_ore:,.0f} t/a in the ore at {float(getattr(ore, head_attr)):.1%}"
            f" {mineral}, less what the concentrates ahead of it took); the project assumes "
            f"{rec:.1%}.")


def _byproduct(ctx: ClaimContext, key: str, label: str, circuit: str,
               a: Assertion) -> ModelValue:
    t = _kpis(ctx)[key]
    return ModelValue(t, f"{t:,.0f} t/a", f"The plant makes {t:,.0f} t/a of {label} from the "
                      "design-basis ore (head grade and flotation recovery of the project file)."
                      + _implied_recovery(ctx, circuit, a))


@quantity("barite_t_per_a", unit="t/a")
def _barite(ctx: ClaimContext, a: Assertion) -> ModelValue:
    return _byproduct(ctx, "barite_concentrate_t_per_a", "barite concentrate", "barite", a)


@quantity("fluorite_t_per_a", unit="t/a")
def _fluorite(ctx: ClaimContext, a: Assertion) -> ModelValue:
    return _byproduct(ctx, "fluorite_concentrate_t_per_a", "fluorite concentrate", "fluorite", a)


@quantity("thorium_t_per_a", unit="t/a")
def _thorium(ctx: ClaimContext, a: Assertion) -> ModelValue:
    th = _kpis(ctx)["th_in_feed_t_per_a"]
    frac = float(a.value) / th if th > 0 else math.inf
    return ModelValue(th, f"{th:,.0f} t/a Th fed", (
        f"The ore feeds {th:,.0f} t/a of thorium; {float(a.value):,.0f} t/a is {frac:.0%} of it "
        "(the plant sends thorium to its residues; no thorium product is modelled)."))

