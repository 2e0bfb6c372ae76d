"""Input rules residents see: forbidden keys, field labels and Chinese error messages (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

MAX_TEXT = 4000

FIELD_LABELS: dict[str, str] = {
    "compound_id": "小区", "compound_token": "小区二维码", "text": "诉求内容", "title": "标题",
    "location": "位置", "building": "楼栋", "unit": "单元", "room": "房号", "address": "地址",
    "lat": "纬度", "lon": "经度", "contact": "联系方式", "name": "姓名", "phone": "手机号",
    "preferred_time": "方便联系时间", "anonymous": "匿名", "category": "分类", "class_code": "大类",
    "sub_category": "小类", "channel": "渠道", "satisfied": "是否满意", "comment": "评价内容",
    "rating": "评分", "reason": "撤销原因", "photos": "照片", "body": "请求内容",
}


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: a dotted path and a Chinese message."""

    field: str
    message: str


class InputRejected(Exception):
    """The input broke a rule; carries every field error and the HTTP status to answer."""

    def __init__(self, errors: Iterable[FieldError], status: int = 422) -> None:
        self.errors = list(errors)
        self.status = status
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


def forbidden_keys(value: Any, path: str = "") -> list[FieldError]:
    """Every key starting with `$` or containing a dot, anywhere in a JSON document."""
    found: list[FieldError] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if not isinstance(key, str) or key.startswith("$") or "." in key or "\x00" in key:
                found.append(FieldError(where, "字段名不能以 $ 开头或包含“.”"))
            else:
                found.extend(forbidden_keys(item, where))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found.extend(forbidden_keys(item, f"{path}[{i}]"))
    return found


def label(field: str) -> str:
    """The Chinese name of a field (its last path part)."""
    last = field.rsplit(".", 1)[-1]
    return FIELD_LABELS.get(last, last)


def message_for(error_type: str, field: str, ctx: Mapping[str, Any] | None = None) -> str:
    """A Chinese message for a pydantic error type on a field."""
    name = label(field)
    ctx = ctx or {}
    if error_type == "missing":
        return f"请填写{name}"
    if error_type in ("string_type", "string_sub_type"):
        return f"{name}应为文字"
    if error_type in ("bool_type", "bool_parsing"):
        return f"{name}应为是或否（true/false）"
    if error_type in ("float_type", "float_parsing", "int_type", "int_parsing", "int_from_float"):
        return f"{name}应为数字"
    if error_type in ("model_type", "dict_type", "model_attributes_type"):
        return f"{name}格式不正确，应为对象"
    if error_type == "list_type":
        return f"{name}应为列表"
    if error_type == "string_too_long":
        return f"{name}不能超过{ctx.get('max_length', '')}个字"
    if error_type == "string_too_short":
        return f"请填写{name}"
    if error_type == "too_long":
        return f"{name}最多{ctx.get('max_length', '')}项"
    if error_type == "extra_forbidden":
        return "不支持的字段"
    if error_type in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{name}超出允许范围"
    if error_type in ("literal_error", "enum"):
        return f"{name}的取值不在允许范围内"
    if error_type == "string_pattern_mismatch":
        return f"{name}格式不正确"
    return f"{name}格式不正确"


def from_pydantic(errors: Iterable[Mapping[str, Any]], prefix: str = "") -> list[FieldError]:
    """Translate pydantic's error list (loc, type, ctx) into field errors."""
    out: list[FieldError] = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
        field = ".".join(loc) or "body"
        if prefix:
            field = f"{prefix}.{field}" if field != "body" else prefix
        msg = err.get("ctx", {}).get("zh") if isinstance(err.get("ctx"), Mapping) else None
        out.append(FieldError(field, msg or message_for(str(err.get("type", "")), field, err.get("ctx"))))
    return out
