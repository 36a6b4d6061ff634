"""A fake OpenAI-compatible HTTP server on 127.0.0.1 for tests and benchmarks.

Real HTTP, real ``openai`` SDK on the other end.  By default every chat completion is answered
by :mod:`fake_model`; tests queue :class:`Reply` scripts to get 429s with Retry-After, 500s,
slow answers past the client's timeout, malformed or truncated JSON, or fenced Markdown, and
then read :attr:`FakeOpenAIServer.requests` to count attempts.

Structured output is simulated like the real servers do it: ``formats`` lists the
``response_format`` modes the server takes (``json_schema``, ``json_object_schema``,
``json_object``); a refused mode gets ``refusal_status`` with a validation message naming
``response_format`` (llama-cpp-python answers ``json_schema`` with a 500 like that).  Under a
schema the answer conforms to it, as grammar-constrained decoding guarantees.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from docsgen_pipeline_tests.fakes.fake_model import answer

ALL_FORMATS = ("json_schema", "json_object_schema", "json_object")
LLAMA_CPP_PYTHON_FORMATS = ("json_object_schema", "json_object")


def conforms(value: Any, schema: dict[str, Any]) -> bool:
    """Enough of JSON Schema for DocsGen's plan and probe schemas."""
    if "enum" in schema and value not in schema["enum"]:
        return False
    kind = schema.get("type")
    if kind == "object":
        if not isinstance(value, dict) or any(k not in value for k in schema.get("required", [])):
            return False
        props = schema.get("properties", {})
        if schema.get("additionalProperties") is False and set(value) - set(props):
            return False
        return all(conforms(v, props[k]) for k, v in value.items() if k in props)
    if kind == "array":
        if not isinstance(value, list):
            return False
        if not schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", 1 << 30):
            return False
        return all(conforms(v, schema.get("items", {})) for v in value)
    if kind == "string":
        return isinstance(value, str) and len(value) <= schema.get("maxLength", 1 << 30)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    return True


def instance(schema: dict[str, Any]) -> Any:
    """The smallest value that conforms to ``schema`` (what a constrained decoder falls back to)."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: instance(props.get(k, {})) for k in schema.get("required", [])}
    if kind == "array":
        return [instance(schema.get("items", {})) for _ in range(schema.get("minItems", 0))]
    return {"string": "x", "integer": 2, "boolean": True, "number": 0}.get(str(kind))


def as_json_object(content: str) -> str:
    """What a JSON-object grammar makes of an answer: an object, whatever the model meant to say."""
    try:
        value = json.loads(content)
    except ValueError:
        value = content
    return content if isinstance(value, dict) else json.dumps({"answer": value})


def constrain(content: str, schema: dict[str, Any]) -> str:
    try:
        if conforms(json.loads(content), schema):
            return content
    except ValueError:
        pass
    return json.dumps(instance(schema))


@dataclass(frozen=True)
class Reply:
    """One scripted answer.  ``content=None`` means "what the fake model would say"."""

    status: int = 200
    content: str | None = None
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    fence: bool = False  # wrap the content in ```markdown … ``` with chatter around it
    truncate_to: int | None = None  # cut the content (as if max_tokens hit) and report finish "length"
    error_body: str = "fake failure"
    finish_reason: str | None = None  # e.g. "length" for an answer that loops until max_tokens


@dataclass
class Recorded:
    path: str
    body: dict[str, Any]
    authorization: str | None
    at: float


class FakeOpenAIServer:
    def __init__(
        self,
        latency_s: float = 0.0,
        models: tuple[str, ...] = ("fake-model",),
        api_key: str | None = None,
        formats: tuple[str, ...] = ALL_FORMATS,
        refusal_status: int = 400,
        context_window: int | None = None,
        report_context: bool = False,
    ):
        # context_window: refuse longer prompts like llama-cpp-python does (a 400 naming the window);
        # report_context: also say it on GET /props, like llama.cpp's llama-server.
        self.context_window = context_window
        self.report_context = report_context
        self.latency_s = latency_s
        self.formats = formats
        self.refusal_status = refusal_status
        self.models = models
        self.api_key = api_key  # when set, requests without "Bearer <api_key>" get 401
        self.requests: list[Recorded] = []
        self.answers: list[str] = []  # the content of every 200 chat answer, in order
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self.responder: Callable[[list[dict[str, Any]]], str] = answer
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        # A short poll interval so stopping the server does not cost each test half a second.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-openai", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def push(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def chat_requests(self) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def start(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next(self) -> Reply:
        with self._lock:
            return self._script.popleft() if self._script else Reply()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like real servers; the SDK pools connections
            # Headers and body go out as two writes; with Nagle on, the body waits ~40 ms for the
            # client's delayed ACK, which would swamp what the benchmark measures.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                pass

            def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout): that is the behaviour under test

            def _authorized(self) -> bool:
                if server.api_key is None:
                    return True
                if self.headers.get("Authorization") == f"Bearer {server.api_key}":
                    return True
                self._send(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}})
                return False

            def do_GET(self) -> None:
                with server._lock:
                    server.requests.append(Recorded(self.path, {}, self.headers.get("Authorization"), time.time()))
                if not self._authorized():
                    return
                if self.path.rstrip("/").endswith("/props") and server.report_context and server.context_window:
                    self._send(200, {"default_generation_settings": {"n_ctx": server.context_window}})
                elif self.path.rstrip("/").endswith("/models"):
                    data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in server.models]
                    self._send(200, {"object": "list", "data": data})
                else:
                    self._send(404, {"error": {"message": f"no route {self.path}"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                with server._lock:
                    server.requests.append(Recorded(self.path, body, self.headers.get("Authorization"), time.time()))
                if not self._authorized():
                    return
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                if body.get("model") not in server.models:
                    self._send(404, {"error": {"message": f"The model `{body.get('model')}` does not exist"}})
                    return
                prompt_tokens = sum(len(str(m.get("content", ""))) for m in body["messages"]) // 4
                if server.context_window and prompt_tokens >= server.context_window:
                    message = (f"This model's maximum context length is {server.context_window} tokens. However, "
                               f"you requested {prompt_tokens + int(body.get('max_tokens') or 0)} tokens "
                               f"({prompt_tokens} in the messages, {body.get('max_tokens')} in the completion). "
                               "Please reduce the length of the messages or completion.")
                    self._send(400, {"error": {"message": message, "type": "invalid_request_error",
                                               "code": "context_length_exceeded"}})
                    return
                fmt = body.get("response_format") or {}
                mode = "json_object_schema" if fmt.get("type") == "json_object" and "schema" in fmt else fmt.get("type")
                schema: dict[str, Any] | None = None
                if mode == "json_object_schema" and "json_object_schema" not in server.formats:
                    mode = "json_object"  # a server that ignores the unknown "schema" field
                if mode and mode != "text" and mode not in server.formats:
                    message = (f"1 validation error: literal_error ('body', 'response_format', 'type'): "
                               f"Input should be 'text' or 'json_object', got {fmt.get('type')!r}")
                    self._send(server.refusal_status, {"error": {"message": message, "type": "invalid_request_error"}})
                    return
                if mode == "json_schema":
                    schema = fmt["json_schema"]["schema"]
                elif mode == "json_object_schema":
                    schema = fmt["schema"]
                reply = server._next()
                delay = reply.delay_s or server.latency_s
                if delay:
                    time.sleep(delay)
                if reply.status != 200:
                    self._send(reply.status, {"error": {"message": reply.error_body}}, reply.headers)
                    return
                content = reply.content if reply.content is not None else server.responder(body["messages"])
                finish = "stop"
                if schema is not None:
                    content = constrain(content, schema)
                elif mode == "json_object":
                    content = as_json_object(content)
                if reply.fence:
                    content = f"Here is the file:\n\n```markdown\n{content}```\n\nLet me know if you need changes."
                if reply.truncate_to is not None:
                    content, finish = content[: reply.truncate_to], "length"
                if reply.finish_reason is not None:
                    finish = reply.finish_reason
                with server._lock:
                    server.answers.append(content)
                prompt_chars = sum(len(str(m.get("content", ""))) for m in body["messages"])
                usage = {"prompt_tokens": prompt_chars // 4, "completion_tokens": len(content) // 4}
                usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
                self._send(
                    200,
                    {
                        "id": f"chatcmpl-{len(server.requests)}",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body["model"],
                        "choices": [
                            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}
                        ],
                        "usage": usage,
                    },
                    reply.headers,
                )

        return Handler


@contextmanager
def running_fake_server(**kwargs: Any) -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer(**kwargs).start()
    try:
        yield server
    finally:
        server.stop()
