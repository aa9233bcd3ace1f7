"""Design conditions of a cut and the operating point that keeps every stage inside the O/A window.

:class:`DesignConditions` holds the preferred concentrations (feed, loaded organic, scrub and
strip acid) with the windows the designer may move them in (``data/sx/design_defaults.yaml``,
each with source and evidence). :func:`operating_point` takes Xu's flows per mol of feed
(S = RE in the loaded organic, W = RE refluxed by the scrub acid; Xu Guangxian's theory as in
Zhang, Zhao & Schreiner 2016 ch. 4) and returns concentrations — and, where no concentration
inside its window suffices, a larger reflux W — such that the O/A of the extraction, scrub and
strip sections lies inside 1:10–10:1 (PrOMMiS PR #259 review; ``ree_separation.md`` §5.1).

Phase ratios of Xu's constant-flow cascade per mol of RE fed (F = 1; all in L per mol feed):
organic ``S/c_org``; extraction aqueous ``1/c_feed + 3W/c_scrub``; scrub aqueous
``3W/c_scrub``; strip aqueous ``3(S − W)(1 + x)/c_strip`` (3 mol H⁺ per mol RE, x = free-acid
excess). Base for saponification ``3S`` mol NaOH; acid ``3W + 3(S − W)(1 + x)`` mol HCl.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from reeflow.core.errors import InfeasibleSpecError, InputError
from reeflow.core.numeric import INTEGER_TYPES, REAL_TYPES, check_flag
from reeflow.plant.sx.data import design_record, extractant

__all__ = ["DesignConditions", "OperatingPoint", "operating_point", "conditions_for_extractant"]


def _default(key: str) -> float:
    return float(design_record(key)["value"])


def _range(key: str) -> tuple[float, float]:
    lo, hi = design_record(key)["range"]
    return float(lo), float(hi)


def _pair(x: Any) -> tuple[float, float]:
    return float(x[0]), float(x[1])


def _p507(key: str, part: str = "value") -> Any:
    return extractant("P507")[key][part]


@dataclass(frozen=True)
class DesignConditions:
    """Concentrations, windows and residence times of a cut design.

    The ``*_range`` windows are where :func:`operating_point` may move a concentration to keep
    the O/A inside ``oa_window``; ``adjust=False`` keeps the preferred values (and raises
    InfeasibleSpecError when the window is left). Defaults: ``data/sx/design_defaults.yaml``
    and the P507 record of ``data/sx/extractants.yaml``.
    """

    feed_mol_per_L: float = field(default_factory=lambda: _default("feed_mol_per_L"))  # noqa: N815
    loaded_organic_mol_per_L: float = field(  # noqa: N815
        default_factory=lambda: float(_p507("loaded_organic_mol_per_L")))
    scrub_acid_mol_per_L: float = field(  # noqa: N815
        default_factory=lambda: _default("scrub_acid_mol_per_L"))
    strip_acid_mol_per_L: float = field(  # noqa: N815
        default_factory=lambda: _default("strip_acid_mol_per_L"))
    strip_acid_excess_frac: float = field(
        default_factory=lambda: _default("strip_acid_excess_frac"))
    n_strip: int = field(default_factory=lambda: int(_default("strip_stages")))
    mixer_residence_min: float = field(default_factory=lambda: _default("mixer_residence_min"))
    settler_residence_min: float = field(
        default_factory=lambda: _default("settler_residence_min"))
    #: Overall stage efficiency (real stages = ideal stages / efficiency, rounded up).
    stage_efficiency: float = 1.0
    feed_mol_per_L_range: tuple[float, float] = field(  # noqa: N815
        default_factory=lambda: _range("feed_mol_per_L"))
    loaded_organic_mol_per_L_range: tuple[float, float] = field(  # noqa: N815
        default_factory=lambda: _pair(_p507("loaded_organic_mol_per_L", "range")))
    scrub_acid_mol_per_L_range: tuple[float, float] = field(  # noqa: N815
        default_factory=lambda: _range("scrub_acid_mol_per_L"))
    strip_acid_mol_per_L_range: tuple[float, float] = field(  # noqa: N815
        default_factory=lambda: _range("strip_acid_mol_per_L"))
    oa_window: tuple[float, float] = field(
        default_factory=lambda: _pair(design_record("oa_window")["value"]))
    #: Total extractant as monomer (mol/L); sets the loading ceiling C/3 and the saponification.
    extractant_mol_per_L: float = field(  # noqa: N815
        default_factory=lambda: float(_p507("extractant_mol_per_L")))
    temperature_C: float = field(default_factory=lambda: _default("temperature_C"))  # noqa: N815
    adjust: bool = True

    def __post_init__(self) -> None:
        _check_positive(self)
        check_flag("conditions.adjust", self.adjust)
        for name in ("stage_efficiency", "strip_acid_excess_frac"):  # a text value: TypeError
            val = getattr(self, name)
            if isinstance(val, bool) or not isinstance(val, REAL_TYPES):
                raise InputError(f"conditions.{name}", val, "a number",
                                 "give a plain number, e.g. 0.9")
        if not (isinstance(self.oa_window, tuple | list) and len(self.oa_window) == 2
                and all(isinstance(v, REAL_TYPES) and not isinstance(v, bool)
                        for v in self.oa_window)):
            raise InputError("conditions.oa_window", self.oa_window, "(low, high): two numbers",
                             "give the O/A window as two numbers around 1, e.g. (0.1, 10)")
        if not 0.0 < self.stage_efficiency <= 1.0:
            raise InputError("conditions.stage_efficiency", self.stage_efficiency, "0 < E <= 1",
                             "give an overall stage efficiency, e.g. 0.9")
        if not (isinstance(self.n_strip, INTEGER_TYPES) and not isinstance(self.n_strip, bool)
                and 1 <= self.n_strip <= 50):
            raise InputError("conditions.n_strip", self.n_strip, "an integer 1..50 stages",
                             "give the number of strip stages")
        if not (math.isfinite(self.strip_acid_excess_frac)
                and 0.0 <= self.strip_acid_excess_frac <= 5.0):
            raise InputError("conditions.strip_acid_excess_frac", self.strip_acid_excess_frac,
                             "0..5 (fraction of the stoichiometric strip acid)",
                             "give the free-acid excess as a fraction, e.g. 0.1")
        ceiling = self.extractant_mol_per_L / 3.0
        if self.loaded_organic_mol_per_L > ceiling * (1 + 1e-12):
            raise InputError(
                "conditions.loaded_organic_mol_per_L", self.loaded_organic_mol_per_L,
                f"<= {ceiling:.4g} mol/L (loading limit C_HA/3 for {self.extractant_mol_per_L:g} "
                "mol/L extractant, REA3 stoichiometry)",
                "lower the loaded organic or raise extractant_mol_per_L")
        lo, hi = self.oa_window
        if not 0.0 < lo < 1.0 < hi:
            raise InputError("conditions.oa_window", self.oa_window, "(low < 1 < high), e.g. "
                             "(0.1, 10)", "give the O/A window as two numbers around 1")
        # the recorded bounds: (0.01, 100) was taken and a strip section designed at O/A 98
        # (independent SX audit, 2026-12-02)
        b_lo, b_hi = _pair(design_record("oa_window")["bounds"])
        if lo < b_lo or hi > b_hi:
            raise InputError("conditions.oa_window", self.oa_window,
                             f"a window inside the recorded bounds ({b_lo:g}, {b_hi:g}) of "
                             "design_defaults.yaml (mixer-settlers are kept 1:10-10:1)",
                             "narrow the O/A window, e.g. (0.1, 10)")
        for name in ("feed_mol_per_L", "loaded_organic_mol_per_L", "scrub_acid_mol_per_L",
                     "strip_acid_mol_per_L"):
            rng = getattr(self, name + "_range")
            val = getattr(self, name)
            if not (isinstance(rng, tuple | list) and len(rng) == 2
                    and all(isinstance(v, REAL_TYPES) and not isinstance(v, bool) for v in rng)
                    and 0.0 < float(rng[0]) <= float(rng[1]) and math.isfinite(float(rng[1]))):
                raise InputError(f"conditions.{name}_range", rng, "(low, high) with 0 < low "
                                 "<= high", "give the range as [low, high] with 0 < low <= high")
            if not rng[0] <= val <= rng[1]:  # an explicit value widens its own window
                object.__setattr__(self, name + "_range", (min(rng[0], val), max(rng[1], val)))
        lo_org = self.loaded_organic_mol_per_L_range
        if lo_org[1] > ceiling:
            object.__setattr__(self, "loaded_organic_mol_per_L_range",
                               (min(lo_org[0], ceiling), ceiling))

    @property
    def saponification_frac(self) -> float:
        """Saponified fraction s that loads ``loaded_organic_mol_per_L`` (c = s·C_HA/3)."""
        return 3.0 * self.loaded_organic_mol_per_L / self.extractant_mol_per_L

    def with_(self, **changes: Any) -> DesignConditions:
        """A copy with ``changes`` applied (validated again)."""
        return replace(self, **changes)


def _check_positive(c: DesignConditions) -> None:
    for name in ("feed_mol_per_L", "loaded_organic_mol_per_L", "scrub_acid_mol_per_L",
                 "strip_acid_mol_per_L", "mixer_residence_min", "settler_residence_min",
                 "extractant_mol_per_L"):
        val = getattr(c, name)
        if isinstance(val, bool) or not isinstance(val, REAL_TYPES) or not (
                math.isfinite(val) and val > 0):
            raise InputError(f"conditions.{name}", val, "a finite number > 0",
                             "give a finite number above 0")
    if not (isinstance(c.temperature_C, REAL_TYPES) and 0.0 <= c.temperature_C <= 100.0):
        raise InputError("conditions.temperature_C", c.temperature_C, "0..100 °C",
                         "give the temperature in °C from 0 to 100")


def conditions_for_extractant(name: str, base: DesignConditions | None = None, *,
                              loaded_organic_mol_per_L: float | None = None  # noqa: N803
                              ) -> DesignConditions:
    """Conditions with the extractant record's loaded organic, its window and concentration;
    ``loaded_organic_mol_per_L``: the caller's loading, in place of the record's (needed where
    the record has none: P204 and Cyanex 272 were refused whatever loading the project set)."""
    rec = extractant(name)
    loaded = rec.get("loaded_organic_mol_per_L", {})
    if base is not None:
        return base
    value = loaded.get("value") if loaded_organic_mol_per_L is None else loaded_organic_mol_per_L
    if value is None:
        raise InputError(f"extractant.{name}.loaded_organic_mol_per_L", None,
                         "a loaded-organic RE concentration (none verified for this system)",
                         "give loaded_organic_mol_per_L (mol/L, from a source for this "
                         "system): plant.separation.sx.loaded_organic_mol_per_L in a project "
                         "file, loaded_organic_mol_per_L in an SX design file, or "
                         "conditions=DesignConditions(loaded_organic_mol_per_L=...) in Python")
    kw: dict[str, Any] = {"loaded_organic_mol_per_L": float(value)}
    if loaded.get("range"):
        kw["loaded_organic_mol_per_L_range"] = _pair(loaded["range"])
    if rec.get("extractant_mol_per_L", {}).get("value") is not None:
        kw["extractant_mol_per_L"] = float(rec["extractant_mol_per_L"]["value"])
    return DesignConditions(**kw)


@dataclass(frozen=True)
class OperatingPoint:
    """Concentrations and flows (per mol RE fed) of a cut inside the O/A window."""

    s_mol_per_mol_feed: float
    w_mol_per_mol_feed: float
    feed_mol_per_L: float  # noqa: N815
    loaded_organic_mol_per_L: float  # noqa: N815
    scrub_acid_mol_per_L: float  # noqa: N815
    strip_acid_mol_per_L: float  # noqa: N815
    strip_acid_excess_frac: float
    oa: dict[str, float]
    notes: tuple[str, ...] = ()
    saponification_frac: float = math.nan

    def flows_L_per_mol(self) -> dict[str, float]:  # noqa: N802
        """Volumetric flows per mol of RE fed (L/mol)."""
        s, w = self.s_mol_per_mol_feed, self.w_mol_per_mol_feed
        return {"feed": 1.0 / self.feed_mol_per_L,
                "organic": s / self.loaded_organic_mol_per_L,
                "scrub_acid": 3.0 * w / self.scrub_acid_mol_per_L,
                "strip_acid": 3.0 * (s - w) * (1.0 + self.strip_acid_excess_frac)
                / self.strip_acid_mol_per_L}

    def reagents_mol_per_mol_feed(self) -> dict[str, float]:
        """HCl (scrub + strip with excess) and NaOH (saponification), mol per mol RE fed."""
        s, w = self.s_mol_per_mol_feed, self.w_mol_per_mol_feed
        return {"HCl": 3.0 * w + 3.0 * (s - w) * (1.0 + self.strip_acid_excess_frac),
                "NaOH": 3.0 * s}

    def to_dict(self) -> dict[str, Any]:
        return {"s_mol_per_mol_feed": self.s_mol_per_mol_feed,
                "w_mol_per_mol_feed": self.w_mol_per_mol_feed,
                "feed_mol_per_L": self.feed_mol_per_L,
                "loaded_organic_mol_per_L": self.loaded_organic_mol_per_L,
                "scrub_acid_mol_per_L": self.scrub_acid_mol_per_L,
                "strip_acid_mol_per_L": self.strip_acid_mol_per_L,
                "strip_acid_excess_frac": self.strip_acid_excess_frac,
                "saponification_frac": self.saponification_frac,
                "oa": dict(self.oa), "notes": list(self.notes)}


def _oa(s: float, w: float, c: dict[str, float]) -> dict[str, float]:
    org = s / c["org"]
    out = {"extraction": org / (1.0 / c["feed"] + 3.0 * w / c["scrub"])}
    out["scrub"] = org / (3.0 * w / c["scrub"]) if w > 0 else math.inf
    strip = 3.0 * (s - w) * (1.0 + c["excess"]) / c["strip"]
    out["strip"] = org / strip if strip > 0 else math.inf
    return out


def operating_point(s: float, w: float, cond: DesignConditions, *,
                    allow_more_reflux: bool = True) -> OperatingPoint:
    """Concentrations (and, if needed, a larger reflux W) putting every section inside the window.

    ``s``, ``w``: Xu's RE flows in the loaded organic and the scrub reflux, mol per mol fed
    (S − W is the organic product). Each section's O/A is brought inside the window shrunk
    by ``oa_margin_frac`` by moving, in this order, the scrub acid, the feed concentration,
    the loaded organic (the saponification) and the strip acid inside their windows, then the
    strip-acid excess, and — only if ``allow_more_reflux`` — the reflux W (S = W + product,
    so the product is unchanged; more reflux never costs purity). Raises InfeasibleSpecError
    naming the section and its O/A when nothing inside the windows suffices.
    """
    if not (0.0 <= w < s and math.isfinite(s)):
        raise InfeasibleSpecError(f"scrub reflux W = {w:.6g} must lie in [0, S = {s:.6g}) "
                                  "mol per mol feed")
    prod = s - w
    margin = float(design_record("oa_margin_frac")["value"])
    lo, hi = cond.oa_window[0] * (1 + margin), cond.oa_window[1] * (1 - margin)
    c = {"feed": cond.feed_mol_per_L, "org": cond.loaded_organic_mol_per_L,
         "scrub": cond.scrub_acid_mol_per_L, "strip": cond.strip_acid_mol_per_L,
         "excess": cond.strip_acid_excess_frac}
    notes: list[str] = []
    if cond.adjust:
        for _ in range(4):
            s, w = _adjust(s, w, prod, c, cond, lo, hi, notes, allow_more_reflux)
    oa = _oa(s, w, c)
    for sec, val in oa.items():
        if sec == "scrub" and w == 0:
            continue
        if not cond.oa_window[0] * (1 - 1e-9) <= val <= cond.oa_window[1] * (1 + 1e-9):
            raise InfeasibleSpecError(
                f"O/A window: the {sec} section would run at O/A = {val:.4g}, outside "
                f"{cond.oa_window[0]:g}–{cond.oa_window[1]:g} (1:10–10:1), with feed "
                f"{c['feed']:.3g} M, loaded organic {c['org']:.3g} M, scrub acid "
                f"{c['scrub']:.3g} M, strip acid {c['strip']:.3g} M inside their windows"
                + ("" if allow_more_reflux else " at the given S and W")
                + "; widen the concentration windows (DesignConditions *_range) or the O/A "
                "window")
    return OperatingPoint(
        s_mol_per_mol_feed=s, w_mol_per_mol_feed=w, feed_mol_per_L=c["feed"],
        loaded_organic_mol_per_L=c["org"], scrub_acid_mol_per_L=c["scrub"],
        strip_acid_mol_per_L=c["strip"], strip_acid_excess_frac=c["excess"], oa=oa,
        notes=tuple(dict.fromkeys(notes)),
        saponification_frac=3.0 * c["org"] / cond.extractant_mol_per_L)


def _clip(x: float, rng: tuple[float, float]) -> float:
    return min(max(x, rng[0]), rng[1])


def _adjust(s, w, prod, c, cond, lo, hi, notes, more_reflux):
    """One pass over the sections; returns (S, W) (W raised only when allowed)."""
    # scrub: O/A = S c_scrub / (3 W c_org)
    if w > 0:
        oa_s = _oa(s, w, c)["scrub"]
        if oa_s > hi or oa_s < lo:
            target = hi if oa_s > hi else lo
            c["scrub"] = _clip(target * 3.0 * w * c["org"] / s, cond.scrub_acid_mol_per_L_range)
            notes.append(f"scrub acid set to {c['scrub']:.3g} M for the scrub O/A")
        if _oa(s, w, c)["scrub"] > hi:  # weakest acid still too little aqueous: raise c_org
            c["org"] = _clip(s * c["scrub"] / (3.0 * w * hi), cond.loaded_organic_mol_per_L_range)
            notes.append(f"loaded organic set to {c['org']:.3g} M for the scrub O/A")
        if _oa(s, w, c)["scrub"] > hi and more_reflux:
            k = c["scrub"] / (3.0 * hi * c["org"])
            if k < 1.0:
                w = max(w, prod * k / (1.0 - k))
                s = w + prod
                notes.append(f"scrub reflux raised to W = {w:.4g} mol/mol feed for the scrub O/A")
    # extraction: O/A = (S/c_org) / (1/c_feed + 3W/c_scrub)
    oa_e = _oa(s, w, c)["extraction"]
    scrub_l = 3.0 * w / c["scrub"]
    if oa_e > hi:
        need = s / (c["org"] * hi) - scrub_l
        c["feed"] = _clip(1.0 / need if need > 0 else cond.feed_mol_per_L_range[0],
                          cond.feed_mol_per_L_range)
        notes.append(f"feed diluted to {c['feed']:.3g} M for the extraction O/A")
        if _oa(s, w, c)["extraction"] > hi:
            c["org"] = _clip(s / (hi * (1.0 / c["feed"] + scrub_l)),
                             cond.loaded_organic_mol_per_L_range)
            notes.append(f"loaded organic set to {c['org']:.3g} M for the extraction O/A")
    elif oa_e < lo:
        need = s / (c["org"] * lo) - scrub_l
        c["feed"] = _clip(1.0 / need if need > 0 else cond.feed_mol_per_L_range[1],
                          cond.feed_mol_per_L_range)
        notes.append(f"feed concentrated to {c['feed']:.3g} M for the extraction O/A")
        if _oa(s, w, c)["extraction"] < lo:
            c["org"] = _clip(s / (lo * (1.0 / c["feed"] + scrub_l)),
                             cond.loaded_organic_mol_per_L_range)
            notes.append(f"loaded organic set to {c['org']:.3g} M for the extraction O/A")
        if _oa(s, w, c)["extraction"] < lo and more_reflux:
            den = 1.0 / c["org"] - 3.0 * lo / c["scrub"]
            if den > 0:
                w_new = (lo / c["feed"] - prod / c["org"]) / den
                if w_new > w:
                    w, s = w_new, w_new + prod
                    notes.append(f"scrub reflux raised to W = {w:.4g} mol/mol feed for the "
                                 "extraction O/A")
    # strip: O/A = S c_strip / (3 (S − W)(1 + x) c_org)
    oa_t = _oa(s, w, c)["strip"]
    if oa_t > hi or oa_t < lo:
        target = hi if oa_t > hi else lo
        c["strip"] = _clip(target * 3.0 * prod * (1.0 + c["excess"]) * c["org"] / s,
                           cond.strip_acid_mol_per_L_range)
        notes.append(f"strip acid set to {c['strip']:.3g} M for the strip O/A")
        if _oa(s, w, c)["strip"] > hi:
            c["excess"] = s * c["strip"] / (3.0 * prod * c["org"] * hi) - 1.0
            notes.append(f"strip acid excess raised to {c['excess']:.3g} for the strip O/A")
    return s, w
