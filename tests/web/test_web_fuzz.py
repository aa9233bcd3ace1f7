"""Property-based fuzzing of the API (hypothesis): whatever a client sends, the server answers
with a deliberate status — never a 500. Runs against an app with no workers (submitted studies
stay queued), so the fuzzing exercises validation, storage and the synchronous endpoints."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reeflow.core.elements import REE

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                      st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=40))
json_value = st.recursive(json_leaf, lambda c: st.one_of(
    st.lists(c, max_size=4), st.dictionaries(st.text(max_size=12), c, max_size=4)), max_leaves=12)
yaml_keys = st.sampled_from(["name", "ore", "plant", "economics", "market", "deposit", "mine",
                             "extends", "claims_file", "treo_grade", "capex_scale", "seed",
                             "include_file", "value", "range", "evidence", "x"])
yaml_scalar = st.one_of(st.sampled_from(["builtin:beylikova", "1.8 %", "-1", "1e309", "~", "[",
                                         "{a: 1}", "../x.yaml", "&a [*a]", "'", "0.5",
                                         "570 kt/a", "yes", "null"]), st.text(max_size=20))


@st.composite
def yaml_docs(draw):
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        indent = "  " * draw(st.integers(0, 2))
        lines.append(f"{indent}{draw(yaml_keys)}: {draw(yaml_scalar)}")
    if draw(st.booleans()):
        lines.insert(0, "extends: builtin:beylikova")
    return "\n".join(lines) + "\n"


OK_STATUSES = {200, 201, 204, 304, 400, 404, 405, 409, 413, 415, 422}


def _check(r):
    assert r.status_code in OK_STATUSES, (r.status_code, r.text[:500])
    if r.headers.get("content-type", "").startswith("application/json"):
        json.loads(r.text)


@FUZZ
@given(body=st.one_of(json_value, st.fixed_dictionaries({"project": json_value}),
                      st.fixed_dictionaries({"project_yaml": yaml_docs()}),
                      st.fixed_dictionaries({"project_yaml": st.text(max_size=300)})))
def test_post_studies_never_500(idle_client, body):
    _check(idle_client.post("/api/studies", json=body))


@FUZZ
@given(raw=st.binary(max_size=400), ctype=st.sampled_from(
    ["application/json", "text/plain", "application/x-www-form-urlencoded", ""]))
def test_raw_bodies_never_500(idle_client, raw, ctype):
    headers = {"content-type": ctype} if ctype else {}
    _check(idle_client.post("/api/studies", content=raw, headers=headers))
    _check(idle_client.post("/api/sx/design", content=raw, headers=headers))


@FUZZ
@given(sid=st.text(alphabet=string.printable, max_size=40),
       tail=st.sampled_from(["", "/results", "/report", "/xlsx"]))
def test_study_paths_never_500(idle_client, sid, tail):
    from urllib.parse import quote

    path = f"/api/studies/{quote(sid, safe='')}{tail}"
    _check(idle_client.get(path))
    if not tail:
        _check(idle_client.delete(path))


sx_bodies = st.fixed_dictionaries(
    {"feed_kg_per_h": st.dictionaries(st.sampled_from(list(REE) + ["Fe", "X"]),
                                      st.floats(-10, 1e4, allow_nan=False), min_size=0,
                                      max_size=5),
     "heavy": st.lists(st.sampled_from(list(REE) + ["Zz"]), max_size=3)},
    optional={"extractant": st.sampled_from(["P507", "D2EHPA", "Cyanex272", "naphthenic_acid",
                                             "nope"]),
              "purity_organic": st.floats(0.0, 1.2, allow_nan=False),
              "purity_aqueous": st.floats(0.0, 1.2, allow_nan=False),
              "separation_factors": st.dictionaries(st.sampled_from(["Nd/Pr", "Ce/La", "Pr/Ce",
                                                                     "x"]),
                                                    st.floats(0.5, 5, allow_nan=False),
                                                    max_size=2),
              "o_to_a": st.floats(0.01, 30, allow_nan=False),
              "reflux_factor": st.floats(0.1, 6, allow_nan=False),
              "optimise_reflux": st.booleans(),
              "max_stages": st.integers(0, 500)})


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=sx_bodies)
def test_sx_design_never_500(idle_client, body):
    _check(idle_client.post("/api/sx/design", json=body))


@FUZZ
@given(reo=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8)),
       home=st.sampled_from(["true", "false", "x", ""]), year=st.integers(1900, 2200))
def test_market_never_500(idle_client, reo, home, year):
    _check(idle_client.get("/api/market/hhi", params={"reo_t_per_a": str(reo),
                                                      "separation_at_home": home, "year": year}))
    r = idle_client.get("/ui/market", params={"reo": str(reo), "home": home, "year": year})
    assert r.status_code in OK_STATUSES


@FUZZ
@given(fields=st.dictionaries(st.one_of(st.sampled_from(
    ["base", "prev_base", "overrides_yaml", "v:ore.treo_grade", "v:economics.discount_rates",
     "lo:ore.treo_grade", "hi:ore.treo_grade", "ev:ore.treo_grade", "v:name", "v:x%2Fy.z",
     "v:", "v:plant.separation.products.NdPr"]), st.text(max_size=12)),
    st.one_of(yaml_scalar, st.text(max_size=30)), max_size=6))
def test_editor_validate_never_500(idle_client, fields):
    idle_client.get("/editor")
    token = idle_client.cookies.get("reeflow_csrf")
    r = idle_client.post("/ui/editor/validate", data=fields, headers={"x-csrf-token": token})
    assert r.status_code in OK_STATUSES, r.text[:500]


@pytest.mark.parametrize("path", ["/api/studies", "/api/health", "/api/schema/project"])
def test_query_strings_never_500(idle_client, path):
    for q in ("limit=-1", "limit=abc", "offset=99999999999999999999", "limit=0", "x=%00",
              "limit=1000&offset=5"):
        _check(idle_client.get(f"{path}?{q}"))
