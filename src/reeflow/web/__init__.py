"""reeflow in the browser: a REST API and web app with persistent studies (``reeflow serve``).

Public API (FastAPI and friends are imported only by :mod:`reeflow.web.app`):

- :func:`reeflow.web.app.create_app(settings) -> FastAPI` — the app (API + pages + workers).
- :func:`reeflow.web.settings.make_settings(host=, port=, data=, db=, token=, workers=, task=)`
  -> :class:`~reeflow.web.settings.Settings` (validated; non-loopback hosts need a token).
- :func:`reeflow.web.tasks.run_study_task(spec, progress=None) -> {file name: bytes}` — the job
  (a plain function: the same call can be sent to Dask).
- :func:`reeflow.web.inputs.input_key(canonical_inputs(loaded))` — the key results are kept
  under (canonical inputs + reeflow version + results schema + seeds).
- :func:`reeflow.web.sxdesign.design(SxDesignRequest(...))` — the SX designer's response.
- :mod:`reeflow.web.commands` — ``reeflow serve`` (registered in ``reeflow.cli``).

The API contract (see docs/web.md): ``GET /api/health``; ``POST /api/studies``
``{"project": "builtin:NAME"}`` | ``{"project_yaml": "..."}`` -> ``{"id", "status", "cached",
"key"}``; ``GET /api/studies``; ``GET /api/studies/{id}``; ``GET /api/studies/{id}/results``
(``reeflow.results.StudyResults``); ``.../report``; ``.../xlsx``; ``DELETE /api/studies/{id}``;
``POST /api/sx/design``; ``GET /`` the app; ``/openapi.json`` and ``/docs``.
"""
