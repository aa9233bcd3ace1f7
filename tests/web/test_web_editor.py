"""The scenario editor: a form from the project schema, overrides highlighted, YAML round trip,
and inline messages that are the CLI's own."""

from __future__ import annotations

import re

import pytest

from reeflow.web.editor import (
    EditorState,
    build_form,
    document,
    field_name,
    state_from_form,
    state_from_yaml,
    validate,
)


def _fields(state):
    return {f.dotted: f for f in build_form(state).all_fields()}


def _post_form(state, changes=None):
    """The form the page would submit for ``state`` with ``changes`` typed in."""
    form = {"base": state.base or "", "prev_base": state.base or "", "overrides_yaml": ""}
    for f in build_form(state).all_fields():
        if f.readonly:
            continue
        form[f.name("v")] = f.text
        if f.record.get("source"):
            form[f.name("src")] = f.record["source"]
        if f.record.get("evidence"):
            form[f.name("ev")] = f.record["evidence"]
        if f.record.get("note"):
            form[f.name("note")] = f.record["note"]
        lo, hi = f.range_text
        if lo or hi:
            form[f.name("lo")], form[f.name("hi")] = lo, hi
    form.update(changes or {})
    return form


def test_form_covers_the_schema_with_units_ranges_and_provenance():
    fields = _fields(EditorState("beylikova", {}))
    assert len(fields) >= 100
    g = fields["ore.treo_grade"]
    assert g.unit == "frac" and "≤ 0.8" in g.allowed and "> 0" in g.allowed
    assert g.text == "1.8 %" and g.range_text == ("1.0 %", "3.14 %")
    assert g.record["evidence"] and g.record["source"]
    assert fields["ore.ree_distribution.Nd"].unit == "frac"
    assert fields["claims_file"].readonly
    assert fields["market.separation_at_home"].kind == "bool"
    assert not any(f.overridden for f in fields.values())


def test_unchanged_form_has_no_overrides():
    state = EditorState("beylikova", {})
    new, errors = state_from_form(_post_form(state))
    assert errors == {} and new.overrides == {}
    assert document(new) == "extends: builtin:beylikova\n"


def test_one_change_is_one_highlighted_override():
    state = EditorState("beylikova", {})
    name = field_name("v", ("economics", "opex_scale"))
    new, errors = state_from_form(_post_form(state, {name: "1.1"}))
    assert errors == {}
    assert new.overrides == {"economics": {"opex_scale": {
        "value": 1.1, "range": [0.8, 1.2], "evidence": "assumed",
        "note": _fields(state)["economics.opex_scale"].record["note"]}}}
    f = _fields(new)["economics.opex_scale"]
    assert f.overridden and f.base_text == "1.0"
    assert sum(x.overridden for x in _fields(new).values()) == 1
    ok, msg, _ = validate(new)
    assert ok, msg
    from reeflow.project import load_project_text

    assert load_project_text(document(new)).project.economics.opex_scale_frac == 1.1


def test_messages_are_the_cli_messages(tmp_path, capsys):
    """The editor's message for a bad value is, word for word, what `reeflow study` prints."""
    from reeflow.cli import main

    state = EditorState("beylikova", {})
    name = field_name("v", ("ore", "treo_grade"))
    new, errors = state_from_form(_post_form(state, {name: "95 %", field_name("hi", (
        "ore", "treo_grade")): "99 %"}))
    ok, msg, per_field = validate(new)
    assert not ok and msg.startswith("reeflow: error: ")
    path = tmp_path / "p.yaml"
    path.write_text(document(new), encoding="utf-8")
    assert main(["study", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert capsys.readouterr().err.strip() == msg
    form = build_form(new, per_field)
    shown = [f for f in form.all_fields() if f.error]
    assert shown and shown[0].dotted.startswith("ore")


def test_parse_error_is_placed_on_its_field():
    state = EditorState("beylikova", {})
    name = field_name("v", ("economics", "discount_rates"))
    _, errors = state_from_form(_post_form(state, {name: "[0.05, 0.08"}))
    assert "economics.discount_rates" in errors
    assert errors["economics.discount_rates"].startswith("reeflow: error: ")


def test_yaml_import_shows_base_and_overrides():
    text = ("extends: builtin:beylikova\nname: My variant\neconomics:\n  capex_scale:\n"
            "    value: 1.2\n    range: [0.7, 1.5]\n    evidence: assumed\n")
    state = state_from_yaml(text)
    assert state.base == "beylikova"
    fields = _fields(state)
    assert fields["name"].overridden and fields["economics.capex_scale"].overridden
    assert fields["economics.capex_scale"].text == "1.2"
    again = state_from_yaml(document(state))
    assert again == state  # export -> import round trip


@pytest.mark.parametrize("text", ["extends: ../x.yaml\n", "claims_file: x.yaml\n",
                                  "economics:\n  include_file: terms.yaml\n"])
def test_import_refuses_files(text):
    from reeflow.core.errors import InputError

    with pytest.raises(InputError):
        state_from_yaml(text)


def test_editor_pages(idle_client):
    page = idle_client.get("/editor")
    assert page.status_code == 200 and 'name="v:ore.treo_grade"' in page.text
    token = idle_client.cookies.get("reeflow_csrf")
    state = EditorState("beylikova", {})
    form = _post_form(state, {field_name("v", ("economics", "opex_scale")): "1.1"})
    r = idle_client.post("/ui/editor/validate", data=form, headers={"x-csrf-token": token})
    assert r.status_code == 200
    assert re.search(r'class="frow over[^"]*"', r.text) and "base: 1.0" in r.text
    assert "Valid: the CLI would accept this project." in r.text
    bad = dict(form, **{field_name("v", ("ore", "treo_grade")): "-1 %"})
    r = idle_client.post("/ui/editor/validate", data=bad, headers={"x-csrf-token": token})
    assert "frow over err" in r.text and "reeflow: error: ore" in r.text
    run = idle_client.post("/ui/editor/run", data=form, headers={"x-csrf-token": token})
    assert run.status_code == 204 and run.headers["hx-redirect"].startswith("/studies/")
    exp = idle_client.post("/ui/editor/export", data=form, headers={"x-csrf-token": token})
    assert exp.status_code == 200 and "attachment" in exp.headers["content-disposition"]
    assert state_from_yaml(exp.text).overrides["economics"]["opex_scale"]["value"] == 1.1


def test_changing_one_product_group_keeps_the_others():
    """The loader replaces the product groups whole when a file extends another; the form
    saves the changed group only, so the editor carries the base's other groups with it (in
    their order): before, the override held one group and the project was refused."""
    from reeflow.project import load_project_text

    path = ("plant", "separation", "products", "SmY")
    form = {"base": "beylikova", "overrides_yaml": "", field_name("v", path): "[Y, Sm]"}
    state, errors = state_from_form(form)
    assert not errors
    groups = state.overrides["plant"]["separation"]["products"]
    assert groups == {"La": ["La"], "Ce": ["Ce"], "NdPr": ["Pr", "Nd"], "SmY": ["Y", "Sm"]}
    loaded = load_project_text(document(state))
    assert loaded.project.plant.product_groups()["SmY"] == ["Y", "Sm"]


def test_unknown_study_ids_are_named_on_the_compare_and_editor_pages(idle_client):
    """`/compare?ids=nosuch&ids=zzz` said "ids: got 0"; `/editor?study=nosuch` showed the base
    case without a word (fuzz round 7)."""
    r = idle_client.get("/compare", params=[("ids", "nosuch"), ("ids", "zzz")])
    assert r.status_code == 200
    assert "ids: got [&#39;nosuch&#39;, &#39;zzz&#39;]" in r.text
    r = idle_client.get("/editor", params={"study": "nosuch"})
    assert r.status_code == 200 and "study: got &#39;nosuch&#39;" in r.text
