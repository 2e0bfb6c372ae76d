"""Error answers: `{"detail": [{"field": ..., "message": ...}]}` with Chinese messages."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from intake.domain.validation import FieldError, InputRejected, from_pydantic
from servicekit.auth.deps import AuthError

_LOCATIONS = ("body", "query", "path", "header", "form")


def error_body(errors: list[FieldError]) -> dict[str, Any]:
    """The documented error shape."""
    return {"detail": [{"field": e.field, "message": e.message} for e in errors]}


def _translate(exc: RequestValidationError) -> list[FieldError]:
    raw = []
    for err in exc.errors():
        loc = list(err.get("loc", ()))
        if loc and loc[0] in _LOCATIONS:
            loc = loc[1:]
        err = {**err, "loc": tuple(loc)}
        key = str(loc[-1]) if loc else ""
        if err.get("type") == "extra_forbidden" and (key.startswith("$") or "." in key):
            err["ctx"] = {"zh": "字段名不能以 $ 开头或包含“.”"}
        if err.get("type") == "json_invalid":
            err["ctx"] = {"zh": "请求内容不是有效的 JSON"}
        raw.append(err)
    return from_pydantic(raw)


def install_error_handlers(app: FastAPI) -> None:
    """Map validation failures and InputRejected to 4xx with field names."""

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        metrics = getattr(request.app.state, "metrics", None)
        if metrics is not None:
            metrics.rejected.inc()
        return JSONResponse(error_body(_translate(exc)), status_code=422)

    @app.exception_handler(AuthError)
    async def on_auth(request: Request, exc: AuthError) -> JSONResponse:
        message = ("需要工作人员凭证（Authorization: Bearer …）" if exc.status_code == 401
                   else "无权访问：超出您的权限或管辖范围")
        body = {"detail": [{"field": exc.field, "message": message, "reason": exc.message}]}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(InputRejected)
    async def on_rejected(request: Request, exc: InputRejected) -> JSONResponse:
        metrics = getattr(request.app.state, "metrics", None)
        if metrics is not None:
            metrics.rejected.inc()
        return JSONResponse(error_body(exc.errors), status_code=exc.status)


def install_rate_limit_handler(app: FastAPI) -> None:
    """429 with Retry-After and a Chinese message."""
    from intake.entrypoints.guards import RateLimited

    @app.exception_handler(RateLimited)
    async def on_limited(request: Request, exc: RateLimited) -> JSONResponse:
        minutes = max(1, (exc.retry_after + 59) // 60)
        body = error_body([FieldError(exc.field, f"提交过于频繁，请{minutes}分钟后再试")])
        return JSONResponse(body, status_code=429, headers={"Retry-After": str(exc.retry_after)})


def install_overload_handler(app: FastAPI) -> None:
    """503 with Retry-After while the outbox holds its limit of unpublished events (the broker is away)."""
    from intake.handlers import OutboxFull

    @app.exception_handler(OutboxFull)
    async def on_full(request: Request, exc: OutboxFull) -> JSONResponse:
        body = error_body([FieldError("request", "系统繁忙，暂时无法受理，请稍后再试（您的诉求尚未提交）")])
        return JSONResponse(body, status_code=503, headers={"Retry-After": str(exc.retry_after)})


def reject(status: int, field: str, message: str) -> InputRejected:
    """A single-field error with a chosen HTTP status."""
    return InputRejected([FieldError(field, message)], status=status)
