"""Build helpers of the documentation (imported by conf.py): the offline plotly renderer of the
gallery, plotly.js copied into ``_static``, and the command-line reference generated from the
parser itself (so it can never drift from ``reeflow --help``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def write_plotly_js(static: Path) -> Path:
    """Copy the installed plotly.js into the site (no CDN; the pages work offline)."""
    import plotly.offline

    static.mkdir(parents=True, exist_ok=True)
    target = static / "plotly.min.js"
    text = plotly.offline.get_plotlyjs()
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return target


def _offline_renderer() -> Any:
    """A plotly renderer for the gallery: the figure's div and script only; plotly.js is loaded
    once by the page (``html_js_files``)."""
    from plotly.io.base_renderers import MimetypeRenderer

    class OfflineHtml(MimetypeRenderer):  # type: ignore[misc]
        def to_mimebundle(self, fig_dict: dict[str, Any]) -> dict[str, str]:
            import plotly.io as pio

            return {"text/html": pio.to_html(fig_dict, include_plotlyjs=False,
                                             full_html=False, default_width="100%",
                                             config={"responsive": True,
                                                     "displaylogo": False},
                                             validate=False)}

    return OfflineHtml()


def plotly_offline(gallery_conf: Any, fname: str) -> None:
    """sphinx-gallery reset hook: figures shown or returned by an example embed offline."""
    import plotly.io as pio

    pio.renderers["reeflow_docs"] = _offline_renderer()
    pio.renderers.default = "reeflow_docs"


def write_cli_reference(target: Path) -> Path:
    """``reference/cli.md``: the ``--help`` of every command, from the full parser."""
    from reeflow.cli import full_parser

    parts = ["# Command line reference", "",
             "Generated from the parser at build time (`reeflow COMMAND --help` prints the "
             "same). Any file argument may be written `builtin:NAME` "
             "(`reeflow examples` lists the names).", ""]
    for path, parser in _walk(full_parser()):
        title = " ".join(("reeflow", *path))
        parts += [f"## `{title}`" if path else "## `reeflow`", "", "```text",
                  parser.format_help().rstrip(), "```", ""]
    text = "\n".join(parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return target


def _walk(parser: Any, path: tuple[str, ...] = ()):
    yield path, parser
    for action in parser._actions:
        if isinstance(getattr(action, "choices", None), dict):
            for name, sub in action.choices.items():
                yield from _walk(sub, (*path, name))
