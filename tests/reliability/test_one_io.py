"""One of each I/O thing: one GSLIB reader (core.gslib) with its caps for both rooms, one
size-capped CSV reader, one atomic writer; bad files are exit 2 and one line, fast."""

from __future__ import annotations

import json
import time

import pytest

from reeflow.cli import main
from reeflow.core.errors import InputError
from reeflow.core.io import MAX_INPUT_BYTES, atomic_open, atomic_path, atomic_write, write_outputs

EVIL_GSLIB = "title\n100000000\nx\ny\nz\n1 2 3\n"


def _one_line_exit_2(argv, capsys, *words):
    t0 = time.process_time()
    assert main(argv) == 2
    assert time.process_time() - t0 < 5.0  # refused at once, not after reading 10^8 names
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for w in words:
        assert w in err, err
    return err


def test_pit_refuses_a_gslib_header_declaring_1e8_variables(tmp_path, capsys):
    p = tmp_path / "evil.dat"
    p.write_text(EVIL_GSLIB)
    _one_line_exit_2(["pit", str(p)], capsys, "nvar", "10,000 variables")
    g = tmp_path / "evil.gslib"
    g.write_text(EVIL_GSLIB)
    _one_line_exit_2(["pit", str(g)], capsys, "nvar")


def test_deposit_and_mine_readers_are_the_same_reader(tmp_path):
    from reeflow.core import gslib
    from reeflow.deposit import read_block_model as deposit_read
    from reeflow.mine import read_block_model as mine_read

    p = tmp_path / "evil.dat"
    p.write_text(EVIL_GSLIB)
    assert deposit_read is mine_read is gslib.read_block_model  # one block reader
    for reader in (mine_read, gslib.read_gslib):
        with pytest.raises(InputError, match="variables"):
            reader(p)
    ok = tmp_path / "ok.dat"
    ok.write_text("t\n4\nix\niy\niz\nv\n0 0 0 -999\n1 0 0 5\n")
    assert mine_read(ok)["v"].tolist() == [-999.0, 5.0]  # a value, not a missing flag
    assert mine_read(ok, missing=-999.0)["v"].isna().tolist() == [True, False]
    xc = tmp_path / "xc.csv"  # another package's coordinate names
    xc.write_text("XC,YC,ZC,v\n1,2,3,4\n")
    assert list(mine_read(xc).columns) == ["x", "y", "z", "v"]
    bad = tmp_path / "nocoords.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="block_model.columns"):
        mine_read(bad)
    assert gslib.read_gslib(ok)["v"].isna().tolist() == [True, False]
    spaced = tmp_path / "cluster.dat"  # the layout of GSLIB's own cluster.dat
    spaced.write_text("Clustered data\n3\nXlocation\nYlocation\nDeclustering Weight\n1 2 0.5\n")
    assert list(gslib.read_gslib(spaced).columns) == ["Xlocation", "Ylocation",
                                                      "Declustering Weight"]


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(tmp_path, capsys):
    for name in ("huge.csv", "huge.dat"):
        p = tmp_path / name
        with p.open("wb") as fh:  # sparse: costs no disk
            fh.truncate(MAX_INPUT_BYTES + 1)
        _one_line_exit_2(["pit", str(p)], capsys, "bytes")


@pytest.mark.parametrize("content, word", [(b"\xff\xfeix,iy\n1,2\n", "UTF-8"),
                                           (b'a,b\n1,2,3,4\n"x\n', "CSV"),
                                           (b"", "empty")])
def test_bad_csv_is_one_line(tmp_path, capsys, content, word):
    p = tmp_path / "blocks.csv"
    p.write_bytes(content)
    _one_line_exit_2(["pit", str(p)], capsys, word)


def test_bad_drillhole_csv_is_one_input_error(tmp_path):
    from reeflow.deposit import read_drillholes

    for name in ("collar", "survey", "assay"):
        (tmp_path / f"{name}.csv").write_text("hole_id,x\nA,1\n")
    (tmp_path / "collar.csv").write_bytes(b"hole_id,x\n\xff,1\n")
    with pytest.raises(InputError, match="collar_csv.*UTF-8"):
        read_drillholes(*(tmp_path / f"{n}.csv" for n in ("collar", "survey", "assay")))


def test_pit_reads_what_resource_blocks_out_writes(tmp_path, capsys):
    blocks = tmp_path / "blocks.csv"
    assert main(["resource", "--blocks-out", str(blocks), "--json"]) == 0
    capsys.readouterr()
    assert blocks.read_text().startswith("# SYNTHETIC")
    out = tmp_path / "pit.json"
    assert main(["pit", str(blocks), "--value-column", "treo_frac", "--missing", "air",
                 "--json", "--out", str(out)]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["blocks_total"] > 1000 and res["blocks_in_pit"] > 0
    assert json.loads(out.read_text()) == res


def test_streaming_writer_replaces_whole_or_not_at_all(tmp_path):
    target = tmp_path / "t.csv"
    atomic_write(target, "previous\n")
    with pytest.raises(RuntimeError), atomic_open(target) as fh:
        fh.write("half")
        raise RuntimeError("killed mid-write")
    assert target.read_text() == "previous\n"
    with atomic_path(target, suffix=".omf") as tmp:
        assert tmp.parent == tmp_path and tmp.name.endswith(".omf")
        tmp.write_text("new\n")
    assert target.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".reeflow-written.json", "t.csv"]
    with pytest.raises(InputError, match="existing folder"), atomic_open(tmp_path / "no" / "x"):
        pass


def test_a_file_reeflow_did_not_write_is_never_replaced(tmp_path, capsys):
    """Fuzz round 15: ``krige --out`` naming the assay file, ``schedule --out notes.txt`` and a
    risk.json of the user's own in a --out folder were replaced without a word."""
    from reeflow.cli import main

    notes = tmp_path / "notes.txt"
    notes.write_text("mine\n")
    for writer in (lambda: atomic_write(notes, "x"), lambda: atomic_open(notes).__enter__(),
                   lambda: write_outputs(tmp_path, {"ok.txt": "a", "notes.txt": "b"})):
        with pytest.raises(InputError, match="reeflow does not replace a file it did not write"):
            writer()
    assert notes.read_text() == "mine\n" and not (tmp_path / "ok.txt").exists()  # nothing half
    atomic_write(tmp_path / "ours.txt", "1")
    atomic_write(tmp_path / "ours.txt", "2")  # ours, unchanged since: replaced
    (tmp_path / "ours.txt").write_text("edited by hand")
    with pytest.raises(InputError):
        atomic_write(tmp_path / "ours.txt", "3")
    atomic_write(notes, "forced", replace_any=True)
    assert notes.read_text() == "forced"
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "risk.json").write_text("mine")
    assert main(["risk", "builtin:beylikova", "--draws", "2", "--out",
                 str(tmp_path / "r")]) == 2  # refused before any draw
    assert "risk.json" in capsys.readouterr().err
    assert main(["schedule", "builtin:beylikova", "--out", "/proc/x.json"]) == 2
    assert "--out: got '/proc/x.json'" in capsys.readouterr().err


def test_malformed_minelib_is_one_line(tmp_path, capsys):
    (tmp_path / "m.upit").write_text("NAME: m\nNBLOCKS: 2\nOBJECTIVE_FUNCTION:\n0 abc\n1 2\nEOF\n")
    (tmp_path / "m.prec").write_text("0 0\n1 1 0\n")
    _one_line_exit_2(["pit", str(tmp_path / "m.upit")], capsys, "m.upit", "MineLib")
    (tmp_path / "m.upit").write_text("NAME: m\nNBLOCKS: 2\nOBJECTIVE_FUNCTION:\n0 1\n1 2\nEOF\n")
    (tmp_path / "m.prec").write_bytes(b"0 0\n1 1 \xff\n")
    _one_line_exit_2(["pit", str(tmp_path / "m.upit")], capsys, "m.prec")


def test_one_block_grid_class_places_deposit_and_mine_blocks_alike():
    """One grid class: the mine room places a block model's rows on the deposit room's
    BlockGrid, and both put every block's centre at the same world coordinates."""
    import ast
    from pathlib import Path

    import numpy as np
    import pandas as pd

    from reeflow.core.gslib import BlockGrid
    from reeflow.deposit import BlockGrid as DepositGrid
    from reeflow.mine import block_grid

    src = Path(__file__).resolve().parents[2] / "src" / "reeflow"
    grids = [p for p in src.rglob("*.py") for n in ast.walk(ast.parse(p.read_text()))
             if isinstance(n, ast.ClassDef) and n.name.endswith("Grid")]
    assert [p.relative_to(src).as_posix() for p in grids] == ["core/gslib.py"]
    assert DepositGrid is BlockGrid
    g = BlockGrid((100.0, 200.0, -50.0), (10.0, 20.0, 5.0), (3, 2, 2))
    c = g.centres()
    frame = pd.DataFrame({"x": c[:, 0], "y": c[:, 1], "z": c[:, 2], "tonnes": 1.0})
    placed = block_grid(frame.sample(frac=1.0, random_state=1),
                        block_size_m=g.block_size_m)
    assert placed.grid == g  # the same grid, recovered from the centroids
    assert np.allclose(placed.grid.centres_at(np.column_stack([placed.ix, placed.iy,
                                                               placed.iz])),
                       frame.sample(frac=1.0, random_state=1)[["x", "y", "z"]].to_numpy())


def test_force_replaces_an_older_versions_file_and_a_failed_lock_still_writes(
        tmp_path, monkeypatch):
    """Review: a folder an older reeflow wrote (no record) was refused with no way through; and
    a folder lock refused by the file system (NFS: EBADF) made every write an internal error."""
    import fcntl

    from reeflow.core.io import check_output_folder

    study = tmp_path / "old"
    study.mkdir()
    (study / "report.html").write_text("an older version's report", encoding="utf-8")
    with pytest.raises(InputError, match="pass --force where the command has it"):
        check_output_folder(study, names=("report.html", "results.json"))
    with pytest.raises(InputError):
        write_outputs(study, {"report.html": "new"})
    assert (study / "report.html").read_text(encoding="utf-8").startswith("an older")
    check_output_folder(study, names=("report.html",), force=True)
    write_outputs(study, {"report.html": "new"}, force=True)
    assert (study / "report.html").read_text(encoding="utf-8") == "new"

    def refuse(fd, op):
        raise OSError(9, "Bad file descriptor")

    monkeypatch.setattr(fcntl, "flock", refuse)
    atomic_write(tmp_path / "a.txt", "1")
    atomic_write(tmp_path / "a.txt", "2")
    assert (tmp_path / "a.txt").read_text() == "2"
    (study / "notes.txt").write_text("mine")
    with pytest.raises(InputError):
        atomic_write(study / "notes.txt", "x")
    atomic_write(study / "notes.txt", "x", replace_any=True)
