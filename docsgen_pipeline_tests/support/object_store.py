"""Throwaway object-store servers on 127.0.0.1 for the tests: moto_server (S3) and Azurite (Azure Blob).

They stand in for S3 / MinIO and Azure Blob Storage in tests only: one process per test module, a
fresh bucket (container) per test, and the ``AWS_*`` / ``AZURE_*`` variables obstore reads pointed
at it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest

from docsgen_pipeline_tests.support.processes import free_port, stop_process_group
from docsgen_pipeline_tests.support.waiting import url_answers, wait_until

MOTO_SERVER = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))


@dataclass(frozen=True)
class _Server:
    endpoint: str  # http://127.0.0.1:PORT
    scheme: ClassVar[str]  # of DOCSGEN_STORE URLs on this server
    endpoint_var: ClassVar[str]  # the variable obstore takes the endpoint from
    no_bucket_code: ClassVar[str]  # the server's error code for a bucket that is not there

    def env(self) -> dict[str, str]:
        raise NotImplementedError

    def create_bucket(self, name: str | None = None) -> str:
        raise NotImplementedError

    def store_url(self, prefix: str = "docs") -> str:
        """A new bucket's ``<scheme>://<bucket>/<prefix>``."""
        return f"{self.scheme}://{self.create_bucket()}/{prefix}"

    def store_env(self, prefix: str = "docs") -> dict[str, str]:
        """A new bucket as the artifact store (``DOCSGEN_STORE``) and the variables to reach it."""
        return {"DOCSGEN_STORE": self.store_url(prefix), **self.env()}


@dataclass(frozen=True)
class S3Server(_Server):
    log: Path  # moto's request log (one line per request), while the server runs
    scheme = "s3"
    endpoint_var = "AWS_ENDPOINT_URL"
    no_bucket_code = "NoSuchBucket"

    def env(self) -> dict[str, str]:
        """What a process needs to reach this server as S3 (obstore reads these variables)."""
        return {
            self.endpoint_var: self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
        }

    def create_bucket(self, name: str | None = None) -> str:
        """A new empty bucket (moto does not check signatures, so a plain PUT creates it)."""
        bucket = name or f"docsgen-{uuid.uuid4().hex[:12]}"
        request = urllib.request.Request(f"{self.endpoint}/{bucket}", method="PUT")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200, response.status
        return bucket


@contextmanager
def moto_s3_server() -> Iterator[S3Server]:
    if not os.path.exists(MOTO_SERVER):
        raise RuntimeError("moto_server not found: pip install 'moto[server]' (the dev extra has it)")
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="docsgen-moto-")) / "moto.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [MOTO_SERVER, "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            f"moto_server on port {port}", lambda: proc.poll() is None and url_answers(f"{endpoint}/moto-api/"), 60, 0.2
        )
        yield S3Server(endpoint, log)
    finally:
        stop_process_group(proc, grace=10)
        shutil.rmtree(log.parent, ignore_errors=True)


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    with moto_s3_server() as server:
        yield server


def _point_at(server: _Server, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def s3_env(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3Server:
    """The test's environment pointed at the server."""
    _point_at(s3_server, monkeypatch)
    return s3_server


# Azurite's well-known development account (published in Microsoft's docs; it opens nothing real).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
AZURITE_BIN = Path(__file__).with_name("azurite") / "node_modules" / ".bin" / "azurite-blob"


@dataclass(frozen=True)
class AzureServer(_Server):
    scheme = "az"
    endpoint_var = "AZURITE_BLOB_STORAGE_URL"
    no_bucket_code = "ContainerNotFound"

    def env(self) -> dict[str, str]:
        """What a process needs to reach this server as Azure Blob Storage (obstore reads these)."""
        return {
            "AZURE_STORAGE_ACCOUNT_NAME": AZURITE_ACCOUNT,
            "AZURE_STORAGE_ACCOUNT_KEY": AZURITE_KEY,
            "AZURE_STORAGE_USE_EMULATOR": "true",
            self.endpoint_var: self.endpoint,
        }

    def create_bucket(self, name: str | None = None) -> str:
        """A new empty container (Azure's name for a bucket)."""
        from azure.storage.blob import BlobServiceClient

        container = name or f"docsgen-{uuid.uuid4().hex[:12]}"
        connection = (
            f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
            f"BlobEndpoint={self.endpoint}/{AZURITE_ACCOUNT};"
        )
        BlobServiceClient.from_connection_string(connection).create_container(container)
        return container


@contextmanager
def azurite_server() -> Iterator[AzureServer]:
    if not AZURITE_BIN.exists():
        raise RuntimeError(
            f"Azurite not found at {AZURITE_BIN}: run scripts/test.sh (it runs npm ci in {AZURITE_BIN.parents[2]})"
        )
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="docsgen-azurite-"))
    with open(folder / "azurite.log", "wb") as out:
        proc = subprocess.Popen(
            [str(AZURITE_BIN), "--blobHost", "127.0.0.1", "--blobPort", str(port), "--inMemoryPersistence",
             "--disableTelemetry", "--skipApiVersionCheck", "--silent"],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=folder,  # Azurite writes its debug and lock files in its working folder
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            f"Azurite on port {port}",
            lambda: proc.poll() is None and b"successfully listens" in (folder / "azurite.log").read_bytes(),
            60,
            0.2,
        )
        yield AzureServer(endpoint)
    finally:
        stop_process_group(proc, grace=10)
        shutil.rmtree(folder, ignore_errors=True)


ObjectServer = S3Server | AzureServer
SERVERS = {"s3": moto_s3_server, "az": azurite_server}


@pytest.fixture(scope="module", params=sorted(SERVERS))
def object_server(request: pytest.FixtureRequest) -> Iterator[ObjectServer]:
    """Each S3-compatible and Azure-compatible test server in turn (moto_server, Azurite)."""
    with SERVERS[request.param]() as server:
        yield server


@pytest.fixture
def object_env(object_server: ObjectServer, monkeypatch: pytest.MonkeyPatch) -> ObjectServer:
    _point_at(object_server, monkeypatch)
    return object_server
