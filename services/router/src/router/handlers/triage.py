"""Manual triage: a person decides the category of a case the rules and the model could not; kept for retraining."""

from __future__ import annotations

from datetime import datetime

from contracts.categories import BY_CODE, CLASSES
from router.domain.case import ActorInfo, Case, InvalidTransition, check
from router.domain.classification import Classification
from router.domain.lifecycle import Step
from router.handlers.commands import run_on_case
from router.handlers.context import Context
from router.handlers.routing import assign_route


def validate_category(class_code: str, sub_category: str | None) -> None:
    """Raise ValueError naming the field when the codes are not in contracts.categories."""
    if class_code not in CLASSES:
        raise ValueError(f"class_code: unknown class {class_code!r}; use one of {', '.join(CLASSES)}")
    if sub_category is not None:
        if sub_category not in BY_CODE:
            raise ValueError(f"sub_category: unknown sub-category {sub_category!r}")
        if BY_CODE[sub_category].class_code != class_code:
            raise ValueError(f"sub_category: {sub_category!r} belongs to class {BY_CODE[sub_category].class_code!r}")


def label_of(class_code: str, sub_category: str | None) -> str:
    """The training label `<class>/<sub-category>` in Chinese, as the classifier uses."""
    name = CLASSES[class_code]
    return f"{name}/{BY_CODE[sub_category].name}" if sub_category else name


async def decide(ctx: Context, case_id: str, *, class_code: str, sub_category: str | None, actor: ActorInfo,
                 note: str | None = None, event_id: str | None = None) -> Case:
    """Route a triage case with the person's category; the decision is stored on the case for retraining."""
    validate_category(class_code, sub_category)

    def mutate(case: Case, now: datetime) -> list[Step]:
        if not case.needs_triage:
            raise InvalidTransition(f"case {case.case_id} is not waiting for triage (status {case.status})")
        check(case, "route")
        case.triage_decision = {
            "class_code": class_code, "sub_category": sub_category, "label": label_of(class_code, sub_category),
            "by": actor.id, "at": now.isoformat(), "note": note, "suggestion": case.suggestion,
            "previous": {"class_code": case.class_code, "sub_category": case.sub_category}}
        decided = Classification(class_code, sub_category, "manual", 1.0)
        return [assign_route(ctx, case, decided, now=now, actor=actor, reason=note or "人工分拨")]

    return await run_on_case(ctx, case_id, mutate, actor=actor, event_id=event_id)
