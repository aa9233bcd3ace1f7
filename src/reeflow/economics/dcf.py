"""Discounted cash flow as pure vectorised functions.

Arrays carry years on the LAST axis (index t = 0 is the first construction year) and may carry
any leading axes (e.g. Monte Carlo draws). Conventions, after Newnan, Eschenbach & Lavelle,
*Engineering Economic Analysis* (Oxford UP), ch. 5-7 and 12 (end-of-year cash flows; present
worth; IRR as the root of NPV(r) = 0; inflation by the Fisher relation (1+n) = (1+r)(1+i)):

* NPV discounts year t by (1 + r)^-t, so year 0 is undiscounted (identical to
  ``numpy_financial.npv``).
* Nominal cash flows escalate with general inflation from year 0; tax depreciation is on the
  nominal (historical) cost and is not indexed. The real case is the nominal case deflated by
  (1+i)^t, so NPV_real(r) == NPV_nominal((1+r)(1+i) - 1) exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reeflow.core.errors import InputError

__all__ = [
    "Schedule", "FiscalTerms", "npv", "irr", "payback_years", "fisher_nominal_rate",
    "utilisation", "capex_spend", "depreciation_kernel", "income_tax", "working_capital_flow",
    "project_cash_flows", "annual_cash_flows", "DebtTerms", "annuity_payment", "debt_schedule",
    "levered_cash_flows", "pre_tax_cash_flows",
]


@dataclass(frozen=True)
class Schedule:
    """Timing of a project (years).

    construction_years : years of construction before first production (>= 1).
    life_years : production years.
    capex_phasing_frac : share of initial capex spent in each construction year (sums to 1).
    ramp_up_frac : utilisation in the first production years (then 1.0).
    depreciation_years : straight-line tax life of each capital spend.
    sustaining_capex_frac_per_a : sustaining capex per production year as a fraction of initial
        capex.
    working_capital_frac : working capital held, as a fraction of that year's revenue.
    closure_cost_frac : closure cost (paid the year after the last production year) as a
        fraction of initial capex.
    inflation_frac_per_a : general inflation (used for the nominal case and to deflate).
    """

    construction_years: int = 2
    life_years: int = 20
    capex_phasing_frac: tuple[float, ...] = (0.4, 0.6)
    ramp_up_frac: tuple[float, ...] = (0.6, 0.85)
    depreciation_years: int = 10
    sustaining_capex_frac_per_a: float = 0.02
    working_capital_frac: float = 0.10
    closure_cost_frac: float = 0.05
    inflation_frac_per_a: float = 0.0

    def __post_init__(self) -> None:
        _check_int("schedule.construction_years", self.construction_years, 1, 10)
        _check_int("schedule.life_years", self.life_years, 1, 100)
        _check_int("schedule.depreciation_years", self.depreciation_years, 1, 100)
        ph = np.asarray(self.capex_phasing_frac, float)
        if ph.size != self.construction_years or np.any(ph < 0) or abs(ph.sum() - 1) > 1e-9:
            raise InputError("schedule.capex_phasing_frac", self.capex_phasing_frac,
                             f"{self.construction_years} non-negative shares summing to 1",
                             "give one share per construction year")
        ru = np.asarray(self.ramp_up_frac, float)
        if np.any((ru < 0) | (ru > 1)):
            raise InputError("schedule.ramp_up_frac", self.ramp_up_frac, "fractions in [0, 1]",
                             "give utilisations of the first production years")
        for name in ("sustaining_capex_frac_per_a", "working_capital_frac", "closure_cost_frac"):
            v = getattr(self, name)
            if not (0 <= v <= 1):
                raise InputError(f"schedule.{name}", v, "[0, 1]", "give a fraction")
        if not (-0.5 < self.inflation_frac_per_a < 1):
            raise InputError("schedule.inflation_frac_per_a", self.inflation_frac_per_a,
                             "(-0.5, 1)", "give inflation as a fraction per year")

    @property
    def n_years(self) -> int:
        """Construction + production + one closure year."""
        return self.construction_years + self.life_years + 1

    @property
    def first_production(self) -> int:
        return self.construction_years

    @property
    def last_production(self) -> int:
        return self.construction_years + self.life_years - 1


@dataclass(frozen=True)
class FiscalTerms:
    """Tax and royalty terms.

    tax_rate_frac : corporate income tax on taxable profit.
    royalty_rate_frac : royalty rate.
    loss_carry_forward_years : years a tax loss may be carried forward (0 = none).
    royalty_base : "revenue" (ad valorem on sales) or "revenue_less_processing" (sales less
        processing cost and depreciation, floored at 0: the Turkish 'ocak başı' pithead value of
        Mining Law 3213 Art. 14, where beneficiation costs and depreciation are deducted; here
        all non-mining opex and all depreciation are deducted - an approximation).
    """

    tax_rate_frac: float = 0.25
    royalty_rate_frac: float = 0.0
    loss_carry_forward_years: int = 5
    royalty_base: str = "revenue"

    def __post_init__(self) -> None:
        for name in ("tax_rate_frac", "royalty_rate_frac"):
            v = getattr(self, name)
            if not (0 <= v < 1):
                raise InputError(f"fiscal.{name}", v, "[0, 1)", "give a fraction")
        _check_int("fiscal.loss_carry_forward_years", self.loss_carry_forward_years, 0, 100)
        if self.royalty_base not in ROYALTY_BASES:
            raise InputError("fiscal.royalty_base", self.royalty_base, f"one of {ROYALTY_BASES}",
                             "choose the base the royalty law uses")


ROYALTY_BASES = ("revenue", "revenue_less_processing")


def _check_int(field: str, v: int, lo: int, hi: int) -> None:
    if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or not (lo <= v <= hi):
        raise InputError(field, v, f"an integer in [{lo}, {hi}]", "give whole years")


def fisher_nominal_rate(real_rate: float | np.ndarray, inflation: float) -> np.ndarray:
    """Nominal rate from a real rate: (1 + n) = (1 + r)(1 + i)."""
    return (1.0 + np.asarray(real_rate, float)) * (1.0 + inflation) - 1.0


def npv(cash_flows: np.ndarray, rates: float | np.ndarray) -> np.ndarray:
    """Net present value, years on the last axis, year 0 undiscounted.

    cash_flows : (..., T) USD; rates : scalar -> result (...), or (R,) -> result (..., R);
    rates may also broadcast against the leading axes when given with shape (..., 1).
    """
    cf = np.asarray(cash_flows, float)
    r = np.asarray(rates, float)
    t = np.arange(cf.shape[-1], dtype=float)
    if r.ndim == 1:
        return cf @ ((1.0 + r[:, None]) ** -t).T
    return np.sum(cf * (1.0 + r) ** -t, axis=-1)


_IRR_GRID = np.concatenate([np.linspace(-0.95, 1.0, 196), np.geomspace(1.01, 100.0, 60)])


def irr(cash_flows: np.ndarray, *, tol: float = 1e-12, max_iter: int = 200) -> np.ndarray:
    """Internal rate of return (fraction/yr) of each row: the rate at which NPV falls through
    zero as the rate rises, the one nearest r = 0 where there are several.

    Robust root find: NPV is evaluated on a grid of rates (-95 % ... 10,000 %, 0.01 steps
    below 100 %); of the brackets where NPV goes from positive to zero or below, the one
    nearest r = 0 is refined by vectorised bisection. A closure cost at the end makes a second
    root where NPV rises through zero (at a negative rate, where the discounting inflates the
    last year); reported as "the IRR" next to a positive NPV it would read as a loss, so it is
    taken only where NPV never falls through zero (a borrowing profile), as
    ``numpy_financial.irr`` takes the root nearest 0. On multiple roots and their meaning see
    Hazen (2003), "A new perspective on multiple internal rates of return", The Engineering
    Economist 48(1):31-51. NaN where NPV has no sign change.
    """
    cf = np.asarray(cash_flows, float)
    lead = cf.shape[:-1]
    flat = cf.reshape(-1, cf.shape[-1])
    vals = npv(flat, _IRR_GRID)  # (N, G)
    sgn = np.sign(vals)
    any_change = (sgn[:, :-1] * sgn[:, 1:]) <= 0
    falls = (sgn[:, :-1] > 0) & (sgn[:, 1:] <= 0)
    change = np.where(falls.any(axis=1)[:, None], falls, any_change)
    has = change.any(axis=1)
    mid_grid = np.abs(0.5 * (_IRR_GRID[:-1] + _IRR_GRID[1:]))
    k = np.argmin(np.where(change, mid_grid, np.inf), axis=1)
    lo = _IRR_GRID[k].copy()
    hi = _IRR_GRID[np.minimum(k + 1, _IRR_GRID.size - 1)].copy()
    f_lo = vals[np.arange(len(k)), k]
    t = np.arange(flat.shape[1], dtype=float)
    for _ in range(max_iter):
        mid = 0.5 * (lo + hi)
        f_mid = np.sum(flat * (1.0 + mid[:, None]) ** -t, axis=1)
        left = np.sign(f_mid) == np.sign(f_lo)
        lo = np.where(left, mid, lo)
        f_lo = np.where(left, f_mid, f_lo)
        hi = np.where(left, hi, mid)
        if np.all(hi - lo < tol):
            break
    out = np.where(has, 0.5 * (lo + hi), np.nan)
    return out.reshape(lead) if lead else out[0]


def payback_years(cash_flows: np.ndarray, start_index: int) -> np.ndarray:
    """Years from the start of year ``start_index`` until cumulative cash flow turns >= 0.

    Linear interpolation inside the year of the crossing; NaN if it never pays back.
    """
    cf = np.asarray(cash_flows, float)
    cum = np.cumsum(cf, axis=-1)
    pos = cum >= 0
    # require the crossing after the cumulative minimum (the investment phase)
    after = np.arange(cf.shape[-1]) >= start_index
    ok = pos & after
    has = ok.any(axis=-1)
    k = np.argmax(ok, axis=-1)
    prev = np.take_along_axis(cum, np.maximum(k - 1, 0)[..., None], axis=-1)[..., 0]
    step = np.take_along_axis(cf, k[..., None], axis=-1)[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(step > 0, -prev / step, 0.0)
    years = k - start_index + np.clip(frac, 0.0, 1.0)
    return np.where(has, years, np.nan)


def utilisation(schedule: Schedule) -> np.ndarray:
    """Capacity utilisation per year (T,): 0 in construction and closure, ramp-up, then 1."""
    u = np.zeros(schedule.n_years)
    u[schedule.first_production:schedule.last_production + 1] = 1.0
    for j, f in enumerate(schedule.ramp_up_frac[: schedule.life_years]):
        u[schedule.first_production + j] = f
    return u


def capex_spend(capex_usd: np.ndarray | float, schedule: Schedule) -> np.ndarray:
    """Initial capex by year (..., T) from the phasing over the construction years."""
    c = np.asarray(capex_usd, float)[..., None]
    phase = np.zeros(schedule.n_years)
    phase[: schedule.construction_years] = schedule.capex_phasing_frac
    return c * phase


def depreciation_kernel(schedule: Schedule) -> np.ndarray:
    """(T, T) matrix K with dep = spend @ K (straight line, written off at the last year).

    A spend in a construction year starts depreciating at first production; a later spend in
    the year it is made. The undepreciated rest is deducted in the last production year.
    """
    T, D = schedule.n_years, schedule.depreciation_years
    last = schedule.last_production
    K = np.zeros((T, T))
    for s in range(T):
        start = max(s, schedule.first_production)
        if start > last:
            continue
        end = min(start + D, last + 1)
        K[s, start:end] = 1.0 / D
        K[s, last] += 1.0 - K[s].sum()
    return K


def income_tax(taxable: np.ndarray, rate: float | np.ndarray, carry_years: int) -> np.ndarray:
    """Income tax (..., T) with losses carried forward for ``carry_years`` (FIFO, expiring).

    Tax_t = rate * max(0, taxable_t - usable losses); no refunds of losses.
    """
    x = np.asarray(taxable, float)
    T = x.shape[-1]
    losses = np.zeros(x.shape)  # remaining loss by year of origin
    tax = np.zeros(x.shape)
    rate = np.asarray(rate, float)
    for t in range(T):
        profit = x[..., t].copy()
        if carry_years > 0:
            for s in range(max(0, t - carry_years), t):
                use = np.minimum(losses[..., s], np.maximum(profit, 0.0))
                losses[..., s] -= use
                profit -= use
        losses[..., t] = np.maximum(-x[..., t], 0.0)
        tax[..., t] = np.maximum(profit, 0.0)
    return tax * (rate[..., None] if rate.ndim else rate)


def working_capital_flow(level: np.ndarray) -> np.ndarray:
    """Cash flow from a working-capital level by year: -(level_t - level_{t-1}); ends at 0."""
    lv = np.asarray(level, float).copy()
    lv[..., -1] = 0.0
    prev = np.concatenate([np.zeros(lv.shape[:-1] + (1,)), lv[..., :-1]], axis=-1)
    return -(lv - prev)


def project_cash_flows(
    revenue_full_usd_per_a: np.ndarray | float,
    opex_variable_full_usd_per_a: np.ndarray | float,
    opex_fixed_usd_per_a: np.ndarray | float,
    capex_usd: np.ndarray | float,
    *,
    schedule: Schedule,
    fiscal: FiscalTerms,
    basis: str = "real",
    opex_mining_full_usd_per_a: np.ndarray | float = 0.0,
    closure_usd: np.ndarray | float | None = None,
) -> dict[str, np.ndarray]:
    """Annual cash flows (..., T) of a project at constant full-production rates.

    Revenue and variable opex scale with the schedule's utilisation (ramp-up); fixed opex applies
    in every production year. A thin wrapper over :func:`annual_cash_flows`.
    """
    u = utilisation(schedule)
    prod = (u > 0).astype(float)
    return annual_cash_flows(
        np.asarray(revenue_full_usd_per_a, float)[..., None] * u,
        np.asarray(opex_variable_full_usd_per_a, float)[..., None] * u,
        np.asarray(opex_fixed_usd_per_a, float)[..., None] * prod,
        capex_usd, schedule=schedule, fiscal=fiscal, basis=basis,
        opex_mining_usd=np.asarray(opex_mining_full_usd_per_a, float)[..., None] * u,
        closure_usd=closure_usd)


def annual_cash_flows(
    revenue_usd: np.ndarray,
    opex_variable_usd: np.ndarray,
    opex_fixed_usd: np.ndarray,
    capex_usd: np.ndarray | float,
    *,
    schedule: Schedule,
    fiscal: FiscalTerms,
    basis: str = "real",
    opex_mining_usd: np.ndarray | float = 0.0,
    closure_usd: np.ndarray | float | None = None,
) -> dict[str, np.ndarray]:
    """Annual cash flows (..., T) from revenue and opex given year by year (real, currency-year
    dollars; zero outside production), e.g. from the plant solved at each year's mine feed.

    ``opex_mining_usd`` is the mining part of the variable opex (not deducted from the royalty
    base). Sustaining capex applies in every production year but the last; closure is paid in
    the last year (T-1): ``closure_usd`` (currency-year USD) when given, else
    ``schedule.closure_cost_frac`` x capex. Returns a dict of arrays: revenue, royalty, opex, ebitda, capex,
    sustaining_capex, working_capital, closure, depreciation, taxable_income, tax,
    net_cash_flow (all USD; nominal values escalate from year 0 and are deflated back for
    ``basis='real'``).
    """
    if basis not in ("real", "nominal"):
        raise InputError("basis", basis, "'real' or 'nominal'", "choose one basis explicitly")
    T = schedule.n_years
    for name, arr in (("revenue_usd", revenue_usd), ("opex_variable_usd", opex_variable_usd),
                      ("opex_fixed_usd", opex_fixed_usd)):
        if np.shape(arr)[-1:] != (T,):
            raise InputError(name, np.shape(arr), f"an array whose last axis has {T} years",
                             "give one value per project year (construction, production, closure)")
    t = np.arange(T, dtype=float)
    esc = (1.0 + schedule.inflation_frac_per_a) ** t
    prod = (utilisation(schedule) > 0).astype(float)
    rev = np.asarray(revenue_usd, float) * esc
    var = np.asarray(opex_variable_usd, float) * esc
    fix = np.asarray(opex_fixed_usd, float) * esc
    capex = np.asarray(capex_usd, float)
    initial = capex_spend(capex, schedule) * esc
    sus = capex[..., None] * schedule.sustaining_capex_frac_per_a * prod * esc
    sus[..., schedule.last_production] = 0.0
    closure = np.zeros(np.broadcast_shapes(initial.shape, rev.shape))
    if closure_usd is None:
        closure[..., T - 1] = capex * schedule.closure_cost_frac * esc[T - 1]
    else:
        closure[..., T - 1] = np.asarray(closure_usd, float) * esc[T - 1]
    opex = var + fix
    dep = (initial + sus) @ depreciation_kernel(schedule)
    if fiscal.royalty_base == "revenue":
        royalty = rev * fiscal.royalty_rate_frac
    else:
        mining = np.asarray(opex_mining_usd, float) * esc
        royalty = np.maximum(rev - (opex - mining) - dep, 0.0) * fiscal.royalty_rate_frac
    ebitda = rev - royalty - opex
    taxable = ebitda - dep - closure
    tax = income_tax(taxable, fiscal.tax_rate_frac, fiscal.loss_carry_forward_years)
    wc = working_capital_flow(rev * schedule.working_capital_frac)
    net = ebitda - initial - sus - closure - tax + wc
    out = {"revenue": rev, "royalty": royalty, "opex": opex, "ebitda": ebitda,
           "capex": initial, "sustaining_capex": sus, "working_capital": wc,
           "closure": closure, "depreciation": dep, "taxable_income": taxable, "tax": tax,
           "net_cash_flow": net}
    if basis == "real":
        out = {k: v / esc for k, v in out.items()}
    return out


@dataclass(frozen=True)
class DebtTerms:
    """Project debt, on the same basis (real or nominal) as the cash flows it is applied to.

    share_of_capex : fraction of each initial-capex spend drawn as debt (pro rata drawdown).
    interest_rate_frac : annual rate; interest during construction is capitalised.
    tenor_years : repayment years, starting ``grace_years`` after first production.
    upfront_fee_frac : arrangement fee on the total drawn, paid in the first drawdown year.
    repayment : "annuity" (level debt service) or "straight_line" (level principal).
    """

    share_of_capex: float
    interest_rate_frac: float
    tenor_years: int
    grace_years: int = 0
    upfront_fee_frac: float = 0.0
    repayment: str = "annuity"

    def __post_init__(self) -> None:
        if not (0 <= self.share_of_capex < 1):
            raise InputError("debt.share_of_capex", self.share_of_capex, "[0, 1)", "a fraction")
        if not (0 <= self.interest_rate_frac < 1):
            raise InputError("debt.interest_rate", self.interest_rate_frac, "[0, 1)",
                             "give debt.interest_rate as a fraction below 1, e.g. 0.08 for 8 %")
        _check_int("debt.tenor_years", self.tenor_years, 1, 100)
        _check_int("debt.grace_years", self.grace_years, 0, 100)
        if not (0 <= self.upfront_fee_frac < 1):
            raise InputError("debt.upfront_fee", self.upfront_fee_frac, "[0, 1)",
                             "give debt.upfront_fee as a fraction below 1, e.g. 0.02 for 2 %")
        if self.repayment not in ("annuity", "straight_line"):
            raise InputError("debt.repayment", self.repayment, "annuity or straight_line",
                             "set debt.repayment to annuity or straight_line")


def annuity_payment(principal: float, rate: float, n: int) -> float:
    """Level payment repaying ``principal`` over ``n`` years at ``rate``:
    A = P r / (1 - (1 + r)^-n) (Newnan et al., capital recovery factor; A = P/n at r = 0)."""
    if rate == 0:
        return principal / n
    return principal * rate / (1.0 - (1.0 + rate) ** -n)


def debt_schedule(initial_capex_usd: np.ndarray, terms: DebtTerms,
                  schedule: Schedule) -> dict[str, np.ndarray]:
    """Debt drawdown, interest, principal, fees and closing balance by year (..., T).

    ``initial_capex_usd`` is the capex spend by year (..., T) (e.g. ``project_cash_flows``'
    ``capex``). End-of-year convention: interest in year t is rate x balance at the end of t-1;
    before first production it is capitalised, afterwards paid in cash. Repayment runs over
    ``tenor_years`` from ``first_production + grace_years``; the loan must be repaid within the
    production life (else InputError).
    """
    if terms.grace_years + terms.tenor_years > schedule.life_years:
        raise InputError("debt.tenor_years", terms.tenor_years,
                         f"grace + tenor <= life ({schedule.life_years} years)",
                         "shorten the tenor or the grace period")
    spend = np.asarray(initial_capex_usd, float)
    draw = terms.share_of_capex * spend
    T = spend.shape[-1]
    r = terms.interest_rate_frac
    bal = np.zeros(spend.shape[:-1])
    out = {k: np.zeros(spend.shape) for k in ("draw", "interest", "capitalised_interest",
                                              "principal", "balance", "fee")}
    start = schedule.first_production + terms.grace_years
    payment = np.zeros_like(bal)
    for t in range(T):
        interest = r * bal
        if t < schedule.first_production:
            out["capitalised_interest"][..., t] = interest
            bal = bal + interest + draw[..., t]
        else:
            out["interest"][..., t] = interest
            if t == start:
                payment = (annuity_payment(1.0, r, terms.tenor_years) * bal
                           if terms.repayment == "annuity" else bal / terms.tenor_years)
            if start <= t < start + terms.tenor_years:
                principal = payment - interest if terms.repayment == "annuity" else payment
                principal = bal if t == start + terms.tenor_years - 1 else \
                    np.minimum(principal, bal)  # the last instalment clears the balance
                out["principal"][..., t] = principal
                bal = bal - principal
        out["draw"][..., t] = draw[..., t]
        out["balance"][..., t] = bal
    first = int(np.argmax(np.abs(draw).reshape(-1, T).sum(axis=0) > 0))
    out["fee"][..., first] = terms.upfront_fee_frac * draw.sum(axis=-1)
    return out


def levered_cash_flows(cf: dict[str, np.ndarray], debt: dict[str, np.ndarray], *,
                       fiscal: FiscalTerms) -> dict[str, np.ndarray]:
    """Equity cash flows, tax with interest deducted, CFADS and DSCR from unlevered flows.

    cf : the dict of :func:`project_cash_flows` (same basis as ``debt``); debt : of
    :func:`debt_schedule`. Cash interest and fees are tax-deductible when paid (capitalised
    construction interest is not deducted - a conservative simplification). CFADS (cash flow
    available for debt service) = EBITDA - levered tax - sustaining capex + working-capital flow
    - closure; DSCR = CFADS / (interest + principal) in years with debt service, NaN elsewhere.
    Equity cash flow = unlevered net cash flow + (unlevered - levered tax) + drawdown - interest
    - principal - fees.
    """
    interest = debt["interest"]
    taxable = cf["taxable_income"] - interest - debt["fee"]
    tax = income_tax(taxable, fiscal.tax_rate_frac, fiscal.loss_carry_forward_years)
    service = interest + debt["principal"]
    cfads = cf["ebitda"] - tax - cf["sustaining_capex"] + cf["working_capital"] - cf["closure"]
    with np.errstate(divide="ignore", invalid="ignore"):
        dscr = np.where(service > 0, cfads / np.where(service > 0, service, 1.0), np.nan)
    equity = (cf["net_cash_flow"] + cf["tax"] - tax + debt["draw"] - interest
              - debt["principal"] - debt["fee"])
    return {"tax": tax, "debt_service": service, "cfads": cfads, "dscr": dscr,
            "equity_cash_flow": equity}


def pre_tax_cash_flows(cf: dict[str, np.ndarray]) -> np.ndarray:
    """Net cash flow before income tax (royalty is a cost, not a tax, and stays deducted)."""
    return cf["net_cash_flow"] + cf["tax"]
