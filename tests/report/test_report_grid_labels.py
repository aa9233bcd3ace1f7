"""The grade × price grid on a project with its own drillholes moves deposit.grade_factor:
the figure and the note under it say "×1.10 of the estimated grade", not "110.00 % TREO"
(review of the fuzz-round-5 change)."""

from reeflow.report.figures_econ import grid_grade_text
from reeflow.report.sections import _grid_oddities


def test_grid_grades_read_as_factors_or_percent():
    own = {"x_input": "deposit.grade_factor", "x": [0.9, 1.1], "npv_usd": [[5, 3], [4, 2]]}
    assert grid_grade_text(own, 1.1) == "×1.10"
    assert "×0.90, ×1.10 of the estimated grade" in _grid_oddities(own)
    synthetic = {**own, "x_input": "ore.treo_grade", "x": [0.018, 0.031]}
    assert grid_grade_text(synthetic, 0.018) == "1.80 %"
    assert "1.80 %, 3.10 % TREO" in _grid_oddities(synthetic)
