"""dagster-celery's executor, configured from DocsGen's deployment settings.

The broker and result backend are passed as ``env`` config sources, so the URLs (and any password
in them) are read in the process that runs the job and never shown in the UI's config.
"""

from __future__ import annotations

import os
import warnings

import dagster as dg

from docsgen_pipeline.broker import INSTALL_HINT, configured_broker
from docsgen_pipeline.errors import ConfigError
from docsgen_pipeline.liveness import lost_after_s

# dagster-celery registers its one step task again for every step it submits; Celery warns each
# time that the (identical) new callable is ignored.
warnings.filterwarnings("ignore", message="Task name 'execute_plan' is already registered")

BROKER_ENV = "DOCSGEN_CELERY_BROKER"
BACKEND_ENV = "DOCSGEN_CELERY_BACKEND"


def docsgen_celery_executor() -> dg.ExecutorDefinition:
    """dagster-celery's executor that also fails a step whose worker was lost (``celery_watch``)."""
    try:
        from docsgen_pipeline.dagster_layer.celery_watch import watched_celery_executor
    except ImportError:
        raise ConfigError(f"DOCSGEN_RUN_EXECUTOR=celery: dagster-celery is not installed; {INSTALL_HINT}") from None
    configured_broker()  # a missing broker URL is a deployment error, said when the code location loads
    lost_after_s()  # so is a bad lost-worker timeout
    backend = BACKEND_ENV if os.environ.get(BACKEND_ENV, "").strip() else BROKER_ENV
    executor: dg.ExecutorDefinition = watched_celery_executor.configured(
        {"broker": {"env": BROKER_ENV}, "backend": {"env": backend}}, name="docsgen_celery"
    )
    return executor
