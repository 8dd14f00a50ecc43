"""Webhook rules: URLs, event types, the retry schedule, signatures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import InvalidWebhook
from domain.webhooks import (
    MAX_ATTEMPTS,
    next_attempt_at,
    signature,
    validate_event_types,
    validate_url,
    verify_signature,
    wants,
)

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "url", ["https://bank.example/hook", "http://10.0.0.5:8080/x?y=1", "https://[::1]/h"]
)
def test_http_and_https_urls_are_accepted(url: str) -> None:
    assert validate_url(url, require_https=False) == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://bank.example/x", "must use"),
        ("javascript:alert(1)", "must use"),
        ("https://u:p@bank.example/", "credentials"),
        ("https://u@bank.example/", "credentials"),
        ("https:///path", "no host"),
        ("https://bank.example/#frag", "fragment"),
        ("https://bank.example:99999/", "not a valid URL"),
        ("https://bank.example/" + "a" * 2000, "longer than"),
    ],
)
def test_bad_urls_are_refused_with_the_reason(url: str, reason: str) -> None:
    with pytest.raises(InvalidWebhook, match=reason):
        validate_url(url, require_https=False)


def test_production_requires_https() -> None:
    with pytest.raises(InvalidWebhook, match="must use https, not http"):
        validate_url("http://bank.example/hook", require_https=True)


def test_event_types_are_types_aggregates_or_everything() -> None:
    assert validate_event_types(["Payment.Succeeded", "Payment", "Payment"]) == (
        "Payment",
        "Payment.Succeeded",
    )
    for bad in ([], ["payment.succeeded"], ["Payment.Succeeded.Extra"], ["Pay ment"]):
        with pytest.raises(InvalidWebhook):
            validate_event_types(bad)
    assert wants(("Payment",), "Payment.Succeeded")
    assert wants(("*",), "ServiceApplication.Submitted")
    assert wants(("Payment.Failed",), "Payment.Failed")
    assert not wants(("Payment.Failed",), "Payment.Succeeded")
    assert not wants(("Pay",), "Payment.Succeeded")


def test_retries_follow_the_schedule_then_stop() -> None:
    assert MAX_ATTEMPTS == 5
    assert [next_attempt_at(n, NOW) for n in range(1, 6)] == [
        NOW + timedelta(minutes=1),
        NOW + timedelta(minutes=5),
        NOW + timedelta(hours=1),
        NOW + timedelta(days=1),
        None,
    ]


def test_a_signature_verifies_only_with_its_secret_and_body() -> None:
    header = signature("whsec_a", 1_764_226_800, b'{"id":"1"}')
    assert header.startswith("t=1764226800,v1=")
    assert verify_signature("whsec_a", header, b'{"id":"1"}')
    assert not verify_signature("whsec_b", header, b'{"id":"1"}')
    assert not verify_signature("whsec_a", header, b'{"id":"2"}')
    assert not verify_signature("whsec_a", header.replace("t=1764226800", "t=1"), b'{"id":"1"}')
    assert not verify_signature("whsec_a", "garbage", b"")
