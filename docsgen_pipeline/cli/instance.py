"""The persistent Dagster instance and Definitions the CLI works with.

The CLI uses the same ``$DAGSTER_HOME`` as ``dagster dev`` (default ``$DOCSGEN_HOME/dagster``),
so docs runs started here show up in the web UI.
"""

from __future__ import annotations

import os
import shutil
from importlib import resources
from pathlib import Path

import dagster as dg

from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.settings import configured_blueprint, dagster_home, store_root


def prepare_dagster_home() -> Path:
    home = dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        with resources.as_file(resources.files("docsgen_pipeline.data").joinpath("dagster.yaml")) as shipped:
            shutil.copyfile(shipped, config)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def get_instance() -> dg.DagsterInstance:
    prepare_dagster_home()
    return dg.DagsterInstance.get()


def get_definitions(blueprint: Blueprint | None = None) -> dg.Definitions:
    from docsgen_pipeline.dagster_layer.definitions import build_definitions

    return build_definitions(blueprint or configured_blueprint(), store_root())
