"""Peer worker: runs INSIDE the PrOMMiS venv (never imports reeflow), prints one JSON object.

Usage: <prommis-venv>/bin/python benchmarks/sx_peers_prommis.py N_STAGES
Builds PrOMMiS 1.1's own steady SolventExtraction demo (D2EHPA 5 v/v %, N stages,
prommis.solvent_extraction.solvent_extraction_steady) and tries to initialise and solve it with
what PyPI offers: cyipopt-wheels (libipopt 3.14.11 + MUMPS). Every step's outcome and time is
recorded, so a failure says exactly which piece is missing.
"""

from __future__ import annotations

import json
import shutil
import sys
import time


def _step(out: dict, name: str, fn):
    t0 = time.perf_counter()
    try:
        value = fn()
        out[name] = "ok"
    except Exception as exc:  # record the peer's own error text verbatim
        value = None
        out[name] = f"{type(exc).__name__}: {str(exc)[:300]}"
    out[f"{name}_s"] = round(time.perf_counter() - t0, 3)
    return value


def main() -> int:
    n = int(sys.argv[1])
    out: dict = {"peer": "prommis", "n_stages": n, "converged": False}
    import numpy as np
    import pyomo.environ as pyo

    def rosen():
        import cyipopt
        from scipy.optimize import rosen, rosen_der

        r = cyipopt.minimize_ipopt(rosen, np.full(5, 1.3), jac=rosen_der)
        return bool(r.success)

    out["cyipopt_wheels_solves_rosenbrock"] = _step(out, "cyipopt_import_and_solve", rosen)
    from pyomo.contrib.pynumero.asl import AmplInterface

    out["pynumero_asl_library_available"] = bool(AmplInterface.available())
    out["ipopt_executable_on_path"] = shutil.which("ipopt")
    from idaes.core.solvers import get_solver

    out["idaes_ipopt_v2_available"] = bool(get_solver("ipopt_v2").available(exception_flag=False))
    import prommis
    from prommis.solvent_extraction import solvent_extraction_steady as sxs

    out["version"] = getattr(prommis, "__version__", "1.1.0")
    m = _step(out, "build_and_set_inputs", lambda: sxs.model_buildup_and_set_inputs(5, n, False))
    if m is not None:
        _step(out, "idaes_initialize", lambda: sxs.initialize_steady_model(m))
        res = _step(out, "cyipopt_solve",
                    lambda: pyo.SolverFactory("cyipopt").solve(
                        m, options={"linear_solver": "mumps"}))
        if res is not None:
            tc = str(res.solver.termination_condition)
            out["termination"] = tc
            out["converged"] = tc == "optimal"
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
