"""An :class:`Agent` on top of any :class:`Completer`: prompts, cache, budget, retries, metering.

Both real adapters (OpenAI-compatible HTTP and the command agent) are thin completers; every
policy lives here once so they behave the same: the cache is consulted first (a hit costs
nothing), the budget is reserved with the call's worst case before anything is sent, the call
runs under the retry policy and the endpoint's breaker, and the output is normalised.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

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
from docsgen_pipeline.agents.completion import CallOptions, Completer, Message
from docsgen_pipeline.agents.context import Fitted, TokenCounter, fit_prompt
from docsgen_pipeline.agents.hygiene import collapse_loop, looks_looping, tidy_file
from docsgen_pipeline.agents.metering import Budget, PriceTable, estimate_tokens
from docsgen_pipeline.agents.plan_json import parse_plan
from docsgen_pipeline.agents.prompts import Prompt, plan_prompt, reask_prompt, section_prompt, write_prompt
from docsgen_pipeline.agents.resilience import CircuitBreaker, RetryPolicy, call_resiliently
from docsgen_pipeline.agents.settings import AgentSettings
from docsgen_pipeline.agents.structured import MODE_MEMORY, StructuredMode, plan_schema, response_format
from docsgen_pipeline.blueprint import PlannedFile
from docsgen_pipeline.brief import Brief
from docsgen_pipeline.errors import (
    ContextOverflowError,
    ContextWindowError,
    PlanParseError,
    StructuredOutputUnsupported,
)
from docsgen_pipeline.planning import blueprint_plan

log = logging.getLogger("docsgen.agents")

REASK_ANSWER_CHARS = 1500  # how much of an unusable plan answer goes back with the re-ask


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
        self.counter = TokenCounter()
        self._lock = threading.Lock()
        self._window: int | None = None
        self._window_asked = False

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
        self, messages: list[Message], what: str, *, json_mode: bool = False, options: CallOptions | None = None
    ) -> tuple[str, Usage]:
        text, usage, _ = self.complete(messages, what, json_mode=json_mode, options=options)
        return text, usage

    def complete(
        self,
        messages: list[Message],
        what: str,
        *,
        json_mode: bool = False,
        options: CallOptions | None = None,
        max_tokens: int | None = None,
    ) -> tuple[str, Usage, str | None]:
        """One call through cache, budget, retries and breaker: (text, usage, finish reason)."""
        options = options or CallOptions()
        max_tokens = max_tokens or self.settings.max_tokens
        key = cache_key(messages, {**self.identity(), "json_mode": str(json_mode), **options.cache_identity(),
                                   **({"max_tokens_fitted": str(max_tokens)} if max_tokens != self.settings.max_tokens
                                      else {})})
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            log.info("%s: answered from the response cache", what)
            usage = Usage(model=hit.model, tokens_in=hit.tokens_in, tokens_out=hit.tokens_out, cached=True)
            return hit.text, usage, hit.finish_reason
        prompt_tokens = sum(estimate_tokens(m["content"]) for m in messages)
        worst = self.prices.cost(self.completer.model, prompt_tokens, max_tokens)
        reservation = self.budget.reserve(worst, what)
        started = time.perf_counter()
        cost = 0.0
        try:
            completion, retries = call_resiliently(
                lambda: self.completer.complete(messages, max_tokens=max_tokens, json_mode=json_mode, options=options),
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
                                      tokens_out=completion.tokens_out, model=completion.model,
                                      finish_reason=completion.finish_reason)
            )
        usage = Usage(
            model=completion.model,
            tokens_in=completion.tokens_in,
            tokens_out=completion.tokens_out,
            duration_s=round(duration, 4),
            retries=retries,
            cost_usd=cost,
        )
        return completion.text, usage, completion.finish_reason

    # -- context window ---------------------------------------------------------------------

    def context_window(self) -> int | None:
        """The setting, else what the server reports (asked once), else what a refusal named."""
        with self._lock:
            if self._window is None and not self._window_asked:
                self._window_asked = True
                self._window = self.settings.context_window or self.completer.context_window()
                if self._window:
                    log.info("%s: context window %d tokens", self.completer.endpoint, self._window)
            return self._window

    def _learn(self, exc: ContextOverflowError, messages: list[Message]) -> None:
        with self._lock:
            self._window = exc.window
            if exc.prompt_tokens:
                self.counter.learn(messages, exc.prompt_tokens)
        log.warning("%s: the server's context window is %d tokens; fitting the prompt to it and asking again",
                    self.completer.endpoint, exc.window)

    def fitted_complete(
        self,
        render: Callable[[Brief, int], Prompt],
        brief: Brief,
        *,
        upstream_chars: int,
        topic: str,
        what: str,
        options: CallOptions | None = None,
        extra_messages: Sequence[Message] = (),
        max_tokens: int | None = None,
    ) -> tuple[Fitted, str, Usage, str | None]:
        """Fit ``render``'s prompt to the context window, call, and once more after a context
        refusal that names the real window.  Raises ContextWindowError before any call when even
        the trimmed prompt cannot fit."""
        for attempt in (1, 2):
            fitted = fit_prompt(render, brief, upstream_chars=upstream_chars, topic=topic,
                                window=self.context_window(), max_tokens=max_tokens or self.settings.max_tokens,
                                counter=self.counter, what=what, extra_messages=extra_messages)
            if fitted.trimmed:
                log.info("%s: fitted to the context window by trimming %s", what, ", ".join(fitted.trimmed))
            messages = [*fitted.prompt.messages(), *extra_messages]
            try:
                text, usage, finish = self.complete(messages, what, options=options, max_tokens=fitted.max_tokens)
            except ContextOverflowError as exc:
                if attempt == 2:
                    raise
                self._learn(exc, messages)
                continue
            return fitted, text, usage, finish
        raise AssertionError("unreachable")

    # -- Agent ------------------------------------------------------------------------------

    def plan_phase(self, request: PlanRequest) -> PlanReply:
        """Ask for the plan in the strongest structured mode the endpoint takes; re-ask with the
        validation error; after ``plan_attempts`` unusable answers, fall back to the blueprint's
        own outline (``source='blueprint'``) instead of failing the phase."""
        keys = [f.key for f in request.phase.files]
        schema = plan_schema(request)
        endpoint, model = self.completer.endpoint, self.completer.model
        mode: StructuredMode = MODE_MEMORY.start(endpoint, model, self.settings.plan_mode)
        topic = " ".join([request.phase.title, *(plan_topic(f) for f in request.phase.files)])

        def render(brief: Brief, _upstream: int) -> Prompt:
            return plan_prompt(request.model_copy(update={"brief": brief}))

        total: Usage | None = None
        error = ""
        calls = answers = 0
        notes: set[str] = set()
        reask: list[Message] = []
        while answers < self.settings.plan_attempts:
            calls += 1
            what = f"plan phase {request.phase.number} (attempt {answers + 1}, {mode})"
            options = CallOptions(response_format(mode, schema))
            try:
                _, text, usage, _ = self.fitted_complete(render, request.brief, upstream_chars=0, topic=topic,
                                                         what=what, options=options, extra_messages=reask)
            except StructuredOutputUnsupported as exc:
                weaker = MODE_MEMORY.refused(endpoint, model, mode)
                log.warning("%s: %s; asking in %s mode instead", what, exc, weaker)
                mode = weaker
                continue
            except ContextWindowError as exc:
                if not reask:
                    raise
                error = f"the re-ask does not fit the context window: {exc}"
                break
            answers += 1
            total = usage if total is None else add_usage(total, usage)
            attempt_notes: set[str] = set()
            try:
                plan = parse_plan(text, request, attempt_notes)
            except PlanParseError as exc:
                error = str(exc)
                notes |= attempt_notes
                log.warning("%s: %s; asking again", what, error)
                reask = [
                    {"role": "assistant", "content": text[:REASK_ANSWER_CHARS]},
                    {"role": "user", "content": reask_prompt(error, keys)},
                ]
                continue
            return PlanReply(plan=plan, usage=total, source="agent", mode=mode, attempts=calls,
                             coercions=sorted(attempt_notes))
        problem = (
            f"phase {request.phase.number}: the model ({model}) gave no usable plan in {answers} attempt(s) "
            f"({mode} mode); last problem: {error}"
        )
        log.warning("%s; using the blueprint's own outline (plan_source: blueprint)", problem)
        plan = blueprint_plan(request.brief, request.blueprint, request.phase)
        return PlanReply(plan=plan, usage=total or Usage(model=model, calls=0), source="blueprint", mode=mode,
                         attempts=calls, coercions=sorted(notes), problem=problem)

    def _write_with_hygiene(
        self,
        render: Callable[[Brief, int], Prompt],
        brief: Brief,
        *,
        upstream_chars: int,
        topic: str,
        what: str,
        max_tokens: int | None = None,
    ) -> tuple[Fitted, str, Usage, list[str], bool]:
        """Fit, call, and retry once (cooler, with a repetition penalty) if the answer loops.
        Returns (fitted, text, usage, fixes so far, still looping)."""
        fitted, text, usage, finish = self.fitted_complete(
            render, brief, upstream_chars=upstream_chars, topic=topic, what=what, max_tokens=max_tokens
        )
        fixes: list[str] = []
        looping = looks_looping(text, finish)
        if looping:
            log.warning("%s: the answer repeats itself up to max_tokens; asking once more, cooler and with a "
                        "repetition penalty", what)
            fixes.append("looping answer retried")
            retry = CallOptions(temperature=self.settings.temperature / 2, penalize_repetition=True)
            _, text, again, finish = self.fitted_complete(
                render, brief, upstream_chars=upstream_chars, topic=topic, what=what, options=retry,
                max_tokens=max_tokens,
            )
            usage = add_usage(usage, again)
            looping = looks_looping(text, finish)
        return fitted, text, usage, fixes, looping

    def write_file(self, request: WriteRequest) -> FileReply:
        what = f"write {request.plan.filename}"

        def render(brief: Brief, upstream_chars: int) -> Prompt:
            return write_prompt(request.model_copy(update={"brief": brief}), upstream_chars)

        topic = plan_topic(request.file) + " " + " ".join(s.heading for s in request.plan.outline)
        fitted, text, usage, fixes, looping = self._write_with_hygiene(
            render, request.brief, upstream_chars=self.settings.upstream_budget_chars, topic=topic, what=what
        )
        markdown = tidy_file(text, request.plan.title, request.plan.outline, fixes, looping=looping)
        if not markdown.strip():
            # Not an error: the per-file checks flag the empty file and targeted repair asks again.
            log.warning("%s: the model (%s) returned nothing", what, usage.model)
            markdown = ""
        return FileReply(markdown=markdown, usage=usage, normalized=fixes, prompt_trimmed=fitted.trimmed)

    def write_section(self, request: SectionRequest) -> SectionReply:
        what = f"write {request.file.plan.filename} § {request.section.heading}"

        def render(brief: Brief, _upstream: int) -> Prompt:
            return section_prompt(request.model_copy(update={"file": request.file.model_copy(update={"brief": brief})}))

        topic = plan_topic(request.file.file) + " " + request.section.heading + " " + request.section.intent
        _, text, usage, fixes, looping = self._write_with_hygiene(
            render, request.file.brief, upstream_chars=0, topic=topic, what=what,
            max_tokens=self.settings.section_max_tokens,
        )
        if looping:
            text = collapse_loop(text, fixes)
        return SectionReply(markdown=text, usage=usage, normalized=fixes)


def plan_topic(file: PlannedFile) -> str:
    """What a planned file is about, for judging which parts of the brief matter to it."""
    return " ".join([file.key.replace("_", " "), file.kind.replace("_", " "), file.title, file.intent,
                     *file.required_headings])
