"""The client's address: the one our trusted proxies report, never a header anyone can set.

``ESIGN_TRUSTED_PROXIES`` lists the reverse proxies (addresses or networks) in front of the
service. A request whose peer is one of them has its ``X-Forwarded-For`` read from right to
left: each proxy appends the address it received the request from, so the rightmost entries
are written by our proxies and the first entry that is not a trusted proxy is the client. Entries
further left were written by the client itself (or proxies we do not know) and are ignored: a
client rotating a forged ``X-Forwarded-For`` gets the same address each time. A request from an
untrusted peer is that peer, whatever its headers say. Run uvicorn *without*
``--proxy-headers`` (it would rewrite the peer from the header before we see it).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from fastapi import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = value.strip().strip('"')
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.5:1234"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _trusted(address: Address, proxies: Sequence[Network]) -> bool:
    return any(address in net for net in proxies)


def client_address(
    peer: str | None, forwarded_for: Sequence[str], *, trusted_proxies: Sequence[Network]
) -> str:
    """The client's address (text) from the peer and the ``X-Forwarded-For`` header values."""
    current = _parse(peer or "")
    if current is None:
        return peer or "-"
    hops = [h for value in forwarded_for for h in value.split(",")]
    while _trusted(current, trusted_proxies) and hops:
        previous = _parse(hops.pop())
        if previous is None:  # a garbled hop written by a trusted proxy: stop at the proxy
            break
        current = previous
    return str(current)


def request_address(request: Request) -> str:
    """:func:`client_address` of a request, with the service's trusted proxies."""
    proxies = request.app.state.service.settings.trusted_proxies
    peer = request.client.host if request.client is not None else None
    return client_address(peer, request.headers.getlist("x-forwarded-for"), trusted_proxies=proxies)
