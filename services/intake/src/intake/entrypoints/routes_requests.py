"""The resident API: submit a request and follow it with the access token."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse

from contracts.channels import Channel
from intake.domain.actions import ActionRefused
from intake.entrypoints.access import Caller, compound_place, paths_of, staff_caller
from intake.entrypoints.deps import container_of
from intake.entrypoints.errors import reject
from intake.entrypoints.guards import enforce_rate_limits
from intake.entrypoints.schemas import CancelIn, FeedbackIn, SubmitRequestIn, SubmitRequestOut
from intake.entrypoints.views import RequestOut, request_view
from intake.handlers import IdempotencyConflict, Submitted
from intake.resident_actions import cancel_request, submit_feedback
from servicekit.auth.deps import authorize_place
from servicekit.auth.principal import Principal

router = APIRouter(prefix="/v1", tags=["requests"])

ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"description": "bad input: `{\"detail\": [{\"field\": ..., \"message\": ...}]}`"}}


def submitted_answer(request: Request, outcome: Submitted) -> SubmitRequestOut:
    """The 201 body."""
    base = container_of(request).settings.base_url()
    req = outcome.request
    return SubmitRequestOut(id=req.id, tracking_code=req.tracking_code, access_token=outcome.access_token,
                            status=req.status, status_label="已受理",
                            status_url=f"{base}/h5/status.html?id={req.id}&token={outcome.access_token}")


PUBLIC_CHANNELS = (Channel.API, Channel.QR_H5)


def _public_only(body: SubmitRequestIn) -> None:
    """Residents use the form or the API; other channels and external order numbers are for staff."""
    if body.channel not in PUBLIC_CHANNELS:
        raise reject(403, "channel", "该渠道仅限工作人员代录，请使用工作人员凭证")
    if body.external_ref or body.external_deadline:
        raise reject(403, "external_ref", "外部工单号仅限工作人员录入")


@router.post("/requests", status_code=201, response_model=SubmitRequestOut,
             responses={**ERRORS, 409: {"description": "Idempotency-Key reused with another body"},
                        429: {"description": "rate limited (Retry-After)"}},
             summary="Submit a resident's request")
async def submit_request(
    body: SubmitRequestIn, request: Request, caller: Caller,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    """Store the request with its `request.submitted.v1` event; answer id, tracking code, access token.

    Staff (`Authorization: Bearer <token>`) may submit on a resident's behalf on any channel (hotline, grid
    patrol, volunteer, WeChat group, staff proxy) for compounds in their subtree, and are not rate limited.
    """
    c = container_of(request)
    principal = staff_caller(caller)
    if principal is not None:
        _staff_scope(request, principal, body)
    staff = (principal.name or principal.subject) if principal else None
    if staff is None:
        _public_only(body)
        enforce_rate_limits(request, body.contact.phone if body.contact else None)
    try:
        outcome = await c.intake.submit(body, now=datetime.now(UTC), idempotency_key=idempotency_key,
                                        body_hash=body.model_dump_json() if idempotency_key else None,
                                        submitted_by=staff)
    except IdempotencyConflict as exc:
        raise reject(409, "Idempotency-Key", "该幂等键已用于另一份不同的诉求") from exc
    if not outcome.replayed:
        c.runtime.relay and c.runtime.relay.wake()
        request.app.state.metrics.submitted.labels(outcome.request.channel).inc()
    answer = submitted_answer(request, outcome)
    return JSONResponse(answer.model_dump(), status_code=201)


def _staff_scope(request: Request, principal: Principal, body: SubmitRequestIn) -> None:
    """Staff file only for compounds in their subtree (an unknown compound is left to validation)."""
    compound = container_of(request).intake.directory.get(body.compound_id or "")
    if compound is not None:
        building = body.location.building if body.location else None
        authorize_place(request, principal, compound_place(paths_of(request), compound, building),
                        what=f"compound {compound.id}")


@router.get("/requests/{request_id}", response_model=RequestOut,
            responses={403: {"description": "missing or wrong access token"}, 404: {"description": "unknown id"}},
            summary="A request's status and timeline (needs the access token)")
async def get_request(
    request_id: str, request: Request,
    x_access_token: Annotated[str | None, Header()] = None,
    token: Annotated[str | None, Query(description="access token (alternative to X-Access-Token)")] = None,
) -> RequestOut:
    """Status, timeline, unit and deadline; contact masked."""
    c = container_of(request)
    req = await c.repo.get(request_id)
    if req is None:
        raise reject(404, "id", "未找到该诉求")
    if not c.intake.token_matches(req, x_access_token or token):
        raise reject(403, "token", "访问凭证无效，无法查看该诉求")
    return request_view(req, c.intake.directory, c.settings.base_url())


async def _authorised(request: Request, request_id: str, token: str | None) -> None:
    c = container_of(request)
    req = await c.repo.get(request_id)
    if req is None:
        raise reject(404, "id", "未找到该诉求")
    if not c.intake.token_matches(req, token):
        raise reject(403, "token", "访问凭证无效，无法操作该诉求")


@router.post("/requests/{request_id}/feedback", response_model=RequestOut,
             responses={**ERRORS, 403: {"description": "wrong token"}, 409: {"description": "not resolved / rated"}},
             summary="Rate a resolved request (回访评价)")
async def post_feedback(
    request_id: str, body: FeedbackIn, request: Request,
    x_access_token: Annotated[str | None, Header()] = None,
    token: Annotated[str | None, Query()] = None,
) -> RequestOut:
    """Satisfied or not, with a comment; not satisfied publishes the event that reopens the case."""
    await _authorised(request, request_id, x_access_token or token)
    c = container_of(request)
    try:
        req = await submit_feedback(c.repo, request_id, satisfied=body.satisfied, rating=body.rating,
                                    comment=body.comment, now=datetime.now(UTC))
    except ActionRefused as exc:
        raise reject(409, "status", str(exc)) from exc
    c.runtime.relay and c.runtime.relay.wake()
    return request_view(req, c.intake.directory, c.settings.base_url())


@router.post("/requests/{request_id}/cancel", response_model=RequestOut,
             responses={**ERRORS, 403: {"description": "wrong token"}, 409: {"description": "already resolved"}},
             summary="Withdraw a request that is not resolved yet")
async def post_cancel(
    request_id: str, request: Request, body: CancelIn | None = None,
    x_access_token: Annotated[str | None, Header()] = None,
    token: Annotated[str | None, Query()] = None,
) -> RequestOut:
    """Cancel; publishes request.cancelled.v1."""
    await _authorised(request, request_id, x_access_token or token)
    c = container_of(request)
    try:
        req = await cancel_request(c.repo, request_id, reason=body.reason if body else None, now=datetime.now(UTC))
    except ActionRefused as exc:
        raise reject(409, "status", str(exc)) from exc
    c.runtime.relay and c.runtime.relay.wake()
    return request_view(req, c.intake.directory, c.settings.base_url())
