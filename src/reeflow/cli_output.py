"""Human output of the command line: tables with units in the headers and readable numbers.

Commands print these for people and one JSON object with ``--json`` (never both). Numbers are
rounded for reading only (``3,300,000`` not ``3300000.0``; ``76.7`` not ``76.65318608987573``);
the JSON output keeps full precision. Missing values print as ``—`` ("no data" is never 0).
Tables are drawn with rich (MIT) without colour, so a pipe or a log file gets plain text.
"""

from __future__ import annotations

import io
import math
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Column", "fmt_number", "render_table", "render_pairs"]

MISSING = "—"


@dataclass(frozen=True)
class Column:
    """A table column: the row key, its header, its unit (shown as ``header (unit)``),
    significant digits of its largest float, a factor applied before printing (``1e-6`` for
    millions), whether numbers get thousands separators (not for years) and whether the
    column's floats share one number of decimals (not when its rows are different
    quantities)."""

    key: str
    header: str
    unit: str = ""
    digits: int = 4
    scale: float = 1.0
    thousands: bool = True
    aligned: bool = True

    def title(self) -> str:
        return f"{self.header} ({self.unit})" if self.unit else self.header


def fmt_number(value: Any, digits: int = 4) -> str:
    """A number for reading: thousands separators, ``digits`` significant digits for floats
    (whole numbers from 1,000 up), ``—`` for None/NaN; other values as ``str``."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return MISSING if math.isnan(value) else ("∞" if value > 0 else "-∞")
        if value == 0:
            return "0"
        if abs(value) >= 10 ** (digits - 1) or (abs(value) >= 1000 and value.is_integer()):
            return f"{value:,.0f}"
        decimals = max(digits - 1 - int(math.floor(math.log10(abs(value)))), 0)
        return f"{value:,.{decimals}f}" if abs(value) >= 1e-3 else f"{value:.{digits - 1}e}"
    try:  # numpy scalars
        return fmt_number(value.item(), digits)
    except AttributeError:
        return str(value)


def _scaled(row: Mapping[str, Any], col: Column) -> Any:
    value: Any = row.get(col.key)
    if value is not None and hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # numpy scalars
    if isinstance(value, int | float) and not isinstance(value, bool) and col.scale != 1.0:
        value = float(value) * col.scale
    return value


def _decimals(values: list[Any], digits: int) -> int:
    """One number of decimals for a column of floats (a column reads best aligned on the
    decimal point): none when every value is whole, else ``digits`` significant digits of the
    largest value."""
    floats = [v for v in values if isinstance(v, float) and math.isfinite(v)]
    if all(v.is_integer() for v in floats):
        return 0
    largest = max(abs(v) for v in floats)
    return max(digits - 1 - int(math.floor(math.log10(largest))), 0) if largest else 0


def _cells(rows: Sequence[Mapping[str, Any]], col: Column) -> list[str]:
    values = [_scaled(r, col) for r in rows]
    if not col.aligned:
        return [fmt_number(v, col.digits) for v in values]
    decimals = _decimals(values, col.digits)
    sep = "," if col.thousands else ""
    out = []
    for v in values:
        if isinstance(v, float) and math.isfinite(v) and (v == 0 or round(v, decimals) != 0):
            out.append(f"{v:{sep}.{decimals}f}")
        elif isinstance(v, int) and not isinstance(v, bool) and not col.thousands:
            out.append(str(v))
        else:
            out.append(fmt_number(v, col.digits))
    return out


def _numeric(rows: Sequence[Mapping[str, Any]], col: Column) -> bool:
    values = [r.get(col.key) for r in rows if r.get(col.key) is not None]
    return bool(values) and all(isinstance(v, int | float) and not isinstance(v, bool)
                                for v in values)


def _width() -> int:
    """The terminal's width at a terminal (``COLUMNS`` wins); unbounded (250) into a pipe or
    a file, where wrapping a table would only break it."""
    import sys

    if os.environ.get("COLUMNS", "").isdigit():
        return max(int(os.environ["COLUMNS"]), 40)
    try:
        if sys.stdout.isatty():
            return max(shutil.get_terminal_size((120, 24)).columns, 40)
    except (AttributeError, ValueError):
        pass
    return 250


def render_table(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column], *,
                 title: str | None = None, note: str | None = None) -> str:
    """The rows as a plain-text table (numbers right-aligned, units in the headers)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    rows = list(rows)
    table = Table(box=box.SIMPLE_HEAD, caption=note, caption_justify="left", pad_edge=False)
    for col in columns:
        table.add_column(col.title(), justify="right" if _numeric(rows, col) else "left",
                         overflow="fold")
    cells = [_cells(rows, col) for col in columns]
    for i in range(len(rows)):
        table.add_row(*(c[i] for c in cells))
    buf = io.StringIO()
    Console(file=buf, width=_width(), color_system=None, highlight=False,
            emoji=False).print(table)
    lines = [line.rstrip() for line in buf.getvalue().rstrip().splitlines()]
    return "\n".join([title, *lines] if title else lines)


def render_pairs(pairs: Iterable[tuple[str, Any, str]], *, title: str | None = None,
                 digits: int = 4) -> str:
    """``(label, value, unit)`` triples as a two-column table."""
    rows = [{"what": label, "value": value, "unit": unit} for label, value, unit in pairs]
    return render_table(rows, [Column("what", ""),
                               Column("value", "value", digits=digits, aligned=False),
                               Column("unit", "unit")], title=title)
