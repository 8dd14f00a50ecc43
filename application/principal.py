"""Who is calling: the principal a verified bearer token stands for."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.errors import InvalidInput
from domain.identity import CITIZEN, INTEGRATOR, OFFICER, ROLES, validate_pinfl
from domain.quoting import quoted


class InvalidPrincipal(InvalidInput):
    pass


@dataclass(frozen=True)
class Principal:
    subject: str  # citizen: PINFL; officer, auditor, integrator, admin: an account id
    role: str
    agency: str | None = None  # officers: the code of the agency they act for
    scopes: frozenset[str] = field(default_factory=frozenset)  # integrators
    # A full name: a citizen's, when the identity provider gives it; an officer's, which the
    # result documents they decide are signed with.
    name: str | None = None
    position: str | None = None  # officers: their position, printed under their name

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise InvalidPrincipal(
                f"role must be one of {', '.join(ROLES)}, got {quoted(self.role)}"
            )
        if not self.subject:
            raise InvalidPrincipal("a principal needs a subject")
        if self.role == CITIZEN:
            validate_pinfl(self.subject)
        if self.role == OFFICER and not self.agency:
            raise InvalidPrincipal("an officer acts for an agency: give its code")
        if self.role != OFFICER and self.agency:
            raise InvalidPrincipal("only officers are scoped to an agency")
        if self.role != INTEGRATOR and self.scopes:
            raise InvalidPrincipal("only integrators carry scopes")
        if self.role != OFFICER and self.position:
            raise InvalidPrincipal("only officers hold a position")


@dataclass(frozen=True)
class Identity:
    """Who an identity provider says a caller is: its subject (a citizen's PINFL, or a staff
    member's account), and the name it gives. What they may do is not the provider's to say."""

    subject: str
    name: str | None = None
