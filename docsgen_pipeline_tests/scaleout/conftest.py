"""The scale-out tests need Debian's PostgreSQL and redis-server (see .ci/debian-packages.txt)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from docsgen_pipeline_tests.support.object_store import moto_s3_server
from docsgen_pipeline_tests.support.postgres import pg_bin
from docsgen_pipeline_tests.support.redis import REDIS_SERVER
from docsgen_pipeline_tests.support.scaleout import ScaledOut, scaled_out

missing = [what for what, there in (("postgresql", pg_bin()), ("redis-server", REDIS_SERVER)) if there is None]


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[ScaledOut]:
    if missing:
        pytest.skip(f"apt-get install {' '.join(missing)}")
    with scaled_out(tmp_path / "deployment") as servers:
        yield servers


@pytest.fixture
def deployment_on_s3(tmp_path: Path) -> Iterator[ScaledOut]:
    """The same deployment with the artifact store in a bucket of moto's S3-compatible server."""
    if missing:
        pytest.skip(f"apt-get install {' '.join(missing)}")
    with moto_s3_server() as s3, scaled_out(tmp_path / "deployment", s3=s3) as servers:
        yield servers
