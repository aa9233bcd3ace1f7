"""results.json: strict JSON (NaN/inf -> null), numpy/pandas-safe, round-trips the study's results."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from reeflow.core.io import RECORD_NAME
from reeflow.report import to_jsonable, write_results_json
from reeflow.report.html import fmt_num, fmt_pct, fmt_usd


def _strict_load(path):
    def reject(const):
        raise ValueError(f"non-standard JSON constant {const}")
    return json.loads(path.read_text(encoding="utf-8"), parse_constant=reject)


def test_json_round_trip_of_the_study(results, tmp_path):
    path = write_results_json(results, tmp_path)
    assert path == tmp_path / "results.json"
    loaded = _strict_load(path)
    # the loaded dict equals the converted input, and converting it again changes nothing
    assert loaded == to_jsonable(results)
    assert to_jsonable(loaded) == loaded
    from reeflow.results import load_results

    assert load_results(loaded).to_dict() == loaded


def test_nan_inf_numpy_pandas_converted(tmp_path):
    frame = pd.DataFrame({"a": [1.0, np.nan], "b": ["x", "y"]})
    data = {"nan": float("nan"), "inf": np.inf, "f32": np.float32(0.5), "i64": np.int64(7),
            "b": np.bool_(True), "arr": np.array([[1.0, np.nan], [np.inf, 2.0]]),
            "frame": frame, "series": pd.Series({"k": np.float64(3.0)}), 3: "int key",
            "tuple": (1, 2), "nested": [{"x": np.nan}]}
    loaded = _strict_load(write_results_json(data, tmp_path))
    assert loaded["nan"] is None and loaded["inf"] is None
    assert loaded["f32"] == 0.5 and loaded["i64"] == 7 and loaded["b"] is True
    assert loaded["arr"] == [[1.0, None], [None, 2.0]]
    assert loaded["frame"] == [{"a": 1.0, "b": "x"}, {"a": None, "b": "y"}]
    assert loaded["series"] == {"k": 3.0}
    assert loaded["3"] == "int key" and loaded["tuple"] == [1, 2]
    assert loaded["nested"] == [{"x": None}]


def test_json_written_atomically(tmp_path):
    write_results_json({"a": 1}, tmp_path)
    assert [p.name for p in tmp_path.iterdir() if p.name != RECORD_NAME] == ["results.json"]


@pytest.mark.parametrize("value,text", [(7, "7"), (1234.5, "1,234"), (0.0185, "0.0185"),
                                        (None, "—"), (float("nan"), "—"), (2.5e7, "25,000,000")])
def test_fmt_num(value, text):
    assert fmt_num(value) == text


def test_fmt_usd_and_pct():
    assert fmt_usd(-1.5e9) == "−US$ 1.50 B"
    assert fmt_usd(220e6) == "US$ 220 M"
    assert fmt_usd(12.5e6) == "US$ 12.5 M"
    assert fmt_pct(0.183) == "18.3 %"
    assert fmt_pct(None) == "—"
    assert math.isnan(float("nan"))


def test_years_print_without_thousands_separator():
    from reeflow.report.html import fmt_cell, fmt_value, table

    assert fmt_cell("year", 2025) == "2025" and fmt_cell("tonnes", 2025) == "2,025"
    assert fmt_value({"mining_year": 2025, "share": 0.69231}) == "mining_year: 2025; share: 0.692"
    assert "<td class=\"num\">2031</td>" in table([{"year": 2031}], [("year", "year")])
