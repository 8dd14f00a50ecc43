"""Each caller's expected HTTP status for a route, derived from the one authorization table
(``application.authorization.POLICY``): shared by the authorization matrices of the
in-memory tier (tests/memory) and of the reliability tier (every route, on PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass

from application.authorization import ALL, OWN, POLICY, authorize
from application.principal import Principal
from domain.errors import DomainError, NotFound


@dataclass(frozen=True)
class PolicyExpectations:
    principals: dict[str, Principal]  # each authenticated caller's role and scopes
    unauthenticated: tuple[str, ...]  # callers without a valid credential: always 401

    @property
    def callers(self) -> tuple[str, ...]:
        return (*self.unauthenticated, *self.principals)

    def permitted(self, action: str, caller: str) -> bool:
        try:
            authorize(self.principals[caller], action, not_found=NotFound("hidden"))
        except DomainError:
            return False
        return True

    def granted(self, action: str, ok: int = 200, **reach: int) -> dict[str, int]:
        """Each caller's status for a route taking ``action``: 401 unauthenticated; 403
        (404 if the action is hidden) where the policy refuses the role or scope; ``ok``
        where it allows, except the allowed callers named in ``reach``, whom the action's
        reach (their own, their agency's) keeps from this particular thing."""
        permission = POLICY[action]
        refused = 404 if permission.hidden else 403
        statuses = dict.fromkeys(self.unauthenticated, 401)
        statuses |= {c: ok if self.permitted(action, c) else refused for c in self.principals}
        for caller, status in reach.items():
            assert self.permitted(action, caller), f"{caller} is refused {action} already"
            role = self.principals[caller].role
            assert permission.reach_of(role) != ALL, f"{action} does not narrow the {role} role"
            assert status == 404 or permission.reach_of(role) != OWN, "out of one's own: 404"
        return statuses | reach
