"""OpenAI-compatible chat completions through the official ``openai`` SDK.

One adapter serves OpenAI, Azure OpenAI (set ``azure_api_version``), Ollama, vLLM and llama.cpp's
server: they all speak ``POST {base_url}/chat/completions``.  The SDK's own retries are off
(``max_retries=0``): resilience.py is the single retry layer, so attempts do not multiply.
"""

from __future__ import annotations

import email.utils
import time
from typing import Any

import httpx
import openai

from docsgen_pipeline.agents.completion import CallOptions, Completion, Message
from docsgen_pipeline.agents.context import context_from_error, prompt_tokens_from_error
from docsgen_pipeline.agents.metering import estimate_tokens
from docsgen_pipeline.agents.resilience import RetryableError
from docsgen_pipeline.agents.settings import AgentSettings
from docsgen_pipeline.agents.structured import is_format_refusal
from docsgen_pipeline.errors import AgentError, ContextOverflowError, StructuredOutputUnsupported

# Local servers ignore the key but the SDK insists on one.
LOCAL_KEY = "not-needed"

# A looping answer is retried with these: OpenAI's standard frequency_penalty, and llama.cpp's
# repeat_penalty (sent only to non-OpenAI hosts, which would refuse an unknown field).
FREQUENCY_PENALTY = 0.8
REPEAT_PENALTY = 1.3


def is_hosted_openai(settings: AgentSettings) -> bool:
    return "api.openai.com" in settings.base_url or settings.azure_api_version is not None


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


# Where servers say how long their context is: llama.cpp's llama-server (/props and /v1/models
# "meta"), vLLM (max_model_len), LM Studio and OpenRouter (context_length and friends).
_CONTEXT_KEYS = ("n_ctx", "max_model_len", "context_length", "loaded_context_length", "max_context_length",
                 "n_ctx_train")


def context_in(data: Any) -> int | None:
    """The first context size found in a server's JSON (depth-first; n_ctx before n_ctx_train)."""
    if isinstance(data, dict):
        for key in _CONTEXT_KEYS:
            value = data.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return value
        for value in data.values():
            found = context_in(value)
            if found:
                return found
    if isinstance(data, list):
        for value in data:
            found = context_in(value)
            if found:
                return found
    return None


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
        window = context_from_error(str(exc.message))
        if window is not None:
            return ContextOverflowError(
                f"{where}: the prompt does not fit the model's context window of {window} tokens: {exc.message}",
                window,
                prompt_tokens_from_error(str(exc.message)),
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

    def complete(
        self, messages: list[Message], *, max_tokens: int, json_mode: bool = False, options: CallOptions | None = None
    ) -> Completion:
        options = options or CallOptions()
        fmt = options.response_format or ({"type": "json_object"} if json_mode else None)
        extra: dict[str, Any] = {"response_format": fmt} if fmt else {}
        if options.penalize_repetition:
            extra["frequency_penalty"] = FREQUENCY_PENALTY
            if not is_hosted_openai(self.settings):
                extra["extra_body"] = {"repeat_penalty": REPEAT_PENALTY}
        temperature = self.settings.temperature if options.temperature is None else options.temperature
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]  # plain role/content dicts are valid params
                temperature=temperature,
                max_tokens=max_tokens,
                **extra,
            )
        except openai.APIStatusError as exc:
            if fmt and is_format_refusal(exc.status_code, str(exc.message)):
                raise StructuredOutputUnsupported(
                    f"{self.endpoint} refuses response_format type {fmt['type']!r}"
                    f"{' with a schema' if 'schema' in fmt else ''} ({exc.status_code}): {str(exc.message)[:200]}"
                ) from exc
            raise translate_error(exc, self.settings) from exc
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

    def context_window(self) -> int | None:
        """The context size the server reports (llama-server's /props, model metadata), or None.

        llama-cpp-python's server reports none; its "maximum context length" refusal names it instead.
        """
        if is_hosted_openai(self.settings):
            return None
        root = self.endpoint.removesuffix("/v1")
        headers = {"Authorization": f"Bearer {self._client.api_key}"}
        for url in (f"{root}/props", f"{self.endpoint}/models"):
            try:
                response = httpx.get(url, headers=headers, timeout=min(5.0, self.settings.timeout_s))
                if response.status_code == 200:
                    found = context_in(response.json())
                    if found:
                        return found
            except (httpx.HTTPError, ValueError):
                continue
        return None

    def list_models(self) -> list[str]:
        """For `docsgen doctor`: the models the endpoint serves (one retry-free call)."""
        try:
            return [m.id for m in self._client.models.list()]
        except openai.OpenAIError as exc:
            raise translate_error(exc, self.settings) from exc
