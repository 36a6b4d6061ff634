"""dagster-celery's executor, plus a watch on the workers that run the steps (issue 15).

dagster-celery waits for each step's Celery result and nothing else: a worker killed with its
pool (SIGKILL, out of memory, a machine gone) never stores that result, so the coordinator
waited forever.  Redelivering the task instead (``task_acks_late`` with
``task_reject_on_worker_lost``) does not help with Redis: an unacknowledged task comes back only
after the transport's visibility timeout (an hour by default), and a shorter one redelivers steps
that are merely slow (a long model call) to a second worker while the first still writes.

So the coordinator watches: workers record ``STARTED`` with their name (``task_track_started``),
the coordinator pings each worker that runs one of its steps, and a worker silent for
``$DOCSGEN_CELERY_WORKER_LOST_S`` fails its step with a message naming the worker and the resume
command, as Dagster's own step-health checks do for Kubernetes steps.  Tasks sent before the
loss that never started (the dead worker may have prefetched one) are revoked and failed too.
A pool process killed under a live worker (the OOM killer) is reported by Celery itself
(``WorkerLostError``) and fails its step the same way.  The Dagster run then fails like any run
with a failed step; ``docsgen approve RUN --resume`` reuses every file already stored.
"""

from __future__ import annotations

import time
from typing import Any

import dagster as dg
from celery import states  # type: ignore[import-untyped]
from celery.exceptions import WorkerLostError  # type: ignore[import-untyped]
from celery.result import AsyncResult  # type: ignore[import-untyped]
from dagster._core.execution.context.system import IStepContext, PlanOrchestrationContext
from dagster._core.execution.plan.objects import StepFailureData
from dagster._core.execution.plan.plan import ExecutionPlan
from dagster._core.execution.plan.step import ExecutionStep
from dagster._core.execution.retries import RetryMode
from dagster._serdes import serialize_value
from dagster_celery.core_execution_loop import core_celery_execution_loop
from dagster_celery.executor import CELERY_CONFIG, CeleryExecutor, _submit_task
from dagster_shared.error import SerializableErrorInfo

from docsgen_pipeline.dagster_layer.partitions import RUN_TAG
from docsgen_pipeline.liveness import Liveness, lost_after_s

# Worker-side settings DocsGen's watch relies on; the workers' app (celery_app) uses them too.
# task_track_started: a step's STARTED state names its worker.  worker_disable_prefetch (Redis,
# Celery 5.6+): a busy worker holds no second task, which would otherwise sit unacknowledged in
# a dead worker until the broker's visibility timeout (an hour) hands it to another.
CELERY_SETTINGS: dict[str, object] = {"task_track_started": True, "worker_disable_prefetch": True}
PING_TIMEOUT_S = 1.0


def resume_hint(plan_context: PlanOrchestrationContext) -> str:
    docs_run = plan_context.dagster_run.tags.get(RUN_TAG)
    if docs_run:
        return f"start workers, then run `docsgen approve {docs_run} --resume`"
    return "start workers, then re-execute the run from failure"


class StepWatch:
    """The Celery results of one Dagster run's steps, and the liveness of the workers running them."""

    def __init__(self, lost_after: float) -> None:
        self.liveness = Liveness(lost_after)

    def submit(
        self,
        app: Any,
        plan_context: PlanOrchestrationContext,
        step: ExecutionStep,
        queue: str,
        priority: int,
        known_state: Any,
    ) -> WatchedResult:
        result = _submit_task(app, plan_context, step, queue, priority, known_state)
        return WatchedResult(result, plan_context.for_step(step), resume_hint(plan_context), self)

    def is_lost(self, app: Any, worker: str) -> bool:
        now = time.monotonic()
        if self.liveness.should_ping(worker, now):
            self.liveness.pinged(worker, now, self._answers(app, worker))
        return self.liveness.is_lost(worker)

    @staticmethod
    def _answers(app: Any, worker: str) -> bool:
        try:
            replies = app.control.ping(destination=[worker], timeout=PING_TIMEOUT_S, limit=1)
        except Exception:  # any broker failure: the worker cannot answer through it either
            return False
        return any(worker in reply for reply in replies)


class WatchedResult:
    """An ``AsyncResult`` as dagster-celery's loop uses it (ready, get, revoke); also ends when its worker is lost."""

    def __init__(self, result: AsyncResult, step_context: IStepContext, hint: str, watch: StepWatch):
        self._result = result
        self._step_context = step_context
        self._hint = hint
        self._watch = watch
        self._sent_at = time.monotonic()
        self._revoked_at: float | None = None
        self._worker = ""
        self._failure: dg.DagsterEvent | None = None

    def ready(self) -> bool:
        if self._failure is not None or self._result.ready():
            return True
        state = self._result.state
        if state == states.STARTED:
            info = self._result.info
            worker = str(info.get("hostname", "")) if isinstance(info, dict) else ""
            if worker:
                self._worker = worker
            if worker and self._watch.is_lost(self._result.app, worker):
                silent = self._watch.liveness.silent_for(worker, time.monotonic())
                pid = info.get("pid") if isinstance(info, dict) else None
                self._fail(
                    f"Celery worker {worker} did not answer for {silent:.0f} s while running step "
                    f"{self._step_context.step.key} (pid {pid}); its work on this step is lost: {self._hint}"
                )
        elif state == states.PENDING:
            self._check_not_started()
        return self._failure is not None

    def _check_not_started(self) -> None:
        lost_at = self._watch.liveness.first_loss()
        if lost_at is None or self._sent_at > lost_at:
            return  # sent after the loss: only live workers can take it
        now = time.monotonic()
        if self._revoked_at is None:
            # The lost worker may hold this task unstarted; a live worker that gets it drops it.
            self._result.revoke()
            self._revoked_at = now
        elif now - self._revoked_at >= self._watch.liveness.ping_every_s:
            self._fail(
                f"step {self._step_context.step.key} was sent to the workers before a worker was lost and "
                f"never started; revoked: {self._hint}"
            )

    def _fail(self, message: str) -> dg.DagsterEvent:
        error = SerializableErrorInfo(message=message, stack=[], cls_name="CeleryWorkerLost")
        self._failure = dg.DagsterEvent.step_failure_event(
            step_context=self._step_context,
            step_failure_data=StepFailureData(error=error, user_failure_data=None),
            message=message,
        )
        return self._failure

    def get(self) -> Any:
        if self._failure is not None:
            # The loop deserializes what a worker returns: one STEP_FAILURE (already logged).
            return [serialize_value(self._failure)]
        try:
            return self._result.get()
        except WorkerLostError as lost:
            # The worker lives on but its pool process died mid-step (the OOM killer, a kill -9):
            # Celery stored that as the result; the step fails like any other, not the executor.
            failure = self._fail(
                f"{self._worker_name()} lost the process running step {self._step_context.step.key} ({lost}); "
                f"its work on this step is lost: {self._hint}"
            )
            return [serialize_value(failure)]

    def _worker_name(self) -> str:
        """The worker that took this step: seen in its STARTED state, or else in the event it logged."""
        if self._worker:
            return f"Celery worker {self._worker}"
        # A step can start and die between two polls; its worker still logged which one it was.
        context = self._step_context
        for record in context.instance.all_logs(context.run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
            event = record.dagster_event
            data = event.engine_event_data if event is not None else None
            if event is not None and event.step_key == context.step.key and data is not None:
                name = data.metadata.get("Celery worker")
                if name is not None:
                    return f"Celery worker {name.value}"
        return "a Celery worker"

    def revoke(self) -> None:
        self._result.revoke()


class WatchedCeleryExecutor(CeleryExecutor):
    def __init__(self, lost_after: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lost_after = lost_after

    def execute(self, plan_context: PlanOrchestrationContext, execution_plan: ExecutionPlan) -> Any:
        watch = StepWatch(self.lost_after)
        return core_celery_execution_loop(plan_context, execution_plan, step_execution_fn=watch.submit)


@dg.executor(
    name="docsgen_celery", config_schema=CELERY_CONFIG, requirements=dg.multiple_process_executor_requirements()
)
def watched_celery_executor(init_context: dg.InitExecutorContext) -> WatchedCeleryExecutor:
    config: dict[str, Any] = dict(init_context.executor_config)
    return WatchedCeleryExecutor(
        lost_after=lost_after_s(),
        broker=config.get("broker"),
        backend=config.get("backend"),
        include=config.get("include"),
        config_source={**CELERY_SETTINGS, **(config.get("config_source") or {})},
        retries=RetryMode.from_config(config["retries"]),
    )
