"""One short, stable reason for a failed request, used in logs, counters and `captures.error` (its counter
key: archive.errors.error_kind)."""

from __future__ import annotations

from twisted.internet import error as net_error
from twisted.python.failure import Failure


def failure_reason(failure: Failure) -> str:
    from scrapy import exceptions as scrapy_errors
    from scrapy.spidermiddlewares.httperror import HttpError

    from crawler.middlewares.guard import Refused

    exc = failure.value
    if isinstance(exc, Refused):
        return exc.reason
    if isinstance(exc, HttpError):
        return f"http {exc.response.status}"
    # Scrapy ≥ 2.14 wraps Twisted's errors in its own (the Twisted one is the __cause__).
    for kind, reason in (
        (scrapy_errors.DownloadConnectionRefusedError, "connection refused"),
        (scrapy_errors.CannotResolveHostError, "dns: host not found"),
        (scrapy_errors.DownloadTimeoutError, "timeout"),
        (scrapy_errors.ResponseDataLossError, "connection lost: response cut short"),
        (scrapy_errors.UnsupportedURLSchemeError, "unsupported scheme"),
    ):
        if isinstance(exc, kind):
            return reason
    name = type(exc).__name__
    if isinstance(exc, net_error.TimeoutError | net_error.TCPTimedOutError) or "Timeout" in name:
        return "timeout"
    if isinstance(exc, net_error.DNSLookupError):
        return "dns: host not found"
    if isinstance(exc, net_error.ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, net_error.ConnectionDone | net_error.ConnectionLost):
        return "connection lost"
    text = str(exc)
    if "SSL" in name or "TLS" in name or "SSL routines" in text or "certificate" in text.lower():
        return f"tls: {text[:200]}"
    if "max size" in text.lower() or "maxsize" in text.lower() or "exceeds" in text.lower():
        return f"too large: {text[:200]}"
    if name == "IgnoreRequest" and "max redirections" in text:
        return "too many redirects"
    if name == "IgnoreRequest":
        return f"ignored: {text[:200]}"
    if "ResponseNeverReceived" in name or "ResponseFailed" in name or "DownloadFailed" in name:
        return f"connection lost: {text[:200]}"
    return f"{name}: {text[:200]}"
