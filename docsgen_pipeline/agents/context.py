"""Fit prompts to the model's context window.

Small local models often run with a 2-4k token context.  A prompt that does not fit is refused
(OpenAI, vLLM, llama-cpp-python: "maximum context length is N tokens") or silently cut at the
front (Ollama), and then the model writes about half a brief.  So every prompt is fitted before it
is sent: first the approved upstream excerpts are shortened (down to none), then the brief's least
relevant parts are dropped (relevance judged against the file or phase being written), and if the
prompt still does not fit with the brief cut to its name, summary and glossary terms, that is a
:class:`ContextWindowError` before any call.  Part of the window stays free for the answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from docsgen_pipeline.agents.prompts import Prompt
from docsgen_pipeline.brief import Brief
from docsgen_pipeline.errors import ContextWindowError

# Chars per token used for fitting: SmolLM2's tokenizer gives ~3.1 on DocsGen prompts (GPT-4o's
# ~4); erring low keeps the estimate on the safe side.  A server's own count replaces it.
FIT_CHARS_PER_TOKEN = 3.0
MESSAGE_OVERHEAD_TOKENS = 8  # chat-template tokens around each message
SAFETY_TOKENS = 32
MIN_UPSTREAM_CHARS = 400

_CONTEXT_PATTERNS = (
    re.compile(r"maximum context length is (\d+)"),  # OpenAI, vLLM, llama-cpp-python
    re.compile(r"context window of (\d+)"),  # llama-cpp-python (raw)
    re.compile(r"n_ctx\W{1,4}(\d+)"),  # llama.cpp's llama-server
)
_REQUESTED = re.compile(r"\((\d+) in the messages")


def context_from_error(message: str) -> int | None:
    """The context window a server names when it refuses a too-long prompt."""
    for pattern in _CONTEXT_PATTERNS:
        found = pattern.search(message)
        if found:
            return int(found.group(1))
    return None


def prompt_tokens_from_error(message: str) -> int | None:
    found = _REQUESTED.search(message)
    return int(found.group(1)) if found else None


def output_reserve(window: int, max_tokens: int) -> int:
    """Tokens kept free for the answer: ``max_tokens``, but at most a third of the window (>= 256)."""
    return min(max_tokens, max(256, window // 3))


@dataclass
class TokenCounter:
    """Estimated prompt tokens; ``chars_per_token`` is corrected from a server's own count."""

    chars_per_token: float = FIT_CHARS_PER_TOKEN

    def count(self, messages: Sequence[dict[str, str]]) -> int:
        chars = sum(len(m["content"]) for m in messages)
        return int(chars / self.chars_per_token) + MESSAGE_OVERHEAD_TOKENS * len(messages)

    def learn(self, messages: Sequence[dict[str, str]], server_tokens: int) -> None:
        chars = sum(len(m["content"]) for m in messages)
        text_tokens = max(1, server_tokens - MESSAGE_OVERHEAD_TOKENS * len(messages))
        self.chars_per_token = 0.95 * chars / text_tokens


# Parts of a brief, least important first, with the words that make them relevant to a file.
_PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("notes", ()),
    ("screens", ("screen", "ui", "interaction", "user")),
    ("workflows", ("workflow", "sequence", "user", "flow", "journey")),
    ("constraints", ("requirement", "constraint", "principle", "scope")),
    ("goals", ("overview", "foundation", "problem", "goal", "requirement")),
    ("audience", ("overview", "foundation", "audience")),
    ("entity details", ("schema", "data", "entity", "model", "state")),
    ("components", ("component", "architecture", "runtime", "system", "folder", "diagram", "task")),
    ("entities", ("schema", "data", "entity", "model", "state")),
    ("glossary definitions", ("terminology", "glossary", "term")),
)


def _drop(brief: Brief, part: str) -> Brief:
    if part == "notes":
        return brief.model_copy(update={"notes": ""})
    if part == "entity details":
        entities = [
            e.model_copy(update={"fields": [f.model_copy(update={"description": ""}) for f in e.fields]})
            for e in brief.entities
        ]
        return brief.model_copy(update={"entities": entities})
    if part == "entities":
        # Names and states stay: schema links and state machines depend on them.
        entities = [e.model_copy(update={"fields": [], "description": ""}) for e in brief.entities]
        return brief.model_copy(update={"entities": entities})
    if part == "components":
        return brief.model_copy(update={"components": [c.model_copy(update={"responsibility": ""})
                                                       for c in brief.components]})
    if part == "glossary definitions":
        return brief.model_copy(update={"glossary": [t.model_copy(update={"definition": ""}) for t in brief.glossary]})
    return brief.model_copy(update={part: []})


def trim_order(topic: str) -> list[str]:
    """Brief parts in the order they are dropped for a file or phase described by ``topic``:
    parts the topic does not mention first, then the relevant ones, each group least important first."""
    text = topic.lower()
    relevant = [name for name, words in _PARTS if any(w in text for w in words)]
    return [name for name, _ in _PARTS if name not in relevant] + relevant


@dataclass
class Fitted:
    prompt: Prompt
    prompt_tokens: int
    max_tokens: int
    trimmed: list[str] = field(default_factory=list)


def fit_prompt(
    render: Callable[[Brief, int], Prompt],
    brief: Brief,
    *,
    upstream_chars: int,
    topic: str,
    window: int | None,
    max_tokens: int,
    counter: TokenCounter,
    what: str,
    extra_messages: Iterable[dict[str, str]] = (),
) -> Fitted:
    """Render ``render(brief, upstream_chars)`` small enough for ``window`` (None: no limit known).

    ``extra_messages`` (a re-ask's conversation) count against the window but are not trimmed.
    """
    extra = list(extra_messages)
    prompt = render(brief, upstream_chars)
    if window is None:
        return Fitted(prompt, counter.count([*prompt.messages(), *extra]), max_tokens)
    reserve = output_reserve(window, max_tokens)
    budget = window - reserve - SAFETY_TOKENS
    trimmed: list[str] = []

    def tokens(p: Prompt) -> int:
        return counter.count([*p.messages(), *extra])

    while tokens(prompt) > budget and upstream_chars > 0:
        upstream_chars = upstream_chars // 2 if upstream_chars // 2 >= MIN_UPSTREAM_CHARS else 0
        prompt = render(brief, upstream_chars)
        if "upstream excerpts" not in trimmed:
            trimmed.append("upstream excerpts")
    for part in trim_order(topic):
        if tokens(prompt) <= budget:
            break
        smaller = _drop(brief, part)
        if smaller == brief:
            continue
        brief = smaller
        prompt = render(brief, upstream_chars)
        trimmed.append(f"brief {part}")
    used = tokens(prompt)
    if used > budget:
        raise ContextWindowError(
            f"{what}: the prompt needs ~{used} tokens even with no upstream excerpts and the brief cut to its "
            f"name, summary, entity names and glossary terms, but the model's context window is {window} tokens "
            f"({reserve} kept for the answer). Raise the server's context (llama.cpp: --n_ctx / -c; Ollama: "
            "num_ctx) and --context-window, lower --max-tokens, or shorten the brief"
        )
    return Fitted(prompt, used, min(max_tokens, window - used - SAFETY_TOKENS), trimmed)
