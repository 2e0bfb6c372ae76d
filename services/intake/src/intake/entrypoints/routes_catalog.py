"""The published category list: 民生诉求 and 发展诉求 classes with their sub-categories and codes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from contracts.categories import CATEGORIES, CLASSES

router = APIRouter(prefix="/v1", tags=["catalogue"])

KIND = {"development": "发展诉求"}


def category_list() -> list[dict[str, Any]]:
    """Classes in a stable order, each with its sub-categories."""
    return [{"code": code, "name": name, "kind": KIND.get(code, "民生诉求"),
             "sub_categories": [{"code": c.code, "name": c.name, "description": c.description}
                                for c in CATEGORIES if c.class_code == code]}
            for code, name in CLASSES.items()]


@router.get("/categories", summary="Classes and sub-categories residents may choose")
async def get_categories() -> dict[str, Any]:
    """Codes to send as `category.class_code` / `category.sub_category`."""
    return {"classes": category_list()}
