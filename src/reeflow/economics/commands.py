"""CLI subcommands of the economics room: ``reeflow econ decks | validate | evaluate FILE``.

``evaluate`` reads a YAML file whose keys are :class:`EconomicInputs` fields (plain numbers in
the units the field names state; ``residue_streams`` as a list of mappings) plus optional
``deck``, ``rates``, ``basis``, ``overrides`` and ``params`` (path of an
:class:`EconomicsParams` file, relative to the inputs file; ``--params`` on the command line
wins).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reeflow.core.errors import InputError
from reeflow.core.jsonio import dumps

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add ``econ`` with its actions to the top-level subparsers."""
    p = subparsers.add_parser("econ", help="economics: price decks, study validation, DCF")
    sub = p.add_subparsers(dest="econ_action", required=True)
    d = sub.add_parser("decks", help="list the shipped price decks")
    d.add_argument("--json", action="store_true", help="print one JSON object")
    d.set_defaults(func=_decks)
    v = sub.add_parser("validate", help="recompute the published peer studies")
    v.add_argument("--json", action="store_true", help="print the table as JSON records")
    v.set_defaults(func=_validate)
    e = sub.add_parser("evaluate", help="evaluate an EconomicInputs YAML file")
    e.add_argument("file", help="YAML of EconomicInputs fields (see the module docstring)")
    e.add_argument("--deck", default=None, help="price deck (list them: reeflow econ decks)")
    e.add_argument("--params", default=None,
                   help="EconomicsParams YAML (fiscal terms etc.); required unless the inputs "
                        "file names one under params:")
    e.add_argument("--json", action="store_true", help="print one JSON object")
    e.set_defaults(func=_evaluate)


def _decks(args: argparse.Namespace) -> int:
    from reeflow.economics.prices import deck_names, load_deck

    out = {n: {"currency_year": load_deck(n).currency_year,
               "ndpr_usd_per_kg": load_deck(n).prices_usd_per_kg.get("NdPr oxide")}
           for n in deck_names()}
    if args.json:
        print(dumps(out))
    else:
        from reeflow.cli_output import Column, render_table

        rows = [{"deck": n, **v} for n, v in out.items()]
        print(render_table(rows, [Column("deck", "deck"),
                                  Column("currency_year", "currency year", thousands=False),
                                  Column("ndpr_usd_per_kg", "NdPr oxide", "USD/kg")],
                           title="price decks (reeflow econ evaluate --deck NAME)"))
    return 0


def _validate(args: argparse.Namespace) -> int:
    from reeflow.economics.validation import validation_table

    t = validation_table()
    if args.json:
        print(dumps(t.to_dict(orient="records")))
    else:
        print(_validation_text(t))
    return 0


def _validation_text(t: Any) -> str:
    """The validation table for reading: NPVs in millions of the study's currency, rates,
    differences and IRRs in %."""
    from reeflow.cli_output import Column, render_table

    rows = []
    for r in t.to_dict(orient="records"):
        pct = {k: None if r.get(k) is None else 100 * float(r[k])
               for k in ("rate", "npv_rel_diff", "irr_published", "irr_computed")}
        rows.append({**r, **pct})
    return render_table(rows, [
        Column("study", "study"), Column("currency", "currency"),
        Column("rate", "rate", "%", digits=3),
        Column("npv_published", "NPV published", "M", scale=1e-6),
        Column("npv_computed", "NPV computed", "M", scale=1e-6),
        Column("npv_rel_diff", "NPV diff", "%", digits=3),
        Column("irr_published", "IRR published", "%", digits=3),
        Column("irr_computed", "IRR computed", "%", digits=3)],
        title="published studies recomputed from their own inputs (NPV in millions of the "
              "study's currency)")


def _load_inputs(path: str) -> tuple[Any, dict[str, Any]]:
    from reeflow.core.yamlio import load_yaml_file
    from reeflow.economics.inputs import EconomicInputs

    raw = load_yaml_file(path, field="file") or {}
    if not isinstance(raw, dict):
        raise InputError("file", path, "a mapping of EconomicInputs fields", "use key: value")
    opts = {k: raw.pop(k) for k in ("deck", "rates", "basis", "overrides", "params")
            if k in raw}
    if "params" in opts:
        opts["params"] = str((Path(path).parent / str(opts["params"])).resolve())
    _check_counts(path, raw.get("equipment_sizes"))
    _check_mass(path, raw)
    _check_purities(path, raw)
    if "residue_streams" in raw:
        _check_activities(path, raw["residue_streams"])
        try:
            raw["residue_streams"] = tuple(_residue_stream(path, i, r)
                                           for i, r in enumerate(raw["residue_streams"]))
        except TypeError as exc:
            raise InputError(f"{path}: residue_streams", "entries", "name, t_per_a, "
                             "storage_class[, activity_bq_per_g, kind]", str(exc)) from None
    names = {f.name for f in dataclasses.fields(EconomicInputs)}
    unknown = sorted(set(raw) - names)
    if unknown:
        raise InputError(f"{path}: {unknown[0]}", raw[unknown[0]],
                         f"EconomicInputs fields {sorted(names)}", "remove or rename the key")
    try:
        return EconomicInputs(**raw), opts
    except TypeError as exc:
        raise InputError(path, "fields", "all required fields (ore_t_per_a, products_t_per_a)",
                         str(exc)) from None


def _residue_stream(path: str, i: int, row: Any) -> Any:
    """The file's ``residue_streams[i]`` as a ResidueStream, refused by that path (the class
    names a study's ``residues.<name>.<key>``, fuzz round 34)."""
    from reeflow.economics.residue_storage import ResidueStream

    if not isinstance(row, dict):
        raise InputError(f"{path}: residue_streams[{i}]", row, "a mapping (name, t_per_a, "
                         "storage_class, ...)", "write the stream as key: value lines")
    try:
        return ResidueStream(**row)
    except InputError as exc:
        raise exc.at(f"{path}: residue_streams[{i}].{exc.field.rsplit('.', 1)[-1]}") from None


def _check_mass(path: str, raw: Mapping[str, Any]) -> None:
    """No more product than ore in a user's file: 1e9 t/a of La2O3 from 570 kt/a of ore gave
    an NPV of 6.8e12 USD (fuzz round 34). (Not a rule of EconomicInputs itself: a chain year
    that runs part of the year pairs its ore with products booked otherwise.)"""
    ore, products = raw.get("ore_t_per_a"), raw.get("products_t_per_a")
    if not (_is_number(ore) and isinstance(products, Mapping)):
        return  # missing or malformed: EconomicInputs names it
    ore_t = float(ore)  # type: ignore[arg-type]
    if ore_t <= 0:  # EconomicInputs names it (> 0): it was blamed on the products (fuzz 36)
        return
    made = math.fsum(float(v) for v in products.values() if _is_number(v))
    if made > ore_t:
        raise InputError(f"{path}: products_t_per_a", f"{made:,.6g} t/a in all",
                         f"at most the ore treated (ore_t_per_a = {ore_t:,.6g} t/a): the "
                         "products are made from the ore", "check the products' tonnages and "
                         "units (t/a), or ore_t_per_a")


def _fiscal_terms(path: str, field: str) -> Any:
    """The fiscal terms of ``--params`` (or the inputs file's ``params:``), refused by that
    name (``field``): an unreadable file was named ``project`` and a project file as its
    ``name`` key (fuzz round 36)."""
    from reeflow.core.yamlio import load_yaml_file
    from reeflow.economics.params import EconomicsParams, load_economics_params

    head = load_yaml_file(path, field=field)
    terms = {k for n, f in EconomicsParams.model_fields.items() for k in (n, f.alias) if k}
    terms.add("extends")  # a file takes a term by its name or its alias (populate_by_name)
    if not (isinstance(head, dict) and set(map(str, head)) & terms):
        what = ("a project file" if isinstance(head, dict) and {"ore", "plant"} <= set(head)
                else "a claims file" if isinstance(head, dict) and "claims" in head
                else "no fiscal term at its top level")
        raise InputError(field, path, f"a fiscal-terms YAML (the file a project's "
                         f"economics.include_file names); this is {what}",
                         "pass the case's fiscal.yaml, e.g. beylikova/fiscal.yaml")
    return load_economics_params(path)[0]


def _check_purities(path: str, raw: Mapping[str, Any]) -> None:
    """Each ``product_purity_frac`` key is a product of ``products_t_per_a`` (by name or alias):
    the purity of a product not made was dropped without a word (fuzz round 36)."""
    from reeflow.economics._data import read_yaml

    purity, products = raw.get("product_purity_frac"), raw.get("products_t_per_a")
    if not (isinstance(purity, Mapping) and isinstance(products, Mapping)):
        return
    aliases = read_yaml("product_aliases.yaml")
    made = {aliases.get(k, k) for k in products}
    for k in purity:
        if aliases.get(k, k) not in made:
            listed = ", ".join(map(str, products))
            raise InputError(f"{path}: product_purity_frac.{k}", purity[k],
                             f"a purity of a product in products_t_per_a ({listed})",
                             "remove it, or add the product to products_t_per_a")


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _check_counts(path: str, sizes: Any) -> None:
    """``equipment_sizes`` ``<key>_count`` values are whole numbers >= 1: each is the number of
    identical parallel units (capex_areas.yaml; capex.py already refuses < 1, and divides the size
    by the count and multiplies the cost by it, or truncates it with int(): 2.5 units was costed
    as 2.5 or as 2). Named as the file writes the key."""
    if not isinstance(sizes, dict):
        return
    for key, v in sizes.items():
        if str(key).endswith("_count") and not (_is_number(v) and float(v).is_integer()
                                                and v >= 1):
            raise InputError(f"{path}: equipment_sizes.{key}", v,
                             "a whole number of identical parallel units >= 1",
                             "give the number of units (stages, tanks) as a whole number, e.g. 3")


def _check_activities(path: str, streams: Any) -> None:
    """A residue stream's ``activity_bq_per_g`` is None (not computed) or a finite number >= 0:
    a specific activity counts decays per second per gram and cannot be negative; a negative one
    would read as below the 1 Bq/g exemption (residue_storage.default_storage_class, IAEA GSR
    Part 3 Schedule I) and pass as exempt."""
    if not isinstance(streams, list | tuple):
        return
    for i, r in enumerate(streams):
        a = r.get("activity_bq_per_g") if isinstance(r, dict) else None
        if a is not None and not (_is_number(a) and a >= 0):
            raise InputError(f"{path}: residue_streams[{i}].activity_bq_per_g", a,
                             "a specific activity >= 0 Bq/g (or omit it: not computed)",
                             "give the residue's measured or computed activity in Bq/g")


def _evaluate(args: argparse.Namespace) -> int:
    from reeflow.economics.study import PRICED_EVERY_PRODUCT, evaluate

    inputs, opts = _load_inputs(args.file)
    if args.deck is not None and not args.deck.strip():  # '' fell back to the default deck
        raise InputError("--deck", args.deck, "a price deck's name",
                         "name one (list them: reeflow econ decks), or leave --deck out")
    if args.deck:
        opts["deck"] = args.deck
    if args.params:
        opts["params"] = args.params
    if "params" not in opts:  # the library's message spoke Python (fuzz round 15)
        raise InputError("--params", None, "a fiscal-terms YAML (EconomicsParams): --params or "
                         "a params: key in the inputs file",
                         "pass --params beylikova/fiscal.yaml (a case's fiscal terms; `reeflow "
                         "examples --copy DIR` copies them)")
    if "params" in opts:
        opts["params"] = _fiscal_terms(opts["params"], "--params" if args.params
                                       else f"{args.file}: params")
    note = None
    if "rates" in opts:
        if not isinstance(opts["rates"], list | tuple):
            raise InputError(f"{args.file}: rates", opts["rates"], "a list of discount rates",
                             "e.g. rates: [0.08, 0.10]")
        opts["rates"] = tuple(opts["rates"])
        note = (f"discount rates from {Path(args.file).name} (rates:), not the parameters' "
                "discount_rates")
    try:
        res = evaluate(inputs, **opts)
    except InputError as exc:  # the study's path for the route, named as this file writes it
        if exc.field == "plant.route":
            raise exc.at(f"{args.file}: process_route") from None
        if exc.field.startswith("deck[") and "deck" in opts and \
                exc.allowed == PRICED_EVERY_PRODUCT:
            # the library's fix named a project's keys (fuzz round 36)
            where = "--deck" if args.deck else f"{args.file}: deck"
            raise type(exc)(f"{where} {exc.field[5:-1]}", exc.value, exc.allowed,
                            "choose a deck that prices them (list them: reeflow econ decks), "
                            f"or leave {where.rsplit(' ', 1)[-1]} out for the parameters' "
                            "deck") from None
        raise
    d = res.to_dict()
    if args.json:
        print(dumps({**d, **({"note": note} if note else {})}))
    else:
        print(f"deck {res.deck} ({res.basis}, {res.currency_year} USD); capex "
              f"{res.capex_usd / 1e6:,.1f} MUSD ({res.estimate_class})")
        if note:
            print(f"  {note}")
        for r, v in res.npv_usd.items():
            print(f"  NPV@{r:.0%}: {v / 1e6:,.1f} MUSD")
        irr = ("none (the cash flows never return the capital)"
               if res.irr_frac is None or not math.isfinite(res.irr_frac)
               else f"{res.irr_frac:.1%}")
        pay = ("never" if res.payback_years is None or not math.isfinite(res.payback_years)
               else f"{res.payback_years:.1f} yr")
        be = res.breakeven_ndpr_usd_per_kg  # NaN was printed as "nan" (fuzz round 36)
        be_text = (f"{be:.1f} USD/kg" if be is not None and math.isfinite(be) else
                   "n/a (no NdPr price gives NPV 0: no NdPr revenue, or NPV below 0 even at "
                   "100 times the deck's price)")
        print(f"  IRR {irr}; payback {pay}; "
              f"unit cost {res.unit_cost_usd_per_kg_reo:.2f} USD/kg REO; "
              f"break-even NdPr {be_text}")
    return 0
