"""The store's bytes in an object store (S3, GCS, Azure) through obstore, addressed by URL.

- Write once: every object is created with ``PutMode.Create`` (``If-None-Match: *``), so a
  second writer of the same key, on any machine, is refused by the server instead of replacing it.
- Record logs (version indexes, event logs) cannot be appended to: each record is its own
  write-once object ``<log>/<name>``, listed in name order.  A version's record is named after
  its number, so two machines cannot both record version K.
- Quarantine copies the object under ``.quarantine/`` and only then deletes the original (the
  bytes are never lost); the reason is a record beside it.
- Credentials and the endpoint come from the usual environment variables (``AWS_*``,
  ``GOOGLE_*``, ``AZURE_*``), which obstore reads; plain-HTTP endpoints (a test server) are
  allowed when the configured endpoint says ``http://``.

Every failure to talk to the store becomes one :class:`StoreError` line naming the URL.
"""

from __future__ import annotations

import json
import os
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from docsgen_pipeline.errors import StoreError

# A store that does not answer should fail a command in seconds, not after obstore's default
# 10 retries over 3 minutes.
_CLIENT = {"connect_timeout": "3s", "timeout": "60s"}
_RETRY = {"max_retries": 2, "retry_timeout": timedelta(seconds=15)}
# Record objects are written once and never change, so this process reads each once, whichever
# store object (a step's, a sensor's) asks: store URL -> key -> bytes.  Records are a few hundred
# bytes; the cap (per store) keeps a daemon that watches thousands of docs runs at a few tens of MB.
_RECORDS: dict[str, dict[str, bytes]] = {}
_RECORDS_KEPT = 100_000
_NO_BUCKET = ("NoSuchBucket", "ContainerNotFound")  # S3's and Azure's codes for a bucket that is not there
_ENDPOINT_VARS = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_ENDPOINT")


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _reason(exc: BaseException) -> str:
    """obstore's error in a few words: the server's error code and message when it sent one (S3 and
    Azure answer in XML: ``<Code>NoSuchBucket</Code><Message>…</Message>``), else the summary's last
    clause, and the OS's reason if it gave one."""
    text = str(exc).split("\n\nDebug source:")[0].strip()
    status = re.search(r"status code: (\d{3} [^:]*)", text)
    code = re.search(r"<Code>([^<]+)</Code>", text)
    if status and code:
        message = re.search(r"<Message>([^<\n]+)", text)
        summary = f"{status.group(1)}: {code.group(1)}"
        if message:
            summary += f", {message.group(1).strip().rstrip('.')}"
    else:
        summary = text.splitlines()[0].rsplit(" - ", 1)[-1] if text else type(exc).__name__
    cause = re.findall(r'message: "([^"]+)"', str(exc))
    if cause and cause[-1] not in summary:
        summary = f"{summary}: {cause[-1]}"
    return (summary[:200] + "…") if len(summary) > 200 else summary


def _unreachable(exc: BaseException) -> bool:
    text = str(exc)
    return "error sending request" in text or "kind: Connect" in text or "timed out" in text.lower()


class _Scopes(threading.local):
    """This thread's open one_listing() blocks: root prefix -> its listing (None: not listed yet)."""

    def __init__(self) -> None:
        self.roots: dict[str, list[str] | None] = {}


class ObjectBlobs:
    is_local = False

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        try:
            import obstore
            from obstore.store import from_url
        except ImportError:  # pragma: no cover - obstore is a dependency
            raise StoreError("object-store URLs need obstore: pip install obstore") from None
        self._obstore = obstore
        client: dict[str, Any] = dict(_CLIENT)
        if urlsplit(self.url).scheme == "s3" and any(
            os.environ.get(name, "").startswith("http://") for name in _ENDPOINT_VARS
        ):
            client["allow_http"] = True
        try:
            self._store = from_url(self.url, client_options=client, retry_config=_RETRY)  # type: ignore[call-overload]
        except Exception as exc:  # obstore raises its own errors (and ValueError) for a bad URL or config
            raise StoreError(f"artifact store {self.url}: cannot open it ({_reason(exc)}); fix DOCSGEN_STORE") from None
        self._records = _RECORDS.setdefault(self.url, {})
        self._scopes = _Scopes()

    def where(self, key: str) -> str:
        return f"{self.url}/{key}"

    @contextmanager
    def one_listing(self, prefix: str) -> Iterator[None]:
        """Within this block, this thread's listings under ``prefix`` come from one listing of it.

        A read that looks at many artifacts of a docs run (its status, a gate) then costs one LIST
        (a page per 1,000 objects) instead of one per artifact.  This thread's own writes drop the
        listing, so it always sees what it wrote; another machine's writes during the block show in
        the next block, as if they had come just after it.
        """
        roots, root = self._scopes.roots, prefix.rstrip("/")
        outer = root in roots
        roots.setdefault(root, None)
        try:
            yield
        finally:
            if not outer:
                roots.pop(root, None)

    def _listed_under(self, base: str) -> list[str] | None:
        """Keys under ``base`` (ending in /) from an open one_listing() block, or None outside one."""
        roots = self._scopes.roots
        for root, listing in roots.items():
            if base.startswith(f"{root}/"):
                if listing is None:
                    listing = roots[root] = self._list_all(f"{root}/")
                return [key for key in listing if key.startswith(base)]
        return None

    def _wrote(self) -> None:
        roots = self._scopes.roots
        for root in roots:
            roots[root] = None  # listed again on the next read

    def _error(self, exc: BaseException, action: str, key: str = "") -> StoreError:
        if _unreachable(exc):
            return StoreError(
                f"artifact store {self.url} is unreachable ({_reason(exc)}); start it or fix DOCSGEN_STORE "
                "and its endpoint (`docsgen doctor` checks it)"
            )
        if any(f"<Code>{code}</Code>" in str(exc) for code in _NO_BUCKET):
            bucket = urlsplit(self.url).netloc
            return StoreError(
                f"artifact store {self.url} cannot {action} {key} ({_reason(exc)}); create the bucket "
                f"(container) {bucket} or fix DOCSGEN_STORE (`docsgen doctor` checks it)"
            )
        return StoreError(
            f"artifact store {self.url} cannot {action} {key} ({_reason(exc)}); check its credentials and "
            "DOCSGEN_STORE (`docsgen doctor` checks it)"
        )

    def check(self) -> None:
        try:
            self._obstore.list_with_delimiter(self._store, None)
        except Exception as exc:
            raise self._error(exc, "list", "its root") from None

    def get(self, key: str) -> bytes | None:
        from obstore.exceptions import NotFoundError

        try:
            return bytes(self._obstore.get(self._store, key).bytes())
        except (NotFoundError, FileNotFoundError):
            return None
        except Exception as exc:
            raise self._error(exc, "read", key) from None

    def exists(self, key: str) -> bool:
        from obstore.exceptions import NotFoundError

        try:
            self._obstore.head(self._store, key)
        except (NotFoundError, FileNotFoundError):
            return False
        except Exception as exc:
            raise self._error(exc, "look up", key) from None
        return True

    def age_s(self, key: str) -> float:
        from obstore.exceptions import NotFoundError

        try:
            written = self._obstore.head(self._store, key)["last_modified"]
        except (NotFoundError, FileNotFoundError):
            return 0.0
        except Exception as exc:
            raise self._error(exc, "look up", key) from None
        return max(0.0, (datetime.now(UTC) - written).total_seconds())

    def put_if_absent(self, key: str, data: bytes) -> bool:
        from obstore.exceptions import AlreadyExistsError, PreconditionError

        self._wrote()
        try:
            self._obstore.put(self._store, key, data, mode="create")
        except (AlreadyExistsError, PreconditionError, FileExistsError):
            return False
        except Exception as exc:
            raise self._error(exc, "write", key) from None
        return True

    def children(self, prefix: str) -> tuple[list[str], list[str]]:
        base = prefix.rstrip("/") + "/"
        memo = self._listed_under(base)
        if memo is not None:
            folders: set[str] = set()
            files: set[str] = set()
            for key in memo:
                head, slash, _ = key[len(base) :].partition("/")
                (folders if slash else files).add(head)
            return sorted(folders), sorted(files)
        try:
            listed = self._obstore.list_with_delimiter(self._store, base)
        except Exception as exc:
            raise self._error(exc, "list", base) from None
        found_folders = sorted(p.rstrip("/").rsplit("/", 1)[-1] for p in listed["common_prefixes"])
        found_files = sorted(str(meta["path"]).rsplit("/", 1)[-1] for meta in listed["objects"])
        return found_folders, found_files

    def walk(self, prefix: str) -> list[str]:
        base = prefix.rstrip("/") + "/"
        memo = self._listed_under(base)
        return memo if memo is not None else self._list_all(base)

    def _list_all(self, base: str) -> list[str]:
        try:
            return sorted(str(meta["path"]) for chunk in self._obstore.list(self._store, base) for meta in chunk)
        except Exception as exc:
            raise self._error(exc, "list", base) from None

    def add_record(self, key: str, name: str, line: str) -> bool:
        return self.put_if_absent(f"{key}/{name}", line.encode())

    def records(self, key: str) -> list[str]:
        return self._read_records(self.walk(key))

    def record_logs(self, prefix: str, logs: list[str]) -> dict[str, list[str]]:
        listed = self.walk(prefix)
        return {log: self._read_records([k for k in listed if k.startswith(f"{prefix}/{log}/")]) for log in logs}

    def _read_records(self, record_keys: list[str]) -> list[str]:
        lines = []
        for record_key in record_keys:
            data = self._records.get(record_key)
            if data is None:
                if len(self._records) >= _RECORDS_KEPT:
                    self._records.clear()
                data = self.get(record_key)
                if data is None:  # listed, then gone: only a quarantine removes objects
                    continue
                self._records[record_key] = data
            lines.append(data.decode("utf-8", errors="replace"))
        return lines

    def has_records(self, key: str) -> bool:
        return bool(self.children(key)[1])

    def torn_tail(self, key: str) -> bool:
        return False  # each record is one object, written whole or not at all

    def drop_torn_tail(self, key: str) -> None:
        return None

    def quarantine(self, key: str, reason: str) -> str:
        parent, _, name = key.rpartition("/")
        folder = f"{parent}/.quarantine" if parent else ".quarantine"
        moved = f"{name}.{_stamp()}"
        self._wrote()
        try:
            # A plain copy: S3 has no copy-if-absent, and the stamped name is new anyway.
            self._obstore.copy(self._store, key, f"{folder}/{moved}")
            self._obstore.delete(self._store, key)
        except Exception as exc:
            raise self._error(exc, "quarantine", key) from None
        entry = json.dumps({"file": name, "moved_to": moved, "reason": reason})
        self.add_record(f"{folder}/reasons.jsonl", f"{_stamp()}-{uuid.uuid4().hex[:8]}", entry)
        return moved
