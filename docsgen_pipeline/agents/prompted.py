"""An :class:`Agent` on top of any :class:`Completer`: prompts, cache, budget, retries, metering.

Both real adapters (OpenAI-compatible HTTP and the command agent) are thin completers; every
policy lives here once so they behave the same: the cache is consulted first (a hit costs
nothing), the budget is reserved with the call's worst case before anything is sent, the call
runs under the retry policy and the endpoint's breaker, and the output is normalised.
"""

from __future__ import annotations

import logging
import time

from docsgen_pipeline.agents.base import (
    FileReply,
    PlanReply,
    PlanRequest,
    SectionReply,
    SectionRequest,
    Usage,
    WriteRequest,
)
from docsgen_pipeline.agents.cache import CachedCompletion, ResponseCache, cache_key
from docsgen_pipeline.agents.completion import Completer, Message
from docsgen_pipeline.agents.metering import Budget, PriceTable, estimate_tokens
from docsgen_pipeline.agents.normalize import normalize_markdown
from docsgen_pipeline.agents.plan_json import parse_plan
from docsgen_pipeline.agents.prompts import plan_prompt, reask_prompt, section_prompt, write_prompt
from docsgen_pipeline.agents.resilience import CircuitBreaker, RetryPolicy, call_resiliently
from docsgen_pipeline.agents.settings import AgentSettings
from docsgen_pipeline.errors import PlanParseError

log = logging.getLogger("docsgen.agents")


def add_usage(a: Usage, b: Usage) -> Usage:
    return Usage(
        model=b.model,
        tokens_in=a.tokens_in + b.tokens_in,
        tokens_out=a.tokens_out + b.tokens_out,
        duration_s=a.duration_s + b.duration_s,
        retries=a.retries + b.retries,
        cost_usd=a.cost_usd + b.cost_usd,
        cached=a.cached and b.cached,
        calls=a.calls + b.calls,
    )


class PromptedAgent:
    def __init__(
        self,
        name: str,
        completer: Completer,
        settings: AgentSettings,
        *,
        budget: Budget,
        breaker: CircuitBreaker,
        policy: RetryPolicy,
        cache: ResponseCache | None = None,
        prices: PriceTable | None = None,
    ) -> None:
        self.name = name
        self.completer = completer
        self.settings = settings
        self.budget = budget
        self.breaker = breaker
        self.policy = policy
        self.cache = cache
        self.prices = prices or PriceTable(settings.prices)

    def identity(self) -> dict[str, str]:
        return {
            **self.completer.identity(),
            "temperature": str(self.settings.temperature),
            "max_tokens": str(self.settings.max_tokens),
        }

    def metadata(self) -> dict[str, str | int | float | None]:
        """Breaker and budget state, for materialization metadata and logs."""
        return {**self.breaker.snapshot(), **self.budget.snapshot()}

    # -- one call ---------------------------------------------------------------------------

    def call(
        self, messages: list[Message], what: str, *, json_mode: bool = False, max_tokens: int | None = None
    ) -> tuple[str, Usage]:
        max_tokens = max_tokens or self.settings.max_tokens
        key = cache_key(messages, {**self.identity(), "json_mode": str(json_mode), "max_tokens": str(max_tokens)})
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            log.info("%s: answered from the response cache", what)
            usage = Usage(model=hit.model, tokens_in=hit.tokens_in, tokens_out=hit.tokens_out, cached=True)
            return hit.text, usage
        prompt_tokens = sum(estimate_tokens(m["content"]) for m in messages)
        worst = self.prices.cost(self.completer.model, prompt_tokens, max_tokens)
        reservation = self.budget.reserve(worst, what)
        started = time.perf_counter()
        cost = 0.0
        try:
            completion, retries = call_resiliently(
                lambda: self.completer.complete(messages, max_tokens=max_tokens, json_mode=json_mode),
                self.policy,
                self.breaker,
                what,
            )
            cost = self.prices.cost(completion.model, completion.tokens_in, completion.tokens_out)
        finally:
            self.budget.settle(reservation, cost, what)
        duration = time.perf_counter() - started
        if completion.finish_reason == "length":
            log.warning("%s: the answer hit max_tokens=%d and may be cut off", what, max_tokens)
        if self.cache is not None:
            self.cache.put(
                key, CachedCompletion(text=completion.text, tokens_in=completion.tokens_in,
                                      tokens_out=completion.tokens_out, model=completion.model)
            )
        usage = Usage(
            model=completion.model,
            tokens_in=completion.tokens_in,
            tokens_out=completion.tokens_out,
            duration_s=round(duration, 4),
            retries=retries,
            cost_usd=cost,
        )
        return completion.text, usage

    # -- Agent ------------------------------------------------------------------------------

    def plan_phase(self, request: PlanRequest) -> PlanReply:
        prompt = plan_prompt(request)
        messages = prompt.messages()
        keys = [f.key for f in request.phase.files]
        total: Usage | None = None
        error = ""
        for attempt in range(1, self.settings.plan_attempts + 1):
            what = f"plan phase {request.phase.number} (attempt {attempt})"
            text, usage = self.call(messages, what, json_mode=self.settings.json_mode)
            total = usage if total is None else add_usage(total, usage)
            try:
                return PlanReply(plan=parse_plan(text, request), usage=total)
            except PlanParseError as exc:
                error = str(exc)
                log.warning("%s: %s; asking again", what, error)
                messages = [
                    *messages,
                    {"role": "assistant", "content": text},
                    {"role": "user", "content": reask_prompt(error, keys)},
                ]
        raise PlanParseError(
            f"phase {request.phase.number}: the model ({self.completer.model}) gave no usable plan in "
            f"{self.settings.plan_attempts} attempt(s); last problem: {error}. Try json_mode=true, a larger "
            "max_tokens (plans cut off mid-JSON), a stronger model, or the template agent"
        )

    def write_file(self, request: WriteRequest) -> FileReply:
        prompt = write_prompt(request, self.settings.upstream_budget_chars)
        what = f"write {request.plan.filename}"
        text, usage = self.call(prompt.messages(), what)
        if not text.strip():
            # Not an error: the per-file checks flag the empty file and targeted repair asks again.
            log.warning("%s: the model (%s) returned nothing", what, usage.model)
        return FileReply(markdown=normalize_markdown(text), usage=usage)

    def write_section(self, request: SectionRequest) -> SectionReply:
        prompt = section_prompt(request)
        what = f"write {request.file.plan.filename} § {request.section.heading}"
        text, usage = self.call(prompt.messages(), what, max_tokens=self.settings.section_max_tokens)
        return SectionReply(markdown=text, usage=usage)
