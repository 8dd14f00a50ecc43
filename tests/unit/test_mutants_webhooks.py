"""What mutation testing found untested in webhook URLs (docs/testing.md): the length
limit at its edge, and each refusal saying what is wrong with the URL."""

from __future__ import annotations

import pytest

from domain.errors import InvalidWebhook
from domain.webhooks import MAX_URL, validate_event_types, validate_url

BASE = "https://bank.example/hooks/"


def test_a_url_of_the_maximum_length_is_accepted_and_one_longer_is_not() -> None:
    url = BASE + "a" * (MAX_URL - len(BASE))
    assert validate_url(url, require_https=True) == url
    with pytest.raises(InvalidWebhook, match=f"^url is longer than {MAX_URL} characters$"):
        validate_url(url + "a", require_https=True)


@pytest.mark.parametrize(
    ("url", "require_https", "detail"),
    [
        ("https://bank.example:99999/", True, "url is not a valid URL"),
        ("http://bank.example/", True, "url must use https, not http"),
        ("bank.example/hooks", False, "url must use https or http, not nothing"),
        ("https:///hooks", True, "url has no host"),
        (
            "https://user:pw@bank.example/",
            True,
            "url must not carry credentials; deliveries are signed instead",
        ),
        ("https://bank.example/#part", True, "url must not have a fragment"),
        ("https://bank.example:0/", True, "url has port 0"),
    ],
)
def test_each_refusal_says_what_is_wrong(url: str, require_https: bool, detail: str) -> None:
    with pytest.raises(InvalidWebhook) as refused:
        validate_url(url, require_https=require_https)
    assert refused.value.detail == detail


def test_port_one_is_a_port_like_any_other() -> None:
    assert validate_url("https://bank.example:1/", require_https=True) == "https://bank.example:1/"


def test_no_event_types_is_refused_saying_how_to_ask_for_all() -> None:
    with pytest.raises(InvalidWebhook) as refused:
        validate_event_types([])
    assert refused.value.detail == "give at least one event type (or '*' for all)"
