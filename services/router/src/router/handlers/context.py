"""What every handler needs: repository, organisation and rules (reloadable), contact opener, clock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Protocol

from router.adapters.repository import CaseRepository, ConcurrentUpdate
from router.adapters.sealing import ContactOpener
from router.domain.case import Case
from router.domain.org import Organisation
from router.domain.rules import RuleSet
from router.metrics import RouterMetrics
from servicekit.auth.orgindex import OrgIndex


class TextModel(Protocol):
    """The classifier API the router uses (router.classifier.model.TextClassifier)."""

    def predict(self, texts: list[str]) -> list[tuple[str, float]]:
        """(label, confidence) per text."""
        ...


@dataclass
class Directory:
    """The organisation and rules in force; replaced as a whole on reload so readers see one version."""

    org: Organisation
    rules: RuleSet

    @cached_property
    def paths(self) -> OrgIndex:
        """Org paths of every node and unit, for authorisation."""
        from router.adapters.org_paths import org_index

        return org_index(self.org)


@dataclass
class Context:
    """Dependencies of the handlers (built in bootstrap, faked in unit tests)."""

    repo: CaseRepository
    directory: Directory
    opener: ContactOpener
    log: logging.Logger
    model: TextModel | None = None
    domain_model: TextModel | None = None
    triage_threshold: float = 0.55
    duplicate_window_hours: float = 72.0
    duplicate_similarity: float = 0.5
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    on_write: Callable[[], None] = field(default=lambda: None)
    metrics: RouterMetrics | None = None

    def now(self) -> datetime:
        """The current time in UTC."""
        return self.clock().astimezone(UTC)


class CaseNotFound(LookupError):
    """No case with that id."""


async def with_retry(ctx: Context, case_id: str, change: Callable[[Case], object]) -> object:
    """Read the case, apply `change` (which stores it), retrying on a concurrent update."""
    for attempt in range(5):
        case = await ctx.repo.get(case_id)
        if case is None:
            raise CaseNotFound(case_id)
        try:
            result = change(case)
            if asyncio.iscoroutine(result):
                result = await result
            return result
        except ConcurrentUpdate:
            await asyncio.sleep(0.01 * (attempt + 1))
    raise ConcurrentUpdate(f"case {case_id} kept changing; giving up")
