"""A docs run against any OpenAI-compatible endpoint: what it cost, where the time went, how repair went.

Prints calls, tokens in/out, model seconds vs orchestration seconds (wall time minus time spent
waiting for the model), files passing the gate on the first try, after repair round 1 and after
round 2, and the wall time.  Uses a throwaway DocsGen home, so nothing of yours is touched.

    .venv/bin/python benchmarks/real_model.py --base-url http://127.0.0.1:8080/v1 --model M \\
        [--generation section|file] [--blueprint small|default|PATH] [--section-max-tokens 64]

Without --base-url it starts SmolLM2-135M-Instruct on llama.cpp's server itself (the dev extra).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REPO = Path(__file__).resolve().parent.parent
SMALL = REPO / "docsgen_pipeline_tests" / "fixtures" / "blueprints" / "small.yaml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url")
    parser.add_argument("--model")
    parser.add_argument("--generation", choices=["file", "section"], default="section")
    parser.add_argument("--blueprint", default="small", help="small, default, or a blueprint file")
    parser.add_argument("--brief", default=str(REPO / "examples" / "acme-orders.yaml"))
    parser.add_argument("--section-max-tokens", type=int, default=64)
    parser.add_argument("--max-tokens", type=int, default=400)
    parser.add_argument("--repair-rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="docsgen-bench-real-"))
    os.environ["DOCSGEN_HOME"] = str(home)
    os.environ["DAGSTER_HOME"] = str(home / "dagster")
    os.environ.pop("DOCSGEN_STORE", None)

    from docsgen_pipeline.blueprint import default_blueprint, load_blueprint
    from docsgen_pipeline.cli.driver import drive
    from docsgen_pipeline.cli.instance import get_instance, prepare_dagster_home
    from docsgen_pipeline.dagster_layer.facts import collect
    from docsgen_pipeline.lifecycle import derive
    from docsgen_pipeline.registration import register_docs_run
    from docsgen_pipeline.store import ArtifactStore
    from docsgen_pipeline_tests.support.llama_server import start_llama_server
    from docsgen_pipeline_tests.support.run_summary import summarize

    prepare_dagster_home()
    blueprint = {"small": lambda: load_blueprint(SMALL), "default": default_blueprint}.get(
        args.blueprint, lambda: load_blueprint(args.blueprint)
    )()
    server = None
    base_url, model = args.base_url, args.model
    if base_url is None:
        server, info = start_llama_server(home)
        base_url, model = info.base_url, info.model
    try:
        store = ArtifactStore(home / "artifacts")
        brief = Path(args.brief)
        agent = {
            "kind": "openai", "base_url": base_url, "model": model or "default", "generation": args.generation,
            "temperature": 0.0, "max_tokens": args.max_tokens, "section_max_tokens": args.section_max_tokens,
            "plan_attempts": 1, "max_concurrency": args.concurrency, "timeout_s": args.timeout, "max_retries": 1,
            "repair_rounds": args.repair_rounds,
        }
        register_docs_run(store, brief_text=brief.read_text(encoding="utf-8"), brief_format="yaml"
                          if brief.suffix in (".yaml", ".yml") else "markdown", brief_source=str(brief),
                          blueprint=blueprint, run_id="bench-1", agent=agent)
        started = time.monotonic()
        drive("bench-1", blueprint)
        wall = time.monotonic() - started
        state = derive(collect(get_instance(), store, "bench-1"))
        s = summarize(store, get_instance(), "bench-1", blueprint)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
    total = len(blueprint.all_files())
    print(f"endpoint        {base_url} (model {model})")
    print(f"generation      {args.generation}; blueprint {blueprint.name} ({total} files); "
          f"section_max_tokens {args.section_max_tokens}; concurrency {args.concurrency}")
    print(f"outcome         {state.status.value} ({state.detail})")
    print(f"calls           {s.calls}")
    print(f"tokens in/out   {s.tokens_in} / {s.tokens_out}")
    print(f"model s         {s.model_s:.1f}")
    print(f"orchestration s {max(0.0, wall - s.model_s):.1f}")
    print(f"files written   {s.files_written}/{total}")
    print(f"pass 1st try    {s.passing(0)}")
    print(f"pass round 1    {s.passing(1)}")
    print(f"pass round 2    {s.passing(2)}")
    print(f"wall s          {wall:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
