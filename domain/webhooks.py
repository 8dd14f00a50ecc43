"""Webhooks: where an integrator wants to be told of events, how deliveries are signed, and
when a failed delivery is tried again."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from domain.errors import InvalidWebhook
from domain.quoting import quoted

# After a failed attempt: about 1 minute, 5 minutes, 1 hour, 1 day; then no more.
RETRY_SCHEDULE = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(hours=1),
    timedelta(days=1),
)
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1
SIGNATURE_HEADER = "Yagona-Signature"
EVENT_ID_HEADER = "Yagona-Event-Id"

# A host name as DNS spells it (internationalised names in their xn-- form); anything else
# (spaces, which some resolvers skip with what follows, full-width digits that IDNA folds to
# ASCII, percent signs) would let the name checked differ from the name resolved.
_HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")
_TYPE = re.compile(r"^[A-Z][A-Za-z0-9]*(\.[A-Z][A-Za-z0-9]*)?$")
MAX_URL = 2000
MAX_TYPES = 50


def validate_url(url: str, *, require_https: bool) -> str:
    """The URL if a webhook may be sent to it: http(s) (https when required), a host, and
    no credentials in it (the signature authenticates deliveries)."""
    if len(url) > MAX_URL:
        raise InvalidWebhook(f"url is longer than {MAX_URL} characters")
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # raises on a malformed port
    except ValueError:
        raise InvalidWebhook("url is not a valid URL") from None
    allowed = ("https",) if require_https else ("https", "http")
    if parts.scheme not in allowed:
        raise InvalidWebhook(
            f"url must use {' or '.join(allowed)}, not {parts.scheme or 'nothing'}"
        )
    if not parts.hostname:
        raise InvalidWebhook("url has no host")
    if not _valid_host(parts.hostname):
        raise InvalidWebhook(
            "url's host is not a host name or IP address (give an internationalised name "
            "in its xn-- form)"
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidWebhook("url must not carry credentials; deliveries are signed instead")
    if parts.fragment:
        raise InvalidWebhook("url must not have a fragment")
    if port == 0:
        raise InvalidWebhook("url has port 0")
    return url.strip()


def _valid_host(host: str) -> bool:
    if ":" in host:  # an IPv6 literal (urlsplit has taken off the brackets)
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return "%" not in host  # a zone names an interface of this machine
    return len(host) <= 253 and _HOST_NAME.fullmatch(host) is not None


def validate_event_types(types: list[str]) -> tuple[str, ...]:
    """Event types (``Payment.Succeeded``), whole aggregates (``Payment``) or ``*``."""
    if not types:
        raise InvalidWebhook("give at least one event type (or '*' for all)")
    if len(types) > MAX_TYPES:
        raise InvalidWebhook(f"at most {MAX_TYPES} event types")
    for kind in types:
        if kind != "*" and not _TYPE.match(kind):
            raise InvalidWebhook(
                f"{quoted(kind)} is not an event type like 'Payment.Succeeded', an aggregate like "
                "'Payment', or '*'"
            )
    return tuple(sorted(set(types)))


def wants(event_types: tuple[str, ...], event_type: str) -> bool:
    return (
        "*" in event_types
        or event_type in event_types
        or event_type.split(".", 1)[0] in event_types
    )


def next_attempt_at(attempts_made: int, now: datetime) -> datetime | None:
    """When to try again after ``attempts_made`` failed attempts (None: give up)."""
    if attempts_made >= MAX_ATTEMPTS:
        return None
    return now + RETRY_SCHEDULE[attempts_made - 1]


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">``: receivers recompute it with
    the subscription's secret and reject stale timestamps."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify_signature(secret: str, header: str, body: bytes) -> bool:
    """What a receiver does (used by the tests and documented for integrators)."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), header)
