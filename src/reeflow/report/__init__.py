"""The reeflow report: a self-contained, offline HTML page and the results JSON of a study.

Public API::

    write_report(results, out_dir) -> Path        # out_dir/report.html
    write_results_json(results, out_dir) -> Path  # out_dir/results.json (NaN -> null)

Figure builders (pure: results section -> plotly Figure) live in :mod:`reeflow.report.figures`
and :mod:`reeflow.report.figures_econ`.
"""

from reeflow.report.writer import (
    SECTIONS,
    render_report,
    results_json_text,
    to_jsonable,
    write_report,
    write_results_json,
)

__all__ = ["write_report", "write_results_json", "render_report", "results_json_text",
           "to_jsonable", "SECTIONS"]
