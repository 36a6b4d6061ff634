"""What a distributed deployment must agree on before a command hands steps to workers (pure; no Dagster).

With ``$DOCSGEN_RUN_EXECUTOR=celery`` the coordinator and every worker rebuild the jobs from the
code location module, i.e. from ``$DOCSGEN_BLUEPRINT``, not from the command's own blueprint; and
every step goes through the broker.  Both are checked once, at the start of a command, so a
mistake is one line instead of a failed or hanging run.
"""

from __future__ import annotations

from docsgen_pipeline.agents.diagnose import Check
from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.broker import check_celery_services, check_reachable, configured_broker, redact
from docsgen_pipeline.errors import ConfigError, ServiceUnreachableError, StoreError
from docsgen_pipeline.settings import celery_backend, configured_blueprint, run_executor_name, store_root


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


def deployment_checks() -> list[Check]:
    """What ``docsgen doctor`` reports about where steps run (the executor and its broker)."""
    executor = run_executor_name()
    if executor != "celery":
        where = "a subprocess per step" if executor == "multiprocess" else "the command's own process"
        return [Check("executor", "ok", f"{executor}: steps run in {where}")]
    checks = [Check("executor", "ok", "celery: steps run on dagster-celery workers")]
    try:
        broker = configured_broker()
    except ConfigError as exc:
        return [*checks, Check("celery broker", "fail", str(exc), fix="export DOCSGEN_CELERY_BROKER=redis://HOST:6379/0")]
    services = [("Celery broker", "DOCSGEN_CELERY_BROKER", broker)]
    if celery_backend() != broker:
        services.append(("Celery result backend", "DOCSGEN_CELERY_BACKEND", celery_backend()))
    for what, setting, url in services:
        try:
            check_reachable(url, what=what, setting=setting)
        except (ConfigError, ServiceUnreachableError) as exc:
            checks.append(Check(what.lower(), "fail", str(exc).split("; ")[0], fix=f"start it or fix {setting}"))
        else:
            checks.append(Check(what.lower(), "ok", f"{redact(url)} answers"))
    return checks


def store_check() -> Check:
    """What ``docsgen doctor`` reports about the artifact store: a folder, or an object store that answers."""
    from docsgen_pipeline.store import ArtifactStore

    location = store_root()
    try:
        store = ArtifactStore(location)
        store.check()
    except (ConfigError, StoreError) as exc:
        return Check("artifact store", "fail", str(exc).split("; ")[0], fix="start it or fix DOCSGEN_STORE")
    if store.is_local:
        return Check("artifact store", "ok", f"folder {store.root}")
    return Check("artifact store", "ok", f"{location} answers (this machine's working folder: {store.root})")
