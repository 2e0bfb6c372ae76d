"""Who is who: the endpoints of each unit, each community's staff and supervisors, department contacts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from notifier.domain.notifications import Endpoint


@dataclass(frozen=True)
class Community:
    """A community's people: staff (secretary, cadres, grid workers) and its supervisors by tier."""

    community_id: str
    street_id: str | None = None
    secretary: str | None = None
    staff: tuple[str, ...] = ()
    street_centre: str | None = None


@dataclass(frozen=True)
class Directory:
    """Unit endpoints and community structure; an unknown unit simply has no endpoint."""

    endpoints: Mapping[str, tuple[Endpoint, ...]] = field(default_factory=dict)
    communities: Mapping[str, Community] = field(default_factory=dict)
    departments: Mapping[str, tuple[Endpoint, ...]] = field(default_factory=dict)

    def reach(self, unit_id: str) -> tuple[Endpoint, ...]:
        """The endpoints of a unit (or department code)."""
        return tuple(self.endpoints.get(unit_id, ())) or tuple(self.departments.get(unit_id, ()))

    def staff_of(self, community_id: str | None) -> tuple[str, ...]:
        """The community's staff units (secretary first)."""
        community = self.communities.get(community_id or "")
        if community is None:
            return ()
        first = (community.secretary,) if community.secretary else ()
        return first + tuple(u for u in community.staff if u != community.secretary)

    def supervisor_of(self, community_id: str | None, tier: int) -> str | None:
        """Who is told of a breach: the community secretary up to tier 2, the street centre from tier 3."""
        community = self.communities.get(community_id or "")
        if community is None:
            return None
        if tier >= 3 and community.street_centre:
            return community.street_centre
        return community.secretary or community.street_centre
