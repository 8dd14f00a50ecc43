"""Who is calling: the bearer token's principal, and the command context of a request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.dependencies import ContainerDep
from api.known_agencies import known_agencies
from api.problems import ProblemException
from application.integrators import KEY_PREFIX
from application.principal import Principal
from domain.context import CommandContext
from domain.identity import CITIZEN, OFFICER
from infrastructure.bootstrap import IdentityRefused, InvalidToken

api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="An integrator client's API key (`yagona integrators create`).",
)
bearer = HTTPBearer(
    auto_error=False,
    description="A JWT: `yagona token --role ROLE --sub SUBJECT` mints one in development.",
)


def current_principal(
    request: Request,
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    api_key: Annotated[str | None, Depends(api_key_header)],
) -> Principal:
    """A bearer JWT, or an integrator's API key (``X-API-Key``, or ``Authorization: Bearer``
    with the key). Integrators' tokens count only for registered, active clients; officers'
    only for an agency in the directory. With an identity provider configured, the staff
    directory gives the role (``TokenService.verify``)."""
    key = api_key or (
        credentials.credentials
        if credentials is not None and credentials.credentials.startswith(KEY_PREFIX)
        else None
    )
    if key is not None:
        principal = container.integrators.authenticate(key)
        if principal is None:
            raise _unauthenticated("the API key is unknown, malformed or revoked", "invalid-key")
        return principal
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ProblemException(
            401,
            "this endpoint needs a bearer token",
            code="unauthenticated",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        principal = container.tokens.verify(credentials.credentials)
    except IdentityRefused as error:  # who they are is known; Yagona does not admit them
        raise ProblemException(403, error.args[0], code=error.code) from None
    except InvalidToken as error:
        raise _unauthenticated(f"the bearer token is not valid: {error}", "invalid-token") from None
    if principal.role == OFFICER and principal.agency is not None:
        agencies = known_agencies(request, container.catalogue_read.has_agency_code)
        if principal.agency not in agencies:
            raise _unauthenticated(
                f"the token's agency {principal.agency[:100]!r} is not in the agency directory",
                "unknown-agency",
            )
    admitted = container.integrators.admit(principal)
    if admitted is None:
        raise _unauthenticated(
            "the token's integrator client is unknown or revoked, or lacks its scopes",
            "invalid-token",
        )
    return admitted


def _unauthenticated(detail: str, code: str) -> ProblemException:
    return ProblemException(
        401, detail, code=code, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
    )


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def command_context(
    request: Request, container: ContainerDep, principal: PrincipalDep
) -> CommandContext:
    """The actor and correlation id every event of this request carries (the caller's
    X-Correlation-ID if given, else the request id); for a citizen, also their pseudonym,
    so the audit index names them without their PINFL."""
    correlation = request.headers.get("x-correlation-id") or request.scope.get("state", {}).get(
        "request_id", ""
    )
    return CommandContext(
        actor=principal.subject,
        role=principal.role,
        correlation_id=str(correlation)[:128],
        actor_ref=(
            container.cases.applicant_ref(principal.subject) if principal.role == CITIZEN else None
        ),
    )


ContextDep = Annotated[CommandContext, Depends(command_context)]
