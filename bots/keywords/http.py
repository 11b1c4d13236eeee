"""HTTP keywords: ``x = GET url``, POST / PUT / PATCH with a body, DELETE HTTP, SET HEADER and
CLEAR HEADERS.

Requests go through :mod:`bots.outbound`, which refuses internal addresses. Headers set with
SET HEADER apply to the later requests of the same run; they are kept in the run's saved state,
so they survive a HEAR. Writes (everything but GET) are journaled.
"""

from __future__ import annotations

from typing import Any

from basic import values
from basic.errors import BasicRuntimeError
from basic.registry import KeywordSpec
from bots import outbound

_HEADERS = "#http_headers"  # a name no script can write, in the run's first frame


def _headers(run: Any) -> dict[str, str]:
    frame_vars = run.frames[0].vars
    held = frame_vars.get(_HEADERS)
    if not isinstance(held, dict):
        held = {}
        frame_vars[_HEADERS] = held
    return held


def _call(run: Any, method: str, args: dict) -> Any:
    url = values.to_text(args.get("url")).strip()
    if not url.lower().startswith(("http://", "https://")):
        raise BasicRuntimeError(
            f"{method} needs an http:// or https:// address, got {url!r}"
            + (" (reading package files with GET is not available)" if method == "GET" else "")
        )
    try:
        response = outbound.request(
            method, url, body=values.plain_json(args.get("body")), headers=dict(_headers(run))
        )
    except outbound.OutboundError as exc:
        raise BasicRuntimeError(f"{method}: {exc}") from None
    if response.status >= 400:
        detail = values.to_text(response.body)[:200]
        raise BasicRuntimeError(
            f"{method} {url} answered HTTP {response.status}" + (f": {detail}" if detail else "")
        )
    return response.body


def _get(run: Any, args: dict) -> Any:
    return _call(run, "GET", args)


def _post(run: Any, args: dict) -> Any:
    return _call(run, "POST", args)


def _put(run: Any, args: dict) -> Any:
    return _call(run, "PUT", args)


def _patch(run: Any, args: dict) -> Any:
    return _call(run, "PATCH", args)


def _delete_http(run: Any, args: dict) -> Any:
    return _call(run, "DELETE", args)


def _set_header(run: Any, args: dict) -> None:
    name = values.to_text(args.get("name")).strip()
    if not name or any(c in name for c in ":\r\n "):
        raise BasicRuntimeError(f'SET HEADER needs a header name such as "Authorization", got {name!r}')
    value = values.to_text(args.get("value"))
    if "\r" in value or "\n" in value:
        raise BasicRuntimeError(f"SET HEADER {name}: a header value cannot contain line breaks")
    _headers(run)[name] = value


def _clear_headers(run: Any, args: dict) -> None:
    _headers(run).clear()


_WITH_BODY = "A map or list is sent as JSON, other values as text; as a value, the answer (JSON parsed)."

HTTP_SPECS: tuple[KeywordSpec, ...] = (
    KeywordSpec(
        "GET",
        ("{url}",),
        _get,
        summary="Request an http(s) address; JSON answers become maps and lists, others text. Internal "
        "(private, loopback) addresses are refused unless the server allows them.",
        example='weather = GET "https://api.example.com/weather?city=Rio"\nTALK weather.temp',
        category="HTTP",
    ),
    KeywordSpec(
        "POST",
        ("{url}, {body}", "{url}"),
        _post,
        effect=True,
        summary="Send a POST request. " + _WITH_BODY,
        example='result = POST "https://api.example.com/orders", #{item: "pizza", qty: 2}',
        category="HTTP",
    ),
    KeywordSpec(
        "PUT",
        ("{url}, {body}",),
        _put,
        effect=True,
        summary="Send a PUT request. " + _WITH_BODY,
        example='PUT "https://api.example.com/orders/7", #{status: "paid"}',
        category="HTTP",
    ),
    KeywordSpec(
        "PATCH",
        ("{url}, {body}",),
        _patch,
        effect=True,
        summary="Send a PATCH request. " + _WITH_BODY,
        example='PATCH "https://api.example.com/orders/7", #{qty: 3}',
        category="HTTP",
    ),
    KeywordSpec(
        "DELETE HTTP",
        ("{url}",),
        _delete_http,
        effect=True,
        summary="Send a DELETE request; as a value, the answer.",
        example='DELETE HTTP "https://api.example.com/orders/7"',
        category="HTTP",
    ),
    KeywordSpec(
        "SET HEADER",
        ("{name}, {value}",),
        _set_header,
        summary="Add a header to the later requests of this run.",
        example='SET HEADER "Authorization", "Bearer " + token',
        category="HTTP",
    ),
    KeywordSpec(
        "CLEAR HEADERS",
        ("",),
        _clear_headers,
        summary="Forget the headers set with SET HEADER.",
        example="CLEAR HEADERS",
        category="HTTP",
    ),
)
