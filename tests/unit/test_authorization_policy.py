"""The one authorization table: who may take each action, the scope integrators need,
and how an allowed caller is narrowed (their own cases, their agency's)."""

from __future__ import annotations

import pytest

from application.authorization import AGENCY, ALL, OWN, POLICY, authorize, narrowed_agency
from application.principal import Principal
from domain.errors import NotFound, NotYourAgency, RoleNotAllowed, ScopeMissing
from domain.identity import FEED_READ, READ_MODELS_READ, ROLES, SCOPES

CITIZEN = Principal("31507850010022", "citizen")
OFFICER = Principal("officer-17", "officer", agency="justice-1703202")
AUDITOR = Principal("auditor-1", "auditor")
ADMIN = Principal("admin-1", "admin")
INTEGRATOR = Principal("client-1", "integrator", scopes=frozenset(SCOPES))
UNSCOPED = Principal("client-2", "integrator", scopes=frozenset({"personal-data:read"}))
BY_ROLE = {p.role: p for p in (CITIZEN, OFFICER, AUDITOR, ADMIN, INTEGRATOR)}


def test_every_rule_names_known_roles_scopes_and_reaches() -> None:
    for action, permission in POLICY.items():
        assert permission.roles, action
        assert permission.roles <= set(ROLES), action
        assert permission.scope is None or permission.scope in SCOPES, action
        assert set(permission.reach) <= permission.roles, action
        assert set(permission.reach.values()) <= {OWN, AGENCY, ALL}, action
        assert permission.refusal, action


@pytest.mark.parametrize("action", sorted(POLICY))
def test_each_role_is_allowed_exactly_where_the_table_says(action: str) -> None:
    permission = POLICY[action]
    for role, principal in BY_ROLE.items():
        if role in permission.roles:
            assert authorize(principal, action) is permission
        elif permission.hidden:
            with pytest.raises(NotFound, match="no such thing"):
                authorize(principal, action, not_found=NotFound("no such thing"))
        else:
            with pytest.raises(RoleNotAllowed) as refused:
                authorize(principal, action)
            assert refused.value.detail == permission.refusal.format(role=role)


def test_an_integrator_without_the_scope_an_action_needs_is_refused_for_the_scope() -> None:
    with pytest.raises(ScopeMissing, match=READ_MODELS_READ):
        authorize(UNSCOPED, "decisions_register.read")
    with pytest.raises(ScopeMissing, match=FEED_READ):
        authorize(UNSCOPED, "feed.read")
    reads_models = Principal("c", "integrator", scopes=frozenset({READ_MODELS_READ}))
    authorize(reads_models, "kpi.read")
    with pytest.raises(ScopeMissing):
        authorize(reads_models, "feed.read")


def test_officers_are_narrowed_to_their_agency() -> None:
    assert narrowed_agency(OFFICER, "decisions_register.read", None) == "justice-1703202"
    assert narrowed_agency(OFFICER, "payment.reconciliation", None) == "justice-1703202"
    assert narrowed_agency(OFFICER, "kpi.read", "justice-1703202") == "justice-1703202"


@pytest.mark.parametrize(
    "action", ["kpi.read", "decisions_register.read", "payment.reconciliation"]
)
def test_an_officer_asking_for_another_agencys_figures_is_refused_not_answered(action: str) -> None:
    with pytest.raises(NotYourAgency, match="not tax-1703202's"):
        narrowed_agency(OFFICER, action, "tax-1703202")


def test_oversight_gets_the_agency_it_asks_for_or_every_agency() -> None:
    for principal in (AUDITOR, ADMIN, INTEGRATOR):
        assert narrowed_agency(principal, "decisions_register.read", "tax-17") == "tax-17"
        assert narrowed_agency(principal, "kpi.read", None) is None


def test_narrowing_authorizes_first() -> None:
    with pytest.raises(RoleNotAllowed, match="citizen role cannot read the decisions register"):
        narrowed_agency(CITIZEN, "decisions_register.read", None)
    with pytest.raises(ScopeMissing):
        narrowed_agency(UNSCOPED, "payment.reconciliation", None)
