"""A small PromQL reader for the tests: metric names an expression reads, and structural mistakes.

promtool parses expressions exactly when it is installed; this module is what runs everywhere: it finds
unbalanced brackets and quotes, unknown functions, and the metric names, so the tests can check them against
what the services really expose.
"""

from __future__ import annotations

import re

FUNCTIONS = {
    "abs", "absent", "absent_over_time", "avg_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min",
    "count_over_time", "day_of_month", "day_of_week", "delta", "deriv", "exp", "floor", "histogram_quantile",
    "holt_winters", "hour", "idelta", "increase", "irate", "label_join", "label_replace", "last_over_time", "ln",
    "log2", "log10", "max_over_time", "min_over_time", "minute", "month", "predict_linear", "quantile_over_time",
    "rate", "resets", "round", "scalar", "sgn", "sort", "sort_desc", "sqrt", "stddev_over_time", "sum_over_time",
    "time", "timestamp", "vector", "year", "present_over_time",
}
AGGREGATIONS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk",
                "topk", "quantile"}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset",
            "bool", "inf", "nan"}
GRAFANA_VARS = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_NAME_REGEX = re.compile(r'__name__\s*=~?\s*"\(([^)"]*)\)([a-zA-Z0-9_:]*)"')
_IDENT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def substitute_grafana(expr: str) -> str:
    """Replace Grafana's built-in and dashboard variables with values Prometheus accepts."""
    for var, value in GRAFANA_VARS.items():
        expr = expr.replace(var, value)
    return re.sub(r"\$\{?[a-zA-Z_]\w*\}?", ".*", expr)


def metric_names(expr: str) -> set[str]:
    """Metric names read by an expression, including `{__name__=~"(a|b)_suffix"}` selectors."""
    names = {f"{alt}{suffix}" for alts, suffix in _NAME_REGEX.findall(expr) for alt in alts.split("|")}
    bare = _STRING.sub('""', expr)
    bare = re.sub(r"\{[^{}]*\}", " ", bare)
    bare = re.sub(r"\[[^\]]*\]", " ", bare)
    bare = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", bare)
    for match in _IDENT.finditer(bare):
        word = match.group(0)
        following = bare[match.end():].lstrip()[:1]
        if following == "(" or word in KEYWORDS or word in FUNCTIONS or word in AGGREGATIONS:
            continue
        if re.fullmatch(r"\d+[smhdwy]", word) or _is_number_suffix(bare, match.start()):
            continue
        names.add(word)
    return names


def _is_number_suffix(text: str, start: int) -> bool:
    """True for the `e` of 1e-9 and the unit of a duration such as 5m."""
    return start > 0 and (text[start - 1].isdigit() or text[start - 1] == ".")


def structure_errors(expr: str) -> list[str]:
    """Mistakes visible without a full parser: unbalanced delimiters or quotes, unknown functions."""
    errors: list[str] = []
    if not expr.strip():
        return ["empty expression"]
    if expr.count('"') % 2:
        errors.append("unbalanced double quotes")
    bare = _STRING.sub('""', expr)
    stack: list[str] = []
    pairs = {")": "(", "]": "[", "}": "{"}
    for ch in bare:
        if ch in "([{":
            stack.append(ch)
        elif ch in pairs:
            if not stack or stack.pop() != pairs[ch]:
                errors.append(f"unbalanced {ch!r}")
                break
    if stack:
        errors.append(f"unclosed {''.join(stack)!r}")
    for match in re.finditer(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*\(", re.sub(r"\{[^{}]*\}", " ", bare)):
        word = match.group(1)
        if word not in FUNCTIONS | AGGREGATIONS | KEYWORDS:
            errors.append(f"unknown function {word!r}")
    return errors
