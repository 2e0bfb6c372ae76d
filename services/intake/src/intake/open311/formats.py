"""GeoReport v2 wire formats: JSON arrays/objects and the XML forms of the standard, and its error format."""

from __future__ import annotations

import json
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from fastapi.responses import Response

SINGULAR = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format",
            "services": "service", "service_requests": "request", "errors": "error"}
MEDIA = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _fill(parent: Element, key: str, value: Any) -> None:
    if isinstance(value, list):
        container = SubElement(parent, key)
        for item in value:
            _fill(container, SINGULAR.get(key, "item"), item)
    elif isinstance(value, dict):
        node = SubElement(parent, key)
        for k, v in value.items():
            _fill(node, k, v)
    else:
        SubElement(parent, key).text = _text(value)


def to_xml(root: str, payload: Any) -> bytes:
    """`payload` as the standard's XML: a list becomes <root><item/>…</root>, a dict <root><field/>…</root>."""
    element = Element(root)
    if isinstance(payload, list):
        for item in payload:
            _fill(element, SINGULAR.get(root, "item"), item)
    else:
        for key, value in payload.items():
            _fill(element, key, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(element, encoding="unicode").encode()


def render(fmt: str, root: str, payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """The payload in the requested format."""
    if fmt == "xml":
        body = to_xml(root, payload)
    else:
        body = json.dumps(payload, ensure_ascii=False).encode()
    return Response(body, status_code=status, media_type=MEDIA.get(fmt, MEDIA["json"]), headers=headers)


class Open311Error(Exception):
    """An error answered in the standard's format: [{"code", "description"}] / <errors><error>…"""

    def __init__(self, status: int, description: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = headers


def error_response(fmt: str, exc: Open311Error) -> Response:
    """The error list with the HTTP status as code."""
    return render(fmt if fmt in MEDIA else "json", "errors", [{"code": exc.status, "description": exc.description}],
                  status=exc.status, headers=exc.headers)
