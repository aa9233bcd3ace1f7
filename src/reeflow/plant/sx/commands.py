"""Command line of the SX engine: ``sx simulate``, ``sx design``, ``sx train`` (each with --json).

Thin over :func:`reeflow.plant.sx.simulate`, :func:`reeflow.plant.sx.design_cut` and
:func:`reeflow.plant.sx.design_train`. File formats: see ``examples/sx/*.yaml``. Values may be
plain numbers or ``{value: …}`` records (source/evidence kept in the file); purities accept
``"99.9 %"``. Every key is checked (an unknown key is an error with a "did you mean" hint),
every number must be finite and in range, and stage counts above the engine's limit are
refused before anything is built: bad input raises InputError, which the CLI prints as one
line with exit code 2. An unexpected exception is reported the same way (one line, exit 2),
never as a traceback.
"""

from __future__ import annotations

import argparse
import errno
import functools
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reeflow.core.elements import atomic_mass
from reeflow.core.errors import InputError, ReeflowError
from reeflow.core.numeric import check_flag
from reeflow.core.projectfile import check_range, check_record
from reeflow.core.units import is_dimensionless, to_canonical
from reeflow.plant.sx.bounds import check_concentration, check_feed_rate
from reeflow.plant.sx.cascade import (
    STAGE_LIMIT,
    Cascade,
    Feed,
    SideDraw,
    check_draw,
    check_draw_names,
    check_feed,
    simulate,
)
from reeflow.plant.sx.data import extractant, relative_extractability
from reeflow.plant.sx.design import design_cut
from reeflow.plant.sx.settings import (
    SXDesign,
    at_file_key,
    check_keys,
    field_unit,
    parse_sx_design,
)
from reeflow.plant.sx.train import design_train

__all__ = ["register", "run_simulate", "run_design", "run_train", "OneLineParser"]

META = ("name", "description", "note", "notes")
SIMULATE_KEYS = ("model", "params", "sections", "feeds", "side_draws", "entrainment_aq_frac",
                 "entrainment_org_frac", "murphree_efficiency", "max_iter", *META)
FEED_KEYS = ("stage", "phase", "flow_L_per_h", "mol_per_L", "name")
DRAW_KEYS = ("stage", "phase", "fraction", "name")
DESIGN_KEYS = ("extractant", "feed_kg_per_h", "feed_mol_per_h", "heavy", "purity_organic",
               "purity_aqueous", "optimise_reflux", "reflux_factor", "conditions",
               "separation_factors", "beta_policy", "max_stages", *META)
TRAIN_KEYS = ("extractant", "feed_kg_per_h", "products", "separation_factors", "purity",
              "product_purity", "product_purity_basis", "beta_policy", "rank_by", "conditions",
              "sx", "cost_model", "n_rigorous", "max_stages", *META)
#: top-level keys the project-file form of ``sx train`` reads beside ``plant.separation``
PROJECT_TOP_KEYS = ("feed_kg_per_h", "cost_model", "rank_by", "n_rigorous", "max_stages")
SEPARATION_KEYS = ("method", "products", "placeholder_recovery", "extractant", "product_purity",
                   "product_purity_basis", "separation_factors", "sx")


class OneLineParser(argparse.ArgumentParser):
    """argparse parser whose usage errors are one line on stderr and exit code 2."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        _one_line_error(self, message)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:  # type: ignore[override]
        """Unknown arguments are this sub-command's error (one line), not the root's."""
        ns, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return ns, extras


def _one_line_error(parser: argparse.ArgumentParser, message: str) -> Any:
    text = " ".join(str(message).split())
    sys.stderr.write(f"{parser.prog}: error: {text} (see --help)\n")
    sys.exit(2)


def _short(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Short:
    """A value as an error line shows it (:func:`reeflow.core.errors.shown_value`: a NumPy
    scalar as its number, cut to 120 characters; ``np.float64(0.0)`` had shown, fuzz round
    33), or its type where it cannot be printed."""

    def __init__(self, value: Any) -> None:
        from reeflow.core.errors import shown_value

        try:
            self.text = shown_value(value)
        except Exception:  # noqa: BLE001 - an unprintable value
            self.text = f"<{type(value).__name__}>"

    def __repr__(self) -> str:
        return self.text


def guarded(name: str) -> Callable[[Callable[[argparse.Namespace], int]],
                                   Callable[[argparse.Namespace], int]]:
    """Handler decorator: an unexpected exception becomes one line (ReeflowError, exit 2)."""
    def wrap(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        @functools.wraps(func)
        def inner(args: argparse.Namespace) -> int:
            try:
                return func(args)
            except InputError as exc:  # keep the one line short whatever the input held
                raise InputError(_short(exc.field, 160), _Short(exc.value), exc.allowed[:400],
                                 exc.fix[:300]) from None
            except ReeflowError as exc:
                if len(str(exc)) > 600:
                    raise type(exc)(str(exc)[:600] + " …") from None
                raise
            except BrokenPipeError:  # output piped into e.g. `head`: not an error
                import os

                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                return 0
            except RecursionError:
                raise ReeflowError(f"sx {name}: input nested too deeply") from None
            except OSError as exc:
                if exc.errno in (errno.ENOSPC, errno.EIO, errno.EDQUOT):
                    raise  # a full disk: the CLI's one line (reeflow.cli.run_command)
                raise ReeflowError(f"sx {name}: unexpected OSError: {exc} (this is a bug in "
                                   "reeflow; please report it with the input file)") from None
            except Exception as exc:  # noqa: BLE001 - the CLI promise: never a traceback
                msg = " ".join(str(exc).split())[:300]
                raise ReeflowError(
                    f"sx {name}: unexpected {type(exc).__name__}: {msg} (this is a bug in "
                    "reeflow; please report it with the input file)") from None
        return inner
    return wrap


def register(subparsers: Any) -> Any:
    """Add ``sx`` with ``simulate``, ``design`` and ``train``; returns the ``sx`` sub-parsers.

    The lead wires ``sx fit`` (``reeflow.plant.sx.fit_commands.add_fit_arguments`` /
    ``run_fit``) onto the returned object — the fit command lives in ``fit_commands.py``. The
    returned sub-parsers create :class:`OneLineParser` instances, so ``sx fit`` usage errors
    are one line too.
    """
    sx = subparsers.add_parser("sx", help="solvent-extraction cascades: simulate, design, train")
    sx.error = functools.partial(_one_line_error, sx)  # type: ignore[method-assign]
    sub = sx.add_subparsers(dest="sx_command", required=True, parser_class=OneLineParser)
    for name, func, arg, text in (
        ("simulate", run_simulate, "CASCADE.yaml", "steady state of a specified cascade"),
        ("design", run_design, "SPEC.yaml", "design one cut (Xu start, rigorous n+m)"),
        ("train", run_train, "PROJECT.yaml", "synthesise and design the separation train"),
    ):
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument("file", metavar=arg)
        p.add_argument("--json", action="store_true", help="print one JSON object to stdout")
        p.set_defaults(func=func)
    return sub


def _load(path: str) -> dict[str, Any]:
    from reeflow.core.yamlio import load_yaml_file

    data = load_yaml_file(path, field="file")
    if not isinstance(data, dict):
        raise InputError("file", path, "a YAML mapping at the top level",
                         "write the specification as key: value lines")
    return data


def _num(v: Any, field: str, unit: str = "frac", *, low: float | None = None,
         high: float | None = None) -> float:
    """A finite number (plain, ``{value: …}`` record or a string with a unit) within bounds.
    A record's keys are checked as a project file's are: ``{valu: 450}`` read as no value,
    and ``evidnce`` was ignored (fuzz round 21); its range is checked as a project file's is
    (a reversed range, or a value outside it, was accepted: fuzz round 23)."""
    rng = None
    if isinstance(v, Mapping):
        check_record(v, field)
        if "value" not in v:
            keys = f" (its keys: {', '.join(map(str, v))})" if v else ""
            raise InputError(field, dict(v), "a {value: ...} record",
                             f"add value: to the record{keys}")
        rng = v.get("range")
        v = v["value"]
    if isinstance(v, bool) or v is None:
        raise InputError(field, v, "a number",
                         "write a plain number, e.g. 0.5, or a {value: ...} record")
    plain = _plain_number(v) if isinstance(v, str) else None
    out: float
    if plain is not None:  # "5": in the key's unit, as 5 is
        out = plain
    elif isinstance(v, str):  # with a unit ("5 t/h"; "990 g/kg" is no flow: SX fuzz round 28)
        out = to_canonical(v, unit, field=field)
    else:
        try:
            out = float(v)
        except (TypeError, ValueError):
            raise InputError(field, v, "a number",
                             "write a plain number, e.g. 0.5, or a {value: ...} record") from None
    if not math.isfinite(out):
        raise InputError(field, v, "a finite number", "write a finite number (not nan or inf)")
    if (low is not None and out < low) or (high is not None and out > high):
        raise InputError(field, v, f"{low if low is not None else '-inf'}.."
                         f"{high if high is not None else 'inf'}",
                         "give a value within the range shown")
    if rng is not None:
        check_range(field, out, (rng[0], rng[1]), unit, written=v)
    return out


def _plain_number(text: str) -> float | None:
    """``text`` as a number when it is one alone (no unit), else None."""
    try:
        return float(text)
    except ValueError:
        return None


def _int(v: Any, field: str, low: int, high: int) -> int:
    if isinstance(v, str):  # a count carries no unit: '1e400' or '20 stages' is not a count
        try:
            v = float(v)
        except ValueError:
            raise InputError(field, v, f"an integer {low}..{high}", "write a plain number") \
                from None
    x = _num(v, field)
    if x != int(x):
        raise InputError(field, v, "an integer", "write a whole number, e.g. 10")
    if not low <= x <= high:
        over = (f"give a stage of the cascade, 1 to {high} (it has {high} stages)"
                if field.endswith(".stage") else f"more than {high} is refused up front")
        raise InputError(field, v, f"an integer {low}..{high}",
                         over if x > high else f"give at least {low}")
    return int(x)


def _mapping(v: Any, field: str) -> dict[str, Any]:
    if not isinstance(v, Mapping):
        raise InputError(field, v, "a mapping",
                         "write key: value pairs under this key (a YAML mapping)")
    return dict(v)


def _emit(args: argparse.Namespace, payload: dict[str, Any], lines: list[str]) -> int:
    if getattr(args, "json", False):
        from reeflow.core.jsonio import dumps  # NaN -> null, numpy types: the one converter

        print(dumps(payload))
    else:
        print("\n".join(lines))
    return 0


# ------------------------------------------------------------------------------ simulate

def _sections(raw: Any) -> tuple[tuple[str, int], ...]:
    if not isinstance(raw, list) or not raw:
        raise InputError("sections", raw, "a list of [name, stages] pairs",
                         "e.g. [[extraction, 20], [scrub, 10]]")
    out = []
    total = 0
    for i, item in enumerate(raw):
        if not (isinstance(item, list | tuple) and len(item) == 2):
            raise InputError(f"sections[{i}]", item, "[name, stages]",
                             "write each section as [name, stages], e.g. [extraction, 20]")
        name, n = str(item[0]), _int(item[1], f"sections[{i}].stages", 1, STAGE_LIMIT)
        total += n
        if total > STAGE_LIMIT:
            raise InputError("sections", raw, f"at most {STAGE_LIMIT} stages in all",
                             "split the cascade; larger ones are refused up front")
        out.append((name, n))
    return tuple(out)


def _concs(raw: Any, field: str) -> dict[str, float]:
    """A feed's ``mol_per_L``: each >= 0 and at most the physical ceiling of a liquid
    (55.5 mol/L, the molarity of pure water; basis in :mod:`reeflow.plant.sx.bounds`): H
    1e6 mol/L ran, as did a rare earth at 1e6 mol/L."""
    out = {}
    for k, v in _mapping(raw, field).items():
        out[str(k)] = _num(v, f"{field}.{k}", "mol/L", low=0.0)
        check_concentration(out[str(k)], f"{field}.{k}")
    check_concentration(math.fsum(out.values()), f"{field} (all components)")  # La 30 + Ce 30
    # ran (fuzz round 34)
    return out


#: lower bounds of the parameter tables' entries: extractabilities are > 0, distribution ratios
#: >= 0 (an element that does not extract); any other number must be finite (log10 K may be < 0)
_TABLE_LOW = {"alpha": (0.0, True), "D": (0.0, False)}


def _params(raw: Any, model: str, feeds: tuple[Feed, ...]) -> dict[str, Any]:
    """The model's ``params``, every number in them checked, fed or not (a NaN for an element
    not fed is a typo, not a value the engine may skip); H fed to a model that has no acid
    balance is refused rather than dropped."""
    params = _mapping(raw or {}, "params")

    def walk(v: Any, field: str, low: tuple[float, bool] | None) -> None:
        if isinstance(v, Mapping):
            for k, x in v.items():
                walk(x, f"{field}.{k}", low)
        elif isinstance(v, int | float) and not isinstance(v, bool) and (
                not math.isfinite(v) or (low is not None and (
                    v <= low[0] if low[1] else v < low[0]))):
            bound = "" if low is None else f" {'>' if low[1] else '>='} {low[0]:g}"
            raise InputError(field, v, f"a finite number{bound}",
                             "give a finite number within the bound shown")

    for key, value in params.items():
        walk(value, f"params.{key}", _TABLE_LOW.get(str(key)))
    from reeflow.plant.sx.models import get_model

    if "H" not in get_model(model).EXTRA_COMPONENTS:  # the models that balance the acid
        for i, f in enumerate(feeds):
            if float(f.mol_per_L.get("H", 0.0) or 0.0) > 0:
                raise InputError(f"feeds[{i}].mol_per_L.H", f.mol_per_L["H"],
                                 "no H: the model has no acid balance",
                                 "drop H, or use model: mass_action, which tracks the acid")
    return params


def _feeds(raw: Any, n_total: int) -> tuple[Feed, ...]:
    if not isinstance(raw, list) or not raw:
        raise InputError("feeds", raw, "a list of feeds (stage, phase, flow_L_per_h, "
                         "mol_per_L)",
                         "add feeds: a list of {stage, phase, flow_L_per_h, mol_per_L} (see "
                         "sx/cascade_*.yaml in reeflow examples)")
    out = []
    for i, f in enumerate(raw):
        f = _mapping(f, f"feeds[{i}]")
        check_keys(f, FEED_KEYS, f"feeds[{i}].")
        for key in ("stage", "phase", "flow_L_per_h"):
            if key not in f:
                raise InputError(f"feeds[{i}].{key}", None, "a required field",
                                 "add the missing key to this feed")
        feed = Feed(_int(f["stage"], f"feeds[{i}].stage", 1, n_total), f["phase"],
                    _num(f["flow_L_per_h"], f"feeds[{i}].flow_L_per_h", "L/h", low=0.0),
                    _concs(f.get("mol_per_L", {}) or {}, f"feeds[{i}].mol_per_L"),
                    _name(f.get("name", ""), f"feeds[{i}].name"))
        check_feed(feed, n_total, f"feeds[{i}]")  # the engine's check, named as the file is
        out.append(feed)
    # the rare earths fed, as sx design and train hold them (1e9x the example's flows ran)
    for i, f in enumerate(out):
        check_feed_rate({el: f.flow_L_per_h * c * m / 1000.0 for el, c in f.mol_per_L.items()
                         if el != "H" and (m := _mass(el)) is not None},
                        f"feeds[{i}].mol_per_L")
    return tuple(out)


def _name(v: Any, field: str) -> str:
    if v is None:
        return ""
    if not isinstance(v, str | int | float) or isinstance(v, bool):
        raise InputError(field, _Short(v), "a text label", "write the name as plain text")
    return str(v)


def _draws(raw: Any, n_total: int) -> tuple[SideDraw, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InputError("side_draws", raw, "a list of side draws",
                         "write side_draws as a list of {stage, phase, fraction}, or remove the "
                         "key")
    out = []
    for i, d in enumerate(raw):
        d = _mapping(d, f"side_draws[{i}]")
        check_keys(d, DRAW_KEYS, f"side_draws[{i}].")
        phase: Any = d.get("phase")  # checked by check_draw, as the engine checks it
        draw = SideDraw(_int(d.get("stage"), f"side_draws[{i}].stage", 1, n_total), phase,
                        _num(d.get("fraction"), f"side_draws[{i}].fraction", low=0.0, high=1.0),
                        _name(d.get("name", ""), f"side_draws[{i}].name"))
        check_draw(draw, n_total, f"side_draws[{i}]")  # the engine's check, named as the file is
        out.append(draw)
    check_draw_names(out, "side_draws")
    return tuple(out)


@guarded("simulate")
def run_simulate(args: argparse.Namespace) -> int:
    """Handler of ``sx simulate CASCADE.yaml``."""
    d = _load(args.file)
    check_keys(d, SIMULATE_KEYS, "")
    for key in ("sections", "feeds"):
        if key not in d:
            raise InputError(key, None, "a required field", "see examples/sx/cascade_*.yaml")
    sections = _sections(d["sections"])
    n_total = sum(n for _, n in sections)
    c = Cascade(sections=sections, feeds=_feeds(d["feeds"], n_total),
                side_draws=_draws(d.get("side_draws"), n_total),
                entrainment_aq_frac=_num(d.get("entrainment_aq_frac", 0.0),
                                         "entrainment_aq_frac"),
                entrainment_org_frac=_num(d.get("entrainment_org_frac", 0.0),
                                          "entrainment_org_frac"),
                murphree_efficiency=_num(d.get("murphree_efficiency", 1.0),
                                         "murphree_efficiency"))
    max_iter = d.get("max_iter")
    model = str(d.get("model", "constant_beta"))
    try:
        r = simulate(c, model=model, params=_params(d.get("params"), model, c.feeds),
                     max_iter=None if max_iter is None else _int(max_iter, "max_iter", 1, 10**6))
    except InputError as exc:  # the file's keys are top level: not the API's model.params,
        # cascade.entrainment_aq_frac or model.name (fuzz round 33)
        field = exc.field
        for api, key in (("model.params.", "params."), ("cascade.", ""), ("model.name", "model")):
            if field.startswith(api):
                raise exc.at(key + field.removeprefix(api)) from None
        raise
    payload = r.to_dict()
    payload["purity"] = {o: {e: r.purity(o, [e]) for e in r.elements} for o in r.outlets}
    payload["recovery"] = {o: {e: r.recovery(o, [e]) for e in r.elements} for o in r.outlets}
    lines = [f"converged={r.converged} ({r.strategy}) iterations={r.iterations} "
             f"solve_time={r.solve_time_s * 1e3:.2f} ms stages={len(r.stage_sections)}"]
    for o, flows in r.outlets.items():
        lines.append(f"{o}: " + ", ".join(f"{k} {v:.6g}" for k, v in flows.items()) + " mol/h")
    return _emit(args, payload, lines)


# ------------------------------------------------------------------------------ design

def _feed_mol(d: dict[str, Any]) -> dict[str, float]:
    if "feed_mol_per_h" in d and "feed_kg_per_h" in d:
        raise InputError("feed_kg_per_h", "both", "feed_kg_per_h or feed_mol_per_h, not both",
                         "keep either feed_kg_per_h or feed_mol_per_h and delete the other")
    if "feed_mol_per_h" in d:
        mol = {str(e): _num(v, f"feed_mol_per_h.{e}", "mol/h", low=0.0)
               for e, v in _mapping(d["feed_mol_per_h"], "feed_mol_per_h").items()}
        masses = {e: _mass(e) for e in mol}  # an unknown symbol: refused by _key_pair
        check_feed_rate({e: x * m / 1000.0 for e, x in mol.items()
                         if (m := masses[e]) is not None}, "feed_mol_per_h")
        return mol
    if "feed_kg_per_h" in d:
        out, kg = {}, {}
        for e, v in _mapping(d["feed_kg_per_h"], "feed_kg_per_h").items():
            mass = _mass(str(e))
            if mass is None:
                raise InputError(f"feed_kg_per_h.{e}", e, "an element symbol",
                                 "use element symbols as keys, e.g. Nd: 120")
            kg[str(e)] = _num(v, f"feed_kg_per_h.{e}", "kg/h", low=0.0)
            out[str(e)] = kg[str(e)] * 1000.0 / mass
        check_feed_rate(kg, "feed_kg_per_h")
        return out
    raise InputError("feed_kg_per_h", None, "a feed {element: kg/h} (or feed_mol_per_h)",
                     "add feed_kg_per_h, e.g. {Nd: 120, Pr: 40} (or feed_mol_per_h)")


def _mass(element: str) -> float | None:
    """Atomic mass (g/mol) of a feed's element; None for an unknown symbol."""
    try:
        return atomic_mass(element)
    except Exception:  # noqa: BLE001 - unknown symbol
        return None


def _factors(d: dict[str, Any], feed: Mapping[str, float]) -> dict[str, float] | None:
    """The file's separation factors ("Nd/Pr": 1.4), each a pair of fed elements: a pair
    naming an element the feed does not carry changes nothing, so it is refused as a typo."""
    sf = d.get("separation_factors")
    if not sf:
        return None
    out = {}
    for k, v in _mapping(sf, "separation_factors").items():
        pair = str(k).split("/")
        if len(pair) == 2 and not all(e.strip() in feed for e in pair):
            raise InputError(f"separation_factors.{k}", v,
                             f"a pair of fed elements ({', '.join(feed)})",
                             "drop the pair, or add its elements to feed_kg_per_h")
        beta = _num(v, f"separation_factors.{k}")
        if not 1.0 < beta <= 100.0:  # β 1e9 gave a negative Xu scrub stage count (round 33)
            raise InputError(f"separation_factors.{k}", beta, "> 1 and <= 100, as a project "
                             "file's plant.separation.separation_factors (β of a key pair)",
                             "give the pair's separation factor from a source (e.g. 1.4 for "
                             "Nd/Pr with P507)" if beta <= 1.0 else "check the value: a key "
                             "pair's β is a ratio of distribution ratios, not a distribution "
                             "ratio")
        out[str(k)] = beta
    return out


def _with_units(tree: Mapping[str, Any]) -> dict[str, Any]:
    """Plain numbers in a settings mapping get the field's canonical unit (names carry it)."""
    out: dict[str, Any] = {}
    for k, v in tree.items():
        unit = field_unit(str(k))
        if isinstance(v, Mapping) and "value" in v:
            v = v["value"]
        if unit and not is_dimensionless(unit) and isinstance(v, int | float) \
                and not isinstance(v, bool):
            v = f"{v!r} {unit}"
        out[str(k)] = v
    return out


def _settings(d: dict[str, Any], key: str = "conditions") -> SXDesign:
    raw = d.get(key)
    if raw is None:
        return SXDesign()
    raw = _mapping(raw, key)
    legacy = {"mixer_residence_min": "mixer_residence", "settler_residence_min":
              "settler_residence", "temperature_C": "temperature"}
    for old, new in legacy.items():  # both spellings: one was dropped unsaid (fuzz round 33)
        if old in raw and new in raw:
            raise InputError(f"{key}.{old}", raw[old], f"one of {key}.{old} and {key}.{new}",
                             f"keep {key}.{new} and delete {key}.{old}")
    raw = {legacy.get(k, k): v for k, v in raw.items()}
    return parse_sx_design(_with_units(raw), prefix=f"{key}.")


def _check_fed_sides(feed: Mapping[str, float], heavy: Sequence[str], key: str) -> None:
    """A cut needs an element fed (> 0) on each side: an all-zero feed was refused as "heavy:
    got []" and a zero light side as "cut: got (('Nd',), ())" (fuzz round 34), naming keys
    the file does not have or did not get wrong."""
    fed = [e for e, x in feed.items() if x > 0]
    light = [e for e in fed if e not in heavy]
    if not any(e in heavy for e in fed) or not light:
        side = "heavy" if not any(e in heavy for e in fed) else "light (not in heavy)"
        zero = [e for e, x in feed.items() if not x > 0]
        raise InputError(key, f"{', '.join(zero)} at 0", f"at least one {side} element fed "
                         "at a rate > 0 (a cut splits the heavy elements from the others)",
                         "give the elements' feed rates, or list the fed elements in heavy "
                         "that go to the organic")


@guarded("design")
def run_design(args: argparse.Namespace) -> int:
    """Handler of ``sx design SPEC.yaml``."""
    d = _load(args.file)
    check_keys(d, DESIGN_KEYS, "")
    feed = _feed_mol(d)
    heavy_raw = d.get("heavy", [])
    if not isinstance(heavy_raw, list) or not heavy_raw:
        raise InputError("heavy", heavy_raw, "a non-empty list of element symbols",
                         "list the elements that go to the organic")
    heavy = [str(e) for e in heavy_raw]
    absent = [e for e in heavy if e not in feed]
    if absent:
        raise InputError("heavy", absent, f"elements of the feed ({', '.join(feed)})",
                         "list only fed elements, or add them to the feed")
    _check_fed_sides(feed, heavy, "feed_mol_per_h" if "feed_mol_per_h" in d else "feed_kg_per_h")
    name = str(d.get("extractant", "P507"))
    settings = _settings(d)
    alpha = relative_extractability(name, list(feed), _key_pair(feed, heavy, name),
                                    overrides=_factors(d, feed),
                                    policy=str(d.get("beta_policy", "low")),
                                    temperature_C=settings.temperature)
    cd = design_cut(feed, heavy, alpha=alpha,
                    purity_organic=_num(d.get("purity_organic", 0.999), "purity_organic"),
                    purity_aqueous=_num(d.get("purity_aqueous", 0.999), "purity_aqueous"),
                    reflux_factor=_num(d.get("reflux_factor", 1.0), "reflux_factor"),
                    optimise_reflux=_bool(d.get("optimise_reflux", False), "optimise_reflux"),
                    conditions=settings.to_conditions(name),
                    max_stages=_int(d.get("max_stages", 600), "max_stages", 2, STAGE_LIMIT))
    payload = cd.to_dict(profiles=True)
    lines = [f"cut {'+'.join(cd.light)} | {'+'.join(cd.heavy)}  beta_key={cd.beta_key:.4g} "
             f"({cd.xu.controlling_section} section controls)",
             f"stages: extraction {cd.n_extraction} + scrub {cd.n_scrub} + strip {cd.n_strip}; "
             f"feed to stage {cd.feed_stage}",
             f"purity organic {cd.purity_organic:.6f}, aqueous {cd.purity_aqueous:.6f}",
             "flows L/h: " + ", ".join(f"{k} {v:.4g}" for k, v in cd.flows_L_per_h.items()),
             "O/A: " + ", ".join(f"{k} {v:.3g}" for k, v in (cd.operating.oa.items()
                                                              if cd.operating else [])),
             "reagents kg/h: " + ", ".join(f"{k} {v:.4g}" for k, v in cd.reagents_kg_per_h.items()),
             f"organic inventory {cd.organic_inventory_m3:.3g} m3, mixer-settlers "
             f"{cd.mixer_settler_volume_m3:.3g} m3"]
    return _emit(args, payload, lines)


def _bool(v: Any, field: str) -> bool:
    return check_flag(field, v)


def _key_pair(feed, heavy, name) -> list[tuple[str, str]]:
    order = [e for e in extractant(name)["order"]["value"] if e in feed]
    unknown = [e for e in list(feed) + heavy if e not in extractant(name)["order"]["value"]]
    if unknown:
        raise InputError("feed", unknown, f"elements of the {name} order",
                         "drop the elements the extractant's order lacks, or choose another "
                         "extractant")
    hs = [e for e in order if e in heavy]
    ls = [e for e in order if e not in heavy]
    return [(hs[0], ls[-1])] if hs and ls else []


# ------------------------------------------------------------------------------ train

def _train_settings(d: dict[str, Any]) -> dict[str, Any]:
    """The train's settings of a train file, or of a project file: its ``plant.separation``
    and the top-level ``PROJECT_TOP_KEYS``. A train key the project form does not read at the
    top level (``purity: 90 %`` beside ``plant:``) is refused: it was ignored (review of
    fuzz round 27)."""
    if "plant" in d:  # a project file: only plant.separation and PROJECT_TOP_KEYS are read
        plant = _mapping(d["plant"], "plant")
        sep = _mapping(plant.get("separation", {}) or {}, "plant.separation")
        check_keys(sep, SEPARATION_KEYS, "plant.separation.")
        unread = [k for k in d if k in TRAIN_KEYS and k not in PROJECT_TOP_KEYS + META]
        if unread:
            k = unread[0]
            raise InputError(k, d[k], f"in a project file, only {', '.join(PROJECT_TOP_KEYS)}"
                             " at the top level (the rest under plant.separation)",
                             "write it as plant.separation.product_purity" if k == "purity" else
                             "move it under plant.separation" if k in SEPARATION_KEYS else
                             "a project file designs with the low factors and the conditions "
                             "of plant.separation.sx: drop it, or drop plant: to write a train "
                             "file")
        out = {k: v for k, v in sep.items() if k not in ("method", "placeholder_recovery")}
        for key in PROJECT_TOP_KEYS:
            if key in d:
                out[key] = d[key]
        return out
    check_keys(d, TRAIN_KEYS, "")
    return dict(d)


def _products(raw: Any) -> Any:
    if raw is None:
        return None
    if isinstance(raw, Mapping):
        out = {}
        for k, v in raw.items():
            if isinstance(v, Mapping) and "value" in v:
                v = v["value"]
            if not isinstance(v, list) or not v or not all(isinstance(e, str) for e in v):
                raise InputError(f"products.{k}", v, "a non-empty list of element symbols",
                                 "write the product as a list of element symbols, e.g. [La, Ce]")
            out[str(k)] = v
        return out
    if isinstance(raw, list) and all(isinstance(g, list) and g and all(
            isinstance(e, str) for e in g) for g in raw):
        return raw
    raise InputError("products", raw, "{name: [elements]} or a list of element lists",
                     "write products as {name: [elements]} or as [[La, Ce], [Pr, Nd]]")


def _purity(v: Any, key: str) -> float | dict[str, float]:
    """One purity for every product, or {product: purity} (a map without a ``value`` key);
    errors name ``key``, as the file wrote it (``purity`` or ``product_purity``)."""
    if isinstance(v, Mapping) and "value" not in v:
        return {str(k): _num(x, f"{key}.{k}") for k, x in v.items()}
    if isinstance(v, list):  # refused as "a number", the mapping form unnamed (fuzz round 21)
        raise InputError(key, v, "one purity, or {product: purity} naming every product",
                         f"write e.g. {key}: 99.9 % or {key}: {{La: 99 %, NdPr: 99.5 %, …}}")
    return _num(v, key)


@guarded("train")
def run_train(args: argparse.Namespace) -> int:
    """Handler of ``sx train FILE``: a train file (the top-level keys of ``TRAIN_KEYS``) or a
    project file (``plant.separation`` and the top-level ``PROJECT_TOP_KEYS``), whose
    ``extends`` chain is merged as the project loader merges it (a child of the case was
    designed without the case's products and factors, fuzz round 27). Errors name the keys as
    the file wrote them (``plant.separation.product_purity_basis``, fuzz round 26)."""
    raw = _load(args.file)
    if "extends" in raw:
        from reeflow.project import merged_tree

        merged = merged_tree(args.file)
        # a train file's extends stays an unknown key: merged key by key, its child could not
        # drop a parent's feed element or product (review of round 27)
        raw = merged if "plant" in merged else raw
    d = _train_settings(raw)
    if "product_purity" in d and "purity" in d:  # product_purity won silently (fuzz round 21)
        raise InputError("purity", d["purity"], "one of purity and product_purity",
                         "keep one of the two keys (they name the same spec)")
    where = "plant.separation." if "plant" in raw else ""
    sx = d.get("sx")
    key = "product_purity" if "product_purity" in d else "purity" if "purity" in d else \
        "sx.purity" if isinstance(sx, Mapping) and "purity" in sx else \
        "product_purity" if where else "purity"  # the default's name: each form's own key
    try:
        return _train(args, d, key, where + key)
    except InputError as e:
        renamed = at_file_key(e, prefix=where, heads=SEPARATION_KEYS if where else (),
                              purity_key=key)
        if renamed is not e:
            raise renamed from None
        raise


def _train(args: argparse.Namespace, d: dict[str, Any], key: str, purity_path: str) -> int:
    """Design the train of the settings ``d`` and print it; ``key``: the purity's key in
    ``d`` (``purity_path``: its path in the file, which an infeasible spec names)."""
    if "feed_kg_per_h" not in d:
        raise InputError("feed_kg_per_h", None, "the train's feed {element: kg/h}",
                         "add feed_kg_per_h to the file (the study passes it from the flowsheet)")
    feed = {str(e): _num(v, f"feed_kg_per_h.{e}", "kg/h", low=0.0)
            for e, v in _mapping(d["feed_kg_per_h"], "feed_kg_per_h").items()}
    check_feed_rate(feed, "feed_kg_per_h")  # La: 1e9 kg/h (8.8 Gt/a) ran for 70 s
    name = str(d.get("extractant", "P507"))
    if "sx" in d and "conditions" in d:  # conditions: was never read (fuzz round 33)
        raise InputError("conditions", d["conditions"], "one settings block: sx: (a project "
                         "file's plant.separation.sx) or conditions:", "merge conditions: into "
                         "sx: and delete it")
    block = "sx" if "sx" in d else "conditions"
    settings = _settings(d, block)
    kw = settings.train_kwargs(name)
    if key in d and kw.get("purity") is not None:  # sx.purity was dropped unsaid (round 33)
        raise InputError(f"{block}.purity", kw["purity"], f"one purity: {key} or "
                         f"{block}.purity", f"keep {key} and delete {block}.purity")
    purity = d.get(key, kw.pop("purity", 0.999))
    cost = d.get("cost_model")
    basis = d.get("product_purity_basis", "mole")  # the project file's choice, the study's
    r = design_train(
        feed, purity=_purity(purity, key), purity_basis=basis, purity_field=purity_path,
        extractant=kw.pop("extractant", name), products=_products(d.get("products")),
        separation_factors=_factors(d, feed), beta_policy=str(d.get("beta_policy", "low")),
        rank_by=str(d.get("rank_by", kw.pop("rank_by", "cost"))), conditions=kw.pop("conditions"),
        cost_model=None if cost is None else {str(k): _num(v, f"cost_model.{k}", low=0.0)
                                              for k, v in _mapping(cost, "cost_model").items()},
        n_rigorous=_int(d.get("n_rigorous", kw.pop("n_rigorous", 3)), "n_rigorous", 1, 42),
        max_stages=_int(d.get("max_stages", kw.pop("max_stages", 600)), "max_stages", 2,
                        STAGE_LIMIT))
    wanted = r.product_purity_spec
    lines = [f"train ({r.extractant}): " + " -> ".join(r.sequence),
             f"total stages {r.total_stages}, organic inventory {r.organic_inventory_m3:.3g} m3, "
             f"mixer-settlers {r.mixer_settler_volume_m3:.3g} m3, solve {r.solve_time_s:.2f} s",
             "reagents kg/h: " + ", ".join(f"{k} {v:.4g}" for k, v in r.reagents_kg_per_h.items()),
             f"cost {r.cost.get('total_usd_per_a', math.nan):.4g} USD/a (ranked by {r.rank_by})"]
    oxide = r.oxide_purity()
    for p in r.products:
        spec = (f"spec {wanted[p]:g} by oxide mass, designed to {r.purity_spec[p]:.6g} by mole"
                if basis == "oxide_mass" else f"spec {r.purity_spec[p]:g}")
        lines.append(f"  {p}: purity {r.purity[p]:.5f} ({spec}), by oxide mass "
                     f"{oxide[p]:.5f}, recovery {r.recovery[p]:.5f}")
    short = [p for p, ok in r.meets_product_spec.items() if basis == "oxide_mass" and not ok]
    if short:  # the redesigns stopped short (the study's consistency check says the same)
        lines.append("below the spec by oxide mass: " + ", ".join(short))
    if r.not_fed:  # named, but the feed lacks them: left out of the train (fuzz round 23)
        lines.append("not in the feed, left out: " + "; ".join(
            f"{n}: {', '.join(els)}" for n, els in r.not_fed.items()))
    lines.append("alternatives:")
    for e in r.ranking[1:6]:
        lines.append(f"  {' -> '.join(e['sequence'])}: {e.get('cost_usd_per_a', math.nan):.4g} "
                     f"USD/a, {e.get('total_stages')} stages ({e['basis']})")
    # the spec as written and its basis, as the study's summary has them
    return _emit(args, r.to_dict(), lines)
