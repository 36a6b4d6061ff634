"""What a distributed deployment must agree on before a command hands steps to workers (pure; no Dagster).

With ``$DOCSGEN_RUN_EXECUTOR=celery`` the coordinator and every worker rebuild the jobs from the
code location module, i.e. from ``$DOCSGEN_BLUEPRINT``, not from the command's own blueprint; and
every step goes through the broker.  Both are checked once, at the start of a command, so a
mistake is one line instead of a failed or hanging run.
"""

from __future__ import annotations

from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.broker import check_celery_services
from docsgen_pipeline.errors import ConfigError
from docsgen_pipeline.settings import configured_blueprint, run_executor_name


def check_distributed(blueprint: Blueprint) -> None:
    """Raise ConfigError / ServiceUnreachableError when workers could not execute ``blueprint``'s steps."""
    if run_executor_name() != "celery":
        return
    served = configured_blueprint()
    if served.content_hash() != blueprint.content_hash():
        raise ConfigError(
            f"DOCSGEN_RUN_EXECUTOR=celery rebuilds every job from the code location's blueprint "
            f"('{served.name}' v{served.version}, DOCSGEN_BLUEPRINT), but this docs run needs "
            f"'{blueprint.name}' v{blueprint.version}; set DOCSGEN_BLUEPRINT to that blueprint's file "
            "here and on every worker"
        )
    check_celery_services()
