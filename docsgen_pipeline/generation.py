"""Generate one phase's files: short bounded agent calls, fanned out on threads.

LLM calls are I/O bound, so one Dagster step per phase runs them on a bounded thread pool rather
than a process per file (a process per step costs ~2 s of imports on a 2-core machine).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed

from docsgen_pipeline.agents.base import Agent, FileReply, WriteRequest


def generate_files(agent: Agent, requests: Sequence[WriteRequest], max_concurrency: int) -> list[FileReply]:
    """Write every requested file; results come back in request order.

    The first failure propagates after in-flight calls finish, so no call is left running behind
    a failed step.
    """
    if not requests:
        return []
    workers = max(1, min(max_concurrency, len(requests)))
    if workers == 1:
        return [agent.write_file(request) for request in requests]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="docsgen-write") as pool:
        futures = [pool.submit(agent.write_file, request) for request in requests]
        return [future.result() for future in futures]


def iter_generate_files(
    agent: Agent, requests: Sequence[WriteRequest], max_concurrency: int
) -> Iterator[tuple[int, FileReply]]:
    """:func:`iter_calls` of ``agent.write_file`` for each request."""
    return iter_calls([functools.partial(agent.write_file, request) for request in requests], max_concurrency)


def iter_calls(tasks: Sequence[Callable[[], FileReply]], max_concurrency: int) -> Iterator[tuple[int, FileReply]]:
    """Yield ``(task index, reply)`` as each file's reply arrives, so callers can store it at once.

    On the first failure no further call is started; calls in flight finish and their replies are
    still yielded (an interrupted phase keeps every file that was written), then the error propagates.
    """
    if not tasks:
        return
    workers = max(1, min(max_concurrency, len(tasks)))
    if workers == 1:
        for index, task in enumerate(tasks):
            yield index, task()
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="docsgen-write") as pool:
        futures = {pool.submit(task): index for index, task in enumerate(tasks)}
        error: BaseException | None = None
        for future in as_completed(futures):
            if future.cancelled():
                continue
            exc = future.exception()
            if exc is not None:
                if error is None:
                    error = exc
                    for other in futures:
                        other.cancel()
                continue
            yield futures[future], future.result()
        if error is not None:
            raise error
