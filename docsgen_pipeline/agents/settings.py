"""How a docs run talks to its writer: one pydantic model, validated once, shared by CLI and resource.

The API key is deliberately not a field: settings carry only the *name* of the environment
variable (``api_key_env``), the value is read when the agent is built, so a settings dump in run
metadata or logs can never leak it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from docsgen_pipeline.agents.structured import StructuredSetting
from docsgen_pipeline.errors import ConfigError

AgentKind = Literal["template", "openai", "command"]
GenerationMode = Literal["file", "section"]


class Price(BaseModel):
    """USD per one million tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input_per_m: float = Field(ge=0)
    output_per_m: float = Field(ge=0)


class AgentSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: AgentKind = "template"
    base_url: str = "https://api.openai.com/v1"
    model: str = "gpt-4o-mini"
    temperature: float = Field(default=0.2, ge=0, le=2)
    max_tokens: int = Field(default=4000, ge=16, description="output cap per call; also the budget's worst case")
    timeout_s: float = Field(default=120.0, gt=0, description="per HTTP attempt / per command run")
    max_retries: int = Field(default=4, ge=0, le=20, description="retries after the first attempt (tenacity only)")
    backoff_initial_s: float = Field(default=1.0, ge=0)
    backoff_max_s: float = Field(default=60.0, ge=0, description="also caps an honoured Retry-After")
    api_key_env: str = Field(default="OPENAI_API_KEY", description="name of the variable holding the key")
    azure_api_version: str | None = Field(default=None, description="set to talk to Azure OpenAI (model = deployment)")
    structured_output: StructuredSetting = Field(
        default="auto",
        description="how plans are asked: json_schema, json_object_schema, json_object, prompt, or auto (the "
        "strongest mode the endpoint accepts; `docsgen doctor` reports which)",
    )
    json_mode: bool = Field(default=False, description="deprecated: same as structured_output=json_object")
    plan_attempts: int = Field(default=3, ge=1, le=10, description="plan calls before giving up (1 + re-asks)")
    command: tuple[str, ...] = Field(default=(), description="argv of the command agent; prompt on stdin")
    prices: dict[str, Price] = Field(default_factory=dict, description="model -> price; overrides the built-in table")
    budget_usd: float | None = Field(default=None, gt=0, description="per docs run cost cap; None = no cap")
    max_concurrency: int = Field(default=4, ge=1, le=64)
    cache_dir: str | None = Field(default=None, description="response cache directory; None disables caching")
    breaker_failures: int = Field(default=5, ge=1, description="consecutive failures that open the circuit")
    breaker_cooldown_s: float = Field(default=30.0, ge=0)
    upstream_budget_chars: int = Field(default=12000, ge=0, description="approved upstream text put in a prompt")
    generation: GenerationMode = Field(
        default="file",
        description="file: one call writes a whole file; section: the orchestrator writes the H1 and every planned "
        "heading and asks for each section's body in a short call (for small models)",
    )
    section_max_tokens: int = Field(default=300, ge=16, description="output cap per section call (section mode)")
    repair_rounds: int = Field(
        default=2, ge=0, le=10, description="automatic targeted repairs of files the checks or the gate flag"
    )
    context_window: int | None = Field(
        default=None, ge=256, description="the model's context in tokens; None: read from the server where it says"
    )

    @property
    def plan_mode(self) -> StructuredSetting:
        """The structured-output setting, with the deprecated ``json_mode`` alias applied."""
        if self.json_mode and self.structured_output == "auto":
            return "json_object"
        return self.structured_output

    @model_validator(mode="after")
    def _command_needs_argv(self) -> AgentSettings:
        if self.kind == "command" and not self.command:
            raise ValueError(
                "agent kind 'command' needs 'command' (--agent-command on the CLI): the program to run, "
                "e.g. 'ollama run llama3.1'"
            )
        return self

    def public_dict(self) -> dict[str, object]:
        """Settings safe for metadata and logs (the key value is never part of settings)."""
        return self.model_dump(mode="json", exclude={"prices"})


def merge_settings(
    base: AgentSettings | Mapping[str, Any] | None, run_agent: Mapping[str, Any] | None
) -> AgentSettings:
    """Deployment settings (resource config) overridden by a docs run's own choice (its registration).

    Raises ConfigError naming the field, so a bad ``--model`` or resource value reads as such.
    """
    values: dict[str, Any] = base.model_dump() if isinstance(base, AgentSettings) else dict(base or {})
    values.update({k: v for k, v in (run_agent or {}).items() if v is not None})
    try:
        return AgentSettings.model_validate(values)
    except ValidationError as exc:
        raise ConfigError(describe_error(exc, "agent setting")) from None


def describe_error(exc: ValidationError, what: str) -> str:
    first = exc.errors()[0]
    message = first["msg"].removeprefix("Value error, ")
    where = ".".join(str(p) for p in first["loc"])
    return f"{what} '{where}': {message}" if where else f"{what}s: {message}"
