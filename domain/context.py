"""Who asks, and under which correlation id: carried into every event's payload."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommandContext:
    """The actor and correlation id a command comes with.

    ``actor`` is a pseudonymous subject (an officer's id, ``system:seed``); it is never a
    citizen's PINFL in clear once personal-data encryption is configured.
    """

    actor: str
    role: str
    correlation_id: str
    actor_ref: str | None = None  # a citizen's pseudonym, as the read models know them

    def meta(self) -> dict[str, str]:
        """The event metadata recorded with every event this command produces."""
        meta = {"actor": self.actor, "role": self.role, "correlation_id": self.correlation_id}
        if self.actor_ref is not None:
            meta["actor_ref"] = self.actor_ref
        return meta


SYSTEM = CommandContext(actor="system", role="system", correlation_id="system")
