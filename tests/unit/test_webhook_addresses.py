"""Which addresses a webhook may go to (domain/webhook_addresses.py): public ones only.
Pure rules: nothing here resolves or connects."""

from __future__ import annotations

import socket
from ipaddress import IPv4Address, IPv6Address, ip_address

import pytest

from domain.errors import InvalidWebhook
from domain.webhook_addresses import (
    carried_ipv4,
    literal_address,
    name_refusal,
    refusal,
    require_public,
)
from domain.webhooks import validate_url
from tests.fakes.network import StubResolver


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "a loopback address"),
        ("127.255.255.254", "a loopback address"),
        ("::1", "a loopback address"),
        ("0.0.0.0", "an unspecified address"),  # noqa: S104 - an address refused, not bound
        ("::", "an unspecified address"),
        ("0.1.2.3", "a reserved ('this network') address"),
        ("10.0.0.5", "a private address"),
        ("172.16.0.1", "a private address"),
        ("172.31.255.255", "a private address"),
        ("192.168.1.1", "a private address"),
        ("100.64.0.1", "a shared (carrier-grade NAT) address"),
        ("169.254.169.254", "a link-local address (cloud metadata)"),
        ("169.254.1.1", "a link-local address"),
        ("192.0.0.8", "a reserved (IETF protocol assignments) address"),
        ("192.0.2.1", "a reserved (documentation) address"),
        ("198.18.0.1", "a reserved (benchmarking) address"),
        ("198.51.100.7", "a reserved (documentation) address"),
        ("203.0.113.9", "a reserved (documentation) address"),
        ("192.88.99.1", "a reserved (6to4 relay) address"),
        ("224.0.0.1", "a multicast address"),
        ("239.255.255.250", "a multicast address"),
        ("240.0.0.1", "a reserved address"),
        ("255.255.255.255", "a broadcast address"),
        ("fd00::1", "a private (unique local) address"),
        ("fc00::1", "a private (unique local) address"),
        ("fe80::1", "a link-local address"),
        ("fec0::1", "a reserved (site-local) address"),
        ("ff02::1", "a multicast address"),
        ("100::1", "a reserved (discard) address"),
        ("2001:db8::1", "a reserved (documentation) address"),
        ("64:ff9b:1::1", "a private (local NAT64) address"),
        ("::ffff:127.0.0.1", "a loopback address (IPv4-mapped 127.0.0.1)"),
        ("::ffff:10.0.0.5", "a private address (IPv4-mapped 10.0.0.5)"),
        ("::ffff:169.254.169.254", "a link-local address (cloud metadata) (IPv4-mapped"),
        ("::ffff:0.0.0.0", "an unspecified address (IPv4-mapped 0.0.0.0)"),
        ("::127.0.0.1", "a loopback address (IPv4-compatible 127.0.0.1)"),
        ("::10.0.0.5", "a private address (IPv4-compatible 10.0.0.5)"),
        ("::8.8.8.8", "a reserved address"),  # IPv4-compatible is deprecated: not routed
        ("64:ff9b::a00:5", "a private address (NAT64 10.0.0.5)"),
        ("64:ff9b::7f00:1", "a loopback address (NAT64 127.0.0.1)"),
        ("2002:a00:5::", "a private address (6to4 10.0.0.5)"),
        ("2002:7f00:1::1", "a loopback address (6to4 127.0.0.1)"),
        ("2002:a9fe:a9fe::", "a link-local address (cloud metadata) (6to4 169.254.169.254)"),
        # Teredo: the client address is stored inverted; 127.0.0.1 -> 80ff:fffe
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "a loopback address (Teredo 127.0.0.1)"),
        (
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "a reserved (documentation) address (Teredo 192.0.2.45)",
        ),
    ],
)
def test_addresses_that_are_not_public_are_refused_saying_what_they_are(
    address: str, kind: str
) -> None:
    found = refusal(ip_address(address))
    assert found is not None
    assert found.startswith(kind)


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "93.184.216.34",
        "195.158.1.2",
        "2606:4700::1111",
        "2a00:1450:4001:82a::200e",
        "::ffff:8.8.8.8",  # IPv4-mapped public: the same receiver
        "64:ff9b::808:808",  # NAT64 of a public address
        "2002:808:808::1",  # 6to4 of a public address
    ],
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert refusal(ip_address(address)) is None
    assert refusal(ip_address(address), allow_loopback=True) is None


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_allowing_loopback_lets_loopback_through(address: str) -> None:
    assert refusal(ip_address(address)) is not None
    assert refusal(ip_address(address), allow_loopback=True) is None


@pytest.mark.parametrize(
    "address",
    ["0.0.0.0", "10.0.0.5", "169.254.169.254", "192.168.0.1", "fd00::1", "fe80::1", "::"],  # noqa: S104
)
def test_allowing_loopback_lets_nothing_else_through(address: str) -> None:
    assert refusal(ip_address(address), allow_loopback=True) is not None


def test_a_zone_does_not_hide_a_link_local_address() -> None:
    assert refusal(ip_address("fe80::1%eth0")) == "a link-local address"


def test_the_carried_ipv4_address_is_found_in_each_form() -> None:
    assert carried_ipv4(IPv6Address("::ffff:1.2.3.4")) == ("IPv4-mapped", IPv4Address("1.2.3.4"))
    assert carried_ipv4(IPv6Address("::1.2.3.4")) == ("IPv4-compatible", IPv4Address("1.2.3.4"))
    assert carried_ipv4(IPv6Address("64:ff9b::102:304")) == ("NAT64", IPv4Address("1.2.3.4"))
    assert carried_ipv4(IPv6Address("2002:102:304::")) == ("6to4", IPv4Address("1.2.3.4"))
    assert carried_ipv4(IPv6Address("::1")) is None
    assert carried_ipv4(IPv6Address("2606:4700::1111")) is None


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0", "0.0.0.0"),  # noqa: S104
        ("2852039166", "169.254.169.254"),
        ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
        ("10.1", "10.0.0.1"),
    ],
)
def test_numeric_forms_are_what_the_resolver_reads_them_as_and_are_refused(
    host: str, address: str
) -> None:
    """The C library reads these as IPv4 addresses (``inet_aton``); a textual check would
    take them for names. The guard checks what they resolve to."""
    assert literal_address(host) is None  # not standard notation: resolved, then checked
    assert str(IPv4Address(socket.inet_aton(host))) == address  # what getaddrinfo answers
    resolved = StubResolver().resolve(host)
    assert [str(a) for a in resolved] == [address]
    with pytest.raises(InvalidWebhook, match=f"resolves to {address}, a"):
        require_public(host, resolved)


@pytest.mark.parametrize(
    "host",
    [
        "metadata.google.internal",
        "METADATA.GOOGLE.INTERNAL.",
        "metadata",
        "metadata.goog",
        "instance-data.ec2.internal",
        "printer.local",
        "nas.home.arpa",
        "db.localdomain",
        "localhost",
        "localhost.",
        "app.localhost",
    ],
)
def test_names_used_only_inside_a_network_are_refused_by_name(host: str) -> None:
    assert name_refusal(host) is not None


def test_localhost_is_allowed_by_name_only_with_loopback() -> None:
    assert name_refusal("localhost", allow_loopback=True) is None
    assert name_refusal("metadata.google.internal", allow_loopback=True) is not None
    assert name_refusal("bank.example") is None
    assert name_refusal("internal.bank.example") is None


def test_every_address_is_checked_and_the_first_is_the_one_to_connect_to() -> None:
    public, private = ip_address("93.184.216.34"), ip_address("10.0.0.5")
    assert require_public("bank.example", [public, ip_address("8.8.8.8")]) == public
    with pytest.raises(InvalidWebhook) as refused:
        require_public("split.example", [public, private])
    assert refused.value.detail == (
        "url's host split.example resolves to 10.0.0.5, a private address: "
        "webhooks go to public receivers only"
    )
    with pytest.raises(InvalidWebhook) as literal:
        require_public("169.254.169.254", [ip_address("169.254.169.254")])
    assert literal.value.detail == (
        "url's host is 169.254.169.254, a link-local address (cloud metadata): "
        "webhooks go to public receivers only"
    )
    with pytest.raises(InvalidWebhook, match="does not resolve"):
        require_public("nowhere.example", [])


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1 x/",  # the C library's inet_aton stops at the space: 127.0.0.1
        "http://１２７.０.０.１/",  # full-width digits, which IDNA folds to 127.0.0.1
        "http://bänk.example/",
        "http://[fe80::1%25eth0]/",
        "http://a..b/",
        "http://bank.example%2F@x/",
    ],
)
def test_hosts_that_a_resolver_could_read_otherwise_are_refused_as_text(url: str) -> None:
    with pytest.raises(InvalidWebhook):
        validate_url(url, require_https=False)


@pytest.mark.parametrize(
    "url", ["http://xn--bnk-qla.example/", "http://bank.example./", "http://[2606:4700::1111]/"]
)
def test_ascii_names_trailing_dots_and_ipv6_literals_are_hosts(url: str) -> None:
    assert validate_url(url, require_https=False) == url
