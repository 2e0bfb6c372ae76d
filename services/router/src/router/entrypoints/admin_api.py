"""Admin API: the organisation directory and routing rules in force; reload from files; replace by upload."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request

from router.adapters.admin_store import replace_file
from router.adapters.org_file import parse_org
from router.adapters.rules_file import parse_rules
from router.adapters.yaml_files import FileInvalid
from router.bootstrap import load_directory
from router.entrypoints.access import ADMIN, OPERATOR
from router.entrypoints.schemas import unprocessable
from router.entrypoints.security import users_of
from router.handlers.context import Directory

router = APIRouter(prefix="/v1/admin", tags=["admin"], responses={
    401: {"description": "no or bad credentials"}, 403: {"description": "operators read, platform admins write"}})


def _router(request: Request) -> Any:
    return request.app.state.router


def users_for(request: Request, fresh: Directory) -> dict[str, Any]:
    """The users that go with a new organisation (raises FileInvalid when a user's scope is gone)."""
    return users_of(_router(request).settings, fresh) if request.app.state.security.issuer is not None else {}


def swap_directory(request: Request, fresh: Directory, users: dict[str, Any]) -> None:
    """Put a new organisation and rules in force, with the org paths and users that go with them."""
    security = request.app.state.security
    _router(request).ctx.directory = fresh
    security.auth.org = fresh.paths
    security.users = users


def summary(directory: Directory) -> dict[str, Any]:
    """What is loaded: versions, counts and the departments with what they handle."""
    org = directory.org
    return {
        "org_version": org.version, "rules_version": directory.rules.version, "district": org.district_name,
        "streets": len(org.streets), "communities": len(org.communities), "compounds": len(org.compounds),
        "departments": [{"code": d.code, "name": d.name, "handles": list(d.handles), "domains": list(d.domains)}
                        for d in org.departments.values()],
        "overrides": [{"match": o.match, "set": o.changes} for o in directory.rules.overrides],
    }


@router.get("/directory", summary="The organisation and rules in force", dependencies=[Depends(OPERATOR)])
async def directory(request: Request) -> dict[str, Any]:
    """Versions and counts of what the router routes with."""
    return summary(_router(request).ctx.directory)


@router.get("/units", summary="Every assignable unit by id", dependencies=[Depends(OPERATOR)])
async def units(request: Request) -> list[dict[str, Any]]:
    """Units of the organisation (departments as dept:<code>)."""
    return [{"unit_id": u.unit_id, "kind": u.kind, "name": u.name}
            for u in _router(request).ctx.directory.org.all_units().values()]


@router.post("/reload", summary="Reload organisation and rules from their files (no restart)",
             dependencies=[Depends(ADMIN)])
async def reload(request: Request) -> dict[str, Any]:
    """Validate both files and swap them in together; on any error keep the old ones and answer 422."""
    running = _router(request)
    try:
        fresh = load_directory(running.settings)
        swap_directory(request, fresh, users_for(request, fresh))
    except FileInvalid as exc:
        raise unprocessable("file", *exc.errors) from None
    return summary(fresh)


def _upload(request: Request, text: str, kind: str) -> dict[str, Any]:
    running = _router(request)
    settings, current = running.settings, running.ctx.directory
    path = settings.resolved_org_file() if kind == "org" else settings.rules_file
    if path is None:
        raise HTTPException(409, "the packaged default rules are read-only: set ROUTER_RULES_FILE to manage rules")
    try:
        if kind == "org":
            org = parse_org(text, name=f"upload:{path.name}")
            fresh = Directory(org, parse_rules(path_text(settings.rules_file), name="rules",
                                               dept_codes=set(org.departments)) if settings.rules_file
                              else current.rules)
        else:
            fresh = Directory(current.org, parse_rules(text, name=f"upload:{path.name}",
                                                       dept_codes=set(current.org.departments)))
        users = users_for(request, fresh)
    except FileInvalid as exc:
        raise unprocessable("body", *exc.errors) from None
    backup = replace_file(path, text)
    swap_directory(request, fresh, users)
    return {**summary(fresh), "written": str(path), "previous_version_kept_as": str(backup)}


def path_text(path: Any) -> str:
    """The text of a file."""
    return str(path.read_text(encoding="utf-8"))


@router.put("/organisation", summary="Replace the organisation file (YAML or JSON text), validated first",
            dependencies=[Depends(ADMIN)])
async def put_organisation(request: Request, text: str = Body(..., media_type="text/plain")) -> dict[str, Any]:
    """422 with file/line/field errors leaves everything as it was."""
    return _upload(request, text, "org")


@router.put("/rules", summary="Replace the routing rules file (YAML or JSON text), validated first",
            dependencies=[Depends(ADMIN)])
async def put_rules(request: Request, text: str = Body(..., media_type="text/plain")) -> dict[str, Any]:
    """422 with file/line/field errors leaves everything as it was."""
    return _upload(request, text, "rules")
