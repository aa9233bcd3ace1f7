"""``reeflow market``: world rare-earth shares and HHI by stage, optionally with a project added.

    reeflow market [--year 2025] [--vintage MCS2026v1.3]
                   [--add-reo 10000 --home COUNTRY [--abroad [COUNTRY]]]
                   [--vintages] [--json]
"""

from __future__ import annotations

import argparse
import math
from typing import Any

import pandas as pd

from reeflow.core.errors import InputError
from reeflow.core.jsonio import dumps
from reeflow.market.data import compare_vintages, default_vintage
from reeflow.market.scenario import market_scenario
from reeflow.market.supply import concentration_table, stage_table

__all__ = ["register", "run_market"]


def register(subparsers: Any) -> None:
    """Add the ``market`` subcommand to an argparse subparsers object."""
    p = subparsers.add_parser(
        "market", help="world rare-earth shares and HHI (USGS MCS, IEA)",
        description="Shares by country and HHI for mining, separation, magnets and reserves; "
                    "with --add-reo, before/after a project's output is added.")
    p.add_argument("--year", type=int, default=2025, help="USGS data year (2023-2025)")
    p.add_argument("--vintage", default=None, help="USGS edition, e.g. MCS2026v1.3, MCS2025")
    p.add_argument("--add-reo", type=float, default=None, metavar="T_PER_A",
                   help="add a project producing this many t REO/a (home country: --home)")
    p.add_argument("--home", default=None, metavar="COUNTRY",
                   help="with --add-reo: the country where the ore is mined (e.g. Brazil)")
    p.add_argument("--abroad", nargs="?", const="China", default=None, metavar="COUNTRY",
                   help="with --add-reo: separate abroad, in COUNTRY (default China)")
    p.add_argument("--vintages", action="store_true",
                   help="also show mine production of the year in every USGS edition")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run_market)


def _clean(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    return x


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return _clean(df.reset_index().astype(object).where(df.reset_index().notna(), None)
                  .to_dict(orient="records"))


#: The library's argument names -> the flags a user of ``reeflow market`` wrote
_FLAGS = {"project_reo_t_per_a": "--add-reo", "home_country": "--home",
          "separation_country": "--abroad", "market.year": "--year"}


def _check_added(args: argparse.Namespace) -> None:
    """``--add-reo`` at most the world's mine production in the data year: one project larger
    than every mine on Earth together is a typo (kg for t, an extra zero), not a scenario."""
    import math

    from reeflow.market.supply import stage_table

    reo = args.add_reo
    if not (math.isfinite(reo) and reo >= 0):
        return  # the scenario's own check names it
    world = float(stage_table("mining", args.year, vintage=args.vintage)["t_reo_per_a"].sum())
    if reo > world:
        raise InputError("--add-reo", reo, f"at most the world's mine production in {args.year} "
                         f"({world:,.0f} t REO/a, USGS)", "give the project's REO in t/a "
                         "(e.g. 10000 for 10 kt/a)")


def run_market(args: argparse.Namespace) -> int:
    """Handler of ``reeflow market``; returns the exit code (errors propagate as ReeflowError,
    an input error naming the flag the user wrote, not the library's argument)."""
    try:
        return _run_market(args)
    except InputError as exc:
        flag = _FLAGS.get(exc.field)
        if flag is None:
            raise
        raise exc.at(flag) from exc


def _run_market(args: argparse.Namespace) -> int:
    payload: dict[str, Any]
    if args.vintage is not None and not args.vintage.strip():  # '' read as the default
        raise InputError("--vintage", args.vintage, "a USGS edition, e.g. MCS2026v1.3",
                         "name an edition (reeflow market --vintages lists them), or drop "
                         "--vintage for the latest")
    if args.add_reo is None and (args.home is not None or args.abroad is not None):
        raise InputError("--home" if args.home is not None else "--abroad",
                         args.home if args.home is not None else args.abroad,
                         "together with --add-reo (a project's output to add)",
                         "add e.g. --add-reo 10000, or drop the option")
    if args.add_reo is not None:
        if args.home is None:
            raise InputError("--home", None, "the country where the ore is mined",
                             "add e.g. --home Brazil")
        sep_home = args.abroad is None
        _check_added(args)
        result = market_scenario(args.add_reo, {}, home_country=args.home, year=args.year,
                                 vintage=args.vintage, separation_at_home=sep_home,
                                 separation_country=None if sep_home else args.abroad)
        payload = result.to_dict()
    else:
        vintage = args.vintage or default_vintage(args.year)
        conc = concentration_table(args.year, vintage=vintage)
        payload = {"year": args.year, "vintage": vintage,
                   "concentration": _records(conc),
                   "shares": {s: _records(stage_table(s, args.year, vintage=vintage
                                                      if s in ("mining", "separation") else None))
                              for s in ("mining", "separation", "magnets")}}
    if args.vintages:
        cmp = compare_vintages(args.year)
        payload["vintages"] = {str(v): {str(c): (None if math.isnan(x) else float(x))
                                        for c, x in cmp[v].items()} for v in cmp.columns}
    payload = _clean(payload)
    if args.json:
        print(dumps(payload))
    else:
        print(_text(payload))
    return 0


def _share_lines(rows: list[dict[str, Any]], key: str = "share_frac") -> list[str]:
    out = []
    for r in rows:
        t = r.get("t_reo_per_a")
        t_txt = f"{t:>12,.0f} t" if isinstance(t, (int, float)) else " " * 14
        out.append(f"    {r['country']:<18}{t_txt}  {100 * r[key]:6.2f} %")
    return out


def _text(p: dict[str, Any]) -> str:
    lines = [f"World rare-earth supply, data year {p['year']} (USGS {p['vintage']}; IEA shares)"]
    if "concentration" in p:
        lines.append(f"  {'stage':<11}{'year':>5}{'HHI':>8}{'HHI max':>9}{'top-1':>8}{'top-3':>8}"
                     "  top-1 country")
        for r in p["concentration"]:
            lines.append(f"  {r['stage']:<11}{r['data_year']:>5}{r['hhi']:>8.0f}"
                         f"{r['hhi_upper']:>9.0f}{100 * r['top1_share_frac']:>7.1f}%"
                         f"{100 * r['top3_share_frac']:>7.1f}%  {r['top1_country']}")
        for stage, rows in p["shares"].items():
            lines.append(f"  {stage} shares:")
            lines.extend(_share_lines(rows))
    else:
        lines.append(f"  project added: {p['inputs']['project_reo_t_per_a']:,.0f} t REO/a in "
                     f"{p['home_country']}; separated in {p['separation_country']}")
        lines.append(f"  {'stage':<11}{'case':<8}{'HHI':>8}{'China':>8}{'home':>8}")
        for r in p["hhi"]:
            lines.append(f"  {r['stage']:<11}{r['case']:<8}{r['hhi']:>8.0f}"
                         f"{100 * r['china_share_frac']:>7.1f}%{100 * r['home_share_frac']:>7.2f}%")
        lines.extend(f"  note: {n}" for n in p["notes"])
    for vintage, col in p.get("vintages", {}).items():
        lines.append(f"  mine production {p['year']} in {vintage} (t REO; n.f. = not found):")
        lines.extend(f"    {c:<18}{'n.f.' if t is None else f'{t:,.0f}':>12}"
                     for c, t in col.items())
    return "\n".join(lines)
