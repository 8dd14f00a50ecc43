"""Who may do what: one table of every action × the roles that may take it, the scope an
integrator needs for it, and the rule that narrows what an allowed caller reaches.

Every command and query service asks :func:`authorize` before it acts, so a client (the
HTTP API, the portal, the CLI) cannot forget a check: it has none of its own. The
authorization matrix test (tests/reliability/test_authorization_matrix.py) derives each
route's role-level answer from this table.

Narrowing rules (``Permission.reach``), applied by the service with the object at hand:
- ``OWN``: a citizen reaches only what is theirs; another's is answered as not found.
- ``AGENCY``: an officer reaches only their agency's; a query is narrowed to it.
- ``ALL``: an allowed caller reaches everything the action covers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from application.principal import Principal
from domain.errors import DomainError, NotYourAgency, RoleNotAllowed, ScopeMissing
from domain.identity import (
    ADMIN,
    AUDITOR,
    CITIZEN,
    FEED_READ,
    INTEGRATOR,
    OFFICER,
    READ_MODELS_READ,
    WEBHOOKS_MANAGE,
)

OWN = "own"
AGENCY = "agency"
ALL = "all"


@dataclass(frozen=True)
class Permission:
    roles: frozenset[str]
    refusal: str  # said to a role not in ``roles``; ``{role}`` is replaced by its name
    scope: str | None = None  # what an integrator needs (when integrators are in ``roles``)
    # role -> OWN | AGENCY (a role not named reaches ALL)
    reach: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # A refused caller is told the thing does not exist (404), as one out of reach is.
    hidden: bool = False

    def reach_of(self, role: str) -> str:
        return self.reach.get(role, ALL)


def _allow(
    *roles: str, refusal: str, scope: str | None = None, hidden: bool = False, **reach: str
) -> Permission:
    return Permission(frozenset(roles), refusal, scope, MappingProxyType(reach), hidden)


_OVERSIGHT = (OFFICER, AUDITOR, ADMIN, INTEGRATOR)
_CASE_READERS = (CITIZEN, OFFICER, AUDITOR, ADMIN)

POLICY: Mapping[str, Permission] = MappingProxyType(
    {
        # --- applications --------------------------------------------------------------
        "application.submit": _allow(CITIZEN, refusal="only citizens submit applications"),
        "application.list_own": _allow(
            CITIZEN,
            refusal="this lists a citizen's own applications; officers use /v1/queue",
        ),
        "application.read": _allow(
            *_CASE_READERS,
            refusal="the {role} role cannot read applications",
            citizen=OWN,
            officer=AGENCY,
        ),
        "application.act_as_applicant": _allow(
            CITIZEN, refusal="only the applicant can do this", citizen=OWN
        ),
        "application.handle": _allow(
            OFFICER, refusal="only officers of the handling agency can do this", officer=AGENCY
        ),
        "queue.read": _allow(
            OFFICER, refusal="the work queue belongs to officers of an agency", officer=AGENCY
        ),
        # --- payments ------------------------------------------------------------------
        "payment.pay": _allow(CITIZEN, refusal="only the applicant pays the fee", citizen=OWN),
        "payment.correct": _allow(ADMIN, refusal="only administrators correct payments"),
        "payment.reconciliation": _allow(
            *_OVERSIGHT,
            refusal="the {role} role cannot read reconciliations",
            scope=READ_MODELS_READ,
            officer=AGENCY,
        ),
        # --- registers, read models, indicators ----------------------------------------
        "decisions_register.read": _allow(
            *_OVERSIGHT,
            refusal="the {role} role cannot read the decisions register",
            scope=READ_MODELS_READ,
            officer=AGENCY,
        ),
        "read_models.read": _allow(
            AUDITOR,
            ADMIN,
            INTEGRATOR,
            refusal="the {role} role cannot do this",
            scope=READ_MODELS_READ,
        ),
        "kpi.read": _allow(
            *_OVERSIGHT,
            refusal="the {role} role cannot do this",
            scope=READ_MODELS_READ,
            officer=AGENCY,
        ),
        # --- appeals and inter-agency requests -----------------------------------------
        "appeal.file": _allow(CITIZEN, refusal="only citizens file appeals"),
        "appeal.list_own": _allow(
            CITIZEN, refusal="this lists a citizen's own appeals; officers use GET /v1/queue"
        ),
        "appeal.act_as_appellant": _allow(
            CITIZEN, refusal="only the appellant can do this", citizen=OWN
        ),
        "appeal.read": _allow(
            CITIZEN,
            OFFICER,
            AUDITOR,
            ADMIN,
            refusal="no such appeal",
            hidden=True,
            citizen=OWN,
            officer=AGENCY,
        ),
        "appeal.handle": _allow(
            OFFICER, refusal="only officers of the handling agency can do this", officer=AGENCY
        ),
        # The head (or deputy) of the handling body is one of its officers; the product has
        # no role of its own for heads, so the decision is on the record with the officer and
        # the position of their appointment.
        "appeal.extend_as_head": _allow(
            OFFICER,
            refusal="only the head of the handling agency (one of its officers) can do this",
            officer=AGENCY,
        ),
        "inter_agency.read": _allow(
            OFFICER, AUDITOR, ADMIN, refusal="no such request", hidden=True, officer=AGENCY
        ),
        "inter_agency.handle": _allow(
            OFFICER,
            refusal="only officers of the receiving agency can do this",
            officer=AGENCY,
        ),
        # --- audit ---------------------------------------------------------------------
        "audit.read": _allow(
            AUDITOR, refusal="only auditors read case histories and audit records"
        ),
        "audit.own_access_log": _allow(
            CITIZEN, refusal="the access log of one's own data is the citizen's", citizen=OWN
        ),
        # --- integrators: the feed, webhooks; their administration ---------------------
        "feed.read": _allow(INTEGRATOR, refusal="the {role} role cannot do this", scope=FEED_READ),
        "webhooks.manage": _allow(
            INTEGRATOR, refusal="the {role} role cannot do this", scope=WEBHOOKS_MANAGE
        ),
        "webhooks.subscription": _allow(
            INTEGRATOR,
            ADMIN,
            refusal="the {role} role cannot do this",
            scope=WEBHOOKS_MANAGE,
            integrator=OWN,
        ),
        "integrators.manage": _allow(
            ADMIN, refusal="only administrators manage integrator clients"
        ),
        # --- the staff directory: who is officer, auditor, administrator -----------------
        "staff.manage": _allow(ADMIN, refusal="only administrators manage the staff directory"),
    }
)


def authorize(
    principal: Principal, action: str, *, not_found: DomainError | None = None
) -> Permission:
    """The permission for ``action``, if ``principal``'s role holds it (and, for an
    integrator, the scope it needs); else ``RoleNotAllowed`` or ``ScopeMissing`` (or, for
    a ``hidden`` action, ``not_found``: the error that says the thing does not exist)."""
    permission = POLICY[action]
    if principal.role not in permission.roles:
        if permission.hidden:
            assert not_found is not None, f"{action} is hidden: say what is not found"
            raise not_found
        raise RoleNotAllowed(permission.refusal.format(role=principal.role))
    if (
        principal.role == INTEGRATOR
        and permission.scope
        and permission.scope not in (principal.scopes)
    ):
        raise ScopeMissing(f"this needs the {permission.scope} scope, which the client lacks")
    return permission


def narrowed_agency(principal: Principal, action: str, requested: str | None) -> str | None:
    """The agency a query for ``action`` covers: an officer's own (asking for another
    agency's is ``NotYourAgency``, not a silent answer about their own), else the one asked
    for (None: every agency). Authorizes first."""
    permission = authorize(principal, action)
    if permission.reach_of(principal.role) == AGENCY:
        if requested is not None and requested != principal.agency:
            raise NotYourAgency(
                f"an officer reads their own agency's figures ({principal.agency}), "
                f"not {requested}'s"
            )
        return principal.agency
    return requested


def authorize_reach(
    principal: Principal,
    action: str,
    *,
    not_found: DomainError,
    owner: str | None = None,
    agencies: Iterable[str | None] = (),
    other_agency: str = "another agency handles this",
) -> Permission:
    """``authorize``, then the action's reach over one thing: a citizen reaches it only as
    its ``owner`` (else ``not_found``: another's is not shown to exist), an officer only
    when their agency is among ``agencies`` (else ``NotYourAgency(other_agency)``, or
    ``not_found`` for a hidden action)."""
    permission = authorize(principal, action, not_found=not_found)
    reach = permission.reach_of(principal.role)
    if reach == OWN and owner != principal.subject:
        raise not_found
    if reach == AGENCY and principal.agency not in set(agencies):
        if permission.hidden:
            raise not_found
        raise NotYourAgency(other_agency)
    return permission
