"""The outbound policy of workflows: which addresses a node may reach over the network
(http_request, webhook actions, database integrations), so that a workflow cannot reach
the host's own network or a cloud's metadata service.

Only globally routable unicast addresses are allowed: private (10/8, 172.16/12,
192.168/16, fc00::/7), loopback, link-local (169.254/16 with 169.254.169.254, fe80::/10),
shared (100.64/10), multicast, reserved, documentation and unspecified addresses are
refused, and so is an IPv6 address that embeds one of those IPv4 addresses (IPv4-mapped
::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4 2002::/16, Teredo). Loopback is allowed when
AUTOMATION_ALLOW_LOOPBACK is set (tests, a one-box setup).

A name is resolved once, every address it resolves to is checked, and the caller connects
to the checked address (no second lookup that DNS rebinding could answer differently).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundRefused(Exception):
    """The destination is not allowed, or cannot be resolved."""


@dataclass(frozen=True)
class Destination:
    host: str  # as given (the name for Host and TLS)
    address: IPAddress  # where to connect


def refusal(address: IPAddress, allow_loopback: bool) -> str | None:
    """Why `address` may not be reached (None: it may)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # the IPv4 address it is, to the kernel
    for candidate in (address, *_embedded(address)):
        if candidate.is_loopback:
            if allow_loopback:
                continue
            return f"{address} is a loopback address"
        if candidate.is_multicast or not candidate.is_global:
            return f"{address} is not a public address"
    return None


def _embedded(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries."""
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    found = [address.sixtofour]
    if address.teredo:
        found += list(address.teredo)
    if address in _NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [candidate for candidate in found if candidate is not None]


async def resolve(host: str, port: int, allow_loopback: bool) -> Destination:
    """The address to connect to for `host`, once every address it resolves to is allowed."""
    literal = host.strip("[]")
    try:
        addresses: list[IPAddress] = [ipaddress.ip_address(literal)]
    except ValueError:
        addresses = await _lookup(host, port)
    for address in addresses:
        reason = refusal(address, allow_loopback)
        if reason:
            raise OutboundRefused(f"{host}: {reason}")
    return Destination(host, addresses[0])


async def _lookup(host: str, port: int) -> list[IPAddress]:
    loop = asyncio.get_running_loop()
    try:
        found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise OutboundRefused(f"{host}: cannot be resolved ({error})") from None
    addresses = [ipaddress.ip_address(str(entry[4][0]).split("%")[0]) for entry in found]
    if not addresses:
        raise OutboundRefused(f"{host}: cannot be resolved")
    return addresses
