"""
A whole study in a notebook: the built-in Beylikova case
========================================================

``reeflow.run_study`` runs the chain the command line runs (plant design with the SX train,
design-basis economics, the SYNTHETIC deposit, pit and schedule, the plant solved year by year,
the annual cash flow, the market) and builds the typed results, with the sensitivities and
the public claims checked. ``out_dir=None`` keeps everything in memory.

The built-in case uses public figures only; its drillholes and block model are SYNTHETIC
(no Beylikova drillholes are public) and are labelled so everywhere.
"""

# %%
# Run the study. In a notebook the result shows the report's KPI cards.
import reeflow

result = reeflow.run_study("builtin:beylikova", out_dir=None)
result

# %%
# A one-line summary for logs and plain Python
print(repr(result))

# %%
# Every table as a pandas DataFrame (units in the column names): here the first years of the
# annual cash flow, money in millions of US dollars
tables = result.tables()
print(sorted(tables))
annual = tables["annual"].set_index("year")
money = ["revenue_usd", "opex_usd", "capex_usd", "tax_usd", "cash_flow_usd"]
(annual[money] / 1e6).round(1).rename(columns=lambda c: c.replace("_usd", "_musd")).head(8)

# %%
# The report's own figures (plotly): the cash flow and the NPV tornado
figures = result.figures()
figures["cashflow"]

# %%
figures["tornado"]

# %%
# One question, one code path: "what if the head grade were 1 %?" re-runs the same chain
loaded = reeflow.load_project("builtin:beylikova")
low = reeflow.what_if(loaded, {"ore.treo_grade": "1 %"})
print(f"NPV at the design grade: {result.results.economics.npv_usd['0.0800'] / 1e6:,.0f} MUSD; "
      f"at 1 % TREO: {low.npv_usd() / 1e6:,.0f} MUSD")
