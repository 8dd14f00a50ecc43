"""Rate limits: how many requests a client address, and a subject, may make of a named
limit within a window (issue 15).

Each named limit (``LIMITS``) has two budgets, either of which can be off: one per client
address and one per subject. The subject is what guessing or flooding would target:

- ``verification`` (public verification of result documents): the registration number
  looked up, so a document's code cannot be guessed from many addresses;
- ``submission`` (``POST /v1/applications``): the caller's subject (a citizen's PINFL);
- ``sign_in`` (the portal's sign-in, issue 16): the account signing in.

A budget is ``COUNT/SECONDS`` (``30/60``: 30 requests per 60 seconds), or ``0``/``off``.
Counting is a fixed window per key, kept by a ``RateLimitStore`` every API process shares
(PostgreSQL). Keys hold no personal data: each value (an address, a PINFL, a number) is
replaced by a keyed hash before it reaches the store. Every request counts, refused ones
included (a client that keeps sending while refused stays refused until the window ends).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from ipaddress import IPv6Address, ip_address, ip_network
from typing import Protocol

from application.ports import Clock

VERIFICATION = "verification"
SUBMISSION = "submission"
SIGN_IN = "sign_in"
LIMITS = (VERIFICATION, SUBMISSION, SIGN_IN)
# What the subject of each limit is, for the refusal's detail.
SUBJECTS = {VERIFICATION: "registration number", SUBMISSION: "account", SIGN_IN: "account"}
ADDRESS, SUBJECT = "address", "subject"
MAX_COUNT = 1_000_000
MAX_WINDOW = 86_400  # a day
_BUDGET = re.compile(r"(\d{1,7})\s*/\s*(\d{1,6})")
DISABLED = ("0", "off")


class InvalidBudget(ValueError):
    """A budget setting that is not ``COUNT/SECONDS``, ``0`` or ``off``."""


@dataclass(frozen=True)
class Budget:
    count: int  # requests allowed per window
    window: int  # seconds

    def __str__(self) -> str:
        return f"{self.count}/{self.window}"


def parse_budget(text: str) -> Budget | None:
    """``"30/60"`` as a budget of 30 requests per 60 seconds; ``"0"`` or ``"off"``: none."""
    value = text.strip().lower()
    if value in DISABLED:
        return None
    match = _BUDGET.fullmatch(value)
    if match is None:
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise InvalidBudget(
            f"must be COUNT/SECONDS (e.g. 30/60: 30 requests per 60 seconds), "
            f"or 0 or off to disable it; not {shown!r}"
        )
    count, window = int(match[1]), int(match[2])
    if not 1 <= count <= MAX_COUNT:
        raise InvalidBudget(f"the count must be 1 to {MAX_COUNT} (or 0 to disable), not {count}")
    if not 1 <= window <= MAX_WINDOW:
        raise InvalidBudget(f"the window must be 1 to {MAX_WINDOW} seconds, not {window}")
    return Budget(count, window)


@dataclass(frozen=True)
class Policy:
    """A named limit's budgets; ``None``: that budget is off."""

    name: str
    per_address: Budget | None
    per_subject: Budget | None


@dataclass(frozen=True)
class Decision:
    """A store's answer for one key: this request is within the budget or not, how many
    requests are left in the window, and in how many seconds the window ends."""

    allowed: bool
    remaining: int
    reset_seconds: int


class RateLimitStore(Protocol):
    """Counts requests per key and fixed window, shared by every API process."""

    def hit(self, key: str, window: int, limit: int, now: datetime) -> Decision:
        """Count one request for ``key`` in the ``window``-second window holding ``now``
        (windows start at multiples of ``window`` since the epoch), atomically."""
        ...


def window_start(now: datetime, window: int) -> int:
    """The epoch second the fixed window holding ``now`` starts at."""
    second = int(now.timestamp())
    return second - second % window


@dataclass(frozen=True)
class Count:
    """One budget after this request: ``policy`` names it (``verification-address``)."""

    policy: str
    budget: Budget
    decision: Decision


@dataclass(frozen=True)
class Verdict:
    """A request's counts under a named limit (empty when both budgets are off)."""

    limit: str
    counts: tuple[Count, ...]

    @property
    def allowed(self) -> bool:
        return all(count.decision.allowed for count in self.counts)

    @property
    def refused(self) -> tuple[Count, ...]:
        return tuple(count for count in self.counts if not count.decision.allowed)

    @property
    def retry_after(self) -> int:
        """Seconds until every refusing budget has a new window (at least 1)."""
        return max([1, *(count.decision.reset_seconds for count in self.refused)])


class RateLimited(Exception):
    """A request over a budget; ``detail`` names the limit and when to retry, nothing of
    the caller (answered with 429)."""

    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict
        scopes = " and ".join(
            "this address"
            if count.policy.endswith(ADDRESS)
            else f"this {SUBJECTS.get(verdict.limit, 'subject')}"
            for count in verdict.refused
        )
        budgets = ", ".join(
            f"{count.budget.count} per {count.budget.window} s" for count in verdict.refused
        )
        self.detail = (
            f"too many {verdict.limit.replace('_', '-')} requests from {scopes} "
            f"(at most {budgets}); retry in {verdict.retry_after} s"
        )
        super().__init__(self.detail)


def address_bucket(address: str) -> str:
    """What an address counts as: an IPv4 address itself, an IPv6 address its /64 (one
    host commonly holds a whole /64), anything else (a test client's name) as given."""
    try:
        parsed = ip_address(address.strip())
    except ValueError:
        return address.strip()
    if isinstance(parsed, IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


class RateLimits:
    """Counts a request against a named limit's budgets, refusing it when one is spent."""

    def __init__(
        self, policies: Mapping[str, Policy], store: RateLimitStore, clock: Clock, key: bytes
    ) -> None:
        unknown = set(policies) - set(LIMITS)
        if unknown:
            raise ValueError(f"unknown rate limits: {', '.join(sorted(unknown))}")
        self.policies = dict(policies)
        self.store = store
        self.clock = clock
        self._key = key

    def check(self, limit: str, *, address: str | None, subject: str | None) -> Verdict:
        """Count this request from ``address`` about ``subject`` (either may be unknown:
        ``None``) under ``limit``; raises ``RateLimited`` when a budget is spent."""
        policy = self.policies.get(limit)
        if policy is None:
            if limit not in LIMITS:
                raise ValueError(f"no rate limit is named {limit!r}")
            return Verdict(limit, ())
        now = self.clock.now()
        counts = []
        for scope, budget, value in (
            (ADDRESS, policy.per_address, address_bucket(address) if address else None),
            (SUBJECT, policy.per_subject, subject.strip() if subject else None),
        ):
            if budget is None or not value:
                continue
            key = f"{limit}:{scope}:{self._digest(limit, scope, value)}"
            decision = self.store.hit(key, budget.window, budget.count, now)
            counts.append(Count(f"{limit.replace('_', '-')}-{scope}", budget, decision))
        verdict = Verdict(limit, tuple(counts))
        if not verdict.allowed:
            raise RateLimited(verdict)
        return verdict

    def _digest(self, limit: str, scope: str, value: str) -> str:
        """A keyed hash of the value: the store never holds an address or a PINFL."""
        message = f"{limit}\x00{scope}\x00{value}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]
