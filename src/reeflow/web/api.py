"""The JSON API (the contract other tools use): health, studies, their files, the SX designer,
the market view and the two schemas.

Errors: a bad input is 422 with ``{"detail": "<the CLI's one-line message>", "error": {field,
value, allowed, fix}}``; an unknown study 404; a study not finished 409 (with its status);
a file the study did not write 404 saying so.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from reeflow.core.errors import InputError
from reeflow.web.services import Services, get_services, serve_artifact
from reeflow.web.store import iso
from reeflow.web.sxdesign import SxDesignRequest

__all__ = ["router", "StudyRequestBuiltin", "StudyRequestYaml"]

router = APIRouter(prefix="/api")
_ID = re.compile(r"^[0-9a-f]{16}$")
Svc = Annotated[Services, Depends(get_services)]


class StudyRequestBuiltin(BaseModel):
    """Run a built-in case."""

    model_config = ConfigDict(extra="forbid")
    project: str = Field(max_length=120, examples=["builtin:beylikova"])


class StudyRequestYaml(BaseModel):
    """Run project YAML (it may extend only ``builtin:`` cases and name no file)."""

    model_config = ConfigDict(extra="forbid")
    project_yaml: str = Field(description="at most 1 MiB of YAML (the server's limit)",
                              examples=["extends: builtin:beylikova\neconomics:\n  capex_scale: 1.2\n"])


class StudyCreated(BaseModel):
    id: str
    status: str
    cached: bool = Field(description="true: identical inputs were already stored (or queued)")
    key: str = Field(description="SHA-256 of the canonical inputs + reeflow version + seeds")


class StudyStatus(BaseModel):
    id: str
    name: str
    status: Literal["queued", "running", "done", "failed"]
    progress: float = Field(description="estimated completed fraction, 0..1")
    step: str | None
    error: str | None
    created: str | None
    started: str | None
    finished: str | None
    key: str
    attempts: int
    files: list[str]


class StudyListItem(BaseModel):
    id: str
    name: str
    status: str
    progress: float
    created: str | None


class StudyList(BaseModel):
    studies: list[StudyListItem]
    total: int


def _not_found(sid: str) -> JSONResponse:
    return JSONResponse({"detail": f"no study {sid[:40]!r}"}, status_code=404)


def _row(svc: Services, sid: str) -> dict[str, Any] | None:
    return svc.store.get(sid) if _ID.match(sid) else None


@router.get("/health", summary="liveness and database check")
def health(svc: Svc) -> dict[str, Any]:
    from reeflow import __version__

    svc.store.count()
    return {"status": "ok", "version": __version__, "workers": svc.settings.workers}


@router.post("/studies", status_code=201, response_model=StudyCreated,
             summary="start a study (identical inputs return the stored study)",
             responses={200: {"model": StudyCreated, "description": "already stored"}})
def create_study(body: StudyRequestBuiltin | StudyRequestYaml, svc: Svc) -> Any:
    row, created = svc.submit(body.model_dump())
    out = {"id": row["id"], "status": row["status"], "cached": not created,
           "key": row["input_key"]}
    return JSONResponse(out, status_code=201 if created else 200)


@router.get("/studies", response_model=StudyList, summary="studies, newest first")
def list_studies(svc: Svc, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                 offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Any:
    rows = svc.store.list_rows(limit=limit, offset=offset)
    return {"studies": [{"id": r["id"], "name": r["name"], "status": r["status"],
                         "progress": r["progress"], "created": iso(r["created_at"])}
                        for r in rows], "total": svc.store.count()}


@router.get("/studies/{sid}", response_model=StudyStatus, responses={404: {}})
def study_status(sid: str, svc: Svc) -> Any:
    row = _row(svc, sid)
    if row is None:
        return _not_found(sid)
    return {"id": row["id"], "name": row["name"], "status": row["status"],
            "progress": row["progress"], "step": row["step"], "error": row["error"],
            "created": iso(row["created_at"]), "started": iso(row["started_at"]),
            "finished": iso(row["finished_at"]), "key": row["input_key"],
            "attempts": row["attempts"], "files": svc.store.artifact_names(row["input_key"])}


def _file(svc: Services, request: Request, sid: str, name: str, *,
          download: bool = False, csp: str | None = None) -> Response:
    row = _row(svc, sid)
    if row is None:
        return _not_found(sid)
    if row["status"] != "done":
        return JSONResponse({"detail": f"study {sid} is {row['status']}"
                             + (f" ({row['progress']:.0%})" if row["status"] == "running" else "")
                             + (f": {row['error']}" if row["error"] else ""),
                             "status": row["status"]}, status_code=409)
    art = svc.artifact(row["input_key"], name)
    if art is None:
        msg = (f"study {sid} wrote no {name}")
        if name == "results.xlsx":
            msg += (": this reeflow has no workbook writer yet (results.xlsx arrives with the "
                    "investor exports), or the study ran before it did; re-run it once it has")
        return JSONResponse({"detail": msg}, status_code=404)
    return serve_artifact(request, art, filename=f"{row['name'][:60]}-{name}" if download
                          else None, csp=csp)


@router.get("/studies/{sid}/results", summary="results.json (schema: GET /api/schema/results)",
            responses={200: {"content": {"application/json": {}}}, 404: {}, 409: {}})
def study_results(sid: str, request: Request, svc: Svc) -> Response:
    return _file(svc, request, sid, "results.json")


@router.get("/studies/{sid}/report", summary="the report (self-contained HTML)",
            responses={200: {"content": {"text/html": {}}}, 404: {}, 409: {}})
def study_report(sid: str, request: Request, svc: Svc) -> Response:
    from reeflow.web.security import REPORT_CSP

    return _file(svc, request, sid, "report.html", csp=REPORT_CSP)


@router.get("/studies/{sid}/xlsx", summary="the workbook results.xlsx, when the study wrote one",
            responses={200: {"content": {"application/vnd.openxmlformats-officedocument."
                                         "spreadsheetml.sheet": {}}}, 404: {}, 409: {}})
def study_xlsx(sid: str, request: Request, svc: Svc) -> Response:
    return _file(svc, request, sid, "results.xlsx", download=True)


@router.delete("/studies/{sid}", status_code=204, responses={404: {}})
def delete_study(sid: str, svc: Svc) -> Response:
    row = _row(svc, sid)
    if row is None:
        return _not_found(sid)
    svc.delete(row)
    return Response(status_code=204)


@router.post("/studies/{sid}/cancel", summary="cancel a queued or running study",
             responses={404: {}, 409: {}})
def cancel_study(sid: str, svc: Svc) -> Any:
    row = _row(svc, sid)
    if row is None:
        return _not_found(sid)
    was = svc.cancel(sid)
    if was not in ("queued", "running"):
        return JSONResponse({"detail": f"study {sid} is {was}: nothing to cancel"},
                            status_code=409)
    return {"id": sid, "cancelled": True, "was": was}


@router.post("/sx/design", summary="design one SX cut (synchronous)")
def sx_design(body: SxDesignRequest) -> dict[str, Any]:
    from reeflow.web.sxdesign import design

    return design(body)


@router.get("/market/hhi", summary="HHI by stage with the project's REO output")
def market_hhi(home_country: Annotated[str, Query(min_length=2, max_length=80)],
               reo_t_per_a: Annotated[float, Query(ge=0.0, le=1e7, allow_inf_nan=False)] = 0.0,
               separation_at_home: bool = True,
               year: Annotated[int, Query(ge=2015, le=2100)] = 2025) -> dict[str, Any]:
    from reeflow.web.analysis import market_view

    try:
        return market_view(reo_t_per_a, home_country=home_country,
                           separation_at_home=separation_at_home, year=year)
    except InputError as exc:  # name the query parameter the caller sent
        names = {"market.year": "year", "project_reo_t_per_a": "reo_t_per_a"}
        if exc.field not in names:
            raise
        raise exc.at(names[exc.field]) from exc


@router.get("/schema/results", summary="JSON Schema of results.json")
def results_schema() -> dict[str, Any]:
    from reeflow.results import json_schema

    return json.loads(json.dumps(json_schema()))


@router.get("/schema/project", summary="JSON Schema of a project file")
def project_schema() -> dict[str, Any]:
    from reeflow.core.fileschema import file_schema
    from reeflow.web.editor import schema

    return file_schema(schema())


def input_error_body(exc: InputError) -> dict[str, Any]:
    """The 422 body of an InputError (the CLI's one line + its parts)."""
    return {"detail": "reeflow: error: " + " ".join(str(exc).split()),
            "error": {"field": str(exc.field), "value": str(exc.value)[:200],
                      "allowed": str(exc.allowed), "fix": str(exc.fix)}}
