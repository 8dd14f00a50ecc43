"""Where a webhook may be delivered: public receivers only (no server-side request forgery).

A receiver's URL names a host; every address it resolves to must be public, at registration
and again at each delivery (a name may resolve elsewhere later: DNS rebinding), and the
delivery connects to the address that was checked. Refused: loopback, private (RFC 1918,
unique local), shared (carrier-grade NAT), link-local (cloud metadata is 169.254.169.254),
multicast, unspecified, reserved and documentation ranges, and the IPv6 forms that carry an
IPv4 address (IPv4-mapped and -compatible, NAT64, 6to4, Teredo) when the address they carry
is refused. Names that only ever mean something inside a network (``localhost``,
``metadata.google.internal``, ``*.internal``…) are refused without being resolved.

Pure rules: resolving is the caller's (the application's ``Resolver`` port).
"""

from __future__ import annotations

import ipaddress
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from domain.errors import InvalidWebhook

IPAddress = IPv4Address | IPv6Address

PUBLIC_ONLY = "webhooks go to public receivers only"

# (network, what it is), most specific first. Every range the IANA special-purpose registries
# mark as not globally reachable, with multicast and the reserved ranges. The standard
# library's flags are consulted as well (``refusal``), but their lists differ between Python
# releases, so the rule does not rest on them alone.
_V4: tuple[tuple[IPv4Network, str], ...] = tuple(
    (IPv4Network(net), kind)
    for net, kind in (
        ("0.0.0.0/32", "an unspecified address"),
        ("0.0.0.0/8", "a reserved ('this network') address"),
        ("10.0.0.0/8", "a private address"),
        ("100.64.0.0/10", "a shared (carrier-grade NAT) address"),
        ("127.0.0.0/8", "a loopback address"),
        ("169.254.169.254/32", "a link-local address (cloud metadata)"),
        ("169.254.0.0/16", "a link-local address"),
        ("172.16.0.0/12", "a private address"),
        ("192.0.0.0/24", "a reserved (IETF protocol assignments) address"),
        ("192.0.2.0/24", "a reserved (documentation) address"),
        ("192.88.99.0/24", "a reserved (6to4 relay) address"),
        ("192.168.0.0/16", "a private address"),
        ("198.18.0.0/15", "a reserved (benchmarking) address"),
        ("198.51.100.0/24", "a reserved (documentation) address"),
        ("203.0.113.0/24", "a reserved (documentation) address"),
        ("224.0.0.0/4", "a multicast address"),
        ("255.255.255.255/32", "a broadcast address"),
        ("240.0.0.0/4", "a reserved address"),
    )
)
_V6: tuple[tuple[IPv6Network, str], ...] = tuple(
    (IPv6Network(net), kind)
    for net, kind in (
        ("::/128", "an unspecified address"),
        ("::1/128", "a loopback address"),
        ("64:ff9b:1::/48", "a private (local NAT64) address"),
        ("::/8", "a reserved address"),
        ("100::/64", "a reserved (discard) address"),
        ("2001:db8::/32", "a reserved (documentation) address"),
        ("2001::/23", "a reserved (IETF protocol assignments) address"),
        ("3fff::/20", "a reserved (documentation) address"),
        ("5f00::/16", "a reserved (segment routing) address"),
        ("fc00::/7", "a private (unique local) address"),
        ("fe80::/10", "a link-local address"),
        ("fec0::/10", "a reserved (site-local) address"),
        ("ff00::/8", "a multicast address"),
    )
)
_NAT64 = IPv6Network("64:ff9b::/96")
_COMPATIBLE = IPv6Network("::/96")
_TEREDO = IPv6Network("2001::/32")

# Names that only mean something inside a network, refused without asking a resolver.
_INTERNAL_NAMES = frozenset({"metadata", "metadata.google.internal", "metadata.goog"})
_INTERNAL_SUFFIXES = (".internal", ".local", ".home.arpa", ".localdomain")
_LOOPBACK_NAMES = ("localhost",)
_LOOPBACK_SUFFIXES = (".localhost",)


def carried_ipv4(address: IPv6Address) -> tuple[str, IPv4Address] | None:
    """The IPv4 address an IPv6 address carries, and how: IPv4-mapped (``::ffff:a.b.c.d``),
    IPv4-compatible (``::a.b.c.d``), NAT64 (``64:ff9b::a.b.c.d``), 6to4 (``2002:AABB:CCDD::``)
    or Teredo (the client's address)."""
    if address.ipv4_mapped is not None:
        return "IPv4-mapped", address.ipv4_mapped
    if address in _NAT64:
        return "NAT64", IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _COMPATIBLE and int(address) > 1:
        return "IPv4-compatible", IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return "6to4", address.sixtofour
    if address in _TEREDO and address.teredo is not None:
        return "Teredo", address.teredo[1]
    return None


def refusal(address: IPAddress, *, allow_loopback: bool = False) -> str | None:
    """What ``address`` is if a webhook may not go to it (``"a private address"``); None for a
    public address. ``allow_loopback`` (development and tests) lets loopback through, and
    nothing else."""
    table: tuple[tuple[IPv4Network | IPv6Network, str], ...] = _V4
    if isinstance(address, IPv6Address):
        address = IPv6Address(int(address))  # without a zone (%eth0)
        carried = carried_ipv4(address)
        if carried is not None:
            how, inner = carried
            kind = refusal(inner, allow_loopback=allow_loopback)
            if kind is not None:
                return f"{kind} ({how} {inner})"
            if how in ("IPv4-mapped", "NAT64"):
                return None  # the public IPv4 address itself, reached another way
        table = _V6
    kind = next((kind for network, kind in table if address in network), None)
    if kind is None and (
        address.is_multicast
        or address.is_private
        or address.is_reserved
        or address.is_link_local
        or address.is_loopback
        or address.is_unspecified
        or not address.is_global
    ):
        kind = "a multicast address" if address.is_multicast else "a reserved address"
    if allow_loopback and kind == "a loopback address":
        return None
    return kind


def literal_address(host: str) -> IPAddress | None:
    """The address a URL's host spells in standard notation (``10.0.0.5``, ``::1``), or
    None for a name. Other numeric spellings (``2130706433``, ``0x7f.1``, ``127.1``) are
    names to this function: the resolver reads them as the operating system does, and the
    address it answers is checked."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def name_refusal(host: str, *, allow_loopback: bool = False) -> str | None:
    """Why a host name is refused before it is resolved: the cloud metadata services' names,
    the names reserved for use inside a network, and ``localhost`` (unless allowed)."""
    name = host.lower().rstrip(".")
    if name in _INTERNAL_NAMES or name.endswith(_INTERNAL_SUFFIXES):
        return "a name used only inside a network (metadata services, .internal, .local)"
    if not allow_loopback and (name in _LOOPBACK_NAMES or name.endswith(_LOOPBACK_SUFFIXES)):
        return "a loopback name"
    return None


def require_public_name(host: str, *, allow_loopback: bool = False) -> None:
    why = name_refusal(host, allow_loopback=allow_loopback)
    if why is not None:
        raise InvalidWebhook(f"url's host {host} is {why}: {PUBLIC_ONLY}")


def require_public(
    host: str, addresses: list[IPAddress], *, allow_loopback: bool = False
) -> IPAddress:
    """The address to connect to: the first of ``addresses`` (what ``host`` resolved to),
    when every one of them is public. Raises ``InvalidWebhook`` naming the first refused
    address and what it is, or saying the host does not resolve."""
    if not addresses:
        raise InvalidWebhook(f"url's host {host} does not resolve to an address")
    for address in addresses:
        why = refusal(address, allow_loopback=allow_loopback)
        if why is not None:
            if literal_address(host) == address:
                subject = f"url's host is {host}"  # as written: ::ffff:127.0.0.1
            else:
                subject = f"url's host {host} resolves to {address}"
            raise InvalidWebhook(f"{subject}, {why}: {PUBLIC_ONLY}")
    return addresses[0]
