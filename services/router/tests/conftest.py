"""Router test fixtures: the demo organisation, the default rules, a fixed clock and request events."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from contracts.envelope import Envelope, new_event
from contracts.events.common import CategoryRef, Place
from contracts.events.intake import RequestSubmitted
from router.adapters.org_file import load_org
from router.adapters.rules_file import load_rules
from router.domain.org import Organisation
from router.domain.rules import RuleSet

REPO_ROOT = Path(__file__).resolve().parents[3]
ORG_FILE = REPO_ROOT / "deploy" / "demo" / "org.yaml"
NOW = datetime(2026, 5, 12, 2, 30, tzinfo=UTC)


@pytest.fixture(scope="session")
def org() -> Organisation:
    """The demo district (青川区)."""
    return load_org(ORG_FILE)


@pytest.fixture(scope="session")
def rules(org: Organisation) -> RuleSet:
    """The packaged default rule set."""
    return load_rules(None, dept_codes=set(org.departments))


@pytest.fixture
def submitted():
    """Factory of request.submitted.v1 envelopes."""
    return request_submitted


def request_submitted(text: str, *, request_id: str = "r-1", community: str = "qc-jh-jh", compound: str | None = "qc-jh-jh-hy",
              building: str | None = None, hint: CategoryRef | None = None, sealed: str | None = None,
              title: str | None = None, at: datetime = NOW) -> Envelope:
    """A request.submitted.v1 envelope as intake would publish it."""
    data = RequestSubmitted(
        request_id=request_id, tracking_code=f"WS-{request_id}", channel="qr_h5", title=title,
        place=Place(community_id=community, compound_id=compound, building=building), text=text,
        category_hint=hint, has_contact=sealed is not None, contact_sealed=sealed, submitted_at=at)
    return new_event(data, source="/whistle/intake", subject=request_id, now=at)


@pytest.fixture
async def ctx(tmp_path, org, rules):
    """Handlers' context on a fresh SQLite file, fixed clock, no classifier."""
    import logging

    from router.adapters.sealing import ContactOpener
    from router.adapters.sqlite_repository import SqliteCaseRepository
    from router.config import DEV_CONTACT_KEY
    from router.handlers.context import Context, Directory
    from servicekit.storage.sqlite import SqliteDatabase

    db = SqliteDatabase(tmp_path / "router.sqlite3")
    await db.open()
    repo = SqliteCaseRepository(db)
    await repo.ensure_indexes()
    context = Context(repo=repo, directory=Directory(org, rules), opener=ContactOpener(DEV_CONTACT_KEY),
                      log=logging.getLogger("router-test"), clock=lambda: NOW)
    yield context
    await repo.close()


async def published(context) -> list[Envelope]:
    """Every event waiting in the outbox, oldest first."""
    items = await context.repo.outbox.fetch_pending(1000)
    return [Envelope.model_validate_json(i.body) for i in items]
