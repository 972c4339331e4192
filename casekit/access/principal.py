"""The verified caller (主体): a person with roles, unit and areas, or a system with scopes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from schemas.access import ADMIN, SYSTEM

Kind = Literal["person", "system"]


def within(code: str | None, areas: Iterable[str]) -> bool:
    """Jurisdiction codes nest by prefix (district 6 → street 9 → community 12 → grid 15 digits)."""
    return code is not None and any(code.startswith(area) for area in areas)


@dataclass(frozen=True)
class Principal:
    """Who acts, as verified from a token or a key; never from a header the caller sets."""

    subject: str
    """The identity provider's `sub` for a person; the client id for a system."""
    kind: Kind
    roles: frozenset[str]
    unit: str | None = None
    """责任单位: the unit a unit_staff member works for."""
    areas: tuple[str, ...] = ()
    """Jurisdiction codes the person works in (a grid member's grids, a dispatcher's district)."""
    channels: frozenset[str] = field(default_factory=frozenset)
    """Systems: the channels whose reports they may post and read."""
    scopes: frozenset[str] = field(default_factory=frozenset)
    name: str | None = None
    key_id: str | None = None
    """The API key it came with, if any (for logs and rotation)."""

    @property
    def actor(self) -> str:
        """What events record as their actor."""
        return f"{'user' if self.kind == 'person' else 'system'}:{self.subject}"

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.roles

    def has(self, role: str) -> bool:
        return role in self.roles

    @classmethod
    def system(
        cls, client: str, channels: Iterable[str], scopes: Iterable[str], key_id: str | None = None
    ) -> Principal:
        return cls(client, "system", frozenset({SYSTEM}), channels=frozenset(channels), scopes=frozenset(scopes),
                   key_id=key_id)  # fmt: skip
