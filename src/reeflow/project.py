"""The project schema and the one project loader every command uses.

A project file is YAML (see ``reeflow examples --copy DIR`` and the built-in cases in
``reeflow/cases/``). Its sections are declared by the rooms that own them and only composed here:

- ``ore`` — the design-basis run-of-mine ore (this module);
- ``plant`` — :class:`reeflow.plant.params.PlantParams` (every unit's parameters, declared next
  to the unit);
- ``economics``, ``market``, ``deposit``, ``mine`` — each room's typed parameters;
- ``risk`` — :class:`reeflow.risk.params.RiskParams` (what a Monte Carlo draws, correlations,
  price paths, deposit realisations).

Canonical units in the core: mass flows t/a, grades and recoveries as fractions, temperatures °C,
prices USD/kg, energy kWh/t, times h/a. Values may carry units and provenance
(``{value: 1.8 %, range: [1 %, 3.14 %], source: "...", evidence: derived}``).

Files the project refers to are named by keys ending in ``_file`` and resolved relative to the
YAML file that names them (``claims_file: claims.yaml``), so a case is a folder of data.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    Field,
    StrictBool,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from reeflow.core.data import CASES_DIR
from reeflow.core.elements import REE
from reeflow.core.errors import InputError, did_you_mean
from reeflow.core.projectfile import (
    Origins,
    Provenance,
    Q,
    StrictModel,
    deep_merge,
    file_keys,
    load_yaml_tree,
    resolve_file_keys,
    validate_tree,
)
from reeflow.core.yamlio import load_yaml_text
from reeflow.deposit.params import DepositParams
from reeflow.economics.params import EconomicsParams
from reeflow.mine.params import MineParams
from reeflow.plant.params import PlantParams
from reeflow.risk.params import RiskParams

__all__ = ["Project", "Ore", "Economics", "MarketParams",
           "load_project", "load_project_text", "builtin_project_path", "builtin_cases",
           "LoadedProject", "CASES_DIR", "load_section", "source_path", "TEXT_ONLY"]

M = TypeVar("M", bound=BaseModel)
Frac = Q("frac", ge=0.0, le=1.0)
_SHARE_TOLERANCE = 0.02


#: the ore section's head grades (canonical fractions), in the order the section lists them
GRADE_FIELDS = ("treo_grade_frac", "tho2_grade_frac", "caf2_grade_frac", "baso4_grade_frac",
                "fe2o3_grade_frac", "sio2_grade_frac")


class Ore(StrictModel):
    """Design-basis run-of-mine ore: throughput and head composition (mass fractions of ore)."""

    # Bound: the largest single-site concentrators mill ~135-150 Mt/a of ore: Escondida
    # 371 kt/d in FY2020 (mining-technology.com, Escondida project page), Cerro Verde ~400 kt/d
    # targeted in 2022 (mining.com, "World's top 10 biggest mines by ore throughput in 2022";
    # 409,500 t/d permitted, naaju.com 2018); 200 Mt/a leaves a margin (fuzz round 31: 500 Mt/a
    # ran, under the former 1 Gt/a bound)
    throughput_t_per_a: Q("t/a", gt=0.0, le=2e8, alias="throughput",  # type: ignore[valid-type]
                          doc="ore fed to the plant at full production, at most 200 Mt/a (the "
                              "largest single-site concentrators, Escondida and Cerro Verde, "
                              "mill ~135-150 Mt/a)")
    treo_grade_frac: Q("frac", gt=0.0, le=0.8, alias="treo_grade")  # type: ignore[valid-type]
    ree_distribution: dict[str, Frac] = Field(  # type: ignore[valid-type]
        description="oxide share of TREO per element; the shares sum to 100 %")
    tho2_grade_frac: Q("frac", ge=0.0, le=0.2, alias="tho2_grade")  # type: ignore[valid-type]
    caf2_grade_frac: Q("frac", ge=0.0, le=1.0, alias="caf2_grade")  # type: ignore[valid-type]
    baso4_grade_frac: Q("frac", ge=0.0, le=1.0, alias="baso4_grade")  # type: ignore[valid-type]
    fe2o3_grade_frac: Q("frac", ge=0.0, le=1.0, alias="fe2o3_grade")  # type: ignore[valid-type]
    sio2_grade_frac: Q("frac", ge=0.0, le=1.0, alias="sio2_grade")  # type: ignore[valid-type]
    # What the unassayed remainder of the ore is (1 - the assayed minerals). Required: a project
    # says it, nothing assigns it silently. CaCO3 (a carbonatite host) consumes acid in the bake;
    # SiO2 stands for an inert silicate gangue that passes the plant unreacted.
    balance_mineral: Literal["CaCO3", "SiO2"] = Field(
        description="mineral that makes up the unassayed rest of the ore: CaCO3 (reactive "
                    "carbonate gangue: consumes acid) or SiO2 (inert gangue)")

    @field_validator("ree_distribution")
    @classmethod
    def _known_ree(cls, v: dict[str, float]) -> dict[str, float]:
        for el in v:
            if el not in REE:
                raise InputError("ore.ree_distribution", el,
                                 f"an REE symbol ({', '.join(REE)})", did_you_mean(el, REE))
        total = sum(v.values())
        if not 1.0 - _SHARE_TOLERANCE <= total <= 1.0 + 1e-6:
            # the elements listed: a file that extends another keeps the parent's elements it
            # does not name (Sm and Y made 100.7 % of a La-Ce-Pr-Nd file, fuzz round 30)
            listed = ", ".join(f"{k} {x:.4g} %" for k, x in ((k, x * 100) for k, x in v.items()))
            raise InputError("ore.ree_distribution", f"shares summing to {total:.4%} ({listed})",
                             f"shares of TREO summing to 100 % (within {_SHARE_TOLERANCE:.0%})",
                             "add the missing elements or rescale the shares; a file that "
                             "extends another keeps the parent's elements it does not name: "
                             "write 0 % for one to drop it")
        if not any(x > 0 for x in v.values()):
            raise InputError("ore.ree_distribution", v, "at least one share above 0 %",
                             "give at least one element a share above 0 %")
        from reeflow.core.elements import oxide_formula
        from reeflow.plant.thermo import has_thermo

        # the plant carries each element as bastnäsite and sells it as its reporting oxide:
        # both need thermochemical data (Tb passed validate and failed in the study for lack
        # of Tb4O7, fuzz round 24)
        bare = [el for el in REE if not (has_thermo(f"{el}FCO3", "s")
                                         and has_thermo(oxide_formula(el), "s"))]
        for el, share in v.items():
            if share > 0 and el in bare:
                raise InputError(f"ore.ree_distribution.{el}", share, "elements whose "
                                 "bastnäsite and oxide have thermochemical data (all REE but "
                                 f"{', '.join(bare)})", f"fold {el}'s share into its neighbour "
                                 "in the series, or give it 0 %")
        return v

    @property
    def ree_shares_frac(self) -> dict[str, float]:
        """``ree_distribution`` scaled to sum to 1: the shares of TREO every feed, flat
        schedule and block model of the chain uses (a published split that sums to 98.95 %
        for rounding leaves no TREO unassigned: the design basis and the yearly plant then
        make the same oxides from the same ore)."""
        total = sum(self.ree_distribution.values()) or 1.0
        return {el: float(v) / total for el, v in self.ree_distribution.items()}

    def minerals_frac(self, **grades_frac: float) -> float:
        """The head grades' share of the ore mass, the bastnäsite that carries the TREO in
        place of the TREO itself; ``grades_frac`` replaces some (``treo_grade_frac=0.09``)."""
        from reeflow.plant.chemistry import bastnasite_per_reo

        g = {name: float(grades_frac.get(name, getattr(self, name))) for name in GRADE_FIELDS}
        mineral = sum(g["treo_grade_frac"] * share * bastnasite_per_reo(el)
                      for el, share in self.ree_shares_frac.items())
        return mineral + sum(v for k, v in g.items() if k != "treo_grade_frac")

    @model_validator(mode="after")
    def _grades_fit(self) -> Ore:
        minerals = self.minerals_frac()
        if minerals > 1.0:
            raise InputError("ore", f"{minerals:.2%} of the ore mass",
                             "head grades (with the bastnäsite that carries the TREO) summing to "
                             "<= 100 %", "lower the CaF2/BaSO4/Fe2O3/SiO2 or TREO grades")
        return self


class Economics(EconomicsParams):
    """The ``economics:`` section: the economics room's terms (fiscal, schedule, opex policy,
    capex method, closure, debt; often included from a case file with ``include_file``) plus
    what the chain needs to price the plant and run its sensitivities."""

    mining_cost_usd_per_t: Q("USD/t", ge=0.0, le=500.0,  # type: ignore[valid-type]
                             alias="mining_cost",
                             doc="mining cost per tonne of ORE when no mine plan is run")
    residue_handling_usd_per_t: Q("USD/t", ge=0.0, le=1e5,  # type: ignore[valid-type]
                                  alias="residue_handling", optional=True,
                                  doc="per-tonne residue cost when the plant supplies no residue "
                                      "streams for the storage model") = None
    organic_fill_usd_per_m3: Q("USD/m**3", gt=0.0, le=1e5,  # type: ignore[valid-type]
                               alias="organic_fill")
    floor_case_deck: str | None = Field(default=None, max_length=80)
    reagent_prices: dict[str, Q("USD/t", gt=0.0, le=1e6)] = Field(  # type: ignore[valid-type]
        default_factory=dict)
    price_scale_ndpr_frac: Q("frac", ge=0.0, le=10.0,  # type: ignore[valid-type]
                             alias="price_scale_ndpr",
                             doc="multiplier on the deck's NdPr-linked prices (1 = the deck)") = 1.0
    price_scale_other_frac: Q("frac", ge=0.0, le=10.0,  # type: ignore[valid-type]
                              alias="price_scale_other",
                              doc="multiplier on the other rare-earth oxide prices") = 1.0
    price_scale_byproduct_frac: Q("frac", ge=0.0, le=10.0,  # type: ignore[valid-type]
                                  alias="price_scale_byproduct",
                                  doc="multiplier on the by-product (fluorspar, barite) prices") = 1.0
    capex_scale_frac: Q("frac", gt=0.0, le=10.0, alias="capex_scale",  # type: ignore[valid-type]
                        doc="multiplier on the capital estimate (its accuracy range)") = 1.0
    opex_scale_frac: Q("frac", gt=0.0, le=10.0, alias="opex_scale",  # type: ignore[valid-type]
                       doc="multiplier on every operating cost rate") = 1.0
    sensitivity_inputs: list[str] = Field(
        default_factory=list, max_length=40,
        description="project paths the tornado and spider vary (default: every input with a "
                    "stated range)")
    monte_carlo_draws: int = Field(default=10_000, ge=0, le=100_000)
    seed: int = Field(default=0, ge=-(2**63), le=2**63 - 1)

    @field_validator("floor_case_deck")
    @classmethod
    def _known_floor_deck(cls, v: str | None) -> str | None:
        """The floor case's deck is a shipped one: an unknown name passed validate and the
        study refused it after the base case had run (fuzz round 31)."""
        from reeflow.economics.prices import deck_names

        decks = deck_names()
        if v is not None and v not in decks:
            raise InputError("economics.floor_case_deck", v, f"a shipped deck: {', '.join(decks)}",
                             did_you_mean(v, decks, fallback=False)
                             or "use one of the listed names, or remove the key for no floor case")
        return v

    @field_validator("reagent_prices")
    @classmethod
    def _known_reagents(cls, v: dict[str, Any]) -> dict[str, Any]:
        from reeflow.economics.opex import check_reagent_names
        from reeflow.plant.chemistry import GANGUE_SPECIES

        # the opex room's names, and any species a flowsheet can buy unpriced (H2O2 in the
        # cerium-rejection route is priced only by the project)
        check_reagent_names(v, "economics.reagent_prices", also=GANGUE_SPECIES)
        return v


class MarketParams(StrictModel):
    """The market scenario: where the project mines and separates, and the data year.

    ``home_country`` (where the ore is mined) and ``separation_country`` (where the concentrate is
    separated when ``separation_at_home`` is false) default to the market room's
    ``parameters.yaml``; a name is a country the USGS or IEA tables list, or any other
    country of ISO 3166 (the tz database's names; its baseline supply is then 0 t REO).
    """

    separation_at_home: StrictBool = True
    year: int = Field(default=2025, ge=2015, le=2100)
    home_country: str | None = Field(default=None, max_length=80,
                                     description="country where the ore is mined")
    separation_country: str | None = Field(
        default=None, max_length=80,
        description="country where the concentrate is separated (separation_at_home: false)")

    @field_validator("year")
    @classmethod
    def _data_year(cls, v: int) -> int:
        """A year the market data covers (the study refused 2099 after the whole chain had
        run, fuzz round 32)."""
        from reeflow.market.data import available_years

        years = available_years()
        if v not in years:
            raise InputError("market.year", v, f"a year the market data covers: one of "
                             f"{list(years)}", "choose one of those years (USGS MCS "
                             "2024-2026 cover them)")
        return v

    @field_validator("home_country", "separation_country")
    @classmethod
    def _known_country(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is None:
            return None
        from reeflow.market.data import normalise_country

        return normalise_country(v, field=f"market.{info.field_name}")

    @model_validator(mode="after")
    def _abroad_only(self) -> MarketParams:
        if self.separation_at_home and self.separation_country is not None:
            raise InputError("market.separation_country", self.separation_country,
                             "no separation country when separation_at_home is true",
                             "set separation_at_home: false, or write separation_country: "
                             "null (a project that extends a case inherits its value)")
        return self


class Project(StrictModel):
    """A reeflow project: ore, plant, economics, market, deposit and mine sections."""

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=20_000)
    ore: Ore
    plant: PlantParams
    economics: Economics
    market: MarketParams = Field(default_factory=MarketParams)
    deposit: DepositParams = Field(default_factory=DepositParams)
    mine: MineParams = Field(default_factory=MineParams)
    risk: RiskParams = Field(default_factory=RiskParams)
    claims_file: str | None = Field(default=None, max_length=4096,
                                    description="public claims to check (YAML), relative path")
    claims_written_for: str | None = Field(
        default=None, max_length=200, description="the case whose public claims these are, when "
        "a project that extends it inherits its claims_file and changes its inputs (the loader "
        "sets it; the claims are then labelled as that case's)")

    @model_validator(mode="after")
    def _byproduct_freight(self) -> Project:
        """A plant that recovers fluorite or barite from an ore that holds it ships an
        industrial mineral concentrate, whose freight has no generic default: refused here,
        as the study's opex would refuse it (fuzz round 50: validate passed, the study
        stopped)."""
        b, o = self.plant.beneficiation, self.ore
        cls = "industrial mineral concentrate"
        ships = [m for m, grade, rec in (("fluorite", o.caf2_grade_frac, b.fluorite_recovery_frac),
                                         ("barite", o.baso4_grade_frac, b.barite_recovery_frac))
                 if grade > 0 and rec > 0]
        if ships and cls not in self.economics.freight_usd_per_t:
            raise InputError(f"economics.freight.{cls}", None,
                             f"a freight rate in USD/t (the plant recovers {' and '.join(ships)})",
                             f"give economics.freight.'{cls}' (site to the buyer; no generic "
                             f"default), or set plant.beneficiation.{ships[0]}_recovery to 0")
        return self

    @model_validator(mode="after")
    def _products_cover(self) -> Project:
        carried = set(self.ore.ree_distribution)
        for prod, els in self.plant.separation.products.items():
            missing = [e for e in els if e not in carried]
            if missing:
                raise InputError(f"plant.separation.products.{prod}", missing,
                                 f"elements present in ore.ree_distribution ({sorted(carried)})",
                                 "add the element's share to the ore or drop it from the product")
        grouped = {e for els in self.plant.separation.products.values() for e in els}
        left = [e for e, v in self.ore.ree_distribution.items() if v > 0 and e not in grouped]
        if left:
            raise InputError("plant.separation.products", left,
                             f"product groups that hold every element of the ore "
                             f"({', '.join(self.ore.ree_distribution)})",
                             f"put {', '.join(left)} in a product group (plant.separation.products;"
                             " a file that extends another gives the groups entire)")
        self._products_cut()
        return self

    def _products_cut(self) -> None:
        """The SX product groups can be cut as the study's train cuts them: named, each a run
        of neighbours in the extractant's order (elements the ore lacks skipped), two groups
        or more, a separation factor for every cut. `validate` passed {LaPr: [La, Pr], Ce:
        [Ce], …} and the study refused it after the flowsheet had run (fuzz round 22)."""
        sep = self.plant.separation
        if sep.method != "sx" or not self.plant.has_separation:
            return
        from reeflow.plant.sx.data import extractant
        from reeflow.plant.sx.settings import (
            check_key_factors,
            check_product_names,
            neighbour_gaps,
            ordered_groups,
            too_few_groups,
        )

        try:
            record = extractant(sep.extractant)
        except InputError as exc:  # the file's path, not the SX room's argument name
            raise InputError("plant.separation.extractant", sep.extractant, exc.allowed,
                             exc.fix) from None
        fed = {e for e, v in self.ore.ree_distribution.items() if v > 0}
        order = [e for e in record["order"]["value"] if e in fed]
        rank = {e: i for i, e in enumerate(order)}
        check_product_names(sep.products, "plant.separation.products")
        for prod, els in sep.products.items():
            unknown = [e for e in els if e in fed and e not in rank]
            if unknown:  # fed, but the extractant's order has no place for it (Pm)
                raise InputError(f"plant.separation.products.{prod}", unknown,
                                 f"elements of {sep.extractant}'s extraction order "
                                 f"({', '.join(record['order']['value'])})",
                                 f"set the ore's share of {', '.join(unknown)} to 0 %, or "
                                 "choose an extractant whose order lists it")
            between = neighbour_gaps(els, order)
            if between:
                raise InputError(f"plant.separation.products.{prod}", list(els),
                                 f"a run of neighbours in {sep.extractant}'s extraction order "
                                 f"({', '.join(order)})",
                                 f"add {', '.join(between)} to {prod}, or split {prod} into "
                                 "groups of neighbours")
        groups = [g for _, g in ordered_groups(sep.products.items(), order)]
        if len(groups) < 2:
            raise too_few_groups("plant.separation.products", list(sep.products))
        check_key_factors(sep.extractant, groups, order, dict(sep.separation_factors))

    @model_validator(mode="after")
    def _block_model_read(self) -> Project:
        """``mine.block_model`` is read by ``reeflow schedule`` on a file holding only a
        ``mine:`` section; the study plans the deposit section's block model, so in a whole
        project the file would be ignored (fuzz round 5: a user's block model, silently
        replaced by a flat schedule)."""
        if self.mine.block_model is not None:
            raise InputError("mine.block_model", self.mine.block_model,
                             "no block-model file in a whole project: the study estimates its "
                             "blocks from the deposit section (deposit.drillholes, or the "
                             "synthetic deposit)",
                             "give the drillholes under deposit.drillholes; to plan a block "
                             "model alone, run reeflow schedule on a file holding only mine:")
        return self

    @property
    def ree(self) -> tuple[str, ...]:
        """The rare earths the project carries (ore.ree_distribution order)."""
        return tuple(self.ore.ree_distribution)


class LoadedProject(StrictModel):
    """A validated project plus its provenance table (path → source/evidence/range)."""

    project: Project
    provenance: dict[str, Provenance]
    path: str


# The case a command runs when it names no project (the case registry is the folders of CASES_DIR).
DEFAULT_CASE = "beylikova"


def builtin_cases() -> list[str]:
    """Names of the built-in cases (folders of ``reeflow/cases`` holding a project.yaml)."""
    return sorted(p.parent.name for p in CASES_DIR.glob("*/project.yaml"))


def builtin_project_path(name: str) -> Path:
    """Path of a built-in project file: a case (``beylikova`` → cases/beylikova/project.yaml)
    or another shipped project, e.g. a scenario (``beylikova/scenarios/with_debt``, as
    ``reeflow examples`` lists it)."""
    from reeflow.example_inputs import builtin_path

    return builtin_path(name, field="project", value=f"builtin:{name.strip()}",
                        allowed=f"a built-in case ({', '.join(builtin_cases())}) or a shipped "
                        "project file (reeflow examples lists them)",
                        suffixes=(".yaml", ".yml"))


def source_path(source: str | Path | None) -> Path:
    if source is None:
        return builtin_project_path(DEFAULT_CASE)
    text = str(source)
    if text.startswith("builtin:"):
        return builtin_project_path(text[len("builtin:"):])
    path = Path(source)
    if not path.is_file():  # a folder or a case's bare name: say what was meant
        if path.is_dir() and (path / "project.yaml").is_file():
            raise InputError("project", text, "a project YAML file (this is a folder)",
                             f"name the file: {path / 'project.yaml'}")
        if not path.exists() and text.strip() in builtin_cases():
            raise InputError("project", text, "a project YAML file or builtin:NAME",
                             f"write builtin:{text.strip()} for the built-in case")
    return path


#: Mappings a file that ``extends`` another replaces whole rather than merging key by key: the
#: separation's products partition the elements, so a group inherited next to new ones would
#: hold an element twice
WHOLE_ON_EXTEND: frozenset[tuple[str, ...]] = frozenset({
    ("plant", "separation", "products"),
    # one purity or one per product: a mapping merged into the base's {value: …} record
    # was refused key by key (fuzz round 21)
    ("plant", "separation", "product_purity")})


#: Text a case writes about its own figures (why a benchmark figure sits outside the peer
#: band): inherited through ``extends``, it is marked as written for the parent
CASE_TEXT: tuple[tuple[str, ...], ...] = (("economics", "benchmark_reasons"),)
_INHERITED = "Written for "


#: Top-level keys whose change leaves a case's figures (and the text about them) as they are
TEXT_ONLY = frozenset({"name", "description", "claims_file", "claims_written_for"})


def mark_inherited(tree: dict[str, Any], parent: str,
                   child: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``tree`` (a parent's) with its case text marked as written for ``parent`` when the file
    that extends it (``child``) changes an input: a project that extends a case and changes its
    ore kept the case's explanations of its benchmark figures, which then contradicted the
    figures next to them (validation round 8). A file that changes no input is the case itself
    (one study key). The project may restate a reason to replace the mark."""
    if child is not None and "claims_file" in child and tree.get("claims_written_for"):
        # the file brings its own claims: the inherited label goes (review)
        tree = {**tree, "claims_written_for": child.get("claims_written_for")}
    if child is not None and not set(child) - TEXT_ONLY:
        return tree
    name = tree.get("name") if isinstance(tree.get("name"), str) else parent
    over: dict[str, Any] = {}
    if tree.get("claims_file") and not tree.get("claims_written_for") and \
            (child is None or "claims_file" not in child):
        # another project's public claims, checked against this one: say whose they are
        # (a project extending a built-in case opened its summary with that case's stated
        # production target as its own, fuzz round 17)
        over["claims_written_for"] = name
    for path in CASE_TEXT:
        node: Any = tree
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict) or not node:
            continue
        marked: Any = {k: v if not isinstance(v, str) or v.startswith(_INHERITED)
                       else f"{_INHERITED}{name} (this project extends it; check that it still "
                            f"holds): {v}" for k, v in node.items()}
        for key in reversed(path):
            marked = {key: marked}
        over = deep_merge(over, marked)
    return deep_merge(tree, over) if over else tree


def _project_tree(path: Path, origins: Origins | None = None, *,
                  projects_only: bool = True) -> dict[str, Any]:
    """A project file with its ``extends`` chain merged, the case text it inherits marked
    (``origins``: receives the keys included files wrote, see :func:`load_yaml_tree`;
    ``projects_only``: each file extended is a project file, :func:`check_extended`)."""
    return load_yaml_tree(path, builtin_project_path, whole=WHOLE_ON_EXTEND,
                          on_inherit=_inherit if projects_only else mark_inherited,
                          origins=origins)


def _inherit(tree: dict[str, Any], parent: str, child: Mapping[str, Any]) -> dict[str, Any]:
    """The parent's tree as the child inherits it: a project file (:func:`check_extended`),
    its case text marked (:func:`mark_inherited`)."""
    check_extended(tree, parent)
    return mark_inherited(tree, parent, child)


def check_extended(tree: Mapping[str, Any], parent: str) -> None:
    """``extends`` names a project file: a claims file (or a case's fiscal terms) was merged
    as one and refused on an inner key of its own (``claims[0].asserts[0].quantity``: a value
    with source …, fuzz round 31), never saying that it is no project."""
    check_project_keys(tree, "extends", parent, "and extend a project file or a built-in "
                       "case, e.g. builtin:beylikova")


def check_project_keys(tree: Mapping[str, Any], field: str, value: str, then: str) -> None:
    """A file read as a project has some of a project's top-level keys: a claims file, a
    case's fiscal terms or its synthetic-deposit parameters given as the project itself were
    refused on an inner key of their own (``claims[0].asserts[0].quantity``, ``currency_year:
    a known field name``), never saying that they are no project (fuzz round 32)."""
    keys = set(file_keys(Project))
    if not tree or set(tree) & keys:
        return
    written = ", ".join(map(str, list(tree)[:6]))
    kind = "a claims file (claims:)" if "claims" in tree else \
        f"a file whose top-level keys ({written}) are none of a project's"
    if "claims" in tree:
        where = "name it under a project's claims_file: "
    elif {"zones", "grades"} <= set(tree):  # a case's synthetic-deposit parameters
        where = ("a synthetic deposit's parameters go under a project's deposit: {synthetic: "
                 "{parameters_file: …}}, ")
    else:
        where = ("for a section kept in a file of its own, include it under the section "
                 "(e.g. economics: {include_file: fiscal.yaml}), ")
    raise InputError(field, value, "a project file (top-level keys name, ore, plant, "
                     "economics, … or some of them) or builtin:NAME",
                     f"this is {kind}, not a project: {where}{then}")


def _validated(tree: dict[str, Any], where: str,
               origins: Origins | None = None) -> LoadedProject:
    project, prov = validate_tree(Project, tree, origins=origins)
    _check_grade_range_ends(project.ore, prov)
    return LoadedProject(project=project, provenance=prov, path=where)


def _check_grade_range_ends(ore: Ore, prov: dict[str, Provenance]) -> None:
    """Each stated range end of a head grade must make an ore the chain can run: the
    sensitivities and the Monte Carlo run there. A 9 % TREO high end with 90 % gangue passed
    ``validate`` and stopped the study after a minute (fuzz round 17)."""
    for name in GRADE_FIELDS:
        path = f"ore.{name.removesuffix('_frac')}"
        rng = prov[path].range if path in prov else None
        if rng is None or not all(isinstance(v, float | int) for v in rng):
            continue
        minerals = ore.minerals_frac(**{name: float(max(rng))})
        if minerals > 1.0:
            raise InputError(f"{path}.range", f"high end {100 * float(max(rng)):.4g} %: "
                             f"{minerals:.2%} of the ore mass",
                             "range ends whose head grades (with the bastnäsite that carries "
                             "the TREO) sum to <= 100 %: the sensitivities and the Monte Carlo "
                             "run the chain at each end", "lower the range's high end or the "
                             "other grades")


def load_project(source: str | Path | None = None) -> LoadedProject:
    """Load and validate a project: a YAML path, ``builtin:NAME``, or None
    (the default built-in case, ``DEFAULT_CASE``).

    Every command reads projects through here; every failure is an InputError naming the field
    path the user wrote, the value, what is allowed and how to fix it.
    """
    p = source_path(source)
    _check_builtin_project(p)
    origins: Origins = {}
    tree = _project_tree(p, origins)
    check_project_keys(tree, "project", str(source), "and run a project file or a built-in "
                       "case, e.g. builtin:beylikova")
    return _validated(tree, str(p), origins)


def _check_builtin_project(path: Path) -> None:
    """A shipped file loaded as a project must be a case's project or one of its scenarios:
    ``builtin:beylikova/claims`` was refused on an inner key of the claims
    (``claims[0].asserts[0].quantity``), never saying it is no project (fuzz round 27). The
    CLI hands a ``builtin:`` name over as its path, so the path is what is checked."""
    from reeflow.example_inputs import example_files

    shipped = {f.resolve(): rel for rel, f in example_files().items()}
    rel = shipped.get(path.resolve())
    if rel is None or rel.endswith("/project.yaml") or "/scenarios/" in rel:
        return
    raise InputError("project", f"builtin:{rel.rsplit('.', 1)[0]}", "a built-in project: a "
                     "case (" + ", ".join(f"builtin:{c}" for c in builtin_cases())
                     + ") or one of its scenarios", "this is a shipped input of another kind, "
                     "not a study project: run a case or a scenario (reeflow examples lists "
                     "the shipped files)")


def merged_tree(source: str | Path) -> dict[str, Any]:
    """A project file (a path or ``builtin:NAME``) as the loader reads it, its ``extends``
    chain merged, not yet validated: for a command that reads some sections and keys of its
    own (``sx train`` read the file alone and designed without the parent's products and
    factors, fuzz round 27). A file that extends no project is merged as it is: the command
    names what it will not read itself (a train file's ``extends``)."""
    return _project_tree(source_path(source), projects_only=False)


def is_whole_project(source: str | Path) -> bool:
    """Whether ``source`` (a file or ``builtin:NAME``) is a whole study project (its merged
    ``extends`` chain has an ``ore`` section) rather than one holding one room's section:
    the room commands (``resource``, ``schedule``) run the study's chain on a whole project."""
    tree = _project_tree(source_path(source))
    return isinstance(tree, dict) and "ore" in tree


def load_section(source: str | Path, section: str, model: type[M]) -> M:
    """One section of a project file, read by the project loader (bounded YAML, ``extends``,
    ``include_file``, ``*_file`` paths made absolute) and validated into ``model`` alone.

    For room commands that need only their own section (``reeflow resource project.yaml``):
    the file may be a whole project or hold only that section. Errors name the path the user
    wrote (``deposit.cutoff.grade``).
    """
    p = source_path(source)
    origins: Origins = {}
    tree = _project_tree(p, origins)
    sub = tree.get(section)
    if sub is None:
        sub = {}
    if not isinstance(sub, dict):
        raise InputError(section, sub, f"a mapping (the {section} section)",
                         f"write '{section}:' followed by its indented keys")
    wrapper = create_model(f"_{section.title()}Section", __base__=StrictModel,
                           **{section: (model, ...)})  # type: ignore[call-overload]
    obj, _ = validate_tree(wrapper, {section: sub}, origins=origins)
    return getattr(obj, section)  # type: ignore[no-any-return]


def load_project_text(text: str, *, allow_paths: bool = False,
                      name: str = "<uploaded project>") -> LoadedProject:
    """Load a project from YAML text (an upload, a web form).

    With ``allow_paths=False`` (the default) the text may extend only built-in cases
    (``extends: builtin:NAME``) and may name no file (no ``*_file`` key, no relative
    ``extends``): nothing on the server's file system is reachable through it.
    """
    data = load_yaml_text(text, field="project", source=name)
    if not isinstance(data, dict):
        raise InputError("project", name, "a YAML mapping at the top level",
                         "write the project as key: value lines (name:, ore:, plant:, economics: "
                         "...); see reeflow examples")
    parent = data.pop("extends", None)
    if not allow_paths:
        _refuse_paths(data, "")
        if parent is not None and not (isinstance(parent, str) and parent.startswith("builtin:")):
            raise InputError("extends", parent, "'builtin:NAME' (uploads may not name files)",
                             f"extend one of: {', '.join('builtin:' + c for c in builtin_cases())}")
    if parent is not None:
        data = resolve_file_keys(data, Path.cwd()) if allow_paths else data
        base = _inherit(_project_tree(source_path(parent)), str(parent), data)
        data = deep_merge(base, data, whole=WHOLE_ON_EXTEND)
    return _validated(data, name)


def _refuse_paths(tree: Any, path: str) -> None:
    if isinstance(tree, dict):
        for k, v in tree.items():
            where = f"{path}.{k}" if path else str(k)
            if str(k).endswith("_file"):
                raise InputError(where, v, "no file names in an uploaded project",
                                 "remove the key; uploads may only extend built-in cases")
            _refuse_paths(v, where)
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            _refuse_paths(v, f"{path}[{i}]")
