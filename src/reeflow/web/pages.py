"""The browser app: Jinja2 pages with htmx partials (``/ui/*``) over the same services as the API.

Every form and htmx call that changes state is a POST carrying the CSRF token; every template
is autoescaped (no user string is rendered unescaped; chart data travel as JSON in
``<script type="application/json">``, escaped by ``tojson``).
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from reeflow.core.errors import InputError, ReeflowError
from reeflow.web.security import AUTH_COOKIE, CSRF_COOKIE, auth_cookie_value, csrf_ok
from reeflow.web.services import Services, get_services
from reeflow.web.store import iso

__all__ = ["router", "templates"]

TEMPLATES_DIR = Path(__file__).parent / "templates"
router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.filters["iso"] = iso
Svc = Annotated[Services, Depends(get_services)]


def _fmt(v: Any, digits: int = 3) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        if v != v:
            return "—"
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:.{digits}g}"
    return str(v)


templates.env.filters["num"] = _fmt


def _csrf(request: Request) -> str:
    token = request.cookies.get(CSRF_COOKIE)
    if not token or len(token) < 20:
        token = request.state.__dict__.setdefault("new_csrf", secrets.token_urlsafe(24))
    return token


def render(request: Request, name: str, ctx: Mapping[str, Any], *, status: int = 200,
           headers: Mapping[str, str] | None = None) -> HTMLResponse:
    """A template with the CSRF token (set as a cookie the first time)."""
    token = _csrf(request)
    resp = templates.TemplateResponse(request, name, {**ctx, "csrf": token},
                                      status_code=status, headers=dict(headers or {}))
    if request.cookies.get(CSRF_COOKIE) != token:
        resp.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
    return resp


async def check_csrf(request: Request) -> None:
    """Forms and htmx calls must echo the CSRF cookie (header X-CSRF-Token or csrf_token)."""
    supplied = request.headers.get("x-csrf-token")
    if supplied is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        supplied = value if isinstance(value, str) else None
    if not csrf_ok(request.cookies.get(CSRF_COOKIE), supplied):
        raise HTTPException(403, "CSRF token missing or wrong: reload the page and try again")


Csrf = Depends(check_csrf)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


def _error_text(exc: ReeflowError) -> str:
    return "reeflow: error: " + " ".join(str(exc).split())


# -- studies --------------------------------------------------------------------------------
def _studies_ctx(svc: Services, message: str | None = None) -> dict[str, Any]:
    from reeflow.project import builtin_cases

    rows = svc.store.list_rows(limit=200)
    for r in rows:
        r["summary"] = json.loads(r["summary_json"]) if r.get("summary_json") else None
    return {"studies": rows, "cases": builtin_cases(), "message": message,
            "total": svc.store.count()}


@router.get("/", response_class=HTMLResponse)
def home(request: Request, svc: Svc) -> HTMLResponse:
    return render(request, "studies.html", {**_studies_ctx(svc), "page": "studies"})


@router.get("/ui/studies/table", response_class=HTMLResponse)
def studies_table(request: Request, svc: Svc) -> HTMLResponse:
    return render(request, "_studies_table.html", _studies_ctx(svc))


@router.get("/ui/studies/{sid}/cell", response_class=HTMLResponse)
def study_cell(request: Request, sid: str, svc: Svc,
               view: Annotated[str, Query(max_length=10)] = "row") -> Response:
    row = svc.store.get(sid[:40])
    if row is None:
        return HTMLResponse("<td>deleted</td>", status_code=200)
    headers = {"HX-Refresh": "true"} if view == "page" and row["status"] in ("done", "failed") \
        else None
    return render(request, "_status_cell.html", {"s": row, "view": view}, headers=headers)


@router.get("/ui/studies/{sid}/row", response_class=HTMLResponse)
def study_row(request: Request, sid: str, svc: Svc) -> HTMLResponse:
    """One row of the studies table (polled while the study is queued or running)."""
    row = svc.store.get(sid[:40])
    if row is None:
        return HTMLResponse("", status_code=200)
    row["summary"] = json.loads(row["summary_json"]) if row.get("summary_json") else None
    return render(request, "_study_row.html", {"s": row})


@router.post("/ui/studies", response_class=HTMLResponse, dependencies=[Csrf])
async def start_builtin(request: Request, svc: Svc) -> HTMLResponse:
    form = await _form(request)
    try:
        # the submission's checks solve a flowsheet (about a second): off the event loop
        row, created = await run_in_threadpool(
            svc.submit, {"project": f"builtin:{form.get('case', '')}"})
        msg = (f"Study {row['id']} queued." if created else
               f"Identical inputs: study {row['id']} ({row['status']}) is the stored one.")
    except ReeflowError as exc:
        msg = _error_text(exc)
    return render(request, "_studies_table.html", _studies_ctx(svc, msg))


@router.post("/ui/studies/{sid}/cancel", response_class=HTMLResponse, dependencies=[Csrf])
def cancel(request: Request, sid: str, svc: Svc,
           view: Annotated[str, Query(max_length=10)] = "row") -> Response:
    svc.cancel(sid[:40])
    if view == "page":
        return Response(status_code=204, headers={"HX-Refresh": "true"})
    return render(request, "_studies_table.html", _studies_ctx(svc, f"Cancel sent to {sid[:40]}."))


@router.post("/ui/studies/{sid}/delete", response_class=HTMLResponse, dependencies=[Csrf])
def delete(request: Request, sid: str, svc: Svc) -> HTMLResponse:
    row = svc.store.get(sid[:40])
    if row is not None:
        svc.delete(row)
    return render(request, "_studies_table.html", _studies_ctx(svc, f"Study {sid[:40]} deleted."))


@router.get("/studies/{sid}", response_class=HTMLResponse)
def report_viewer(request: Request, sid: str, svc: Svc) -> HTMLResponse:
    row = svc.store.get(sid[:40])
    if row is None:
        return render(request, "message.html", {"title": "No such study", "page": "studies",
                                                "text": f"There is no study {sid[:40]}."},
                      status=404)
    files = svc.store.artifact_names(row["input_key"]) if row["status"] == "done" else []
    summary = json.loads(row["summary_json"]) if row.get("summary_json") else None
    return render(request, "study.html", {"s": row, "files": files, "summary": summary,
                                          "page": "studies"})


# -- comparison -----------------------------------------------------------------------------
@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, svc: Svc,
                 ids: Annotated[list[str] | None, Query(max_length=4)] = None) -> HTMLResponse:
    from reeflow.web.analysis import compare

    done = svc.store.list_rows(limit=200, status="done")
    ctx: dict[str, Any] = {"page": "compare", "done": done, "ids": ids or [], "result": None,
                           "error": None}
    asked = list(dict.fromkeys(ids or []))
    chosen = [svc.store.get(i[:40]) for i in asked]
    rows = [r for r in chosen if r is not None and r["status"] == "done"]
    unknown = [i for i, r in zip(asked, chosen, strict=True) if r is None or r["status"] != "done"]
    if unknown:  # said "ids: got 0" of two ids it did not find
        ctx["error"] = _error_text(InputError(
            "ids", unknown, "ids of finished studies on this server",
            "pick studies from the list (a study still running cannot be compared yet)"))
    elif ids:
        try:
            results = [json.loads(svc.artifact(r["input_key"], "results.json").raw())  # type: ignore[union-attr]
                       for r in rows]
            ctx["result"] = compare(rows, results)
            ctx["studies"] = rows
        except InputError as exc:
            ctx["error"] = _error_text(exc)
    return render(request, "compare.html", ctx)


# -- scenario editor ------------------------------------------------------------------------
def _editor_ctx(state: Any, errors: Mapping[str, str] | None = None,
                message: str | None = None, ok: bool | None = None) -> dict[str, Any]:
    from reeflow.project import builtin_cases
    from reeflow.web.editor import EVIDENCE, build_form, document

    form = build_form(state, errors)
    return {"page": "editor", "form": form, "state": state, "cases": builtin_cases(),
            "yaml": document(state), "message": message, "ok": ok, "evidence": EVIDENCE,
            "overrides_yaml": _dump(state.overrides)}


def _dump(tree: Any) -> str:
    import yaml

    return yaml.safe_dump(tree, sort_keys=False, allow_unicode=True) if tree else ""


def _validated_ctx(state: Any, parse_errors: Mapping[str, str]) -> dict[str, Any]:
    from reeflow.web.editor import validate

    ok, msg, errors = validate(state)
    errors = {**errors, **parse_errors}
    if parse_errors:
        ok, msg = False, next(iter(parse_errors.values()))
    return _editor_ctx(state, errors, msg if not ok else "Valid: the CLI would accept this "
                       "project.", ok)


@router.get("/editor", response_class=HTMLResponse)
def editor(request: Request, svc: Svc, base: Annotated[str, Query(max_length=100)] = "beylikova",
           study: Annotated[str, Query(max_length=40)] = "") -> HTMLResponse:
    """A fresh scenario on ``base``, or the inputs of ``study`` to edit a copy of."""
    from reeflow.project import builtin_cases
    from reeflow.web.editor import EditorState, state_from_yaml

    cases = builtin_cases()
    state = EditorState(base if base in cases else (cases[0] if cases else None), {})
    row = svc.store.get(study) if study else None
    if study and row is None:  # showed the base case without a word
        return render(request, "editor.html", {**_validated_ctx(state, {}), "ok": False,
                                               "message": _error_text(InputError(
                                                   "study", study, "the id of a study on this "
                                                   "server", "open the study from the studies "
                                                   "page; the form shows the base case"))})
    if row is not None and row["project_ref"]:
        state = EditorState(str(row["project_ref"]).removeprefix("builtin:"), {})
    elif row is not None and row["project_yaml"]:
        try:
            state = state_from_yaml(row["project_yaml"])
        except ReeflowError as exc:
            return render(request, "editor.html", {**_blank_editor(), "ok": False,
                                                   "message": _error_text(exc)})
    return render(request, "editor.html", _validated_ctx(state, {}))


@router.post("/ui/editor/validate", response_class=HTMLResponse, dependencies=[Csrf])
async def editor_validate(request: Request) -> HTMLResponse:
    from reeflow.web.editor import state_from_form

    try:
        state, parse_errors = state_from_form(await _form(request))
    except ReeflowError as exc:
        return render(request, "_editor_form.html", {**_blank_editor(), "message":
                                                     _error_text(exc), "ok": False})
    return render(request, "_editor_form.html", _validated_ctx(state, parse_errors))


def _blank_editor() -> dict[str, Any]:
    from reeflow.project import builtin_cases
    from reeflow.web.editor import EditorState

    cases = builtin_cases()
    return _editor_ctx(EditorState(cases[0] if cases else None, {}))


@router.post("/ui/editor/import", response_class=HTMLResponse, dependencies=[Csrf])
async def editor_import(request: Request, svc: Svc) -> HTMLResponse:
    from reeflow.web.editor import state_from_yaml

    form = await request.form()
    upload = form.get("file")
    text = form.get("yaml_text") or ""
    if upload is not None and not isinstance(upload, str) and upload.filename:
        raw = await upload.read(svc.settings.max_yaml_bytes + 1)
        if len(raw) > svc.settings.max_yaml_bytes:
            ctx = {**_blank_editor(), "message": f"reeflow: error: file: got {upload.filename!r}"
                   f"; allowed: at most {svc.settings.max_yaml_bytes // 1024} KiB", "ok": False}
            return render(request, "editor.html", ctx, status=413)
        text = raw.decode("utf-8", errors="replace")
    try:
        state = state_from_yaml(str(text))
    except ReeflowError as exc:
        return render(request, "editor.html", {**_blank_editor(), "message": _error_text(exc),
                                               "ok": False}, status=422)
    return render(request, "editor.html", _validated_ctx(state, {}))


@router.post("/ui/editor/export", dependencies=[Csrf])
async def editor_export(request: Request) -> Response:
    from reeflow.web.editor import document, state_from_form

    state, _ = state_from_form(await _form(request))
    name = "reeflow-project.yaml"
    return Response(document(state), media_type="application/x-yaml; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/ui/editor/run", response_class=HTMLResponse, dependencies=[Csrf])
async def editor_run(request: Request, svc: Svc) -> Response:
    from reeflow.web.editor import document, state_from_form

    state, parse_errors = state_from_form(await _form(request))
    if parse_errors:
        return render(request, "_editor_form.html", _validated_ctx(state, parse_errors))
    try:
        row, _ = await run_in_threadpool(svc.submit, {"project_yaml": document(state)})
    except ReeflowError:
        return render(request, "_editor_form.html", _validated_ctx(state, {}))
    return Response(status_code=204, headers={"HX-Redirect": f"/studies/{row['id']}"})


# -- SX designer ----------------------------------------------------------------------------
def _sx_request(form: Mapping[str, str]) -> Any:
    from reeflow.plant.sx import extractant
    from reeflow.web.sxdesign import SxDesignRequest

    name = form.get("extractant", "P507")
    order = list(extractant(name)["order"]["value"]) if name else []
    feed = {}
    for el in order:
        t = (form.get(f"feed_{el}") or "").strip()
        if t:
            feed[el] = _number(t, f"feed_kg_per_h.{el}")
    cut = form.get("cut_at", "")
    present = [e for e in order if e in feed]
    if cut not in present:
        raise InputError("cut", cut, f"an element of the feed ({', '.join(present)})",
                         "choose where the heavy group starts")
    heavy = present[present.index(cut):]
    body: dict[str, Any] = {
        "extractant": name, "feed_kg_per_h": feed, "heavy": heavy,
        "purity_organic": _number(form.get("purity_organic", "99"), "purity_organic") / 100,
        "purity_aqueous": _number(form.get("purity_aqueous", "99"), "purity_aqueous") / 100,
        "beta_policy": form.get("beta_policy", "low"),
        "reflux_factor": _number(form.get("reflux_factor", "1"), "reflux_factor"),
        "optimise_reflux": form.get("optimise_reflux") == "on",
        "stage_efficiency": _number(form.get("stage_efficiency", "1"), "stage_efficiency")}
    for key in ("o_to_a", "loaded_organic_mol_per_L"):
        if (form.get(key) or "").strip():
            body[key] = _number(form[key], key)
    if (form.get("beta_key") or "").strip() and heavy and len(present) > len(heavy):
        light = present[: present.index(cut)]
        body["separation_factors"] = {f"{heavy[0]}/{light[-1]}": _number(form["beta_key"],
                                                                         "beta_key")}
    return SxDesignRequest.model_validate(body)


def _number(text: str, field: str) -> float:
    try:
        x = float(str(text).replace(",", "").replace("%", "").strip())
    except ValueError:
        raise InputError(field, text, "a number",
                         "type a plain number, e.g. 1200 or 12.5") from None
    if x != x or x in (float("inf"), float("-inf")):
        raise InputError(field, text, "a finite number", "type a finite number")
    return x


def _pydantic_message(exc: Exception) -> str:
    errs: list[dict[str, Any]] = list(getattr(exc, "errors", lambda: [])())
    if errs:
        e = errs[0]
        loc = ".".join(str(x) for x in e.get("loc", ()))
        return f"reeflow: error: {loc}: got {e.get('input')!r}; allowed: {e.get('msg')}"
    return f"reeflow: error: {exc}"


@router.get("/sx", response_class=HTMLResponse)
def sx_page(request: Request) -> HTMLResponse:
    from reeflow.plant.sx import EXTRACTANTS, extractant

    orders = {name: list(extractant(name)["order"]["value"]) for name in EXTRACTANTS}
    return render(request, "sx.html", {"page": "sx", "extractants": list(EXTRACTANTS),
                                       "orders": orders})


@router.post("/ui/sx/design", response_class=HTMLResponse, dependencies=[Csrf])
async def sx_design_ui(request: Request) -> HTMLResponse:
    from pydantic import ValidationError

    from reeflow.web.sxdesign import design

    try:
        out = design(_sx_request(await _form(request)))
    except ReeflowError as exc:
        return render(request, "_sx_result.html", {"error": _error_text(exc)})
    except ValidationError as exc:
        return render(request, "_sx_result.html", {"error": _pydantic_message(exc)})
    return render(request, "_sx_result.html", {"d": out, "error": None})


# -- market ---------------------------------------------------------------------------------
@router.get("/market", response_class=HTMLResponse)
def market_page(request: Request, svc: Svc) -> HTMLResponse:

    done = [r for r in svc.store.list_rows(limit=200, status="done") if r.get("summary_json")]
    options = []
    for r in done:
        s = json.loads(r["summary_json"])
        if s.get("reo_t_per_a") is not None:
            options.append({"id": r["id"], "name": r["name"], "reo": s["reo_t_per_a"]})
    from reeflow.market.data import known_countries

    start = options[0]["reo"] if options else 5000.0
    return render(request, "market.html", {"page": "market", "options": options, "m": None,
                                           "reo": start, "countries": known_countries()})


@router.get("/ui/market", response_class=HTMLResponse)
def market_partial(request: Request,
                   reo: Annotated[float, Query(ge=0, le=1e6, allow_inf_nan=False)] = 5000.0,
                   home: Annotated[str, Query(max_length=5)] = "",
                   country: Annotated[str, Query(max_length=80)] = "",
                   year: Annotated[int, Query(ge=2015, le=2100)] = 2025) -> HTMLResponse:
    from reeflow.web.analysis import market_view

    if not country:
        return render(request, "_market.html", {"m": None, "error": None})
    try:
        view = market_view(reo, home_country=country, separation_at_home=home == "on",
                           year=year)
    except ReeflowError as exc:
        return render(request, "_market.html", {"error": _error_text(exc), "m": None})
    return render(request, "_market.html", {"m": view, "error": None})


# -- login (only when a token is set) -------------------------------------------------------
@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, svc: Svc) -> HTMLResponse:
    return render(request, "login.html", {"page": "login", "needed": bool(svc.settings.token),
                                          "error": None})


@router.post("/login", response_class=HTMLResponse, dependencies=[Csrf])
async def login(request: Request, svc: Svc) -> Response:
    form = await _form(request)
    token = svc.settings.token
    given = form.get("token", "")
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        return render(request, "login.html", {"page": "login", "needed": bool(token),
                                              "error": "Wrong token."}, status=401)
    resp = RedirectResponse("/", status_code=303)
    resp.set_cookie(AUTH_COOKIE, auth_cookie_value(svc.secret, token), httponly=True,
                    samesite="strict", path="/")
    return resp
