"""Sphinx configuration of reeflow's documentation site.

Build: ``pip install -e ".[docs]" && python -m sphinx -b html docs docs/_build/html`` (or
``make -C docs html``). Pages are Markdown (MyST); the API reference is generated from the
docstrings (autosummary, NumPy style via napoleon); the gallery's scripts RUN at build time
(sphinx-gallery), so an example that breaks breaks the build. The site works offline: plotly.js
is copied from the installed plotly package into ``_static`` and no CDN is used.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from docs_build import plotly_offline, write_cli_reference, write_plotly_js  # noqa: E402

import reeflow  # noqa: E402

project = "reeflow"
author = "reeflow developers"
copyright = "reeflow developers, MIT licence"
release = version = reeflow.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "_templates", "Thumbs.db", ".DS_Store", "gallery/README.rst",
                    "auto_examples/**/*.ipynb", "auto_examples/**/*.py",
                    "auto_examples/**/*.zip", "auto_examples/**/*.md5",
                    "auto_examples/**/*.codeobj.json", "**/sg_execution_times.rst"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "autosummary.import_cycle", "config.cache"]
templates_path = ["_templates"]

# --- API reference -------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
# each object is documented once, in the module that defines it (a package's __all__ re-exports
# are not repeated on the package's page)
autodoc_default_options = {"members": True, "show-inheritance": False,
                           "ignore-module-all": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_mock_imports: list[str] = []
napoleon_numpy_docstring = True
napoleon_google_docstring = False

# --- gallery: examples that execute when the docs build ------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["../examples/babbitt", "gallery"],
    "gallery_dirs": ["auto_examples/babbitt", "auto_examples/reeflow"],
    # run the gallery scripts; the regeneration helpers (make_*.py) are not examples
    "filename_pattern": r"(babbitt_resource|plot_\w+)\.py$",
    "ignore_pattern": r"make_\w+\.py$",
    "image_scrapers": (),
    "capture_repr": ("_repr_html_", "__repr__"),
    "reset_modules": (plotly_offline,),
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "show_memory": False,
    "write_computation_times": False,  # its page loads jQuery and DataTables from CDNs
}

# --- HTML ---------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"reeflow {release}"
html_static_path = ["_static"]
html_js_files = ["plotly.min.js"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": []}


def setup(app):  # noqa: ANN001, ANN201 - Sphinx hook
    write_plotly_js(HERE / "_static")
    write_cli_reference(HERE / "reference" / "cli.md")
