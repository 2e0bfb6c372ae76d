"""The service list and definitions, from the published categories and the compounds (pure)."""

from __future__ import annotations

from typing import Any

from contracts.categories import BY_CODE, CATEGORIES, CLASSES
from intake.domain.org import Directory

KEYWORDS: dict[str, str] = {
    "leak": "漏水,渗水,水管", "noise": "噪音,装修,扰民", "fire": "消防通道,电动车,灭火器", "elevator": "电梯,困人",
    "sanitation": "垃圾,卫生", "parking": "停车,占道", "fraud": "诈骗,电信诈骗",
}
EXTRA_ATTRIBUTES: dict[str, list[dict[str, Any]]] = {
    "elevator": [{"code": "trapped", "datatype": "singlevaluelist", "required": False,
                  "description": "是否有人被困", "values": [{"key": "yes", "name": "有人被困"},
                                                        {"key": "no", "name": "无人被困"}]}],
    "noise": [{"code": "time_of_day", "datatype": "singlevaluelist", "required": False,
               "description": "噪音发生时段",
               "values": [{"key": "day", "name": "白天"}, {"key": "night", "name": "夜间"}]}],
}


def service_list() -> list[dict[str, Any]]:
    """GET services: every sub-category, grouped by class; all have metadata (the compound attribute)."""
    return [{"service_code": c.code, "service_name": c.name, "description": c.description, "metadata": True,
             "type": "batch", "keywords": KEYWORDS.get(c.code, c.name), "group": CLASSES[c.class_code]}
            for c in CATEGORIES]


def attributes(code: str, directory: Directory) -> list[dict[str, Any]]:
    """Attribute definitions: the compound (required), building/unit/room, then the category's own."""
    compounds = [{"key": c.id, "name": f"{c.community_name}·{c.name}"} for c in directory.compounds.values()]
    defs: list[dict[str, Any]] = [
        {"code": "compound", "datatype": "singlevaluelist", "required": True, "description": "所在小区",
         "values": compounds},
        {"code": "building", "datatype": "string", "required": False, "description": "楼栋"},
        {"code": "unit", "datatype": "string", "required": False, "description": "单元"},
        {"code": "room", "datatype": "string", "required": False, "description": "房号"},
        *EXTRA_ATTRIBUTES.get(code, []),
    ]
    out = []
    for order, d in enumerate(defs, start=1):
        out.append({"variable": True, "code": d["code"], "datatype": d["datatype"], "required": d["required"],
                    "datatype_description": "从列表中选择一项" if d["datatype"] == "singlevaluelist" else "文字",
                    "order": order, "description": d["description"], "values": d.get("values", [])})
    return out


def service_definition(code: str, directory: Directory) -> dict[str, Any] | None:
    """GET services/{code}; None when the code is unknown."""
    if code not in BY_CODE:
        return None
    return {"service_code": code, "attributes": attributes(code, directory)}
