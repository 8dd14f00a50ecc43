"""The callers of the authorization matrix (test_authorization_matrix.py) and the status
each is expected to get, derived from the application's one authorization table
(``application.authorization.POLICY``).
"""

from __future__ import annotations

from application.principal import Principal
from tests.e2e.cases import citizen
from tests.policy_expectations import PolicyExpectations
from tests.reliability.world import (
    ADMIN,
    ALL_SCOPES,
    AUDITOR,
    CADASTRE,
    CITIZEN_B,
    HOKIM,
    JUSTICE,
    OTHER_JUSTICE,
)

UNAUTHENTICATED = (
    "anonymous",
    "expired_token",
    "foreign_signature",
    "unknown_api_key",
    "revoked_api_key",  # a client's key (every scope) after an administrator revoked it
)
CALLERS = (
    *UNAUTHENTICATED,
    "citizen",  # the applicant / appellant
    "other_citizen",
    "officer",  # justice-1703202: handles the cases, asks for data
    "other_officer",  # justice-1706204: has nothing to do with any of it
    "hokim",  # hokimiyat-1703202: answers the appeals
    "cadastre",  # cadastre-1703202: receives the inter-agency requests
    "auditor",
    "integrator",  # API key with every scope
    "unscoped_integrator",  # API key with personal-data:read only
    "other_integrator",  # another client, every scope
    "admin",
)
# Routes that are not part of the API: FastAPI's own documentation.
DOCUMENTATION = {
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
}


def expect(default: int = 403, *, public: bool = False, **overrides: int) -> dict[str, int]:
    """Each caller's status: ``default`` for every authenticated caller not named, 401 for
    the unauthenticated (or ``default`` too, for a ``public`` endpoint)."""
    unknown = set(overrides) - set(CALLERS)
    assert not unknown, f"no such callers: {unknown}"
    statuses = dict.fromkeys(UNAUTHENTICATED, default if public else 401)
    statuses |= {c: default for c in CALLERS if c not in UNAUTHENTICATED}
    return statuses | overrides


# Each authenticated caller's role and scopes, as the policy sees them.
PRINCIPALS: dict[str, Principal] = {
    "citizen": citizen(),
    "other_citizen": citizen(CITIZEN_B, name=None),
    "officer": JUSTICE,
    "other_officer": OTHER_JUSTICE,
    "hokim": HOKIM,
    "cadastre": CADASTRE,
    "auditor": AUDITOR,
    "integrator": Principal("client", "integrator", scopes=frozenset(ALL_SCOPES)),
    "unscoped_integrator": Principal(
        "client", "integrator", scopes=frozenset({"personal-data:read"})
    ),
    "other_integrator": Principal("other", "integrator", scopes=frozenset(ALL_SCOPES)),
    "admin": ADMIN,
}


EXPECT = PolicyExpectations(PRINCIPALS, UNAUTHENTICATED)
granted = EXPECT.granted


OTHER_CITIZEN = {"other_citizen": 404}
OTHER_OFFICERS = {"other_officer": 403, "hokim": 403, "cadastre": 403}
CASE_READERS = granted("application.read", **OTHER_CITIZEN, **OTHER_OFFICERS)
APPLICANT_ACTS = granted("application.act_as_applicant", **OTHER_CITIZEN)
HANDLER_ACTS = OTHER_OFFICERS
HIDDEN_FROM_OFFICERS = {"officer": 404, "other_officer": 404, "cadastre": 404}
SUBSCRIPTION_OWNER = granted("webhooks.subscription", other_integrator=404)
