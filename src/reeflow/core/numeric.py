"""Number checks shared by the models: a NumPy scalar counts as the Python number it holds.

``isinstance(x, int | float)`` refused ``np.int64(2)`` and ``np.float32(0.99)`` with a message
that contradicted itself ("got 2; allowed: a finite number > 0"); a script that builds its
inputs with NumPy passes such scalars (fuzz round 15). ``bool`` is an ``int`` in Python: the
checks that use these tuples refuse it separately.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["REAL_TYPES", "INTEGER_TYPES", "TONNES_ROUND_OFF_REL", "check_flag", "waste_t"]

#: types accepted as a real number (Python or NumPy; bool refused by the caller)
REAL_TYPES = (int, float, np.integer, np.floating)
#: types accepted as a whole number (Python or NumPy; bool refused by the caller)
INTEGER_TYPES = (int, np.integer)
#: tonnes differing by this share of the tonnes moved are equal (sums over pieces of years)
TONNES_ROUND_OFF_REL = 1e-9


def check_flag(name: str, value: Any) -> bool:
    """A yes/no switch: ``True`` or ``False`` (a NumPy bool too). Text such as ``"no"`` is
    truthy in Python and turned a switch on against what was written (SX fuzz round 18)."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    from reeflow.core.errors import InputError

    raise InputError(name, value, "true or false", "write true or false, without quotes")


def waste_t(moved_t: pd.Series, waste: pd.Series) -> pd.Series:
    """Waste tonnes, zero where they differ from it by round-off only (within
    :data:`TONNES_ROUND_OFF_REL` of the tonnes moved); a NaN stays NaN. A year that moves only
    ore printed -5.8e-10 t (an LP's round-off) and -1e-11 t as "-0" (fuzz round 19)."""
    return waste.mask(waste.abs() <= TONNES_ROUND_OFF_REL * moved_t.abs(), 0.0)
