"""The rate limits' rule (application/rate_limits.py) on the in-memory counters, and the
settings that configure it: budgets, scopes, windows, keys without personal data."""

from __future__ import annotations

from datetime import timedelta

import pytest
import typer
from pydantic import ValidationError

from api.cli_common import load_settings
from application.rate_limits import (
    LIMITS,
    SIGN_IN,
    SUBMISSION,
    VERIFICATION,
    Budget,
    InvalidBudget,
    Policy,
    RateLimited,
    RateLimits,
    address_bucket,
    parse_budget,
)
from infrastructure.settings import Settings
from tests.conftest import RATE_LIMIT_SETTINGS, TEST_NOW
from tests.fakes.adapters import FixedClock
from tests.fakes.rate_limits import MemoryRateLimitStore

PINFL = "31503901234567"
THREE, TWO = Budget(3, 60), Budget(2, 60)


def limits(
    address: Budget | None = THREE, subject: Budget | None = TWO
) -> tuple[RateLimits, MemoryRateLimitStore, FixedClock]:
    store, clock = MemoryRateLimitStore(), FixedClock(TEST_NOW)
    policies = {name: Policy(name, address, subject) for name in LIMITS}
    return RateLimits(policies, store, clock, b"k" * 32), store, clock


def test_budgets_parse_and_zero_or_off_disable() -> None:
    assert parse_budget("30/60") == Budget(30, 60)
    assert parse_budget(" 5 / 300 ") == Budget(5, 300)
    assert parse_budget("0") is None
    assert parse_budget("OFF") is None
    for bad, says in [
        ("30", "COUNT/SECONDS"),
        ("thirty/60", "COUNT/SECONDS"),
        ("30/60/1", "COUNT/SECONDS"),
        ("-1/60", "COUNT/SECONDS"),
        ("0/60", "the count must be 1 to"),
        ("5/0", "the window must be 1 to 86400"),
        ("5/100000", "the window must be 1 to 86400"),
    ]:
        with pytest.raises(InvalidBudget, match=says):
            parse_budget(bad)


def test_the_address_budget_refuses_the_request_after_its_count() -> None:
    rate_limits, _, _ = limits(subject=None)
    for remaining in (2, 1, 0):
        verdict = rate_limits.check(VERIFICATION, address="192.0.2.7", subject="R-1")
        assert verdict.allowed
        assert [c.decision.remaining for c in verdict.counts] == [remaining]
    with pytest.raises(RateLimited) as refused:
        rate_limits.check(VERIFICATION, address="192.0.2.7", subject="R-2")
    assert refused.value.verdict.retry_after == 60
    assert refused.value.detail == (
        "too many verification requests from this address (at most 3 per 60 s); retry in 60 s"
    )
    # Another address is not affected.
    assert rate_limits.check(VERIFICATION, address="192.0.2.8", subject="R-1").allowed


def test_the_subject_budget_counts_from_every_address() -> None:
    rate_limits, _, _ = limits(address=None)
    rate_limits.check(VERIFICATION, address="192.0.2.1", subject="R-7")
    rate_limits.check(VERIFICATION, address="192.0.2.2", subject="R-7")
    with pytest.raises(RateLimited, match="from this registration number"):
        rate_limits.check(VERIFICATION, address="192.0.2.3", subject="R-7")
    assert rate_limits.check(VERIFICATION, address="192.0.2.3", subject="R-8").allowed


def test_a_new_window_allows_again_and_retry_after_counts_down() -> None:
    rate_limits, _, clock = limits(address=Budget(1, 60), subject=None)
    # TEST_NOW is on a minute: the window holding it ends 60 s later.
    rate_limits.check(SUBMISSION, address="192.0.2.7", subject=PINFL)
    clock.advance(timedelta(seconds=45))
    with pytest.raises(RateLimited) as refused:
        rate_limits.check(SUBMISSION, address="192.0.2.7", subject=PINFL)
    assert refused.value.verdict.retry_after == 15
    clock.advance(timedelta(seconds=15))
    verdict = rate_limits.check(SUBMISSION, address="192.0.2.7", subject=PINFL)
    assert verdict.allowed
    assert verdict.counts[0].decision.reset_seconds == 60


def test_each_limit_counts_on_its_own() -> None:
    rate_limits, _, _ = limits(address=Budget(1, 60), subject=None)
    rate_limits.check(SUBMISSION, address="192.0.2.7", subject=None)
    assert rate_limits.check(VERIFICATION, address="192.0.2.7", subject=None).allowed
    assert rate_limits.check(SIGN_IN, address="192.0.2.7", subject=None).allowed
    with pytest.raises(RateLimited, match="too many sign-in requests"):
        rate_limits.check(SIGN_IN, address="192.0.2.7", subject=None)


def test_a_refusal_names_every_spent_budget_and_no_personal_data() -> None:
    rate_limits, _, _ = limits(address=Budget(1, 60), subject=Budget(1, 300))
    rate_limits.check(SUBMISSION, address="192.0.2.7", subject=PINFL)
    with pytest.raises(RateLimited) as refused:
        rate_limits.check(SUBMISSION, address="192.0.2.7", subject=PINFL)
    detail = refused.value.detail
    assert "from this address and this account" in detail
    assert "1 per 60 s, 1 per 300 s" in detail
    assert refused.value.verdict.retry_after == 300
    assert PINFL not in detail
    assert "192.0.2.7" not in detail


def test_the_store_holds_keyed_hashes_never_an_address_or_a_pinfl() -> None:
    rate_limits, store, _ = limits()
    rate_limits.check(SUBMISSION, address="192.0.2.7", subject=PINFL)
    keys = list(store.rows)
    assert len(keys) == 2
    assert all(PINFL not in key and "192.0.2.7" not in key for key in keys)
    assert {key.rsplit(":", 1)[0] for key in keys} == {"submission:address", "submission:subject"}
    other, other_store, _ = limits()
    other.policies, other._key = rate_limits.policies, b"another key" * 3
    other.check(SUBMISSION, address="192.0.2.7", subject=PINFL)
    assert set(other_store.rows).isdisjoint(keys)  # the hash is keyed


def test_an_ipv6_host_counts_as_its_64() -> None:
    assert address_bucket("2001:db8:1:2:aaaa::1") == address_bucket("2001:db8:1:2:bbbb::9")
    assert address_bucket("2001:db8:1:2::1") != address_bucket("2001:db8:1:3::1")
    assert address_bucket("::ffff:192.0.2.7") == "192.0.2.7"
    assert address_bucket("testclient") == "testclient"
    rate_limits, _, _ = limits(address=Budget(1, 60), subject=None)
    rate_limits.check(VERIFICATION, address="2001:db8::1", subject=None)
    with pytest.raises(RateLimited):
        rate_limits.check(VERIFICATION, address="2001:db8::2", subject=None)


def test_off_budgets_and_unknown_values_count_nothing() -> None:
    rate_limits, store, _ = limits(address=None, subject=None)
    for _ in range(10):
        assert rate_limits.check(VERIFICATION, address="192.0.2.7", subject="R").counts == ()
    assert store.rows == {}
    counting, store, _ = limits(address=Budget(1, 60), subject=Budget(1, 60))
    assert counting.check(VERIFICATION, address=None, subject=None).counts == ()
    with pytest.raises(ValueError, match="no rate limit is named 'login'"):
        counting.check("login", address="192.0.2.7", subject=None)


def test_settings_default_budgets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in RATE_LIMIT_SETTINGS:  # the suite turns them off
        monkeypatch.delenv(name, raising=False)
    policies = Settings().rate_limit_policies
    assert set(policies) == {VERIFICATION, SUBMISSION, SIGN_IN}
    assert policies[VERIFICATION] == Policy(VERIFICATION, Budget(30, 60), Budget(10, 60))
    assert policies[SUBMISSION] == Policy(SUBMISSION, Budget(60, 60), Budget(10, 60))
    assert policies[SIGN_IN] == Policy(SIGN_IN, Budget(20, 60), Budget(5, 300))
    monkeypatch.setenv("YAGONA_RATE_LIMIT_SIGN_IN_PER_SUBJECT", "off")
    monkeypatch.setenv("YAGONA_RATE_LIMIT_VERIFICATION_PER_ADDRESS", "0")
    policies = Settings().rate_limit_policies
    assert policies[SIGN_IN].per_subject is None
    assert policies[VERIFICATION].per_address is None


def test_a_malformed_budget_setting_names_the_variable() -> None:
    with pytest.raises(ValidationError) as error:
        Settings(rate_limit_verification_per_address="30 per minute")  # type: ignore[call-arg]
    assert "YAGONA_RATE_LIMIT_VERIFICATION_PER_ADDRESS: must be COUNT/SECONDS" in str(error.value)


def test_the_command_line_refuses_to_start_with_a_malformed_budget(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("YAGONA_RATE_LIMIT_SUBMISSION_PER_SUBJECT", "10/0")
    with pytest.raises(typer.Exit) as exited:
        load_settings()
    assert exited.value.exit_code == 2
    printed = " ".join(capsys.readouterr().err.split())
    assert "configuration error" in printed
    assert "YAGONA_RATE_LIMIT_SUBMISSION_PER_SUBJECT: the window must be 1 to 86400" in printed
