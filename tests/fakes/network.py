"""The network as the webhook tests see it: a resolver that answers without sending a
packet, and a socket opener that connects to loopback only.

The suite never sends a packet to an address outside 127.0.0.0/8 and ::1, not even to show
that a guard works: names are answered from a table here, and ``tests/conftest.py`` installs
both stand-ins for every container a test builds (``no_outside_network``).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

from domain.webhook_addresses import IPAddress

# A public address no test ever connects to (loopback_only refuses it): names that must be
# accepted at registration resolve here.
PUBLIC = "93.184.216.34"

NAMES: dict[str, tuple[str, ...]] = {
    "localhost": ("127.0.0.1", "::1"),
    "bank.example": (PUBLIC,),
    "a.example": (PUBLIC,),
    "receiver.example": (PUBLIC,),
    "v6.example": ("2606:4700::1111",),
    # What these resolve to inside a cloud or a LAN (a name rule refuses the first before
    # anything is asked; the others show the address check catches what a name hides).
    "metadata.google.internal": ("169.254.169.254",),
    "intranet.example": ("10.0.0.5",),
    "split.example": (PUBLIC, "10.0.0.5"),
    "rebind.example": (PUBLIC,),
}


class StubResolver:
    """``getaddrinfo`` without the network: IPv6 literals as they are, IPv4 in every numeric
    form the C library accepts (``socket.inet_aton``: ``2130706433``, ``0x7f.1``, ``127.1``),
    and names from a table; an unknown name does not resolve. Remembers what it was asked."""

    def __init__(self, names: dict[str, Iterable[str]] | None = None) -> None:
        self.names = {k: tuple(v) for k, v in (NAMES if names is None else names).items()}
        self.asked: list[str] = []

    def answer(self, host: str, *addresses: str) -> None:
        self.names[host] = addresses

    def resolve(self, host: str) -> list[IPAddress]:
        self.asked.append(host)
        try:
            return [ipaddress.IPv6Address(host)]
        except ValueError:
            pass
        try:
            return [ipaddress.IPv4Address(socket.inet_aton(host))]  # parses; sends nothing
        except OSError:
            pass
        return [ipaddress.ip_address(a) for a in self.names.get(host.lower().rstrip("."), ())]


class OutsideNetwork(ConnectionRefusedError):
    """A test tried to connect outside loopback."""


BLOCKED: list[tuple[str, int]] = []


def loopback_only(address: tuple[str, int], timeout: float) -> socket.socket:
    """``socket.create_connection`` for loopback addresses; anything else is refused (and
    remembered in ``BLOCKED``) before a packet leaves."""
    if not ipaddress.ip_address(address[0]).is_loopback:
        BLOCKED.append(address)
        raise OutsideNetwork(f"the test network guard refused {address[0]}")
    return socket.create_connection(address, timeout=timeout)
