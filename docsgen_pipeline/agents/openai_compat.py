"""OpenAI-compatible chat completions through the official ``openai`` SDK.

One adapter serves OpenAI, Azure OpenAI (set ``azure_api_version``), Ollama, vLLM and llama.cpp's
server: they all speak ``POST {base_url}/chat/completions``.  The SDK's own retries are off
(``max_retries=0``): resilience.py is the single retry layer, so attempts do not multiply.
"""

from __future__ import annotations

import email.utils
import time
from typing import Any

import openai

from docsgen_pipeline.agents.completion import Completion, Message
from docsgen_pipeline.agents.metering import estimate_tokens
from docsgen_pipeline.agents.resilience import RetryableError
from docsgen_pipeline.agents.settings import AgentSettings
from docsgen_pipeline.errors import AgentError

# Local servers ignore the key but the SDK insists on one.
LOCAL_KEY = "not-needed"


def parse_retry_after(headers: Any) -> float | None:
    """Seconds from ``retry-after-ms`` / ``retry-after`` (delta-seconds or an HTTP date)."""
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return float(ms) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def make_client(settings: AgentSettings, api_key: str) -> openai.OpenAI:
    if settings.azure_api_version:
        return openai.AzureOpenAI(
            azure_endpoint=settings.base_url,
            api_version=settings.azure_api_version,
            api_key=api_key,
            timeout=settings.timeout_s,
            max_retries=0,
        )
    return openai.OpenAI(base_url=settings.base_url, api_key=api_key, timeout=settings.timeout_s, max_retries=0)


def translate_error(exc: openai.OpenAIError, settings: AgentSettings) -> AgentError:
    """Map an SDK error to a retryable or a final error whose message says what to do."""
    where = f"{settings.base_url} (model {settings.model})"
    if isinstance(exc, openai.APITimeoutError):
        return RetryableError(f"{where}: no answer within timeout_s={settings.timeout_s:g}s")
    if isinstance(exc, openai.APIConnectionError):
        return RetryableError(f"{where}: cannot connect ({exc.__cause__ or exc}); is the server running?")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        retry_after = parse_retry_after(exc.response.headers)
        if status == 429:
            return RetryableError(f"{where}: rate limited (429)", retry_after)
        if status >= 500 or status == 408:
            return RetryableError(f"{where}: server error {status}: {exc.message}", retry_after)
        if status == 401:
            return AgentError(
                f"{where}: 401 unauthorized: set a valid API key in ${settings.api_key_env} "
                "(the variable named by api_key_env)"
            )
        if status == 403:
            return AgentError(f"{where}: 403 forbidden: the key in ${settings.api_key_env} may not use this model")
        if status == 404:
            return AgentError(
                f"{where}: 404 not found: check the model name (for Ollama: `ollama list`; for Azure: the deployment "
                "name) and that base_url ends with the API root (usually '/v1')"
            )
        return AgentError(f"{where}: the server refused the request ({status}): {exc.message}")
    return AgentError(f"{where}: {exc}")


class OpenAICompatCompleter:
    def __init__(self, settings: AgentSettings, api_key: str, client: openai.OpenAI | None = None) -> None:
        self.settings = settings
        self.endpoint = settings.base_url.rstrip("/")
        self.model = settings.model
        self._client = client or make_client(settings, api_key)

    def identity(self) -> dict[str, str]:
        return {"agent": "openai", "base_url": self.endpoint, "model": self.model}

    def complete(self, messages: list[Message], *, max_tokens: int, json_mode: bool) -> Completion:
        extra: dict[str, Any] = {"response_format": {"type": "json_object"}} if json_mode else {}
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]  # plain role/content dicts are valid params
                temperature=self.settings.temperature,
                max_tokens=max_tokens,
                **extra,
            )
        except openai.OpenAIError as exc:
            raise translate_error(exc, self.settings) from exc
        if not response.choices:
            raise RetryableError(f"{self.endpoint}: the answer had no choices")
        choice = response.choices[0]
        text = choice.message.content or ""
        usage = response.usage
        # Some local servers omit usage; estimate so budgets and metadata still mean something.
        tokens_in = usage.prompt_tokens if usage else sum(estimate_tokens(m["content"]) for m in messages)
        tokens_out = usage.completion_tokens if usage else estimate_tokens(text)
        return Completion(text, tokens_in, tokens_out, response.model or self.model, choice.finish_reason)

    def list_models(self) -> list[str]:
        """For `docsgen doctor`: the models the endpoint serves (one retry-free call)."""
        try:
            return [m.id for m in self._client.models.list()]
        except openai.OpenAIError as exc:
            raise translate_error(exc, self.settings) from exc
