"""Property-based fuzzing of every command with mutated copies of the shipped inputs.

Hypothesis mutates each seed input (project files, SX specifications, shake-out data, saved
results, command-line options); a worker process runs each case through ``reeflow.cli.main``
under a memory cap (RLIMIT_AS, see fuzz_worker.py) and a time limit. Every case must:

- exit 0 or 2 (1 is an unexpected error: a defect), never with a traceback;
- on exit 2, print one line starting ``reeflow: error:``;
- create nothing but the command's declared outputs (no stray or temporary files);
- finish within its time limit (a hang kills the worker and fails the case).

``REEFLOW_FUZZ_EXAMPLES`` sets the number of cases (default 1200; CI runs the default).
The deposit and mine commands (``resource``, ``krige``, ``pit``, ``schedule``) have their own
test on tiny seeds (fuzz_seeds.py), with half as many cases (``REEFLOW_FUZZ_MINE_EXAMPLES``).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import fuzz_seeds as seeds
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
CASE_DIR = ROOT / "src" / "reeflow" / "cases" / "beylikova"
SX_DIR = ROOT / "examples" / "sx"
N = int(os.environ.get("REEFLOW_FUZZ_EXAMPLES", "1200"))
TIMEOUT_S = 120.0


class Worker:
    """The fuzz worker subprocess (restarted after a hang or a crash)."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "REEFLOW_FUZZ_AS_GB": "6"}
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name(
            "fuzz_worker.py"))], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, env=env)

    def run(self, case: dict) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        assert self.proc is not None and self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(case) + "\n")
        self.proc.stdin.flush()
        import selectors

        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout=TIMEOUT_S):
            self.proc.kill()
            self.proc = None
            return {"rc": "hang", "stderr": f"no answer within {TIMEOUT_S} s", "created": []}
        line = self.proc.stdout.readline()
        if not line:
            self.proc = None
            return {"rc": "worker died", "stderr": "the worker process died (memory cap?)",
                    "created": []}
        return json.loads(line)

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()


@pytest.fixture(scope="module")
def worker():
    w = Worker()
    yield w
    w.close()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# --------------------------------------------------------------------------- mutations
JUNK_TEXT = st.sampled_from([
    "", " ", "2,5 %", "−1.8 %", "1.8 ٪", "9**9**9 kt/a", "1e999 t/a", "nan", "NaN %", "inf",
    "-5 kt/a", "0 %", "100 %", "1e30 t/a", "570 kg", "570", "abc", "yes", "no", "on", "~",
    "x" * 5000, "ＵＳＤ", "1.8 % %", "(", "1/0", "3 deg", "25 °F", "-273.15 °C", "1e-300 %",
    "\u0000", "builtin:beylikova", "../../etc/passwd", "/dev/zero", "{a: b}", "[1, 2]"])
JUNK_VALUE = st.one_of(
    JUNK_TEXT, st.none(), st.booleans(), st.integers(min_value=-10**20, max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.text(max_size=30))


def _paths(tree, prefix=()):
    out = [prefix] if prefix else []
    if isinstance(tree, dict):
        for k, v in tree.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            out += _paths(v, (*prefix, i))
    return out


def _set(tree, path, value, op):
    node = tree
    for p in path[:-1]:
        node = node[p]
    key = path[-1]
    if op == "delete":
        node.pop(key) if isinstance(node, dict) else node.pop(key)
    elif op == "rename" and isinstance(node, dict):
        node[str(key) + "x"] = node.pop(key)
    else:
        node[key] = value


@st.composite
def mutated_yaml(draw, text: str) -> bytes:
    tree = yaml.safe_load(text)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(tree)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["replace", "replace", "replace", "delete", "rename"]))
        _set(tree, path, draw(JUNK_VALUE), op)
    out = yaml.safe_dump(tree, allow_unicode=True, sort_keys=False).encode("utf-8")
    raw = draw(st.sampled_from(["none", "none", "none", "bytes", "truncate", "bomb", "deep"]))
    if raw == "bytes":
        i = draw(st.integers(min_value=0, max_value=max(len(out) - 1, 0)))
        out = out[:i] + b"\xff\xfe\x00" + out[i:]
    elif raw == "truncate":
        out = out[: draw(st.integers(min_value=0, max_value=len(out)))]
    elif raw == "bomb":
        out += b"\nzz: &a [1,1,1,1,1,1,1,1,1,1]\nzy: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n" \
               b"zx: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nzw: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    elif raw == "deep":
        out += b"\nzz: " + b"[" * 300 + b"]" * 300 + b"\n"
    return out


def _case_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in CASE_DIR.glob("*.yaml")}


@st.composite
def project_case(draw) -> dict:
    files = _case_files()
    target = draw(st.sampled_from(["project.yaml", "project.yaml", "project.yaml",
                                   "fiscal.yaml", "claims.yaml"]))
    files[target] = draw(mutated_yaml(files[target].decode("utf-8")))
    return {"argv": ["validate", "case/project.yaml"],
            "files": {f"case/{k}": _b64(v) for k, v in files.items()}, "outputs": []}


@st.composite
def sx_case(draw) -> dict:
    name, verb = draw(st.sampled_from([("cascade_xu_e1.yaml", "simulate"),
                                       ("cascade_mass_action.yaml", "simulate"),
                                       ("design_ndpr.yaml", "design"),
                                       ("train_beylikova.yaml", "train")]))
    data = draw(mutated_yaml((SX_DIR / name).read_text(encoding="utf-8")))
    return {"argv": ["sx", verb, name, "--json"], "files": {name: _b64(data)}, "outputs": []}


@st.composite
def csv_case(draw) -> dict:
    lines = (SX_DIR / "shakeout_example.csv").read_text(encoding="utf-8").splitlines()
    i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
    cells = lines[i].split(",")
    j = draw(st.integers(min_value=0, max_value=len(cells) - 1))
    cells[j] = str(draw(JUNK_VALUE))
    lines[i] = ",".join(cells)
    data = "\n".join(lines).encode("utf-8")
    if draw(st.booleans()):
        data = data.replace(b",", b";", 3)
    return {"argv": ["sx", "fit", "shake.csv", "--json"], "files": {"shake.csv": _b64(data)},
            "outputs": []}


@st.composite
def argv_case(draw) -> dict:
    verb = draw(st.sampled_from(["market", "market-add", "econ-decks", "schema", "report",
                                 "validate-builtin"]))
    junk = str(draw(JUNK_VALUE))
    if verb == "market":
        return {"argv": ["market", "--year", junk, "--json"], "files": {}, "outputs": []}
    if verb == "market-add":
        return {"argv": ["market", "--add-reo", junk, "--home", "Türkiye", "--json"],
                "files": {}, "outputs": []}
    if verb == "econ-decks":
        return {"argv": ["econ", "decks", "--json"][: draw(st.integers(2, 3))], "files": {},
                "outputs": []}
    if verb == "schema":
        return {"argv": ["schema"] + draw(st.sampled_from([[], ["--project"], [junk]])),
                "files": {}, "outputs": []}
    if verb == "report":
        body = draw(st.sampled_from([b"{}", b"[]", b"{\"schema_version\": \"3.0\"}", b"\xff",
                                     b"{" * 2000, junk.encode("utf-8", "replace")]))
        return {"argv": ["report", "r.json"], "files": {"r.json": _b64(body)},
                "outputs": ["report.html"]}
    return {"argv": ["validate", f"builtin:{junk}"], "files": {}, "outputs": []}


_KINDS = {"project": [project_case(), project_case(), project_case()],
          "sx": [sx_case(), sx_case()], "csv": [csv_case()], "argv": [argv_case()]}
_PICK = os.environ.get("REEFLOW_FUZZ_KINDS", ",".join(_KINDS)).split(",")
CASES = st.one_of(*[s for k in _PICK for s in _KINDS[k.strip()]])


def _check(case: dict, res: dict) -> None:
    where = f"argv={case['argv']}"
    assert res["rc"] in (0, 2), f"{where}: exit {res['rc']}: {res['stderr'][-1500:]}"
    assert "Traceback" not in res["stderr"], f"{where}: {res['stderr'][-1500:]}"
    if res["rc"] == 2:
        lines = [ln for ln in res["stderr"].splitlines() if ln.strip()]
        assert len(lines) == 1 and "error:" in lines[0], f"{where}: {res['stderr'][-800:]}"
    stray = [f for f in res["created"] if not any(f == o or f.startswith(o + "/")
                                                  for o in case["outputs"])
             and f.rsplit("/", 1)[-1] != ".reeflow-written.json"]  # the record of our files
    assert not stray, f"{where}: created {stray}"


@pytest.mark.slow
@settings(max_examples=N, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(case=CASES)
def test_no_command_crashes_hangs_or_leaves_files(worker, case):
    _check(case, worker.run(case))


STUDY_ARGS = [["--out", "."], ["--out", "out/x"], ["--out", "a" * 300], ["--out", "f.txt"],
              ["--out", "ro/sub"]]


@pytest.mark.slow
@pytest.mark.parametrize("extra", STUDY_ARGS)
def test_study_output_folders(worker, extra):
    """Whole studies into awkward --out folders: user files survive, bad folders exit 2. (A
    folder inside a user's folder, ``ro/sub``, is created beside the user's file; the read-only
    case needs a non-root user and is in test_outputs.py.)"""
    files = {"f.txt": _b64(b"keep"), "ro/keep.txt": _b64(b"keep")}
    case = {"argv": ["study", "--quiet", *extra], "files": files,
            "outputs": ["report.html", "results.json", "out", "report.pdf", "results.xlsx",
                        "ro/sub"]}
    res = worker.run(case)
    _check(case, res)


# --------------------------------------------------------------- deposit and mine commands
JUNK_NUMBER = st.sampled_from([
    "nan", "NaN", "inf", "-inf", "1e308", "-1e308", "1e999", "-1", "-0", "0", "1e-320",
    "99999999999999999999999", "-99999999999999999999", "", " ", "abc", "1,5", "0x10", "\u00a0",
    "٣", "1e8", "100000000", "-100000000", "2.5e9", "None", "#", "\"", "\\xff"])


@st.composite
def mutated_text(draw, data: bytes, *, header_lines: int = 1) -> bytes:
    """Line/cell-level mutations of a delimited text file (CSV, GSLIB, MineLib): junk cells,
    dropped/duplicated/swapped lines, '#' comment lines, huge counts, then raw byte damage."""
    lines = data.decode("utf-8").splitlines()
    sep = "," if "," in lines[min(header_lines, len(lines) - 1)] else " "
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
        if not lines:
            break
        i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        op = draw(st.sampled_from(["cell", "cell", "cell", "header", "drop", "dup", "comment",
                                   "blank", "extra", "short", "column"]))
        cells = lines[i].split(sep)
        if op == "cell":
            j = draw(st.integers(min_value=0, max_value=len(cells) - 1))
            cells[j] = draw(st.one_of(JUNK_NUMBER, JUNK_TEXT))
            lines[i] = sep.join(cells)
        elif op == "header":
            k = draw(st.integers(min_value=0, max_value=min(header_lines + 1, len(lines) - 1)))
            lines[k] = draw(st.sampled_from(["100000000", "-5", "0", "3", "1e9", "x y z",
                                             "NBLOCKS: 100000000", "NPERIODS: 100000000",
                                             "NBLOCKS: -1", "ix,ix,iy", "x,y,z", ""]))
        elif op == "drop":
            lines.pop(i)
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "comment":
            lines.insert(i, draw(st.sampled_from(["# comment", "#", "% comment", "#,#,#"])))
        elif op == "blank":
            lines.insert(i, "")
        elif op == "extra":
            lines[i] = lines[i] + sep + draw(JUNK_NUMBER)
        elif op == "short":
            lines[i] = sep.join(cells[: draw(st.integers(min_value=0,
                                                         max_value=max(len(cells) - 1, 0)))])
        else:  # a column gone from every line
            j = draw(st.integers(min_value=0, max_value=len(cells) - 1))
            lines = [sep.join(c for k, c in enumerate(ln.split(sep)) if k != j) for ln in lines]
    out = ("\n".join(lines) + "\n").encode("utf-8")
    raw = draw(st.sampled_from(["none"] * 6 + ["bytes", "truncate", "empty", "crlf"]))
    if raw == "bytes":
        i = draw(st.integers(min_value=0, max_value=max(len(out) - 1, 0)))
        out = out[:i] + draw(st.sampled_from([b"\xff\xfe\x00", b"\x00", b"\xe9", b"\r"])) + out[i:]
    elif raw == "truncate":
        out = out[: draw(st.integers(min_value=0, max_value=len(out)))]
    elif raw == "empty":
        out = b""
    elif raw == "crlf":
        out = out.replace(b"\n", b"\r\n")
    return out


@st.composite
def yaml_seed(draw, text: str) -> bytes:
    """A mutated YAML seed, or the seed with a duplicate top-level key, a '#' line or an alias
    added as raw text (what safe_dump cannot write)."""
    how = draw(st.sampled_from(["mutate", "mutate", "mutate", "dup", "comment", "anchor"]))
    if how == "mutate":
        return draw(mutated_yaml(text))
    first = next(ln for ln in text.splitlines() if ln and not ln.startswith((" ", "#")))
    key = first.split(":")[0]
    extra = {"dup": f"\n{key}: {draw(JUNK_TEXT)!r}\n", "comment": "\n# a comment: [unclosed\n",
             "anchor": f"\nx: &a {{b: 1}}\n{key}: *a\n"}[how]
    return (text + extra).encode("utf-8")


@st.composite
def pit_case(draw) -> dict:
    kind = draw(st.sampled_from(["csv", "csv", "csv-value", "gslib", "values", "upit"]))
    econ = seeds.economics().encode("utf-8")
    argv: list[str] = ["pit"]
    files: dict[str, bytes] = {}
    if kind in ("csv", "csv-value"):
        mutate = draw(st.sampled_from(["blocks", "blocks", "economics"])) if kind == "csv" \
            else "blocks"
        data = seeds.blocks_csv()
        files["blocks.csv"] = draw(mutated_text(data, header_lines=2)) if mutate == "blocks" \
            else data
        argv += ["blocks.csv"]
        if kind == "csv":
            files["econ.yaml"] = draw(yaml_seed(econ.decode())) if mutate == "economics" \
                else econ
            argv += ["--economics", "econ.yaml", "--missing",
                     draw(st.sampled_from(["error", "air", "waste"]))]
    elif kind == "gslib":
        files["blocks.dat"] = draw(mutated_text(seeds.blocks_gslib(), header_lines=14))
        argv += ["blocks.dat"]
    elif kind == "values":
        files["values.dat"] = draw(mutated_text(seeds.blocks_values(), header_lines=0))
        grid = draw(st.sampled_from([["8", "6", "4"], ["8", "6", "4"], ["0", "6", "4"],
                                     ["-8", "6", "4"], ["100000", "100000", "100000"],
                                     ["1", "1", "192"], ["192", "1", "1"]]))
        argv += ["values.dat", "--grid", *grid]
    else:
        which = draw(st.sampled_from(["upit", "prec"]))
        upit, prec = seeds.minelib_upit(), seeds.minelib_prec()
        files["tiny.upit"] = draw(mutated_text(upit, header_lines=3)) if which == "upit" else upit
        files["tiny.prec"] = draw(mutated_text(prec, header_lines=0)) if which == "prec" else prec
        argv += ["tiny.upit"]
    argv += draw(st.sampled_from([[], [], ["--slope", draw(JUNK_NUMBER)],
                                  ["--benches", draw(st.sampled_from(["0", "-1", "1", "3",
                                                                      "100000"]))],
                                  ["--block-size", "20", "20", draw(JUNK_NUMBER)],
                                  ["--value-column", draw(st.sampled_from(
                                      ["cu_frac", "class", "ix", "nope", ""]))],
                                  ["--solver", draw(st.sampled_from(["scipy", "networkx"]))]]))
    outputs = []
    if draw(st.booleans()):
        argv += ["--out", "pit.json", "--blocks-out", "flags.csv"]
        outputs = ["pit.json", "flags.csv"]
    return {"argv": [*argv, "--json"], "files": {k: _b64(v) for k, v in files.items()},
            "outputs": outputs}


@st.composite
def schedule_case(draw) -> dict:
    files: dict[str, bytes] = {}
    if draw(st.booleans()):
        which = draw(st.sampled_from(["cpit", "cpit", "prec"]))
        cpit, prec = seeds.minelib_cpit(), seeds.minelib_prec()
        files["tiny.cpit"] = draw(mutated_text(cpit, header_lines=6)) if which == "cpit" \
            else cpit
        files["tiny.prec"] = draw(mutated_text(prec, header_lines=0)) if which == "prec" \
            else prec
        argv = ["schedule", "tiny.cpit", "--time-limit",
                draw(st.sampled_from(["2", "2", "0", "-1", "nan", "1e9"])),
                "--gap", draw(st.sampled_from(["0.01", "0.01", "1", "-0.5", "nan"]))]
    else:
        which = draw(st.sampled_from(["project", "project", "blocks"]))
        files["mine.yaml"] = draw(yaml_seed(seeds.MINE_PROJECT)) if which == "project" \
            else seeds.MINE_PROJECT.encode()
        files["blocks.csv"] = draw(mutated_text(seeds.blocks_csv(), header_lines=2)) \
            if which == "blocks" else seeds.blocks_csv()
        argv = ["schedule", "mine.yaml", "--time-limit",
                draw(st.sampled_from(["2", "2", "2", "0", "-1", "nan", "1e9"]))]
    outputs = ["plan.json"] if draw(st.booleans()) else []
    argv += ["--out", "plan.json"] if outputs else []
    return {"argv": [*argv, "--json"], "files": {k: _b64(v) for k, v in files.items()},
            "outputs": outputs}


@st.composite
def krige_case(draw) -> dict:
    files = dict(seeds.drillholes())
    model = seeds.krige_model()
    which = draw(st.sampled_from(["model", "model", "collar.csv", "survey.csv", "assay.csv",
                                  "blocks"]))
    files["model.yaml"] = draw(yaml_seed(model)) if which == "model" else model.encode()
    if which.endswith(".csv"):
        files[which] = draw(mutated_text(files[which]))
    argv = ["krige", "collar.csv", "survey.csv", "assay.csv", "--model", "model.yaml"]
    if which == "blocks":
        name, data = draw(st.sampled_from([("blocks.csv", seeds.krige_blocks_csv()),
                                           ("blocks.dat", seeds.krige_blocks_gslib())]))
        files[name] = draw(mutated_text(data, header_lines=1 if name.endswith(".csv") else 5))
        argv += ["--blocks", name]
    outputs = ["kriged.csv"] if draw(st.booleans()) else []
    argv += ["--out", "kriged.csv"] if outputs else []
    return {"argv": [*argv, "--json"], "files": {k: _b64(v) for k, v in files.items()},
            "outputs": outputs}


@st.composite
def resource_case(draw) -> dict:
    files = dict(seeds.drillholes())
    which = draw(st.sampled_from(["project", "project", "collar.csv", "survey.csv",
                                  "assay.csv"]))
    files["project.yaml"] = draw(yaml_seed(seeds.RESOURCE_PROJECT)) if which == "project" \
        else seeds.RESOURCE_PROJECT.encode()
    if which.endswith(".csv"):
        files[which] = draw(mutated_text(files[which]))
    argv = ["resource", "project.yaml", "--json"]
    argv += draw(st.sampled_from([[], [], ["--lenient"], ["--seed", "3"]]))
    outputs = []
    if draw(st.booleans()):
        out = draw(st.sampled_from(["blocks.csv", "blocks.dat"]))
        argv += ["--blocks-out", out]
        outputs = [out]
    return {"argv": argv, "files": {k: _b64(v) for k, v in files.items()}, "outputs": outputs}


_MINE_KINDS = {"pit": [pit_case(), pit_case()], "schedule": [schedule_case()],
               "krige": [krige_case()], "resource": [resource_case()]}
_MINE_PICK = os.environ.get("REEFLOW_FUZZ_MINE_KINDS", ",".join(_MINE_KINDS)).split(",")
MINE_CASES = st.one_of(*[s for k in _MINE_PICK for s in _MINE_KINDS[k.strip()]])
#: Cases of the deposit/mine test (about 25 ms each on tiny seeds): half the main count unless
#: REEFLOW_FUZZ_MINE_EXAMPLES says otherwise.
N_MINE = int(os.environ.get("REEFLOW_FUZZ_MINE_EXAMPLES", max(N // 2, 1)))


@pytest.mark.slow
@settings(max_examples=N_MINE, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(case=MINE_CASES)
def test_deposit_and_mine_commands_survive_mutated_inputs(worker, case):
    """resource, krige, pit and schedule on mutated tiny seeds (fuzz_seeds.py)."""
    _check(case, worker.run(case))
