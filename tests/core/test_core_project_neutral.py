"""Generic code and generic data name no built-in case.

Standards: "nothing generic knows it is Beylikova; case-specific numbers are DATA". Every file
under ``src/reeflow`` outside ``cases/`` (the case folders) is searched for the names of the
built-in cases and of their places; a hit is a case fact in a generic place and fails the test
with ``file:line``. The names are matched as written (case-sensitive): the lower-case registry key
of the default case (``reeflow.project.DEFAULT_CASE``) and citations of the reference note
``beylikova_market.md`` are the case registry and a file name, not case facts.
"""

from __future__ import annotations

from pathlib import Path

import reeflow

ROOT = Path(reeflow.__file__).resolve().parent

CASE_WORDS = ("Beylikova", "Eskişehir", "Eskisehir", "Ngualla")
COUNTRY_WORDS = ("Türkiye", "Turkey", "Tanzania")

# Files where a name is about the world, not about a case. Kept small; each with its reason.
ALLOWED: dict[str, tuple[str, ...]] = {
    # Published figures of named peer projects (one of them is a built-in case's BFS): a
    # benchmark table is a list of named projects by nature.
    "data/economics/peer_benchmarks.csv": CASE_WORDS + COUNTRY_WORDS,
    # Country-keyed world data: USGS production/reserves by country, national NORM regulations
    # by jurisdiction, the country-name aliases and the countries USGS lists no supply for.
    "data/market/usgs_mcs2026_world_rare_earths.csv": COUNTRY_WORDS,
    "data/market/usgs_mcs_earlier_vintages.csv": COUNTRY_WORDS,
    "data/plant/norm_rules.csv": COUNTRY_WORDS,
    "market/data.py": COUNTRY_WORDS,
    "data/market/parameters.yaml": COUNTRY_WORDS,
}
# The case folders, and the example inputs an installed package ships beside them (examples/ in a
# wheel: case-specific example files such as sx/train_beylikova.yaml are examples of a case).
_CASE_FOLDERS = ("cases/", "examples/")
_SUFFIXES = {".py", ".yaml", ".yml", ".csv", ".md", ".txt", ".json", ".html", ".j2", ".toml"}


def case_name_hits(root: Path = ROOT) -> list[str]:
    """``file:line: word`` for every case or place name in a generic file."""
    hits = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if (not path.is_file() or path.suffix not in _SUFFIXES or rel.startswith(_CASE_FOLDERS)
                or "/vendor/" in rel or "__pycache__" in rel):
            continue
        allowed = ALLOWED.get(rel, ())
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for word in CASE_WORDS + COUNTRY_WORDS:
                if word in line and word not in allowed:
                    hits.append(f"{rel}:{n}: {word}")
    return hits


# Registry keys (lower case) of the built-in cases may appear in generic code only where code
# is about the registry. The default case's key is the documented default (``DEFAULT_CASE``,
# ``builtin:<default>`` default arguments and examples), so only the OTHER cases' keys are
# searched; the example registry lists every shipped case file by path.
KEY_ALLOWED = ("example_inputs.py",)


def case_key_hits(root: Path = ROOT) -> list[str]:
    """``file:line: key`` for a non-default built-in case's key in a generic Python module."""
    from reeflow.project import DEFAULT_CASE, builtin_cases

    keys = [k for k in builtin_cases() if k != DEFAULT_CASE]
    hits = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(_CASE_FOLDERS) or rel in KEY_ALLOWED:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            hits += [f"{rel}:{n}: {k}" for k in keys if k in line.lower()]
    return hits


def test_no_generic_module_knows_another_case_by_key():
    """Replaces the Ngualla case's own check (any 'ngualla' in a .py), with the example
    registry allowed: it names the shipped case files by path."""
    assert case_key_hits() == []


def test_generic_code_and_data_name_no_case():
    hits = case_name_hits()
    assert not hits, "case names in generic files (move the fact to the case folder):\n" + \
        "\n".join(hits)


def test_the_check_can_fail(tmp_path):
    (tmp_path / "plant").mkdir()
    (tmp_path / "plant" / "model.py").write_text('"""Tuned for Ngualla."""\n', encoding="utf-8")
    (tmp_path / "cases" / "x").mkdir(parents=True)
    (tmp_path / "cases" / "x" / "project.yaml").write_text("name: Beylikova\n", encoding="utf-8")
    assert case_name_hits(tmp_path) == ["plant/model.py:1: Ngualla"]


def test_allow_list_names_existing_files():
    assert all((ROOT / rel).is_file() for rel in ALLOWED)


def test_the_key_check_can_fail(tmp_path):
    from reeflow.project import DEFAULT_CASE, builtin_cases

    other = next(k for k in builtin_cases() if k != DEFAULT_CASE)
    (tmp_path / "plant").mkdir()
    (tmp_path / "plant" / "route.py").write_text(f'if case == "{other}":\n    pass\n',
                                                 encoding="utf-8")
    (tmp_path / "example_inputs.py").write_text(f'X = "{other}/project.yaml"\n', encoding="utf-8")
    assert case_key_hits(tmp_path) == [f"plant/route.py:1: {other}"]
