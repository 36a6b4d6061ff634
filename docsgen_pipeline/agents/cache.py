"""On-disk response cache: a re-executed phase pays nothing for calls that already completed.

Keyed by a hash of everything that determines the answer (messages, model, endpoint and
sampling parameters).  Entries are written atomically (temp file + rename) so a crash mid-write
never leaves a half entry that a later run would trust.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, ValidationError


class CachedCompletion(BaseModel):
    text: str
    tokens_in: int
    tokens_out: int
    model: str
    finish_reason: str | None = None


def cache_key(messages: Sequence[Mapping[str, str]], identity: Mapping[str, str]) -> str:
    payload = json.dumps({"messages": list(messages), "identity": dict(identity)}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


class ResponseCache:
    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> CachedCompletion | None:
        path = self._path(key)
        try:
            return CachedCompletion.model_validate_json(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValidationError, UnicodeDecodeError):
            return None  # an unreadable entry is a miss, never a failure

    def put(self, key: str, value: CachedCompletion) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(value.model_dump_json())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
