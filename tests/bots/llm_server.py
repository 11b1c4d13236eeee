"""A real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions protocol, for tests.

Tests queue the replies it gives (text, tool calls, or an HTTP error) and read back every request
it received, so they can assert what the bot sent: system prompt, contexts, history, tools.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


class ChatServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict[str, Any]] = []
        self.headers_seen: list[dict[str, str]] = []
        self.paths: list[str] = []
        self.replies: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def reply_text(self, text: str) -> None:
        self.replies.append({"content": text})

    def reply_tools(self, *calls: tuple[str, dict[str, Any]], text: str | None = None) -> None:
        self.replies.append({"content": text, "tool_calls": list(calls)})

    def reply_status(self, status: int, body: str = "boom") -> None:
        self.replies.append({"status": status, "body": body})

    def config(self, model: str = "test-model", extra: str = "") -> str:
        """config.csv rows pointing a bot at this server."""
        return f"llm-provider,openai\nllm-url,{self.url}\nllm-model,{model}\nllm-key,sk-secret-123\n{extra}"


class _Handler(BaseHTTPRequestHandler):
    server: ChatServer

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        with self.server.lock:
            self.server.requests.append(body)
            self.server.headers_seen.append(dict(self.headers))
            self.server.paths.append(self.path)
            planned = self.server.replies.pop(0) if self.server.replies else None
        if self.path != "/v1/chat/completions":
            return self._send(404, {"error": {"message": f"no route {self.path}"}})
        if planned is not None and "status" in planned:
            return self._send(planned["status"], {"error": {"message": planned["body"]}})
        if planned is None:
            last = next(m for m in reversed(body["messages"]) if m["role"] == "user")
            planned = {"content": f"echo: {last['content']}"}
        message: dict[str, Any] = {"role": "assistant", "content": planned.get("content")}
        if planned.get("tool_calls"):
            message["tool_calls"] = [
                {
                    "id": f"call_{index}",
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(arguments)},
                }
                for index, (name, arguments) in enumerate(planned["tool_calls"])
            ]
        self._send(
            200,
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "model": body.get("model", ""),
                "choices": [
                    {
                        "index": 0,
                        "message": message,
                        "finish_reason": "tool_calls" if planned.get("tool_calls") else "stop",
                    }
                ],
                "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
            },
        )

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    server = ChatServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
