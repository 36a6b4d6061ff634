"""One error root for DocsGen.

Everything below the CLI raises a subclass of :class:`DocsGenError`; only the CLI (and the
Dagster layer, which turns them into ``dagster.Failure``) prints them.  Messages are written for
the person who has to act on them: they name the file, field or line and say what to do.
"""

from __future__ import annotations

from pathlib import Path


class DocsGenError(Exception):
    """Root of every error DocsGen raises on purpose."""


class InputError(DocsGenError):
    """A user-supplied file (brief, blueprint, config) is unreadable or invalid."""


def read_input_file(path: str | Path, what: str, error: type[InputError]) -> str:
    """Read a user's UTF-8 file, or raise ``error`` naming the file and what it was meant to be."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{p}: {what} file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{p}: cannot read {what}: {exc}") from None


class BriefError(InputError):
    """The project brief cannot be read or does not validate."""


class BlueprintError(InputError):
    """The blueprint cannot be read or does not validate."""


class ConfigError(InputError):
    """A configuration value (docsgen.toml, resource config, CLI flag) is invalid."""


class RunIdError(InputError):
    """A docs-run id is not a valid, safe partition key."""


class StoreError(DocsGenError):
    """The artifact store refused an operation (e.g. rewriting an immutable artifact)."""


class UnknownRunError(DocsGenError):
    """A docs run that was never registered was named."""


class PlanError(DocsGenError):
    """A phase plan does not match the blueprint (the planned-files authority)."""


class AgentError(DocsGenError):
    """An agent call failed in a way retries could not fix."""


class LifecycleError(DocsGenError):
    """A lifecycle action (approve, reject, cancel, advance) is not allowed in this state."""


class RunLockedError(LifecycleError):
    """Another execution of the same docs run is in flight."""


class TransientAgentError(AgentError):
    """A call failed in a way a retry may fix (timeout, 429, 5xx, connection); retried before surfacing."""


class CircuitOpenError(AgentError):
    """The endpoint's circuit breaker is open after consecutive failures; calls fail fast until it cools down."""


class BudgetExceededError(AgentError):
    """The next call would take the docs run over its cost cap; nothing was sent."""


class PlanParseError(AgentError):
    """The model's phase plan stayed invalid JSON (or failed validation) after the allowed re-asks."""


class StructuredOutputUnsupported(AgentError):
    """The endpoint refused the requested ``response_format`` (a weaker mode may work)."""


class ContextWindowError(AgentError):
    """A prompt cannot fit the model's context window even after trimming what may be trimmed."""


class ContextOverflowError(AgentError):
    """The server refused a prompt as longer than its context window (which it named)."""

    def __init__(self, message: str, window: int, prompt_tokens: int | None = None) -> None:
        super().__init__(message)
        self.window = window
        self.prompt_tokens = prompt_tokens


class DestinationError(InputError):
    """A publish destination URL cannot be understood (unknown scheme, missing path or branch)."""


class PublishError(DocsGenError):
    """Publishing was refused or failed (run not Complete, bundle does not verify, older bundle, git error)."""


class DestinationUnavailableError(PublishError):
    """The destination could not be reached or written (git failed, disk error): a retry may succeed."""


class ServiceUnreachableError(DocsGenError):
    """A service the deployment is configured with (the Celery broker) does not answer at its URL."""
