"""The FastAPI application: :func:`create_app` wires the API, the pages, the static files, the
security layers and the job runner (started and stopped with the app's lifespan)."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from reeflow.core.errors import InputError, ReeflowError
from reeflow.web.settings import Settings

__all__ = ["create_app", "STATIC_DIR"]

STATIC_DIR = Path(__file__).parent / "static"
log = logging.getLogger("reeflow.web")


def create_app(settings: Settings) -> FastAPI:
    """The app for ``settings``: migrates the database now, starts the workers on start-up."""
    from reeflow import __version__
    from reeflow.web import api, pages
    from reeflow.web.security import BodyLimit, HostCheck, SecurityHeaders, TokenGate
    from reeflow.web.services import Services

    services = Services(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        services.start()
        try:
            yield
        finally:
            services.stop()

    app = FastAPI(title="reeflow", version=__version__, lifespan=lifespan,
                  description="Rare-earth project studies over HTTP: studies run as jobs and "
                              "are kept; results follow the published results.json schema.")
    app.state.services = services

    @app.exception_handler(InputError)
    async def _input_error(_req: Request, exc: InputError) -> JSONResponse:
        return JSONResponse(api.input_error_body(exc), status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_req: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's default echoes each bad input back (up to the body limit): keep loc + msg.
        errors = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))[:300],
                   "type": str(e.get("type", ""))} for e in list(exc.errors())[:20]]
        return JSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(ReeflowError)
    async def _reeflow_error(_req: Request, exc: ReeflowError) -> JSONResponse:
        return JSONResponse({"detail": "reeflow: error: " + " ".join(str(exc).split())},
                            status_code=422)

    @app.exception_handler(Exception)
    async def _unexpected(_req: Request, exc: Exception) -> JSONResponse:
        log.error("internal error: %s: %s", type(exc).__name__, exc,
                  exc_info=os.environ.get("REEFLOW_DEBUG") == "1")
        return JSONResponse({"detail": f"internal error: {type(exc).__name__} (a defect: see "
                                       "the server log, set REEFLOW_DEBUG=1 for the traceback)"},
                            status_code=500)

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # Outermost last: host check, then size limit, then token, then headers.
    app.add_middleware(SecurityHeaders)
    app.add_middleware(TokenGate, token=settings.token, secret=services.secret)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(HostCheck, allowed=settings.allowed_hosts())
    return app
