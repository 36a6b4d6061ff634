"""Phase fan-out against a fake OpenAI-compatible server: measured time vs ceil(n/C)·L.

The fake server answers every chat completion after L ms; the real OpenAI adapter (real SDK,
real HTTP on 127.0.0.1, retries/breaker/budget/normalisation all in the path) writes n files
through ``generate_files`` with concurrency C.  The ideal is ceil(n/C)·L; the overhead is what
DocsGen (prompt rendering, SDK, HTTP, thread pool) adds on top.  Target: ≤ 10 %.

    .venv/bin/python benchmarks/agent_concurrency.py [--latency-ms 200] [--files 12] [--repeat 3]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path

# Run from a checkout without installing the test helpers: the fake server lives in the test tree.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docsgen_pipeline.agents.base import WriteRequest
from docsgen_pipeline.agents.registry import build_agent
from docsgen_pipeline.agents.settings import AgentSettings
from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.brief import load_brief
from docsgen_pipeline.generation import generate_files
from docsgen_pipeline_tests.agents.requests import EXAMPLE, plan_request, write_requests
from docsgen_pipeline_tests.fakes.openai_server import running_fake_server


def requests_for(n: int) -> list[WriteRequest]:
    """n write requests cycling through the example brief's phase-1 files (realistic prompt sizes)."""
    brief = load_brief(EXAMPLE)
    bp = default_blueprint()
    with running_fake_server() as server:
        plan = build_agent(AgentSettings(kind="openai", base_url=server.base_url, model="fake-model"), environ={})
        phase_plan = plan.plan_phase(plan_request(brief, 1)).plan
    base = write_requests(brief, phase_plan, bp)
    # Distinct feedback per request keeps every prompt unique, as real files are.
    return [base[i % len(base)].model_copy(update={"feedback": [f"variant {i}"]}) for i in range(n)]


def _serve(latency_s: float, ports: Queue[int], stop: Event) -> None:
    with running_fake_server(latency_s=latency_s) as server:
        ports.put(server.port)
        stop.wait()


@contextmanager
def server_process(latency_s: float) -> Iterator[str]:
    """The fake server in its own process: a real model server is not competing for our GIL."""
    ctx = mp.get_context("spawn")
    ports: Queue[int] = ctx.Queue()
    stop = ctx.Event()
    proc = ctx.Process(target=_serve, args=(latency_s, ports, stop), daemon=True)
    proc.start()
    try:
        yield f"http://127.0.0.1:{ports.get(timeout=60)}/v1"
    finally:
        stop.set()
        proc.join(timeout=10)


def measure(latency_s: float, n: int, concurrency: int, repeat: int, requests: list[WriteRequest]) -> list[float]:
    times = []
    with server_process(latency_s) as base_url:
        settings = AgentSettings(kind="openai", base_url=base_url, model="fake-model")
        agent = build_agent(settings, environ={})
        generate_files(agent, requests[:concurrency], concurrency)  # warm-up: client, connections, templates
        for _ in range(repeat):
            started = time.perf_counter()
            replies = generate_files(agent, requests[:n], concurrency)
            times.append(time.perf_counter() - started)
            assert len(replies) == n and all(r.markdown.startswith("# ") for r in replies)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[100.0, 500.0])
    parser.add_argument("--files", type=int, default=12)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 4, 8, 12])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    requests = requests_for(args.files)
    print(f"n={args.files} files, median of {args.repeat} runs, after one warm-up batch")
    print(f"{'L ms':>6} {'C':>3} {'ideal s':>8} {'measured s':>10} {'overhead':>9}")
    worst = 0.0
    for latency_ms in args.latency_ms:
        for c in args.concurrency:
            ideal = math.ceil(args.files / c) * latency_ms / 1000
            measured = statistics.median(measure(latency_ms / 1000, args.files, c, args.repeat, requests))
            overhead = (measured - ideal) / ideal * 100
            worst = max(worst, overhead)
            print(f"{latency_ms:>6.0f} {c:>3} {ideal:>8.3f} {measured:>10.3f} {overhead:>8.1f}%")
    print(f"worst overhead {worst:.1f}% (target <= 10%)")


if __name__ == "__main__":
    main()
