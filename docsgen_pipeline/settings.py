"""Where DocsGen keeps things on this machine (pure; read once at assembly time)."""

from __future__ import annotations

import os
from pathlib import Path

from docsgen_pipeline.blueprint import Blueprint, default_blueprint, load_blueprint


def docsgen_home() -> Path:
    """``$DOCSGEN_HOME`` or ``~/.docsgen``: artifacts, the Dagster instance and the inbox live here."""
    return Path(os.environ.get("DOCSGEN_HOME") or "~/.docsgen").expanduser()


def store_root() -> str:
    """``$DOCSGEN_STORE``: a folder (default ``$DOCSGEN_HOME/artifacts``) or an object-store URL (``s3://bucket/prefix``)."""
    configured = os.environ.get("DOCSGEN_STORE", "").strip()
    if "://" in configured:
        return configured  # a URL: Path() would fold its '//'
    return str(Path(configured or docsgen_home() / "artifacts").expanduser())


def dagster_home() -> Path:
    """The instance the CLI uses: ``$DAGSTER_HOME`` if set (so `dagster dev` and the CLI agree)."""
    return Path(os.environ.get("DAGSTER_HOME") or docsgen_home() / "dagster").expanduser()


def auto_publish() -> str:
    """``$DOCSGEN_AUTO_PUBLISH``: where every Complete docs run is published (empty: nowhere)."""
    return os.environ.get("DOCSGEN_AUTO_PUBLISH", "").strip()


def configured_blueprint() -> Blueprint:
    """The blueprint the code location is built from: ``$DOCSGEN_BLUEPRINT`` or the default."""
    path = os.environ.get("DOCSGEN_BLUEPRINT")
    return load_blueprint(path) if path else default_blueprint()


RUN_EXECUTORS = ("in_process", "multiprocess", "celery")


def run_executor_name() -> str:
    """``$DOCSGEN_RUN_EXECUTOR``: where the steps of DocsGen's jobs run (default ``in_process``)."""
    return (os.environ.get("DOCSGEN_RUN_EXECUTOR") or "in_process").strip()


def celery_broker() -> str:
    """``$DOCSGEN_CELERY_BROKER``: the broker the Celery executor and its workers share (``redis://…``)."""
    return os.environ.get("DOCSGEN_CELERY_BROKER", "").strip()


def celery_backend() -> str:
    """``$DOCSGEN_CELERY_BACKEND``: where workers put step results (default: the broker's URL)."""
    return os.environ.get("DOCSGEN_CELERY_BACKEND", "").strip() or celery_broker()
