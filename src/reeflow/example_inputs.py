"""The example inputs that ship with reeflow: their ``builtin:`` names, a copy for the user, and
one runnable command line per subcommand.

Two folders ship inside the package: the built-in cases (``reeflow/cases/<name>/``: a project
file with its fiscal terms, claims, synthetic-deposit parameters and scenarios) and the example
inputs (``reeflow/examples/``: SX cascades and specs, a shake-out CSV, the Babbitt drillholes, a
block model with its economics and mine plan, an economics inputs file). The user sees them as
one tree, ``<case>/...`` and ``<example folder>/...``, which is also the layout
``reeflow examples --copy DIR`` writes.

``builtin:NAME`` names any of these files wherever a command takes a file: ``NAME`` is the
file's path in that tree, with or without its suffix (``builtin:sx/cascade_xu_e1``), a case name
for its project file (``builtin:beylikova``), or the file's stem where that is unique
(``builtin:shakeout_example``). :func:`resolve` turns it into a path.

:data:`COMMANDS` lists one command line per subcommand, written to run from inside the copied
folder; the same lines are the ``Examples`` of each command's ``--help`` (with ``builtin:``
names there, so they run from anywhere). This module imports nothing heavy: it is read by the
command line's help.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reeflow.core.data import CASES_DIR
from reeflow.core.errors import InputError, did_you_mean

__all__ = ["ExampleCommand", "COMMANDS", "example_files", "builtin_names", "resolve",
           "copy_examples", "commands_text", "help_examples", "builtin_name", "PREFIX",
           "builtin_path"]

PREFIX = "builtin:"
_PACKAGE = Path(__file__).resolve().parent
_CASES = CASES_DIR
_EXAMPLES = _PACKAGE / "examples"
#: Files that are not example inputs (build leftovers, editor files).
_SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints"}
_SKIP_SUFFIXES = {".pyc", ".pyo"}
_SKIP_NAMES = {"GALLERY_HEADER.txt"}  # the docs gallery's header of a folder, not an input


@dataclass(frozen=True)
class ExampleCommand:
    """One runnable example: the subcommand it shows and its arguments (paths relative to the
    examples tree); ``slow`` when it runs the whole chain (tens of seconds); ``server`` when it
    runs until stopped."""

    command: str
    args: str
    note: str
    slow: bool = False
    server: bool = False

    def line(self) -> str:
        """The command line as run from inside a copied examples folder."""
        return f"reeflow {self.command} {self.args}".rstrip()


#: One line per subcommand (the first line of each command is its help example). Every line
#: runs from inside a folder written by ``reeflow examples --copy DIR`` (a test runs them all).
COMMANDS: tuple[ExampleCommand, ...] = (
    ExampleCommand("validate", "beylikova/project.yaml",
                   "check a project file (units, bounds, stated ranges) without running it"),
    ExampleCommand("study", "beylikova/project.yaml --out study-out",
                   "the whole chain: report.html and results.json in study-out/", slow=True),
    ExampleCommand("report", "study-out/results.json",
                   "re-render the report from the study's results.json", slow=True),
    ExampleCommand("risk", "beylikova/project.yaml --draws 3 --seed 1",
                   "whole-chain Monte Carlo (3 draws here; hundreds for a real answer)", slow=True),
    ExampleCommand("schema", "--project", "the JSON Schema of a project file"),
    ExampleCommand("resource", "babbitt/babbitt.yaml --blocks-out babbitt-blocks.csv",
                   "resource statement of the real Babbitt drillholes; writes the block model"),
    ExampleCommand("krige", "babbitt/data/collar_BABBITT.csv babbitt/data/survey_BABBITT.csv "
                   "babbitt/data/assay_BABBITT.csv --model babbitt/krige_model.yaml "
                   "--out babbitt-kriged.csv", "ordinary kriging of the Babbitt drillholes"),
    ExampleCommand("pit", "babbitt-blocks.csv --economics mine/babbitt_economics.yaml "
                   "--missing waste",
                   "exact ultimate pit of the block model `reeflow resource` wrote"),
    ExampleCommand("schedule", "mine/babbitt_mine.yaml",
                   "nested pits, pushbacks and plant feed by year of the Babbitt block model"),
    ExampleCommand("econ decks", "", "the shipped price decks"),
    ExampleCommand("econ validate", "", "recompute four published feasibility studies"),
    ExampleCommand("econ evaluate", "economics/beylikova_inputs.yaml "
                   "--params beylikova/fiscal.yaml",
                   "DCF of the built-in case's design-basis quantities"),
    ExampleCommand("market", "--add-reo 6400 --home Brazil",
                   "world shares and HHI before and after a 6.4 kt/a REO project"),
    ExampleCommand("sx simulate", "sx/cascade_xu_e1.yaml", "steady state of a Pr/Nd cascade"),
    ExampleCommand("sx design", "sx/design_ndpr.yaml", "design one NdPr cut"),
    ExampleCommand("sx train", "sx/train_beylikova.yaml", "the whole separation train"),
    ExampleCommand("sx fit", "sx/shakeout_example.csv",
                   "fit mass-action parameters to shake-out data"),
    ExampleCommand("serve", "--port 8000",
                   "the web app on http://127.0.0.1:8000/ (needs reeflow[web]; Ctrl-C stops it)",
                   server=True),
    ExampleCommand("compare", "beylikova/project.yaml ngualla/project.yaml --out compare-out",
                   "two projects side by side: KPIs, NPV bridge, claims, input diffs",
                   slow=True),
    ExampleCommand("examples", "", "list every builtin: name"),
    ExampleCommand("completion", "bash", "a bash completion script"),
)


def _roots() -> Iterator[tuple[str, Path]]:
    """(prefix in the tree, folder): each built-in case, then each example folder."""
    if _CASES.is_dir():
        for case in sorted(p for p in _CASES.iterdir() if (p / "project.yaml").is_file()):
            yield case.name, case
    if _EXAMPLES.is_dir():
        for folder in sorted(p for p in _EXAMPLES.iterdir() if p.is_dir()):
            if folder.name not in _SKIP_PARTS:
                yield folder.name, folder


def example_files() -> dict[str, Path]:
    """Every shipped example input: its path in the examples tree -> the packaged file."""
    return dict(_example_files())


@lru_cache(maxsize=1)
def _example_files() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for prefix, folder in _roots():
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if (path.is_file() and not _SKIP_PARTS.intersection(rel.parts)
                    and path.suffix not in _SKIP_SUFFIXES and not path.name.startswith(".")
                    and path.name not in _SKIP_NAMES):
                out[f"{prefix}/{rel.as_posix()}"] = path
    return out


def builtin_names() -> dict[str, str]:
    """Every ``builtin:`` name -> its path in the examples tree (cases, full paths with and
    without suffix, unique stems)."""
    return dict(_builtin_names())


@lru_cache(maxsize=1)
def _builtin_names() -> dict[str, str]:
    files = _example_files()
    names: dict[str, str] = {}
    stems: dict[str, list[str]] = {}
    for rel in files:
        names[rel] = rel
        names.setdefault(rel.rsplit(".", 1)[0] if "." in rel.rsplit("/", 1)[-1] else rel, rel)
        stems.setdefault(Path(rel).stem, []).append(rel)
    for stem, rels in stems.items():
        if len(rels) == 1:
            names.setdefault(stem, rels[0])
    for case in (p for p, folder in _roots() if folder.parent == _CASES):
        names[case] = f"{case}/project.yaml"
    return names


def resolve(value: str, *, field: str = "file") -> str:
    """``builtin:NAME`` -> the packaged file's path (as text); any other value is returned
    unchanged. An unknown name is an :class:`InputError` with the closest names."""
    if not value.startswith(PREFIX):
        return value
    return str(builtin_path(value[len(PREFIX):], field=field, value=value,
                            allowed="a shipped example (list them: reeflow examples)"))


def builtin_path(name: str, *, field: str, value: str, allowed: str,
                 suffixes: tuple[str, ...] = ()) -> Path:
    """The packaged file a ``builtin:`` name (without the prefix) stands for, among the
    files ending in one of ``suffixes`` (all when empty): the one resolver of built-in names,
    for input files (:func:`resolve`) and project files
    (:func:`reeflow.project.builtin_project_path`). An unknown name is an InputError on
    ``field`` echoing ``value``, with the closest names or, with none close, where to list
    them (not the first dozen shipped files, fuzz round 22)."""
    name = name.strip().strip("/")
    names = {n: rel for n, rel in builtin_names().items()
             if not suffixes or rel.endswith(suffixes)}
    if name not in names:  # builtin:BEYLIKOVA is the case as written in prose (fuzz round 26)
        folded = [n for n in names if n.casefold() == name.casefold()]
        name = folded[0] if len(folded) == 1 else name
    if name not in names:
        raise InputError(field, value, allowed, did_you_mean(name, list(names), fallback=False)
                         or "list the shipped files with: reeflow examples")
    return example_files()[names[name]]


def copy_examples(folder: str | Path, *, force: bool = False) -> list[Path]:
    """Copy every example input into ``folder`` and write ``commands.txt``; return the paths.

    The folder is created when missing. An existing file of the same name is never overwritten
    unless ``force`` (then it is replaced atomically); nothing else in the folder is touched.
    """
    from reeflow.core.io import atomic_write, output_folder

    root = output_folder(folder, field="--copy")
    files = {rel: path.read_bytes() for rel, path in example_files().items()}
    files["commands.txt"] = commands_text().encode("utf-8")
    clashes = sorted(rel for rel in files if (root / rel).exists())
    if clashes and not force:
        raise InputError("--copy", str(folder), "a folder without reeflow's example files",
                         f"{len(clashes)} already exist (e.g. {clashes[0]}): choose an empty "
                         "folder, or add --force to replace them (other files are kept)")
    written = []
    for rel, data in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        # the copies are the user's inputs from now on: not recorded as reeflow's outputs, so
        # no later --out replaces them (krige --out naming a copied assay file, fuzz round 15)
        written.append(atomic_write(target, data, field="--copy", replace_any=force,
                                    record=False))
    return written


def commands_text() -> str:
    """``commands.txt``: one runnable line per subcommand, each after a comment saying what it
    does; run from inside the copied folder."""
    lines = ["# reeflow example commands: run each line from inside this folder.",
             "# Lines marked (slow) run the whole chain (tens of seconds each);",
             "# `reeflow report` reads what `reeflow study` wrote, `reeflow pit` the block model",
             "# `reeflow resource` wrote.", ""]
    for c in COMMANDS:
        lines.append(f"# {c.note}{' (slow)' if c.slow else ''}")
        lines.append(c.line())
    return "\n".join(lines) + "\n"


def builtin_name(token: str, names: dict[str, str] | None = None) -> str:
    """The ``builtin:`` name of an examples-tree path (cases by their name, other files by their
    path without the suffix); any other token unchanged."""
    names = builtin_names() if names is None else names
    if token.endswith("/project.yaml") and names.get(token.split("/", 1)[0]) == token:
        return PREFIX + token.split("/", 1)[0]
    short = token.rsplit(".", 1)[0]
    if names.get(short) == token:
        return PREFIX + short
    return PREFIX + token if token in names else token


def help_examples(command: str) -> list[str]:
    """The example lines of one subcommand (``"pit"``, ``"econ evaluate"``; ``"sx"`` gives all
    of its actions), with ``builtin:`` names so that they run from any folder."""
    names = builtin_names()
    out = []
    for c in COMMANDS:
        if c.command == command or c.command.startswith(command + " "):
            args = " ".join(builtin_name(t, names) for t in shlex.split(c.args))
            out.append(f"reeflow {c.command} {args}".rstrip())
    return out
