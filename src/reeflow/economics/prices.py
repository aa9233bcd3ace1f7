"""Price decks as data: USGS annual averages, dated quotes, the NdPr floor case, payability.

Sources (see the CSV files in ``reeflow/data/economics``):

* U.S. Geological Survey (2026), Mineral Commodity Summaries 2026 data release,
  doi:10.5066/P1WKQ63T v1.3 - annual average oxide prices 2021-2025, FOB China (Argus).
* Dated quotes (Fastmarkets 20 Jun 2024; SMM 10 Apr 2025; DoD-MP Materials floor 10 Jul 2025;
  ChemAnalyst fluorspar Q2 2025 and barite Q1 2025; PrOMMiS' USGS 2023 fluorspar value).
* Payability of a mixed concentrate: PrOMMiS ``mixed_product_sale_price_realization_factor``
  (0.65), a modelling default, not a market statistic.

A missing price is an error naming the deck and the product, never a zero.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from reeflow.core.errors import InputError
from reeflow.economics._data import read_table, table_rows
from reeflow.economics.cost_index import CostIndex

__all__ = [
    "PriceDeck", "DECKS", "load_deck", "deck_names", "payability", "NDPR_PRODUCTS",
    "MIXED_CONCENTRATE", "price_of_mixed_concentrate", "unpriced_oxides", "product_class",
    "purity_payability",
    "spec_purity",
]

#: Products whose value moves with the NdPr price (separated Nd and Pr oxides and NdPr oxide).
NDPR_PRODUCTS = ("NdPr oxide", "Nd2O3", "Pr6O11")
#: Product name of a mixed rare-earth concentrate; its tonnage is t/a of contained REO.
MIXED_CONCENTRATE = "mixed REO concentrate"
_INDUSTRIAL = ("CaF2 concentrate", "BaSO4 concentrate")


@dataclass(frozen=True)
class PriceDeck:
    """Prices of products in one currency year.

    Parameters
    ----------
    name : str
        Deck name, e.g. ``"usgs_2025"``.
    currency_year : int
        Year of the dollars every price is expressed in.
    prices_usd_per_kg : Mapping[str, float]
        Product -> price (USD per kg of product; for oxides per kg oxide).
    sources : Mapping[str, str]
        Product -> source text.
    basis : str
        Real/nominal basis note (decks are flat real prices in ``currency_year`` dollars).
    specs_frac : Mapping[str, float]
        Product -> minimum purity of the price's basis (e.g. NdPr oxide 0.99 for "99 %
        minimum"), where the source states one.
    """

    name: str
    currency_year: int
    prices_usd_per_kg: Mapping[str, float]
    sources: Mapping[str, str] = field(default_factory=dict)
    basis: str = "real, flat over the life"
    specs_frac: Mapping[str, float] = field(default_factory=dict)

    def price(self, product: str) -> float:
        """Price of ``product`` in USD/kg; InputError when the deck has none (MISSING)."""
        p = self.prices_usd_per_kg.get(product)
        if p is None or not math.isfinite(p):
            have = ", ".join(sorted(self.prices_usd_per_kg))
            raise InputError(f"deck[{self.name}].{product}", "MISSING",
                             f"a product priced in this deck: {have}",
                             f"the price of '{product}' is missing from deck '{self.name}' (no "
                             "sourced value); choose another deck or pass deck.with_prices(...)")
        return float(p)

    def has(self, product: str) -> bool:
        p = self.prices_usd_per_kg.get(product)
        return p is not None and math.isfinite(p)

    def with_prices(self, prices_usd_per_kg: Mapping[str, float], *, name: str | None = None,
                    source: str = "user") -> PriceDeck:
        """A copy with prices replaced or added (same currency year)."""
        for k, v in prices_usd_per_kg.items():
            if not (isinstance(v, (int, float)) and v >= 0 and math.isfinite(v)):
                raise InputError(f"prices.{k}", v, ">= 0 USD/kg", "give a finite price")
        prices = {**self.prices_usd_per_kg, **{k: float(v) for k, v in prices_usd_per_kg.items()}}
        sources = {**self.sources, **{k: source for k in prices_usd_per_kg}}
        return PriceDeck(name or self.name, self.currency_year, prices, sources, self.basis,
                         dict(self.specs_frac))

    def to_year(self, year: int, index: CostIndex | None) -> PriceDeck:
        """The deck expressed in ``year`` dollars (needs an index when the years differ)."""
        if int(year) == self.currency_year:
            return self
        if index is None:
            raise InputError(f"deck[{self.name}].currency_year", self.currency_year,
                             f"the study currency year {year}, or a cost index",
                             "pass index=cepci() to escalate the deck")
        f = index.factor(self.currency_year, year)
        return PriceDeck(f"{self.name}@{year}", int(year),
                         {k: v * f for k, v in self.prices_usd_per_kg.items()},
                         dict(self.sources), self.basis, dict(self.specs_frac))

    def as_scenario(self, year: int) -> PriceDeck:
        """The same numbers declared as a price scenario in ``year`` dollars (not escalated).

        An explicit choice (e.g. "2024 price levels as a low case in a 2025-dollar study"),
        recorded in the deck name; use :meth:`to_year` to escalate instead.
        """
        return PriceDeck(f"{self.name} as {year} USD (not escalated)", int(year),
                         dict(self.prices_usd_per_kg), dict(self.sources), self.basis,
                         dict(self.specs_frac))

    def table(self):
        """Deck as a DataFrame (product, price_usd_per_kg, currency_year, source)."""
        import pandas as pd

        return pd.DataFrame({
            "product": list(self.prices_usd_per_kg),
            "price_usd_per_kg": list(self.prices_usd_per_kg.values()),
            "currency_year": self.currency_year,
            "source": [self.sources.get(k, "") for k in self.prices_usd_per_kg],
        })


_PURITY = re.compile(r"(\d+(?:\.\d+)?)\s*%")


def spec_purity(spec: str) -> float | None:
    """The minimum purity a price basis states (``"Cerium oxide, 99.5% minimum"`` → 0.995)."""
    m = _PURITY.search(str(spec))
    return float(m.group(1)) / 100.0 if m else None


def _usgs(year: int) -> tuple[dict[str, float], dict[str, str], dict[str, float]]:
    df = read_table("prices_usgs_mcs2026.csv")
    df = df[df["year"] == year]
    if df.empty:
        raise InputError("deck", f"usgs_{year}", "usgs_2021 ... usgs_2025", "pick a listed year")
    prices = {p: float(v) for p, v in zip(df["product"], df["price_usd_per_kg"], strict=True)}
    sources = {p: f"{s} ({b}; {st})" for p, s, b, st in
               zip(df["product"], df["source"], df["basis"], df["status"], strict=True)}
    specs = {p: v for p, sp in zip(df["product"], df["spec"], strict=True)
             if (v := spec_purity(sp)) is not None}
    return prices, sources, specs


def _quote(quote_id: str) -> tuple[str, float, int, str]:
    q = read_table("price_quotes.csv").set_index("quote_id").loc[quote_id]
    mid = 0.5 * (float(q["price_low_usd_per_kg"]) + float(q["price_high_usd_per_kg"]))
    return str(q["product"]), mid, int(q["currency_year"]), f"{q['source']} ({q['basis']})"


def _with_quotes(name: str, year: int, quote_ids: tuple[str, ...]) -> PriceDeck:
    prices, sources, specs = _usgs(year)
    for qid in quote_ids:
        product, mid, qyear, src = _quote(qid)
        if qyear != year:
            raise InputError(f"deck[{name}]", qid, f"quotes in {year} dollars",
                             "quotes of another currency year need an index; fix the registry")
        prices[product] = mid
        sources[product] = src
    return PriceDeck(name, year, prices, sources, specs_frac=specs)


def _usgs_deck(year: int) -> Callable[[], PriceDeck]:
    industrial = {2023: ("prommis_usgs_2023_fluorspar",),
                  2025: ("chemanalyst_2025-q2_acidspar", "chemanalyst_2025-q1_barite")}
    return lambda: _with_quotes(f"usgs_{year}", year, industrial.get(year, ()))


def _floor_deck() -> PriceDeck:
    base = DECKS["usgs_2025"]()
    _, floor, _, src = _quote("dod_mp_floor_2025-07-10")
    prices = {p: max(base.price(p), floor) for p in NDPR_PRODUCTS}
    deck = base.with_prices(prices, name="usgs_2025_ndpr_floor", source=src)
    return deck


#: Registry of named decks (name -> factory). All are flat real prices in their currency year.
#: ``usgs_2025_ndpr_floor``: the 2025 deck with NdPr oxide, Nd2O3 and Pr6O11 at
#: max(USGS 2025, US$110/kg) - the DoD floor applied to all NdPr products (an assumption: the
#: floor is a contract term for one producer). ``spot_*``: a USGS year with dated quotes on top.
DECKS: dict[str, Callable[[], PriceDeck]] = {
    **{f"usgs_{y}": _usgs_deck(y) for y in range(2021, 2026)},
    "usgs_2025_ndpr_floor": _floor_deck,
    "spot_2024-06-20": lambda: _with_quotes(
        "spot_2024-06-20", 2024, ("fastmarkets_2024-06-20_ndpr", "fastmarkets_2024-06-20_nd2o3",
                                  "fastmarkets_2024-06-20_pr6o11")),
    "spot_2025-04-10": lambda: _with_quotes(
        "spot_2025-04-10", 2025, ("smm_2025-04-10_ndpr_exvat", "smm_2025-04-10_dy2o3_exvat",
                                  "smm_2025-04-10_tb4o7_exvat", "chemanalyst_2025-q2_acidspar",
                                  "chemanalyst_2025-q1_barite")),
}


def deck_names() -> list[str]:
    """Names of the shipped decks."""
    return sorted(DECKS)


@lru_cache(maxsize=1)
def known_products() -> tuple[str, ...]:
    """Every product a shipped deck prices, the mixed REO concentrate and the industrial
    mineral concentrates: the names a project file may price or specify."""
    names = {MIXED_CONCENTRATE, *_INDUSTRIAL}
    for n in deck_names():
        names |= set(load_deck(n).prices_usd_per_kg)
    return tuple(sorted(names))


def load_deck(name: str | PriceDeck) -> PriceDeck:
    """Return the named deck (or the deck itself when a PriceDeck is passed)."""
    if isinstance(name, PriceDeck):
        return name
    factory = DECKS.get(name)
    if factory is None:
        raise InputError("deck", name, f"one of {deck_names()}", "pick a shipped deck name")
    return factory()


def product_class(product: str) -> str:
    """Class of a product: separated oxide, mixed REO concentrate or industrial mineral
    concentrate (the classes of ``payability.csv`` and of freight rates)."""
    if product == MIXED_CONCENTRATE:
        return "mixed REO concentrate"
    if product in _INDUSTRIAL:
        return "industrial mineral concentrate"
    return "separated oxide"


def payability(product: str) -> float:
    """Payable fraction of the deck value for ``product`` (separated oxide, concentrate...)."""
    return float(table_rows("payability.csv", "product_class")[product_class(product)]
                 ["payability_frac"])


def purity_payability(product: str, purity_frac: float, deck: PriceDeck, *,
                      below_spec: str = "mixed_concentrate",
                      specs_frac: Mapping[str, float] | None = None) -> tuple[float, float | None]:
    """Payable fraction of a separated oxide at ``purity_frac``, and the spec it was held to.

    A deck price is the price of a product AT its stated purity basis (USGS/Argus: "99.5 %
    minimum"). A product below that basis is not that product:

    * ``below_spec="mixed_concentrate"`` (default): it is sold for its contained oxide as a
      mixed rare-earth concentrate, at that class's payability (PrOMMiS' realisation factor,
      ``payability.csv``) — an assumption of this model, stated in the report;
    * ``"none"``: no discount (the old behaviour: paid on contained oxide at the full price).

    ``specs_frac`` (product -> minimum purity) overrides the deck's basis, e.g. an offtake
    contract's specification. Industrial-mineral concentrates and products with no stated basis
    keep their class payability. Returns (payability_frac, spec_frac or None).
    """
    base = payability(product)
    if product_class(product) != "separated oxide":
        return base, None
    spec = (specs_frac or {}).get(product, deck.specs_frac.get(product))
    if spec is None or below_spec == "none" or purity_frac >= spec - 1e-12:
        return base, spec
    return payability(MIXED_CONCENTRATE), spec


def price_of_mixed_concentrate(deck: PriceDeck, reo_distribution: Mapping[str, float]) -> float:
    """Basket value of a mixed concentrate in USD per kg contained REO, before payability.

    ``reo_distribution`` maps oxide formula -> mass fraction of TREO (sums to 1 +- 1e-6).
    Basket = sum_i w_i * p_i over separated-oxide prices of the deck (as PrOMMiS' realisation
    approach: value of the contained oxides, then a payability factor); an oxide the deck does
    not price (a trace of Tm2O3 in a heavy group) earns nothing (:func:`unpriced_oxides` names
    them for the caller to say so).
    """
    if not reo_distribution:
        raise InputError("concentrate_reo_distribution", reo_distribution,
                         "oxide -> fraction of TREO, summing to 1",
                         "pass the oxide distribution of the mixed concentrate")
    total = sum(reo_distribution.values())
    if abs(total - 1.0) > 1e-6 or any(v < 0 for v in reo_distribution.values()):
        raise InputError("concentrate_reo_distribution", dict(reo_distribution),
                         "non-negative fractions summing to 1", "normalise the distribution")
    return float(sum(w * deck.price(ox) for ox, w in reo_distribution.items()
                     if w > 0 and deck.has(ox)))


def unpriced_oxides(deck: PriceDeck, reo_distribution: Mapping[str, float]) -> list[str]:
    """The oxides of a mixed concentrate the deck does not price (unpaid in its basket)."""
    return sorted(ox for ox, w in reo_distribution.items() if w > 0 and not deck.has(ox))
