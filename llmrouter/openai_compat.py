"""A provider for any server speaking the OpenAI chat-completions protocol (OpenAI, Azure-style
gateways, llama.cpp, vLLM, Ollama's /v1). Errors name the URL and status, never the key."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from llmrouter.config import LLMConfig
from llmrouter.provider import ChatRequest, ChatResult, LLMError, ToolCall

_ERROR_BODY_CHARS = 300


def completions_url(url: str) -> str:
    """``llm-url`` may be the API base (``…/v1``) or the full ``…/chat/completions`` address."""
    url = url.rstrip("/")
    return url if url.endswith("/chat/completions") else f"{url}/chat/completions"


class OpenAICompatibleProvider:
    def __init__(self, config: LLMConfig) -> None:
        self.config = config
        self.model = config.model

    def _body(self, request: ChatRequest) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.config.model, "messages": request.messages}
        if request.tools:
            body["tools"] = request.tools
        if self.config.temperature is not None:
            body["temperature"] = self.config.temperature
        if self.config.max_tokens is not None:
            body["max_tokens"] = self.config.max_tokens
        return body

    def chat(self, request: ChatRequest) -> ChatResult:
        url = completions_url(self.config.url)
        headers = {"Content-Type": "application/json"}
        if self.config.key:
            headers["Authorization"] = f"Bearer {self.config.key}"
        started = time.monotonic()
        try:
            with httpx.Client(timeout=self.config.timeout) as client:
                response = client.post(url, json=self._body(request), headers=headers)
        except httpx.TimeoutException:
            raise LLMError(
                f"the model server at {url} did not answer within {self.config.timeout:g}s"
            ) from None
        except httpx.HTTPError as exc:
            raise LLMError(f"cannot reach the model server at {url}: {type(exc).__name__}: {exc}") from None
        latency_ms = int((time.monotonic() - started) * 1000)
        if response.status_code >= 400:
            detail = response.text[:_ERROR_BODY_CHARS].replace(self.config.key or "\0", "***")
            raise LLMError(f"the model server at {url} answered HTTP {response.status_code}: {detail}")
        try:
            payload = response.json()
            choice = payload["choices"][0]["message"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise LLMError(f"the model server at {url} sent a reply that is not a chat completion") from None
        usage = payload.get("usage") or {}
        return ChatResult(
            text=choice.get("content") or "",
            model=str(payload.get("model") or self.config.model),
            tool_calls=[_tool_call(item, url) for item in choice.get("tool_calls") or []],
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=usage.get("completion_tokens"),
            latency_ms=latency_ms,
        )


def _tool_call(item: dict[str, Any], url: str) -> ToolCall:
    try:
        function = item["function"]
        raw = function.get("arguments") or "{}"
        arguments = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(arguments, dict):
            raise ValueError("arguments are not an object")
        return ToolCall(id=str(item.get("id") or ""), name=str(function["name"]), arguments=arguments)
    except (KeyError, TypeError, ValueError) as exc:
        raise LLMError(f"the model server at {url} sent a tool call that cannot be read: {exc}") from None
