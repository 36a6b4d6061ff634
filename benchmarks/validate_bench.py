"""Benchmark ``docsgen validate`` against its peers on generated corpora with injected defects.

    python benchmarks/validate_bench.py --files 500 5000 [--repeat 3] [--work /tmp/docsgen-bench]
                                        [--npm-prefix /tmp/docsgen-bench-peers]

Peers, each skipped cleanly when not installed:

* ``markdownlint-cli2`` and ``markdown-link-check`` (npm):
  ``npm install --prefix /tmp/docsgen-bench-peers markdownlint-cli2 markdown-link-check``
* ``mkdocs build --strict`` with link and anchor validation (pip, into the venv only for this run,
  never a project dependency): ``.venv/bin/pip install mkdocs``
* a bare single-process markdown-it-py parse of every file (the floor for a pure-Python parser).

For each tool: wall time, CPU time (user+sys of the process and its waited-for children, so
less sensitive to a busy machine than wall time), files/s, peak RSS (largest single process),
and how many injected defects of the kinds it checks it found, plus false alarms (findings of
those kinds that match no injected defect).  ``docsgen`` is measured cold (empty cache, every
core) and warm (one file edited, cache kept).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from validate_corpus import DEFECT_KINDS, generate

PYTHON = sys.executable
BARE = (
    "import sys, pathlib\nfrom markdown_it import MarkdownIt\nmd = MarkdownIt('commonmark')\n"
    "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.md')):\n    md.parse(p.read_text(encoding='utf-8'))\n"
)


@dataclass(frozen=True)
class Hit:
    file: str  # relative to docs/
    line: int | None
    target: str | None
    kind: str  # one of DEFECT_KINDS, or "other"


@dataclass
class Result:
    tool: str
    files: int
    wall: float
    cpu: float
    rss_mb: float
    checks: tuple[str, ...]
    found: int = 0
    injected: int = 0
    false_alarms: int = 0
    note: str = ""
    hits: list[Hit] = field(default_factory=list)


class TimedOut(Exception):
    pass


def run(cmd: list[str], cwd: Path, timeout: float | None = None) -> tuple[float, float, float, str]:
    """(wall s, cpu s, peak RSS MB, stdout+stderr) of one command; TimedOut after ``timeout`` s."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        while True:
            pid, _, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if timeout is not None and time.perf_counter() - start > timeout:
                proc.kill()
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                raise TimedOut(f"killed after {timeout:.0f} s")
            time.sleep(0.02)
        wall = time.perf_counter() - start
        proc.returncode = 0  # reaped by wait4
        out.seek(0)
        text = out.read().decode("utf-8", errors="replace")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text


def _strip_docs(path: str) -> str:
    path = path.replace("\\", "/")
    return path[5:] if path.startswith("docs/") else path


def parse_docsgen(text: str) -> list[Hit]:
    start = text.index("[")
    kinds = {"broken-link": "broken-link", "no-placeholders": "no-placeholders", "single-h1-first": "single-h1-first"}
    hits = []
    for f in json.loads(text[start : text.rindex("]") + 1]):
        if f["rule"] == "broken-fragment":
            kind = "broken-fragment-same" if "in this file" in f["message"] else "broken-fragment-cross"
        else:
            kind = kinds.get(f["rule"], "other")
        hits.append(Hit(_strip_docs(f["file"]), f["line"], None, kind))
    return hits


_MDL = re.compile(r"^(?P<file>\S+?):(?P<line>\d+)(?::\d+)? \w+ (?P<rule>MD\d+)")


def parse_markdownlint(text: str) -> list[Hit]:
    kinds = {"MD051": "broken-fragment-same", "MD025": "single-h1-first", "MD041": "single-h1-first"}
    hits = []
    for line in text.splitlines():
        m = _MDL.match(line.strip())
        if m and m.group("rule") in kinds:
            hits.append(Hit(_strip_docs(m.group("file")), int(m.group("line")), None, kinds[m.group("rule")]))
    return hits


def parse_link_check(text: str) -> list[Hit]:
    hits = []
    current = ""
    for line in text.splitlines():
        m = re.search(r"dead links? found in (\S+) !", line)
        if m:
            current = _strip_docs(m.group(1))
        m = re.search(r"\[✖\] (\S+)", line)
        if m:
            target = m.group(1)
            kind = "broken-fragment-same" if target.startswith("#") else "broken-link"
            hits.append(Hit(current, None, target, kind))
    return hits


_MK = re.compile(r"Doc file '(?P<file>[^']+)' contains a link '(?P<target>[^']+)', but (?P<why>.*)")


def parse_mkdocs(text: str) -> list[Hit]:
    hits = []
    for line in text.splitlines():
        m = _MK.search(line)
        if m:
            target = m.group("target")
            if target.startswith("#"):
                kind = "broken-fragment-same"
            elif "does not contain an anchor" in m.group("why"):
                kind = "broken-fragment-cross"
            else:
                kind = "broken-link"
            hits.append(Hit(m.group("file"), None, target, kind))
    return hits


def score(result: Result, defects: list[dict[str, object]]) -> None:
    relevant = [d for d in defects if d["kind"] in result.checks]
    result.injected = len(relevant)
    matched: set[int] = set()
    for i, d in enumerate(relevant):
        for h in result.hits:
            if h.file == d["file"] and h.kind == d["kind"] and (h.line == d["line"] or h.target == d["target"]):
                matched.add(i)
                break
    result.found = len(matched)

    def is_defect(h: Hit) -> bool:
        return any(
            h.file == d["file"] and h.kind == d["kind"] and (h.line == d["line"] or h.target == d["target"])
            for d in relevant
        )

    result.false_alarms = sum(1 for h in result.hits if h.kind in result.checks and not is_defect(h))


@dataclass(frozen=True)
class Tool:
    name: str
    checks: tuple[str, ...]
    command: Callable[[Path], list[str] | None]
    parse: Callable[[str], list[Hit]]


def tools(npm_prefix: Path, site: Path) -> list[Tool]:
    def npm_bin(name: str) -> Callable[[Path], list[str] | None]:
        binary = npm_prefix / "node_modules" / ".bin" / name

        def command(corpus: Path) -> list[str] | None:
            if not binary.exists():
                return None
            if name == "markdownlint-cli2":
                return [str(binary), "docs/**/*.md"]
            return [str(binary), "-q", "-c", ".markdown-link-check.json", "docs"]

        return command

    def mkdocs(corpus: Path) -> list[str] | None:
        probe = subprocess.run([PYTHON, "-c", "import mkdocs"], capture_output=True, check=False)
        return None if probe.returncode else [PYTHON, "-m", "mkdocs", "build", "--strict", "-d", str(site)]

    return [
        Tool("bare markdown-it-py parse (1 process)", (), lambda c: [PYTHON, "-c", BARE, "docs"], lambda t: []),
        Tool(
            "markdownlint-cli2",
            ("broken-fragment-same", "single-h1-first"),
            npm_bin("markdownlint-cli2"),
            parse_markdownlint,
        ),
        Tool(
            "markdown-link-check",
            ("broken-link", "broken-fragment-same"),
            npm_bin("markdown-link-check"),
            parse_link_check,
        ),
        Tool(
            "mkdocs build --strict",
            ("broken-link", "broken-fragment-same", "broken-fragment-cross"),
            mkdocs,
            parse_mkdocs,
        ),
    ]


def bench_docsgen(corpus: Path, repeat: int, defects: list[dict[str, object]]) -> list[Result]:
    docsgen = [PYTHON, "-m", "docsgen_pipeline.cli.main", "validate", "docs", "--format", "json"]
    files = sum(1 for _ in (corpus / "docs").rglob("*.md"))
    cache = corpus / "cache"
    cold: Result | None = None
    warm: Result | None = None
    victim = corpus / "docs" / "s03" / "page-0003.md"
    original = victim.read_text(encoding="utf-8")
    for _ in range(repeat):
        shutil.rmtree(cache, ignore_errors=True)
        wall, cpu, rss, out = run([*docsgen, "--cache-dir", str(cache)], corpus)
        if cold is None or wall < cold.wall:
            cold = Result(
                "docsgen validate, cold (all cores)", files, wall, cpu, rss, DEFECT_KINDS, hits=parse_docsgen(out)
            )
        victim.write_text(original + f"\nEdited at {time.time()}.\n", encoding="utf-8")
        wall, cpu, rss, out = run([*docsgen, "--cache-dir", str(cache)], corpus)
        victim.write_text(original, encoding="utf-8")
        if warm is None or wall < warm.wall:
            warm = Result(
                "docsgen validate, warm (1 file edited)", files, wall, cpu, rss, DEFECT_KINDS, hits=parse_docsgen(out)
            )
    assert cold is not None and warm is not None
    for r in (cold, warm):
        score(r, defects)
    return [cold, warm]


def bench(
    size: int, work: Path, npm_prefix: Path, repeat: int, peer_repeat: int, timeout: float | None = None
) -> list[Result]:
    corpus = work / f"corpus-{size}"
    if not (corpus / "defects.json").exists():
        shutil.rmtree(corpus, ignore_errors=True)
        generate(corpus, size, seed=7)
    defects = json.loads((corpus / "defects.json").read_text(encoding="utf-8"))
    files = sum(1 for _ in (corpus / "docs").rglob("*.md"))
    results = bench_docsgen(corpus, repeat, defects)
    print(table(size, results), flush=True)  # as it goes: the peers can take many minutes
    for tool in tools(npm_prefix, work / f"site-{size}"):
        cmd = tool.command(corpus)
        if cmd is None:
            results.append(Result(tool.name, files, 0, 0, 0, tool.checks, note="not installed: skipped"))
            continue
        best: Result | None = None
        try:
            for _ in range(repeat if not tool.checks else peer_repeat):
                wall, cpu, rss, out = run(cmd, corpus, timeout)
                if best is None or wall < best.wall:
                    best = Result(tool.name, files, wall, cpu, rss, tool.checks, hits=tool.parse(out))
        except TimedOut as exc:
            results.append(Result(tool.name, files, 0, 0, 0, tool.checks, note=str(exc)))
            print(table(size, results[-1:]), flush=True)
            continue
        assert best is not None
        score(best, defects)
        results.append(best)
        print(table(size, results[-1:]), flush=True)
    return results


def table(size: int, results: list[Result]) -> str:
    head = f"| {size} files | wall s | CPU s | files/s | peak MB | defects found | false alarms |"
    rows = [head, "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        if r.note:
            rows.append(f"| {r.tool} | – | – | – | – | {r.note} | – |")
            continue
        found = f"{r.found}/{r.injected}" if r.checks else "n/a"
        alarms = str(r.false_alarms) if r.checks else "n/a"
        rows.append(
            f"| {r.tool} | {r.wall:.2f} | {r.cpu:.2f} | {r.files / r.wall:.0f} | {r.rss_mb:.0f} | {found} | {alarms} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description="docsgen validate vs peers")
    parser.add_argument("--files", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--repeat", type=int, default=3, help="runs of docsgen and the bare parse (best wall kept)")
    parser.add_argument("--peer-repeat", type=int, default=1, help="runs of each peer (they are slow)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "docsgen-bench")
    parser.add_argument("--npm-prefix", type=Path, default=Path(tempfile.gettempdir()) / "docsgen-bench-peers")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--timeout", type=float, help="kill a peer run after this many seconds")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    everything = {}
    for size in args.files:
        results = bench(size, args.work, args.npm_prefix, args.repeat, args.peer_repeat, args.timeout)
        print("summary:", flush=True)
        print(table(size, results), flush=True)
        print()
        everything[size] = [{k: v for k, v in r.__dict__.items() if k != "hits"} for r in results]
    if args.json:
        args.json.write_text(json.dumps(everything, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
