"""Command line: ``reeflow study`` and each room's subcommands (thin over library functions).

Every :class:`~reeflow.core.errors.ReeflowError` is printed as one line and exits with code 2;
nothing partial is written (outputs are written to a temporary folder and moved into place).

Start-up is lazy: building the parser imports no room. The rooms' subcommands are listed in
:data:`ROOM_COMMANDS` with their one-line help; a room's command module is imported only when
one of its commands is parsed (:mod:`reeflow.cli_help`), so ``reeflow --help`` and every command
pay only for the room they run. Any file argument may be written ``builtin:NAME`` (a shipped
example, :mod:`reeflow.example_inputs`).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import shlex
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from reeflow import __version__
from reeflow.cli_help import HelpFormatter, LazySubParsers, command_epilog, load_callable
from reeflow.core.errors import InputError, ReeflowError

__all__ = ["main", "build_parser", "run_command", "ROOM_COMMANDS", "full_parser"]

#: Room commands, loaded on demand: command -> (loader, one-line help). The loader is
#: ``"module"`` (its ``register(subparsers)`` adds the command) or ``"module:function"``. The
#: help text must be the one the loader registers (a test checks it).
ROOM_COMMANDS: dict[str, tuple[str, str]] = {
    "resource": ("reeflow.deposit.commands", "resource statement (built-in SYNTHETIC "
                 "example deposit when PROJECT is omitted)"),
    "krige": ("reeflow.deposit.commands", "ordinary kriging of a block model"),
    "pit": ("reeflow.mine.commands", "ultimate pit (exact max closure) of a block model"),
    "schedule": ("reeflow.mine.commands", "MineLib CPIT, or a project's mine plan by year"),
    "econ": ("reeflow.economics.commands", "economics: price decks, study validation, DCF"),
    "market": ("reeflow.market.commands", "world rare-earth shares and HHI (USGS MCS, IEA)"),
    "report": ("reeflow.report.commands", "re-render report.html from a saved results.json "
               "(offline, no study run)"),
    "sx": ("reeflow.cli:register_sx", "solvent-extraction cascades: simulate, design, train"),
    "compare": ("reeflow.compare", "run two or more projects and compare them side by side "
                "(KPIs, NPV bridge, cash flows, claims, input diffs)"),
    "serve": ("reeflow.web.commands", "web app and REST API with persistent studies (needs "
              "reeflow[web])"),
}
#: Command modules registered eagerly (every start-up pays for their imports): prefer
#: :data:`ROOM_COMMANDS`.
COMMAND_MODULES: tuple[str, ...] = ()


def _study(args: argparse.Namespace) -> int:
    from reeflow.cli_progress import StepProgress
    from reeflow.risk.backends import check_workers, default_workers
    from reeflow.study import run_study

    workers = default_workers() if args.workers is None else check_workers(args.workers)
    progress = StepProgress(enabled=not args.quiet and not args.json)
    result = run_study(args.project, out_dir=args.out, progress=progress,  # type: ignore[arg-type]
                       workers=workers, force=args.force, cache=not args.no_cache)
    progress.close()
    if args.json:
        from reeflow.core.jsonio import dumps

        print(dumps(result.summary(), indent=2))
    else:
        print(result.summary_text())
    return 0


def _validate(args: argparse.Namespace) -> int:
    """Load and validate a project file (every field, unit, bound and stated range) without
    running the chain; exit 2 with the first problem."""
    from reeflow.project import load_project
    from reeflow.study import check_project

    loaded = load_project(args.project)
    p = loaded.project
    n_claims, findings = check_project(loaded)
    summary = {"project": p.name, "path": loaded.path, "valid": True, "claims": n_claims,
               "drillhole_findings": findings,
               "inputs_with_provenance": len(loaded.provenance),
               "inputs_with_ranges": sum(1 for v in loaded.provenance.values() if v.range),
               "assumed_inputs": sum(1 for v in loaded.provenance.values()
                                     if v.evidence == "assumed")}
    if args.json:
        from reeflow.core.jsonio import dumps

        print(dumps(summary, indent=2))
    else:
        print(f"{loaded.path}: valid ({summary['inputs_with_provenance']} sourced inputs, "
              f"{summary['assumed_inputs']} assumed, {summary['inputs_with_ranges']} with ranges)")
        if findings:
            n = len(findings)
            print(f"{n} drillhole findings; the first 10:" if n > 10 else
                  f"{n} drillhole finding{'s' if n > 1 else ''}:")
            print("\n".join(f"  {line}" for line in findings[:10]))
    return 0


def _schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of results.json (or of the project file with --project)."""
    from reeflow.core.jsonio import dumps

    if args.project:
        from reeflow.core.fileschema import file_schema
        from reeflow.project import Project

        schema = file_schema(Project.model_json_schema(by_alias=True))
    else:
        from reeflow.results import json_schema

        schema = json_schema()
    print(dumps(schema, indent=2))
    return 0


def _risk(args: argparse.Namespace) -> int:
    """Whole-chain Monte Carlo: P10/P50/P90 of NPV, probability of loss, value at risk."""
    from reeflow.risk import run_risk

    if args.out is not None and not args.out.strip():
        raise InputError("--out", args.out, "a folder name", "give a folder, e.g. --out "
                         "risk-out, or drop --out to write nothing")
    if args.out:
        from reeflow.core.io import check_output_folder

        check_output_folder(args.out, names=("risk.json", "risk_draws.csv"), force=args.force)
    inputs = [s.strip() for s in args.inputs.split(",") if s.strip()] \
        if args.inputs is not None else None
    if inputs is not None and not inputs:
        raise InputError("--inputs", args.inputs, "one or more project paths, comma-separated",
                         "name inputs with a stated range, e.g. --inputs ore.treo_grade, or "
                         "drop --inputs to draw every ranged input")
    from reeflow.risk.engine import MAX_PLANS

    if not 1 <= args.plans <= MAX_PLANS:  # named as the flag; run_risk checks its argument
        raise InputError("--plans", args.plans, f"1..{MAX_PLANS} mine plans for the fast path",
                         "give e.g. --plans 13 (the default)")
    if args.realisations is not None and not 0 <= args.realisations <= 1000:
        raise InputError("--realisations", args.realisations, "0..1000 SGS realisations "
                         "(0: the kriged estimate)", "give e.g. --realisations 0")
    try:
        res = run_risk(args.project, draws=args.draws, seed=args.seed, inputs=inputs,
                       workers=args.workers, scheduler=args.scheduler,
                       realisations=args.realisations, method=args.method, n_plans=args.plans,
                       progress=not (args.json or args.quiet))
    except InputError as exc:  # an input the user named with --inputs, not the project file's
        if inputs is not None and exc.field.startswith("risk.inputs"):
            raise exc.at(exc.field.replace("risk.inputs", "--inputs", 1)) from exc
        raise
    summary = {**res.summary(), "backend": res.backend, "times_s": res.times_s}
    if args.out:
        from reeflow.core.io import write_outputs
        from reeflow.core.jsonio import dumps

        files = {"risk.json": dumps({"risk": res.section(), "summary": summary}, indent=1),
                 "risk_draws.csv": res.table().to_csv(index=False)}
        summary["files"] = [str(p) for p in write_outputs(args.out, files,
                                                          force=args.force).values()]
    if args.json:
        from reeflow.core.jsonio import dumps

        print(dumps(summary, indent=2))
    else:
        print(risk_text(summary))
    return 0


def risk_text(summary: dict[str, Any]) -> str:
    """The human summary of ``reeflow risk``: NPV percentiles in MUSD, probability of loss."""
    from reeflow.cli_output import render_pairs

    def musd(key: str) -> float | None:
        v = summary.get(key)
        return None if v is None else v / 1e6

    prob = summary.get("prob_loss")
    text = render_pairs([("NPV P10", musd("p10_usd"), "MUSD"),
                         ("NPV P50", musd("p50_usd"), "MUSD"),
                         ("NPV P90", musd("p90_usd"), "MUSD"),
                         ("NPV mean", musd("mean_usd"), "MUSD"),
                         ("value at risk (95 %; below 0: no loss at P5)", musd("var95_usd"),
                          "MUSD"),
                         ("probability NPV < 0", None if prob is None else 100 * prob, "%")],
                        title=f"whole-chain Monte Carlo ({summary.get('method', '')}): "
                              f"{summary['draws']} draws ({summary.get('feasible_draws')} "
                              f"feasible), seed {summary['seed']}", digits=3)
    if summary.get("infeasible_note"):
        text += f"\nnote: {summary['infeasible_note']}"
    files = summary.get("files") or []
    return text + "".join(f"\nwrote {f}" for f in files)


def _examples(args: argparse.Namespace) -> int:
    """List the shipped example inputs, or copy them with a commands.txt (``--copy DIR``)."""
    from reeflow import example_inputs as ex

    if args.copy:
        written = ex.copy_examples(args.copy, force=args.force)
        if args.json:
            from reeflow.core.jsonio import dumps

            print(dumps({"folder": args.copy, "files": [str(p) for p in written]}))
        else:
            print(f"copied {len(written) - 1} example inputs and commands.txt into {args.copy}\n"
                  f"  cd {shlex.quote(str(args.copy))} && cat commands.txt   "
                  "# one runnable line per command")
        return 0
    names = ex.builtin_names()
    files = ex.example_files()
    if args.json:
        from reeflow.core.jsonio import dumps

        aliases: dict[str, list[str]] = {}
        for name, rel in names.items():
            aliases.setdefault(rel, []).append(ex.PREFIX + name)
        print(dumps({rel: {"path": str(path), "name": ex.builtin_name(rel, names),
                           "aliases": sorted(aliases.get(rel, []))}
                     for rel, path in files.items()}))
        return 0
    from reeflow.cli_output import Column, render_table

    rows = [{"file": rel, "name": ex.builtin_name(rel, names)} for rel in files]
    print(render_table(rows, [Column("file", "example file"), Column("name", "builtin name")],
                       title="shipped example inputs: write builtin:NAME for any file argument"))
    print("copy them all, with commands.txt: reeflow examples --copy DIR")
    return 0


def _completion(args: argparse.Namespace) -> int:
    from reeflow.cli_completion import completion_script

    print(completion_script(full_parser(), args.shell))
    return 0


def _add_risk(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser("risk", help="whole-chain Monte Carlo (plant, SX, mine plan, cash flow "
                                    "per draw): P10/P50/P90 of NPV, probability of loss")
    r.add_argument("project", nargs="?", default=None,
                   help="project YAML or builtin:NAME (default: the default built-in case)")
    r.add_argument("--draws", type=int, default=None,
                   help="number of draws (default: the project's economics.monte_carlo_draws)")
    r.add_argument("--seed", type=int, default=None,
                   help="random seed (default: the project's economics.seed)")
    r.add_argument("--inputs", default=None,
                   help="comma-separated project paths to draw (default: the project's "
                        "risk.inputs, else every input with a range)")
    r.add_argument("--workers", type=int, default=None,
                   help="local worker processes (default: the CPUs available)")
    r.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run on an existing Dask distributed cluster (tcp://host:8786)")
    r.add_argument("--realisations", type=int, default=None,
                   help="SGS realisations of the block model (default: the project's "
                        "risk.realisations)")
    r.add_argument("--method", choices=("auto", "fast", "rigorous"), default="auto",
                   help="fast path (auto/fast) or the rigorous chain per draw")
    r.add_argument("--plans", type=int, default=13,
                   help="mine plans in the library (revenue factors; default 13)")
    r.add_argument("--out", default=None, help="also write risk.json and risk_draws.csv here")
    r.add_argument("--force", action="store_true",
                   help="replace risk.json / risk_draws.csv that reeflow did not write")
    r.add_argument("--json", action="store_true", help="print the summary as JSON (no progress)")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.set_defaults(func=_risk)


class _Parser(argparse.ArgumentParser):
    """argparse with the reeflow error contract (one line on stderr, exit code 2), defaults in
    the help and each command's examples as its epilog."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def format_help(self) -> str:
        if self.epilog is None:
            self.epilog = command_epilog(self.prog)
        return super().format_help()

    def error(self, message: str) -> NoReturn:
        # argparse quotes the value it refused: a pasted 10 kB argument must not bury the line
        # (the same bound an InputError line keeps)
        from reeflow.core.errors import cut_text

        self.exit(2, f"{self.prog}: error: {cut_text(' '.join(message.split()), 600)} "
                     f"(see `{self.prog} --help`)\n")

    def _print_message(self, message: str, file: Any = None) -> None:
        # argparse drops a failed write, so `reeflow --help > /dev/full` exited 0 with nothing
        # written (fuzz round 35); the error now reaches main, which reports it (exit 1)
        file = file or sys.stderr
        if message and file is not None:  # none when started with it closed (2>&-)
            file.write(message)


_TOP_EPILOG = """examples:
  reeflow study --out reeflow-out          the default built-in case's study (report.html, results.json)
  reeflow examples --copy my-examples      every example input, and commands.txt to run them
  reeflow pit --help                       a command's options, defaults and examples

any file argument may be builtin:NAME (a shipped example; list them: reeflow examples)"""


#: Order of the commands in ``reeflow --help``: the chain's order, then the tools.
COMMAND_ORDER = ("study", "validate", "resource", "krige", "pit", "schedule", "sx", "econ",
                 "market", "risk", "report", "serve", "schema", "examples", "completion")


def build_parser() -> argparse.ArgumentParser:
    """The reeflow parser; the rooms' commands are stubs until used (imports no room)."""
    parser = _Parser(prog="reeflow", epilog=_TOP_EPILOG, description="Rare-earth projects "
                     "from drillholes to separated oxides to an investment case.")
    parser.register("action", "parsers", LazySubParsers)
    parser.add_argument("--version", action="version", version=f"reeflow {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    assert isinstance(sub, LazySubParsers)
    core = {"study": _add_study, "risk": _add_risk, "validate": _add_validate,
            "schema": _add_schema, "examples": _add_examples, "completion": _add_completion}
    names = [*COMMAND_ORDER, *(n for n in (*core, *ROOM_COMMANDS) if n not in COMMAND_ORDER)]
    for name in names:
        if name in core:
            core[name](sub)
        elif name in ROOM_COMMANDS:
            sub.add_lazy(name, *ROOM_COMMANDS[name])
    for module in COMMAND_MODULES:
        load_callable(module)(sub)
    return parser


def _add_study(sub: Any) -> None:
    p = sub.add_parser("study", help="run the whole chain and write report.html + results.json")
    p.add_argument("project", nargs="?", default=None,
                   help="project YAML or builtin:NAME (default: the default built-in case)")
    p.add_argument("--out", default="reeflow-out", help="output folder (never emptied)")
    p.add_argument("--force", action="store_true",
                   help="replace output files of the study's names that reeflow did not write "
                        "(e.g. an older version's)")
    p.add_argument("--json", action="store_true", help="print the KPI summary as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--workers", type=int, default=None,
                   help="worker processes for the sensitivities and claim what-ifs (default: "
                        "REEFLOW_WORKERS, else the CPUs available; 1: none)")
    p.add_argument("--no-cache", action="store_true",
                   help="compute every step (default: read the results of steps whose inputs "
                        "did not change from the user's cache folder, REEFLOW_CACHE_DIR; "
                        "REEFLOW_NO_CACHE=1 also turns it off)")
    p.set_defaults(func=_study)


def _add_validate(sub: Any) -> None:
    v = sub.add_parser("validate", help="check a project file without running the study")
    v.add_argument("project", nargs="?", default=None,
                   help="project YAML or builtin:NAME (default: the default built-in case)")
    v.add_argument("--json", action="store_true", help="print the result as JSON")
    v.set_defaults(func=_validate)


def _add_schema(sub: Any) -> None:
    sc = sub.add_parser("schema", help="print the JSON Schema of results.json (or of a project "
                                       "file with --project)")
    sc.add_argument("--project", action="store_true",
                    help="the schema of a project file instead of results.json")
    sc.set_defaults(func=_schema)


def _add_examples(sub: Any) -> None:
    e = sub.add_parser("examples", help="list the shipped example inputs, or copy them all "
                                        "with a commands.txt (--copy DIR)")
    e.add_argument("--copy", metavar="DIR", default=None,
                   help="copy every example input and commands.txt into DIR (created if missing)")
    e.add_argument("--force", action="store_true",
                   help="replace example files already in DIR (other files are never touched)")
    e.add_argument("--json", action="store_true", help="print one JSON object")
    e.set_defaults(func=_examples)


def _add_completion(sub: Any) -> None:
    c = sub.add_parser("completion", help="print a shell completion script (bash, zsh, fish)")
    c.add_argument("shell", choices=("bash", "zsh", "fish"), help="the shell to complete in")
    c.set_defaults(func=_completion)


def full_parser() -> argparse.ArgumentParser:
    """The parser with every room's commands loaded (shell completion, docs)."""
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, LazySubParsers):
            action.load_all()
    return parser


#: Descriptions of the SX commands' file arguments (the room registers them by metavar only).
_SX_FILES = {"CASCADE.yaml": "cascade YAML: stages, feeds, flows, extractant (see "
                             "`reeflow examples`, sx/cascade_*.yaml)",
             "SPEC.yaml": "cut specification YAML: feed, key pair, purities (sx/design_ndpr.yaml)",
             "PROJECT.yaml": "train YAML: extractant, feed, products, separation factors "
                             "(sx/train_beylikova.yaml)"}


def register_sx(sub: Any) -> None:
    """``reeflow sx simulate|design|train`` (SX core) and ``reeflow sx fit`` (fit module)."""
    from reeflow.plant.sx import commands, fit_commands

    sx_sub = commands.register(sub)
    p = sx_sub.add_parser("fit", help="fit distribution-model parameters to shake-out data")
    fit_commands.add_fit_arguments(p)
    p.set_defaults(func=fit_commands.run_fit)
    for parser in sx_sub.choices.values():
        for action in parser._actions:
            if not action.option_strings and not action.help:
                action.help = _SX_FILES.get(str(action.metavar))


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def resolve_builtin_args(args: argparse.Namespace) -> argparse.Namespace:
    """Replace every ``builtin:NAME`` argument (a string or list of strings) by the path of that
    shipped example; other values are left alone."""
    from reeflow.example_inputs import PREFIX, resolve
    from reeflow.project import builtin_project_path

    def one(value: str, key: str) -> str:
        if key in ("project", "projects"):  # a project file: among the shipped YAML files
            # only (a README or a CSV was read as YAML; fuzz round 23)
            return str(builtin_project_path(value[len(PREFIX):]))
        return resolve(value, field=key)

    for key, value in vars(args).items():
        if isinstance(value, str) and value.startswith(PREFIX):
            setattr(args, key, one(value, key))
        elif isinstance(value, list) and any(isinstance(v, str) and v.startswith(PREFIX)
                                             for v in value):
            setattr(args, key, [one(v, key) if isinstance(v, str) and v.startswith(PREFIX)
                                else v for v in value])
    return args


def run_command(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command handler under the error contract of every reeflow command.

    - :class:`ReeflowError` (bad input, infeasible spec, non-convergence): one line, exit 2;
    - anything unexpected: one line naming the error, exit 1; the traceback only with
      ``REEFLOW_DEBUG=1``;
    - Ctrl-C: exit 130; a closed stdout pipe (``| head``): exit 0 quietly.
    """
    try:
        return _flushed(int(func(resolve_builtin_args(args))))
    except ReeflowError as exc:
        print(f"reeflow: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("reeflow: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # a closed pipe, a full disk
        return _unwritten(exc)
    except Exception as exc:  # the contract: no traceback reaches a user
        return _internal(exc)


def _flushed(rc: int) -> int:
    """``rc`` once stdout is flushed: a full disk fails here, not in the flush at exit."""
    if sys.stdout is not None:  # none when started with stdout closed (>&-)
        sys.stdout.flush()
    return rc


def _unwritten(exc: OSError) -> int:
    """A full or failing disk (e.g. ``> /dev/full``): one line, exit 1; a closed pipe (``|
    head``): exit 0 quietly; any other OSError is unexpected (:func:`_internal`)."""
    if isinstance(exc, BrokenPipeError):  # argparse's --help into a pipe already closed
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0
    if exc.errno in (errno.ENOSPC, errno.EIO, errno.EDQUOT):
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - drop the unwritten rest
        print(f"reeflow: error: cannot write the output: {exc.strerror}", file=sys.stderr)
        return 1
    return _internal(exc)


def _internal(exc: BaseException) -> int:
    """An unexpected error: one line, exit 1 (the traceback with ``REEFLOW_DEBUG=1``)."""
    if os.environ.get("REEFLOW_DEBUG") == "1":
        traceback.print_exc()
    print(f"reeflow: internal error: {type(exc).__name__}: {_one_line(exc)[:300]} "
          "(a defect: set REEFLOW_DEBUG=1 for the traceback and please report it)",
          file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code (2 on bad input or infeasible specs, 1 on an
    unexpected error, 0 on success)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        rc = int(exc.code) if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        try:  # what argparse printed reaches its file here (`--version > /dev/full`: exit 1)
            return _flushed(rc)
        except OSError as err:
            return _unwritten(err)
    except Exception as exc:  # a room's command module failed to load: same contract
        return run_command(_raiser(exc), argparse.Namespace())
    if args.command in _COMPILING_COMMANDS and not getattr(args, "json", False):
        from reeflow.cli_progress import announce_compilation

        announce_compilation()
    return run_command(args.func, args)


#: Commands whose rooms compile Numba kernels on their first run (cached afterwards).
_COMPILING_COMMANDS = frozenset({"study", "risk", "resource", "krige", "sx", "pit", "schedule"})


def _raiser(exc: Exception) -> Callable[[argparse.Namespace], int]:
    def raise_it(_: argparse.Namespace) -> int:
        raise exc

    return raise_it


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
