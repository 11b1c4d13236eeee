"""Outbound HTTP for scripts (GET, POST, PUT, PATCH, DELETE HTTP), guarded against reaching
internal services.

Before every request, and again before following each redirect, the host is resolved and every
address it resolves to is checked: private, loopback, link-local, multicast, reserved and
unspecified addresses are refused unless ``settings.GB_HTTP_ALLOW_PRIVATE`` is on. Redirects are
followed by hand for that reason. Responses are size-limited and time-limited.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings

MAX_REDIRECTS = 5
MAX_BYTES = 10 * 1024 * 1024
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class OutboundError(Exception):
    """A request a script made that could not be done; the message says why."""


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: dict[str, str]
    body: Any  # parsed JSON, or text


def _blocked(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def address_check(url: str) -> None:
    """Refuse a URL that is not http(s) or whose host resolves to a non-public address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise OutboundError(f"only http:// and https:// addresses can be requested, got {url!r}")
    host = parts.hostname
    if not host:
        raise OutboundError(f"the address {url!r} has no host name")
    if getattr(settings, "GB_HTTP_ALLOW_PRIVATE", False):
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise OutboundError(f"cannot resolve the host {host!r}: {exc}") from None
    for info in infos:
        address = info[4][0]
        if _blocked(address):
            raise OutboundError(
                f"refused to request {url}: {host} resolves to {address}, a private, loopback or reserved "
                "address (set GB_HTTP_ALLOW_PRIVATE=1 on the server to allow internal addresses)"
            )


def _body(response: httpx.Response) -> Any:
    kind = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    text = response.text
    if kind == "application/json" or kind.endswith("+json") or (not kind and text[:1] in "{["):
        try:
            return json.loads(text) if text.strip() else None
        except ValueError:
            return text
    return text


def _payload(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if isinstance(body, dict | list):
        return {"json": body}
    if isinstance(body, bool | int | float):
        return {"json": body}
    return {"content": str(body).encode()}


def request(
    method: str,
    url: str,
    *,
    body: Any = None,
    headers: dict[str, str] | None = None,
    timeout: float | None = None,
) -> Response:
    """Make one request (following up to MAX_REDIRECTS redirects, each one checked)."""
    method = method.upper()
    if method not in METHODS:
        raise OutboundError(f"unknown HTTP method {method}")
    limit = timeout if timeout is not None else float(getattr(settings, "GB_HTTP_TIMEOUT", 30))
    current = url
    with httpx.Client(timeout=limit, follow_redirects=False, trust_env=False) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            address_check(current)
            try:
                with client.stream(method, current, headers=headers or {}, **_payload(body)) as response:
                    if response.is_redirect and "location" in response.headers:
                        current = urljoin(current, response.headers["location"])
                        if response.status_code in (301, 302, 303) and method != "GET":
                            method, body = "GET", None
                        continue
                    chunks, size = [], 0
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > MAX_BYTES:
                            raise OutboundError(f"the answer of {current} is larger than {MAX_BYTES} bytes")
                        chunks.append(chunk)
                    full = httpx.Response(
                        response.status_code, headers=response.headers, content=b"".join(chunks)
                    )
            except httpx.TimeoutException:
                raise OutboundError(f"{method} {current} did not answer within {limit:g} seconds") from None
            except httpx.HTTPError as exc:
                raise OutboundError(f"{method} {current} failed: {exc}") from None
            return Response(full.status_code, dict(full.headers), _body(full))
    raise OutboundError(f"{url} redirected more than {MAX_REDIRECTS} times")
