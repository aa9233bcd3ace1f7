"""Number checks shared by the models: a NumPy scalar counts as the Python number it holds.

``isinstance(x, int | float)`` refused ``np.int64(2)`` and ``np.float32(0.99)`` with a message
that contradicted itself ("got 2; allowed: a finite number > 0"); a script that builds its
inputs with NumPy passes such scalars (fuzz round 15). ``bool`` is an ``int`` in Python: the
checks that use these tuples refuse it separately.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["REAL_TYPES", "INTEGER_TYPES", "check_flag"]

#: types accepted as a real number (Python or NumPy; bool refused by the caller)
REAL_TYPES = (int, float, np.integer, np.floating)
#: types accepted as a whole number (Python or NumPy; bool refused by the caller)
INTEGER_TYPES = (int, np.integer)


def check_flag(name: str, value: Any) -> bool:
    """A yes/no switch: ``True`` or ``False`` (a NumPy bool too). Text such as ``"no"`` is
    truthy in Python and turned a switch on against what was written (SX fuzz round 18)."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    from reeflow.core.errors import InputError

    raise InputError(name, value, "true or false", "write true or false, without quotes")
