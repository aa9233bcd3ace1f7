"""The one reader of reeflow's packaged data, and the one evidence vocabulary.

Every coefficient, price and default that reeflow ships lives in a data file under
``reeflow/data/<room>/`` (CSV tables, YAML records), each value with its source and an evidence
tag from :data:`EVIDENCE`; the built-in cases are data folders under ``reeflow/cases/<name>/``
(:data:`CASES_DIR`). Rooms read them only through :func:`read_csv` and :func:`read_yaml`, which
parse a file once per process (a cache keyed by room and name) and hand every call its own copy
(a room that keeps a derived table in a cache of its own treats it as read-only).
``tests/core/test_core_data.py`` checks that no other module opens packaged data and that every
evidence tag shipped is in the vocabulary.

Evidence tags (the project's standard): ``measured`` (a laboratory or plant measurement),
``published`` (a figure from a named publication), ``derived`` (computed from published or
measured figures by a stated method) and ``assumed`` (a modelling choice, stated as such).
A published figure read through a secondary source (a book table or a review quoting it) is
``published`` and says "secondary source" in its note. A record whose value is not known is
tagged :data:`MISSING` (a null value elsewhere means a stated default, e.g. "chosen by the plan",
or a record that carries a range and no point value).
"""

from __future__ import annotations

import copy
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    import pandas as pd

__all__ = ["EVIDENCE", "Evidence", "MISSING", "CASES_DIR", "DATA_ROOMS", "data_file", "read_csv",
           "read_yaml"]

Evidence = Literal["measured", "published", "derived", "assumed"]
#: The evidence vocabulary: every value shipped or read from a project file carries one
EVIDENCE: tuple[str, ...] = get_args(Evidence)
#: The tag of a record that has no value ("no data is missing, never 0"): its value is empty
MISSING = "missing"
#: The built-in cases (one folder each: project.yaml, fiscal.yaml, claims.yaml, ...)
CASES_DIR = Path(__file__).resolve().parents[1] / "cases"
#: The rooms that ship data (folders of ``reeflow/data``)
DATA_ROOMS = ("core", "deposit", "economics", "market", "mine", "plant", "sx")


def data_file(room: str, name: str) -> Traversable:
    """The packaged data file ``reeflow/data/<room>/<name>``."""
    if room not in DATA_ROOMS:
        raise ValueError(f"no data room {room!r}; the rooms are {', '.join(DATA_ROOMS)}")
    return resources.files("reeflow.data").joinpath(room, name)


@lru_cache(maxsize=128)
def _csv(room: str, name: str, comment: str | None, sep: str,
         names: tuple[str, ...] | None) -> pd.DataFrame:
    import pandas as pd

    with data_file(room, name).open("r", encoding="utf-8") as fh:
        if names is None:
            return pd.read_csv(fh, comment=comment, sep=sep)
        return pd.read_csv(fh, comment=comment, sep=sep, header=None, names=list(names),
                           keep_default_na=False)


def read_csv(room: str, name: str, *, comment: str | None = "#", sep: str = ",",
             names: tuple[str, ...] | None = None) -> pd.DataFrame:
    """A copy of the CSV table ``name`` of ``room`` (lines starting with ``comment`` skipped;
    ``comment=None`` where a value may hold ``#``). ``sep``: the column separator; ``names``:
    the columns of a file without a header line (its values then read as text as written: a
    country code ``NA`` is Namibia's, not a missing value)."""
    return _csv(room, name, comment, sep, names).copy()


@lru_cache(maxsize=64)
def _yaml(room: str, name: str) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with data_file(room, name).open("r", encoding="utf-8") as fh:
        return yaml.load(fh, Loader=loader)  # noqa: S506 - a safe loader


def read_yaml(room: str, name: str) -> Any:
    """A copy of the parsed YAML file ``name`` of ``room``."""
    return copy.deepcopy(_yaml(room, name))


