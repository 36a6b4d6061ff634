"""The real llama.cpp server answers the OpenAI adapter (real HTTP, real model, real SDK)."""

from __future__ import annotations

from docsgen_pipeline.agents.openai_compat import OpenAICompatCompleter
from docsgen_pipeline.agents.settings import AgentSettings
from docsgen_pipeline_tests.support.llama_server import LlamaServer


def test_adapter_gets_a_completion_from_smollm2(llama_server: LlamaServer) -> None:
    settings = AgentSettings(kind="openai", base_url=llama_server.base_url, model=llama_server.model, temperature=0)
    completer = OpenAICompatCompleter(settings, "not-needed")
    assert llama_server.model in completer.list_models()
    reply = completer.complete(
        [{"role": "user", "content": "Name one colour of the sky, in one word."}], max_tokens=16, json_mode=False
    )
    assert reply.text.strip()
    assert reply.tokens_in > 0 and 0 < reply.tokens_out <= 16
