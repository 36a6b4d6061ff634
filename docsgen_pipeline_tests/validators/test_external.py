from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from docsgen_pipeline.validators.config import ValidateConfig
from docsgen_pipeline.validators.engine import validate_tree


class _Handler(BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        self.send_response(200 if self.path == "/ok" else 404)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_external_links_are_checked_only_when_asked(tmp_path: Path, server: str) -> None:
    (tmp_path / "a.md").write_text(f"# A\n\n[ok]({server}/ok)\n[gone]({server}/missing)\n", encoding="utf-8")
    assert validate_tree(tmp_path, ValidateConfig(), cache_dir=None).findings == []
    report = validate_tree(tmp_path, ValidateConfig(check_external=True), cache_dir=None)
    assert [(f.line, f.rule, f.severity) for f in report.findings] == [(4, "external-link", "warning")]
    assert report.findings[0].message == f"external link {server}/missing failed: HTTP 404"
