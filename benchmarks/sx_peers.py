"""SX peer benchmark: reeflow's cascade simulator vs difflow 0.2.2 and PrOMMiS 1.1, in ONE run.

Same cascade for every code: one counter-current extraction section, 6 rare earths
(La, Ce, Pr, Nd, Sm, Gd), aqueous feed 1 L/h at stage N, fresh organic 1 L/h at stage 1.

1. **Kremser (linear) case**, 100 stages, constant D per element: reeflow's rigorous simulator
   (``model="constant_d"``, full stage profiles) and reeflow's closed form
   (``kremser_fraction_remaining``) vs difflow's closed-form ``kremser_two_inlet`` (jitted, no
   profiles); an exact banded solve of the linear stage equations (scipy) is the referee.
2. **Mass-action case**, unsaponified dimeric extractant, 1.0 mol/L HA, log10 Kex per element,
   feed acid 0.01 mol/L, pH an output (3 H+ released per RE): reeflow ``model="mass_action"``
   vs difflow ``MassActionSection`` (section Newton in JAX, started from its correlation) at 5,
   30 and 100 stages. The difflow runs are bounded by ``--timeout`` and run once each.
3. **PrOMMiS** ``SolventExtraction`` (its own 5 % D2EHPA demo, 30 stages) with the IPOPT that
   PyPI offers (``cyipopt-wheels``): the worker records which step fails and why.

The log10 Kex and D values are illustrative inputs chosen to give D ≈ 0.1–10 (NOT literature
data; the same numbers go to every code). Flows: difflow's "per s" and reeflow's "per h" are
the same numbers — steady-state balances do not depend on the time unit.

Peers run in their own venvs (outside the repo) through subprocess and print JSON; reeflow runs
in-process. Command (see docs/benchmarks_sx_peers.md)::

    /work/main/.venv/bin/python benchmarks/sx_peers.py \
        --difflow-python /work/peers/difflow-venv/bin/python \
        --prommis-python /work/peers/prommis-venv/bin/python --out sx_peers.json
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy.linalg import solve_banded

HERE = Path(__file__).resolve().parent
ELEMENTS = ["La", "Ce", "Pr", "Nd", "Sm", "Gd"]
CASE: dict[str, Any] = {
    "elements": ELEMENTS,
    "D": [0.3, 0.8, 1.2, 1.6, 5.0, 9.0],
    "log10_Kex": [-4.0, -3.5, -3.3, -3.15, -2.4, -2.0],
    "feed_mol_per_s": [0.006, 0.008, 0.001, 0.003, 0.0005, 0.0002],
    "feed_acid_mol_per_s": 0.01,
    "Q_aq_L_per_s": 1.0,
    "Q_org_L_per_s": 1.0,
    "extractant_mol_per_L": 1.0,
    "extractant": "D2EHPA",
}


# ----------------------------------------------------------------------------- helpers


def run_worker(python: str, script: str, args: list[str], timeout_s: float) -> dict[str, Any]:
    """Run a peer worker in its venv; parse the last stdout line as JSON; never hang."""
    t0 = time.perf_counter()
    try:
        proc = subprocess.run([python, str(HERE / script), *args], capture_output=True,
                              text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        return {"timed_out": True, "timeout_s": timeout_s, "converged": False,
                "wall_s": time.perf_counter() - t0}
    except OSError as exc:
        return {"error": f"cannot start {python}: {exc}", "converged": False}
    wall = time.perf_counter() - t0
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"error": f"exit {proc.returncode}: {proc.stderr.strip()[-600:]}",
                "converged": False, "wall_s": wall}
    out = json.loads(lines[-1])
    out["wall_s"] = wall  # process wall incl. interpreter start and imports
    return out


def agreement(a_aq, a_org, b_aq, b_org, feed, *, floor=1e-9) -> dict[str, float]:
    """Max relative difference of outlet flows (flows below floor x feed skipped) and max
    absolute difference as a fraction of the element fed."""
    rel, absf = 0.0, 0.0
    for pair in ((a_aq, b_aq), (a_org, b_org)):
        for x, y, f in zip(*pair, feed, strict=True):
            if not (math.isfinite(x) and math.isfinite(y)):
                return {"max_rel_diff": math.nan, "max_abs_diff_frac_of_feed": math.nan}
            absf = max(absf, abs(x - y) / f)
            big = max(abs(x), abs(y))
            if big > floor * f:
                rel = max(rel, abs(x - y) / big)
    return {"max_rel_diff": rel, "max_abs_diff_frac_of_feed": absf}


def timed(fn, *, repeats: int, min_time_s: float = 0.0) -> tuple[Any, float]:
    """(last result, median seconds per call) after one warm-up call."""
    out = fn()
    times: list[float] = []
    t_start = time.perf_counter()
    while len(times) < repeats or time.perf_counter() - t_start < min_time_s:
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        if len(times) >= 100 * repeats:
            break
    return out, statistics.median(times)


# ----------------------------------------------------------------------------- referee


def exact_linear(d, feed, q_aq, q_org, n) -> tuple[list[float], list[float]]:
    """Exact banded solve of l_{k+1} + v_{k-1} = l_k + v_k, v_k = E l_k (stage 1 = organic in)."""
    aq, org = [], []
    for dj, fj in zip(d, feed, strict=True):
        e = dj * q_org / q_aq
        ab = np.zeros((3, n))
        ab[0, 1:] = -1.0  # +l_{k+1} enters stage k (super-diagonal)
        ab[1, :] = 1.0 + e
        ab[2, :-1] = -e  # +v_{k-1} = E l_{k-1} enters stage k (sub-diagonal)
        rhs = np.zeros(n)
        rhs[-1] = fj
        l = solve_banded((1, 1), ab, rhs)  # noqa: E741
        aq.append(float(l[0]))
        org.append(float(e * l[-1]))
    return aq, org


# ----------------------------------------------------------------------------- reeflow


def _sx():
    try:
        from reeflow.plant.sx import Cascade, Feed, simulate
    except ImportError:  # before the package exports land
        from reeflow.plant.sx.cascade import Cascade, Feed, simulate
    return Cascade, Feed, simulate


def _cascade(n: int, *, acid: bool):
    Cascade, Feed, _ = _sx()
    conc = dict(zip(ELEMENTS, CASE["feed_mol_per_s"], strict=True))
    org: dict[str, float] = {}
    if acid:
        conc["H"] = CASE["feed_acid_mol_per_s"] / CASE["Q_aq_L_per_s"]
        org["H"] = CASE["extractant_mol_per_L"]  # unloaded HA carries its own proton
    return Cascade(sections=(("extraction", n),), feeds=(
        Feed(n, "aqueous", CASE["Q_aq_L_per_s"], conc, "feed"),
        Feed(1, "organic", CASE["Q_org_L_per_s"], org, "solvent"),
    ))


def _outlets(res) -> tuple[list[float], list[float]]:
    return ([res.outlets["raffinate"][e] for e in ELEMENTS],
            [res.outlets["loaded_organic"][e] for e in ELEMENTS])


def reeflow_kremser(n: int, repeats: int) -> dict[str, Any]:
    _, _, simulate = _sx()
    from reeflow.plant.sx.shortcut import kremser_fraction_remaining

    cas = _cascade(n, acid=False)
    params = {"D": dict(zip(ELEMENTS, CASE["D"], strict=True))}
    res, per = timed(lambda: simulate(cas, model="constant_d", params=params), repeats=repeats)
    aq, org = _outlets(res)
    oa = CASE["Q_org_L_per_s"] / CASE["Q_aq_L_per_s"]

    def closed():
        fr = [kremser_fraction_remaining(d, oa, n) for d in CASE["D"]]
        return [f * x for f, x in zip(fr, CASE["feed_mol_per_s"], strict=True)]

    aq_cf, per_cf = timed(closed, repeats=repeats * 20)
    org_cf = [f - a for f, a in zip(CASE["feed_mol_per_s"], aq_cf, strict=True)]
    return {"rigorous": {"aq": aq, "org": org, "per_call_s": per, "converged": res.converged,
                         "iterations": res.iterations, "closure_max": max(
                             abs(v) for v in res.closure.values())},
            "closed_form": {"aq": aq_cf, "org": org_cf, "per_call_s": per_cf}}


def reeflow_mass_action(n: int, repeats: int) -> dict[str, Any]:
    _, _, simulate = _sx()
    cas = _cascade(n, acid=True)
    params = {"extractant_mol_per_L": CASE["extractant_mol_per_L"],
              "log10_Kex": dict(zip(ELEMENTS, CASE["log10_Kex"], strict=True))}
    res, per = timed(lambda: simulate(cas, model="mass_action", params=params), repeats=repeats)
    aq, org = _outlets(res)
    h_out = res.outlets["raffinate"]["H"] / CASE["Q_aq_L_per_s"]
    return {"aq": aq, "org": org, "per_call_s": per, "converged": res.converged,
            "iterations": res.iterations, "max_scaled_residual": res.max_scaled_residual,
            "closure_max": max(abs(v) for v in res.closure.values()),
            "pH_out": -math.log10(h_out) if h_out > 0 else None}


# ----------------------------------------------------------------------------- main


def _case_file(tmp: Path, name: str, **extra) -> str:
    path = tmp / f"{name}.json"
    path.write_text(json.dumps({**CASE, **extra}))
    return str(path)


def _kremser_section(args, tmp: Path) -> dict[str, Any]:
    n = args.kremser_stages
    ref = exact_linear(CASE["D"], CASE["feed_mol_per_s"], CASE["Q_aq_L_per_s"],
                       CASE["Q_org_L_per_s"], n)
    rf = reeflow_kremser(n, args.repeats)
    out: dict[str, Any] = {"n_stages": n, "exact_linear": {"aq": ref[0], "org": ref[1]},
                           "reeflow": rf}
    feed = CASE["feed_mol_per_s"]
    for key in ("rigorous", "closed_form"):
        rf[key]["vs_exact"] = agreement(rf[key]["aq"], rf[key]["org"], *ref, feed)
    if args.difflow_python:
        df = run_worker(args.difflow_python, "sx_peers_difflow.py",
                        ["kremser", _case_file(tmp, "kremser", n_stages=n, repeats=2000)],
                        args.timeout)
        out["difflow"] = df
        if "aq_out_mol_per_s" in df:
            df["vs_exact"] = agreement(df["aq_out_mol_per_s"], df["org_out_mol_per_s"], *ref, feed)
            for key in ("rigorous", "closed_form"):
                rf[key]["vs_difflow"] = agreement(rf[key]["aq"], rf[key]["org"],
                                                  df["aq_out_mol_per_s"],
                                                  df["org_out_mol_per_s"], feed)
                rf[key]["difflow_time_over_reeflow"] = df["per_call_s"] / rf[key]["per_call_s"]
    return out


def _mass_action_section(args, tmp: Path) -> list[dict[str, Any]]:
    rows = []
    for n in args.mass_action_stages:
        row: dict[str, Any] = {"n_stages": n}
        try:
            row["reeflow"] = reeflow_mass_action(n, max(3, args.repeats // 10))
        except Exception as exc:  # report, do not hide: the benchmark must finish
            row["reeflow"] = {"error": f"{type(exc).__name__}: {exc}", "converged": False}
        if args.difflow_python:
            df = run_worker(args.difflow_python, "sx_peers_difflow.py",
                            ["mass_action", _case_file(tmp, f"ma{n}", n_stages=n,
                                                       warm=n <= args.warm_max_stages)],
                            args.timeout)
            row["difflow"] = df
            rf = row["reeflow"]
            if "aq_out_mol_per_s" in df and "aq" in rf:
                row["agreement"] = agreement(rf["aq"], rf["org"], df["aq_out_mol_per_s"],
                                             df["org_out_mol_per_s"], CASE["feed_mol_per_s"])
                for k in ("first_call_s", "per_call_s"):
                    row[f"difflow_{k}_over_reeflow"] = df[k] / rf["per_call_s"]
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--difflow-python", default="", help="python of the difflow venv")
    ap.add_argument("--prommis-python", default="", help="python of the PrOMMiS venv")
    ap.add_argument("--kremser-stages", type=int, default=100)
    ap.add_argument("--mass-action-stages", type=int, nargs="+", default=[5, 30, 100])
    ap.add_argument("--prommis-stages", type=int, default=30)
    ap.add_argument("--warm-max-stages", type=int, default=30,
                    help="difflow mass action: also time a second call up to this size")
    ap.add_argument("--repeats", type=int, default=200)
    ap.add_argument("--timeout", type=float, default=300.0, help="per peer run, seconds")
    ap.add_argument("--out", default="", help="write the full JSON here")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        report: dict[str, Any] = {"case": CASE, "python": sys.version.split()[0]}
        report["kremser"] = _kremser_section(args, tmp)
        report["mass_action"] = _mass_action_section(args, tmp)
        if args.prommis_python:
            report["prommis"] = run_worker(args.prommis_python, "sx_peers_prommis.py",
                                           [str(args.prommis_stages)], args.timeout)
    text = json.dumps(report, indent=1, default=str)
    if args.out:
        Path(args.out).write_text(text)
    print(summary(report))
    return 0


def _fmt(x: Any, spec: str = ".3g") -> str:
    return "n/a" if x is None or (isinstance(x, float) and not math.isfinite(x)) else format(x, spec)


def summary(rep: dict[str, Any]) -> str:
    """Plain-text table of times, ratios and agreement."""
    k = rep["kremser"]
    rf = k["reeflow"]
    lines = [f"Kremser case, {k['n_stages']} stages, 6 components (per call, median):"]
    for key, label in (("rigorous", "reeflow rigorous constant_d (profiles)"),
                       ("closed_form", "reeflow closed-form Kremser")):
        r = rf[key]
        lines.append(f"  {label:<42} {r['per_call_s'] * 1e3:9.4f} ms  vs exact "
                     f"{_fmt(r['vs_exact']['max_rel_diff'])}  difflow/reeflow time "
                     f"{_fmt(r.get('difflow_time_over_reeflow'))}")
    df = k.get("difflow", {})
    if "per_call_s" in df:
        lines.append(f"  {'difflow kremser_two_inlet (jit)':<42} {df['per_call_s'] * 1e3:9.4f} ms"
                     f"  vs exact {_fmt(df['vs_exact']['max_rel_diff'])}")
    elif df:
        lines.append(f"  difflow: {df}")
    lines.append("Mass-action case (6 REE + H+, free-extractant balance):")
    for row in rep["mass_action"]:
        r, d = row["reeflow"], row.get("difflow", {})
        lines.append(
            f"  N={row['n_stages']:>3}: reeflow {_fmt(r.get('per_call_s', math.nan) * 1e3, '.3f')}"
            f" ms conv={r.get('converged')} | difflow first {_fmt(d.get('first_call_s'))} s "
            f"warm {_fmt(d.get('warm_call_s'))} s conv={d.get('converged')}"
            f"{' TIMED OUT' if d.get('timed_out') else ''} | ratio(first) "
            f"{_fmt(row.get('difflow_first_call_s_over_reeflow'))} | max rel diff "
            f"{_fmt(row.get('agreement', {}).get('max_rel_diff'))}")
    if "prommis" in rep:
        lines.append(f"PrOMMiS: {json.dumps(rep['prommis'])}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
