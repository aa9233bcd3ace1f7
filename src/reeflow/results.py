"""The results of a study, typed: the schema of ``results.json`` (as pvlib's ModelChainResult).

Every room's result is a typed section; :class:`StudyResults` holds them. ``results.json`` is
``StudyResults`` serialised (NaN and infinities become ``null``: "no data" is missing, never 0),
and ``reeflow schema`` prints its JSON Schema (:func:`json_schema`). The report and the web API
render these types; reading a saved ``results.json`` validates it against them
(:func:`load_results`), so a renderer never meets a layout the producer does not emit.

The contract between the mine plan and the cash flow (issue #10): rows of ``mine.schedule`` and
of ``economics.annual`` carry ``year`` (project year, 1 = first construction year),
``production_year`` (1 = first production year, null before), ``ore_t``,
``head_grade_treo_frac``, ``reo_t``, ``revenue_usd``, ``royalty_usd``, ``opex_usd``,
``capex_usd`` (initial), ``sustaining_capex_usd``, ``closure_usd``, ``working_capital_usd``,
``tax_usd`` and ``cash_flow_usd``, the same values in both for the same year; the DCF's
producing years and ore tonnes are the schedule's.

Sections whose inner layout belongs to a room (flowsheet streams, SX cascades, market tables)
are typed as JSON objects here and documented by the room that writes them.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from reeflow.core.errors import InputError, allowed_of

__all__ = ["SCHEMA_VERSION", "SCHEDULE_MONEY", "StudyResults", "Meta", "Kpis", "ScheduleRow", "AnnualRow",
           "PlantYear", "PlantSection", "MineSection", "EconomicsSection", "ClaimRow",
           "ConsistencyCheck", "AssumptionRow", "ResourceSection", "SummaryLine", "SummarySection",
           "RiskSection", "DistributionSummary",
           "json_schema", "load_results", "MIGRATIONS"]

#: Version of the results.json layout; bump the major on any breaking change.
SCHEMA_VERSION: Final = "3.1"

Json = dict[str, Any]
Number = float | None
#: A quantity that cannot be negative (tonnes, MW): a results.json with a negative one is not a
#: study's output and ``reeflow report`` refuses it
Amount = Annotated[float, Field(ge=0.0)]
#: a fraction a study computes may pass 0 or 1 by round-off (a purity of 1 + 2e-16, a
#: recovery summed through units each balanced to 1e-9 and a recycle); the report shows 0.1 %
_ROUND_OFF = 1e-6


def _product_row(row: Json) -> Json:
    """A product row whose tonnages (``*_t_per_a``) and activity are not negative and whose
    fractions (``*_frac``, a number or a mapping of them) lie within 0..1: an edited
    results.json rendered "La oxide -5" and "200.0 %" (fuzz round 35)."""
    for key, v in row.items():
        vals = v.values() if isinstance(v, dict) else [v]
        nums = [x for x in vals if isinstance(x, (int, float)) and not isinstance(x, bool)]
        if (key == "t_per_a" or key.endswith("_t_per_a") or key.startswith("activity")) \
                and any(x < 0 for x in nums):
            raise ValueError(f"{key}: >= 0")
        if key.endswith("_frac") and any(x == x and not -_ROUND_OFF <= x <= 1.0 + _ROUND_OFF
                                         for x in nums):
            raise ValueError(f"{key}: from 0 to 1")
    return row


def _fraction(v: float | None) -> float | None:
    """``v`` when it is none, NaN (not computed) or a fraction of a whole within 0..1 (a
    recovery, a concentrate's grade: a results.json with 1.5 rendered "150 %", fuzz round
    35)."""
    if v is not None and v == v and not -_ROUND_OFF <= v <= 1.0 + _ROUND_OFF:
        raise ValueError("a fraction from 0 to 1")
    return v


class ResultModel(BaseModel):
    """Base of every result section: unknown keys are refused, NaN serialises as null."""

    model_config = ConfigDict(extra="forbid", ser_json_inf_nan="null", frozen=True,
                              protected_namespaces=())


class Meta(ResultModel):
    """Where the results came from. Timings live here only, so two runs of the same inputs
    differ in ``meta`` alone."""

    project_name: str
    project_path: str
    reeflow_version: str
    generated_utc: str
    input_hash: str = Field(description="SHA-256 of the canonical validated inputs")
    seed: int
    synthetic_labels: list[str] = Field(default_factory=list)
    runtime_s: float
    phase_times_s: dict[str, float] = Field(default_factory=dict)


class Kpis(ResultModel):
    """Design-basis plant figures (the project's ``ore`` section at full throughput)."""

    ore_t_per_a: Amount
    head_reo_t_per_a: Amount
    reo_t_per_a: Amount
    ndpr_oxide_t_per_a: Amount
    overall_reo_recovery_frac: Number
    fluorite_concentrate_t_per_a: Amount
    barite_concentrate_t_per_a: Amount
    th_in_feed_t_per_a: Amount
    th_in_residues_t_per_a: Amount
    power_mw: Amount = Field(description="site electrical demand (every unit and the utilities; "
                             "the energy section's electricity_kw), MW")
    concentrate_t_per_a: Amount
    concentrate_treo_frac: Number

    _fractions = field_validator("overall_reo_recovery_frac", "concentrate_treo_frac")(
        lambda v: _fraction(v))


class PlantYear(ResultModel):
    """The plant solved at one production year's feed from the mine schedule."""

    year: int
    production_year: int
    ore_t: Amount
    head_grade_treo_frac: float
    reo_t: Amount
    ndpr_oxide_t: Amount
    overall_reo_recovery_frac: Number
    products_t: dict[str, Amount]
    reagents_t: dict[str, Amount]
    power_mwh: Amount
    fuel_gj: Amount = 0.0
    water_m3: Amount = Field(default=0.0, description="make-up water, m³ (≈ t)")
    residue_t: Amount = Field(description="radioactive residues (leach residue and "
                              "neutralisation cake), dry t")
    tailings_t: Amount
    chemical_residue_t: Amount = Field(default=0.0, description="every hydrometallurgical "
                                      "residue (no flotation tailings), dry t")
    flotation_feed_t: dict[str, float] = Field(default_factory=dict, description="feed of each "
                                               "flotation circuit, t (reagent dosages apply)")
    mill_energy_mwh: Number = Field(default=None, description="comminution energy, MWh "
                                    "(grinding media wear)")
    sx_aqueous_m3: Number = Field(default=None, description="aqueous volume through the SX "
                                  "circuits, m³ (extractant entrainment losses)")
    brine_m3: Number = Field(default=None, description="brine discharged or evaporated, m³")

    _fractions = field_validator("overall_reo_recovery_frac")(lambda v: _fraction(v))


class PlantSection(ResultModel):
    """The plant: its design basis and one solution per production year."""

    design_feed: Json = Field(description="ore rate and head grades of the design basis")
    separation_method: str
    by_year: list[PlantYear]
    feed_composition_spread_frac: Number = Field(
        description="largest relative change of any REE share of TREO across the years' feeds "
                    "against the design basis (the SX train is designed once, on the basis)")


#: The money a row of ``mine.schedule`` carries, as ``economics.annual`` has it for the year
SCHEDULE_MONEY = ("revenue_usd", "royalty_usd", "opex_usd", "capex_usd", "sustaining_capex_usd",
                  "closure_usd", "working_capital_usd", "tax_usd", "cash_flow_usd")


class ScheduleRow(ResultModel):
    """One production year of the mine plan, with the plant's output and the year's cash flow
    joined from ``plant.by_year`` and ``economics.annual``."""

    model_config = ConfigDict(extra="allow", ser_json_inf_nan="null", frozen=True)

    year: int
    production_year: int
    ore_t: float
    head_grade_treo_frac: float
    mined_t: Number = None
    waste_t: Number = None
    reo_t: Number = None
    revenue_usd: Number = None
    royalty_usd: Number = None
    opex_usd: Number = None
    capex_usd: Number = Field(None, description="initial capex spent in the year, as "
                              "economics.annual's (sustaining capex is its own field)")
    sustaining_capex_usd: Number = None
    closure_usd: Number = None
    working_capital_usd: Number = None
    tax_usd: Number = None
    cash_flow_usd: Number = Field(None, description="revenue - royalty - opex - capex - "
                                  "sustaining capex - closure - tax + working capital")
    measured_t: Number = None
    indicated_t: Number = None
    inferred_t: Number = None
    unclassified_t: Number = None
    stockpile_in_t: Number = Field(None, description="ore sent to the stockpiles (with a "
                                   "stockpile only; mined, not fed, in the year)")
    stockpile_out_t: Number = Field(None, description="ore reclaimed from the stockpiles to "
                                    "the plant, part of ore_t")
    stockpile_t: Number = Field(None, description="ore on the stockpiles at the year's end")
    rehandle_usd: Number = Field(None, description="rehandling cost of the ore reclaimed at "
                                 "the stockpiles' rates, USD (charged with mining in opex_usd, "
                                 "times economics.opex_scale)")


class MineSection(ResultModel):
    """The mine plan; ``schedule`` drives the plant and the cash flow year by year."""

    synthetic: bool
    source: Literal["mine plan", "flat schedule"] = Field(
        description="'mine plan': pit + schedule of the block model; 'flat schedule': the "
                    "project's design-basis ore at capacity with the ramp-up (no block model)")
    horizon_years: int
    schedule: list[ScheduleRow]
    inferred_share_of_feed_frac: Number = None
    remaining_ore_after_horizon_t: Number = Field(
        default=None, description="ore left in the planned pit after the evaluation horizon")
    schedule_npv_usd: Number = Field(
        default=None, description="pre-tax NPV of the mine schedule over the horizon (the mine "
                                  "plan's own valuation, not the study's DCF)")
    schedule_bound_usd: Number = Field(
        default=None, description="upper bound on that NPV over the same years, capacities and "
                                  "scheduled region (schedule_stats.bound_basis says which)")
    schedule_gap_frac: Number = Field(
        default=None, description="(bound - NPV) / bound; mostly the LP relaxation's looseness "
                                  "when the bound is the LP relaxation")
    pit_life_years: Number = Field(
        default=None, description="ore feed of the ultimate pit over the plant's nameplate "
                                  "capacity; beyond horizon_years the pit outlives the schedule")
    horizon_covers_pit: bool | None = Field(
        default=None, description="false: the plan leaves ore of the ultimate pit unmined at "
                                  "the horizon (the NPV is of the first horizon_years of a "
                                  "longer-lived pit)")
    pit: Json = Field(default_factory=dict)
    nested: list[Json] = Field(default_factory=list)
    schedule_stats: Json = Field(default_factory=dict)
    section_y: Json | None = None
    plan_bottom_bench: Json | None = None
    reserve: Json | None = Field(default=None, description="Ore Reserve-style statement of the "
                                 "planned pit (Proved/Probable from Measured/Indicated)")
    remaining: Json = Field(default_factory=dict, description="the pit beyond the horizon")
    inputs: Json = Field(default_factory=dict, description="the mine plan's parameters")


class AnnualRow(ResultModel):
    """One project year of the discounted cash flow (USD of the currency year)."""

    year: int
    production_year: int | None
    ore_t: float
    head_grade_treo_frac: Number
    reo_t: float
    revenue_usd: float
    royalty_usd: float
    opex_usd: float
    capex_usd: float
    sustaining_capex_usd: float
    working_capital_usd: float
    closure_usd: float
    depreciation_usd: float
    taxable_income_usd: float
    tax_usd: float
    cash_flow_usd: float
    cumulative_cash_flow_usd: float


class EconomicsSection(ResultModel):
    """NPV, IRR, payback and the annual cash flow built from the plant's yearly solutions."""

    deck: str
    currency_year: int
    basis: str
    npv_usd: dict[str, Number]
    irr_frac: Number
    payback_years: Number = Field(description="years from the start of construction")
    payback_from_first_production_years: Number
    capex_usd: float
    annual: list[AnnualRow]
    headline_rate_frac: float
    npv_pre_tax_usd: dict[str, Number] = Field(default_factory=dict)
    irr_pre_tax_frac: Number = None
    closure_usd: Number = None
    unit_cost_usd_per_kg_reo: Number = Field(
        description="(opex + sustaining capex + royalty) over the life / kg REO sold")
    unit_cost_usd_per_kg_ndpr: Number
    estimate_class: str
    capex_breakdown: list[Json] = Field(default_factory=list)
    opex_breakdown: list[Json] = Field(default_factory=list)
    revenue: list[Json] = Field(default_factory=list, description="design-basis revenue by "
                                "product (price, purity, payability, source); prices and "
                                "revenue at economics.price_scale_*, as the cash flow charges "
                                "them (price_scale: the multiplier applied)")
    capex_estimate: Json | None = Field(default=None, description="capex by area: areas, "
                                        "installed items, factors, AACE class and range")
    residue_storage: Json | None = None
    capex_cross_check: Json | None = Field(default=None, description="the scaled published "
                                           "analogue (a cross-check, not the answer)")
    opex_missing: list[str] = Field(default_factory=list, description="opex items whose "
                                    "driver the plant does not supply (reported, never 0)")
    kpis: Json = Field(default_factory=dict, description="per-t and per-kg figures over the "
                       "life of mine (the cash flow's producing years); capex per t/a over the "
                       "capacity the plant is built for")
    kpis_design_basis: Json = Field(default_factory=dict, description="the same figures on "
                                    "the design basis (the project file's grade at nameplate)")
    benchmark: list[Json] = Field(default_factory=list, description="each figure against the "
                                  "band of published peers, with the reason when outside")
    levered: Json | None = None
    mining_cost_basis: str
    assumptions: Json = Field(default_factory=dict)
    tornado: list[Json] = Field(default_factory=list, description="NPV at each input's low and "
                                "high end (the chain re-run), widest first; None with a note "
                                "where no ore pays at that end (such rows first)")
    spider: list[Json] = Field(default_factory=list, description="NPV along each input's range "
                               "(None with a note where no ore pays)")
    breakeven_ndpr_usd_per_kg: Number = None
    breakeven_note: str = ""
    ndpr_price_usd_per_kg: Number = None
    floor_case: Json | None = Field(default=None, description="NPV and IRR on the price-floor "
                                    "deck (npv_usd None with a note where no ore pays)")
    grid: Json | None = Field(default=None, description="NPV over head grade × NdPr price "
                              "(x: grade, y: NdPr price scale; the chain re-run per cell; None "
                              "where no ore pays)")
    price_path: list[Json] = Field(default_factory=list, description="the price path by "
                                   "period (offtake, life of mine): years, deck, NdPr price "
                                   "(times economics.price_scale_ndpr)")
    sensitivity_runs: Json = Field(default_factory=dict, description="chain runs made and "
                                   "reused by the tornado, spider, grid and claims")


class ResourceSection(ResultModel):
    """The resource statement of the deposit (JORC-style; synthetic data are labelled)."""

    synthetic: bool
    label: str
    statement: list[Json]
    rpeee_basis: str = Field(default="", description="how reasonable prospects for eventual "
                             "economic extraction were applied (the pit shell and its revenue "
                             "factor), or that they were not assessed")
    statement_text: str = Field(default="", description="the statement as a public report "
                                "reads it (tonnes and grades rounded, classes, cut-off, basis)")
    competent_person: str = ""
    disclaimer: str = ""
    cutoff_frac: Number = None
    cutoff_basis: str = ""
    grade_tonnage: list[Json] = Field(default_factory=list)
    variograms: list[Json] = Field(default_factory=list)
    cross_validation_stats: Json = Field(default_factory=dict)
    table1: list[Json] = Field(default_factory=list)
    findings: list[Json] = Field(default_factory=list, description=(
        "the deposit's data findings (severity, kind, table, hole_id, depth_m, message, "
        "action): what was excluded, filled, clipped or warned about, at most 500 rows"))
    findings_total: int = Field(default=0, description="the number of findings, all listed "
                                "up to 500")


class SummaryLine(ResultModel):
    """One computed verdict of the executive summary (a template filled with numbers)."""

    topic: str
    text: str


class SummarySection(ResultModel):
    """The executive summary (:mod:`reeflow.summary`): every verdict computed from the study.

    ``target`` (when a claim states an REO output): ``reo_t_per_a``, ``reo_claim``,
    ``grade_needed_frac`` (at the modelled recovery), ``recovery_needed_frac`` (at the design
    grade), ``grade_range_frac``, ``reo_revenue_at_target_usd_per_a`` (basket × target),
    ``chain_at_needed_grade`` (the chain re-run there), ``schedule_grade_frac`` (the mine
    plan's ore-weighted feed grade), ``schedule_reo_t_per_a`` ([lowest, highest] REO of its
    years at full rate). ``breakevens``: ``what``, ``unit``,
    ``base``, ``value``, ``multiplier`` (NPV at the headline rate = 0, that price class alone).
    ``risks``: the widest tornado bars with their evidence tag.
    """

    verdicts: list[SummaryLine]
    headline_rate_frac: float
    deck: str
    npv_post_tax_usd: Number = None
    npv_pre_tax_usd: Number = None
    irr_post_tax_frac: Number = None
    irr_pre_tax_frac: Number = None
    payback_from_construction_years: Number = None
    payback_from_first_production_years: Number = None
    levered_npv_usd: Number = None
    levered_irr_frac: Number = None
    dscr_min: Number = None
    capex_usd: Number = Field(default=None, ge=0.0)
    estimate_class: str = ""
    basket_usd_per_kg_reo: Number = None
    revenue_usd_per_a: Number = None
    revenue_split: list[Json] = Field(default_factory=list)
    byproduct_share_frac: Number = None
    target: Json | None = None
    breakevens: list[Json] = Field(default_factory=list)
    risks: list[Json] = Field(default_factory=list)
    floor_case: Json | None = None
    synthetic: list[str] = Field(default_factory=list)
    evidence_counts: dict[str, int] = Field(default_factory=dict)
    assumed_drivers: list[str] = Field(default_factory=list)
    inferred_share_of_feed_frac: Number = None
    claims: dict[str, int] = Field(default_factory=dict)


class ClaimRow(ResultModel):
    """A public claim checked against the model."""

    id: str
    claim: str
    outlet: str
    date: str
    note: str
    status: Literal["consistent", "inconsistent", "unverifiable"]
    quantity: str
    claimed: Any = None
    model: Any = None
    reason: str
    written_for: str | None = Field(default=None, description="the case whose claim this is, "
                                    "when the project inherits another case's claims through "
                                    "extends (None: the project's own)")


class ConsistencyCheck(ResultModel):
    """A cross-room check (as PyPSA's consistency checks): what was compared and the outcome."""

    name: str
    ok: bool
    severity: Literal["error", "warning"]
    detail: str


class AssumptionRow(ResultModel):
    """An input with its unit, source, evidence tag and stated range."""

    path: str
    value: Any
    unit: str
    source: str | None
    evidence: str | None
    range: list[Any] | None
    note: str | None


class DistributionSummary(ResultModel):
    """A Monte Carlo output over the draws (its unit is the section key's: ``npv_usd`` in
    USD, ``irr_frac`` a fraction ...). P10 is the 10th percentile (the low case); ``*_ci95``
    are distribution-free 95 % intervals of the percentile; ``var95`` / ``cvar95`` (NPV only)
    the loss at the 5th percentile and the mean loss beyond it (positive = a loss)."""

    n: int
    n_missing: int = 0
    mean: Number = None
    sd: Number = None
    min: Number = None
    max: Number = None
    p5: Number = None
    p10: Number = None
    p50: Number = None
    p90: Number = None
    p95: Number = None
    stderr_mean: Number = Field(default=None, description="standard error of the mean (s/√n)")
    p10_ci95: list[Number] = Field(default_factory=list)
    p50_ci95: list[Number] = Field(default_factory=list)
    p90_ci95: list[Number] = Field(default_factory=list)
    prob_loss: Number = Field(default=None, description="share of draws with NPV < 0")
    var95: Number = None
    cvar95: Number = None


class RiskSection(ResultModel):
    """Whole-chain Monte Carlo (:mod:`reeflow.risk`): the chain over drawn inputs (and
    realisations of the deposit), with its distributions, convergence and rank correlations.
    ``fast_path`` states how the draws were computed and the fast path's measured error."""

    method: Literal["fast", "rigorous"]
    draws: int
    seed: int
    feasible_draws: int
    inputs: list[Json] = Field(description="drawn inputs: path, distribution, low, mode, high")
    realisations: int = 0
    npv_usd: DistributionSummary
    irr_frac: DistributionSummary
    mine_life_years: DistributionSummary
    reo_t_per_a: DistributionSummary = Field(description="mean annual REO over each draw's life")
    ndpr_oxide_t_per_a: DistributionSummary | None = None
    capex_usd: DistributionSummary | None = None
    histograms: dict[str, Json] = Field(default_factory=dict)
    s_curves: dict[str, Json] = Field(default_factory=dict)
    convergence: list[Json] = Field(default_factory=list, description="running mean (with its "
                                    "95 % band) and P10/P50/P90 of NPV against the draws")
    rank_correlations: list[Json] = Field(default_factory=list, description="Spearman's rho "
                                          "of each drawn input with NPV, largest first")
    reo_by_year: list[Json] = Field(default_factory=list)
    by_realisation: list[Json] = Field(default_factory=list)
    price_paths: list[str] = Field(default_factory=list)
    fast_path: Json = Field(default_factory=dict)
    infeasible_draws: int = Field(default=0, description="draws with no viable project (no "
                                  "ore pays, or the chain refuses the drawn inputs): no NPV, "
                                  "left out of the percentiles and of npv_usd.prob_loss")
    prob_loss_all_draws: Number = Field(default=None, description="probability of loss over "
                                        "every draw, the infeasible ones counted as losses")
    infeasible_note: str | None = None
    note: str = ""


class StudyResults(ResultModel):
    """Everything a study computed; the schema of ``results.json``."""

    model_config = ConfigDict(extra="allow", ser_json_inf_nan="null", frozen=True,
                              protected_namespaces=())

    schema_version: Literal["3.1"] = Field("3.1", description="layout version of this file "
                                           "(3.0: mine.schedule rows carry the annual money "
                                           "field for field; their capex_usd is initial "
                                           "capex, as economics.annual's; 3.1: with a "
                                           "stockpile they carry its flows, inventory and "
                                           "rehandling cost)")
    meta: Meta = Field(description="provenance of the run; the only part that differs between "
                       "two runs of the same inputs")
    summary: SummarySection | None = Field(default=None, description="the executive summary: "
                                           "every verdict computed (reeflow.summary)")
    kpis: Kpis = Field(description="design-basis plant figures")
    products: list[Json] = Field(description="design-basis products, by-products and residues "
                                 "(t/a, purity, recovery by element, activity and class)")
    reagents_t_per_a: dict[str, float] = Field(description="design-basis reagents drawn, t/a")
    flowsheet: Json = Field(description="units, streams (kg/h by species and phase), element "
                            "flows and the element balance of every unit")
    plant: PlantSection = Field(description="the design feed and the plant solved each year")
    sx: Json | None = Field(default=None, description="the designed solvent-extraction train: "
                            "sequence, cuts, stages, reagents, volumes, stage profiles")
    resource: ResourceSection | None = Field(default=None, description="the resource estimate "
                                             "and its JORC-style statement")
    mine: MineSection = Field(description="the mine plan and the schedule that feeds the plant")
    economics: EconomicsSection = Field(description="the annual cash flow and its figures")
    energy: Json | None = Field(default=None, description="design-basis energy balance: "
                                "electricity and fuel per unit, site kWh/t ore and GJ/t REO")
    water: Json | None = Field(default=None, description="design-basis water balance (t/a)")
    effluents: Json | None = Field(default=None, description="solubility of every aqueous "
                                   "stream at its temperature, with any violation")
    residues: Json | None = Field(default=None, description="every residue stream: dry t/a, "
                                  "Th-232 activity and class under the project's NORM rule")
    offgas: Json | None = Field(default=None, description="the bake off-gas scrubber: reagent, "
                                "removals, what is emitted")
    market: Json | None = Field(default=None, description="world supply shares and HHI by "
                                "stage, before and after the project")
    claims: list[ClaimRow] = Field(default_factory=list, description="public claims checked "
                                   "against the model")
    consistency: list[ConsistencyCheck] = Field(default_factory=list, description="cross-room "
                                                "checks and their outcomes")
    assumptions: list[AssumptionRow] = Field(default_factory=list, description="every input "
                                             "with its unit, source, evidence and range")
    risk: RiskSection | None = Field(default=None, description="whole-chain Monte Carlo, when "
                                     "the study runs one (economics.monte_carlo_draws)")

    @field_validator("products")
    @classmethod
    def _products(cls, rows: list[Json]) -> list[Json]:
        for i, row in enumerate(rows):
            try:
                _product_row(row)
            except ValueError as exc:  # named products.<i>.<key> by load_results
                raise ValueError(f"{i}|{exc}") from None
        return rows

    def to_json(self, *, indent: int | None = 1) -> str:
        """results.json text (NaN → null)."""
        return self.model_dump_json(indent=indent)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-shaped dict (what results.json holds)."""
        return dict(json.loads(self.to_json(indent=None)))

    # Notebook views (reeflow.results_views): a one-line repr, KPI cards, DataFrames, figures.
    def __repr__(self) -> str:
        from reeflow.results_views import short_repr

        return short_repr(self.to_dict())

    __str__ = __repr__

    def _repr_html_(self) -> str:
        from reeflow.results_views import kpi_html

        return kpi_html(self.to_dict())

    def tables(self) -> dict[str, Any]:
        """The tables as pandas DataFrames (:func:`reeflow.results_views.tables`)."""
        from reeflow.results_views import tables

        return tables(self.to_dict())

    def figures(self) -> dict[str, Any]:
        """The report's plotly figures (:func:`reeflow.results_views.figures`)."""
        from reeflow.results_views import figures

        return figures(self.to_dict())


def json_schema() -> dict[str, Any]:
    """The JSON Schema of results.json (draft 2020-12, from the types above)."""
    schema = StudyResults.model_json_schema(mode="serialization")
    # the model defaults it for writers, but a reader (``reeflow report``) requires it
    schema["required"] = ["schema_version", *(k for k in schema.get("required", [])
                                              if k != "schema_version")]
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://reeflow.org/schema/results-{SCHEMA_VERSION}.json"
    return schema


def _from_2_0(data: dict[str, Any]) -> dict[str, Any]:
    """A 2.0 results.json as 3.0: each ``mine.schedule`` row takes the money of the
    ``economics.annual`` row of its year (:data:`SCHEDULE_MONEY`). 2.0 rows held initial plus
    sustaining capex in ``capex_usd`` and lacked the royalty, sustaining capex, closure and
    working capital; the annual rows, unchanged since 2.0, hold every field. A schedule row
    whose year has no annual row keeps what it had, without its 2.0 capex (a meaning 3.0 does
    not have). The input is not modified."""
    import copy

    out = copy.deepcopy(data)
    econ, mine = out.get("economics"), out.get("mine")
    rows = econ.get("annual") if isinstance(econ, dict) else None
    annual = {r.get("year"): r for r in rows if isinstance(r, dict)} \
        if isinstance(rows, list) else {}
    sched = mine.get("schedule") if isinstance(mine, dict) else None
    for row in sched if isinstance(sched, list) else []:
        if not isinstance(row, dict):
            continue  # validation names it
        match = annual.get(row.get("year"))
        if match is None:
            row.pop("capex_usd", None)
            continue
        row.update({k: match[k] for k in SCHEDULE_MONEY if k in match})
    out["schema_version"] = SCHEMA_VERSION
    return dict(out)


def _from_3_0(data: dict[str, Any]) -> dict[str, Any]:
    """3.0 → 3.1: the stockpile fields were added, optional; a 3.0 file (written before them)
    reads as it is."""
    return {**data, "schema_version": SCHEMA_VERSION}


#: older layouts :func:`load_results` lifts to the current one: version → migration
MIGRATIONS: Final[dict[str, Any]] = {"2.0": _from_2_0, "3.0": _from_3_0}


def load_results(data: dict[str, Any], *, source: str = "results.json") -> StudyResults:
    """Validate a results dict (e.g. a saved results.json) against the schema; a file of an
    older layout in :data:`MIGRATIONS` is lifted to the current one first."""
    from pydantic import ValidationError

    version = data.get("schema_version")
    if version is None and not {"meta", "economics"} & set(data):
        # another reeflow file (risk.json, compare.json) or none: re-running the study is not
        # the fix (fuzz round 15)
        raise InputError("schema_version", None, f"a results.json written by `reeflow study` "
                         f"({source} has keys {sorted(data)[:6]})",
                         "pass the results.json that `reeflow study` wrote (risk.json and "
                         "compare.json are other files; compare writes its own compare.html)")
    if version in MIGRATIONS:
        data, version = MIGRATIONS[version](data), SCHEMA_VERSION
    if version != SCHEMA_VERSION:
        raise InputError("schema_version", version, f"'{SCHEMA_VERSION}', or one of "
                         f"{sorted(MIGRATIONS)} read by migration ({source})",
                         "re-run the study with this reeflow version to refresh the file")
    try:
        return StudyResults.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        rows = err.get("input")
        if loc == "products" and isinstance(rows, list) and "|" in msg:
            i, _, rest = msg.partition("|")  # a product row's own key (_product_row)
            key, _, allowed = rest.partition(": ")
            raise InputError(f"products.{i}.{key}", rows[int(i)].get(key), allowed,
                             "pass a results.json written by `reeflow study`") from None
        # a missing section: say so, not the whole enclosing document (fuzz round 6)
        missing = err.get("type") == "missing"
        raise InputError(loc or source, "missing" if missing else err.get("input"),
                         f"the {loc or 'section'} section of a results.json" if missing
                         else allowed_of(err["msg"]),
                         "pass a results.json written by `reeflow study`") from None
