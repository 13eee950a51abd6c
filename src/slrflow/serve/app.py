"""The screening page's routes (Starlette): the page, its script and style, and a small JSON API.

``GET /``                    the page (``static/page.html``; the review's title escaped)
``GET /static/<name>``       the page's script and style (these two files only)
``GET /api/state``           progress and the reference to judge now (``?tab=&sample=1``)
``GET /api/progress``        progress only (the page asks every few seconds)
``POST /api/decide``         a decision: ``{reference_id, decision, criteria, note, tab}``
``POST /api/undo``           take back the last decision made on the page
``GET /api/fulltext/<name>`` a full text's words (``.txt`` from ``fulltext/``)
``GET /fulltext/<name>``     a full-text file itself (``.txt`` or ``.pdf`` in ``fulltext/``)
``GET /api/conflicts``       resolver mode: the open conflicts with every answer
``POST /api/settle``         resolver mode: ``{reference_id, decision, criteria, note}``

Every answer is data (JSON or a file); the page builds its text nodes from it, so no text from
an export is ever read as HTML. Files are served from ``fulltext/`` only, by a name listed
there; any other path is refused.
"""

from __future__ import annotations

import html
import json
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from slrflow.screening import DECISIONS
from slrflow.serve.answer import DecisionRefused
from slrflow.serve.conflicts import SETTLEMENTS, Conflicts
from slrflow.serve.guard import PAGE_HEADER, Access, Guard
from slrflow.serve.worklist import MAX_SHOWN_TEXT, Worklist

#: The files under ``static/`` the page loads, with their media types.
STATIC = {"page.js": "text/javascript", "page.css": "text/css"}
#: A request body larger than this is refused.
MAX_BODY = 64 * 1024


def _static(name: str) -> str:
    return resources.files("slrflow.serve").joinpath("static", name).read_text("utf-8")


def _criteria(worklist: Worklist) -> list[dict[str, str]]:
    return [
        {"id": c.id, "label": c.label, "text": c.text, "kind": c.kind}
        for c in worklist.review.criteria.for_stage(worklist.stage)
    ]


def fulltext_path(worklist: Worklist, name: str) -> Path | None:
    """The file ``name`` in the review's ``fulltext/`` folder, or None for anything else."""
    folder = worklist.review.fulltext_dir.resolve()
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = (folder / name).resolve()
    if path.parent != folder or path.suffix.lower() not in (".txt", ".pdf") or not path.is_file():
        return None
    return path


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise DecisionRefused("request too large")
    try:
        data = json.loads(raw or b"{}")
    except json.JSONDecodeError as exc:
        raise DecisionRefused(f"not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise DecisionRefused("expected a JSON object")
    return data


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name, "")
    if not isinstance(value, str):
        raise DecisionRefused(f"{name} must be text")
    return value


def _ids(data: dict[str, Any]) -> list[str]:
    value = data.get("criteria") or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DecisionRefused("criteria must be a list of criterion ids")
    return value


def build_app(worklist: Worklist, *, access: Access, conflicts: Conflicts | None = None) -> Guard:
    """The page for ``worklist`` (or, with ``conflicts``, resolver mode), behind the guard."""
    review = worklist.review
    mode = "resolve" if conflicts is not None else "screen"

    def state(tab: str, sample: bool, *, show: str | None = None) -> dict[str, Any]:
        ref = show or worklist.next(tab, sample_first=sample)
        return {
            "progress": worklist.progress(),
            "reference": worklist.show(ref) if ref else None,
        }

    async def page(request: Request) -> Response:
        text = _static("page.html")
        for key, value in {
            "TITLE": review.title,
            "REVIEWER": worklist.reviewer,
            "STAGE": worklist.stage,
            "MODE": mode,
            "PAGE_TOKEN": access.page_token,
        }.items():
            text = text.replace("{{" + key + "}}", html.escape(value, quote=True))
        return Response(text, media_type="text/html; charset=utf-8")

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return PlainTextResponse("not found", status_code=404)
        return Response(_static(name), media_type=STATIC[name] + "; charset=utf-8")

    async def api_state(request: Request) -> Response:
        tab = request.query_params.get("tab", "")
        sample = request.query_params.get("sample") == "1"
        body = await run_in_threadpool(state, tab, sample)
        body |= {
            "criteria": _criteria(worklist),
            "decisions": list(DECISIONS[worklist.stage]) if mode == "screen" else SETTLEMENTS,
            "mode": mode,
        }
        return JSONResponse(body)

    async def api_progress(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(worklist.progress))

    async def api_decide(request: Request) -> Response:
        try:
            data = await _body(request)
            await run_in_threadpool(
                worklist.decide, _text(data, "reference_id"), _text(data, "decision"),
                _ids(data), _text(data, "note"), tab=_text(data, "tab"),
            )  # fmt: skip
        except DecisionRefused as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)
        tab, sample = _text(data, "tab"), bool(data.get("sample"))
        return JSONResponse(await run_in_threadpool(state, tab, sample))

    async def api_undo(request: Request) -> Response:
        try:
            data = await _body(request)
            if conflicts is not None:
                ref = await run_in_threadpool(conflicts.undo)
                opened = await run_in_threadpool(_open_conflicts)
                return JSONResponse({"undone": ref, "conflicts": opened})
            ref = await run_in_threadpool(worklist.undo)
        except DecisionRefused as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)
        body = await run_in_threadpool(state, _text(data, "tab"), False)
        return JSONResponse(body | {"undone": ref})

    async def api_fulltext(request: Request) -> Response:
        path = fulltext_path(worklist, request.path_params["name"])
        if path is None or path.suffix.lower() != ".txt":
            return JSONResponse({"error": "no such full text"}, status_code=404)
        if path.stat().st_size > MAX_SHOWN_TEXT:
            return JSONResponse({"text": "", "too_large": True})
        text = path.read_text("utf-8-sig", errors="replace")
        return JSONResponse({"text": text, "too_large": False})

    async def fulltext_file(request: Request) -> Response:
        path = fulltext_path(worklist, request.path_params["name"])
        if path is None:
            return PlainTextResponse("not found", status_code=404)
        media = "application/pdf" if path.suffix.lower() == ".pdf" else "text/plain; charset=utf-8"
        return FileResponse(path, media_type=media, content_disposition_type="inline")

    def _open_conflicts() -> list[dict[str, Any]]:
        out = []
        for item in conflicts.open():
            out.append(item | {"reference": worklist.show(item["reference_id"])})
        return out

    async def api_conflicts(request: Request) -> Response:
        if conflicts is None:
            return JSONResponse({"error": "not in resolver mode"}, status_code=404)
        opened = await run_in_threadpool(_open_conflicts)
        return JSONResponse(
            {"conflicts": opened, "criteria": _criteria(worklist), "mode": mode,
             "decisions": list(SETTLEMENTS), "can_undo": conflicts.file.can_take_back}
        )  # fmt: skip

    async def api_settle(request: Request) -> Response:
        if conflicts is None:
            return JSONResponse({"error": "not in resolver mode"}, status_code=404)
        try:
            data = await _body(request)
            await run_in_threadpool(
                conflicts.settle, _text(data, "reference_id"), _text(data, "decision"),
                _ids(data), _text(data, "note"),
            )  # fmt: skip
        except DecisionRefused as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)
        return JSONResponse({"conflicts": await run_in_threadpool(_open_conflicts)})

    routes = [
        Route("/", page),
        Route("/static/{name}", static),
        Route("/api/state", api_state),
        Route("/api/progress", api_progress),
        Route("/api/decide", api_decide, methods=["POST"]),
        Route("/api/undo", api_undo, methods=["POST"]),
        Route("/api/fulltext/{name}", api_fulltext),
        Route("/fulltext/{name}", fulltext_file),
        Route("/api/conflicts", api_conflicts),
        Route("/api/settle", api_settle, methods=["POST"]),
    ]
    return Guard(Starlette(routes=routes), access=access)


__all__ = ["build_app", "PAGE_HEADER"]
