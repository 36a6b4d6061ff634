"""The Celery app DocsGen's workers run: ``celery -A docsgen_pipeline.dagster_layer.celery_app worker``.

It is dagster-celery's own app and step task, built from the same settings as the executor
(``$DOCSGEN_CELERY_BROKER``, ``$DOCSGEN_CELERY_BACKEND``), so a worker and the runs that send it
steps cannot disagree about the broker.  Each task rebuilds the job from
``docsgen_pipeline.definitions`` in the worker, so a worker needs the deployment's
``$DOCSGEN_BLUEPRINT`` and artifact store setting too; the Dagster instance travels with the task.
"""

from __future__ import annotations

from dagster_celery.executor import CeleryExecutor
from dagster_celery.make_app import make_app
from dagster_celery.tasks import create_task

from docsgen_pipeline.broker import configured_broker
from docsgen_pipeline.dagster_layer.celery_watch import CELERY_SETTINGS
from docsgen_pipeline.settings import celery_backend

# CELERY_SETTINGS: each step's STARTED state names this worker, so the coordinator can tell when
# the worker running a step is gone (celery_watch).
executor = CeleryExecutor.for_cli(broker=configured_broker(), backend=celery_backend(), config_source=CELERY_SETTINGS)
app = make_app(executor.app_args())
execute_plan = create_task(app)
