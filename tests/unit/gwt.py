"""Given / when / then for event-sourced aggregates (in the spirit of decider tests).

``given`` replays a history of events into an aggregate (so every scenario also proves
that the history replays), ``when`` runs a command on it, and the outcome is either the
new events or the named domain error the command raised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest
from eventsourcing.domain import Aggregate

from domain.errors import DomainError


def history(aggregate: Aggregate) -> list[Any]:
    """The events a freshly built aggregate has pending (its history so far)."""
    return list(aggregate.collect_events())


def replay(events: Iterable[Any]) -> Any:
    aggregate = None
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


@dataclass
class Outcome:
    aggregate: Any
    events: list[Any]
    error: DomainError | None
    history: list[Any] = field(default_factory=list)

    def then(self, *expected: type[Any], **attributes: Any) -> Outcome:
        """The command recorded exactly events of these types (the last with these values)."""
        assert self.error is None, f"expected events, got {type(self.error).__name__}: {self.error}"
        assert [type(e) for e in self.events] == list(expected)
        for name, value in attributes.items():
            assert getattr(self.events[-1], name) == value, name
        return self

    def aggregate_history(self) -> list[Any]:
        """The full history after the command: replayable into the aggregate's state."""
        return [*self.history, *self.events]

    def then_error(self, error: type[DomainError], match: str | None = None) -> Outcome:
        """The command was refused with this named error and recorded nothing."""
        assert self.error is not None, f"expected {error.__name__}, got events {self.events}"
        assert isinstance(self.error, error), type(self.error)
        if match is not None:
            assert match in self.error.detail, self.error.detail
        assert self.events == []
        assert list(self.aggregate.collect_events()) == [] if self.aggregate else True
        return self


@dataclass
class Given:
    aggregate: Any
    history: list[Any]

    def when(self, command: Callable[[Any], Any]) -> Outcome:
        try:
            command(self.aggregate)
        except DomainError as error:
            return Outcome(self.aggregate, [], error, self.history)
        events = list(self.aggregate.collect_events())
        return Outcome(self.aggregate, events, None, self.history)


def given(*events: Any) -> Given:
    return Given(replay(events), list(events))


def when_created(factory: Callable[[], Any]) -> Outcome:
    """A creation command: its events, or the error it raised."""
    try:
        aggregate = factory()
    except DomainError as error:
        return Outcome(None, [], error)
    return Outcome(aggregate, list(aggregate.collect_events()), None)


def raises(error: type[DomainError], match: str | None = None) -> Any:
    return pytest.raises(error, match=match)
