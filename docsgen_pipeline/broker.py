"""The Celery broker a scaled-out deployment shares between its coordinators and workers (pure; no Dagster).

A coordinator that cannot reach the broker would otherwise fail (or hang) inside its first step
submission with a Celery traceback; checking at startup gives one line naming the URL instead.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from docsgen_pipeline.errors import ConfigError, ServiceUnreachableError
from docsgen_pipeline.settings import celery_backend, celery_broker

INSTALL_HINT = "install the celery extra: pip install 'docsgen-pipeline[celery]'"


def redact(url: str) -> str:
    """``url`` with any password replaced by ``***`` (URLs are printed; secrets never are)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port is not None else ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))


def configured_broker() -> str:
    """``$DOCSGEN_CELERY_BROKER``, or a ConfigError saying how to set it."""
    url = celery_broker()
    if not url:
        raise ConfigError(
            "DOCSGEN_RUN_EXECUTOR=celery needs DOCSGEN_CELERY_BROKER, the broker the workers listen on "
            "(e.g. redis://broker-host:6379/0)"
        )
    return url


def check_reachable(
    url: str, what: str = "Celery broker", setting: str = "DOCSGEN_CELERY_BROKER", timeout_s: float = 3.0
) -> None:
    """Connect to ``url`` once; raise ServiceUnreachableError naming it when nothing answers."""
    try:
        from kombu.connection import Connection
    except ImportError:
        raise ConfigError(f"DOCSGEN_RUN_EXECUTOR=celery: the Celery client is not installed; {INSTALL_HINT}") from None
    try:
        with Connection(url, connect_timeout=timeout_s) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=timeout_s)
    except Exception as exc:  # kombu raises OperationalError, transports their own (ValueError for a bad URL)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ServiceUnreachableError(
            f"{what} {redact(url)} is unreachable ({reason}); start it or fix {setting} "
            "(`docsgen doctor` checks it)"
        ) from None


def check_celery_services() -> list[str]:
    """Check the broker (and a separate result backend); the URLs checked, or ServiceUnreachableError."""
    broker = configured_broker()
    check_reachable(broker)
    checked = [broker]
    backend = celery_backend()
    if backend != broker and backend.split(":", 1)[0] in ("redis", "rediss", "amqp", "pyamqp"):
        check_reachable(backend, what="Celery result backend", setting="DOCSGEN_CELERY_BACKEND")
        checked.append(backend)
    return checked
