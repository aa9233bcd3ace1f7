"""Start-up of the command line: building the parser imports no room, `reeflow --help` stays
light (a regression in either fails here), every command imports only its own room, and the
lazy command table agrees with what each room registers."""

from __future__ import annotations

import json
import resource
import subprocess
import sys

import pytest

from reeflow.cli import ROOM_COMMANDS, build_parser, full_parser

#: Packages whose import makes start-up slow (each costs 0.1-1 s).
HEAVY = ("numpy", "pandas", "scipy", "numba", "pint", "pydantic", "yaml", "plotly", "highspy",
         "rich")
ROOMS = ("reeflow.deposit", "reeflow.mine", "reeflow.economics", "reeflow.market",
         "reeflow.report", "reeflow.plant", "reeflow.chain", "reeflow.study", "reeflow.project")


def _modules_after(code: str) -> list[str]:
    """Top-level packages and reeflow modules imported by ``code`` in a fresh interpreter."""
    probe = (f"import sys\n{code}\nimport json\n"
             "print(json.dumps(sorted(m for m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _heavy(modules: list[str]) -> list[str]:
    return sorted({m.split(".")[0] for m in modules if m.split(".")[0] in HEAVY})


def test_building_the_parser_imports_no_room_and_nothing_heavy():
    mods = _modules_after("from reeflow.cli import build_parser\nbuild_parser()")
    assert _heavy(mods) == []
    assert [m for m in mods if m.startswith(ROOMS)] == []


def test_import_reeflow_is_light_and_exposes_the_entry_points():
    mods = _modules_after("import reeflow\nassert 'run_study' in dir(reeflow)")
    assert _heavy(mods) == [] and [m for m in mods if m.startswith("reeflow.")] == []


def test_help_runs_in_a_fraction_of_a_second_of_cpu():
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "reeflow", "--help"],
                          capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert proc.returncode == 0 and "study" in proc.stdout and "examples" in proc.stdout
    cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert cpu_s < 0.3, f"reeflow --help used {cpu_s:.2f} s of CPU"
    imported = {line.split("|")[-1].strip().split(".")[0]
                for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))


@pytest.mark.parametrize(("argv", "own", "foreign"), [
    (["pit", "--help"], "reeflow.mine", ("reeflow.deposit", "reeflow.plant", "reeflow.economics",
                                         "reeflow.chain", "reeflow.report")),
    (["market", "--help"], "reeflow.market", ("reeflow.deposit", "reeflow.mine",
                                              "reeflow.plant", "reeflow.chain")),
    (["econ", "decks", "--help"], "reeflow.economics", ("reeflow.deposit", "reeflow.mine",
                                                        "reeflow.chain", "reeflow.report")),
    (["resource", "--help"], "reeflow.deposit", ("reeflow.economics", "reeflow.plant",
                                                 "reeflow.chain", "reeflow.report")),
    (["validate", "--help"], None, ROOMS),
])
def test_each_command_imports_only_its_room(argv, own, foreign):
    mods = _modules_after(f"from reeflow.cli import main\nmain({argv!r})")
    if own:
        assert own in mods
    assert [m for m in mods if m.startswith(foreign)] == []


def test_lazy_table_matches_what_the_rooms_register():
    sub = next(a for a in build_parser()._actions if hasattr(a, "load_all"))
    helps = sub.load_all()
    assert set(helps) == set(ROOM_COMMANDS)
    for name, (_, text) in ROOM_COMMANDS.items():
        assert helps[name] == text, name


def _parsers(parser, path=()):
    yield path, parser
    for action in parser._actions:
        if hasattr(action, "choices") and isinstance(action.choices, dict):
            for name, sub in action.choices.items():
                yield from _parsers(sub, (*path, name))


def test_every_command_describes_its_arguments_and_shows_examples():
    for path, parser in _parsers(full_parser()):
        has_sub = any(isinstance(a.choices, dict) for a in parser._actions if a.choices)
        for action in parser._actions:
            if not action.option_strings and not isinstance(action.choices, dict):
                assert action.help, f"reeflow {' '.join(path)}: {action.dest} has no help"
        if path and not has_sub:
            text = parser.format_help()
            assert "examples:" in text and f"reeflow {' '.join(path)}" in text, path


def test_help_shows_defaults():
    commands = full_parser()._subparsers._group_actions[0].choices
    text = commands["pit"].format_help() + commands["schedule"].format_help()
    assert "(default: auto)" in text and "CPIT default 0.001" in text
    assert "(default: None)" not in text and "(default: False)" not in text
    assert "(default: 2025)" in commands["market"].format_help()


def test_python_dash_m_reeflow_and_version():
    proc = subprocess.run([sys.executable, "-m", "reeflow", "--version"], capture_output=True,
                          text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("reeflow ")
