"""Where DocsGen keeps things on this machine (pure; read once at assembly time)."""

from __future__ import annotations

import os
from pathlib import Path

from docsgen_pipeline.blueprint import Blueprint, default_blueprint, load_blueprint


def docsgen_home() -> Path:
    """``$DOCSGEN_HOME`` or ``~/.docsgen``: artifacts, the Dagster instance and the inbox live here."""
    return Path(os.environ.get("DOCSGEN_HOME") or "~/.docsgen").expanduser()


def store_root() -> Path:
    return Path(os.environ.get("DOCSGEN_STORE") or docsgen_home() / "artifacts").expanduser()


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
