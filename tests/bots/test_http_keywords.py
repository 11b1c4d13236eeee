"""GET / POST / PUT / PATCH / DELETE HTTP with SET HEADER and CLEAR HEADERS, against a real HTTP
server on 127.0.0.1; internal addresses are refused unless GB_HTTP_ALLOW_PRIVATE is on."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bots import outbound
from bots.models import ConversationError
from tests.bots.conversation_support import make_bot, say

pytestmark = pytest.mark.django_db


class _Handler(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - keep test output quiet
        return

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        self.seen.append(
            {
                "method": self.command,
                "path": self.path,
                "body": body,
                "token": self.headers.get("X-Token"),
                "type": self.headers.get("content-type"),
            }
        )
        if self.path == "/text":
            self._send(200, "text/plain", "plain words")
        elif self.path == "/missing":
            self._send(404, "text/plain", "no such thing")
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/json")
            self.end_headers()
        elif self.path == "/slow":
            time.sleep(1.5)
            self._send(200, "text/plain", "late")
        else:
            payload = {
                "method": self.command,
                "got": json.loads(body) if body else None,
                "token": self.headers.get("X-Token"),
                "items": [1, 2, 3],
            }
            self._send(200, "application/json", json.dumps(payload))

    def _send(self, status: int, kind: str, text: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.seen[-1]["client_gone"] = True  # the client timed out first, as /slow intends

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    _Handler.seen = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def allow_private(settings) -> None:
    settings.GB_HTTP_ALLOW_PRIVATE = True


def _errors(conversation: int) -> list[str]:
    return list(ConversationError.objects.filter(conversation_id=conversation).values_list("text", flat=True))


def test_get_parses_json_and_returns_text_otherwise(make_package, server, allow_private) -> None:
    start = (
        f'data = GET "{server}/json"\n'
        'TALK data.method + " " + data.items[2]\n'
        f'words = GET "{server}/text"\n'
        "TALK words\n"
        f'moved = GET "{server}/redirect"\n'
        "TALK moved.items[0]\n"
    )
    bot = make_bot(make_package, "httpget", {"start.bas": start})
    conversation, replies = say(bot, "hi")
    assert _errors(conversation) == []
    assert replies == ["GET 3", "plain words", "1"]
    assert [s["path"] for s in _Handler.seen] == ["/json", "/text", "/redirect", "/json"]


def test_verbs_send_json_bodies_and_headers(make_package, server, allow_private) -> None:
    start = (
        'SET HEADER "X-Token", "abc"\n'
        f'r = POST "{server}/orders", #{{item: "pizza", qty: 2}}\n'
        'TALK r.method + " " + r.got.item + " " + r.got.qty + " " + r.token\n'
        f'PUT "{server}/orders/1", #{{status: "paid"}}\n'
        f'PATCH "{server}/orders/1", [1, 2]\n'
        "CLEAR HEADERS\n"
        f'd = DELETE HTTP "{server}/orders/1"\n'
        'TALK d.method + " [" + d.token + "]"\n'
    )
    bot = make_bot(make_package, "httpverbs", {"start.bas": start})
    conversation, replies = say(bot, "hi")
    assert _errors(conversation) == []
    assert replies == ["POST pizza 2 abc", "DELETE []"]
    methods = [(s["method"], s["token"]) for s in _Handler.seen]
    assert methods == [("POST", "abc"), ("PUT", "abc"), ("PATCH", "abc"), ("DELETE", None)]
    assert json.loads(_Handler.seen[1]["body"]) == {"status": "paid"}
    assert json.loads(_Handler.seen[2]["body"]) == [1, 2]
    assert _Handler.seen[0]["type"] == "application/json"


def test_headers_survive_a_hear(make_package, server, allow_private) -> None:
    start = f'SET HEADER "X-Token", "kept"\nHEAR x\nr = GET "{server}/json"\nTALK r.token + " " + x\n'
    bot = make_bot(make_package, "httphear", {"start.bas": start})
    conversation, _ = say(bot, "hi")
    assert say(bot, "later", conversation=conversation)[1] == ["kept later"]


def test_loopback_is_refused_when_the_setting_is_off(make_package, server, settings) -> None:
    settings.GB_HTTP_ALLOW_PRIVATE = False
    bot = make_bot(make_package, "httpdeny", {"start.bas": f'x = GET "{server}/json"\nTALK "reached"\n'})
    conversation, replies = say(bot, "hi")
    assert "reached" not in replies
    (error,) = _errors(conversation)
    assert "refused to request" in error and "127.0.0.1" in error and "GB_HTTP_ALLOW_PRIVATE" in error
    assert _Handler.seen == []


@pytest.mark.parametrize(
    "url",
    [
        "http://10.1.2.3/",
        "http://192.168.0.1/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/",
        "http://0.0.0.0/",
        "http://localhost/",
        "http://[::ffff:127.0.0.1]/",
        "http://100.64.0.1/",
    ],
)
def test_internal_addresses_are_refused(url: str, settings) -> None:
    settings.GB_HTTP_ALLOW_PRIVATE = False
    with pytest.raises(outbound.OutboundError, match="refused to request"):
        outbound.address_check(url)


def test_only_http_urls_are_requested(settings) -> None:
    settings.GB_HTTP_ALLOW_PRIVATE = True
    with pytest.raises(outbound.OutboundError, match="only http:// and https://"):
        outbound.address_check("file:///etc/passwd")


def test_http_errors_and_timeouts_are_clear(make_package, server, allow_private, settings) -> None:
    settings.GB_HTTP_TIMEOUT = 0.3
    start = (
        "ON ERROR RESUME NEXT\n"
        f'x = GET "{server}/missing"\nTALK ERR.description\n'
        f'y = GET "{server}/slow"\nTALK ERR.description\n'
        'z = GET "notes.txt"\nTALK ERR.description\n'
    )
    bot = make_bot(make_package, "httperr", {"start.bas": start})
    _, replies = say(bot, "hi")
    assert "answered HTTP 404: no such thing" in replies[0]
    assert "did not answer within 0.3 seconds" in replies[1]
    assert "needs an http:// or https:// address" in replies[2]
