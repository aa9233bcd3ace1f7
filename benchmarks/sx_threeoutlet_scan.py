"""Three-outlet designer: the pruned default S scan against the same S list designed in full.

Run (from the repository root):

    .venv/bin/python benchmarks/sx_threeoutlet_scan.py              # 40 problems
    .venv/bin/python benchmarks/sx_threeoutlet_scan.py --problems 8

Random La/Ce/Pr three-outlet problems (seed 13): feed 5–60 mol/h of La and Pr, Ce either a
trace (0.05–1) or 2–30 mol/h; β Ce/La and β Pr/Ce 1.3–3.0; purities 0.99 or 0.999; the draw's
Ce fraction 0.2–0.8. Each is designed with the default scan (pruned,
:func:`reeflow.plant.sx.threeoutlet._scan_s`) and with the default scan's S values passed as
a list (every S designed in full). Prints one line per problem (same design?, CPU seconds of
each, the designs) and a JSON summary. The problems are illustrative, not data.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

from reeflow.core.errors import InfeasibleSpecError
from reeflow.plant.sx.threeoutlet import _default_scan, _groups, design_three_outlet


def _problems(n: int, seed: int = 13):
    rng = random.Random(seed)
    for _ in range(n):
        fh = rng.uniform(5, 60)
        fm = rng.choice([rng.uniform(0.05, 1), rng.uniform(2, 30)])
        fl = rng.uniform(5, 60)
        bm, bh = rng.uniform(1.3, 3.0), rng.uniform(1.3, 3.0)
        specs = {"purity_organic": rng.choice([0.99, 0.999]),
                 "purity_aqueous": rng.choice([0.99, 0.999]),
                 "middle_fraction": rng.uniform(0.2, 0.8)}
        yield {"La": fl, "Ce": fm, "Pr": fh}, {"La": 1.0, "Ce": bm, "Pr": bm * bh}, specs


def _design(feed, alpha, specs, s):
    t = time.process_time()
    try:
        d = design_three_outlet(feed, ["Pr"], ["Ce"], alpha=alpha, s_mol_per_mol_feed=s, **specs)
        out = (round(d.s_mol_per_mol_feed, 6), d.n_extraction, d.n_scrub, d.draw_stage)
    except InfeasibleSpecError:
        out = "infeasible"
    return out, time.process_time() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", type=int, default=40)
    args = ap.parse_args()
    rows = []
    for i, (feed, alpha, specs) in enumerate(_problems(args.problems)):
        pruned, t_p = _design(feed, alpha, specs, None)
        s_list = _default_scan(feed, _groups(feed, ["Pr"], ["Ce"], alpha), alpha)
        full, t_f = _design(feed, alpha, specs, s_list)
        rows.append((pruned == full, t_p, t_f, pruned))
        print(i, pruned == full, f"{t_p:.1f} s", f"{t_f:.1f} s", pruned, full, flush=True)
    inf = [r for r in rows if r[3] == "infeasible"]
    print(json.dumps({
        "problems": len(rows), "same_design": sum(r[0] for r in rows),
        "infeasible": len(inf), "pruned_cpu_s": sum(r[1] for r in rows),
        "full_cpu_s": sum(r[2] for r in rows),
        "median_ratio": statistics.median(r[2] / r[1] for r in rows if r[1] > 0),
        "slowest_pruned_s": max(r[1] for r in rows), "slowest_full_s": max(r[2] for r in rows),
        "infeasible_pruned_s": sum(r[1] for r in inf), "infeasible_full_s": sum(r[2] for r in inf),
    }, indent=1))


if __name__ == "__main__":
    main()
