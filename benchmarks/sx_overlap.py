"""Overlapping (sloppy) split against sharp splits: reflux and reagents of a 3-product train.

A question of issue #13 (linked, "hyperlink" cascades): Chinese practice starts a train with
an overlapping split (A)(B)/(B)(C) whose middle element leaves by both outlets (Cheng, Wu,
Wang, Zhang, Liu, Liao & Yan, *Adv. Mater. Phys. Chem.* 5 (2015) 8, doi:10.4236/ampc.2015.58032,
open access; abstract read), as a distillation train may start with a prefractionator
(Petlyuk). Does it need less reflux than the best sharp sequence, for the same products?

Every cut of both schemes is designed by ONE procedure, with the rigorous constant-β
simulator (:func:`reeflow.plant.sx.simulate_cut`, the default design conditions):

* the organic product D (mol per mol fed) is set by the split: the heavy group's feed for a
  sharp cut, C + θ·B for the overlapping cut (θ = the share of B sent to the organic);
* each outlet has an impurity budget in mol/h (elements that should leave by the other
  outlet); the budgets of the cuts that make one product add up to (1 − purity) of it;
* W_min = the smallest scrub reflux W at which ``--stage-cap`` ideal stages meet both budgets
  (bisection; Underwood's minimum for a binary); the cut runs at ``--reflux-multiple`` × W_min,
  S = W + D, with the fewest stages (and best feed stage) that meet the budgets;
* reagents per mol fed, as the SX room costs them: HCl 3·W + 3·(S − W)·(1 + strip excess),
  NaOH 3·S.

The sharp sequences are A|BC then B|C, and AB|C then A|B. The overlapping scheme is AB/BC,
then A|B on its raffinate and B|C on its organic; product B is the two B streams together.
Not run by the tests. Command::

    PYTHONPATH=src python benchmarks/sx_overlap.py --out /tmp/sx_overlap.json
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Mapping, Sequence

from reeflow.plant.sx import simulate_cut
from reeflow.plant.sx.conditions import DesignConditions

COND = DesignConditions()


def _leaks(feed: Mapping[str, float], alpha: Mapping[str, float], n: int, m: int,
           s: float, w: float, org: Sequence[str], aq: Sequence[str]
           ) -> tuple[float, float, dict[str, dict[str, float]]] | None:
    """Impurity mol/h in the organic (elements not in ``org``) and aqueous (not in ``aq``)."""
    try:
        r = simulate_cut(feed, alpha, n, m, s, w, conditions=COND)
    except Exception:  # noqa: BLE001 - an infeasible operating point or trial: spec missed
        return None
    o, a = r.outlets["loaded_organic"], r.outlets["raffinate"]
    return (math.fsum(x for e, x in o.items() if e not in org),
            math.fsum(x for e, x in a.items() if e not in aq),
            {"organic": dict(o), "aqueous": dict(a)})


class Cut:
    """One cut's design problem: feed, groups, organic product D and impurity budgets."""

    def __init__(self, feed, alpha, org, aq, d_mol_per_h, budget_org, budget_aq):
        self.feed, self.alpha, self.org, self.aq = feed, alpha, org, aq
        self.d, self.b_org, self.b_aq = d_mol_per_h, budget_org, budget_aq

    def margin(self, n: int, m: int, w: float) -> tuple[float, dict | None]:
        got = _leaks(self.feed, self.alpha, n, m, w + self.d, w, self.org, self.aq)
        if got is None:
            return -math.inf, None
        lo, la, out = got
        return min(math.log(self.b_org / max(lo, 1e-300)),
                   math.log(self.b_aq / max(la, 1e-300))), out

    def best(self, total: int, w: float) -> tuple[float, int, dict | None]:
        """The feed stage n of ``total`` stages with the largest margin (golden, then ±2)."""
        if total < 2:
            return -math.inf, 1, None
        memo: dict[int, tuple[float, dict | None]] = {}

        def f(n: int) -> float:
            if n not in memo:
                memo[n] = self.margin(n, total - n, w)
            return memo[n][0]

        lo, hi = 1, total - 1
        while hi - lo > 3:
            m1, m2 = lo + (hi - lo) // 3, hi - (hi - lo) // 3
            if f(m1) < f(m2):
                lo = m1 + 1
            else:
                hi = m2
        cand = range(max(1, lo - 2), min(total - 1, hi + 2) + 1)
        n = max(cand, key=f)
        return memo[n][0], n, memo[n][1]

    def w_min(self, cap: int) -> float:
        lo, hi = 0.0, max(self.d, 1e-6)
        while self.best(cap, hi)[0] < 0:
            lo, hi = hi, hi * 2
            if hi > 1e3 * math.fsum(self.feed.values()):
                raise RuntimeError("no reflux meets the budgets within the stage cap")
        for _ in range(20):  # the bracket to 1e-6 of its width
            mid = 0.5 * (lo + hi)
            lo, hi = (lo, mid) if self.best(cap, mid)[0] >= 0 else (mid, hi)
        return hi

    def design(self, multiple: float, cap: int) -> dict:
        wm = self.w_min(cap)
        w = multiple * wm
        hi = 4
        while self.best(hi, w)[0] < 0:
            hi = min(2 * hi, cap)
        lo = 1
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if self.best(mid, w)[0] >= 0 else (mid, hi)
        margin, n, out = self.best(hi, w)
        f = math.fsum(self.feed.values())
        s = w + self.d
        x = COND.strip_acid_excess_frac
        return {"org": list(self.org), "aq": list(self.aq), "feed_mol_per_h": f,
                "w_min_mol_per_h": wm, "w_mol_per_h": w, "s_mol_per_h": s, "stages": hi,
                "n_extraction": n, "HCl_mol_per_h": 3 * w + 3 * (s - w) * (1 + x),
                "NaOH_mol_per_h": 3 * s, "margin": margin, "outlets": out}


def _sum(*streams: Mapping[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for s in streams:
        for e, x in s.items():
            out[e] = out.get(e, 0.0) + x
    return out


def _purity(stream: Mapping[str, float], el: str) -> float:
    return stream.get(el, 0.0) / math.fsum(stream.values())


def sharp_first(feed, alpha, a, b, c, p, mult, cap):
    """A|BC then B|C; budgets: product B's impurity (1 − p)·B split equally over the cuts."""
    share = (1 - p) * feed[b]
    c1 = Cut(feed, alpha, (b, c), (a,), feed[b] + feed[c], share / 2,
             (1 - p) * feed[a]).design(mult, cap)
    f2 = c1["outlets"]["organic"]
    c2 = Cut(f2, alpha, (c,), (a, b), f2[c], (1 - p) * feed[c], share / 2).design(mult, cap)
    prods = {a: c1["outlets"]["aqueous"], b: c2["outlets"]["aqueous"],
             c: c2["outlets"]["organic"]}
    return [c1, c2], prods


def sharp_last(feed, alpha, a, b, c, p, mult, cap):
    """AB|C then A|B."""
    share = (1 - p) * feed[b]
    c1 = Cut(feed, alpha, (c,), (a, b), feed[c], (1 - p) * feed[c], share / 2
             ).design(mult, cap)
    f2 = c1["outlets"]["aqueous"]
    c2 = Cut(f2, alpha, (b, c), (a,), f2[b] + f2.get(c, 0.0), share / 2,
             (1 - p) * feed[a]).design(mult, cap)
    prods = {a: c2["outlets"]["aqueous"], b: c2["outlets"]["organic"],
             c: c1["outlets"]["organic"]}
    return [c1, c2], prods


def overlapping(feed, alpha, a, b, c, p, theta, mult, cap):
    """AB/BC (θ of B to the organic), then A|B on the raffinate and B|C on the organic.
    Product B's impurity budget (1 − p)·B is split over four leaks: A and C out of the first
    cut, A out of A|B, C out of B|C."""
    share = (1 - p) * feed[b] / 4
    c0 = Cut(feed, alpha, (b, c), (a, b), feed[c] + theta * feed[b], share, share
             ).design(mult, cap)
    fa, fo = c0["outlets"]["aqueous"], c0["outlets"]["organic"]
    c1 = Cut(fa, alpha, (b, c), (a,), fa[b] + fa.get(c, 0.0), share, (1 - p) * feed[a]
             ).design(mult, cap)
    c2 = Cut(fo, alpha, (c,), (a, b), fo[c], (1 - p) * feed[c], share).design(mult, cap)
    prods = {a: c1["outlets"]["aqueous"], b: _sum(c1["outlets"]["organic"],
                                                  c2["outlets"]["aqueous"]),
             c: c2["outlets"]["organic"]}
    return [c0, c1, c2], prods


def _row(name: str, cuts: list[dict], prods: Mapping[str, Mapping[str, float]], f: float
         ) -> dict:
    return {"scheme": name,
            "w_min_per_mol_fed": math.fsum(c["w_min_mol_per_h"] for c in cuts) / f,
            "w_per_mol_fed": math.fsum(c["w_mol_per_h"] for c in cuts) / f,
            "s_per_mol_fed": math.fsum(c["s_mol_per_h"] for c in cuts) / f,
            "HCl_per_mol_fed": math.fsum(c["HCl_mol_per_h"] for c in cuts) / f,
            "NaOH_per_mol_fed": math.fsum(c["NaOH_mol_per_h"] for c in cuts) / f,
            "stages": sum(c["stages"] for c in cuts),
            "purity": {e: _purity(s, e) for e, s in prods.items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--purity", type=float, default=0.999)
    ap.add_argument("--reflux-multiple", type=float, default=1.2)
    ap.add_argument("--stage-cap", type=int, default=100)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    cases = [  # illustrative feeds and β (stated, not a project's data)
        ("equimolar La/Ce/Pr, β 2 and 2", {"La": 1.0, "Ce": 1.0, "Pr": 1.0},
         {"La": 1.0, "Ce": 2.0, "Pr": 4.0}),
        ("equimolar La/Ce/Pr, β 3 and 1.5", {"La": 1.0, "Ce": 1.0, "Pr": 1.0},
         {"La": 1.0, "Ce": 3.0, "Pr": 4.5}),
    ]
    out = []
    for label, feed, alpha in cases:
        f = math.fsum(feed.values())
        t = time.perf_counter()
        rows = [_row("A|BC, B|C", *sharp_first(feed, alpha, "La", "Ce", "Pr", args.purity,
                                               args.reflux_multiple, args.stage_cap), f),
                _row("AB|C, A|B", *sharp_last(feed, alpha, "La", "Ce", "Pr", args.purity,
                                              args.reflux_multiple, args.stage_cap), f)]
        for theta in (0.3, 0.5, 0.7):
            rows.append(_row(f"AB/BC (θ = {theta}), A|B, B|C", *overlapping(
                feed, alpha, "La", "Ce", "Pr", args.purity, theta, args.reflux_multiple,
                args.stage_cap), f))
        print(f"\n{label}: purity {args.purity}, W = {args.reflux_multiple} × W_min "
              f"({time.perf_counter() - t:.1f} s)")
        print(f"{'scheme':34s} {'ΣW_min':>7s} {'ΣW':>7s} {'ΣS':>7s} {'HCl':>7s} {'NaOH':>7s} "
              f"{'stages':>6s}  purities")
        for r in rows:
            pur = " ".join(f"{e} {v:.5f}" for e, v in r["purity"].items())
            print(f"{r['scheme']:34s} {r['w_min_per_mol_fed']:7.3f} {r['w_per_mol_fed']:7.3f} "
                  f"{r['s_per_mol_fed']:7.3f} {r['HCl_per_mol_fed']:7.3f} "
                  f"{r['NaOH_per_mol_fed']:7.3f} {r['stages']:6d}  {pur}")
        out.append({"case": label, "feed": feed, "alpha": alpha, "rows": rows})
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump({"args": vars(args), "cases": out}, fh, indent=1)


if __name__ == "__main__":
    main()
