"""``reeflow report RESULTS.json``: re-render from saved JSON; bad input raises InputError."""

from __future__ import annotations

import argparse
import json

import pytest

from reeflow.core.errors import InputError
from reeflow.report import write_results_json
from reeflow.report.commands import cmd_report, register


def _parse(argv):
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_report_command_rerenders_from_json(results, tmp_path, capsys):
    results["resource"] = None
    results["claims"][0]["claim"] = "<script>alert(1)</script>"
    path = write_results_json(results, tmp_path)
    args = _parse(["report", str(path), "--json"])
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["report"] == str(tmp_path.resolve() / "report.html")
    assert out["sections"]["resource"] == "not run" and out["sections"]["sx"] == "rendered"
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Resource estimate: not run in this study." in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_report_command_refuses_an_old_or_foreign_layout(tmp_path):
    path = write_results_json({"meta": {"project_name": "x"}, "kpis": {}}, tmp_path)
    args = _parse(["report", str(path)])
    with pytest.raises(InputError, match="schema_version"):
        cmd_report(args)


def test_report_command_out_folder(results, tmp_path, capsys):
    path = write_results_json(results, tmp_path)
    args = _parse(["report", str(path), "--out", str(tmp_path / "o")])
    assert cmd_report(args) == 0
    assert (tmp_path / "o" / "report.html").is_file()
    assert "report:" in capsys.readouterr().out


@pytest.mark.parametrize("content,allowed", [(None, "existing"), ("{not json", "valid UTF-8 JSON"),
                                             ("[1, 2]", "a JSON object")])
def test_report_command_bad_input(tmp_path, content, allowed):
    path = tmp_path / "results.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as err:
        cmd_report(_parse(["report", str(path)]))
    assert err.value.field == "RESULTS" and allowed in err.value.allowed
    assert not (tmp_path / "report.html").exists()


def test_a_re_render_beside_the_study_s_pdf_says_the_pdf_is_not_re_rendered(results, tmp_path,
                                                                              capsys):
    """Re-rendering into the study folder left report.pdf and results.xlsx of the study next
    to the new report.html without a word (fuzz round 7); they are kept (never deleted) and
    named."""
    path = write_results_json(results, tmp_path)
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4 old")
    args = _parse(["report", str(path), "--json"])
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["note"].startswith("report.pdf in ") and "not re-rendered" in out["note"]
    assert (tmp_path / "report.pdf").read_bytes() == b"%PDF-1.4 old"


def test_report_command_refuses_a_negative_amount(results, tmp_path):
    """A results.json with a negative tonnage is no study's output (fuzz round 7 rendered one)."""
    results = json.loads(json.dumps(results))
    results["kpis"]["reo_t_per_a"] = -5.0
    path = write_results_json(results, tmp_path)
    with pytest.raises(InputError) as err:
        cmd_report(_parse(["report", str(path)]))
    assert err.value.field == "kpis.reo_t_per_a" and ">= 0" in err.value.allowed
    assert not (tmp_path / "report.html").exists()
