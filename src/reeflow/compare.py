"""Scenarios side by side: ``reeflow compare A.yaml B.yaml [C.yaml …] --out DIR``.

Each project runs the same chain as ``reeflow study`` (without the tornado, spider and grid).
The comparison holds, per scenario, the headline figures (KPI cards), the annual cash flow, the
claim statuses and the inputs that differ; and, between the first scenario (the reference) and
each other one, an NPV waterfall by driver:

    NPV(B) − NPV(A) = Σ over groups g of [NPV(A + B's inputs of groups ≤ g) − NPV(A + … < g)]

Starting from A, B's values are applied one group of inputs at a time (groups: the first two
levels of the project path, e.g. ``ore``, ``plant.beneficiation``, ``economics.price_deck``), the
chain re-run after each; each bar is the change that group adds given those before it (a
sequential attribution: the order matters when drivers interact, and it is stated). The bars sum
to NPV(B) − NPV(A) exactly when A with every B value is B; the residual is reported.

Writes ``compare.html`` (offline, one plotly.js copy), ``compare.json`` and ``compare.xlsx``
atomically into ``--out`` (never emptied).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reeflow.core.units import npv_label

__all__ = ["register", "compare", "diff_inputs", "npv_waterfall", "render_compare"]

_SKIP = ("name", "description")
#: A case's text about its own figures (inherited reasons are marked): not an input
_TEXT = "economics.benchmark_reasons"


def _flatten(tree: Any, other: Any, prefix: str = "") -> dict[str, tuple[Any, Any]]:
    """Leaves where two project trees differ: path -> (value in a, value in b). A subtree that
    is a mapping on one side only is one leaf, and so is a mapping whose keys differ (named by
    the user, e.g. ``plant.separation.products``: a product of b's is no path of a's)."""
    out: dict[str, tuple[Any, Any]] = {}
    if isinstance(tree, dict) and isinstance(other, dict) and prefix and \
            set(tree) != set(other):
        out[prefix] = (tree, other)
    elif isinstance(tree, dict) and isinstance(other, dict):
        for k in dict.fromkeys([*tree, *other]):
            path = f"{prefix}.{k}" if prefix else str(k)
            out.update(_flatten(tree.get(k), other.get(k), path))
    elif tree != other:
        out[prefix] = (tree, other)
    return out


def _tree(loaded: Any, **dump: Any) -> dict[str, Any]:
    """The project as a tree, with every ``*_file`` path resolved (one file named two ways,
    ``builtin:`` or through ``..``, is the same input)."""
    from pathlib import Path

    def norm(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: str(Path(v).resolve()) if str(k).endswith("_file") and isinstance(v, str)
                    else norm(v) for k, v in node.items()}
        return node

    return dict(norm(loaded.project.model_dump(by_alias=True, **dump)))


def diff_inputs(a: Any, b: Any) -> list[dict[str, Any]]:
    """Inputs that differ between two loaded projects: path, value in each (canonical units),
    and B's source and evidence tag."""
    ta, tb = _tree(a, mode="json"), _tree(b, mode="json")
    rows = []
    for path, (va, vb) in _flatten(ta, tb).items():
        if path.startswith(_TEXT):
            continue  # a case's text about its figures, not an input
        pv = b.provenance.get(path)
        rows.append({"path": path, "a": va, "b": vb,
                     "source": None if pv is None else pv.source,
                     "evidence": None if pv is None else pv.evidence})
    return rows


def _group(path: str) -> str:
    parts = path.split(".")
    return ".".join(parts[:2]) if parts[0] in ("plant", "economics", "ore") and len(parts) > 1 \
        else parts[0]


def npv_waterfall(a: Any, b: Any, *, rate: float, npv_a: float, npv_b: float,
                  plan_a: Mapping[str, float] | None = None) -> dict[str, Any]:
    """The NPV bridge from scenario ``a`` to ``b`` by group of differing inputs (see the
    module docstring); each step re-runs the chain, the mine plan included: a step whose plan
    changes says so, with the plan's size before and after (a royalty rise showed +11.5 MUSD
    with nothing to say that the pit had been re-optimised, fuzz round 19). ``plan_a``: the
    size of ``a``'s plan where the caller has it (else ``a`` is run)."""
    from reeflow.chain.pipeline import what_if
    from reeflow.sensitivity import plan_size

    ta, tb = _tree(a), _tree(b)
    diffs = {p: vb for p, (_, vb) in _flatten(ta, tb).items()
             if p.split(".")[0] not in _SKIP and p not in ("claims_file", "claims_written_for")
             and not p.startswith(_TEXT)}
    groups: dict[str, dict[str, Any]] = {}
    for path, value in diffs.items():
        groups.setdefault(_group(path), {})[path] = value
    from reeflow.core.errors import ReeflowError

    steps: list[dict[str, Any]] = []
    applied: dict[str, Any] = {}
    prev, pending, pending_inputs = npv_a, [], []
    plan = plan_a if plan_a is not None else plan_size(what_if(a, {}))
    for g, values in groups.items():
        applied.update(values)
        pending.append(g)
        pending_inputs += sorted(values)
        try:
            out = what_if(a, dict(applied))
            npv = out.npv_usd(rate)
        except ReeflowError as e:
            # a hybrid of two different projects may be no project at all (b's ore with a's
            # deposit): its group joins the next step that runs, and the bridge says so
            steps.append({"driver": g, "inputs": sorted(values), "delta_usd": None,
                          "npv_after_usd": None, "plan_ore_t_after": None,
                          "plan_years_after": None,
                          "note": f"not a runnable project on its own ({e}); its effect is in "
                                  "the next step"})
            continue
        after = plan_size(out)
        steps.append({"driver": " + ".join(pending), "inputs": pending_inputs,
                      "delta_usd": npv - prev, "npv_after_usd": npv,
                      "plan_ore_t_after": None if after is None else after["ore_t"],
                      "plan_years_after": None if after is None else after["years"],
                      "note": _replanned(plan, after)})
        prev, pending, pending_inputs, plan = npv, [], [], after
    return {"from": a.project.name, "to": b.project.name, "rate_frac": rate,
            "npv_from_usd": npv_a, "npv_to_usd": npv_b, "steps": steps,
            "residual_usd": npv_b - prev,
            "method": "sequential substitution in the order listed (chain re-run per step)"}


def _replanned(before: Mapping[str, float] | None, after: Mapping[str, float] | None) -> str:
    """A step's note where the chain re-planned the mine (empty where the plan held)."""
    from reeflow.sensitivity import plan_text

    if before is None or after is None or before == after:
        return ""
    return (f"the mine plan was re-optimised at this step ({plan_text(before)} → "
            f"{plan_text(after)}): "
            "the bar includes the plan's change as well as the inputs'")


def _path_of(project: str) -> str:
    """The file a project argument names (``builtin:NAME`` resolved to the shipped file)."""
    from reeflow.example_inputs import PREFIX
    from reeflow.project import builtin_project_path

    if project.startswith(PREFIX):
        return str(builtin_project_path(project[len(PREFIX):]))
    return project


def compare(projects: Sequence[str]) -> dict[str, Any]:
    """Run each project and compare them (the dict written as compare.json)."""
    from reeflow.core.errors import InputError
    from reeflow.sensitivity import plan_size

    if len(projects) < 2:
        raise InputError("PROJECTS", list(projects), "two or more project files",
                         "name a reference project and at least one scenario")
    seen: dict[str, str] = {}
    for p in projects:  # the same file twice gave two columns of one name (fuzz round 25)
        key = str(Path(_path_of(str(p))).resolve())
        if key in seen:
            raise InputError("PROJECTS", list(projects), "each project file once",
                             f"{p} is also {seen[key]}: drop the repeat, or copy the file "
                             "and change what the scenario changes")
        seen[key] = str(p)
    loaded = [_load(p) for p in projects]
    rate = float(loaded[0].project.economics.headline_rate)
    for p, lp in zip(projects, loaded, strict=True):  # one rate for every scenario's NPV
        rates = [float(r) for r in lp.project.economics.discount_rates]
        if not any(abs(r - rate) < 1e-12 for r in rates):
            raise InputError(f"{p}: economics.discount_rates", rates,
                             f"a list holding the reference project's headline rate {rate:g}",
                             "add that rate so the scenarios are compared at one rate")
    studies = [_study(p, lp) for p, lp in zip(projects, loaded, strict=True)]
    names = _labels(projects, loaded)
    scenarios = [{**_scenario(str(p), s, rate), "name": n}
                 for p, s, n in zip(projects, studies, names, strict=True)]
    bridges, diffs = [], []
    for lp, s, n in zip(loaded[1:], studies[1:], names[1:], strict=True):
        diffs.append({"from": names[0], "to": n, "rows": diff_inputs(loaded[0], lp)})
        bridges.append({**npv_waterfall(loaded[0], lp, rate=rate,
                                        npv_a=studies[0].outcome.npv_usd(rate),
                                        npv_b=s.outcome.npv_usd(rate),
                                        plan_a=plan_size(studies[0].outcome)),
                        "from": names[0], "to": n})
    return {"rate_frac": rate, "scenarios": scenarios, "waterfalls": bridges, "diffs": diffs}


def _labels(projects: Sequence[str], loaded: Sequence[Any]) -> list[str]:
    """Each scenario's name in the comparison: its project's ``name``, with its file where
    two projects share a name (a scenario that ``extends`` the reference without a new name
    made two columns of one name, fuzz round 35)."""
    names = [str(lp.project.name) for lp in loaded]
    return [f"{n} ({p})" if names.count(n) > 1 else n
            for p, n in zip(projects, names, strict=True)]


def _load(path: str) -> Any:
    """One project, loaded; a refusal names the project (of two or three) it came from."""
    from reeflow.core.errors import InputError
    from reeflow.project import load_project

    try:
        return load_project(path)
    except InputError as exc:
        if exc.field.startswith(f"{path}") or str(path) in str(exc.value):
            raise
        raise exc.at(f"{path}: {exc.field}") from exc


def _study(path: str, loaded: Any) -> Any:
    """One project's study; a refusal names the project it came from (of two or three)."""
    from reeflow.core.errors import InputError, ReeflowError
    from reeflow.study import compute_results

    try:
        return compute_results(loaded, sensitivities=False)
    except InputError as exc:
        raise exc.at(f"{path}: {exc.field}") from exc
    except ReeflowError as exc:
        raise type(exc)(f"{path}: {exc}") from exc


def _scenario(path: str, study: Any, rate: float) -> dict[str, Any]:
    """One scenario's KPIs, its NPVs at ``rate`` (the reference project's headline rate)."""
    r = study.results
    e, s = r.economics, r.summary
    key = f"{rate:.4f}"
    return {"name": r.meta.project_name, "path": path,
            "kpis": {"npv_post_tax_usd": e.npv_usd.get(key),
                     "npv_pre_tax_usd": e.npv_pre_tax_usd.get(key),
                     "irr_frac": e.irr_frac, "irr_pre_tax_frac": e.irr_pre_tax_frac,
                     "payback_years": e.payback_years, "capex_usd": e.capex_usd,
                     "equity_npv_usd": (e.levered or {}).get("npv_equity_usd", {}).get(key),
                     "equity_irr_frac": (e.levered or {}).get("irr_equity_frac"),
                     "reo_t_per_a": r.kpis.reo_t_per_a,
                     "ndpr_oxide_t_per_a": r.kpis.ndpr_oxide_t_per_a,
                     "revenue_usd_per_a": None if s is None else s.revenue_usd_per_a,
                     "basket_usd_per_kg_reo": None if s is None else s.basket_usd_per_kg_reo,
                     "byproduct_share_frac": None if s is None else s.byproduct_share_frac},
            "annual": [{"year": a.year, "cash_flow_usd": a.cash_flow_usd,
                        "cumulative_cash_flow_usd": a.cumulative_cash_flow_usd}
                       for a in e.annual],
            "claims": {c.id: c.status for c in r.claims},
            "verdicts": [] if s is None else [v.text for v in s.verdicts]}


# --------------------------------------------------------------------------- rendering

def _figures(data: Mapping[str, Any]) -> list[Any]:
    import plotly.graph_objects as go

    from reeflow.report.figures import base_layout

    figs = []
    for w in data["waterfalls"]:
        ran = [s for s in w["steps"] if s["delta_usd"] is not None]
        names = [w["from"], *[s["driver"].replace(".", ": ") for s in ran], w["to"]]
        vals = [w["npv_from_usd"] / 1e6, *[s["delta_usd"] / 1e6 for s in ran],
                w["npv_to_usd"] / 1e6]
        fig = go.Figure(go.Waterfall(
            x=names, y=vals, measure=["absolute", *["relative"] * len(ran), "total"],
            text=[f"{v:,.0f}" for v in vals], textposition="outside",
            increasing={"marker": {"color": "#2e7d32"}},
            decreasing={"marker": {"color": "#b3261e"}},
            totals={"marker": {"color": "#0b5d8a"}}))
        fig.update_yaxes(title_text=f"{npv_label(data['rate_frac'])}, US$ M")
        figs.append(base_layout(fig, f"NPV bridge by driver: {w['from']} → {w['to']}",
                                height=440, showlegend=False))
    fig = go.Figure()
    for s in data["scenarios"]:
        fig.add_trace(go.Scatter(x=[a["year"] for a in s["annual"]],
                                 y=[(a["cumulative_cash_flow_usd"] or 0) / 1e6
                                    for a in s["annual"]], mode="lines+markers",
                                 name=s["name"]))
    fig.update_xaxes(title_text="project year (1 = first construction year)")
    fig.update_yaxes(title_text="cumulative cash flow, US$ M (undiscounted)")
    base_layout(fig, "Cumulative cash flow, all scenarios", height=440)
    figs.append(fig.update_layout(legend={"orientation": "h", "y": -0.3}))
    return figs


_KPI_ROWS = (("npv_post_tax_usd", "NPV after tax"), ("npv_pre_tax_usd", "NPV before tax"),
             ("irr_frac", "IRR after tax"), ("irr_pre_tax_frac", "IRR before tax"),
             ("equity_npv_usd", "equity NPV (with debt)"), ("equity_irr_frac", "equity IRR"),
             ("payback_years", "payback from start of construction, years"),
             ("capex_usd", "initial capex"), ("revenue_usd_per_a", "revenue (design basis)/a"),
             ("basket_usd_per_kg_reo", "basket, US$/kg REO"), ("reo_t_per_a", "REO, t/a"),
             ("ndpr_oxide_t_per_a", "NdPr oxide, t/a"),
             ("byproduct_share_frac", "by-product share of revenue"))


def render_compare(data: Mapping[str, Any]) -> str:
    """compare.html: KPI table, NPV bridges, cumulative cash flows, claims and input diffs."""
    from reeflow.report.html import (
        esc,
        figure_html,
        fmt_num,
        fmt_pct,
        fmt_usd,
        note,
        page,
        section,
        status_badge,
        table,
    )

    sc = data["scenarios"]

    def fmt(key: str, v: Any) -> str:
        if key.endswith("_usd") or key.endswith("_usd_per_a"):
            return fmt_usd(v)
        return fmt_pct(v) if key.endswith("_frac") else fmt_num(v)

    kpi_rows = [{"kpi": label, **{f"s{i}": fmt(k, s["kpis"].get(k)) for i, s in enumerate(sc)}}
                for k, label in _KPI_ROWS]
    cols = [("kpi", "figure")] + [(f"s{i}", s["name"]) for i, s in enumerate(sc)]
    ident = dict.fromkeys((f"s{i}" for i in range(len(sc))), lambda h: h)
    kpis = table(kpi_rows, cols, formatters=ident)
    verdicts = "".join(f"<h3>{esc(s['name'])}</h3><ul class=\"verdicts\">"
                       + "".join(f"<li>{esc(v)}</li>" for v in s["verdicts"]) + "</ul>"
                       for s in sc)
    ids = sorted({c for s in sc for c in s["claims"]}, key=lambda x: (len(x), x))
    claim_rows = [{"id": c, **{f"s{i}": s["claims"].get(c) for i, s in enumerate(sc)}}
                  for c in ids]
    claims = table(claim_rows, [("id", "claim")] + cols[1:],
                   formatters=dict.fromkeys((f"s{i}" for i in range(len(sc))), status_badge))
    figs = "".join(figure_html(f) for f in _figures(data))
    bridges = "".join(note(f"{w['from']} → {w['to']}: {w['method']}; residual "
                           f"{fmt_usd(w['residual_usd'])}." + "".join(
                               f" Step {s['driver']}: {s['note']}."
                               for s in w["steps"] if s.get("note")))
                      for w in data["waterfalls"])
    diffs = "".join(f"<h3>{esc(d['from'])} → {esc(d['to'])}</h3>" + table(
        d["rows"], [("path", "input"), ("a", "reference"), ("b", "scenario"),
                    ("evidence", "evidence"), ("source", "source")],
        formatters={"evidence": status_badge}) for d in data["diffs"])
    sections = [("kpis", "Headline figures", kpis), ("figures", "NPV bridge and cash flows",
                                                     figs + bridges),
                ("verdicts", "Verdicts per scenario", verdicts),
                ("claims", "Public claims per scenario", claims),
                ("diffs", "Inputs that differ", diffs)]
    body = "".join(section(a, t, b) for a, t, b in sections)
    head = ('<header class="top"><h1>Scenario comparison</h1><div class="meta">'
            + esc(" · ".join(s["name"] for s in sc)) + "</div></header>")
    return page(title="reeflow comparison", header=head, toc=[(a, t) for a, t, _ in sections],
                body=body, footer=esc("Written by reeflow compare; offline, plotly.js inlined."))


def _xlsx(data: Mapping[str, Any]) -> bytes:
    import io

    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "nan_inf_to_errors": False})
    tabs = {"kpis": [{"scenario": s["name"], **s["kpis"]} for s in data["scenarios"]],
            "waterfall": [{"from": w["from"], "to": w["to"], **st, "inputs": ", ".join(
                st["inputs"])} for w in data["waterfalls"] for st in w["steps"]],
            "cash flow": [{"scenario": s["name"], **a} for s in data["scenarios"]
                          for a in s["annual"]],
            "claims": [{"scenario": s["name"], **s["claims"]} for s in data["scenarios"]],
            "diffs": [{"from": d["from"], "to": d["to"], **{k: str(v) if isinstance(
                v, dict | list) else v for k, v in r.items()}} for d in data["diffs"]
                for r in d["rows"]]}
    for name, rows in tabs.items():
        ws = wb.add_worksheet(name)
        cols = list(dict.fromkeys(k for r in rows for k in r))
        for j, c in enumerate(cols):
            ws.write(0, j, c)
        for i, r in enumerate(rows, start=1):
            for j, c in enumerate(cols):
                v = r.get(c)
                if v is not None and not (isinstance(v, float) and v != v):
                    ws.write(i, j, v)
    wb.close()
    return buf.getvalue()


def cmd_compare(args: argparse.Namespace) -> int:
    from reeflow.core.io import check_output_folder, write_outputs
    from reeflow.core.jsonio import dumps

    check_output_folder(args.out, names=("compare.json", "compare.html", "compare.xlsx"),
                        force=args.force)
    data = compare(args.projects)
    files: dict[str, str | bytes] = {"compare.json": dumps(data, indent=1),
                                     "compare.html": render_compare(data),
                                     "compare.xlsx": _xlsx(data)}
    paths = write_outputs(args.out, files, force=args.force)
    if args.json:
        print(dumps({"files": {k: str(v) for k, v in paths.items()},
                     "npv_usd": {s["name"]: s["kpis"]["npv_post_tax_usd"]
                                 for s in data["scenarios"]}}))
    else:
        for s in data["scenarios"]:
            print(f"{s['name']}: {npv_label(data['rate_frac'])} "
                  f"{(s['kpis']['npv_post_tax_usd'] or 0) / 1e6:,.0f} MUSD")
        print(f"comparison: {paths['compare.html']}")
    return 0


def register(subparsers: Any) -> None:
    """Add ``reeflow compare`` to the CLI."""
    p = subparsers.add_parser("compare", help="run two or more projects and compare them side "
                              "by side (KPIs, NPV bridge, cash flows, claims, input diffs)")
    p.add_argument("projects", nargs="+", help="project YAML files (or builtin:NAME); the "
                   "first is the reference")
    p.add_argument("--out", default="reeflow-compare", help="output folder")
    p.add_argument("--force", action="store_true",
                   help="replace compare.* files that reeflow did not write")
    p.add_argument("--json", action="store_true", help="print the file paths and NPVs as JSON")
    p.set_defaults(func=cmd_compare)
