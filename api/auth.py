"""Who is calling: the bearer token's principal, and the command context of a request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.dependencies import ContainerDep
from api.problems import ProblemException
from application.principal import Principal
from domain.context import CommandContext
from infrastructure.tokens import InvalidToken

bearer = HTTPBearer(
    auto_error=False,
    description="A JWT: `yagona token --role ROLE --sub SUBJECT` mints one in development.",
)


def current_principal(
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ProblemException(
            401,
            "this endpoint needs a bearer token",
            code="unauthenticated",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        return container.tokens.verify(credentials.credentials)
    except InvalidToken as error:
        raise ProblemException(
            401,
            f"the bearer token is not valid: {error}",
            code="invalid-token",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from None


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def command_context(request: Request, principal: PrincipalDep) -> CommandContext:
    """The actor and correlation id every event of this request carries (the caller's
    X-Correlation-ID if given, else the request id)."""
    correlation = request.headers.get("x-correlation-id") or request.scope.get("state", {}).get(
        "request_id", ""
    )
    return CommandContext(
        actor=principal.subject, role=principal.role, correlation_id=str(correlation)[:128]
    )


ContextDep = Annotated[CommandContext, Depends(command_context)]
